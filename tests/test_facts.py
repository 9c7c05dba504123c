"""Facts of the Datong 2020 example, against values worked out by hand from the seed report."""

import pytest

from nianbao.compute.facts import FactBook
from nianbao.ingest.dataset import load_dataset


@pytest.fixture(scope="module")
def book():
    ds = load_dataset("examples/datong-2020")
    return FactBook(ds.catalogue, ds.org_unit.code, ds.observations, ds.periods)


@pytest.mark.parametrize("code, period, text", [
    # 表一: 2020 在校生 22863 人
    ("students", 2020, "22863"),
    # 1.1: 普通高中招生17584, 中职招生9165: 17584 / (17584 + 9165) × 10 = 6.574 → 6.6:3.4
    ("gv_ratio", 2020, "6.6:3.4"),
    # 表一 2019 as printed "7:03" (a time) — the dataset keeps the ratio 7:3, printed as 7:3
    ("gv_ratio", 2019, "7:3"),
    # 1.3: 双师型 499 / 专任 1938 = 25.748% → 25.75%  (the seed prints 31%)
    ("dual_teacher_ratio", 2020, "25.75%"),
    # 1.3: 在校生 22863 / 专任教师 1938 = 11.797 → 11.80:1  (the seed prints 11.56:1)
    ("student_teacher_ratio", 2020, "11.80:1"),
    # 1.3: 专任 1938 / 教职工 2492 = 77.77%
    ("fulltime_share_of_staff", 2020, "77.77%"),
    # 1.3: (0 + 131 + 1621) / 1938 = 90.402% → 90.40%
    ("bachelor_or_above_share", 2020, "90.40%"),
    # 1.3: (1 + 423) / 1938 = 21.878% → 21.88%  (the seed prints 24.8%)
    ("senior_title_share", 2020, "21.88%"),
    # 2.2/5.1: (1365 + 4113) / 5758 = 95.137% → 95.14%
    ("employment_rate", 2020, "95.14%"),
    # 5.1: 891 / 1365 = 65.275% → 65.27%? 0.652747... → 65.27%
    ("local_employment_rate", 2020, "65.27%"),
    # 表六 2019: 1531 / 6091 = 25.135% → 25.14%  (the seed prints 26.30%)
    ("direct_employment_share", 2019, "25.14%"),
    # 1.2: 852215 / 22863 = 37.274 → 37.27 m²  (the seed prints 48.48 on another student base)
    ("floor_area_per_student", 2020, "37.27"),
    # 1.2: 34112.37 万元 × 10000 / 22863 = 14920.3 → 14920 元
    ("equipment_per_student", 2020, "14920"),
    # 6.1: 4.67 / 70.59 = 6.6157% → 6.62%
    ("sv_expenditure_share", 2020, "6.62%"),
    # 表五 2018 printed 91.14%: no counts for 2018, so the printed rate is used
    ("employment_rate", 2018, "91.14%"),
])
def test_fact_values(book, code, period, text):
    assert book.get(code, period).text == text


def test_fact_carries_numerator_denominator_and_inputs(book):
    f = book.get("dual_teacher_ratio", 2020)
    assert (f.numerator, f.denominator, f.factor) == (499, 1938, 100)
    assert {i.ref: i.value for i in f.inputs} == {"dual_teachers": 499, "fulltime_teachers": 1938}
    assert f.kind == "ratio" and f.period == 2020 and f.org_unit == "140200"


def test_reported_fact_says_so(book):
    f = book.get("employment_rate", 2019)
    assert f.kind == "reported" and f.numerator is None
    assert [i.ref for i in f.inputs] == ["employment_rate_reported"]


def test_mixed_scope_is_named(book):
    # 1.2 facilities are 不含技工学校; the student count of 1.1 states no scope
    f = book.get("floor_area_per_student", 2020)
    assert f.scope == "mixed"
    assert "不含技工学校" in f.scope_note and "口径未注明" in f.scope_note


def test_two_scopes_of_one_figure_stay_apart(book):
    # 1.1: 毕业生7163人 ; 5.1: 毕业生5758人（不含技工院校）
    assert book.get("graduates", 2020).value == 7163
    assert book.get("graduates", 2020, scope="excl_technical").value == 5758


@pytest.mark.parametrize("code, text, unit", [
    ("students", "2957", "人"),  # 22863 − 25820 = −2957
    ("entrants", "1567", "人"),  # 9165 − 7598 = +1567
    ("schools", "0", "所"),  # 34 − 34
    ("pass_rate_culture_reported", "0.25", "个百分点"),  # 94.88 − 94.63 = +0.25
    ("graduation_rate_reported", "4.75", "个百分点"),  # 95 − 90.25 = +4.75
])
def test_changes(book, code, text, unit):
    ch = book.change(code, 2020)
    assert (ch.text, ch.unit_text) == (text, unit)


def test_change_sign(book):
    assert book.change("students", 2020).value == -2957
    assert book.change("entrants", 2020).value == 1567


# -- like with like: a change only between figures of one scope and one base -------------------
def test_change_across_scope_and_base_is_not_comparable(book):
    # 1.2: 生均图书 2020 = 544887 (不含技工) ÷ 22863 (口径未注明) = 23.8, recomputed and mixed;
    # 表二 2019 printed 30.4. 23.8 − 30.4 = −6.6 would compare two bases: never computed
    ch = book.change("books_per_student", 2020)
    assert not ch.comparable and ch.break_reason == "scope"
    assert ch.text == ""  # no figure at all
    assert (ch.numerator, ch.denominator) == (23.8, 30.4)  # the two figures, kept for the note
    assert "2019年口径未注明（按印发值）" in ch.scope_note
    # 表二 equipment: 14920 (recomputed, mixed) against 21225 (printed) — not −6305
    assert not book.change("equipment_per_student", 2020).comparable


def _book(rows, periods):
    from nianbao.core.observations import Observation
    ds = load_dataset("examples/datong-2020")
    obs = [Observation(element=e, dims=(), period=p, scope=s, value=v, org_unit="x") for e, p, s, v in rows]
    return FactBook(ds.catalogue, "x", obs, periods)


def test_recomputed_against_printed_is_not_comparable_unless_shown_on_one_base():
    rows = [("books_per_student_reported", 2019, "all", 30.4),
            ("books", 2020, "all", 620000), ("students", 2020, "all", 20000)]
    # 2020: 620000 ÷ 20000 = 31.0 recomputed; 2019 30.4 printed on a base nobody states
    ch = _book(rows, [2019, 2020]).change("books_per_student", 2020)
    assert not ch.comparable and ch.break_reason == "base"
    # the printed 2020 figure 31.0 agrees with the recomputed 31.0: the printed series is on the
    # data's base, and 31.0 − 30.4 = +0.6
    ch = _book(rows + [("books_per_student_reported", 2020, "all", 31.0)], [2019, 2020]).change(
        "books_per_student", 2020)
    assert ch.comparable and ch.value == pytest.approx(0.6)
    # a printed 2020 figure of 31.5 (another base: 620000 ÷ 31.5 ≈ 19683 students) proves nothing
    ch = _book(rows + [("books_per_student_reported", 2020, "all", 31.5)], [2019, 2020]).change(
        "books_per_student", 2020)
    assert not ch.comparable


def test_the_earlier_year_is_taken_in_this_years_scope():
    # students 2020 only 全口径 (12000); 2019 both 不含技工 (9000) and 全口径 (11000): default
    # order takes 全口径 anyway; with 2020 only 不含技工 (8000) the 2019 figure taken is 9000
    rows = [("students", 2019, "excl_technical", 9000), ("students", 2019, "all", 11000),
            ("students", 2020, "excl_technical", 8000)]
    ch = _book(rows, [2019, 2020]).change("students", 2020)
    assert ch.comparable and ch.value == -1000  # 8000 − 9000
    # schools 9896 (全口径) → 7294 (不含技工) → 9752 (全口径): no change across either break
    rows = [("schools", 2019, "all", 9896), ("schools", 2020, "excl_technical", 7294), ("schools", 2021, "all", 9752)]
    b = _book(rows, [2019, 2020, 2021])
    assert not b.change("schools", 2020).comparable and not b.change("schools", 2021).comparable
    assert b.change("schools", 2021, 2019).value == -144  # 9752 − 9896, one scope
