"""The use cases of the portal's city and province pages: indicators by county and by school
type, the standards table, and the city report built from approved submissions only.

"Approved only" means: for the task's year, a school's figures count only when its submission
was approved by the city; other schools' figures of that year (in the store or in values.csv)
are left out, so the report sums exactly what was approved. Earlier years stay as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from nianbao.app.checking import run_check
from nianbao.app.reporting import build_report
from nianbao.compute import engines
from nianbao.compute.standards import evaluate, summarize
from nianbao.ingest.dataset import load_dataset

# the indicators the dashboard shows (codes of indicators.yaml), in this order
DASHBOARD_INDICATORS = ("student_teacher_ratio", "bachelor_or_above_share", "dual_teacher_ratio",
                        "floor_area_per_student", "equipment_per_student", "employment_rate")
CHART_ELEMENTS = ("students", "fulltime_teachers")


@dataclass
class Cell:
    code: str
    value: float | None
    text: str


@dataclass
class IndicatorRow:
    org: str
    zh: str
    en: str
    cells: list[Cell]
    schools: int = 0


@dataclass
class Dashboard:
    year: int
    indicators: list[tuple[str, str, str]]  # code, zh, en
    by_county: list[IndicatorRow]
    by_type: list[IndicatorRow]
    city: IndicatorRow | None
    standards: list[dict] = field(default_factory=list)
    charts: list[dict] = field(default_factory=list)  # {title_zh, title_en, unit, bars: [(label_zh, label_en, value)]}


def approved_only(ds, approved: set[str], year: int):
    """The dataset with, for ``year``, only the figures of the schools in ``approved``."""
    reg = ds.orgs
    schools = {o.code for o in reg.schools()} if reg is not None else set()
    obs = [o for o in ds.observations
           if not (o.period == year and o.org_unit in schools and o.org_unit not in approved)]
    return replace(ds, observations=obs)


def _cells(ds, book, codes, year) -> list[Cell]:
    out = []
    for code in codes:
        fact = book.get(code, year, ())
        out.append(Cell(code, None if fact is None else fact.value, "—" if fact is None else fact.text_with_unit))
    return out


def dashboard(ds, year: int, engine: str | None = None, url: str | None = None) -> Dashboard:
    """Indicators of the city, of each county and of each school type, the standards summary
    and two charts, from the dataset as given (pass :func:`approved_only` for approved data).
    The figures are computed by the engine a report's facts come from (``engines.facts_engine``),
    only those the board shows."""
    cat = ds.catalogue
    codes = [c for c in DASHBOARD_INDICATORS if c in cat.indicators]
    names = [(c, cat.indicators[c].zh, cat.indicators[c].en) for c in codes]
    elements = [e for e in CHART_ELEMENTS if e in cat.elements]
    own = ds.org_unit.code
    reg = ds.orgs
    areas = [c for c in reg.children(own) if c.level == "county"] if reg is not None else []
    figures = engines.open_figures(ds, engines.facts_engine(ds, engine), url, units=[own] + [c.code for c in areas],
                                   groups=["school_type"], wanted=[(c, ()) for c in codes + elements])
    try:
        city = IndicatorRow(own, ds.org_unit.zh, ds.org_unit.en, _cells(ds, figures.factbook(own), codes, year))
        books = {c.code: figures.factbook(c.code) for c in areas}
        counties = [IndicatorRow(c.code, c.zh, c.en, _cells(ds, books[c.code], codes, year),
                                 schools=len(reg.schools(c.code))) for c in areas]
        types = []
        for c in figures.categories(own, "school_type"):
            book = figures.factbook(own, f"school_type={c}")
            types.append(IndicatorRow(c, cat.category_label("school_type", c), c.replace("_", " "),
                                      _cells(ds, book, codes, year)))
    finally:
        figures.close()
    charts = []
    for element in elements:
        el = cat.elements[element]
        bars = []
        for row in counties:
            fact = books[row.org].get(element, year, ())
            bars.append((row.zh, row.en, None if fact is None else fact.value))
        charts.append({"code": element, "title_zh": el.zh, "title_en": el.en, "unit": el.unit_zh, "unit_en": el.unit_en,
                       "bars": bars})
    standards = []
    try:
        results = evaluate(ds, year, engine=engine, url=url)
        for s in summarize(ds, results, own):
            d = s.to_dict()
            standards.append(d)
    except Exception as exc:  # noqa: BLE001 — a dataset without school data has no standards table
        standards = [{"error": str(exc)}]
    return Dashboard(year, names, counties, types, city, standards, charts)


@dataclass
class ReportOutcome:
    ok: bool
    folder: Path
    files: list[str]
    message: str
    blocking: int = 0


def build_city_report(dataset_path, approved: set[str], year: int, outdir, progress=lambda pct, stage: None) -> ReportOutcome:
    """Build the city report from the approved schools' figures into ``outdir``; ``progress``
    is told (percent, stage) as the stages finish. A report the data cannot support yet (errors,
    or figures the outline needs) is built as a draft that lists what is missing."""
    progress(5, "load")
    ds = approved_only(load_dataset(dataset_path), approved, year)
    progress(25, "check")
    findings = run_check(ds)
    progress(50, "build")
    blocking = [f for f in findings if f.blocks_report]
    result = build_report(ds, outdir, allow_errors=True, pdf=False, findings=findings)
    progress(95, "write")
    files = [p.name for p in (result.docx, result.html) if p and Path(p).exists()]
    msg = f"{len(approved)} 所学校已审定的数据" + (f"；草稿：{len(blocking)} 项数据错误" if blocking else "")
    return ReportOutcome(True, Path(outdir), files, msg, len(blocking))
