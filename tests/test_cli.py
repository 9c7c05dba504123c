"""The command line: every command exists, speaks Chinese and English, and is in the README."""

import re
from pathlib import Path

import pytest

from nianbao.cli.main import COMMANDS, build_parser, main

HAN = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"\b[a-z]{4,}\b")


def test_every_command_is_registered():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert sorted(sub.choices) == sorted(name for name, *_ in COMMANDS)


@pytest.mark.parametrize("name", [name for name, *_ in COMMANDS])
def test_help_is_in_chinese_and_english(name, capsys):
    with pytest.raises(SystemExit) as exc:
        main([name, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert HAN.search(out) and LATIN_WORD.search(out)
    # each option's help carries both languages, separated by " / "
    sub = next(a for a in build_parser()._actions if a.dest == "command").choices[name]
    for action in sub._actions:
        if action.help and action.dest != "help":
            assert HAN.search(action.help) and " / " in action.help, (name, action.dest)


def test_top_level_help(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "中等职业教育质量年度报告" in out and "annual quality reports" in out


@pytest.mark.parametrize("name", [name for name, *_ in COMMANDS])
def test_readme_shows_every_command(name):
    assert f"nianbao {name} " in Path("README.md").read_text(encoding="utf-8")


def test_no_command_prints_usage(capsys):
    assert main([]) == 2
