"""The Wenzhou 2017 example: table 9-19 of the Wenzhou Statistics Bureau (county by county) and
the 2016 enrolment ratio of the Wenzhou yearbook, entered as published. Every expectation is
worked out by hand from the published figures, with the arithmetic alongside."""

import re
import shutil
from pathlib import Path

import pytest

from nianbao.check.claims.reading import Words, parse_stated
from nianbao.check.engine import check_dataset
from nianbao.compute.aggregate import factbook_for
from nianbao.ingest.dataset import load_dataset
from nianbao.report.builder import build_document
from nianbao.report.document import Paragraph, Table

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "wenzhou-2017"

# table 9-19 as printed: unit → (学校数, 在校学生数, 招生数, 毕业生数, 专任教师数)
TABLE = {
    "330300": (35, 72220, 27232, 17454, 4213),  # 全市
    "330300-SZ": (7, 12262, 4961, 3418, 857),  # 市直属
    "330302": (1, 888, 305, 201, 55), "330303": (1, 1838, 833, 365, 107),
    "330304": (1, 4100, 1492, 1123, 255), "330305": (1, 733, 236, 148, 58),
    "330381": (5, 11552, 4271, 2699, 683), "330382": (5, 9505, 3284, 2174, 533),
    "330324": (3, 8550, 3222, 1942, 369), "330326": (4, 9646, 3362, 2292, 574),
    "330327": (5, 10085, 3985, 2393, 521), "330328": (1, 1046, 373, 378, 73),
    "330329": (1, 2015, 908, 321, 128),
}
ELEMENTS = ("schools", "students", "entrants", "graduates", "fulltime_teachers")


@pytest.fixture(scope="module")
def dataset():
    return load_dataset(EXAMPLE)


@pytest.fixture(scope="module")
def findings(dataset):
    return check_dataset(dataset)


def test_every_printed_figure_is_entered_with_where_it_is_printed(dataset):
    got = {(o.org_unit or dataset.org_unit.code, o.element): o.value for o in dataset.observations
           if o.period == 2017}
    for unit, row in TABLE.items():
        for element, value in zip(ELEMENTS, row):
            assert got[(unit, element)] == value, (unit, element)
    # 13 rows × 5 columns of table 9-19, and the two 2016 figures of the yearbook
    assert len(dataset.observations) == 13 * 5 + 2
    assert all(o.source.startswith(("温州市统计局网站 表9-19", "《温州年鉴2017》")) for o in dataset.observations)


def test_the_county_rows_add_up_to_the_city_row():
    # 7+1+1+1+1+5+5+3+4+5+1+1 = 35; 12262+888+1838+4100+733+11552+9505+8550+9646+10085+1046+2015
    # = 72220; entrants 27232, graduates 17454, teachers 4213 likewise: the table has no
    # contradiction between its total and its rows
    rows = [r for unit, r in TABLE.items() if unit != "330300"]
    assert tuple(map(sum, zip(*rows))) == TABLE["330300"]


def test_the_printed_ratio_1_45_to_1_holds(findings):
    # 39610 ÷ 27399 = 1.4457 → 1.45:1, printed "1.45︰1" (U+FE30): no claim finding at all
    assert not [f for f in findings if f.code.startswith("claim.")]
    assert [f.code for f in findings if f.severity == "error"] == []


def test_the_one_warning_is_the_scopes_of_the_ratio(findings):
    # 普高本地招生 carries no scope, 中职本地招生 is printed as 不含技校
    f, = [f for f in findings if f.severity == "warning"]
    assert f.code == "scope.mixed_fact" and f.period == 2016


def test_a_wrong_ratio_is_caught(tmp_path):
    ds = tmp_path / "wz"
    shutil.copytree(EXAMPLE, ds)
    claims = (ds / "claims.csv").read_text(encoding="utf-8").replace(",1.45︰1,", ",1.54︰1,")
    (ds / "claims.csv").write_text(claims, encoding="utf-8")
    f, = [f for f in check_dataset(load_dataset(ds)) if f.code == "claim.mismatch"]
    # 39610 / 27399 = 1.4457, printed 1.54
    assert round(f.values["recomputed"], 4) == 1.4457
    assert (f.values["numerator"], f.values["denominator"]) == (39610, 27399)


def test_ratio_colons_of_print_are_read_as_colons():
    words = Words(increase=(), decrease=(), flat=(), fillers=(), points="个百分点")
    for raw in ("1.45︰1", "1.45∶1", "1.45：1", "1.45:1"):
        st = parse_stated(raw, words)
        assert (st.kind, st.value, st.decimals) == ("x1", 1.45, 2), raw
    st = parse_stated("6.5︰3.5", words)
    assert (st.kind, st.value) == ("pair", 6.5)


def test_a_pair_ratio_printed_as_x_to_1_is_checked_as_x_to_1(tmp_path):
    # the catalogue's 普职招生比 is a pair summing to 10; Wenzhou prints it as x:1
    ds = tmp_path / "wz"
    shutil.copytree(EXAMPLE, ds)
    with (ds / "values.csv").open("a", encoding="utf-8") as f:
        f.write("general_hs_entrants,,2016,unstated,39610,test,,330300\nentrants,,2016,unstated,27399,test,,330300\n")
    (ds / "claims.csv").write_text(
        "target,dims,period,stated,location,scope,base_period,note,form\n"
        "gv_ratio,,2016,1.45︰1,x,,,,\ngv_ratio,,2016,1.54︰1,y,,,,\ngv_ratio,,2016,5.9:4.1,z,,,,\n",
        encoding="utf-8")
    claims = [f for f in check_dataset(load_dataset(ds)) if f.code.startswith("claim.")]
    # 39610 / 27399 = 1.45:1 (x); 1.54 is wrong (y); 39610 / 67009 × 10 = 5.91 → 5.9:4.1 (z)
    assert [(f.code, f.location.section) for f in claims if f.code != "claim.scope_unstated"] == [
        ("claim.mismatch", "y")]


def test_student_teacher_ratios_of_the_units(dataset):
    # 72220 / 4213 = 17.142 → 17.14; 永嘉县 8550 / 369 = 23.171 → 23.17; 洞头区 733 / 58 = 12.638 → 12.64
    for unit, expected in (("330300", 17.14), ("330324", 23.17), ("330305", 12.64)):
        f = factbook_for(dataset, unit).get("student_teacher_ratio", 2017)
        assert round(f.value, 2) == expected, unit


def test_the_report_prints_the_published_figures_and_no_change_across_scopes(dataset, findings):
    doc = build_document(dataset, findings, charts=False)
    assert doc.errors == []
    text = "\n".join("".join(r.text for r in b.runs) for b in doc.blocks if isinstance(b, Paragraph))
    assert "2017年，温州市共有中等职业教育学校35所；在校学生72220人；当年招生27232人；毕业生17454人。" in text
    assert "2016年，全市普通高中本地招生39610人，中职学校（不含技工学校）本地招生27399人，两者之比为1.45:1。" in text
    assert "2017年，全市中等职业学校共有专任教师4213人，生师比为17.14:1。" in text
    assert not re.search("比上年(增加|减少)|与上年持平", text)  # one year of table 9-19: no change printed
    assert "全口径（含技工学校）" not in text
    scale = next(b for b in doc.blocks if isinstance(b, Table) and b.title.endswith("办学规模"))
    assert [c.runs[0].text for c in scale.rows[-1]] == ["2017年", "35", "72220", "27232", "17454"]
    # sections without a figure or text are left out (dataset.yaml empty_sections: omit)
    assert [h.title for h in doc.headings if h.level == 2] == ["规模和结构", "教师队伍"]
