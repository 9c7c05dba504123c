"""专业目录 as versioned data, majors per school, and the counts of 3.1.1 out of the data."""

import pytest
from test_aggregate import CITY, S1, S4, VALUES, make_dataset, registry

from nianbao import catalogue
from nianbao.compute.aggregate import factbook_for, rollup
from nianbao.ingest.dataset import load_dataset
from nianbao.ingest.majors import read_majors


def test_both_catalogues_have_19_categories_and_a_source():
    majors = catalogue.load("cn-2016").majors
    for version in ("2010", "2021"):
        v = majors["versions"][version]
        # DOMAIN.md §5: 2010 catalogue 19 categories; 2021 catalogue 19 专业大类
        assert len(v["categories"]) == 19
        assert v["document"] and v["source"] and v["codes_verified"] is False
    assert majors["versions"]["2010"]["categories"]["09"]["zh"] == "信息技术类"
    assert majors["versions"]["2021"]["categories"]["71"]["zh"] == "电子与信息大类"


def test_the_category_dimension_comes_from_the_catalogue_of_majors():
    dims = catalogue.load("cn-2016").dimensions["major_category"]["categories"]
    # 19 categories of 2010 + 19 of 2021 = 38 codes, none shared
    assert len(dims) == 38 and dims["14"]["zh"] == "文化艺术类"


@pytest.fixture(scope="module")
def example():
    return load_dataset("examples/datong-2020-schools")


def test_majors_of_the_example_reproduce_3_1_1(example):
    book = factbook_for(example)
    # 3.1.1: 共计开设有60个专业，涉及16个专业大类；新设专业点14个
    assert book.get("majors", 2020).value == 60
    assert book.get("major_categories", 2020).value == 16
    assert book.get("new_major_points", 2020).value == 14


def test_major_breakdowns_sum_to_the_totals(example):
    r = rollup(example)
    obs = [o for o in r[CITY] if o.period == 2020]
    by_cat = [o for o in obs if o.element == "majors" and o.dims]
    # each major is in one category: the categories' majors add up to 60 (3.1.1)
    assert sum(o.value for o in by_cat) == 60 and len(by_cat) == 16
    assert sum(o.value for o in obs if o.element == "new_major_points" and o.dims) == 14
    # students by category of major add up to the students of the schools that report majors
    total = next(o.value for o in obs if o.element == "students" and not o.dims and o.scope == "excl_technical")
    assert sum(o.value for o in obs if o.element == "students" and o.dims
               and o.dims[0][0] == "major_category" and o.scope == "excl_technical") == total


def test_new_major_points_by_school_follow_3_1_1(example):
    r = rollup(example)
    per_school = sorted((o.value for code, lst in r.items() if len(code) == 10 for o in lst
                         if o.element == "new_major_points" and not o.dims and o.period == 2020 and o.value),
                        reverse=True)
    # 3.1.1 names eight schools with 4, 1, 2, 1, 1, 1, 2 and 2 new major points
    assert per_school == [4, 2, 2, 2, 1, 1, 1, 1]


def _majors_csv(rows):
    return "org_unit,code,name,category,opened,closed\n" + "".join(",".join(map(str, r)) + "\n" for r in rows)


def test_majors_outside_the_catalogue_are_accepted_with_a_warning(tmp_path):
    text = _majors_csv([(S1, "", "计算机应用", "09", 2015, ""), (S1, "", "无人机表演", "09", 2020, ""),
                        (S4, "", "护理", "医药卫生类", "", ""), (S1, "", "护理", "13", "", ""),
                        (S4, "", "护理", "10", "", ""), (S4, "", "会计", "99", "", ""),
                        ("9999999999", "", "会计", "12", "", "")])
    ds = load_dataset(make_dataset(tmp_path, registry(), VALUES, {"majors.csv": text}))
    points, findings = read_majors(ds.path / "majors.csv", ds.catalogue, ds.orgs)
    codes = [f.code for f in findings]
    # a name the catalogue does not list: kept, with a warning
    assert "majors.unknown" in codes and any(p.name == "无人机表演" for p in points)
    # a category written by name is understood; one that does not exist is an error and left out
    assert [p.category for p in points if p.name == "护理"] == ["10", "13"]
    # unknown category or school, and a major given twice for one school: errors, rows left out
    assert {"majors.unknown_category", "majors.unknown_school", "majors.duplicate"} <= set(codes)
    assert all(f.severity == "error" for f in findings
               if f.code in ("majors.unknown_category", "majors.unknown_school", "majors.duplicate"))
    book = factbook_for(ds)
    # distinct majors in 2020: 计算机应用, 无人机表演, 护理 (counted once, in two categories) = 3
    assert book.get("majors", 2020, scope="excl_technical").value == 3
    # points: 3 at S1 + 1 at S4 = 4; 2020 is the opening year of one of them
    assert book.get("major_points", 2020, scope="excl_technical").value == 4
    assert book.get("new_major_points", 2020, scope="excl_technical").value == 1
    warnings = [f for f in ds.majors_findings if f.code == "majors.unknown"]
    assert warnings and warnings[0].severity == "warning"


def test_closed_majors_count_until_the_year_they_close(tmp_path):
    text = _majors_csv([(S1, "", "计算机应用", "09", 2010, 2020), (S1, "", "会计", "12", 2010, "")])
    ds = load_dataset(make_dataset(tmp_path, registry(), VALUES, {"majors.csv": text}))
    book = factbook_for(ds, S1)
    # 2019: both majors; 2020: 计算机应用 closed that year, only 会计
    assert book.get("majors", 2019).value == 2
    assert book.get("majors", 2020).value == 1
