"""Property tests of the aggregation: for random registries and random school figures, every
aggregate is the sum of its members, children sum to their parent, breakdown categories sum to
the total, ratios are ratios of sums and schools are counted from the registry."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nianbao import catalogue
from nianbao.compute.aggregate import factbook_for, rollup
from nianbao.ingest.dataset import Dataset, Observation, OrgUnit
from nianbao.ingest.orgs import Org, Registry

CAT = catalogue.load("cn-2016")
PROVINCE, CITY = "140000", "140200"
PERIODS = (2019, 2020)
TYPES = ("regular_specialized", "vocational_high", "adult_specialized", "technical", "attached_class")
AFFILIATIONS = ("provincial", "municipal", "county")
OWNERSHIPS = ("public", "private")
COUNTS = ("students", "fulltime_teachers", "employed_direct")
SCOPES = ("all", "excl_technical")


@st.composite
def worlds(draw):
    counties = [f"1402{21 + i}" for i in range(draw(st.integers(1, 4)))]
    schools, values = [], {}
    for i in range(draw(st.integers(1, 10))):
        county = draw(st.sampled_from(counties))
        code = f"0{county}{i:03d}"
        schools.append(Org(
            code=code, zh=f"示例{i}", en="", level="school",
            parent=draw(st.sampled_from([county, CITY])), county=county,
            affiliation=draw(st.sampled_from(AFFILIATIONS)), ownership=draw(st.sampled_from(OWNERSHIPS)),
            school_type=draw(st.sampled_from(TYPES)), founded=draw(st.sampled_from([None, 1990, 2020])),
            closed=draw(st.sampled_from([None, None, 2020]))))
        for p in PERIODS:
            if not draw(st.booleans()) and p == 2019:
                continue  # some schools report nothing for a year
            for e in COUNTS:
                if draw(st.integers(0, 9)) > 0:
                    values[(code, e, (), p)] = float(draw(st.integers(0, 3000)))
            if draw(st.booleans()):
                values[(code, "floor_area", (), p)] = draw(st.integers(0, 10**6)) / 100  # m², 2 decimals
            if draw(st.booleans()):
                values[(code, "starting_income", (), p)] = float(draw(st.integers(1500, 4000)))
            for deg in ("master", "bachelor"):
                if draw(st.booleans()):
                    values[(code, "fulltime_teachers", (("degree", deg),), p)] = float(draw(st.integers(0, 99)))
    orgs = [Org(code=PROVINCE, zh="省", en="", level="province"),
            Org(code=CITY, zh="市", en="", level="city", parent=PROVINCE)]
    orgs += [Org(code=c, zh=c, en="", level="county", parent=CITY) for c in counties]
    return orgs + schools, counties, schools, values


def dataset(orgs, values):
    obs = [Observation(element=e, dims=d, period=p, scope="all", value=v, org_unit=s)
           for (s, e, d, p), v in sorted(values.items())]
    return Dataset(path=Path("/nonexistent/nianbao-property-test"), meta={},
                   org_unit=OrgUnit(code=CITY, zh="市", en="", level="city", parent=PROVINCE),
                   report_year=2020, periods=list(PERIODS), catalogue=CAT, observations=obs,
                   orgs=Registry(orgs))


def active(s, p, values):
    reported = any(k[0] == s.code and k[3] == p for k in values)
    return reported or s.active_in(p)


def emitted(r, org, element, period, scope, dims=()):
    found = [o.value for o in r.get(org, []) if (o.element, o.period, o.scope, o.dims) ==
             (element, period, scope, tuple(sorted(dims)))]
    assert len(found) <= 1
    return found[0] if found else None


def reported(values, school, element, period, dims=()):
    """A school reported a figure — or, for a category of a complete breakdown (学历) that other
    schools reported that year, it reported other categories of it, so this one is zero."""
    if (school, element, dims, period) in values:
        return True
    return bool(dims) and any(k[1:] == (element, dims, period) for k in values) and any(
        k[0] == school and k[1] == element and k[3] == period and k[2] and k[2][0][0] == dims[0][0] for k in values)


def reference(members, values, element, period, scope, dims=()):
    """The sum over members written out plainly: None when no member in scope reported."""
    vs = [values.get((s.code, element, dims, period), 0) for s in members
          if reported(values, s.code, element, period, dims) and (scope == "all" or s.school_type != "technical")]
    return sum(vs) if vs else None


SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(worlds())
def test_every_aggregate_is_the_sum_of_its_members(world):
    orgs, counties, schools, values = world
    r = rollup(dataset(orgs, values))
    units = {CITY: schools, PROVINCE: schools} | {c: [s for s in schools if s.county == c] for c in counties}
    keys = {(e, d) for (_, e, d, _) in values if e != "starting_income"}
    for unit, members in units.items():
        for p in PERIODS:
            act = [s for s in members if active(s, p, values)]
            techs = [s for s in act if s.school_type == "technical"]
            for e, d in keys:
                for scope in SCOPES:
                    got = emitted(r, unit, e, p, scope, d)
                    if got is not None:
                        assert abs(got - reference(act, values, e, p, scope, d)) < 1e-6
                # which scopes exist: all only if a technical member reported (or there is none)
                tech_reported = reference(techs, values, e, p, "all", d) is not None
                if techs:
                    assert (emitted(r, unit, e, p, "all", d) is not None) == tech_reported
                else:
                    assert emitted(r, unit, e, p, "excl_technical", d) is None


@SETTINGS
@given(worlds())
def test_counties_sum_to_the_city_and_the_city_to_the_province(world):
    orgs, counties, schools, values = world
    r = rollup(dataset(orgs, values))
    for p in PERIODS:
        for e in COUNTS + ("floor_area",):
            for scope in SCOPES:
                city = emitted(r, CITY, e, p, scope)
                assert city == emitted(r, PROVINCE, e, p, scope)
                if city is None:
                    continue
                parts = []
                for c in counties:
                    v = emitted(r, c, e, p, scope)
                    has_tech = any(s.county == c and s.school_type == "technical" and active(s, p, values)
                                   for s in schools)
                    if v is None and scope == "excl_technical" and not has_tech:
                        v = emitted(r, c, e, p, "all")  # no technical school: both scopes are one
                    members = [s for s in schools if s.county == c and active(s, p, values)]
                    if v is None and reference(members, values, e, p, scope) is not None:
                        parts = None  # the county has no figure of this scope (its technical school did not report)
                        break
                    parts.append(v or 0)
                if parts is not None:
                    assert abs(sum(parts) - city) < 1e-6


@SETTINGS
@given(worlds())
def test_breakdown_categories_sum_to_the_total(world):
    orgs, counties, schools, values = world
    r = rollup(dataset(orgs, values))
    for p in PERIODS:
        for scope in SCOPES:
            total = emitted(r, CITY, "schools", p, scope)
            for dim in ("affiliation", "ownership", "school_type"):
                cats = CAT.dimensions[dim]["categories"]
                if total is not None:
                    assert sum(emitted(r, CITY, "schools", p, scope, [(dim, c)]) or 0 for c in cats) == total
                students = emitted(r, CITY, "students", p, scope)
                parts = [emitted(r, CITY, "students", p, scope, [(dim, c)]) for c in cats]
                if students is not None and all(v is not None or not any(
                        getattr(s, dim) == c and (s.code, "students", (), p) in values
                        and (scope == "all" or s.school_type != "technical") for s in schools)
                        for c, v in zip(cats, parts)):
                    assert abs(sum(v or 0 for v in parts) - students) < 1e-6


@SETTINGS
@given(worlds())
def test_schools_are_counted_from_the_registry_without_attached_classes(world):
    orgs, counties, schools, values = world
    r = rollup(dataset(orgs, values))
    for p in PERIODS:
        act = [s for s in schools if active(s, p, values)]
        if not act:
            continue
        expected = sum(1 for s in act if s.school_type != "attached_class")
        assert emitted(r, CITY, "schools", p, "all") == expected
        assert emitted(r, CITY, "schools", p, "all", [("school_type", "attached_class")]) == 0


@SETTINGS
@given(worlds())
def test_ratios_are_ratios_of_sums_and_means_are_weighted(world):
    orgs, counties, schools, values = world
    ds = dataset(orgs, values)
    book = factbook_for(ds)
    r = rollup(ds)
    for p in PERIODS:
        f = book.get("student_teacher_ratio", p)
        if f is not None:
            # each input in its own scope (the same one, unless the fact says "mixed")
            scope_of = {i.ref: i.scope for i in f.inputs}
            assert f.scope == "mixed" or set(scope_of.values()) == {f.scope}
            num = emitted(r, CITY, "students", p, scope_of["students"])
            den = emitted(r, CITY, "fulltime_teachers", p, scope_of["fulltime_teachers"])
            assert (f.numerator, f.denominator) == (num, den)
            assert abs(f.value - num / den) < 1e-9
        for scope in SCOPES:
            got = emitted(r, CITY, "starting_income", p, scope)
            pairs = [(values[(s.code, "starting_income", (), p)], values[(s.code, "employed_direct", (), p)])
                     for s in schools if (s.code, "starting_income", (), p) in values
                     and (s.code, "employed_direct", (), p) in values
                     and (scope == "all" or s.school_type != "technical")]
            if got is not None:
                assert abs(got - sum(i * w for i, w in pairs) / sum(w for _, w in pairs)) < 1e-6


def test_ratio_of_sums_differs_from_the_mean_of_ratios():
    a = Org(code="0140221001", zh="甲", en="", level="school", parent="140221", county="140221",
            affiliation="county", ownership="public", school_type="vocational_high", founded=1990)
    b = Org(code="0140221002", zh="乙", en="", level="school", parent="140221", county="140221",
            affiliation="county", ownership="public", school_type="vocational_high", founded=1990)
    orgs = [Org(code=PROVINCE, zh="省", en="", level="province"),
            Org(code=CITY, zh="市", en="", level="city", parent=PROVINCE),
            Org(code="140221", zh="县", en="", level="county", parent=CITY), a, b]
    values = {(a.code, "students", (), 2020): 100.0, (a.code, "fulltime_teachers", (), 2020): 10.0,
              (b.code, "students", (), 2020): 900.0, (b.code, "fulltime_teachers", (), 2020): 30.0}
    f = factbook_for(dataset(orgs, values)).get("student_teacher_ratio", 2020)
    # (100 + 900) / (10 + 30) = 25.00:1, while the mean of 10:1 and 30:1 would be 20:1
    assert f.text == "25.00:1"
