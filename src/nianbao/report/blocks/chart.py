"""``chart: KEY`` — a chart of the outline (``charts``), drawn from facts (nianbao.report.charts),
numbered 图一, 图二 … in order. Kind ``comparison`` (school reports) draws the school's bars
beside its area's."""

from __future__ import annotations

from nianbao.core.formatting import cn_number
from nianbao.report import charts
from nianbao.report.blocks import block
from nianbao.report.document import Chart
from nianbao.report.sentences import parse_placeholder


@block("chart", defined_in="charts")
def chart(b, req) -> None:
    key, spec, section = req.key, req.spec, req.section
    periods = b.periods(spec)
    if spec.get("series"):  # the years with data, and only the series with data
        refs = [parse_placeholder(r) for r in spec["series"]]
        periods = b.periods_with_data(refs, periods) or periods
        kept = [ph.raw for ph in refs if b.periods_with_data([ph], periods)]
        if kept and len(kept) < len(refs):
            spec = {**spec, "series": kept}
    title = b.title_text(spec["zh"], periods, section, key)
    if title is None:
        return
    try:
        if spec.get("kind") == "comparison":
            cs = comparison_chart(b, spec)
        else:
            cs = charts.spec_from_outline(spec, periods, b.facts, b.cat, b.header_name_raw)
    except charts.ChartDataError as exc:
        if exc.code == "chart.no_data":  # a chart without data is left out
            b.omit(section, b.words("what.chart", title=title), b.words("reason.chart_no_data"))
            return
        b.warn("report.missing_chart", section, key=key, title=title, problem=str(exc))
        return
    b.n_charts += 1
    number = b.words("charts.number", n=cn_number(b.n_charts))
    b.add(Chart(key, number, title, cs, printed=cs.printed_runs(), caption=b.caption(number, title)))


def comparison_chart(b, spec) -> charts.ChartSpec:
    """Bars of the school beside those of its area, one group per indicator."""
    if b.area is None:
        raise charts.ChartDataError.of("chart.needs_school")
    refs = [parse_placeholder(r) for r in spec["series"]]
    pairs = [(ph, b.facts.get(ph.code, b.year, ph.dims, ph.scope),
              b.area.book.get(ph.code, b.year, ph.dims, ph.scope)) for ph in refs]
    pairs = [(ph, own, area) for ph, own, area in pairs if own is not None]
    if not pairs:
        raise charts.ChartDataError.of("chart.no_data")
    first = pairs[0][1]
    series = [charts.Series(b.words("comparison.own"), [own for _, own, _ in pairs]),
              charts.Series(b.area.zh, [area for _, _, area in pairs])]
    percent = first.style == "percent"
    return charts.ChartSpec("bar", [wrap_label(b.header_name(ph)) for ph, _, _ in pairs], series,
                            unit=charts.unit_of(first), percent=percent,
                            unit_title=charts.unit_title("%" if percent else charts.unit_of(first), b.words))


def wrap_label(label: str, width: int = 7) -> str:
    """A long axis label on two lines (双师型教师占专任教师比例 → 双师型教师占 / 专任教师比例)."""
    if len(label) <= width:
        return label
    half = (len(label) + 1) // 2
    return label[:half] + "\n" + label[half:]
