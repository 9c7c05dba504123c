"""Aggregation from schools to counties and the city: scopes, registry counts, weighted means,
incomplete and conflicting figures, members. Every expected number is worked out by hand."""

import csv

import pytest

from nianbao.compute.aggregate import factbook_for, observations_for, rollup
from nianbao.ingest.dataset import load_dataset

ORG_COLUMNS = ["code", "zh", "en", "level", "parent", "county", "affiliation", "ownership", "school_type",
               "founded", "status", "closed", "profile"]
CITY, A, B = "140200", "140213", "140225"
# four schools and an attached class; S1 has a leading zero; S4 sits under the city with county B
S1, S2, S3, S4, S5 = "0140213001", "1402130002", "1402250001", "1402250002", "1402250003"


def make_dataset(tmp_path, orgs, values, extra_files=None, periods=(2019, 2020)):
    """A dataset folder: orgs as dicts, values as (org_unit, element, dims, period, value[, scope])."""
    d = tmp_path / "ds"
    d.mkdir(exist_ok=True)
    (d / "dataset.yaml").write_text(
        "org_unit: {code: \"%s\", zh: 示例市, en: Sample City, level: city, parent: \"140000\"}\n"
        "report_year: %d\nperiods: [%s]\ncatalogue: cn-2016\n" % (CITY, max(periods), ", ".join(map(str, periods))),
        encoding="utf-8")
    with (d / "orgs.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=ORG_COLUMNS)
        w.writeheader()
        for o in orgs:
            w.writerow(o)
    with (d / "values.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["element", "dims", "period", "scope", "value", "source", "note", "org_unit"])
        for v in values:
            org, element, dims, period, value = v[:5]
            scope = v[5] if len(v) > 5 else "all"
            w.writerow([element, dims, period, scope, value, "test", "", org])
    for name, text in (extra_files or {}).items():
        (d / name).write_text(text, encoding="utf-8")
    return d


def registry():
    return [
        {"code": "140000", "zh": "示例省", "level": "province"},
        {"code": CITY, "zh": "示例市", "level": "city", "parent": "140000"},
        {"code": A, "zh": "甲区", "level": "county", "parent": CITY},
        {"code": B, "zh": "乙县", "level": "county", "parent": CITY},
        {"code": S1, "zh": "示例一校", "level": "school", "parent": A, "county": A, "affiliation": "municipal",
         "ownership": "public", "school_type": "vocational_high", "founded": "1990"},
        {"code": S2, "zh": "示例二校", "level": "school", "parent": A, "county": A, "affiliation": "municipal",
         "ownership": "private", "school_type": "technical", "founded": "1990"},
        {"code": S3, "zh": "示例三校", "level": "school", "parent": B, "county": B, "affiliation": "county",
         "ownership": "public", "school_type": "vocational_high", "founded": "1990", "status": "merged",
         "closed": "2020"},
        {"code": S4, "zh": "示例四校", "level": "school", "parent": CITY, "county": B, "affiliation": "municipal",
         "ownership": "public", "school_type": "regular_specialized", "founded": "2000"},
        {"code": S5, "zh": "示例五班", "level": "school", "parent": B, "county": B, "affiliation": "county",
         "ownership": "public", "school_type": "attached_class", "founded": "2005"},
    ]


VALUES = [
    (S1, "students", "", 2020, 400), (S2, "students", "", 2020, 1000), (S4, "students", "", 2020, 600),
    (S5, "students", "", 2020, 50), (S3, "students", "", 2019, 300), (S1, "students", "", 2019, 420),
    (S1, "fulltime_teachers", "", 2020, 40), (S2, "fulltime_teachers", "", 2020, 50),
    (S4, "fulltime_teachers", "", 2020, 30), (S5, "fulltime_teachers", "", 2020, 5),
    # the technical school reports no floor area (as in the seed's 1.2, 不含技工学校)
    (S1, "floor_area", "", 2020, 12000), (S4, "floor_area", "", 2020, 30000), (S5, "floor_area", "", 2020, 1000),
    (S1, "equipment_value", "", 2020, "100.25"), (S4, "equipment_value", "", 2020, "200.5"),
    (S5, "equipment_value", "", 2020, "0.1"),
    (S1, "employed_direct", "", 2020, 10), (S4, "employed_direct", "", 2020, 30),
    (S1, "starting_income", "", 2020, 2000), (S4, "starting_income", "", 2020, 3000),
]


@pytest.fixture
def ds(tmp_path):
    return load_dataset(make_dataset(tmp_path, registry(), VALUES))


def obs(r, org, element, period=2020, scope="all", dims=()):
    found = [o for o in r.get(org, []) if o.element == element and o.period == period and o.scope == scope
             and o.dims == tuple(sorted(dims))]
    assert len(found) <= 1
    return found[0].value if found else None


def test_school_codes_keep_their_leading_zero(ds):
    assert ds.orgs.get(S1).code == "0140213001"
    assert S1 in rollup(ds).members(CITY, 2020)


def test_counts_and_amounts_are_summed_up_the_hierarchy(ds):
    r = rollup(ds)
    # students: 400 + 1000 + 600 + 50 = 2050 (the attached class's students count)
    assert obs(r, CITY, "students") == 2050
    # without the technical school S2: 2050 − 1000 = 1050
    assert obs(r, CITY, "students", scope="excl_technical") == 1050
    # county A: S1 400 + S2 1000 = 1400; county B: S4 600 (under the city, located in B) + S5 50 = 650
    assert obs(r, A, "students") == 1400
    assert obs(r, B, "students") == 650
    # the province is the city's sum
    assert obs(r, "140000", "students") == 2050
    # amounts: 100.25 + 200.5 + 0.1 = 300.85 万元, without float noise
    assert obs(r, CITY, "equipment_value", scope="excl_technical") == 300.85


def test_all_is_not_produced_when_technical_schools_did_not_report(ds):
    r = rollup(ds)
    # S2 (technical) has no floor area: only the excl_technical sum 12000 + 30000 + 1000 = 43000
    assert obs(r, CITY, "floor_area") is None
    assert obs(r, CITY, "floor_area", scope="excl_technical") == 43000
    # county B has no technical school: its only scope is all
    assert obs(r, B, "floor_area") == 31000


def test_ratio_uses_numerator_and_denominator_of_the_same_scope(ds):
    f = factbook_for(ds).get("floor_area_per_student", 2020)
    # 43000 m² / 1050 students (both without the technical school) = 40.952 → 40.95
    assert f.text == "40.95" and f.scope == "excl_technical"
    assert (f.numerator, f.denominator) == (43000, 1050)


def test_schools_are_counted_from_the_registry(ds):
    r = rollup(ds)
    # 2020: S1, S2, S4 are schools; S3 closed in 2020; S5 is an attached class (not a school)
    assert obs(r, CITY, "schools") == 3
    assert obs(r, CITY, "schools", scope="excl_technical") == 2
    # 2019: S1, S2, S3, S4 (S3 still open; S4 founded 2000) = 4
    assert obs(r, CITY, "schools", period=2019) == 4
    # by type: technical 1; the attached class counts 0 although it exists
    assert obs(r, CITY, "schools", dims=[("school_type", "technical")]) == 1
    assert obs(r, CITY, "schools", dims=[("school_type", "attached_class")]) == 0
    # a category without any school is a known zero: no provincial school
    assert obs(r, CITY, "schools", dims=[("affiliation", "provincial")]) == 0


def test_breakdowns_by_registry_attributes(ds):
    r = rollup(ds)
    # municipal: S1 400 + S2 1000 + S4 600 = 2000; county: S5 50
    assert obs(r, CITY, "students", dims=[("affiliation", "municipal")]) == 2000
    assert obs(r, CITY, "students", dims=[("affiliation", "county")]) == 50
    # private: S2 1000
    assert obs(r, CITY, "students", dims=[("ownership", "private")]) == 1000


def test_weighted_mean_of_starting_income(ds):
    r = rollup(ds)
    # (2000 × 10 + 3000 × 30) / (10 + 30) = 110000 / 40 = 2750 (the plain mean would be 2500)
    assert obs(r, CITY, "starting_income", scope="excl_technical") == 2750


def test_members_and_reporters(ds):
    r = rollup(ds)
    assert r.members(CITY, 2020) == [S1, "1402130002", S4, S5]
    assert r.members(CITY, 2020, "excl_technical") == [S1, S4, S5]
    assert r.members(CITY, 2019) == [S1, S2, S3, S4, S5]
    assert r.members(CITY, 2020, dims=[("ownership", "private")]) == [S2]
    assert r.reporters(CITY, "floor_area", 2020, "excl_technical") == [S1, S4, S5]
    # schools counted: the attached class is a member but not a school
    assert r.included(CITY, "schools", 2020) == [S1, S2, S4]


def test_incomplete_aggregate_gives_a_finding(ds):
    r = rollup(ds)
    # 2019: only S1 and S3 reported students. The technical school S2 did not, so there is no
    # figure of scope all; the excl_technical one misses S4 and S5
    assert obs(r, CITY, "students", period=2019) is None
    assert obs(r, CITY, "students", period=2019, scope="excl_technical") == 720  # 420 + 300
    found = [f for f in r.findings if f.code == "aggregate.incomplete" and f.org_unit == CITY
             and f.period == 2019 and f.values["element"] == "students"]
    assert len(found) == 1 and found[0].values["missing"] == [S4, S5]


def test_schools_under_500_are_counted_from_school_data(ds):
    r = rollup(ds)
    # 2020 students: S1 400 (< 500), S2 1000, S4 600; S5 (50) is not a school
    assert obs(r, CITY, "schools_under_500") == 1
    assert obs(r, CITY, "schools_under_200") == 0


def test_a_unit_row_takes_precedence_over_the_sum_and_is_flagged(tmp_path):
    values = VALUES + [("", "students", "", 2020, 2000, "all")]
    d = load_dataset(make_dataset(tmp_path, registry(), values))
    own = [o for o in observations_for(d) if o.element == "students" and o.period == 2020 and o.scope == "all"
           and not o.dims]
    # the city gave 2000 itself; its schools sum to 2050
    assert [o.value for o in own] == [2000]
    (rec,) = [r for r in rollup(d).reconciliations if r.element == "students" and r.period == 2020]
    assert (rec.reported.value, rec.summed.value, rec.value) == (2000, 2050, 2000)


def test_group_observations_give_indicators_per_category(ds):
    from nianbao.compute.facts import FactBook
    r = rollup(ds)
    book = FactBook(ds.catalogue, CITY, r.group_observations(CITY, "ownership", "public"), ds.periods)
    # public: students S1 400 + S4 600 + S5 50 = 1050; teachers 40 + 30 + 5 = 75 → 14.00:1
    assert book.get("student_teacher_ratio", 2020).text == "14.00:1"
    # by county: B holds S4 and S5: students 650, schools 1
    assert r.categories(CITY, "county") == [A, B]
    book_b = FactBook(ds.catalogue, CITY, r.group_observations(CITY, "county", B), ds.periods)
    assert book_b.get("students", 2020).value == 650 and book_b.get("schools", 2020).value == 1


def test_registry_problems_are_findings_not_tracebacks(tmp_path):
    orgs = registry()
    orgs[4] = dict(orgs[4], affiliation="city-run")
    d = load_dataset(make_dataset(tmp_path, orgs, VALUES))
    codes = {f.code for f in rollup(d).findings}
    assert "orgs.bad_category" in codes


def test_a_bad_founding_year_is_a_finding(tmp_path):
    from nianbao.core.findings import FindingsError
    orgs = registry()
    orgs[4] = dict(orgs[4], founded="19x0")
    with pytest.raises(FindingsError) as exc:
        load_dataset(make_dataset(tmp_path, orgs, VALUES))
    assert exc.value.findings[0].code == "orgs.bad_year"
