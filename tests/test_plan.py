"""The 达标 plan: per school and criterion the gap and what closes it. Every expected number is
worked out by hand below from the planted figures and the thresholds of DOMAIN.md §3
(2022 programme: 专任教师 ≥ 60, 生师比 ≤ 20, 占地 ≥ 40000 m² and ≥ 33 m²/student, 校舍 ≥ 24000 m²
and ≥ 20 m²/student, 设备 ≥ 300万元 and ≥ 2500元/student, 图书 ≥ 30/student)."""

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from test_aggregate import make_dataset

from nianbao.app.plan import csv_rows, has_money, plan_table, total_rows, write_xlsx
from nianbao.cli.main import main
from nianbao.compute.plan import make_plan, round_up, totals
from nianbao.ingest.dataset import load_dataset

Y = 2023
CITY, A, B = "140200", "140213", "140214"
EXACT, OVER, SMALL, NODATA, INTER, PROJ = ("0000000001", "0000000002", "0000000003", "0000000004",
                                           "0000000005", "0000000006")


def school(code, zh, county):
    return {"code": code, "zh": zh, "level": "school", "parent": county, "county": county, "affiliation": "county",
            "ownership": "public", "school_type": "vocational_high", "founded": "2000"}


ORGS = [{"code": "140000", "zh": "省", "level": "province"},
        {"code": CITY, "zh": "市", "level": "city", "parent": "140000"},
        {"code": A, "zh": "甲区", "level": "county", "parent": CITY},
        {"code": B, "zh": "乙县", "level": "county", "parent": CITY},
        school(EXACT, "恰好校", A), school(OVER, "多一人校", A), school(INTER, "联动校", A),
        school(SMALL, "小校", B), school(NODATA, "缺数校", B)]


def full(code, students, teachers, land, floor, books, equipment):
    return [(code, "students", "", Y, students), (code, "fulltime_teachers", "", Y, teachers),
            (code, "land_area", "", Y, land), (code, "floor_area", "", Y, floor), (code, "books", "", Y, books),
            (code, "equipment_value", "", Y, equipment)]


VALUES = (
    full(EXACT, 1200, 60, 40000, 24000, 36000, 300)  # at every threshold: 1200/60 = 20, 24000/1200 = 20 …
    + full(OVER, 1201, 60, 40000, 24000, 36000, 300)  # one student more
    + full(SMALL, 800, 30, 20000, 10000, 20000, 100)
    + [(NODATA, "students", "", Y, 1000)]
    # 50 teachers, 10 senior (20%), 25 of them vocational-subject (50%), 8 dual (32% of 25)
    + [(INTER, "students", "", Y, 1000), (INTER, "fulltime_teachers", "", Y, 50),
       (INTER, "fulltime_teachers", "title=senior_vice", Y, 10), (INTER, "fulltime_teachers", "title=senior_full", Y, 0),
       (INTER, "specialty_teachers", "", Y, 25), (INTER, "dual_teachers", "", Y, 8)]
)


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    return load_dataset(make_dataset(tmp_path_factory.mktemp("plan"), ORGS, VALUES, periods=(Y,)))


def needs(plan, code):
    s = next(s for s in plan.schools if s.org_unit == code)
    return {n.criterion: n for n in s.needs}


def test_round_up_to_whole_steps():
    assert round_up(0.05) == 1          # 1201/20 − 60 = 0.05 → one teacher
    assert round_up(0.0) == 0
    assert round_up(-3.2) == 0          # more than enough is no need
    assert round_up(60.000000000001) == 60  # float noise is not another teacher


def test_exactly_at_the_threshold_needs_nothing(ds):
    plan = make_plan(ds, "conditions_2022")
    for c, n in needs(plan, EXACT).items():
        assert n.status == "met", c
        assert n.gap == 0 and n.quantity == 0, c


def test_one_student_over_needs_whole_units_rounded_up(ds):
    n = needs(make_plan(ds, "conditions_2022"), OVER)
    # 20:1 with 1201 students and 60 teachers: ceil(1201/20) − 60 = ceil(60.05) − 60 = 61 − 60 = 1
    assert n["student_teacher_ratio"].quantity == 1
    assert n["student_teacher_ratio"].gap == pytest.approx(1201 / 60 - 20)  # 20.0167 − 20
    assert n["fulltime_teachers"].quantity == 0  # 60 ≥ 60
    # floor: 20 m² × 1201 − 24000 = 24020 − 24000 = 20 m²; books: 30 × 1201 − 36000 = 30
    assert n["floor_area_per_student"].quantity == 20
    assert n["books_per_student"].quantity == 30
    # equipment: 2500 元 × 1201 − 300万元 × 10000 = 3002500 − 3000000 = 2500 元
    assert n["equipment_per_student"].quantity == 2500
    # land: 33 × 1201 = 39633 ≤ 40000, nothing to add
    assert n["land_area_per_student"].quantity == 0


def test_teachers_counted_once_and_in_the_shares_denominators(ds):
    n = needs(make_plan(ds, "setting_2010"), INTER)
    # 专任教师数: 60 − 50 = 10 hired → 60 teachers; 生师比 then 1000/20 = 50 ≤ 60: no more
    assert n["fulltime_teachers"].quantity == 10
    assert n["student_teacher_ratio"].quantity == 0
    # 专业课教师 ≥ 50% of the 60: 30 − 25 = 5; 双师型 ≥ 30% of 30: 9 − 8 = 1
    assert n["specialty_teacher_share"].quantity == 5
    assert n["dual_teacher_ratio_specialty"].quantity == 1
    # 高级职称 20% was met (10/50), but of 60 teachers: 12 − 10 = 2 — opened by the plan's hires
    assert n["senior_title_share"].status == "induced"
    assert n["senior_title_share"].quantity == 2
    # 1000 students < 1200: no resource closes it; named with the options, no quantity
    assert n["students"].status == "not_closable"
    assert n["students"].quantity is None and "合并" in n["students"].options_zh
    assert n["students"].gap == 200


def test_a_school_without_data_is_listed_as_such_not_as_zero(ds):
    plan = make_plan(ds, "conditions_2022")
    n = needs(plan, NODATA)
    assert all(x.status == "no_data" and x.quantity is None for x in n.values())
    t = totals(plan, CITY, "市")
    teachers = next(r for r in t.resources if r.what == "teachers")
    assert NODATA not in [i.label_zh for i in teachers.quantity.inputs]
    assert "缺数校" in [i.label_zh for i in teachers.no_data.inputs]
    rows = [r for r in csv_rows(plan_table(ds, "conditions_2022")) if r["org_unit"] == NODATA]
    assert rows and all(r["status"] == "无数据" and r["quantity"] is None for r in rows)


def test_city_totals_are_the_sums_of_its_schools(ds):
    table = plan_table(ds, "conditions_2022")
    res = {r.what: r for r in table.total.resources}
    # teachers: OVER 1 + SMALL (60 − 30 = 30; then 800/20 = 40 ≤ 60) + INTER (60 − 50 = 10) = 41
    assert res["teachers"].quantity.value == 41
    # floor: OVER 20 + SMALL 24000 − 10000 = 14000 (then 20 × 800 = 16000 ≤ 24000) = 14020
    assert res["floor_area"].quantity.value == 14020
    # land: SMALL 40000 − 20000 = 20000; books: OVER 30 + SMALL 30 × 800 − 20000 = 4000 → 4030
    assert res["land_area"].quantity.value == 20000
    assert res["books"].quantity.value == 4030
    # equipment: OVER 2500 + SMALL (300 − 100) × 10000 = 2000000 → 2002500 元, printed 200.25 万元
    assert res["equipment"].quantity.value == pytest.approx(200.25)
    assert res["equipment"].quantity.unit_zh == "万元" and res["equipment"].quantity.text == "200.25"
    for r in table.total.resources:  # every total is the sum of its inputs, the schools
        assert r.quantity.value == pytest.approx(sum(i.value for i in r.quantity.inputs))
    counties = {c.org_unit: {r.what: r.quantity.value for r in c.resources} for c in table.counties}
    assert counties[A]["teachers"] == 11 and counties[B]["teachers"] == 30  # 1 + 10; 30
    assert counties[A]["teachers"] + counties[B]["teachers"] == res["teachers"].quantity.value


def test_no_unit_cost_no_money(ds):
    table = plan_table(ds, "conditions_2022")
    assert not has_money(table)
    assert all(r.money is None for r in table.total.resources)


def test_a_dataset_unit_cost_gives_the_money(tmp_path):
    d = make_dataset(tmp_path, ORGS, VALUES, periods=(Y,))
    (d / "catalogue").mkdir()
    (d / "catalogue" / "plan.yaml").write_text(
        "unit_costs:\n  construction_m2: {value: 3000, zh: 校舍建设单价, unit_zh: 元/平方米}\n", encoding="utf-8")
    table = plan_table(load_dataset(d), "conditions_2022")
    res = {r.what: r for r in table.total.resources}
    # 14020 m² × 3000 元 = 42060000 元 = 4206 万元
    assert res["floor_area"].money.value == pytest.approx(4206)
    assert res["books"].money is None  # no unit cost for books
    # equipment is money already: 2002500 元 = 200.25 万元, shown once any cost is set
    assert res["equipment"].money.value == pytest.approx(200.25)
    (d / "catalogue" / "plan.yaml").write_text("unit_costs:\n  construction_m2: {value: 4000}\n", encoding="utf-8")
    res = {r.what: r for r in plan_table(load_dataset(d), "conditions_2022").total.resources}
    assert res["floor_area"].money.value == pytest.approx(5608)  # 14020 × 4000 / 10000


def test_projected_enrolment_by_stock_and_flow(tmp_path):
    orgs = ORGS[:4] + [school(PROJ, "推算校", A)]
    v = [(PROJ, "students", "", 2021, 1000), (PROJ, "students", "", 2022, 1100), (PROJ, "students", "", 2023, 1150),
         (PROJ, "entrants", "", 2021, 400), (PROJ, "entrants", "", 2022, 400), (PROJ, "entrants", "", 2023, 400),
         (PROJ, "graduates", "", 2021, 300), (PROJ, "graduates", "", 2022, 280), (PROJ, "graduates", "", 2023, 300),
         (PROJ, "fulltime_teachers", "", 2023, 60)]
    ds = load_dataset(make_dataset(tmp_path, orgs, v, periods=(2021, 2022, 2023)))
    # other leavers 2022: 1000 + 400 − 280 − 1100 = 20; 2023: 1100 + 400 − 300 − 1150 = 50 (2021: no 2020 stock)
    # per year: 400 − (300 + 280 + 300)/3 − (20 + 50)/2 = 400 − 293.33 − 35 = 71.67
    # 2025: 1150 + 2 × 71.67 = 1293.33 → 1293 students; teachers ceil(1293/20) − 60 = 65 − 60 = 5
    plan = make_plan(ds, "conditions_2022", "projected", 2025)
    s = plan.schools[0]
    assert s.students == 1293 and s.students_reported == 1150
    assert s.need("student_teacher_ratio").quantity == 5
    assert "招生数" in plan.assumption_zh
    # as reported: 1150/20 = 57.5 ≤ 60, nothing
    assert make_plan(ds, "conditions_2022").schools[0].need("student_teacher_ratio").quantity == 0


def test_xlsx_one_sheet_a_criterion_sums_and_inert_text(tmp_path):
    orgs = ORGS[:4] + [school(SMALL, "=HYPERLINK(\"x\")", B), school(OVER, "多一人校", A)]
    ds = load_dataset(make_dataset(tmp_path, orgs, full(SMALL, 800, 30, 20000, 10000, 20000, 100)
                                   + full(OVER, 1201, 60, 40000, 24000, 36000, 300), periods=(Y,)))
    out = tmp_path / "达标计划.xlsx"
    write_xlsx(plan_table(ds, "conditions_2022"), out)
    wb = load_workbook(out)
    assert "生师比" in wb.sheetnames and "专任教师数" in wb.sheetnames
    ws = wb["专任教师数"]
    cell = next(r[1] for r in ws.iter_rows(min_row=2) if r[1].value == "=HYPERLINK(\"x\")")
    assert cell.data_type == "s" and cell.quotePrefix  # the name as typed, shown as text, never a live formula
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)
    totals_ = {r[1].value: r[8].value for r in ws.iter_rows(min_row=2) if r[1].value and "合计" in str(r[1].value)}
    assert totals_["合计：示例市"] == 30  # SMALL 60 − 30; OVER none
    assert totals_["合计：乙县"] == 30 and totals_["合计：甲区"] == 0
    header = [c.value for c in ws[1]]
    assert "资金（万元）" not in header  # no unit cost, no money column


def test_cli_plan_table_csv_and_english(ds, capsys):
    path = str(ds.path)
    assert main(["standards", path, "--plan", "--standard", "conditions_2022"]) == 0
    out = capsys.readouterr().out
    assert "新增专任教师" in out and "41" in out and "无数据" in out
    assert main(["standards", path, "--plan", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    ratio = next(r for r in rows if r["org_unit"] == OVER and r["criterion"] == "student_teacher_ratio")
    assert ratio["quantity"] == "1"
    assert main(["standards", path, "--plan", "--lang", "en"]) == 0
    assert "full-time teachers to add" in capsys.readouterr().out


def test_city_report_prints_the_totals_as_facts_of_the_schools(ds):
    from nianbao.report.builder import build_document
    from nianbao.report.document import Paragraph, Table

    doc = build_document(ds, allow_errors=True, charts=False)
    paras = ["".join(r.text for r in b.runs) for b in doc.blocks if isinstance(b, Paragraph)]
    assert any("新增专任教师41人" in p for p in paras)  # 1 + 30 + 10, as above
    table = next(b for b in doc.blocks if isinstance(b, Table) and b.key == "plan_conditions_2022")
    teachers = next(row for row in table.rows if row[0].runs[0].text == "新增专任教师")
    fact = teachers[3].runs[0].fact
    assert fact.value == 41 and {i.label_zh for i in fact.inputs} == {"多一人校", "小校", "联动校"}


# -- plan.yaml errors: catalogue errors naming the file and the entry ------------------------

BAD_PLANS = [
    # (the dataset's catalogue/plan.yaml, words the Chinese message must hold: the entry at fault)
    ("closes:\n  student_teacher_ratoi: {resource: teachers, need: threshold - value}\n",
     ["student_teacher_ratoi", "不是 standards.yaml 中任何标准的指标"]),
    ("closes:\n  student_teacher_ratio: {$override: true, resource: teacherz}\n",
     ["student_teacher_ratio", "teacherz", "没有在 resources 中定义"]),
    ("closes:\n  student_teacher_ratio: {$override: true, need: numerator / / threshold}\n",
     ["student_teacher_ratio", "无法解析"]),
    ("closes:\n  student_teacher_ratio: {$override: true, need: students / 20}\n",
     ["student_teacher_ratio", "students", "只能用"]),
    ("closes:\n  student_teacher_ratio: {$override: true, adds: {fulltime_teacherz: 1}}\n",
     ["student_teacher_ratio", "fulltime_teacherz"]),
    ("unit_costs:\n  book: {value: 四十, zh: 纸质图书单价}\n", ["book", "不是非负数"]),
    ("unit_costs:\n  book: '3,000'\n", ["book", "不是非负数"]),
    ("unit_costs:\n  book: -40\n", ["book", "不是非负数"]),
    ("resources:\n  books: {$override: true, step: 0}\n", ["books", "step"]),
    ("closez: {}\n", ["closez"]),
]


@pytest.mark.parametrize("text,words", BAD_PLANS)
def test_a_bad_plan_yaml_is_a_catalogue_error_naming_file_and_entry(tmp_path, capsys, text, words):
    from nianbao.catalogue import CatalogueError, for_dataset
    from nianbao.core.findings import FindingsError

    d = make_dataset(tmp_path, ORGS, VALUES, periods=(Y,))
    (d / "catalogue").mkdir()
    own = d / "catalogue" / "plan.yaml"
    own.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError) as exc:
        for_dataset("cn-2016", d)
    assert exc.value.file == str(own)  # the dataset's file, not the version's
    assert all(w in exc.value.zh for w in words), exc.value.zh
    assert exc.value.en and exc.value.hint
    with pytest.raises(FindingsError) as found:  # loading the dataset: one finding naming the file
        load_dataset(d)
    (f,) = found.value.findings
    assert str(f.location.file) == str(own) and words[0] in f.message_zh
    # the command says so (exit 2, the file named), never a traceback
    assert main(["standards", str(d), "--plan"]) == 2
    err = capsys.readouterr().err
    assert "plan.yaml" in err and words[0] in err and "Traceback" not in err


def test_a_quoted_number_is_a_unit_cost(tmp_path):
    d = make_dataset(tmp_path, ORGS, VALUES, periods=(Y,))
    (d / "catalogue").mkdir()
    (d / "catalogue" / "plan.yaml").write_text("unit_costs:\n  book: '40'\n", encoding="utf-8")
    res = {r.what: r for r in plan_table(load_dataset(d), "conditions_2022").total.resources}
    assert res["books"].money.value == pytest.approx(4030 * 40 / 10000)  # 4030 books × 40 元 = 16.12 万元


def test_an_error_in_the_versions_plan_names_the_versions_file(tmp_path):
    import shutil

    from nianbao.catalogue import HERE, CatalogueError, load

    root = tmp_path / "cats"
    shutil.copytree(HERE / "cn-2016", root / "cn-2016")
    path = root / "cn-2016" / "plan.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("resource: land_area\n    need: threshold - value",
                                                             "resource: land\n    need: threshold - value", 1),
                    encoding="utf-8")
    with pytest.raises(CatalogueError) as exc:
        load("cn-2016", root)
    assert exc.value.file == str(path) and "land_area" in exc.value.zh and "land" in exc.value.zh


# -- money printed in 万元, every yuan kept -------------------------------------------------

def test_money_is_printed_in_wan_yuan_keeping_every_yuan(tmp_path, capsys):
    from nianbao.report.builder import build_document
    from nianbao.report.document import Paragraph

    # 1201 students × 2500 元 = 3002500 元 of equipment needed; it has 300.0988 万元 = 3000988 元:
    # 3002500 − 3000988 = 1512 元 = 0.1512 万元 (two decimals, 0.15, would lose 12 元)
    orgs = ORGS[:4] + [school(OVER, "多一人校", A)]
    values = full(OVER, 1201, 61, 40000, 24020, 36030, 300.0988)
    d = make_dataset(tmp_path, orgs, values, periods=(Y,))
    ds = load_dataset(d)
    table = plan_table(ds, "conditions_2022")
    eq = next(r for r in table.total.resources if r.what == "equipment")
    assert eq.quantity.text == "0.1512" and eq.quantity.unit_zh == "万元"
    row = next(r for r in total_rows(table) if r["criterion_zh"] == "合计：新增教学仪器设备")
    assert (row["quantity"], row["unit"]) == ("0.1512", "万元")
    # CSV keeps the unit counted: 1512 元
    rows = csv_rows(table)
    per = next(r for r in rows if r["criterion"] == "equipment_per_student")
    assert per["quantity"] == 1512 and per["unit"] == "元"
    # the screen table
    assert main(["standards", str(d), "--plan"]) == 0
    out = capsys.readouterr().out
    assert "0.1512" in out and "万元" in out and not re.search(r"(?<![.\d])1512(?!\d)", out)
    # the workbook: the number in 万元 with its four decimals shown
    out_x = tmp_path / "plan.xlsx"
    write_xlsx(table, out_x)
    ws = load_workbook(out_x)["生均教学仪器设备值"]
    cell = next(r[8] for r in ws.iter_rows(min_row=2) if r[0].value == OVER)
    assert cell.value == pytest.approx(0.1512) and cell.number_format == "0.0000"
    assert next(r[9].value for r in ws.iter_rows(min_row=2) if r[0].value == OVER) == "万元"
    # the report: the city's sum and the school's own page
    doc = build_document(ds, allow_errors=True, charts=False)
    paras = ["".join(r.text for r in b.runs) for b in doc.blocks if isinstance(b, Paragraph)]
    assert any("新增教学仪器设备0.1512万元" in p for p in paras), paras
    doc = build_document(ds, allow_errors=True, charts=False, org=ds.orgs.get(OVER))
    paras = ["".join(r.text for r in b.runs) for b in doc.blocks if isinstance(b, Paragraph)]
    assert any("新增教学仪器设备0.1512万元" in p for p in paras)


def test_money_at_unit_costs_keeps_the_yuan(tmp_path):
    d = make_dataset(tmp_path, ORGS, VALUES, periods=(Y,))
    (d / "catalogue").mkdir()
    (d / "catalogue" / "plan.yaml").write_text("unit_costs:\n  book: {value: 37.5}\n", encoding="utf-8")
    table = plan_table(load_dataset(d), "conditions_2022")
    books = next(r for r in table.total.resources if r.what == "books")
    # 4030 books × 37.5 元 = 151125 元 = 15.1125 万元 (not 15.11)
    assert books.money.text == "15.1125"
    eq = next(r for r in table.total.resources if r.what == "equipment")
    assert eq.money.text == "200.25"  # 2002500 元: two decimals suffice


# -- --summary with --plan: the sums only ------------------------------------------------------

def test_summary_gives_the_totals_by_criterion_and_county_only(ds, capsys, tmp_path):
    path = str(ds.path)
    assert main(["standards", path, "--plan", "--summary"]) == 0
    out = capsys.readouterr().out
    assert "合计：新增专任教师" in out and "按县区" in out
    assert "多一人校" not in out and OVER not in out  # no school rows
    assert main(["standards", path, "--plan", "--summary", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["org_unit"] for r in rows} == {A, B, CITY}
    assert not any(r["org_unit"] in (EXACT, OVER, SMALL, NODATA, INTER) for r in rows)

    def row(unit, kind, code):
        return next(r for r in rows if (r["org_unit"], r["kind"], r["code"]) == (unit, kind, code))
    # teachers: 甲区 OVER 1 + INTER 10 = 11; 乙县 SMALL 30; the city 41 (as above)
    assert row(A, "resource", "teachers")["quantity"] == "11"
    assert row(B, "resource", "teachers")["quantity"] == "30"
    assert row(CITY, "resource", "teachers")["quantity"] == "41"
    # by criterion: 专任教师数 short in SMALL (30 < 60) and INTER (50); 生师比 in OVER (1201/60 = 20.02)
    # and SMALL (800/30 = 26.7), INTER 1000/50 = 20 meets it; SMALL's 30 hires close its ratio, so
    # 生师比 needs OVER's 1 teacher only
    assert row(CITY, "criterion", "fulltime_teachers")["short"] == "2"
    assert row(CITY, "criterion", "student_teacher_ratio")["short"] == "2"
    assert row(CITY, "criterion", "student_teacher_ratio")["quantity"] == "1"
    # NODATA (乙县) has students only: without data for every criterion, not counted as short
    assert row(B, "criterion", "fulltime_teachers")["no_data"] == "1"
    # equipment in yuan, as counted: OVER 2500 + SMALL 2000000
    assert row(CITY, "resource", "equipment")["quantity"] == "2002500" and row(CITY, "resource", "equipment")["unit"] == "元"
    assert main(["standards", path, "--plan", "--summary", "--format", "json"]) == 0
    data = __import__("json").loads(capsys.readouterr().out)
    assert "schools" not in data and data["summary"]
    out_x = tmp_path / "汇总.xlsx"
    assert main(["standards", path, "--plan", "--summary", "-o", str(out_x)]) == 0
    capsys.readouterr()
    assert load_workbook(out_x).sheetnames == ["汇总", "说明"]


# -- the items, each on hand-worked figures --------------------------------------------

BIG = "0000000007"


def test_two_criteria_of_one_resource_count_it_once(tmp_path):
    # 1500 students, 50 teachers, floor 10000 m², equipment 100 万元, land 60000, books 45000
    orgs = ORGS[:4] + [school(BIG, "大校", A)]
    ds = load_dataset(make_dataset(tmp_path, orgs, full(BIG, 1500, 50, 60000, 10000, 45000, 100), periods=(Y,)))
    n = needs(make_plan(ds, "conditions_2022"), BIG)
    # teachers: 专任教师数 60 − 50 = 10 (→ 60); then 生师比 ceil(1500/20) − 60 = 75 − 60 = 15;
    # in all 25 = 75 − 50, not 10 + (75 − 50) = 35
    assert (n["fulltime_teachers"].quantity, n["student_teacher_ratio"].quantity) == (10, 15)
    # floor: 24000 − 10000 = 14000 (→ 24000); then 20 × 1500 − 24000 = 6000; in all 20000 = 30000 − 10000
    assert (n["floor_area"].quantity, n["floor_area_per_student"].quantity) == (14000, 6000)
    # equipment: (300 − 100) × 10000 = 2000000 元 (→ 300 万元); then 2500 × 1500 − 3000000 = 750000
    assert (n["equipment_value"].quantity, n["equipment_per_student"].quantity) == (2000000, 750000)
    s = make_plan(ds, "conditions_2022").schools[0]
    assert s.quantity("teachers") == 25 and s.quantity("floor_area") == 20000
    assert s.quantity("equipment") == 2750000  # 275 万元
    # land: 40000 and 33 × 1500 = 49500 ≤ 60000: nothing; books 45000/1500 = 30: exactly met
    assert s.quantity("land_area") == 0 and n["books_per_student"].status == "met"


def test_every_countys_sums_add_up_to_the_citys(ds):
    table = plan_table(ds, "conditions_2022")
    pairs = [(r, [c.resources[i] for c in table.counties]) for i, r in enumerate(table.total.resources)]
    pairs += [(r, [c.criteria[i] for c in table.counties]) for i, r in enumerate(table.total.criteria)]
    for r, parts in pairs:
        assert {p.what for p in parts} == {r.what}
        assert r.short.value == sum(p.short.value for p in parts)
        assert r.no_data.value == sum(p.no_data.value for p in parts)
        if r.quantity is not None:
            assert r.counted == sum(p.counted for p in parts)
    # 甲区: EXACT, OVER, INTER; 乙县: SMALL, NODATA (registry), so 3 + 2 schools
    assert sorted(len({i.label_zh for i in c.resources[0].short.inputs + c.resources[0].no_data.inputs})
                  for c in table.counties) == [2, 2]  # teachers: 甲区 OVER, INTER; 乙县 SMALL, NODATA


def test_a_school_without_data_says_so_in_the_workbook_and_its_own_report(ds, tmp_path):
    from nianbao.report.builder import build_document
    from nianbao.report.document import Paragraph

    out = tmp_path / "plan.xlsx"
    write_xlsx(plan_table(ds, "conditions_2022"), out)
    ws = load_workbook(out)["专任教师数"]
    row = next([c.value for c in r] for r in ws.iter_rows(min_row=2) if r[0].value == NODATA)
    assert row[4] == "无数据" and row[8] == "无数据"  # value and quantity, never 0
    doc = build_document(ds, allow_errors=True, charts=False, org=ds.orgs.get(NODATA))
    paras = ["".join(r.text for r in b.runs) for b in doc.blocks if isinstance(b, Paragraph)]
    assert any("缺少数据，未能测算" in p and "专任教师数" in p for p in paras)
    assert not any("本校补足未达标指标需" in p for p in paras)


def test_projected_scenario_from_the_command_line(tmp_path, capsys):
    orgs = ORGS[:4] + [school(PROJ, "推算校", A), school(NODATA, "缺数校", B)]
    v = [(PROJ, "students", "", 2022, 1100), (PROJ, "students", "", 2023, 1150),
         (PROJ, "entrants", "", 2022, 400), (PROJ, "entrants", "", 2023, 400),
         (PROJ, "graduates", "", 2022, 280), (PROJ, "graduates", "", 2023, 300),
         (PROJ, "fulltime_teachers", "", 2023, 60),
         (NODATA, "students", "", 2023, 1000), (NODATA, "fulltime_teachers", "", 2023, 60)]
    d = make_dataset(tmp_path, orgs, v, periods=(2022, 2023))
    # leavers 2023: 1100 + 400 − 300 − 1150 = 50 (2022: no 2021 stock); per year 400 − 290 − 50 = 60;
    # 2026: 1150 + 3 × 60 = 1330 students; teachers ceil(1330/20) − 60 = 67 − 60 = 7
    assert main(["standards", str(d), "--plan", "--scenario", "projected", "--target-year", "2026",
                 "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    ratio = {r["org_unit"]: r for r in rows if r["criterion"] == "student_teacher_ratio"}
    assert ratio[PROJ]["quantity"] == "7" and ratio[PROJ]["target_year"] == "2026"
    # NODATA has no entrants or graduates: its enrolment cannot be projected — no data, not 0
    assert ratio[NODATA]["status"] == "无数据" and ratio[NODATA]["quantity"] == ""
    # the same school as reported: 1000/20 = 50 ≤ 60, met
    assert main(["standards", str(d), "--plan", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert next(r for r in rows if r["org_unit"] == NODATA and r["criterion"] == "student_teacher_ratio")[
        "status"] == "达标"
    # a target year before the data is refused with a clear message
    assert main(["standards", str(d), "--plan", "--scenario", "projected", "--target-year", "2020"]) == 2
    assert "目标年度 2020 早于数据年度 2023" in capsys.readouterr().err
