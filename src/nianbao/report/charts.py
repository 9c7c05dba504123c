"""Charts (图表) drawn from facts with matplotlib (Agg), as PNG bytes rendered once and reused
by the Word and HTML reports.

Kinds (outline.yaml ``charts``):
    bar      one group of bars per indicator, one bar per year
    panels   one small panel per indicator (their units differ), one bar per year
    line     one line per indicator across the years
    stacked  one 100% bar per year, split by the categories of a disaggregation

Every value label is the fact's printed text, so a chart cannot disagree with a table.
Chinese needs a CJK font: "Noto Sans CJK SC" (Debian fonts-noto-cjk) or another listed in
``CJK_FONTS``; without one the build stops with a message instead of drawing empty boxes.
"""

from __future__ import annotations

import glob
import io
from dataclasses import dataclass, field

from nianbao.compute.facts import Fact
from nianbao.core.messages import finding
from nianbao.report.document import problem_text
from nianbao.report.runs import Run, figure
from nianbao.report.sentences import parse_placeholder
from nianbao.report.wording import Wording

CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "Noto Sans SC",
             "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei")
FONT_GLOBS = ("/usr/share/fonts/**/NotoSansCJK*", "/usr/share/fonts/**/SourceHanSans*",
              "/usr/share/fonts/**/wqy-*", "/usr/local/share/fonts/**/*CJK*",
              "C:/Windows/Fonts/msyh*", "C:/Windows/Fonts/simhei.ttf")
PALETTE = ("#2f5d8a", "#d08a2e", "#5b9a68", "#a23b3b", "#7a64a0", "#8c8c8c")
DPI = 150


class CJKFontError(RuntimeError):
    """No font able to draw Chinese is installed."""

    def __init__(self):
        self.finding = finding("report.no_cjk_font")
        super().__init__(problem_text(self.finding))


class ChartDataError(ValueError):
    """A chart none of whose figures has data (or that cannot be drawn in this report)."""

    code = ""  # its entry in the error catalogue

    @classmethod
    def of(cls, code: str, **values) -> ChartDataError:
        """The error of catalogue entry ``code`` (chart.*, core/messages/report.yaml); its text
        is the message alone (the report's finding about the chart says what to do)."""
        f = finding(code, **values)
        exc = cls(f"{f.message_zh} / {f.message_en}")
        exc.code = code
        return exc


@dataclass
class Series:
    label: str
    facts: list  # Fact | None, one per group


@dataclass
class ChartSpec:
    kind: str
    groups: list[str]
    series: list[Series]
    unit: str = ""
    percent: bool = False
    panel_titles: list[str] = field(default_factory=list)
    unit_title: str = ""  # 单位：人 (above the plot; none for panels, whose titles carry the unit)
    missing_label: str = ""  # what a bar without data is labelled (无数据)

    def printed_runs(self) -> list[Run]:
        return [figure(f) for s in self.series for f in s.facts if f is not None]


def unit_of(fact: Fact | None) -> str:
    """The unit a chart's axis is in (none for %, x:1 and 6.6:3.4)."""
    if fact is None or fact.style in ("percent", "x1", "pair10"):
        return ""
    return fact.unit_zh


def unit_title(unit: str, words) -> str:
    return words("charts.unit", unit=unit) if unit else ""


def spec_from_outline(spec: dict, periods: list[int], facts, catalogue, name) -> ChartSpec:
    """Collect the facts of an outline chart. ``name(raw_ref)`` gives an indicator's label."""
    words = Wording.of(catalogue)
    kind = spec.get("kind", "bar")
    years = [words.year(p) for p in periods]
    if kind == "stacked":
        dim = spec["dim"]
        cats = catalogue.dimensions[dim]["categories"]
        series = [Series(c["zh"], [facts.get(spec["element"], p, ((dim, code),)) for p in periods])
                  for code, c in cats.items()]
        series = [s for s in series if any(s.facts)]  # categories without data are not drawn
        kept = [i for i in range(len(periods)) if any(s.facts[i] for s in series)]
        years = [years[i] for i in kept]
        series = [Series(s.label, [s.facts[i] for i in kept]) for s in series]
        out = ChartSpec(kind, years, series, percent=True, unit_title=unit_title("%", words))
    else:
        refs = [parse_placeholder(r) for r in spec["series"]]
        table = {ph.raw: [facts.get(ph.code, p, ph.dims, ph.scope) for p in periods] for ph in refs}
        first = next((f for fs in table.values() for f in fs if f), None)
        percent = bool(first and first.style == "percent")
        axis = unit_title("%" if percent else unit_of(first), words)
        if kind == "bar":
            series = [Series(y, [table[ph.raw][i] for ph in refs]) for i, y in enumerate(years)]
            out = ChartSpec(kind, [name(ph.raw) for ph in refs], series, unit=unit_of(first), percent=percent,
                            unit_title=axis)
        elif kind == "line":
            series = [Series(name(ph.raw), table[ph.raw]) for ph in refs]
            out = ChartSpec(kind, years, series, unit=unit_of(first), percent=percent, unit_title=axis)
        elif kind == "panels":
            series = [Series(name(ph.raw), table[ph.raw]) for ph in refs]
            titles = []
            for ph, s in zip(refs, series):
                u = unit_of(next((f for f in s.facts if f), None))
                titles.append(s.label + words("unit_suffix", unit=u) if u else s.label)
            out = ChartSpec(kind, years, series, panel_titles=titles)
        else:
            raise ChartDataError.of("chart.unknown_kind", kind=kind)
    if not out.printed_runs():
        raise ChartDataError.of("chart.no_data")
    out.missing_label = words("charts.no_data")
    return out


# -- fonts --------------------------------------------------------------------------------
_font_name: str | None = None


def find_cjk_font(entries=None, files=None) -> str:
    """The family name of an installed CJK font. ``entries`` (font entries, default: the
    matplotlib font list) and ``files`` (font files to register when the list is stale,
    default: the usual install folders) can be given to test the lookup."""
    from matplotlib import font_manager
    use_default = entries is None
    entries = font_manager.fontManager.ttflist if use_default else entries
    names = {e.name for e in entries}
    for family in CJK_FONTS:
        if family in names:
            return family
    paths = files if files is not None else sorted({p for g in FONT_GLOBS for p in glob.glob(g, recursive=True)})
    for path in paths:
        try:
            font_manager.fontManager.addfont(path)
        except (OSError, RuntimeError, ValueError):
            continue
    if use_default and paths:
        names = {e.name for e in font_manager.fontManager.ttflist}
        for family in CJK_FONTS:
            if family in names:
                return family
    raise CJKFontError()


def setup_matplotlib() -> str:
    global _font_name
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: F401  (sets up the backend once)
    if _font_name is None:
        _font_name = find_cjk_font()
        matplotlib.rcParams.update({
            "font.family": "sans-serif", "font.sans-serif": [_font_name, "DejaVu Sans"],
            "axes.unicode_minus": False, "font.size": 9, "axes.spines.top": False,
            "axes.spines.right": False, "axes.titlesize": 9, "legend.fontsize": 8,
            "legend.frameon": False, "svg.fonttype": "none"})
    return _font_name


# -- drawing ------------------------------------------------------------------------------
def _values(facts) -> list[float]:
    return [f.value if f is not None else 0.0 for f in facts]


def _labels(facts, missing: str = "") -> list[str]:
    return [f.text if f is not None else missing for f in facts]


def _bar(ax, spec: ChartSpec):
    n = len(spec.series)
    width = 0.8 / max(n, 1)
    xs = range(len(spec.groups))
    for i, s in enumerate(spec.series):
        pos = [x - 0.4 + width * (i + 0.5) for x in xs]
        bars = ax.bar(pos, _values(s.facts), width * 0.92, label=s.label, color=PALETTE[i % len(PALETTE)])
        ax.bar_label(bars, labels=_labels(s.facts, spec.missing_label), fontsize=7, padding=1.5)
    ax.set_xticks(list(xs), spec.groups)
    top = max((f.value for s in spec.series for f in s.facts if f), default=1)
    ax.set_ylim(0, top * 1.15)
    _unit_label(ax, spec.unit_title)
    _legend(ax, n)


def _legend(ax, n: int):
    ax.figure.legend(*ax.get_legend_handles_labels(), ncols=n, loc="lower center", bbox_to_anchor=(0.5, 0.0))


def _unit_label(ax, title: str):
    if title:
        ax.set_title(title, loc="left", fontsize=8, color="#444444")


def _line(ax, spec: ChartSpec):
    xs = list(range(len(spec.groups)))
    for i, s in enumerate(spec.series):
        pts = [(x, f) for x, f in zip(xs, s.facts) if f is not None]
        ax.plot([x for x, _ in pts], [f.value for _, f in pts], marker="o", markersize=4,
                color=PALETTE[i % len(PALETTE)], label=s.label)
        for x, f in pts:
            ax.annotate(f.text, (x, f.value), textcoords="offset points", xytext=(0, 5), ha="center", fontsize=7)
    ax.set_xticks(xs, spec.groups)
    ax.set_xlim(-0.4, len(xs) - 0.6)
    top = max((f.value for s in spec.series for f in s.facts if f), default=1)
    ax.set_ylim(0, top * 1.15)
    _unit_label(ax, spec.unit_title)
    _legend(ax, len(spec.series))


def _panels(fig, spec: ChartSpec):
    axes = fig.subplots(1, len(spec.series))
    axes = axes if len(spec.series) > 1 else [axes]
    for i, (ax, s) in enumerate(zip(axes, spec.series)):
        bars = ax.bar(range(len(spec.groups)), _values(s.facts), 0.6, color=PALETTE[i % len(PALETTE)])
        ax.bar_label(bars, labels=_labels(s.facts, spec.missing_label), fontsize=7, padding=1.5)
        ax.set_xticks(range(len(spec.groups)), spec.groups, fontsize=7)
        top = max((f.value for f in s.facts if f), default=1)
        ax.set_ylim(0, top * 1.18)
        ax.set_title(spec.panel_titles[i] if spec.panel_titles else s.label)


def _stacked(ax, spec: ChartSpec):
    ys = list(range(len(spec.groups)))
    left = [0.0] * len(ys)
    for i, s in enumerate(spec.series):
        vals = _values(s.facts)
        ax.barh(ys, vals, 0.5, left=left, label=s.label, color=PALETTE[i % len(PALETTE)])
        for y, f, l0 in zip(ys, s.facts, left):
            if f is None:
                continue
            if f.value >= 6:
                ax.text(l0 + f.value / 2, y, f.text, ha="center", va="center", fontsize=7, color="white")
            else:  # too narrow to hold its label: write it above the bar (the y axis is inverted)
                ax.annotate(f.text, (l0, y - 0.25), xytext=(1, 2), textcoords="offset points",
                            ha="left", va="bottom", fontsize=7)
        left = [a + b for a, b in zip(left, vals)]
    ax.set_yticks(ys, spec.groups)
    ax.set_xlim(0, max(100, max(left)))
    ax.set_ylim(len(ys) - 0.5, -0.75)
    _unit_label(ax, spec.unit_title)
    _legend(ax, len(spec.series))


# figure height (inches) and fixed margins per kind: a fixed layout renders about twice as fast
# as matplotlib's automatic ("constrained") one, and these charts have a known shape
LAYOUT = {"bar": (3.0, dict(left=0.09, right=0.99, top=0.9, bottom=0.2)),
          "line": (3.0, dict(left=0.09, right=0.97, top=0.9, bottom=0.2)),
          "panels": (3.0, dict(left=0.07, right=0.99, top=0.9, bottom=0.1, wspace=0.35)),
          "stacked": (2.4, dict(left=0.1, right=0.97, top=0.88, bottom=0.27))}


def render_png(spec: ChartSpec) -> bytes:
    setup_matplotlib()
    from matplotlib.figure import Figure
    height, margins = LAYOUT[spec.kind]
    fig = Figure(figsize=(6.4, height), dpi=DPI)
    if spec.kind == "panels":
        _panels(fig, spec)
    else:
        ax = fig.add_subplot()
        {"bar": _bar, "line": _line, "stacked": _stacked}[spec.kind](ax, spec)
    fig.subplots_adjust(**margins)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()
