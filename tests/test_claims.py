"""Claims: figures a report printed, recomputed from a small dataset (the Datong base counts) and
compared at the precision they were printed with."""

import pytest
from test_check_rules import make_dataset

from nianbao import catalogue
from nianbao.check.claims.reading import Words
from nianbao.check.claims.reading import parse_stated as read
from nianbao.check.engine import check_dataset
from nianbao.check.rules import rulebook

WORDS = Words.of(rulebook(catalogue.load("cn-2016")))  # the words of rules.yaml `reading`


def parse_stated(raw):
    return read(raw, WORDS)

ROWS = [
    ("staff", "", 2020, "", "2492"), ("fulltime_teachers", "", 2020, "", "1938"),
    ("parttime_teachers", "", 2020, "", "449"), ("dual_teachers", "", 2020, "", "499"),
    ("students", "", 2019, "", "25820"), ("students", "", 2020, "", "22863"),
    ("schools", "", 2019, "", "34"), ("schools", "", 2020, "", "34"),
    ("graduates", "", 2020, "", "7163"), ("graduates", "", 2020, "excl_technical", "5758"),
    ("employed_direct", "", 2020, "excl_technical", "1365"), ("further_study", "", 2020, "excl_technical", "4113"),
    ("employed_local", "", 2020, "excl_technical", "891"),
    ("equipment_value", "", 2020, "", "34112.37"),
    ("pass_rate_culture_reported", "", 2018, "", "95.10"), ("pass_rate_culture_reported", "", 2019, "", "94.63"),
    ("graduation_rate_reported", "", 2019, "", "90.25"), ("graduation_rate_reported", "", 2020, "", "95"),
    ("gv_ratio_reported", "", 2019, "", "7:3"),
]


def check(tmp_path, *claims):
    return check_dataset(make_dataset(tmp_path, ROWS, list(claims)))


def claim_findings(findings):
    return [f for f in findings if f.code.startswith("claim.")]


def test_parse_stated_forms():
    assert (parse_stated("78%").kind, parse_stated("78%").value, parse_stated("78%").decimals) == ("percent", 78, 0)
    x = parse_stated("11.56:1")
    assert (x.kind, x.value, x.decimals) == ("x1", 11.56, 2)
    p = parse_stated("6.5：3.5")
    assert (p.kind, p.value) == ("pair", 6.5)
    assert parse_stated("7:03").time == (7, 3)
    w = parse_stated("与上年相比增长0.3万元")
    assert (w.sign, w.value, w.unit, w.decimals) == (1, 0.3, "万元", 1)
    d = parse_stated("比上年减少2957人")
    assert (d.sign, d.value, d.unit) == (-1, 2957, "人")
    assert parse_stated("持平").kind == "flat"
    assert parse_stated("约两成") is None


def test_matching_claims_give_no_finding(tmp_path):
    findings = check(tmp_path,
                     # 1938 / 2492 = 77.77% → printed at 0 decimals: 78%
                     "fulltime_share_of_staff,,2020,78%,1.3,,,,",
                     # 25820 − 22863 = 2957 fewer students
                     "students,,2020,减少2957人,1.1,,2019,,",
                     # 34 schools both years
                     "schools,,2020,持平,1.1,,2019,,",
                     # 34112.37 × 10000 / 22863 = 14920.34 元 = 1.49 万元
                     "equipment_per_student,,2020,1.49万元,1.2,,,,",
                     # 891 / 1365 = 65.27% as a chart fraction 0.6527
                     "local_employment_rate,,2020,0.6527,图,excl_technical,,,chart")
    assert claim_findings(findings) == []


def test_wrong_percentage_with_implied_denominator(tmp_path):
    f, = claim_findings(check(tmp_path, "dual_teacher_ratio,,2020,31%,1.3,,,,"))
    # 499 / 1938 = 25.75%; 31% would need 499 × 100 / 31 = 1609.7 teachers
    assert (f.code, f.severity) == ("claim.mismatch", "error")
    assert f.values["recomputed"] == pytest.approx(25.7482, abs=1e-4)
    assert f.values["implied_denominator"] == pytest.approx(1609.68, abs=0.01)
    assert "499 ÷ 1938 × 100 = 25.75%" in f.message_zh
    assert not f.blocks_report


def test_wrong_percentage_explained_by_another_count(tmp_path):
    f, = claim_findings(check(tmp_path, "parttime_share_of_staff,,2020,20%,1.3,,,,"))
    # 449 / 2492 = 18.02%, not 20%; 499 (双师型) / 2492 = 20.02% rounds to 20%
    assert f.values["recomputed"] == pytest.approx(18.0177, abs=1e-4)
    assert f.values["explained_by"][0].startswith("499（双师型教师数）")
    assert "implied_denominator" not in f.values


def test_truncated_instead_of_rounded_is_a_warning(tmp_path):
    f, = claim_findings(check(tmp_path, "direct_employment_share,,2020,23.70%,5.1,excl_technical,,,"))
    # 1365 / 5758 = 23.706% → 23.71%, printed 23.70%
    assert (f.code, f.severity, f.values["expected"]) == ("claim.rounding", "warning", 23.71)


def test_counts_differing_by_one_are_not_rounding(tmp_path):
    f, = claim_findings(check(tmp_path, "schools,,2020,35所,9.1.1,,,,"))
    assert (f.code, f.values["recomputed"]) == ("claim.mismatch", 34)


def test_unit_conversion_for_a_wrong_per_student_value(tmp_path):
    f, = claim_findings(check(tmp_path, "equipment_per_student,,2020,2.32万元,1.2,,,,"))
    # 14920.34 元 against 23200 元; 341123700 / 23200 = 14703.6 students implied
    assert f.values["scale"] == 10000
    assert f.values["implied_denominator"] == pytest.approx(14703.61, abs=0.01)


def test_ratio_printed_as_time(tmp_path):
    findings = claim_findings(check(tmp_path, "gv_ratio,,2019,7:03,表一,,,,", "gv_ratio,,2019,0.29375,图,,,,chart"))
    assert [(f.code, f.values["hour"], f.values["minute"]) for f in findings] == [("claim.as_time", 7, 3)] * 2


def test_change_without_sign(tmp_path):
    findings = claim_findings(check(tmp_path, "pass_rate_culture_reported,,2019,0.47%,表四,,2018,,"))
    # 94.63 − 95.10 = −0.47 points: a fall printed without its sign, and with % for points
    assert sorted(f.code for f in findings) == ["claim.change_sign_dropped", "claim.pp_as_percent"]
    assert all(f.values["recomputed"] == pytest.approx(-0.47) for f in findings)


def test_points_printed_as_percent(tmp_path):
    f, = claim_findings(check(tmp_path, "graduation_rate_reported,,2020,提高4.75%,2.1,,2019,,"))
    # 95 − 90.25 = 4.75 points; as a relative change 4.75 / 90.25 = 5.26%
    assert f.code == "claim.pp_as_percent" and f.values["relative"] == pytest.approx(5.2632, abs=1e-4)


def test_change_with_the_wrong_direction(tmp_path):
    f, = claim_findings(check(tmp_path, "students,,2020,增加2957人,1.1,,2019,,"))
    # 22863 − 25820 = −2957
    assert (f.code, f.values["stated_value"], f.values["recomputed"]) == ("claim.mismatch", 2957, -2957)


def test_percentage_in_a_fraction_chart_and_without_sign(tmp_path):
    findings = claim_findings(check(tmp_path, "local_employment_rate,,2020,65.27,图,excl_technical,,,chart",
                                    "local_employment_rate,,2020,65.27,表六,excl_technical,,,"))
    assert sorted(f.code for f in findings) == ["claim.chart_scale", "claim.percent_sign_missing"]


def test_figure_right_for_one_scope_only(tmp_path):
    f, = claim_findings(check(tmp_path, "further_study_rate,,2020,71.43%,2.3,,,,"))
    # 4113 / 5758 = 71.43% (不含技工学校); 4113 / 7163 = 57.42% (口径未注明)
    assert f.code == "claim.scope_unstated"
    assert f.values["other"] == pytest.approx(57.4201, abs=1e-4)
    # stating the scope in the claim settles it
    assert claim_findings(check(tmp_path, "further_study_rate,,2020,71.43%,2.3,excl_technical,,,")) == []


def test_rows_that_cannot_be_checked(tmp_path):
    findings = claim_findings(check(tmp_path,
                                    "no_such_indicator,,2020,5%,1.1,,,,",
                                    "dual_teacher_ratio,,2020,约两成,1.3,,,,",
                                    "dual_teacher_ratio,,二〇二〇,25%,1.3,,,,",
                                    "land_area_per_student,,2020,40平方米,1.2,,,,"))
    assert sorted((f.code, f.severity) for f in findings) == [
        ("claim.bad_row", "error"), ("claim.not_recomputable", "info"),
        ("claim.unknown_target", "error"), ("claim.unreadable", "error")]
    assert all(f.location.file == "claims.csv" and f.location.cell.startswith("第") for f in findings)


def test_change_across_two_bases_cannot_be_checked(tmp_path):
    # equipment per student: 2020 recomputed 34112.37 万元 × 10000 ÷ 22863 = 14920 元; 2019 printed
    # 21225 元 on a base nobody states; no 2020 printed figure: the change is never computed
    rows = ROWS + [("equipment_per_student_reported", "", 2019, "", "21225")]
    findings = check_dataset(make_dataset(tmp_path, rows, ["equipment_per_student,,2020,增长0.3万元,1.2,,2019,,"]))
    f, = claim_findings(findings)
    assert f.code == "claim.not_comparable" and f.values["reason"] == "base"
    assert (f.values["now"], f.values["before"]) == (14920, 21225)


def test_change_on_the_printed_base_of_the_same_table(tmp_path):
    # the same, with the report's own 2020 figures: 表二 23288 and 1.2 2.32万元 (23200 元).
    # 表二 is where the 2019 21225 was printed, so 23288 − 21225 = +2063 元 is taken (not
    # 23200 − 21225 = 1975 元, which prints 0.20): "增长0.21万元" (0.2063 → 0.21) matches
    rows = ROWS + [("equipment_per_student_reported", "", 2019, "", "21225")]
    rows = [(e, d, p, s, v) for e, d, p, s, v in rows]
    ds = make_dataset(tmp_path, rows, ["equipment_per_student,,2020,2.32万元,1.2,,,,",
                                       "equipment_per_student,,2020,23288,test,,,,",
                                       "equipment_per_student,,2020,增长0.21万元,1.2,,2019,,"])
    findings = [f for f in claim_findings(check_dataset(ds)) if f.values.get("stated") == "增长0.21万元"]
    assert findings == []


def test_a_count_printed_in_wan(tmp_path):
    # students 2020 22863: "2.29万人" (2.2863万 → 2.29) holds, "2.3万" (2.2863 → 2.3) holds,
    # "2.28万人" is off by one in its last digit (a truncation: warning), "2.1万人" is wrong
    findings = check(tmp_path, "students,,2020,2.29万人,1.1,,,,", "students,,2020,2.3万,1.1,,,,",
                     "students,,2020,2.28万人,1.1,,,,", "students,,2020,2.1万人,1.1,,,,")
    got = {f.values["stated"]: f.code for f in claim_findings(findings)}
    assert got == {"2.28万人": "claim.rounding", "2.1万人": "claim.mismatch"}


def test_a_change_of_a_rate_is_read_both_ways(tmp_path):
    rows = ROWS + [("pass_rate_skill_reported", "", 2019, "", "50"), ("pass_rate_skill_reported", "", 2020, "", "54.18"),
                   ("pass_rate_physical_reported", "", 2019, "", "100"),
                   ("pass_rate_physical_reported", "", 2020, "", "95")]
    claims = [
        # 54.18 − 50 = 4.18 points; (54.18 − 50) ÷ 50 × 100 = 8.36% relative
        "pass_rate_skill_reported,,2020,增加8.36%,a,,2019,,",      # right as relative: not an error
        "pass_rate_skill_reported,,2020,增加4.18%,b,,2019,,",      # right in points, % for points
        "pass_rate_skill_reported,,2020,相对增长8.36%,c,,2019,,",  # says it is relative: no finding
        "pass_rate_skill_reported,,2020,提高4.18个百分点,d,,2019,,",  # no finding
        "pass_rate_skill_reported,,2020,增加6%,e,,2019,,",         # neither 4.18 nor 8.36 (nor within 1)
        # 95 − 100 = −5 points = (95 − 100) ÷ 100 × 100 = −5%: both readings hold
        "pass_rate_physical_reported,,2020,下降5%,f,,2019,,",
    ]
    found = {(f.location.section, f.code) for f in claim_findings(check_dataset(make_dataset(tmp_path, rows, claims)))}
    assert found == {("a", "claim.relative_change"), ("b", "claim.pp_as_percent"), ("e", "claim.mismatch"),
                     ("f", "claim.change_ambiguous")}
    f, = [f for f in check_dataset(make_dataset(tmp_path, rows, claims[:1])) if f.code == "claim.relative_change"]
    assert f.severity == "warning" and f.values["relative"] == pytest.approx(8.36)
    assert "按相对变化读成立" in f.message_zh and "4.18个百分点" in f.message_zh
    assert "相对增长8.36%" in f.hint and "提高4.18个百分点" in f.hint
    e, = [f for f in check_dataset(make_dataset(tmp_path, rows, claims[4:5])) if f.code == "claim.mismatch"]
    assert "按百分点" in e.message_zh and "按相对变化" in e.message_zh
