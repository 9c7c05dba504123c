"""The city report's 办学条件达标 (section 9.1): per standard a table of the schools assessed,
meeting each criterion, their share and the schools without data, and a sentence; every count
and share a fact whose inputs are the schools. Expected values are worked out here by hand from
the planted figures with the thresholds of DOMAIN.md §3; the blocks are left out, with a note,
for a city dataset without school data."""

from pathlib import Path

import pytest
from test_aggregate import make_dataset

from nianbao.app.reporting import build_report
from nianbao.ingest.dataset import load_dataset
from nianbao.report.builder import build_document
from nianbao.report.document import Heading, Paragraph, Table

Y = 2020
CITY, COUNTY = "140200", "140213"
A, B, C, D, E = "0140213101", "0140213102", "0140213103", "0140213104", "0140213105"


def school(code, zh, school_type="vocational_high"):
    return {"code": code, "zh": zh, "level": "school", "parent": COUNTY, "county": COUNTY, "affiliation": "county",
            "ownership": "public", "school_type": school_type, "founded": "2000"}


ORGS = [{"code": "140000", "zh": "示例省", "level": "province"},
        {"code": CITY, "zh": "示例市", "level": "city", "parent": "140000"},
        {"code": COUNTY, "zh": "甲区", "level": "county", "parent": CITY},
        school(A, "甲校"), school(B, "乙校"), school(C, "丙校"), school(D, "丁技校", "technical"),
        school(E, "戊附设班", "attached_class")]


def rows(code, **figures):
    names = {"senior": ("fulltime_teachers", "title=senior_vice")}
    out = []
    for name, value in figures.items():
        element, dims = names.get(name, (name, ""))
        out.append((code, element, dims, Y, value))
        if name == "senior":
            out.append((code, "fulltime_teachers", "title=senior_full", Y, 0))
    return out


VALUES = (
    # 甲校 exactly at every threshold: 1200 students, 60 teachers (1200 / 60 = 20:1), land 40000 m²
    # (40000 / 1200 = 33.33 m²), floor 24000 m² (20 m²), books 36000 (30 per student), equipment
    # 300万元 (3000000 / 1200 = 2500元), senior 12 / 60 = 20%, specialty 30 / 60 = 50%, dual 9 / 30 = 30%
    rows(A, students=1200, fulltime_teachers=60, land_area=40000, floor_area=24000, books=36000,
         equipment_value=300, senior=12, specialty_teachers=30, dual_teachers=9)
    # 乙校 small: 600 < 1200 students, 30 < 60 teachers, land 20000 < 40000, floor 12000 < 24000,
    # equipment 150万元 < 200万元 (and < 300万元); per student all met: 600 / 30 = 20:1,
    # 20000 / 600 = 33.33 m², 12000 / 600 = 20 m², 18000 / 600 = 30 books, 1500000 / 600 = 2500元;
    # senior 6 / 30 = 20%, specialty 15 / 30 = 50%, dual 5 / 15 = 33.33%
    + rows(B, students=600, fulltime_teachers=30, land_area=20000, floor_area=12000, books=18000,
           equipment_value=150, senior=6, specialty_teachers=15, dual_teachers=5)
    # 丙校 reports only students and teachers: 1500 ≥ 1200, 75 ≥ 60, 1500 / 75 = 20:1; no other figure
    + rows(C, students=1500, fulltime_teachers=75)
    # 丁技校 (技工学校): not under the 2010 standard; 2022 thresholds of its own: land 30000 m²,
    # floor 18000 m² (18000 / 900 = 20 m²), equipment 300万元 — all exactly met
    + rows(D, students=900, fulltime_teachers=40, land_area=30000, floor_area=18000, equipment_value=300)
    # 戊附设班: under neither standard
    + rows(E, students=100, fulltime_teachers=5, land_area=1000, floor_area=800)
)


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    return load_dataset(make_dataset(tmp_path_factory.mktemp("city_std"), ORGS, VALUES, periods=(Y,)))


@pytest.fixture(scope="module")
def doc(ds):
    # the planted city lacks most figures of the other sections: built in spite of those errors
    return build_document(ds, allow_errors=True, charts=False)


def texts(t):
    return [["".join(r.text for r in c.runs) for c in row] for row in t.rows]


def table(doc, key):
    return next(b for b in doc.blocks if isinstance(b, Table) and b.key == key)


def section_paragraphs(doc, number):
    out, inside = [], False
    for b in doc.blocks:
        if isinstance(b, Heading) and b.level <= 2:
            inside = b.number == number
        elif inside and isinstance(b, Paragraph):
            out.append("".join(r.text for r in b.runs))
    return out


def test_setting_2010_table_counts_and_shares(doc):
    t = table(doc, "attainment_setting_2010")
    assert t.header == ["指标", "标准", "参评学校", "达标学校", "达标比例", "无数据学校"]
    got = {r[0]: r[1:] for r in texts(t)}
    # applies to 甲, 乙, 丙 (not the 技工学校, not the attached class)
    assert got["学历教育在校生数"] == ["≥ 1200人", "3", "2", "66.67%", "0"]  # 甲 1200, 丙 1500; 乙 600: 2 / 3
    assert got["专任教师数"] == ["≥ 60人", "3", "2", "66.67%", "0"]        # 甲 60, 丙 75; 乙 30: 2 / 3
    assert got["生师比"] == ["≤ 20:1", "3", "3", "100.00%", "0"]           # all three exactly 20:1
    assert got["高级职称专任教师比例"] == ["≥ 20%", "2", "2", "100.00%", "1"]  # 12/60, 6/30; 丙 no data
    assert got["双师型教师占专业课教师比例"] == ["≥ 30%", "2", "2", "100.00%", "1"]  # 9/30, 5/15
    assert got["校园占地面积"] == ["≥ 40000平方米", "2", "1", "50.00%", "1"]  # 甲 40000; 乙 20000: 1 / 2
    assert got["生均占地面积"] == ["≥ 33平方米", "2", "2", "100.00%", "1"]   # 33.33 and 33.33
    assert got["校舍建筑面积"] == ["≥ 24000平方米", "2", "1", "50.00%", "1"]  # 24000; 12000 < 24000
    assert got["教学仪器设备总值"] == ["≥ 200万元", "2", "1", "50.00%", "1"]  # 300; 150 < 200
    # all criteria: 甲 meets all, 乙 fails some, 丙 fails none but lacks figures → 1 / 2 = 50.00%
    assert texts(t)[-1] == ["全部指标", "各项均达到", "2", "1", "50.00%", "1"]
    assert "兼职教师占专任教师比例（20%左右）" not in got  # a target "about 20%", no verdict
    assert any("丁技校" in n and "技工学校" in n and "不适用" in n for n in t.notes)


def test_conditions_2022_table_with_technical_thresholds(doc):
    t = table(doc, "attainment_conditions_2022")
    got = {r[0]: r[1:] for r in texts(t)}
    # applies to 甲, 乙, 丙, 丁技校; 丁 meets land ≥ 30000 and floor ≥ 18000, its own thresholds
    assert got["校园占地面积"] == ["≥ 40000平方米", "3", "2", "66.67%", "1"]  # 甲, 丁 of 甲 乙 丁: 2 / 3
    assert got["校舍建筑面积"] == ["≥ 24000平方米", "3", "2", "66.67%", "1"]
    assert got["生均校舍建筑面积"] == ["≥ 20平方米", "3", "3", "100.00%", "1"]  # 20, 20, 18000/900 = 20
    # for 普通中专, 职业高中, 成人中专 only: 甲 and 乙 (丙 no data), 丁技校 not judged
    assert got["生均教学仪器设备值"] == ["≥ 2500元", "2", "2", "100.00%", "1"]
    assert got["专任教师数"] == ["≥ 60人", "3", "2", "66.67%", "0"]  # 甲 乙 丙, not 丁
    assert got["教学仪器设备总值"] == ["≥ 300万元", "3", "2", "66.67%", "1"]  # 300, 300; 150 < 300
    # all: 甲 and 丁 meet every criterion that applies to them, 乙 does not; 丙 lacks data → 2 / 3
    assert texts(t)[-1] == ["全部指标", "各项均达到", "3", "2", "66.67%", "1"]
    assert any("技工学校的标准为 ≥ 30000平方米" in n for n in t.notes)
    assert any("2022年发布" in n for n in t.notes)  # a later standard applied to 2020 figures


def test_sentences_name_the_counts_and_the_extremes(doc):
    text = "".join(section_paragraphs(doc, "9.1"))
    assert ("对照《中等职业学校设置标准》逐校判断，2020年示例市参评的2所学校中，"
            "各项指标全部达到要求的有1所，占50.00%。另有1所学校") in text
    # lowest share 50.00%: 校园占地面积, 校舍建筑面积, 教学仪器设备总值 (1 of 2 each)
    assert "最低的是校园占地面积（50.00%）、校舍建筑面积（50.00%）、教学仪器设备总值（50.00%）。" in text
    assert "最高的是生师比（100.00%）" in text
    # 2022: 2 of 甲 乙 丁 meet all → 66.67%; lowest 66.67% (land, floor, teachers, equipment)
    assert "参评的3所学校中，各项指标全部达到要求的有2所，占66.67%。" in text


def test_share_is_a_fact_naming_its_schools(doc):
    key = f"{CITY}/standard:setting_2010:students:share/{Y}/excl_technical"
    share = doc.facts[key]
    assert (share.numerator, share.denominator, share.factor, share.style) == (2, 3, 100, "percent")
    assert round(share.value, 4) == round(2 * 100 / 3, 4)  # 2 / 3 × 100 = 66.67%
    assert {(i.label_zh, i.value) for i in share.inputs} == {("甲校", 1), ("乙校", 0), ("丙校", 1)}
    assert next(i for i in share.inputs if i.label_zh == "乙校").origin == "600人"
    # the counts printed beside it are facts of their own, with keys of their own
    met = doc.facts[f"{CITY}/standard:setting_2010:students:met/{Y}/excl_technical"]
    assessed = doc.facts[f"{CITY}/standard:setting_2010:students:assessed/{Y}/excl_technical"]
    assert (met.value, assessed.value, met.text, assessed.text_with_unit) == (2, 3, "2", "3所")
    # the 2022 programme covers technical schools: its counts are in the all-schools scope
    whole = doc.facts[f"{CITY}/standard:conditions_2022:all:share/{Y}/all"]
    assert {i.label_zh for i in whole.inputs} == {"甲校", "乙校", "丁技校"}
    lacking = doc.facts[f"{CITY}/standard:conditions_2022:all:no_data/{Y}/all"]
    assert [i.label_zh for i in lacking.inputs] == ["丙校"]


def test_appendix_and_tooltip_show_the_schools(ds, tmp_path):
    built = build_report(ds, tmp_path / "out", pdf=False, allow_errors=True, appendix=True)
    assert built.checked > 0  # the self-check passed: each fact printed one way
    html = built.html.read_text(encoding="utf-8")
    key = f'data-fact="{CITY}/standard:setting_2010:students:share/{Y}/excl_technical"'
    tip = html.split(key, 1)[1].split(">", 1)[0]
    # the smaller group by name, with its figure; the other by number
    assert "未达标（1所）：乙校（600人）；其余2所达标" in tip
    assert "2 ÷ 3 × 100" in tip
    appendix = next(b for b in built.document.blocks if isinstance(b, Table) and b.key == "appendix_facts")
    cells = ["".join(r.text for r in c.runs) for row in appendix.rows for c in row]
    assert any(c.startswith("学历教育在校生数（中等职业学校设置标准）") for c in cells)
    assert any("未达标（1所）：乙校（600人）" in c for c in cells)


def test_left_out_with_a_note_without_school_data(tmp_path):
    ds = load_dataset(Path("examples/datong-2020"))  # the city's printed figures, no orgs.csv
    built = build_report(ds, tmp_path / "out", pdf=False)
    doc = built.document
    assert built.checked > 0
    assert not any(isinstance(b, Table) and b.key.startswith("attainment_") for b in doc.blocks)
    notes = [f.message_zh for f in doc.omitted if f.location.section == "9.1"]
    assert len(notes) == 4 and all("orgs.csv" in n for n in notes)
    printed = ["".join(r.text for r in b.runs) for b in doc.blocks if isinstance(b, Paragraph)]
    assert not any("orgs.csv" in p for p in printed)  # the file is named by nianbao check, not in print
    assert not any("参评的" in p for p in printed)
