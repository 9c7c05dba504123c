"""The registry's categories: 其他中职机构 and 附设中职班 are units counted in students but never as
schools; a blank or unknown category is shown as unknown, never as a school or as a zero; the
registry's total is stated against the sum of its categories. The figures are those of 吉林统计年鉴
2022 表17-5 中等职业学校(机构)情况 (http://tjj.jl.gov.cn/tjsj/tjnj/2022/2022/B17_5.htm):
中等职业学校 241 = 普通中专 33 + 成人中专 69 + 职业高中 139, beside 其他中职机构 20 and 附设中职班 36,
"其他中职机构和附设中职班不计入中等职业学校个数"."""

import pytest

from nianbao.app.indicators import Request, indicator_rows
from nianbao.compute import engines
from nianbao.compute.aggregate import rollup
from nianbao.ingest.dataset import load_dataset
from tests.test_aggregate import make_dataset

PROVINCE, CITY, COUNTY = "220000", "140200", "140213"
# the yearbook's rows: (school_type, units)
JILIN = [("regular_specialized", 33), ("adult_specialized", 69), ("vocational_high", 139),
         ("other_institution", 20), ("attached_class", 36)]


def jilin(blank: int = 0, unknown: int = 0, affiliation: str = "municipal"):
    """The dataset's own unit (140200 in make_dataset) with one county and the yearbook's units;
    ``blank`` more units without a school type, ``unknown`` more with a type the catalogue lacks.
    Every unit reports 10 students."""
    orgs = [{"code": CITY, "zh": "示例市", "level": "city", "parent": PROVINCE},
            {"code": COUNTY, "zh": "甲区", "level": "county", "parent": CITY}]
    rows = [t for t, n in JILIN for _ in range(n)] + [""] * blank + ["comprehensive"] * unknown
    values = []
    for i, school_type in enumerate(rows):
        code = f"14021{i:05d}"
        orgs.append({"code": code, "zh": f"单位{i}", "level": "school", "parent": COUNTY, "county": COUNTY,
                     "affiliation": affiliation, "ownership": "public", "school_type": school_type})
        values.append((code, "students", "", 2020, 10))
    return orgs, values


def schools(r, org=CITY, dims=(), period=2020):
    found = [o.value for o in r.get(org, []) if o.element == "schools" and o.period == period
             and o.scope == "all" and o.dims == tuple(sorted(dims))]
    return found[0] if found else None


def test_other_institutions_and_attached_classes_are_not_schools(tmp_path):
    orgs, values = jilin()
    ds = load_dataset(make_dataset(tmp_path, orgs, values, periods=(2020,)))
    r = rollup(ds)
    assert schools(r) == 33 + 69 + 139  # 241, not 261 (+20 其他中职机构) nor 297 (+36 附设中职班)
    assert schools(r, dims=[("school_type", "other_institution")]) == 0
    # their students are summed: (33 + 69 + 139 + 20 + 36) units × 10 = 2970
    students = [o.value for o in r[CITY] if o.element == "students" and not o.dims and o.scope == "all"]
    assert students == [2970]
    assert not [f for f in r.findings if f.code == "aggregate.registry_unknown"]


def test_blank_and_unknown_types_are_shown_as_unknown_never_as_schools(tmp_path):
    orgs, values = jilin(blank=3, unknown=2)
    ds = load_dataset(make_dataset(tmp_path, orgs, values, periods=(2020,)))
    r = rollup(ds)
    assert schools(r) == 241  # the 3 blank and 2 unknown types are not counted: 241, not 246
    f = next(f for f in r.findings if f.code == "aggregate.registry_unknown")
    # the registry's total against its categories: 297 + 3 + 2 = 302 units, 5 of unknown type
    assert f.values["total"] == 302 and f.values["unknown"] == 5 and f.values["schools"] == 241
    assert f.values["categories"]["unknown"] == 5
    assert sum(f.values["categories"].values()) == f.values["total"]
    assert "302个" in f.message_zh and "5个单位学校类别未填或不在目录中" in f.message_zh
    # --by school_type shows them as a group of their own: 5 units × 10 students, no school count
    rows = indicator_rows(ds, Request(by="school_type", indicators="schools,students", period=2020))
    unknown = {row["indicator"]: row["value"] for row in rows if row["category"] == "unknown"}
    assert unknown == {"students": 50.0}
    assert {row["category_zh"] for row in rows if row["category"] == "unknown"} == {"类别未知（未填或不在目录中）"}


@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_an_unknown_category_is_never_a_zero(tmp_path, engine):
    """With every affiliation blank, nothing is known of 省属/市属/县属: no zero is printed."""
    orgs, values = jilin(affiliation="")
    ds = load_dataset(make_dataset(tmp_path, orgs, values, periods=(2020,)))
    book = engines.factbook(ds, CITY, engine)
    assert book.get("schools", 2020).value == 241
    for c in ("provincial", "municipal", "county"):
        assert book.get("schools", 2020, (("affiliation", c),)) is None
    group = engines.factbook(ds, CITY, engine, group=("affiliation", "unknown"))
    assert group.get("schools", 2020).value == 241
    assert group.get("students", 2020).value == 2970


def test_indicators_by_every_breakdown_without_schools_in_the_registry(tmp_path):
    """A registry of areas only (a county table): --by never crashes, it lists what it has."""
    orgs = [{"code": CITY, "zh": "示例市", "level": "city", "parent": PROVINCE},
            {"code": COUNTY, "zh": "甲区", "level": "county", "parent": CITY}]
    ds = load_dataset(make_dataset(tmp_path, orgs, [(COUNTY, "students", "", 2020, 3000)], periods=(2020,)))
    for by in ("county", "affiliation", "ownership", "school_type"):
        rows = indicator_rows(ds, Request(by=by, indicators="students", period=2020))
        assert all(row["category"] for row in rows)
