"""The formula language of the catalogue: parsing, evaluation, text and SQL."""

import pytest

from nianbao.core import formula


def test_parse_and_evaluate_with_disaggregations():
    node = formula.parse("fulltime_teachers[title=senior_full] + fulltime_teachers[title=senior_vice]")
    values = {"fulltime_teachers[title=senior_full]": 1, "fulltime_teachers[title=senior_vice]": 423}
    # 1 + 423 = 424 (seed 1.3: 正高级1人，副高级423人)
    assert formula.evaluate(node, lambda r: values[r.key]) == 424


def test_precedence_and_parentheses():
    node = formula.parse("(a + b) * 10 / c - 1")
    # (2 + 3) * 10 / 5 - 1 = 9
    assert formula.evaluate(node, lambda r: {"a": 2, "b": 3, "c": 5}[r.element]) == 9


def test_missing_input_and_zero_denominator_give_none():
    assert formula.evaluate(formula.parse("a / b"), lambda r: {"a": 1, "b": 0}[r.element]) is None
    assert formula.evaluate(formula.parse("a + b"), lambda r: None if r.element == "b" else 1) is None


@pytest.mark.parametrize("bad", ["a +", "__import__('os')", "a ** 2", "a[b]", "(a", "a; b", "1 2"])
def test_unsafe_or_broken_formulas_are_rejected(bad):
    with pytest.raises(formula.FormulaError):
        formula.parse(bad)


def test_refs_text_and_sql():
    node = formula.parse("employed_direct + further_study")
    assert [r.element for r in formula.refs(node)] == ["employed_direct", "further_study"]
    assert formula.to_text(formula.parse("a / (b + c)")) == "a ÷ (b + c)"
    sql = formula.to_sql(formula.parse("a / b"), lambda r: f'"{r.element}"')
    assert sql == '("a" / NULLIF("b", 0))'


def test_ref_keys_are_canonical():
    assert formula.ref_key("x", [("title", "junior"), ("degree", "master")]) == "x[degree=master,title=junior]"
    assert formula.parse("x[title=junior, degree=master]").key == "x[degree=master,title=junior]"
