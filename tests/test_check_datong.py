"""The check on the Datong 2020 example: the errors of the published report, found from its own
figures. Every expectation is worked out by hand from the seed, with the arithmetic alongside."""

from pathlib import Path

import pytest

from nianbao.check.engine import check_dataset
from nianbao.ingest.dataset import load_dataset

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "datong-2020"


@pytest.fixture(scope="module")
def findings():
    return check_dataset(load_dataset(EXAMPLE))


def pick(findings, code, **match):
    """The findings of a code whose values / section / period match."""
    out = []
    for f in findings:
        if f.code != code:
            continue
        if all((f.values.get(k) if k not in ("section", "period") else
                (f.location.section if k == "section" else f.period)) == v for k, v in match.items()):
            out.append(f)
    return out


def test_the_data_as_printed_do_not_contradict_themselves(findings):
    # warnings and claim errors, but no error in the data that would stop the report
    assert [f.code for f in findings if f.blocks_report] == []
    assert any(f.severity == "error" for f in findings)


def test_2019_ratio_stored_as_a_time(findings):
    # 表一 prints 7:03 and the chart data hold 0.29375 = (7 × 60 + 3) / 1440
    got = {(f.location.section, f.values["stated"]) for f in pick(findings, "claim.as_time", period=2019)}
    assert got == {("表一", "7:03"), ("图 办学规模（图表数据）", "0.29375")}


def test_titles_do_not_reach_the_full_time_teachers(findings):
    f, = pick(findings, "breakdown.incomplete")
    # 1 + 423 + 735 + 544 = 1703 of 1938; 1938 − 1703 = 235 without a title (not reported)
    assert (f.values["sum"], f.values["total"], f.values["gap"], f.values["missing"]) == (1703, 1938, 235, ["untitled"])


def test_dual_teachers_31_percent(findings):
    f, = pick(findings, "claim.mismatch", stated="31%")
    # 499 / 1938 = 25.748% → 25.75%, printed 31%
    assert round(f.values["recomputed"], 2) == 25.75
    assert f.values["numerator"] == 499 and f.values["denominator"] == 1938


def test_2020_stock_does_not_follow_from_2019(findings):
    f, = pick(findings, "flow.stock_mismatch", period=2020)
    # 25820 + 9165 − 7163 = 27822 expected, 22863 reported: 4959 short (17.8%)
    assert (f.values["previous"], f.values["inflow"], f.values["outflow"]) == (25820, 9165, 7163)
    assert (f.values["expected"], f.values["stock"], f.values["gap"]) == (27822, 22863, 4959)
    # 2019: 26853 + 7598 − 8631 = 25820 exactly, so no finding for 2019
    assert pick(findings, "flow.stock_mismatch", period=2019) == []


def test_senior_titles_used_the_teachers_with_a_title(findings):
    f, = pick(findings, "claim.mismatch", stated="24.8%")
    # (1 + 423) / 1938 = 21.88%; (1 + 423) / 1703 = 24.897% ≈ 24.8 (within one unit of the last digit)
    assert round(f.values["recomputed"], 2) == 21.88
    assert "1703" in f.values["explained_by"][0]
    # 424 × 100 / 24.8 = 1709.7 teachers implied, a count the data do not hold
    assert round(f.values["implied_denominator"]) == 1710


def test_part_time_share_printed_20_percent(findings):
    f, = pick(findings, "claim.mismatch", stated="20%")
    # 449 / 2492 = 18.02% (449 / 1938 would be 23.17%); 499 / 2492 = 20.02% gives the printed 20%
    assert round(f.values["recomputed"], 2) == 18.02
    assert f.values["explained_by"] == ["499（双师型教师数） ÷ 2492 × 100 = 20.02%"]


def test_student_teacher_ratio(findings):
    f, = pick(findings, "claim.mismatch", stated="11.56:1")
    # 22863 / 1938 = 11.797 → 11.80:1; (22863 − 452 provincial) / 1938 = 22411 / 1938 = 11.564 → 11.56
    assert round(f.values["recomputed"], 2) == 11.80
    assert f.values["explained_by"][0].startswith("22411")


def test_per_student_figures_imply_a_base_that_is_not_in_the_data(findings):
    area, = pick(findings, "claim.mismatch", stated="48.48平方米")
    # 852215 / 22863 = 37.27 m²; 852215 / 48.48 = 17578.7 students implied
    assert round(area.values["recomputed"], 2) == 37.27 and round(area.values["implied_denominator"]) == 17579
    books, = pick(findings, "claim.mismatch", stated="31册")
    # 544887 / 22863 = 23.83 books; 544887 / 31 = 17577 students implied
    assert round(books.values["recomputed"], 2) == 23.83 and round(books.values["implied_denominator"]) == 17577
    equip, = pick(findings, "claim.mismatch", stated="2.32万元")
    # 34112.37 × 10000 / 22863 = 341123700 / 22863 = 14920.34 元, printed 23200 元
    assert round(equip.values["recomputed"], 2) == 14920.34
    spend, = pick(findings, "claim.mismatch", stated="24183.34元")
    # 4.67 × 10^8 / 22863 = 20426.016 元; 4.67 × 10^8 / 24183.34 = 19310.8 students implied
    assert round(spend.values["recomputed"], 2) == 20426.02 and round(spend.values["implied_denominator"]) == 19311


def test_printed_changes_compare_like_with_like(findings):
    # 1.2 "增长0.3万元": the 2020 figure the data give (34112.37 万元 × 10000 ÷ 22863 = 14920 元) is
    # recomputed on all students (口径未注明) with facilities 不含技工学校; 表二's 2019 figure 21225 is
    # printed on another base. 14920 − 21225 = −6305 would compare two bases; like with like is
    # 表二 2020 23288 − 表二 2019 21225 = +2063 元 = 0.2063 万元, printed 0.3: a rounding slip
    # (0.2063 rounds to 0.2), not a mismatch
    assert not pick(findings, "claim.mismatch", stated="增长0.3万元")
    up, = pick(findings, "claim.rounding", stated="增长0.3万元")
    assert up.values["recomputed"] == 2063 and up.values["expected"] == pytest.approx(0.2)
    assert "23288 − 2019年 21225 = +2063，两年均按印发值" in up.message_zh
    # 1.2 "增长0.6册": 表二 2020 31 − 表二 2019 30.4 = +0.6 — consistent, no finding at all
    # (the data's 23.8 − 30.4 = −6.6 is never computed)
    assert not [f for f in findings if f.values.get("stated") == "增长0.6册"]
    pp, = pick(findings, "claim.pp_as_percent", stated="提高4.75%")
    # 95 − 90.25 = 4.75 percentage points, printed with %
    assert pp.values["recomputed"] == pytest.approx(4.75)


def test_table_four_change_column_lost_its_signs(findings):
    dropped = {(f.values["stated"], round(f.values["recomputed"], 2)) for f in pick(findings, "claim.change_sign_dropped")}
    # 94.88 − 95.10 = −0.22; 94.63 − 95.10 = −0.47; 95 − 97.70 = −2.70; 90.25 − 97.70 = −7.45
    assert dropped == {("0.22%", -0.22), ("0.47%", -0.47), ("2.7%", -2.7), ("7.45%", -7.45)}
    # every one of the eight entries uses % for percentage points, and so does 提高4.75%
    assert len(pick(findings, "claim.pp_as_percent")) == 9


def test_text_and_table_disagree_in_2_1(findings):
    got = {f.values["stated"]: f.values["recomputed"] for f in findings
           if f.code == "claim.mismatch" and f.location.section == "2.1 前文"}
    # 95.4% vs 94.88%; 90% vs 96%; 91.2% vs 95.5% (表四 2020)
    assert got == {"95.4%": 94.88, "90%": 96, "91.2%": 95.5}
    skill, = pick(findings, "claim.mismatch", stated="90%")
    # 90% is 2018's 89.70% rounded
    assert skill.values["explained_by"] == ["专业技能合格率 2018年（口径未注明） = 89.70%"]


def test_three_school_counts(findings):
    got = {f.location.section: f.values["stated"] for f in findings if f.code == "claim.mismatch"
           and f.values.get("stated", "").endswith("所")}
    # 34 in 1.1 and 9.1.2 match the data; 33 (3.2.1) and 35 (9.1.1) do not
    assert got == {"3.2.1": "33所", "9.1.1": "35所"}
    small, = pick(findings, "claim.mismatch", stated="34.28%")
    # 12 / 34 = 35.29%; 12 / 35 = 34.286% ≈ 34.28 (truncated), 35 being the count printed in 9.1.1
    assert round(small.values["recomputed"], 2) == 35.29
    assert "35（学校数（9.1.1印发值））" in small.values["explained_by"][0]


def test_scope_of_employment_figures(findings):
    further, = pick(findings, "claim.scope_unstated", stated="71.43%")
    # 4113 / 5758 = 71.43% only without technical schools; 4113 / 7163 = 57.42%
    assert round(further.values["other"], 2) == 57.42
    two = {f.period: f.values for f in pick(findings, "scope.two_scopes")}
    # graduates 2019: 8631 (表一) and 6091 (表六); 2020: 7163 (1.1) and 5758 (5.1)
    assert two == {2019: {"excl_technical": 6091, "unstated": 8631}, 2020: {"excl_technical": 5758, "unstated": 7163}}
    mixed = {f.values["scopes"]["students"] for f in pick(findings, "scope.mixed_fact")}
    # floor area, equipment and books are 不含技工学校, the 22863 students are not: three ratios
    assert len(pick(findings, "scope.mixed_fact")) == 3 and mixed == {"unstated"}


def test_chart_data_left_from_another_year_and_scale(findings):
    grads, = pick(findings, "claim.mismatch", stated="8986人")
    # the chart's 2019 row holds 8986 graduates, the 2018 figure of 表一; 表六 says 6091
    assert grads.values["recomputed"] == 6091
    assert grads.values["explained_by"] == ["毕业生数 2018年（口径未注明） = 8986人"]
    share, = pick(findings, "claim.mismatch", stated="0.5062")
    # 1531 / 6091 = 25.14% against 50.62% in the chart (4549 / 8986 = 50.62%, figures of no year in the data)
    assert round(share.values["recomputed"], 2) == 25.14
    scale, = pick(findings, "claim.chart_scale")
    # 891 / 1365 = 65.27%, typed as 65.27 among fractions (0.237): the chart would show 6527%
    assert scale.values["stated"] == "65.27"
    income = pick(findings, "claim.mismatch", stated="0")
    # starting income 0/0/0 in the chart for 2000, 2300, 2350 元; 普职招生比 0 for 2018 and 2020;
    # 本地就业 0 for 916 (2019) and 891 (2020)
    assert sorted(f.values["recomputed"] for f in income if f.location.section == "图 就业情况（图表数据）") == [2000, 2300, 2350]
    assert len(income) == 7


def test_industry_shares_do_not_make_100(findings):
    got = {f.period: round(f.values["sum"], 2) for f in pick(findings, "breakdown.shares_off")}
    # 2019: 1.2 + 8.8 + 90.2 = 100.2; 2020: 1 + 10.75 + 88.39 = 100.14
    assert got == {2019: 100.2, 2020: 100.14}


def test_rounding_slips(findings):
    ratio = pick(findings, "claim.rounding", stated="6.5:3.5")
    # 17584 / (17584 + 9165) × 10 = 6.574 → 6.6:3.4, printed 6.5:3.5 (in 1.1 and 表一)
    assert len(ratio) == 2 and round(ratio[0].values["recomputed"], 3) == 6.574
    direct = pick(findings, "claim.rounding", stated="23.70%")
    # 1365 / 5758 = 23.706% → 23.71%
    assert [f.values["expected"] for f in direct] == [23.71, 23.71]


def test_in_field_employment_jump(findings):
    f, = pick(findings, "yoy.jump")
    # 50.30% (2018) → 85.82% (2019): +35.52 points
    assert f.values["change_points"] == pytest.approx(35.52)


def test_claims_that_match_give_nothing(findings):
    # 78% (1938/2492 = 77.77%), 90.4% (1752/1938 = 90.40%), 7% (131/1938 = 6.76%), 6.62% (4.67/70.59 = 6.616%),
    # 59.83% (916/1531 = 59.83%), 减少2957人 (25820 − 22863) are right
    stated = {f.values.get("stated") for f in findings if f.code.startswith("claim.")}
    assert not stated & {"78%", "90.4%", "7%", "6.62%", "59.83%", "减少2957人", "增加1567人", "减少1468人"}
