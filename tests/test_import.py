"""`nianbao import`: filled workbooks into the store, bad ones back to the school."""

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from test_workbook import OTHER, SCHOOL, make_dataset, row_of

from nianbao.cli.main import main
from nianbao.compute.facts import FactBook
from nianbao.ingest import workbook
from nianbao.ingest.dataset import load_dataset
from nianbao.store import Store

# A school filling in the figures of the Datong 2020 report as if it were one school (seed 1.1,
# 1.3, 5.1): 22863 students, 5758 graduates (excl. technical schools), 1365 in direct
# employment, 4113 continuing their studies; 2492 staff, 1938 full-time teachers, 449 part-time,
# 499 dual-qualified, 1 full senior and 423 associate senior titles.
FIGURES = {
    "students": 22863, "entrants": 8160, "graduates": 5758,
    "employed_direct": 1365, "further_study": 4113, "employed_local": 891,
    "staff": 2492, "fulltime_teachers": 1938, "parttime_teachers": 449, "dual_teachers": 499,
    "fulltime_teachers[title=senior_full]": 1, "fulltime_teachers[title=senior_vice]": 423,
    "culture_assessed": 7000, "culture_passed": 6685, "interns_long_share_reported": 45.5,
    "sv_expenditure": 1234,  # 万元 in the workbook
    "info:filled_by": "王老师", "info:phone": "03521234567",
}
MAJORS = [
    {"code": "090100", "name": "计算机应用", "category": "信息技术类", "students": 300, "entrants": 100, "new": "否"},
    {"code": "090700", "name": "物联网技术应用", "category": "信息技术类", "students": 120, "entrants": 60, "new": "是"},
    {"code": "100100", "name": "护理", "category": "医药卫生类", "students": 500, "entrants": 150, "new": "否"},
]


@pytest.fixture
def dataset(tmp_path):
    return make_dataset(tmp_path)


def blank(ds_path: Path, folder: Path, school: str = SCHOOL, year: int = 2020, name: str = "") -> Path:
    ds = load_dataset(ds_path)
    return workbook.generate(ds, school, year, folder / (name or f"{school}-{year}.xlsx"))


def filled(ds_path: Path, folder: Path, values: dict | None = None, school: str = SCHOOL, year: int = 2020,
           name: str = "", records: list | None = None) -> Path:
    path = blank(ds_path, folder, school, year, name)
    ds = load_dataset(ds_path)
    figures = dict(FIGURES, **(values or {}))
    workbook.fill(path, {k: v for k, v in figures.items() if v is not None},
                  MAJORS if records is None else records, catalogue=ds.catalogue)
    return path


def read(ds_path: Path, path: Path, year: int | None = None) -> workbook.WorkbookData:
    return workbook.read(path, load_dataset(ds_path), year)


def codes(data) -> set[str]:
    return {f.code for f in data.findings}


def finding(data, code):
    found = [f for f in data.findings if f.code == code]
    assert found, f"no {code} in {[f.code for f in data.findings]}"
    return found[0]


def cell_of(path: Path, sheet: str, code: str, col: str = "F") -> str:
    return f"{col}{row_of(load_workbook(path)[sheet], code)}"


def store_rows(ds_path: Path) -> dict[str, list]:
    with Store.of_dataset(ds_path, read_only=True) as s:
        return {t: s.rows(t) for t in ("observations", "majors")}


# -- round trip ------------------------------------------------------------------------------

def test_round_trip_values_reach_the_store_and_the_dataset(dataset, tmp_path, capsys):
    path = filled(dataset, tmp_path)
    assert main(["import", str(dataset), str(path)]) == 0
    assert "已入库" in capsys.readouterr().out
    ds = load_dataset(dataset)
    obs = {(o.org_unit, o.key, o.period): o for o in ds.observations}
    assert obs[(SCHOOL, "students", 2020)].value == 22863
    assert obs[(SCHOOL, "fulltime_teachers[title=senior_vice]", 2020)].value == 423
    assert obs[(SCHOOL, "students", 2020)].origin == f"{path.name} 办学规模!{cell_of(path, '办学规模', 'students')}"
    # 1234 万元 typed = 0.1234 亿元 stored (the element's unit)
    assert obs[(SCHOOL, "sv_expenditure", 2020)].value == pytest.approx(0.1234, abs=1e-12)
    # last year's csv row of the same school is kept (the store holds 2020 only)
    assert obs[(SCHOOL, "students", 2019)].value == 1200
    # majors: 3 listed in 2 categories, 1 new; per category 300 + 120 = 420 students in 信息技术类 (09)
    assert obs[(SCHOOL, "majors", 2020)].value == 3
    assert obs[(SCHOOL, "major_categories", 2020)].value == 2
    assert obs[(SCHOOL, "new_major_points", 2020)].value == 1
    assert obs[(SCHOOL, "students[major_category=09]", 2020)].value == 420
    assert obs[(SCHOOL, "majors[major_category=10]", 2020)].value == 1
    # the stored counts give the indicators: (1365 + 4113) / 5758 = 95.14%;
    # 499 / 1938 = 25.75% dual-qualified; (1 + 423) / 1938 = 21.88% senior titles
    book = FactBook(ds.catalogue, SCHOOL, [o for o in ds.observations if o.org_unit == SCHOOL], [2019, 2020])
    assert round(book.get("employment_rate", 2020).value, 2) == 95.14
    assert round(book.get("dual_teacher_ratio", 2020).value, 2) == 25.75
    assert round(book.get("senior_title_share", 2020).value, 2) == 21.88
    # 6685 / 7000 = 95.50% pass rate in general subjects
    assert round(book.get("pass_rate_culture", 2020).value, 2) == 95.5
    with Store.of_dataset(dataset, read_only=True) as s:
        majors = s.majors(SCHOOL, 2020)
        log = s.rows("imports")
    assert [m.name for _, _, m in majors] == ["计算机应用", "物联网技术应用", "护理"]
    assert majors[0][2].code == "090100" and majors[1][2].is_new
    assert log[-1][6] == "stored" and log[-1][-2] == "王老师"


def test_importing_twice_changes_nothing(dataset, tmp_path, capsys):
    path = filled(dataset, tmp_path)
    assert main(["import", str(dataset), str(path)]) == 0
    before = store_rows(dataset)
    assert main(["import", str(dataset), str(path)]) == 0
    assert "未变化" in capsys.readouterr().out
    assert store_rows(dataset) == before  # imported_at included: nothing was rewritten


def test_a_changed_workbook_replaces_the_school_year_when_asked(dataset, tmp_path, capsys):
    first = filled(dataset, tmp_path, name="v1.xlsx")
    assert main(["import", str(dataset), str(first)]) == 0
    second = filled(dataset, tmp_path, {"students": 22900, "employed_local": None}, name="v2.xlsx")
    assert main(["import", str(dataset), str(second)]) == 1  # held back: the store has v1's figures
    assert "已存在" in capsys.readouterr().out
    assert {(o.org_unit, o.key, o.period): o.value for o in load_dataset(dataset).observations}[
        (SCHOOL, "students", 2020)] == 22863
    assert main(["import", str(dataset), str(second), "--replace"]) == 0
    obs = {(o.org_unit, o.key, o.period): o.value for o in load_dataset(dataset).observations}
    assert obs[(SCHOOL, "students", 2020)] == 22900
    assert (SCHOOL, "employed_local", 2020) not in obs  # emptied in the new workbook


# -- rejected workbooks ----------------------------------------------------------------------

def test_a_workbook_not_made_by_nianbao(dataset, tmp_path):
    path = tmp_path / "自制表.xlsx"
    wb = Workbook()
    wb.active["A1"] = "在校生数"
    wb.active["B1"] = 1200
    wb.save(path)
    assert codes(read(dataset, path)) == {"workbook.no_meta"}


def test_a_workbook_of_another_template_version(dataset, tmp_path):
    path = filled(dataset, tmp_path)
    wb = load_workbook(path)
    meta = wb["_meta"]
    for r in range(1, meta.max_row + 1):
        if meta.cell(r, 1).value == "template":
            meta.cell(r, 2).value = "cn-2016/0"
    wb.save(path)
    f = finding(read(dataset, path), "workbook.wrong_template")
    assert "cn-2016/0" in f.message_zh


def test_unreadable_file(dataset, tmp_path):
    path = tmp_path / "坏文件.xlsx"
    path.write_bytes(b"not a zip file")
    data = read(dataset, path)
    assert codes(data) == {"file.not_zip"} and not data.ok
    assert "坏文件.xlsx" in data.findings[0].message_zh and "BadZipFile" not in data.findings[0].message_en


def test_a_school_not_in_the_registry(dataset, tmp_path):
    # a workbook from another city's registry: its school is unknown here
    other = tmp_path / "other"
    other.mkdir()
    other_ds = make_dataset(other)
    orgs = (other_ds / "orgs.csv").read_text(encoding="utf-8").replace(OTHER, "0999000001")
    (other_ds / "orgs.csv").write_text(orgs, encoding="utf-8")
    path = filled(other_ds, tmp_path, school="0999000001")
    data = read(dataset, path)
    f = finding(data, "workbook.unknown_school")
    assert f.location.sheet == "基本信息" and "0999000001" in f.message_zh
    assert not data.ok


def test_a_workbook_of_another_year(dataset, tmp_path):
    path = filled(dataset, tmp_path, year=2019)
    data = read(dataset, path)
    f = finding(data, "workbook.wrong_year")
    assert f.values == {"found": "2019", "expected": 2020}
    assert not data.ok
    # the same workbook is welcome when that year is imported on purpose
    assert read(dataset, path, year=2019).ok


def test_a_deleted_row(dataset, tmp_path):
    path = filled(dataset, tmp_path)
    wb = load_workbook(path)
    ws = wb["办学规模"]
    r = row_of(ws, "entrants")
    ws.delete_rows(r)
    wb.save(path)
    data = read(dataset, path)
    f = finding(data, "workbook.missing_row")
    assert (f.location.sheet, f.location.cell) == ("办学规模", f"C{r}")
    assert f.values["code"] == "entrants"
    moved = finding(data, "workbook.moved_rows")  # graduates moved up one row; still read by code
    assert moved.severity == "warning"
    assert any(r.element == "graduates" and r.value == 5758 for r in data.submission.rows)
    assert not data.ok


def test_a_changed_code(dataset, tmp_path):
    path = filled(dataset, tmp_path)
    wb = load_workbook(path)
    ws = wb["设施设备"]
    r = row_of(ws, "books")
    ws.cell(r, 1).value = "volumes"
    wb.save(path)
    data = read(dataset, path)
    assert finding(data, "workbook.unknown_row").location.cell == f"A{r}"
    assert finding(data, "workbook.missing_row").values["code"] == "books"


def test_a_missing_sheet(dataset, tmp_path):
    path = filled(dataset, tmp_path)
    wb = load_workbook(path)
    wb.remove(wb["经费"])
    wb.save(path)
    f = finding(read(dataset, path), "workbook.missing_sheet")
    assert f.location.sheet == "经费"


@pytest.mark.parametrize("sheet,code,typed,finding_code", [
    ("办学规模", "students", "约两万人", "value.not_number"),
    ("校企合作与社会服务", "interns_long_share_reported", 0.9514, "rate.as_fraction"),
    ("办学规模", "students", "=20000+2863", "value.formula_no_cache"),  # written by a program: no cached result
    ("教师队伍", "fulltime_teachers", 1938.5, "value.not_integer"),
    ("就业与升学", "employed_direct", -3, "value.negative"),
])
def test_bad_cells_are_errors_with_sheet_and_cell(dataset, tmp_path, sheet, code, typed, finding_code):
    path = filled(dataset, tmp_path, {code: typed})
    data = read(dataset, path)
    f = finding(data, finding_code)
    assert f.severity == "error"
    assert (f.location.file, f.location.sheet, f.location.cell) == (path.name, sheet, cell_of(path, sheet, code))
    assert f.org_unit == SCHOOL and f.period == 2020
    assert not data.ok


@pytest.mark.parametrize("typed,warnings", [
    ("22,863人", {"value.thousands", "value.unit_suffix"}),
    ("２２８６３", {"value.fullwidth"}),
])
def test_repaired_cells_are_warnings_and_the_value_is_read(dataset, tmp_path, typed, warnings):
    path = filled(dataset, tmp_path, {"students": typed})
    data = read(dataset, path)
    assert warnings <= codes(data)
    cell = cell_of(path, "办学规模", "students")
    assert all(f.location.cell == cell for f in data.findings if f.code in warnings)
    assert data.ok
    assert [r.value for r in data.submission.rows if r.element == "students" and not r.dims] == [22863]


def test_a_bad_major_row(dataset, tmp_path):
    records = MAJORS + [{"code": "090100", "name": "计算机应用", "category": "宇宙航行类", "students": 10}]
    path = filled(dataset, tmp_path, records=records)
    data = read(dataset, path)
    r = row_of(load_workbook(path)["专业设置"], "majors#4")
    assert finding(data, "workbook.bad_choice").location.cell == f"E{r}"
    assert finding(data, "workbook.duplicate_record").location.cell == f"C{r}"
    assert not data.ok


def test_computed_cells_are_not_trusted(dataset, tmp_path):
    path = filled(dataset, tmp_path)
    wb = load_workbook(path)
    ws = wb["就业与升学"]
    ws[f"F{row_of(ws, 'indicator:employment_rate')}"] = 99.9
    wb.save(path)
    data = read(dataset, path)
    assert finding(data, "workbook.formula_changed").severity == "warning"
    assert data.ok
    assert not any(r.element.startswith("employment_rate") for r in data.submission.rows)


# -- the store is safe, the school gets an annotated copy -------------------------------------

def test_a_rejected_workbook_leaves_the_store_exactly_as_before(dataset, tmp_path, capsys):
    good = filled(dataset, tmp_path, name="good.xlsx")
    assert main(["import", str(dataset), str(good)]) == 0
    before = store_rows(dataset)
    obs_before = sorted((o.org_unit, o.key, o.period, o.value) for o in load_dataset(dataset).observations)
    bad = filled(dataset, tmp_path, {"students": "22863", "graduates": "五千"}, name="bad.xlsx")
    assert main(["import", str(dataset), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "退回" in out and "五千" in out
    assert store_rows(dataset) == before
    assert sorted((o.org_unit, o.key, o.period, o.value) for o in load_dataset(dataset).observations) == obs_before
    with Store.of_dataset(dataset, read_only=True) as s:
        assert s.rows("imports")[-1][6] == "rejected"


def test_one_bad_workbook_does_not_stop_the_others(dataset, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    filled(dataset, inbox, school=SCHOOL)
    filled(dataset, inbox, {"students": "很多"}, school=OTHER)
    assert main(["import", str(dataset), str(inbox / "*.xlsx")]) == 1
    with Store.of_dataset(dataset, read_only=True) as s:
        assert s.submissions() == {(SCHOOL, 2020)}
    assert (inbox / f"{OTHER}-2020.批注.xlsx").exists()
    # a second run over the same folder skips the annotated copy
    assert main(["import", str(dataset), str(inbox)]) == 1


def test_the_annotated_copy_marks_each_bad_cell(dataset, tmp_path):
    bad = filled(dataset, tmp_path, {"graduates": "五千", "interns_long_share_reported": 0.9514}, name="bad.xlsx")
    out_dir = tmp_path / "退回"
    assert main(["import", str(dataset), str(bad), "--annotated", str(out_dir)]) == 1
    copy = out_dir / "bad.批注.xlsx"
    wb = load_workbook(copy)
    assert wb.sheetnames[0] == "问题清单"
    listed = [row for row in wb["问题清单"].iter_rows(min_row=3, values_only=True) if row[0]]
    assert {(row[2], row[3]) for row in listed} >= {
        ("办学规模", cell_of(bad, "办学规模", "graduates")),
        ("校企合作与社会服务", cell_of(bad, "校企合作与社会服务", "interns_long_share_reported"))}
    cell = wb["办学规模"][cell_of(bad, "办学规模", "graduates")]
    assert cell.value == "五千"  # the school's entry is kept, only marked
    assert "五千" in cell.comment.text and "建议" in cell.comment.text
    assert cell.fill.start_color.rgb.endswith("FF9999")
    assert "_meta" in wb.sheetnames  # the copy can be corrected and imported again


def test_unusable_arguments_exit_2(dataset, tmp_path, capsys):
    assert main(["import", str(dataset), str(tmp_path / "nothing-*.xlsx")]) == 2
    assert main(["import", str(tmp_path / "no-dataset"), str(tmp_path)]) == 2
    assert "找不到" in capsys.readouterr().err


def test_reading_in_parallel_gives_what_reading_one_by_one_gives(dataset, tmp_path):
    from nianbao.app.imports import read_all
    first = filled(dataset, tmp_path, name="w0.xlsx")
    files = [first] + [tmp_path / f"w{i}.xlsx" for i in range(1, 8)]
    for f in files[1:]:
        f.write_bytes(first.read_bytes())
    ds = load_dataset(dataset)
    one_by_one = read_all(ds, files, 2020, jobs=1)
    parallel = read_all(ds, files, 2020, jobs=2)
    assert [sorted(r.identity for r in d.submission.rows) for d in parallel] == \
        [sorted(r.identity for r in d.submission.rows) for d in one_by_one]
    assert all(d.ok for d in parallel)


def _with_cached_result(path: Path, sheet_file: str, cell: str, result: str) -> None:
    """Write the result a spreadsheet program would have saved beside a formula (openpyxl saves none)."""
    import re
    import zipfile
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    xml = parts[sheet_file].decode("utf-8")
    xml, n = re.subn(rf'(<c r="{cell}"[^>]*>)(<f>[^<]*</f>)<v\s*/?>(</v>)?', rf"\1\2<v>{result}</v>", xml)
    assert n == 1
    parts[sheet_file] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def test_a_typed_formula_with_a_saved_result_is_read_with_a_warning(dataset, tmp_path):
    # the school typed =8000+160 for its 8160 entrants and Excel saved the result
    path = filled(dataset, tmp_path, {"entrants": "=8000+160"})
    cell = cell_of(path, "办学规模", "entrants")
    _with_cached_result(path, "xl/worksheets/sheet2.xml", cell, "8160")
    data = read(dataset, path)
    f = finding(data, "workbook.formula_input")
    assert (f.severity, f.location.cell) == ("warning", cell)
    assert data.ok
    assert [r.value for r in data.submission.rows if r.element == "entrants" and not r.dims] == [8160]
