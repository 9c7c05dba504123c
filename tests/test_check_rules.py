"""Each kind of rule of rules.yaml on a small dataset with one planted error; a clean dataset
gives no finding. Every expected number is worked out by hand in a comment."""

import pytest

from nianbao.check.engine import check_dataset
from nianbao.ingest.dataset import load_dataset

DATASET_YAML = """org_unit: {code: "140200", zh: 示例市, en: Example city, level: city}
report_year: 2020
periods: [2019, 2020]
catalogue: cn-2016
"""

# A consistent city: 1000 students in 2019 + 400 entrants − 350 graduates = 1050 in 2020;
# 150 full-time teachers of 200 staff, by degree 0 + 10 + 120 + 20 + 0 = 150 and by title
# 2 + 30 + 60 + 40 + 18 = 150; 100 employed + 230 further study = 330 ≤ 350 graduates.
CLEAN = [
    ("students", "", 2019, "", "1000"), ("students", "", 2020, "", "1050"),
    ("entrants", "", 2019, "", "380"), ("entrants", "", 2020, "", "400"),
    ("graduates", "", 2019, "", "330"), ("graduates", "", 2020, "", "350"),
    ("staff", "", 2020, "", "200"), ("fulltime_teachers", "", 2020, "", "150"),
    ("dual_teachers", "", 2020, "", "60"), ("parttime_teachers", "", 2020, "", "30"),
    ("fulltime_teachers", "degree=doctor", 2020, "", "0"), ("fulltime_teachers", "degree=master", 2020, "", "10"),
    ("fulltime_teachers", "degree=bachelor", 2020, "", "120"),
    ("fulltime_teachers", "degree=associate", 2020, "", "20"),
    ("fulltime_teachers", "degree=upper_secondary_or_below", 2020, "", "0"),
    ("fulltime_teachers", "title=senior_full", 2020, "", "2"), ("fulltime_teachers", "title=senior_vice", 2020, "", "30"),
    ("fulltime_teachers", "title=intermediate", 2020, "", "60"), ("fulltime_teachers", "title=junior", 2020, "", "40"),
    ("fulltime_teachers", "title=untitled", 2020, "", "18"),
    ("employed_direct", "", 2020, "", "100"), ("further_study", "", 2020, "", "230"),
    ("employed_local", "", 2020, "", "60"),
    ("pass_rate_culture_reported", "", 2019, "", "94"), ("pass_rate_culture_reported", "", 2020, "", "95"),
]


def make_dataset(tmp_path, rows, claims=None):
    """A dataset folder in tmp_path from (element, dims, period, scope, value) rows."""
    (tmp_path / "dataset.yaml").write_text(DATASET_YAML, encoding="utf-8")
    lines = ["element,dims,period,scope,value,source"]
    lines += [f"{e},{d},{p},{s},{v},test" for e, d, p, s, v in rows]
    (tmp_path / "values.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if claims is not None:
        head = "target,dims,period,stated,location,scope,base_period,note,form"
        (tmp_path / "claims.csv").write_text("\n".join([head] + claims) + "\n", encoding="utf-8")
    return load_dataset(tmp_path)


def replaced(rows, element, dims, period, value, scope=""):
    """The rows with one value changed (or added); value None drops the row."""
    out = [r for r in rows if (r[0], r[1], r[2], r[3]) != (element, dims, period, scope)]
    if value is not None:
        out.append((element, dims, period, scope, str(value)))
    return out


def only(findings, code):
    found = [f for f in findings if f.code == code]
    assert found, f"no {code} in {[f.code for f in findings]}"
    return found


def test_clean_dataset_gives_no_finding(tmp_path):
    assert check_dataset(make_dataset(tmp_path, CLEAN)) == []


# -- breakdowns -------------------------------------------------------------------------------
def test_breakdown_complete_but_not_summing_is_an_error(tmp_path):
    rows = replaced(CLEAN, "fulltime_teachers", "degree=bachelor", 2020, 125)
    f, = only(check_dataset(make_dataset(tmp_path, rows)), "breakdown.sum_mismatch")
    # 0 + 10 + 125 + 20 + 0 = 155 against 150: 5 too many
    assert (f.severity, f.values["sum"], f.values["total"], f.values["diff"]) == ("error", 155, 150, 5)
    assert f.blocks_report


def test_breakdown_with_a_missing_category_short_of_total_is_a_warning(tmp_path):
    rows = replaced(CLEAN, "fulltime_teachers", "title=untitled", 2020, None)
    f, = only(check_dataset(make_dataset(tmp_path, rows)), "breakdown.incomplete")
    # 2 + 30 + 60 + 40 = 132 of 150: 18 not reported (未定职级)
    assert (f.severity, f.values["sum"], f.values["gap"], f.values["missing"]) == ("warning", 132, 18, ["untitled"])
    assert "未定职级" in f.message_zh


def test_breakdown_with_missing_category_exceeding_total_is_an_error(tmp_path):
    rows = replaced(replaced(CLEAN, "fulltime_teachers", "title=untitled", 2020, None),
                    "fulltime_teachers", "title=intermediate", 2020, 90)
    f, = only(check_dataset(make_dataset(tmp_path, rows)), "breakdown.exceeds_total")
    # 2 + 30 + 90 + 40 = 162 > 150 even without 未定职级: 12 too many
    assert (f.severity, f.values["sum"], f.values["diff"]) == ("error", 162, 12)


def test_shares_slightly_off_100_are_a_warning_far_off_an_error(tmp_path):
    near = CLEAN + [("employment_industry_share_reported", f"industry={c}", 2020, "", v)
                    for c, v in (("primary", "1.2"), ("secondary", "8.8"), ("tertiary", "90.2"))]
    f, = only(check_dataset(make_dataset(tmp_path, near)), "breakdown.shares_off")
    # 1.2 + 8.8 + 90.2 = 100.2; three shares at one decimal may be off by 3 × 0.05 = 0.15 at most
    assert f.values["sum"] == pytest.approx(100.2) and f.values["tolerance"] == pytest.approx(0.15)
    far = CLEAN + [("employment_industry_share_reported", f"industry={c}", 2020, "", v)
                   for c, v in (("primary", "10"), ("secondary", "20"), ("tertiary", "80"))]
    g, = only(check_dataset(make_dataset(tmp_path, far)), "breakdown.shares_mismatch")
    # 10 + 20 + 80 = 110
    assert (g.severity, g.values["sum"]) == ("error", 110)


# -- comparisons and ranges --------------------------------------------------------------------
def test_fulltime_teachers_above_staff(tmp_path):
    rows = replaced(CLEAN, "staff", "", 2020, 140)
    f, = only(check_dataset(make_dataset(tmp_path, rows)), "compare.fulltime_le_staff")
    # 150 full-time teachers against 140 staff: 10 too many
    assert (f.severity, f.values["left"], f.values["right"], f.values["diff"]) == ("error", 150, 140, 10)


def test_destinations_above_graduates_only_within_one_scope(tmp_path):
    rows = replaced(CLEAN, "employed_direct", "", 2020, 150)
    f, = only(check_dataset(make_dataset(tmp_path, rows)), "compare.destinations_le_graduates")
    # 150 + 230 = 380 > 350
    assert (f.values["left"], f.values["right"], f.values["diff"]) == (380, 350, 30)
    assert "150 + 230" in f.message_zh
    # the same 150 stated for another scope is not compared with graduates of no stated scope
    other = replaced(replaced(CLEAN, "employed_direct", "", 2020, None), "employed_direct", "", 2020, 150,
                     scope="excl_technical")
    assert not [g for g in check_dataset(make_dataset(tmp_path, other)) if g.code.startswith("compare.")]


def test_subset_above_its_total_is_one_finding(tmp_path):
    rows = CLEAN + [("employed_matched", "", 2020, "", "120")]
    findings = check_dataset(make_dataset(tmp_path, rows))
    f, = only(findings, "compare.matched_le_direct")
    assert (f.values["left"], f.values["right"]) == (120, 100)
    # 对口就业率 = 120 / 100 = 120% is the same problem: no second finding
    assert [g.code for g in findings] == ["compare.matched_le_direct"]


def test_rate_above_100(tmp_path):
    rows = CLEAN + [("entrepreneurs", "", 2020, "", "400")]
    findings = check_dataset(make_dataset(tmp_path, rows))
    r, = only(findings, "range.rate")
    # 创业率 = 400 / 350 × 100 = 114.29%
    assert r.values["value"] == pytest.approx(400 / 350 * 100) and "创业率为 114.29%" in r.message_zh
    assert only(findings, "compare.entrepreneurs_le_direct")[0].values["left"] == 400


# -- stock and flow ---------------------------------------------------------------------------
def test_stock_not_following_from_flows(tmp_path):
    rows = replaced(CLEAN, "students", "", 2020, 900)
    f, = only(check_dataset(make_dataset(tmp_path, rows)), "flow.stock_mismatch")
    # 1000 + 400 − 350 = 1050 expected; 900 reported: 150 short, 150 / 1050 = 14.29% > 5%
    assert (f.severity, f.values["expected"], f.values["gap"], f.values["difference"]) == ("warning", 1050, 150, -150)
    assert "1000 + 招生数 400 − 毕业生数 350 = 1050" in f.message_zh


def test_stock_within_tolerance_is_accepted(tmp_path):
    # 1030 against 1050 expected: 20 / 1050 = 1.9% ≤ 5%
    rows = replaced(CLEAN, "students", "", 2020, 1030)
    assert not [f for f in check_dataset(make_dataset(tmp_path, rows)) if f.code == "flow.stock_mismatch"]


def test_stock_of_nothing_following_from_flows_is_accepted(tmp_path):
    # 350 students in 2019 + 0 entrants − 350 graduates = 0 expected; 0 reported agrees
    rows = replaced(replaced(replaced(CLEAN, "students", "", 2019, 350), "entrants", "", 2020, 0), "students", "", 2020, 0)
    assert not [f for f in check_dataset(make_dataset(tmp_path, rows)) if f.code == "flow.stock_mismatch"]
    # 12 students where none were expected is still a gap
    rows = replaced(rows, "students", "", 2020, 12)
    f, = only(check_dataset(make_dataset(tmp_path, rows)), "flow.stock_mismatch")
    assert (f.values["expected"], f.values["difference"]) == (0, 12)


# -- year over year ---------------------------------------------------------------------------
def test_count_jump_beyond_30_percent(tmp_path):
    rows = CLEAN + [("books", "", 2019, "", "10000"), ("books", "", 2020, "", "15000")]
    f, = only(check_dataset(make_dataset(tmp_path, rows)), "yoy.jump")
    # 10000 → 15000: +5000, +50% > 30%
    assert (f.values["previous"], f.values["value"], f.values["change"], f.values["change_relative"]) == \
        (10000, 15000, 5000, 0.5)


def test_rate_jump_beyond_10_points(tmp_path):
    rows = replaced(CLEAN, "pass_rate_culture_reported", "", 2019, 80)
    f, = only(check_dataset(make_dataset(tmp_path, rows)), "yoy.jump")
    # 80% → 95%: +15 percentage points > 10
    assert f.values["change_points"] == 15 and "15 个百分点" in f.message_zh


def test_small_counts_are_left_alone(tmp_path):
    # 10 → 19 awards is +90%, but both are below the minimum base of 20
    rows = CLEAN + [("awards", "award_level=provincial", 2019, "", "10"), ("awards", "award_level=provincial", 2020, "", "19")]
    assert not [f for f in check_dataset(make_dataset(tmp_path, rows)) if f.code == "yoy.jump"]


# -- scope ------------------------------------------------------------------------------------
def test_same_figure_with_two_scopes(tmp_path):
    rows = CLEAN + [("graduates", "", 2020, "excl_technical", "340")]
    f, = only(check_dataset(make_dataset(tmp_path, rows)), "scope.two_scopes")
    assert (f.severity, f.values) == ("warning", {"excl_technical": 340, "unstated": 350})
    assert "340（不含技工学校）" in f.message_zh and "350（口径未注明）" in f.message_zh


def test_ratio_mixing_scopes(tmp_path):
    rows = CLEAN + [("floor_area", "", 2020, "excl_technical", "30000")]
    f, = only(check_dataset(make_dataset(tmp_path, rows)), "scope.mixed_fact")
    # 30000 m² (不含技工学校) ÷ 1050 students (口径未注明) = 28.57 m²
    assert f.values["value"] == pytest.approx(30000 / 1050)
    assert f.values["scopes"] == {"floor_area": "excl_technical", "students": "unstated"}


def test_series_changing_scope_is_noted(tmp_path):
    rows = replaced(replaced(CLEAN, "pass_rate_culture_reported", "", 2020, None),
                    "pass_rate_culture_reported", "", 2020, 95, scope="excl_technical")
    f, = only(check_dataset(make_dataset(tmp_path, rows)), "scope.series_break")
    assert f.severity == "info" and f.values["previous_scope_code"] == "unstated"


# -- read findings and order ------------------------------------------------------------------
def test_read_findings_are_included_and_order_is_stable(tmp_path):
    rows = CLEAN + [("gv_ratio_reported", "", 2019, "", "7:03"), ("staff", "", 2019, "", "")]
    ds = make_dataset(tmp_path, rows)
    first = check_dataset(ds)
    assert [f.code for f in first][:1] == ["pair.as_time"]
    assert "value.empty" in [f.code for f in first]
    assert [f.to_dict() for f in check_dataset(ds)] == [f.to_dict() for f in first]


# -- graduates against the graduating class of the year before ------------------------------------
def test_graduates_are_compared_with_last_years_graduating_class(tmp_path):
    # 毕业班学生数 is counted on 1 September 2019; those students graduate in 2020. 2020: 700
    # graduates against 650 in the 2019 graduating class — 50 too many; the 2020 graduating class
    # (600, next year's graduates) is not this year's
    rows = [("graduates", "", 2020, "", "700"), ("graduation_candidates", "", 2019, "", "650"),
            ("graduation_candidates", "", 2020, "", "600")]
    findings = check_dataset(make_dataset(tmp_path, rows))
    f, = only(findings, "compare.graduates_le_candidates")
    assert (f.period, f.values["left"], f.values["right"], f.values["graduation_candidates_period"]) == \
        (2020, 700, 650, 2019)
    assert "上年（2019年）统计的毕业班学生 650 人" in f.message_zh
    # 毕业率 2020 as the catalogue computes it, 700 ÷ 600 × 100 = 116.67%, is never printed
    # without a finding
    r, = only(findings, "range.rate")
    assert r.values["value"] == pytest.approx(116.666667) and "毕业率" in r.message_zh


def test_graduates_within_last_years_graduating_class_are_no_finding(tmp_path):
    # 640 graduates of 2020 out of 650 in the 2019 graduating class; 2020's rate 640 ÷ 660 = 96.97%
    rows = [("graduates", "", 2020, "", "640"), ("graduation_candidates", "", 2019, "", "650"),
            ("graduation_candidates", "", 2020, "", "660"), ("graduates", "", 2019, "", "620")]
    # (2019: 620 graduates with no 2018 graduating class given: nothing to compare; its rate as
    # computed, 620 ÷ 650 = 95.38%, is within range)
    assert [f.code for f in check_dataset(make_dataset(tmp_path, rows))
            if f.code in ("compare.graduates_le_candidates", "range.rate")] == []


def test_a_summed_rate_over_100_percent_has_a_finding(tmp_path):
    # two schools report graduates (100 and 50), only the second its graduating class (60): the
    # city's 毕业率 from the sums is 150 ÷ 60 × 100 = 250% though no school's own figures exceed
    # 100% (50 ÷ 60 = 83.33%); the finding names 2 schools on the numerator, 1 on the denominator
    (tmp_path / "dataset.yaml").write_text(
        'org_unit: {code: "330100", zh: 某市, en: City, level: city}\nreport_year: 2021\nperiods: [2021]\n'
        "catalogue: cn-2016\n", encoding="utf-8")
    (tmp_path / "orgs.csv").write_text(
        "code,zh,en,level,parent,county,affiliation,ownership,school_type,founded,status,closed,profile\n"
        "330100,某市,City,city,,,,,,,active,,\n330101,甲区,A,county,330100,,,,,,active,,\n"
        "3301010001,甲校,A,school,330101,330101,county,public,vocational_high,,active,,\n"
        "3301010002,乙校,B,school,330101,330101,county,public,vocational_high,,active,,\n", encoding="utf-8")
    (tmp_path / "values.csv").write_text(
        "element,dims,period,scope,value,source,note,org_unit\ngraduates,,2021,all,100,x,,3301010001\n"
        "graduates,,2021,all,50,x,,3301010002\ngraduation_candidates,,2021,all,60,x,,3301010002\n",
        encoding="utf-8")
    found = [f for f in check_dataset(load_dataset(tmp_path)) if f.code.startswith("range.")]
    assert {(f.code, f.org_unit) for f in found} == {("range.summed_rate", "330100"), ("range.summed_rate", "330101")}
    f = next(f for f in found if f.org_unit == "330100")
    assert f.values["value"] == 250 and (f.values["numerator_schools"], f.values["denominator_schools"]) == (2, 1)
    assert f.severity == "error"
