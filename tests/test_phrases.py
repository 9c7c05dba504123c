"""Sentence rules on their own: 增加/减少/持平, 提高/下降 in 个百分点, signs, half-up rounding,
x:1 ratios and the 普职比 pair."""

import pytest

from nianbao.compute.facts import Fact
from nianbao.report import phrases


def fact(value, style="number", decimals=0, unit="人", unit_en="students", kind="element", period=2020,
         base_period=None):
    return Fact(indicator="x", dims=(), org_unit="140200", period=period, value=value, name_zh="某数",
                name_en="some figure", unit_zh=unit, unit_en=unit_en, style=style, decimals=decimals,
                kind=kind, scope="unstated", base_period=base_period)


def change(value, style="number", decimals=0, unit="人", unit_en="students", period=2020, base_period=2019):
    if style == "percent":
        unit, unit_en = "个百分点", "percentage points"
    return fact(value, style, decimals, unit, unit_en, kind="change", period=period, base_period=base_period)


@pytest.mark.parametrize("value, expected", [
    # 在校生 22863 − 25820 = −2957
    (-2957, "比上年减少2957人"),
    # 招生 9165 − 7598 = 1567
    (1567, "比上年增加1567人"),
    # 学校 34 − 34 = 0
    (0, "与上年持平"),
])
def test_change_of_a_count(value, expected):
    assert phrases.change_text(change(value)) == expected


@pytest.mark.parametrize("value, expected", [
    # 文化课合格率 94.88% − 94.63% = +0.25 points
    (0.25, "比上年提高0.25个百分点"),
    # 就业率 95.14% − 95.58% = −0.44 points
    (-0.44, "比上年下降0.44个百分点"),
    (0.0, "与上年持平"),
])
def test_change_of_a_percentage_is_in_points(value, expected):
    assert phrases.change_text(change(value, "percent", 2)) == expected


def test_change_against_an_earlier_year_names_it():
    # 2020 against 2018: 22863 − 26853 = −3990
    assert phrases.change_text(change(-3990, base_period=2018)) == "比2018年减少3990人"


@pytest.mark.parametrize("value, style, decimals, unit, expected", [
    (0.25, "percent", 2, "", "+0.25个百分点"),
    (-0.44, "percent", 2, "", "-0.44个百分点"),
    (-2957, "number", 0, "人", "-2957人"),
    (50, "number", 0, "元", "+50元"),
    (0, "number", 0, "人", "0"),
])
def test_signed_change_for_tables(value, style, decimals, unit, expected):
    assert phrases.signed_change_text(change(value, style, decimals, unit)) == expected


def test_english_counterparts():
    assert phrases.change_text(change(1567), "en") == "up 1567 students on the previous year"
    assert phrases.change_text(change(0), "en") == "unchanged from the previous year"
    assert phrases.change_text(change(-0.44, "percent", 2), "en") == \
        "down 0.44 percentage points on the previous year"


@pytest.mark.parametrize("value, style, decimals, expected", [
    # half-up, never banker's rounding: 0.125 → 0.13, 2.5 → 3, 0.245 → 0.25
    (0.125, "percent", 2, "0.13%"),
    (2.5, "number", 0, "3"),
    (0.245, "number", 2, "0.25"),
    # 22863 / 1938 = 11.7972 → 11.80:1 (two decimals kept)
    (22863 / 1938, "x1", 2, "11.80:1"),
    # 17584 / (17584 + 9165) × 10 = 6.574 → 6.6:3.4
    (17584 / (17584 + 9165) * 10, "pair10", 1, "6.6:3.4"),
    # 7 : 3 is printed 7:3 — never 7:03
    (7.0, "pair10", 1, "7:3"),
    # 6.95 rounds half-up to 7.0 → 7:3
    (6.95, "pair10", 1, "7:3"),
])
def test_figures_use_the_formatting_rules(value, style, decimals, expected):
    assert fact(value, style, decimals).text == expected


def test_value_runs_tag_the_figure_and_keep_the_unit_apart():
    f = fact(22863)
    runs = phrases.value_runs(f)
    assert [r.text for r in runs] == ["22863", "人"]
    assert runs[0].is_figure and runs[0].fact is f
    assert not runs[1].is_figure
    # a percentage, a ratio and a pair carry no unit word
    assert [r.text for r in phrases.value_runs(fact(25.75, "percent", 2, unit="%"))] == ["25.75%"]
    assert [r.text for r in phrases.value_runs(fact(11.797, "x1", 2, unit=""))] == ["11.80:1"]


def test_change_runs_tag_the_changed_amount():
    runs = phrases.change_runs(change(-2957))
    figures = [r for r in runs if r.is_figure]
    assert [r.text for r in figures] == ["2957"]
    with pytest.raises(ValueError):
        phrases.change_runs(fact(5))
