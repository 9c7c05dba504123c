"""Property tests: a dataset that is consistent by construction (breakdowns summing to totals,
subsets within their totals, stocks following from flows, rates within 0–100%) raises no error,
and a figure printed by rounding the recomputed value half up always matches its claim."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nianbao import catalogue
from nianbao.check.engine import check_dataset
from nianbao.core.formatting import number_text
from nianbao.ingest.dataset import Claim, Dataset, Observation, OrgUnit

CAT = catalogue.load("cn-2016")
ORG = "140200"


def split(draw, total: int, n: int) -> list[int]:
    """``total`` cut into ``n`` non-negative whole parts."""
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=n - 1, max_size=n - 1)))
    return [b - a for a, b in zip([0] + cuts, cuts + [total])]


@st.composite
def consistent_dataset(draw):
    obs = []

    def add(element, period, value, dims=()):
        obs.append(Observation(element=element, dims=tuple(sorted(dims)), period=period, scope="unstated",
                               value=float(value), org_unit=ORG, source="generated", origin=f"gen:{len(obs) + 2}"))

    stock = draw(st.integers(500, 60000))
    for year in (2018, 2019, 2020):
        if year > 2018:
            graduates = draw(st.integers(0, stock))  # only last year's students can graduate
            entrants = draw(st.integers(0, 30000))
            stock = stock - graduates + entrants  # 在校生(t) = 在校生(t−1) + 招生(t) − 毕业生(t)
            add("entrants", year, entrants)
            add("graduates", year, graduates)
            direct, further, rest = split(draw, graduates, 3)
            add("employed_direct", year, direct)
            add("further_study", year, further)
            add("employed_local", year, draw(st.integers(0, direct)))
            add("employed_matched", year, draw(st.integers(0, direct)))
            add("entrepreneurs", year, draw(st.integers(0, direct)))
            add("interns", year, draw(st.integers(0, stock)))
            counts = split(draw, draw(st.integers(1, 5000)), 3)
            for cat, c in zip(("primary", "secondary", "tertiary"), counts):
                add("employment_industry_share_reported", year,
                    float(number_text(c * 100 / sum(counts), 2)), [("industry", cat)])
        add("students", year, stock)
        for dim in ("affiliation", "ownership"):
            cats = list(CAT.dimensions[dim]["categories"])
            for cat, part in zip(cats, split(draw, stock, len(cats))):
                add("students", year, part, [(dim, cat)])
        schools = draw(st.integers(1, 60))
        add("schools", year, schools)
        add("schools_under_500", year, draw(st.integers(0, schools)))
        staff = draw(st.integers(1, 5000))
        fulltime = draw(st.integers(0, staff))
        specialty = draw(st.integers(0, fulltime))
        add("staff", year, staff)
        add("fulltime_teachers", year, fulltime)
        add("specialty_teachers", year, specialty)
        add("dual_teachers", year, draw(st.integers(0, specialty)))
        add("parttime_teachers", year, draw(st.integers(0, 3000)))
        for dim in ("degree", "title"):
            cats = list(CAT.dimensions[dim]["categories"])
            for cat, part in zip(cats, split(draw, fulltime, len(cats))):
                add("fulltime_teachers", year, part, [(dim, cat)])
        for el in ("pass_rate_culture_reported", "graduation_rate_reported"):
            add(el, year, draw(st.floats(0, 100, allow_nan=False)).__round__(2))
        add("education_expenditure", year, draw(st.integers(100, 100000)) / 100)
    total_exp = next(o.value for o in obs if o.element == "education_expenditure" and o.period == 2020)
    add("sv_expenditure", 2020, draw(st.floats(0, total_exp)).__round__(2) if total_exp else 0)
    return obs


def dataset(observations, claims=()) -> Dataset:
    return Dataset(path=Path("generated"), meta={}, org_unit=OrgUnit(ORG, "生成市", "Generated", "city"),
                   report_year=2020, periods=[2018, 2019, 2020], catalogue=CAT, observations=observations,
                   claims=list(claims))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(consistent_dataset())
def test_consistent_dataset_raises_no_error(obs):
    findings = check_dataset(dataset(obs))
    assert [f.code for f in findings if f.severity == "error"] == []
    # neither breakdowns, comparisons, ranges nor stock and flow have anything to say
    kinds = ("breakdown.", "compare.", "range.", "flow.", "scope.")
    assert [f.code for f in findings if f.code.startswith(kinds)] == []


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 5000), st.data(), st.integers(0, 3))
def test_a_figure_rounded_half_up_matches_its_claim(fulltime, data, decimals):
    staff = data.draw(st.integers(fulltime, 20000))
    dual = data.draw(st.integers(0, fulltime))
    obs = [Observation("staff", (), 2020, "unstated", staff, ORG), Observation("fulltime_teachers", (), 2020, "unstated", fulltime, ORG),
           Observation("dual_teachers", (), 2020, "unstated", dual, ORG)]
    claims = [Claim(target="dual_teacher_ratio", period=2020, stated=number_text(dual * 100 / fulltime, decimals) + "%",
                    location="test", row=2),
              Claim(target="fulltime_share_of_staff", period=2020,
                    stated=number_text(fulltime * 100 / staff, decimals) + "%", location="test", row=3)]
    findings = [f for f in check_dataset(dataset(obs, claims)) if f.code.startswith("claim.")]
    assert findings == []
