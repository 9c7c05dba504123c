"""Dimensions by kind: a breakdown's categories make the total; a part (其中) is never added up and
never exceeds its total; overlapping categories (honours, ranks: 国家级重点, 示范校, 星级 — a school
may hold several) are never added up and never checked against a total. A dataset declares them
in its own catalogue YAML. Every expected number is worked out in the comments."""

import textwrap

import pytest

from nianbao.catalogue import CatalogueError
from nianbao.check.engine import check_dataset
from nianbao.compute.aggregate import rollup
from nianbao.core.findings import FindingsError
from nianbao.ingest.dataset import load_dataset
from tests.test_aggregate import make_dataset

CITY, COUNTY, S1, S2 = "140200", "140213", "1402130001", "1402130002"
DIMENSION = """\
local_honour:
  zh: 荣誉称号
  en: honour
  kind: {kind}
  source: 测试（类别相互重叠：一所学校可同时是国家级重点与示范校）
  categories:
    national_key: {{zh: 国家级重点, en: national key school}}
    demonstration: {{zh: 示范校, en: demonstration school}}
    star: {{zh: 星级学校, en: star-rated school}}
"""
ELEMENT = """\
honoured_schools:
  zh: 获荣誉称号学校数
  en: schools with an honour
  unit: {zh: 所, en: schools}
  type: count
  period_type: point
  dims: [local_honour]
  source: 测试
"""


def registry():
    return [{"code": CITY, "zh": "示例市", "level": "city", "parent": "140000"},
            {"code": COUNTY, "zh": "甲区", "level": "county", "parent": CITY},
            {"code": S1, "zh": "一校", "level": "school", "parent": COUNTY, "county": COUNTY,
             "affiliation": "municipal", "ownership": "public", "school_type": "vocational_high"},
            {"code": S2, "zh": "二校", "level": "school", "parent": COUNTY, "county": COUNTY,
             "affiliation": "municipal", "ownership": "public", "school_type": "vocational_high"}]


# S1 is both 国家级重点 and 示范校, S2 a 星级学校: 2 schools hold an honour, 3 honours are held
VALUES = [(S1, "honoured_schools", "", 2020, 1), (S1, "honoured_schools", "local_honour=national_key", 2020, 1),
          (S1, "honoured_schools", "local_honour=demonstration", 2020, 1),
          (S2, "honoured_schools", "", 2020, 1), (S2, "honoured_schools", "local_honour=star", 2020, 1),
          # the city's own: 5 schools hold an honour; 3 + 2 + 4 = 9 honours (not a breakdown of 5)
          (CITY, "honoured_schools", "", 2020, 5), (CITY, "honoured_schools", "local_honour=national_key", 2020, 3),
          (CITY, "honoured_schools", "local_honour=demonstration", 2020, 2),
          (CITY, "honoured_schools", "local_honour=star", 2020, 4)]


def dataset(tmp_path, kind, values=VALUES):
    tmp_path.mkdir(parents=True, exist_ok=True)
    folder = make_dataset(tmp_path, registry(), values, periods=(2020,))
    (folder / "catalogue").mkdir()
    (folder / "catalogue" / "dimensions.yaml").write_text(DIMENSION.format(kind=kind), encoding="utf-8")
    (folder / "catalogue" / "elements.yaml").write_text(ELEMENT, encoding="utf-8")
    return load_dataset(folder)


def codes(ds):
    return [f.code for f in check_dataset(ds) if f.code.startswith("breakdown.")]


def test_overlapping_categories_are_never_checked_against_the_total(tmp_path):
    ds = dataset(tmp_path, "overlapping")
    assert ds.catalogue.dimensions["local_honour"]["kind"] == "overlapping"
    assert codes(ds) == []  # 3 + 2 + 4 = 9 ≠ 5, and rightly no finding


def test_the_same_figures_as_a_breakdown_are_a_mismatch(tmp_path):
    # the control: declared a breakdown, 3 + 2 + 4 = 9 against 5 contradicts itself
    assert "breakdown.sum_mismatch" in codes(dataset(tmp_path, "breakdown"))


def test_overlapping_categories_are_summed_across_schools_never_across_categories(tmp_path):
    ds = dataset(tmp_path, "overlapping", [v for v in VALUES if v[0] != CITY])
    r = rollup(ds)

    def city(dims=()):
        found = [o.value for o in r[COUNTY] if o.element == "honoured_schools" and o.dims == dims]
        return found[0] if found else None
    assert city() == 2  # S1 + S2 hold an honour: 1 + 1 = 2, not the 3 honours
    assert city((("local_honour", "national_key"),)) == 1 and city((("local_honour", "star"),)) == 1
    # S2 reported no 国家级重点: unknown for it, never a zero; the county's 国家级重点 sums S1 only
    # and says so (aggregate.incomplete is given for the totals; a category is not zero-filled)
    assert [o.origin for o in r[COUNTY] if o.dims == (("local_honour", "national_key"),)] == ["1所学校数据合计，1所未报送"]


def test_a_part_never_exceeds_its_total_and_is_never_added_up(tmp_path):
    # as 其中: 3 ≤ 5, 2 ≤ 5, 4 ≤ 5 — no finding although 3 + 2 + 4 = 9 > 5
    assert codes(dataset(tmp_path / "a", "part")) == []
    values = [v for v in VALUES if v[2] != "local_honour=star"] + [(CITY, "honoured_schools", "local_honour=star", 2020, 6)]
    ds = dataset(tmp_path / "b", "part", values)
    (f,) = [f for f in check_dataset(ds) if f.code.startswith("breakdown.")]
    # 其中星级学校 6 > 合计 5, by 6 − 5 = 1
    assert f.code == "breakdown.part_exceeds_total" and f.values == {"part": 6, "total": 5, "diff": 1}
    assert "其中星级学校 6 超过合计 5" in f.message_zh


@pytest.mark.parametrize("kind,extra,words", [
    ("bogus", "", "kind “bogus” 无效"),
    ("overlapping", "  complete: true\n", "相矛盾"),
])
def test_a_bad_kind_is_an_error_naming_the_file(tmp_path, kind, extra, words):
    folder = make_dataset(tmp_path, registry(), VALUES, periods=(2020,))
    (folder / "catalogue").mkdir()
    text = DIMENSION.format(kind=kind).replace("  kind:", extra + "  kind:")
    (folder / "catalogue" / "dimensions.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    (folder / "catalogue" / "elements.yaml").write_text(ELEMENT, encoding="utf-8")
    with pytest.raises((CatalogueError, FindingsError)) as exc:
        load_dataset(folder)
    assert words in str(exc.value) or any(words in f.message_zh for f in getattr(exc.value, "findings", []))


def test_the_catalogue_declares_its_honours_overlapping_and_its_parts():
    from nianbao import catalogue
    cat = catalogue.load("cn-2016")
    kinds = {d: cat.dimensions[d]["kind"] for d in ("honour", "building_use", "building_room", "pathway", "founder")}
    assert kinds == {"honour": "overlapping", "building_use": "breakdown", "building_room": "part",
                     "pathway": "part", "founder": "breakdown"}
    assert all(cat.dimensions[d].get("source") for d in kinds)


def own_rows(tmp_path, rows):
    folder = tmp_path / "own"
    folder.mkdir(parents=True)
    (folder / "dataset.yaml").write_text(
        'org_unit: {code: "220000", zh: 吉林省, en: Jilin, level: province}\nreport_year: 2021\n'
        "periods: [2021]\ncatalogue: cn-2016\n", encoding="utf-8")
    (folder / "values.csv").write_text("element,dims,period,scope,value,source,note\n" + "".join(
        f"{e},{d},2021,excl_technical,{v},统计年鉴,\n" for e, d, v in rows), encoding="utf-8")
    return load_dataset(folder)


@pytest.mark.parametrize("education,found", [(149, []), (150, ["breakdown.exceeds_total"])])
def test_the_yearbooks_founders_make_its_total(tmp_path, education, found):
    # 吉林统计年鉴2022 表17-5: 241 = 教育部门 149 + 其他部门 27 + 民办 65 (the other columns blank);
    # a mistyped 150 gives 150 + 27 + 65 = 242, one more than the total
    ds = own_rows(tmp_path, [("schools", "", 241), ("schools", "founder=education", education),
                             ("schools", "founder=other_department", 27), ("schools", "founder=private", 65)])
    assert codes(ds) == found


def test_the_moe_floor_area_by_use_makes_its_total(tmp_path):
    # 教育部 中等职业学校(机构)校舍情况（职业高中学校）: 71427731 = 31651354 + 5591029 + 28011276 + 6174072;
    # 其中 教室 18969919 and 学生宿舍 16739612 are parts, never added up
    ds = own_rows(tmp_path, [("floor_area", "", 71427731), ("floor_area", "building_use=teaching_aux", 31651354),
                             ("floor_area", "building_use=admin", 5591029),
                             ("floor_area", "building_use=living", 28011276),
                             ("floor_area", "building_use=staff_housing", 6174072),
                             ("floor_area", "building_room=classroom", 18969919),
                             ("floor_area", "building_room=dormitory", 16739612)])
    assert codes(ds) == []
