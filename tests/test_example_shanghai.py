"""The Shanghai 2023年度 example: the 中职 figures of the Shanghai 2023年度 vocational education
quality report as its published summary prints them (https://chanjiao.org.cn/?p=8106), and the
rates and shares it prints, recomputed by `nianbao check`. Every expectation is worked out by hand
from the published figures, with the arithmetic alongside."""

import shutil
from pathlib import Path

import pytest

from nianbao.check.engine import check_dataset
from nianbao.compute.aggregate import factbook_for
from nianbao.ingest.dataset import load_dataset
from nianbao.report.builder import build_document
from nianbao.report.document import Paragraph

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "shanghai-2023"

# as printed: (element, dims, period) → value
PRINTED = {
    ("schools_enrolling", "", 2023): 56,
    ("students", "", 2022): 98300,  # 9.83万人
    ("entrants", "", 2022): 31900,  # 3.19万人
    ("graduates", "", 2023): 33681,
    ("graduates_placed", "", 2023): 32422,
    ("further_study", "", 2023): 25509,
    ("employed_direct", "", 2023): 6913,
    ("employed_direct", "industry=primary", 2023): 45,
    ("employed_direct", "industry=secondary", 2023): 1991,
    ("employed_direct", "industry=tertiary", 2023): 4877,
    ("starting_income_direct", "", 2023): 3848.89,
    ("entrepreneurs", "", 2023): 161,
    ("contest_awards", "award_grade=first", 2023): 2,
    ("contest_awards", "award_grade=second", 2023): 19,
    ("contest_awards", "award_grade=third", 2023): 34,
}


def _dims(o):
    return ",".join(f"{k}={v}" for k, v in sorted(o.dims or ()))


@pytest.fixture(scope="module")
def dataset():
    return load_dataset(EXAMPLE)


@pytest.fixture(scope="module")
def findings(dataset):
    return check_dataset(dataset)


def test_every_printed_figure_is_entered_with_where_it_is_printed(dataset):
    got = {(o.element, _dims(o), o.period): o.value for o in dataset.observations}
    assert got == pytest.approx(PRINTED)
    assert all("https://chanjiao.org.cn/?p=8106" in o.source for o in dataset.observations)


def test_the_printed_counts_agree_with_one_another():
    # 升学 + 直接就业 = 落实: 25509 + 6913 = 32422; 产业 45 + 1991 + 4877 = 6913;
    # 学校 15 + 26 + 15 = 56 (市教委, 区教育局, 行业企业; printed, not entered)
    assert PRINTED[("further_study", "", 2023)] + PRINTED[("employed_direct", "", 2023)] == 32422
    assert sum(PRINTED[("employed_direct", f"industry={i}", 2023)]
               for i in ("primary", "secondary", "tertiary")) == 6913
    assert 15 + 26 + 15 == PRINTED[("schools_enrolling", "", 2023)]


def test_the_printed_rates_hold_over_the_bases_the_text_names(dataset, findings):
    fb = factbook_for(dataset, "310000")
    # 32422 ÷ 33681 = 0.962619… → 96.26%
    assert round(fb.get("placement_rate", 2023).value, 2) == 96.26
    # 25509 ÷ 32422 = 0.786781… → 78.68% (over the placed graduates, as the text says)
    assert round(fb.get("further_study_share_of_placed", 2023).value, 2) == 78.68
    # 161 ÷ 32422 = 0.004966… → 0.50%
    assert round(fb.get("entrepreneurs_share_of_placed", 2023).value, 2) == 0.50
    assert not [f for f in findings if f.code == "claim.mismatch"]


def test_the_shares_without_counts_and_the_changes_without_a_base_year_are_not_recomputable(findings):
    # 专科 87.06% and 本科 12.94% of those continuing: no counts printed; 在校生 +0.4% and 招生
    # +0.7% over 2021: the 2021 figures are not printed
    got = sorted((f.period, f.values["stated"]) for f in findings if f.code == "claim.not_recomputable")
    assert got == [(2022, "增加0.4%"), (2022, "增加0.7%"), (2023, "12.94%"), (2023, "87.06%")]


def test_the_share_of_placed_is_not_the_share_of_graduates(tmp_path):
    # read over all graduates the 升学 share would be 25509 ÷ 33681 = 0.757370… → 75.74%, not 78.68%
    ds = tmp_path / "sh"
    shutil.copytree(EXAMPLE, ds)
    claims = (ds / "claims.csv").read_text(encoding="utf-8").replace(
        "further_study_share_of_placed,", "further_study_share,")
    (ds / "claims.csv").write_text(claims, encoding="utf-8")
    f, = [f for f in check_dataset(load_dataset(ds)) if f.code == "claim.mismatch"]
    assert (f.values["numerator"], f.values["denominator"]) == (25509, 33681)
    assert round(f.values["recomputed"], 2) == 75.74


def test_the_report_prints_the_published_counts(dataset, findings):
    doc = build_document(dataset, findings, charts=False)
    text = "\n".join("".join(r.text for r in b.runs) for b in doc.blocks if isinstance(b, Paragraph))
    assert "33681人" in text and "32422人" in text and "96.26%" in text
    # 直接就业 by sector: 45 ÷ 6913 = 0.65%; 1991 ÷ 6913 = 28.80%; 4877 ÷ 6913 = 70.55%
    assert "第一产业就业的占0.65%，第二产业占28.80%，第三产业占70.55%" in text


def test_the_report_summary_names_the_outline_gaps_the_check_finds(tmp_path):
    # The published Shanghai report gives no figures for some required rows of the annex: the
    # report is built (they are not data errors), but its summary must not read as if all were
    # well — it counts the same required gaps `nianbao check` lists as errors.
    from nianbao.app.checking import check
    from nianbao.app.reporting import build_report, summary

    ds = load_dataset(EXAMPLE)
    gaps = [f for f in check(ds) if f.code.startswith("outline.") and f.severity == "error"]
    assert gaps, "the example has required annex rows without figures"
    text = summary(build_report(ds, tmp_path / "out", pdf=False))
    assert f"必填内容有 {len(gaps)} 项没有数据" in text
