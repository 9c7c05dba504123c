"""Figures at any level: a city whose data is a county table, a county report of its own schools,
a unit's own total beside its children's sum (reconciled by a rule, the value printed the one the
finding names), and every level of tests/fixtures/anylevel. The sums are worked out by hand in
the comments; every engine must give the same figures (tests/conformance runs them all)."""

import csv
import io
from pathlib import Path

import pytest

from nianbao.app.indicators import Request, indicator_rows
from nianbao.check.engine import check_dataset
from nianbao.cli.main import main
from nianbao.compute import engines
from nianbao.ingest.dataset import load_dataset
from nianbao.report.builder import build_document
from tests.test_partial_report import paragraphs, write

FIXTURE = Path(__file__).parent / "fixtures" / "anylevel"
ORGS = "code,zh,en,level,parent,county,affiliation,ownership,school_type,founded,status,closed,profile\n"


def county_table(tmp_path: Path, city_rows: str = "", extra_catalogue: dict | None = None) -> Path:
    """A city whose data is a county table (the usual yearbook case): two counties, no schools."""
    ds = tmp_path / "city"
    write(ds, "dataset.yaml", """
        org_unit: {code: "140200", zh: 大同市, en: Datong, level: city, parent: "140000"}
        publisher_zh: 大同市教育局
        report_year: 2021
        periods: [2021]
        catalogue: cn-2016
        outline: city
        """)
    write(ds, "orgs.csv", ORGS + """
        140200,大同市,Datong,city,140000,,,,,,active,,
        140213,平城区,Pingcheng,county,140200,,,,,,active,,
        140214,云冈区,Yungang,county,140200,,,,,,active,,
        """.replace("\n        ", "\n"))
    write(ds, "values.csv", """
        element,dims,period,scope,value,source,note,org_unit
        schools,,2021,all,5,县统计,,140213
        schools,,2021,all,7,县统计,,140214
        students,,2021,all,3000,县统计,,140213
        students,,2021,all,4000,县统计,,140214
        fulltime_teachers,,2021,all,250,县统计,,140213
        fulltime_teachers,,2021,all,310,县统计,,140214
        """ + city_rows)
    for name, text in (extra_catalogue or {}).items():
        write(ds, f"catalogue/{name}", text)
    return ds


def values(ds, level="city", engine="python", codes="schools,students,fulltime_teachers,student_teacher_ratio"):
    rows = indicator_rows(ds, Request(level=level, indicators=codes, engine=engine))
    return {(r["org_unit"], r["indicator"]): r["text"] for r in rows}


@pytest.mark.parametrize("engine", ["python", "duckdb", "sqlite"])
def test_a_city_from_a_county_table(tmp_path, engine):
    ds = load_dataset(county_table(tmp_path))
    got = values(ds, engine=engine)
    # 5 + 7 = 12 schools; 3000 + 4000 = 7000 students; 250 + 310 = 560 teachers; 7000 / 560 = 12.50:1
    assert got == {("140200", "schools"): "12所", ("140200", "students"): "7000人",
                   ("140200", "fulltime_teachers"): "560人", ("140200", "student_teacher_ratio"): "12.50:1"}
    f = engines.factbook(ds, "140200", engine).get("students", 2021)
    assert f.inputs[0].origin == "2个下级单位数据合计"
    assert not [f for f in check_dataset(ds) if f.code.startswith(("aggregate.", "reconcile."))]


def test_the_city_rows_from_the_command(tmp_path, capsys):
    assert main(["indicators", str(county_table(tmp_path)), "--level", "city", "--indicators", "schools",
                 "--format", "csv"]) == 0
    (row,) = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert (row["org_zh"], row["text"]) == ("大同市", "12所")  # 5 + 7


def test_a_county_missing_from_the_table_is_named(tmp_path):
    ds = load_dataset(county_table(tmp_path))
    # 云冈区 gives no graduates; 平城区 does: the city sums one of two and says which is missing
    ds_folder = county_table(tmp_path / "g")
    with (ds_folder / "values.csv").open("a", encoding="utf-8") as f:
        f.write("graduates,,2021,all,900,县统计,,140213\n")
    ds = load_dataset(ds_folder)
    (f,) = [f for f in check_dataset(ds) if f.code == "aggregate.units_incomplete"]
    assert f.values["reported"] == 1 and f.values["members"] == 2 and f.values["missing"] == ["140214"]
    assert "云冈区" in f.message_zh
    assert engines.factbook(ds, "140200").get("graduates", 2021).value == 900


@pytest.mark.parametrize("scope", ["all", "excl_technical"])
@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_a_reported_total_beside_its_children_is_reconciled_and_printed(tmp_path, scope, engine):
    ds = load_dataset(county_table(tmp_path, f"schools,,2021,{scope},35,市统计,,140200\n"))
    (f,) = [f for f in check_dataset(ds) if f.code.startswith("reconcile.")]
    # the city gives 35; its counties sum to 5 + 7 = 12; 35 − 12 = 23
    assert f.code == "reconcile.reported_used" and f.org_unit == "140200"
    assert (f.values["reported"], f.values["sum"], f.values["diff"], f.values["used"]) == (35, 12, 23, 35)
    assert f.values["children"] == {"140213": 5, "140214": 7}
    assert "本级填报 35所" in f.message_zh and "下级合计 12所" in f.message_zh
    assert "平城区5所、云冈区7所" in f.message_zh and "采用本级填报值 35所" in f.message_zh
    # the value the finding names is the one printed by the indicators and by the report
    assert values(ds, engine=engine)[("140200", "schools")] == "35所"
    if engine == "python" and scope == "all":
        doc = build_document(ds, charts=False)
        text = "\n".join(paragraphs(doc))
        assert "共有中等职业教育学校35所" in text and "共有中等职业教育学校12所" not in text


@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_a_dataset_may_use_the_sum_instead(tmp_path, engine):
    folder = county_table(tmp_path, "schools,,2021,all,35,市统计,,140200\n",
                          {"aggregation.yaml": "reconcile: {use: sum, $override: true}\n"})
    ds = load_dataset(folder)
    (f,) = [f for f in check_dataset(ds) if f.code.startswith("reconcile.")]
    assert f.code == "reconcile.sum_used" and f.values["used"] == 12  # 5 + 7
    assert "采用下级合计 12所" in f.message_zh
    assert values(ds, engine=engine)[("140200", "schools")] == "12所"


def test_a_county_report_of_its_own_schools(tmp_path):
    """A county (县级 report) as the dataset's own unit, its schools in the registry."""
    ds = tmp_path / "county"
    write(ds, "dataset.yaml", """
        org_unit: {code: "140221", zh: 阳高县, en: Yanggao, level: county, parent: "140200"}
        publisher_zh: 阳高县教育科技局
        report_year: 2021
        periods: [2020, 2021]
        catalogue: cn-2016
        outline: city
        """)
    write(ds, "orgs.csv", ORGS + """
        140221,阳高县,Yanggao,county,140200,,,,,,active,,
        1402210001,阳高县职教中心,A,school,140221,140221,county,public,vocational_high,1985,active,,
        1402210002,阳高县第二职业中学,B,school,140221,140221,county,private,regular_specialized,2001,active,,
        """.replace("\n        ", "\n"))
    write(ds, "values.csv", """
        element,dims,period,scope,value,source,note,org_unit
        students,,2020,all,1500,学校统计,,1402210001
        students,,2020,all,800,学校统计,,1402210002
        students,,2021,all,1610,学校统计,,1402210001
        students,,2021,all,800,学校统计,,1402210002
        """)
    dataset = load_dataset(ds)
    got = values(dataset, level="county", codes="schools,students")
    # 2 schools; 1610 + 800 = 2410 students
    assert got == {("140221", "schools"): "2所", ("140221", "students"): "2410人"}
    doc = build_document(dataset, charts=False)
    assert doc.title.startswith("阳高县")
    text = "\n".join(paragraphs(doc))
    # 2021: 2410; 2020: 1500 + 800 = 2300; 2410 − 2300 = 110
    assert "共有中等职业教育学校2所" in text and "在校学生2410人，比上年增加110人" in text


@pytest.mark.parametrize("engine", ["python", "duckdb", "sqlite"])
def test_every_level_of_the_mixed_fixture(engine):
    ds = load_dataset(FIXTURE)
    city = values(ds, "city", engine, "schools,students,fulltime_teachers,floor_area")
    # students: 甲区 400 + 1000 = 1400, 乙县 3000 (county table), 丙县 999 (its own total, not
    # its schools' 520 + 300 = 820), 市直一校 600 → 1400 + 3000 + 999 + 600 = 5999
    assert city[("140200", "students")] == "5999人"
    # teachers: (40 + 50) + 200 + (30 + 20) + 45 = 385
    assert city[("140200", "fulltime_teachers")] == "385人"
    # floor area, without technical schools (甲二校 is one and gave none): 甲一校 12000, 乙县 60000,
    # 丙县 20000 + 9000 (no technical school), 市直一校 15000 → 116000
    assert city[("140200", "floor_area")] == "116000平方米"
    assert city[("140200", "schools")] == "35所"  # the city's own total (the children sum to 2 + 5 + 2 + 1 = 10)
    province = values(ds, "province", engine, "schools,students,fulltime_teachers")
    # the province: 示例市 as printed (35, 5999, 385) and 另一市's own figures (9, 6000, 400)
    assert province == {("140000", "schools"): "44所", ("140000", "students"): "11999人",
                        ("140000", "fulltime_teachers"): "785人"}


def test_the_mixed_fixture_names_what_it_reconciles_and_lacks():
    findings = check_dataset(load_dataset(FIXTURE))
    rec = {(f.org_unit, f.values["reported"], f.values["sum"]) for f in findings if f.code.startswith("reconcile.")}
    # the city: 35 against 2 + 5 + 2 + 1 = 10; 丙县: 999 against its schools 520 + 300 = 820
    assert rec == {("140200", 35, 10), ("140215", 999, 820)}
    (gap,) = [f for f in findings if f.code == "aggregate.units_incomplete"]
    # the province's floor area: 示例市 116000, 另一市 gave none
    assert (gap.org_unit, gap.period, gap.values["missing"]) == ("140000", 2020, ["140300"])


@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_by_county_lists_a_county_tables_rows(tmp_path, engine):
    ds = load_dataset(county_table(tmp_path, "schools,,2021,all,35,市统计,,140200\n"))
    rows = indicator_rows(ds, Request(by="county", indicators="schools,students", engine=engine))
    got = {(r["category_zh"], r["indicator"]): r["text"] for r in rows}
    assert got == {("平城区", "schools"): "5所", ("平城区", "students"): "3000人",
                   ("云冈区", "schools"): "7所", ("云冈区", "students"): "4000人"}
    for by in ("affiliation", "ownership", "school_type"):  # no schools in the registry: nothing, no error
        assert indicator_rows(ds, Request(by=by, indicators="schools", engine=engine)) == []


def test_by_county_names_the_schools_right_below_the_city():
    rows = indicator_rows(load_dataset(FIXTURE), Request(by="county", indicators="students"))
    # 甲区 400 + 1000, 乙县 3000, 丙县 999 (its own), 市直一校 600
    assert {r["category_zh"]: r["text"] for r in rows} == {"甲区": "1400人", "乙县": "3000人", "丙县": "999人",
                                                           "示例市直属学校": "600人"}


@pytest.mark.parametrize("path", ["examples/datong-2020", "examples/datong-2020-schools", "examples/shanghai-2023",
                                  "examples/wenzhou-2017", str(FIXTURE)])
def test_telling_technical_schools_apart_from_the_table_as_from_the_objects(path):
    """全口径 says 含技工学校 where a figure is given without them or the registry has one: asked
    of the table of figures (no objects made) it answers as the objects do."""
    from nianbao.compute import scopes
    from nianbao.report.notes import distinguishes_technical

    ds = load_dataset(path)
    made = ds.__dict__.get("_observations") is not None
    from_table = distinguishes_technical(ds)
    assert made or ds.__dict__.get("_observations") is None  # no objects made for it
    assert from_table == scopes.distinguishes_technical(ds.observations, ds.orgs)
