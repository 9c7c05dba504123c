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


def test_the_engines_offered_are_the_engines_there_are():
    """``--engine`` lists its choices without importing the engines (for a fast --help): the
    list is the registry's."""
    from nianbao.cli.common import ENGINES
    from nianbao.compute.engines import NAMES
    assert ENGINES == NAMES


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


HEAVY = ("duckdb", "numpy", "openpyxl", "docx", "matplotlib", "nianbao.app", "nianbao.compute")


@pytest.mark.parametrize("command", ["check", "report", "indicators", "standards", "template", "import", "store",
                                     "audit"])
def test_a_command_s_help_imports_no_engine_or_workbook_library(command):
    """``nianbao CMD --help`` needs argparse only: the use cases (and DuckDB, numpy, openpyxl,
    python-docx behind them) are imported when the command runs."""
    import subprocess
    import sys

    code = ("import sys\nfrom nianbao.cli.main import main\n"
            f"try:\n    main([{command!r}, '--help'])\nexcept SystemExit:\n    pass\n"
            f"print('imported:', *(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "--help" in out and out.splitlines()[-1] == "imported:"


def test_the_command_line_s_choices_are_the_use_cases():
    """The formats and scenarios the parser offers (written in the command modules, so that
    --help imports nothing) are those the use cases accept."""
    from nianbao.app import checking, plan
    from nianbao.cli import check_cmd, standards_cmd

    assert check_cmd.FORMATS == checking.FORMATS
    assert standards_cmd.SCENARIOS == plan.SCENARIOS
