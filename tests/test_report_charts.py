"""Charts: a CJK font is found (or the build stops with a clear message), Chinese renders without
missing glyphs, and value labels are the facts' printed texts."""

import warnings

import pytest

from nianbao.compute.facts import FactBook
from nianbao.ingest.dataset import load_dataset
from nianbao.report import charts


@pytest.fixture(scope="module")
def book():
    ds = load_dataset("examples/datong-2020")
    own = [o for o in ds.observations if o.org_unit == ds.org_unit.code]
    return FactBook(ds.catalogue, ds.org_unit.code, own, ds.periods)


def test_a_cjk_font_is_found():
    name = charts.find_cjk_font()
    assert name in charts.CJK_FONTS


def test_no_cjk_font_is_a_clear_error():
    with pytest.raises(charts.CJKFontError) as err:
        charts.find_cjk_font(entries=[], files=[])
    message = str(err.value)
    assert "apt-get install fonts-noto-cjk" in message
    assert "中文字体" in message and "No CJK font" in message


def _outline_chart(book, key):
    spec = book.catalogue.outline["charts"][key]
    periods = [2020 + int(p) for p in spec.get("periods", [-2, -1, 0])]
    return charts.spec_from_outline(spec, periods, book, book.catalogue, lambda raw: raw)


@pytest.mark.parametrize("key", ["scale", "conditions", "quality", "employment", "graduates_employment", "industry"])
def test_outline_charts_render_chinese_without_missing_glyphs(book, key):
    spec = _outline_chart(book, key)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = charts.render_png(spec)
    assert png.startswith(b"\x89PNG") and len(png) > 5000
    missing = [w for w in caught if "missing from" in str(w.message)]
    assert not missing, [str(w.message) for w in missing]


def test_chart_labels_are_fact_texts(book):
    spec = _outline_chart(book, "scale")
    labels = [r.text for r in spec.printed_runs()]
    # 表一: 在校生 26853 / 25820 / 22863, 招生 8251 / 7598 / 9165, 毕业生 8986 / 8631 / 7163
    assert sorted(labels) == sorted(["26853", "25820", "22863", "8251", "7598", "9165", "8986", "8631", "7163"])
    assert all(r.is_figure for r in spec.printed_runs())


def test_industry_chart_is_split_by_category(book):
    spec = _outline_chart(book, "industry")
    assert [s.label for s in spec.series] == ["第一产业", "第二产业", "第三产业"]
    # 5.1 chart data 2020: 1% / 10.75% / 88.39%
    assert [s.facts[1].text for s in spec.series] == ["1.00%", "10.75%", "88.39%"]


def test_a_chart_without_any_data_is_reported(book):
    spec = {"kind": "bar", "series": ["dual_teacher_ratio"]}
    with pytest.raises(charts.ChartDataError):
        # no 2018 or 2019 teacher counts in the example
        charts.spec_from_outline(spec, [2018, 2019], book, book.catalogue, lambda raw: raw)
