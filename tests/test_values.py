"""Reading one value, and reading values.csv / values.xlsx: every surprising input becomes a
finding with its location; nothing is coerced silently and nothing crashes."""

import datetime

import openpyxl
import pytest

from nianbao import catalogue
from nianbao.cli.main import main
from nianbao.core.findings import FindingsError, Location
from nianbao.ingest.dataset import load_dataset
from nianbao.ingest.values import parse_value

CAT = catalogue.load("cn-2016")
STUDENTS = CAT.elements["students"]
RATIO = CAT.elements["gv_ratio_reported"]
RATE = CAT.elements["employment_rate_reported"]

DATASET_YAML = """org_unit: {code: "140200", zh: 大同市, en: Datong, level: city}
report_year: 2020
periods: [2019, 2020]
catalogue: cn-2016
"""


def codes(parsed):
    return [f.code for f in parsed.findings]


# -- one value ------------------------------------------------------------------------------
def test_ratio_typed_as_text_7_03_is_a_time():
    # "7:03" is what a spreadsheet shows for the ratio 7:3 turned into a clock time
    p = parse_value("7:03", "pair", element=RATIO)
    assert p.value is None and codes(p) == ["pair.as_time"]
    assert p.findings[0].values["fixed"] == "7:3" and p.findings[0].severity == "error"


def test_ratio_stored_as_an_excel_time():
    p = parse_value(datetime.time(7, 3), "pair", element=RATIO)
    assert p.value is None and codes(p) == ["pair.as_time"]
    assert p.findings[0].values["time"] == "7:03"


def test_ratio_stored_as_a_day_fraction():
    # 7 h 03 min = 423 min; 423 / 1440 = 0.29375 (the seed's chart data for 2019)
    for raw in (0.29375, "0.29375"):
        p = parse_value(raw, "pair", element=RATIO)
        assert p.value is None and codes(p) == ["pair.as_time"]
        assert p.findings[0].values["fixed"] == "7:3"


def test_a_real_ratio_is_read():
    p = parse_value("6.5:3.5", "pair", element=RATIO)
    assert p.value == 6.5 and p.findings == []


def test_full_width_digits_are_read_with_a_warning():
    p = parse_value("２２８６３", "count", element=STUDENTS)
    assert p.value == 22863 and codes(p) == ["value.fullwidth"]
    assert p.findings[0].severity == "warning"


def test_thousands_separator_and_unit_word_are_read_with_warnings():
    p = parse_value("22,863人", "count", element=STUDENTS)
    assert p.value == 22863 and codes(p) == ["value.thousands", "value.unit_suffix"]


@pytest.mark.parametrize("raw, element, value, step", [
    # national statistics print counts in 万: 484.78 × 10000 = 4847800 students, to the nearest 100
    ("484.78万", "students", 4847800, 100),
    ("484.78万人", "students", 4847800, 100),
    ("9,896", "schools", 9896, 0),
    # an amount in 亿元 where the element is in 万元: 3.41 × 10⁸ ÷ 10⁴ = 34100 万元, to the nearest 100
    ("3.41亿元", "equipment_value", 34100, 100),
    # 1.2万 平方米 of floor area: 12000, to the nearest 1000
    ("1.2万", "floor_area", 12000, 1000),
    # 70.59亿 where the element is itself in 亿元: 70.59, to the nearest 0.01
    ("70.59亿", "education_expenditure", 70.59, 0.01),
])
def test_wan_and_yi_are_multipliers_keeping_the_printed_precision(raw, element, value, step):
    el = CAT.elements[element]
    p = parse_value(raw, el.type, element=el)
    assert p.ok and p.value == pytest.approx(value, abs=1e-9) and p.step == pytest.approx(step)
    assert "value.multiplier" in codes(p) or step == 0
    assert all(f.severity != "error" for f in p.findings)


def test_wan_is_no_multiplier_of_a_rate_or_an_unknown_unit():
    assert codes(parse_value("95.14万", "rate", element=RATE)) == ["value.wrong_unit"]
    assert codes(parse_value("484.78万元", "count", element=STUDENTS)) == ["value.wrong_unit"]
    # 484.785万 would be 4847850 — a whole number of students, read; 48.47855万 = 484785.5 is not
    assert parse_value("48.47855万", "count", element=STUDENTS).value is None


def test_a_breakdown_of_figures_in_wan_is_checked_at_their_precision(tmp_path):
    from nianbao.check.engine import check_dataset
    (tmp_path / "dataset.yaml").write_text(DATASET_YAML, encoding="utf-8")
    # 公办 327.02万 + 民办 157.76万 = 484.78万 exactly; 公办 327.02万 + 民办 157.70万 = 484.72万 is
    # 600 short of 484.78万 — beyond the ±50 of each of the three printed figures (150); with 民办
    # 157.77万 the sum 484.79万 is 100 over: within the rounding of the printed figures
    rows = "students,,2020,,484.78万\nstudents,ownership=public,2020,,327.02万\n"
    for private, found in (("157.76万", False), ("157.70万", True), ("157.77万", False)):
        (tmp_path / "values.csv").write_text("element,dims,period,scope,value\n" + rows
                                              + f"students,ownership=private,2020,,{private}\n", encoding="utf-8")
        got = [f.code for f in check_dataset(load_dataset(tmp_path)) if f.code.startswith("breakdown.")]
        assert bool(got) == found, (private, got)


def test_a_wrong_unit_word_is_an_error():
    p = parse_value("22863元", "count", element=STUDENTS)
    assert p.value is None and codes(p) == ["value.wrong_unit"]


def test_rate_with_percent_sign_and_plain_number_agree():
    a = parse_value("95.14%", "rate", element=RATE)
    b = parse_value(95.14, "rate", element=RATE)
    assert a.value == b.value == 95.14 and a.findings == b.findings == []


def test_rate_as_a_fraction_is_an_error_naming_the_percentage():
    p = parse_value(0.9514, "rate", element=RATE)
    assert p.value is None and codes(p) == ["rate.as_fraction"]
    assert p.findings[0].values["percent"] == "95.14"  # 0.9514 × 100


def test_empty_is_not_zero():
    empty = parse_value("", "count", element=STUDENTS, required=True)
    zero = parse_value("0", "count", element=STUDENTS, required=True)
    assert empty.value is None and codes(empty) == ["value.empty"]
    assert zero.value == 0 and zero.findings == []


def test_formula_text_without_result():
    p = parse_value("=B2*2", "count", element=STUDENTS)
    assert p.value is None and codes(p) == ["value.formula_no_cache"]


def test_not_a_number_and_nan():
    for raw in ("约两万", float("nan")):
        p = parse_value(raw, "count", element=STUDENTS)
        assert p.value is None and codes(p) == ["value.not_number"]


def test_finding_carries_its_location():
    loc = Location(file="values.csv", cell="第5行 value列")
    p = parse_value("7:03", "pair", element=RATIO, location=loc)
    assert p.findings[0].location.cell == "第5行 value列"


# -- values.csv ------------------------------------------------------------------------------
def write_csv_dataset(tmp_path, rows, header="element,dims,period,scope,value,source"):
    (tmp_path / "dataset.yaml").write_text(DATASET_YAML, encoding="utf-8")
    (tmp_path / "values.csv").write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return tmp_path


def test_csv_empty_value_row_is_reported_and_zero_is_kept(tmp_path):
    ds = load_dataset(write_csv_dataset(tmp_path, [
        "students,,2020,,,1.1",
        "fulltime_teachers,degree=doctor,2020,,0,1.3",
    ]))
    assert [(f.code, f.location.cell) for f in ds.findings] == [("value.empty", "第2行 value列")]
    assert [(o.key, o.value) for o in ds.observations] == [("fulltime_teachers[degree=doctor]", 0)]


def test_csv_ratio_as_time_has_file_and_row(tmp_path):
    ds = load_dataset(write_csv_dataset(tmp_path, ["gv_ratio_reported,,2019,,7:03,表一"]))
    f = ds.findings[0]
    assert (f.code, f.location.file, f.location.cell, f.location.section) == \
        ("pair.as_time", "values.csv", "第2行 value列", "表一")
    assert ds.observations == []


def test_csv_missing_column_is_unreadable(tmp_path):
    write_csv_dataset(tmp_path, ["students,,2020,,22863"], header="element,dims,period,scope,amount")
    with pytest.raises(FindingsError) as exc:
        load_dataset(tmp_path)
    assert exc.value.findings[0].code == "dataset.columns"
    assert exc.value.findings[0].values["missing"] == ["value"]


def test_csv_not_utf8_is_one_clear_message_and_exit_2(tmp_path, capsys):
    (tmp_path / "dataset.yaml").write_text(DATASET_YAML, encoding="utf-8")
    (tmp_path / "values.csv").write_bytes("element,period,value\nstudents,2020,22863\n# 在校生\n".encode("gbk"))
    assert main(["check", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "UTF-8" in err and "Traceback" not in err


# -- values.xlsx -----------------------------------------------------------------------------
def write_xlsx_dataset(tmp_path, rows, sheet="values", header=("element", "dims", "period", "scope", "value", "source")):
    (tmp_path / "dataset.yaml").write_text(DATASET_YAML, encoding="utf-8")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    wb.save(tmp_path / "values.xlsx")
    return tmp_path


def test_xlsx_values_are_read_like_csv(tmp_path):
    ds = load_dataset(write_xlsx_dataset(tmp_path, [
        ("students", None, 2020, None, 22863, "1.1"),
        ("gv_ratio_reported", None, 2020, None, "6.5:3.5", "表一"),
    ]))
    assert ds.findings == []
    assert sorted((o.key, o.period, o.value) for o in ds.observations) == \
        [("gv_ratio_reported", 2020, 6.5), ("students", 2020, 22863)]


def test_xlsx_time_cell_in_a_ratio_column(tmp_path):
    ds = load_dataset(write_xlsx_dataset(tmp_path, [("gv_ratio_reported", None, 2019, None, datetime.time(7, 3), "表一")]))
    f = ds.findings[0]
    assert (f.code, f.location.sheet, f.location.cell) == ("pair.as_time", "values", "E2")
    assert f.values["fixed"] == "7:3"


def test_xlsx_formula_without_cached_value(tmp_path):
    # openpyxl writes formulas without a computed result, as a program-made file would be
    ds = load_dataset(write_xlsx_dataset(tmp_path, [("students", None, 2020, None, "=22000+863", "1.1")]))
    f = ds.findings[0]
    assert (f.code, f.location.sheet, f.location.cell) == ("value.formula_no_cache", "values", "E2")
    assert ds.observations == []


def test_xlsx_wrong_sheet_is_unreadable_with_the_sheet_names(tmp_path, capsys):
    write_xlsx_dataset(tmp_path, [("students", None, 2020, None, 22863, "1.1")], sheet="Sheet1")
    with pytest.raises(FindingsError) as exc:
        load_dataset(tmp_path)
    assert exc.value.findings[0].code == "xlsx.unreadable"
    assert exc.value.findings[0].values["sheets"] == ["Sheet1"]
    assert main(["check", str(tmp_path)]) == 2
    assert "Sheet1" in capsys.readouterr().err


def test_xlsx_missing_column(tmp_path):
    write_xlsx_dataset(tmp_path, [("students", 2020, 22863)], header=("element", "period", "amount"))
    with pytest.raises(FindingsError) as exc:
        load_dataset(tmp_path)
    f = exc.value.findings[0]
    assert (f.code, f.values["missing"], f.location.sheet) == ("dataset.columns", ["value"], "values")


def test_xlsx_org_code_stored_as_a_number(tmp_path):
    ds = load_dataset(write_xlsx_dataset(
        tmp_path, [("students", None, 2020, None, 452, "1.1", 1402000001)],
        header=("element", "dims", "period", "scope", "value", "source", "org_unit")))
    assert [(f.code, f.location.cell) for f in ds.findings] == [("xlsx.id_as_number", "G2")]
    assert ds.observations == []


def test_xlsx_that_is_not_a_workbook(tmp_path, capsys):
    (tmp_path / "dataset.yaml").write_text(DATASET_YAML, encoding="utf-8")
    (tmp_path / "values.xlsx").write_text("not a workbook", encoding="utf-8")
    assert main(["check", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "Excel" in err and "Traceback" not in err


def test_every_input_message_has_both_languages_and_a_hint():
    import string

    from nianbao.core.messages import catalogue, finding

    for code, m in catalogue().items():
        assert m["severity"] in ("error", "warning", "info"), code
        names = {n for part in m.values() for _, n, _, _ in string.Formatter().parse(part) if n}
        f = finding(code, **{n: "X" for n in names})
        assert f.message_zh and f.message_en and f.hint and f.hint_en, code
        # every placeholder is filled once its value is given
        assert "{" not in f.hint_en + f.message_en + f.hint + f.message_zh, code


def test_a_figure_given_in_wan_is_printed_as_given(tmp_path):
    from nianbao.compute.facts import FactBook
    (tmp_path / "dataset.yaml").write_text(DATASET_YAML, encoding="utf-8")
    (tmp_path / "values.csv").write_text("element,dims,period,scope,value\nentrants,,2020,,484.78万\n"
                                         "students,,2020,,22863\n", encoding="utf-8")
    ds = load_dataset(tmp_path)
    book = FactBook(ds.catalogue, ds.org_unit.code, ds.observations, ds.periods)
    # known to the nearest 100: printed 484.78万人, never 4847800人 (a precision it does not have)
    f = book.get("entrants", 2020)
    assert f.value == 4847800 and f.text_with_unit == "484.78万人"
    assert book.get("students", 2020).text_with_unit == "22863人"
