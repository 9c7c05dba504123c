"""Broken dataset folders: every problem is a finding with a catalogue code that names the file
(and line), never an internal error (exit 3), for check, report, indicators and standards.

Each case copies examples/datong-2020-schools (or examples/datong-2020, which has claims.csv) and
breaks one thing as a careless clerk or a hostile sender would: a file saved in GBK, control
characters pasted into a name or a narrative, a dataset.yaml entry of the wrong type, a folder or
a pipe where a file belongs, a damaged store file.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
from pathlib import Path

import pytest

from nianbao.cli.main import main
from nianbao.core.findings import FindingsError
from nianbao.ingest.dataset import load_dataset

ROOT = Path(__file__).resolve().parents[1]
SCHOOLS = ROOT / "examples" / "datong-2020-schools"
CITY = ROOT / "examples" / "datong-2020"
COMMANDS = ("check", "report", "indicators", "standards")


def _copy(src: Path, dst: Path) -> Path:
    return Path(shutil.copytree(src, dst, ignore=shutil.ignore_patterns("nianbao.duckdb*", "*.lock")))


def _gbk(ds: Path, name: str) -> None:
    p = ds / name
    p.write_bytes(p.read_text(encoding="utf-8").encode("gbk"))


def _first_non_ascii_line(path: Path) -> int:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if any(ord(c) > 127 for c in line):
            return n
    raise AssertionError("no Chinese in the file")


def _line_of(path: Path, key: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                if line.startswith(f"{key}:"))


def _set_meta(ds: Path, key: str, text: str) -> None:
    """Replace dataset.yaml's entry ``key`` (with its indented or listed lines) by ``text``."""
    p = ds / "dataset.yaml"
    src = p.read_text(encoding="utf-8")
    new = re.sub(rf"^{key}:.*\n((?:[ -].*\n)*)", text + "\n", src, count=1, flags=re.M)
    assert new != src
    p.write_text(new, encoding="utf-8")


def _into_folder(ds: Path, name: str) -> None:
    p = ds / name
    if p.exists():
        p.unlink()
    p.mkdir()
    (p / "x.txt").write_text("x", encoding="utf-8")


def run(ds: Path, command: str, tmp: Path) -> int:
    argv = {"check": ["check", str(ds), "--format", "csv", "-o", str(tmp / "findings.csv")],
            "report": ["report", str(ds), "-o", str(tmp / "report"), "--no-pdf"],
            "indicators": ["indicators", str(ds), "--format", "csv", "-o", str(tmp / "ind.csv")],
            "standards": ["standards", str(ds), "--format", "csv", "-o", str(tmp / "std.csv")]}[command]
    return main(argv)


def unreadable(ds: Path):
    with pytest.raises(FindingsError) as exc:
        load_dataset(ds)
    return exc.value.findings


# -- files that cannot be read: one finding, exit 2 for every command ----------------------------

def _case_gbk_orgs(ds):
    line = _first_non_ascii_line(ds / "orgs.csv")
    _gbk(ds, "orgs.csv")
    return "dataset.unreadable", "orgs.csv", f"第{line}行"


def _case_gbk_majors(ds):
    line = _first_non_ascii_line(ds / "majors.csv")
    _gbk(ds, "majors.csv")
    return "dataset.unreadable", "majors.csv", f"第{line}行"


def _case_gbk_standards(ds):
    (ds / "standards.yaml").write_bytes("standards:\n  own:\n    zh: 本市标准\n".encode("gbk"))
    return "dataset.unreadable", "standards.yaml", "第3行"


def _case_catalogue_number(ds):
    line = _line_of(ds / "dataset.yaml", "catalogue")
    _set_meta(ds, "catalogue", "catalogue: 123")
    return "dataset.unreadable", "dataset.yaml", f"第{line}行"


def _case_periods_empty(ds):
    line = _line_of(ds / "dataset.yaml", "periods")
    _set_meta(ds, "periods", "periods: []")
    return "dataset.unreadable", "dataset.yaml", f"第{line}行"


def _case_periods_without_the_report_year(ds):
    line = _line_of(ds / "dataset.yaml", "periods")
    _set_meta(ds, "periods", "periods: [2018, 2019]")
    return "dataset.unreadable", "dataset.yaml", f"第{line}行"


def _case_org_unit_a_list(ds):
    line = _line_of(ds / "dataset.yaml", "org_unit")
    _set_meta(ds, "org_unit", "org_unit: ['140200', 大同市]")
    return "dataset.unreadable", "dataset.yaml", f"第{line}行"


def _case_org_unit_name_a_mapping(ds):
    p = ds / "dataset.yaml"
    lines = p.read_text(encoding="utf-8").splitlines()
    n = next(i for i, ln in enumerate(lines) if ln.startswith("  zh:"))
    lines[n] = "  zh: {name: 大同市}"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return "dataset.unreadable", "dataset.yaml", f"第{n + 1}行"


def _case_report_year_in_words(ds):
    line = _line_of(ds / "dataset.yaml", "report_year")
    _set_meta(ds, "report_year", "report_year: 二〇二〇")
    return "dataset.unreadable", "dataset.yaml", f"第{line}行"


def _case_dataset_yaml_a_list(ds):
    (ds / "dataset.yaml").write_text("- 大同市\n- 2020\n", encoding="utf-8")
    return "dataset.unreadable", "dataset.yaml", "第1行"


def _folder(name):
    def case(ds):
        _into_folder(ds, name)
        return "dataset.not_a_file", name, ""
    case.__name__ = f"_case_folder_{name}"
    return case


def _case_fifo_narrative(ds):
    (ds / "narrative" / "3.1.md").unlink()
    os.mkfifo(ds / "narrative" / "3.1.md")
    return "dataset.not_a_file", "narrative/3.1.md", ""


UNREADABLE = [_case_gbk_orgs, _case_gbk_majors, _case_catalogue_number, _case_periods_empty,
              _case_periods_without_the_report_year, _case_org_unit_a_list, _case_org_unit_name_a_mapping,
              _case_report_year_in_words, _case_dataset_yaml_a_list, _folder("values.csv"), _folder("orgs.csv"),
              _folder("majors.csv"), _folder("dataset.yaml"), _folder("narrative/3.1.md"),
              _folder("tables/moral_courses.csv"), _folder("standards.yaml"), _case_gbk_standards, _case_fifo_narrative]


@pytest.mark.parametrize("case", UNREADABLE, ids=lambda c: c.__name__.removeprefix("_case_"))
def test_an_unreadable_file_is_one_finding_naming_it_for_every_command(tmp_path, capsys, case):
    ds = _copy(SCHOOLS, tmp_path / "ds")
    code, file, line = case(ds)
    (f,) = unreadable(ds)
    assert f.code == code and f.severity == "error"
    assert f.location.file.endswith(file) and (not line or f.location.cell == line)
    assert f.message_zh and f.message_en and f.hint and f.hint_en
    assert "Error" not in f.message_zh and "Traceback" not in f.message_en  # translated, not appended
    for command in COMMANDS:
        assert run(ds, command, tmp_path) == 2, command
        err = capsys.readouterr().err
        assert "internal error" not in err and file.split("/")[-1] in err, (command, err)


def test_claims_csv_a_folder(tmp_path):
    ds = _copy(CITY, tmp_path / "ds")
    _into_folder(ds, "claims.csv")
    (f,) = unreadable(ds)
    assert f.code == "dataset.not_a_file" and f.location.file == "claims.csv"
    for command in COMMANDS:
        assert run(ds, command, tmp_path) == 2


# -- text for print in GBK, control characters: read, with a warning naming the file and line ----

def _codes(tmp: Path) -> list[dict]:
    return list(csv.DictReader((tmp / "findings.csv").open(encoding="utf-8")))


def test_a_narrative_in_gbk_is_read_with_a_warning(tmp_path):
    ds = _copy(SCHOOLS, tmp_path / "ds")
    original = (ds / "narrative" / "2.1.md").read_text(encoding="utf-8").strip()
    _gbk(ds, "narrative/2.1.md")
    loaded = load_dataset(ds)
    assert loaded.narratives["2.1"] == original  # the text as written
    warned = [f for f in loaded.findings if f.code == "dataset.decoded_gb18030"]
    assert [(f.location.file, f.severity) for f in warned] == [("narrative/2.1.md", "warning")]
    assert run(ds, "check", tmp_path) == 0
    assert [r["file"] for r in _codes(tmp_path) if r["code"] == "dataset.decoded_gb18030"] == ["narrative/2.1.md"]
    assert run(ds, "report", tmp_path) == 0
    html = (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    assert original.splitlines()[-1].strip()[:12] in html


def test_a_table_in_gbk_is_read_with_a_warning(tmp_path):
    ds = _copy(SCHOOLS, tmp_path / "ds")
    rows = list(csv.DictReader(io.StringIO((ds / "tables" / "moral_courses.csv").read_text(encoding="utf-8-sig"))))
    _gbk(ds, "tables/moral_courses.csv")
    loaded = load_dataset(ds)
    assert loaded.static_tables["moral_courses"] == rows
    assert [f.location.file for f in loaded.findings if f.code == "dataset.decoded_gb18030"] == \
        ["tables/moral_courses.csv"]
    for command in COMMANDS:
        assert run(ds, command, tmp_path) == 0


def test_control_characters_in_a_school_name_are_removed_with_a_warning(tmp_path):
    ds = _copy(SCHOOLS, tmp_path / "ds")
    p = ds / "orgs.csv"
    lines = p.read_text(encoding="utf-8").splitlines()
    n = next(i for i, ln in enumerate(lines) if ",school," in ln)
    code, name = lines[n].split(",")[:2]
    lines[n] = lines[n].replace(name, name[:2] + "\x01\x1b" + name[2:] + "\x7f", 1)
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    loaded = load_dataset(ds)
    assert loaded.orgs.get(code).zh == name
    (f,) = [f for f in loaded.findings if f.code == "dataset.control_chars"]
    assert (f.location.file, f.location.cell, f.values["count"]) == ("orgs.csv", f"第{n + 1}行", 3)
    assert f.values["codes"] == "U+0001 U+001B U+007F"
    for command in COMMANDS:
        assert run(ds, command, tmp_path) == 0, command


def test_control_characters_in_a_narrative_do_not_stop_the_report(tmp_path):
    ds = _copy(SCHOOLS, tmp_path / "ds")
    p = ds / "narrative" / "2.1.md"
    text = p.read_text(encoding="utf-8")
    p.write_text(text + "\n\x00\x07专业\x1b[31m建设\n", encoding="utf-8")
    loaded = load_dataset(ds)
    assert loaded.narratives["2.1"].endswith("专业[31m建设")
    (f,) = [f for f in loaded.findings if f.code == "dataset.control_chars"]
    assert f.location.cell == f"第{len(text.split(chr(10))) + 1}行" and f.values["count"] == 3
    for command in COMMANDS:
        assert run(ds, command, tmp_path) == 0, command
    assert "专业[31m建设" in (tmp_path / "report" / "report.html").read_text(encoding="utf-8")


# -- a damaged store -----------------------------------------------------------------------------

@pytest.mark.parametrize("damage, code", [
    (lambda p: p.write_bytes(os.urandom(50000)), "store.corrupt"),
    (lambda p: p.write_bytes(b""), "store.corrupt"),
    (lambda p: p.mkdir(), "store.not_a_file"),
], ids=["random-bytes", "empty-file", "a-folder"])
def test_a_damaged_store_is_a_finding_for_every_command(tmp_path, capsys, damage, code):
    ds = _copy(SCHOOLS, tmp_path / "ds")
    damage(ds / "nianbao.duckdb")
    (f,) = [f for f in load_dataset(ds).findings if f.code.startswith("store.")]
    assert (f.code, f.severity, f.location.file) == (code, "error", "nianbao.duckdb")
    assert "Error" not in f.message_zh + f.message_en and "nianbao import" in f.hint
    expected = {"check": 1, "report": 1, "indicators": 2, "standards": 2}  # no table without the stored figures
    for command in COMMANDS:
        assert run(ds, command, tmp_path) == expected[command], command
        out = capsys.readouterr()
        assert "internal error" not in out.err
    assert [r["code"] for r in _codes(tmp_path) if r["code"].startswith("store.")] == [code]
