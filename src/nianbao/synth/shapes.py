"""Dataset folders of every shape, for the property test that nothing a bureau may send ends in
a traceback: ``python -m nianbao.synth.shapes -o DIR --count N`` writes N of them at random.

A ``Shape`` says what a folder holds — the catalogue version and report type; the level of its
own unit (a school, a county, a city or a province); the years; the registry (no orgs.csv, one
with areas only, one with schools); the levels that carry figures (the schools, the counties,
the unit itself, any of them together); the elements given and whether their breakdowns are
left out, partly given or complete; the scopes of the rows (口径未注明, 不含技工, 全口径, mixed);
the narratives; claims.csv and majors.csv or none. ``write_dataset(shape, folder)`` writes the
folder; the figures themselves are drawn from ``shape.seed`` within the catalogue's plausible
ranges, so the same shape always gives the same files. The figures are not made consistent
(breakdowns need not add up, rates need not follow from counts): the check is meant to find
that, and the commands must still answer with findings, never with an internal error.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import yaml

from nianbao import catalogue as cat_mod
from nianbao.core.orgs import Org
from nianbao.ingest.orgs import write_orgs

VERSIONS = ("cn-2016", "cn-2022", "cn-2023")
LEVELS = ("school", "county", "city", "province")
REGISTRIES = ("absent", "areas", "schools")  # no orgs.csv; areas but no school; areas and schools
FIGURE_LEVELS = ("school", "county", "own", "above")  # the units whose rows values.csv holds (above: the parent)
PERIODS = ("to_report_year", "without_report_year")  # the years end with the report year, or stop before it
ENGINES = ("python", "duckdb", "sqlite")  # the engine dataset.yaml names (python: none named)
# the dataset's own catalogue/*.yaml: none; an element, an indicator and an outline section of its
# own; or an entry that clashes with the version (an error naming the file)
OWN_CATALOGUE = ("none", "additions", "clash")
OWN_IN_REGISTRY = ("listed", "left_out", "other_level")
META = ("full", "minimal")  # minimal: no periods, catalogue, report type or title (the defaults)
OWN_ELEMENT, OWN_INDICATOR, OWN_SECTION = "local_trainees", "local_trainee_share", "own-1"
BREAKDOWNS = ("none", "some", "all")  # categories of an element's dimensions: none, some, every one
SCOPES = ("unstated", "excl_technical", "all")
NARRATIVES = ("none", "some", "all")
PROVINCE, CITY = "990000", "990100"
SOURCE = "生成数据"

_SCHOOL_TYPES = ("regular_specialized", "vocational_high", "adult_specialized", "technical", "attached_class")


@dataclass(frozen=True)
class Shape:
    version: str = "cn-2016"
    report_type: str = "city"
    own_level: str = "city"
    years: int = 1
    registry: str = "schools"
    counties: int = 1
    schools: int = 1
    figure_levels: tuple[str, ...] = ("school",)
    elements: tuple[str, ...] = ("students",)
    breakdowns: str = "none"
    scopes: tuple[str, ...] = ("unstated",)
    narratives: str = "none"
    claims: bool = False
    majors: bool = False
    blank_attributes: bool = False  # schools of the registry without affiliation, ownership or type
    own_in_registry: str = "listed"  # orgs.csv lists the dataset's own unit, leaves it out, or at another level
    meta: str = "full"  # dataset.yaml with every key, or only the unit and the report year
    periods: str = "to_report_year"
    engine: str = "python"
    orphans: bool = False  # schools whose parent is not in the registry
    own_catalogue: str = "none"
    seed: int = 0

    def tags(self) -> list[str]:
        """The shape in words, for a tally of the shapes a test run covered."""
        return [f"version={self.version}", f"report_type={self.report_type}", f"own={self.own_level}",
                f"years={self.years}", f"registry={self.registry}",
                "figures=" + "+".join(sorted(self.figure_levels)) if self.figure_levels else "figures=none",
                f"breakdowns={self.breakdowns}", "scopes=" + "+".join(sorted(self.scopes)),
                f"narratives={self.narratives}", f"claims={self.claims}", f"majors={self.majors}",
                f"blank_attributes={self.blank_attributes}", f"own_in_registry={self.own_in_registry}",
                f"meta={self.meta}",
                f"periods={self.periods}", f"engine={self.engine}", f"orphans={self.orphans}",
                f"own_catalogue={self.own_catalogue}",
                f"elements={'none' if not self.elements else 'one' if len(self.elements) == 1 else 'several'}"]


def catalogue_of(version: str):
    return cat_mod.load(version)


def report_types(version: str) -> list[str]:
    return list((catalogue_of(version).outline.get("outlines") or {}))


def element_codes(version: str) -> list[str]:
    return list(catalogue_of(version).elements)


def report_years(version: str) -> list[int]:
    meta = catalogue_of(version).meta
    low = int(meta.get("valid_from") or 2016)
    return list(range(low, int(meta.get("valid_to") or low) + 1))


# -- the units ----------------------------------------------------------------------------------
@dataclass
class Units:
    own: Org
    registry: list[Org]  # what orgs.csv holds ([] for none)
    counties: list[Org]  # the counties at or below the own unit
    schools: list[Org]  # the schools at or below the own unit


def units(shape: Shape, rng: random.Random) -> Units:
    province = Org(code=PROVINCE, zh="生成省", en="Generated Province", level="province")
    city = Org(code=CITY, zh="生成市", en="Generated City", level="city", parent=PROVINCE)
    counties = [Org(code=f"9901{i + 1:02d}", zh=f"生成{i + 1}区", en=f"District {i + 1}", level="county",
                    parent=CITY) for i in range(max(shape.counties, 1))]
    schools = []
    for i in range(max(shape.schools, 1 if shape.own_level == "school" else 0)):
        county = counties[i % len(counties)]
        blank = shape.blank_attributes and rng.random() < 0.5
        schools.append(Org(
            code=f"0{county.code}{i + 1:03d}", zh=f"生成第{i + 1}职业学校", en=f"School {i + 1}", level="school",
            parent="990999" if shape.orphans and rng.random() < 0.5 else county.code if rng.random() < 0.8 else CITY,
            county=county.code,
            affiliation="" if blank else rng.choice(("provincial", "municipal", "county")),
            ownership="" if blank and rng.random() < 0.5 else rng.choice(("public", "private")),
            school_type="" if blank and rng.random() < 0.5 else rng.choice(_SCHOOL_TYPES),
            founded=rng.choice((None, None, 1990, 2019)), closed=rng.choice((None, None, None, 2020))))
    own = {"province": province, "city": city, "county": counties[0],
           "school": schools[0] if schools else None}[shape.own_level]
    if shape.own_level == "county":
        counties, schools = counties[:1], [s for s in schools if s.county == counties[0].code]
    elif shape.own_level == "school":
        counties, schools = [c for c in counties if c.code == own.county], [own]
    registry: list[Org] = []
    if shape.registry != "absent":
        registry = [province, city] + [c for c in counties]
        if shape.own_level == "county":
            registry = [province, city, counties[0]]
        if shape.registry == "schools":
            registry += schools
        if shape.own_in_registry == "left_out":
            registry = [o for o in registry if o.code != own.code]
        elif shape.own_in_registry == "other_level" and own.level != "school":
            other = "county" if own.level != "county" else "city"
            registry = [replace(o, level=other) if o.code == own.code else o for o in registry]
    return Units(own=own, registry=registry, counties=counties, schools=schools)


# -- the figures --------------------------------------------------------------------------------
def draw_value(cat, element: str, level: str, rng: random.Random) -> str:
    el = cat.elements[element]
    bounds = cat.bounds(element, level) or (0.0, 10000.0)
    low, high = bounds
    if el.type == "pair":
        first = round(rng.uniform(1, 9), 1)
        return f"{first:g}:{10 - first:g}"
    if el.type == "rate":
        return f"{rng.uniform(0, min(high, 100)):.2f}"
    cap = {"school": 3000, "county": 20000, "city": 60000, "province": 300000}[level]
    top = max(low, min(high, float(cap)))
    if el.type == "count":
        return str(rng.randint(int(low), int(top)))
    return f"{rng.uniform(low, top):.2f}"


def breakdown_rows(cat, element: str, shape: Shape, rng: random.Random) -> list[str]:
    """The dims texts of the breakdown rows of one figure: none, some or every category of each
    of the element's dimensions."""
    if shape.breakdowns == "none":
        return []
    out = []
    for dim in cat.elements[element].dims:
        cats = list((cat.dimensions.get(dim) or {}).get("categories") or {})
        if shape.breakdowns == "some":
            cats = [c for c in cats if rng.random() < 0.5]
        out += [f"{dim}={c}" for c in cats]
    return out


def value_rows(shape: Shape, u: Units, periods: list[int], rng: random.Random, cat=None) -> list[dict]:
    """The rows of values.csv; ``cat`` the catalogue as the dataset sees it (its own additions
    laid over the version)."""
    cat = cat or catalogue_of(shape.version)
    holders: list[tuple[str, str]] = []  # (org_unit column, level)
    if "own" in shape.figure_levels:
        holders.append(("", u.own.level))
    if "county" in shape.figure_levels and u.own.level in ("city", "province"):
        holders += [(c.code, "county") for c in u.counties]
    if "school" in shape.figure_levels and u.own.level != "school":
        holders += [(s.code, "school") for s in u.schools]
    if "above" in shape.figure_levels and u.own.parent:
        holders.append((u.own.parent, LEVELS[min(LEVELS.index(u.own.level) + 1, len(LEVELS) - 1)]))
    rows = []
    elements = shape.elements + ((OWN_ELEMENT,) if shape.own_catalogue == "additions" else ())
    for element in elements:
        if element not in cat.elements:
            continue
        for unit, level in holders:
            for period in periods:
                if len(periods) > 1 and rng.random() < 0.15:
                    continue  # a year left out
                scope = rng.choice(shape.scopes or ("unstated",))
                rows.append({"element": element, "dims": "", "period": period, "scope": scope,
                             "value": draw_value(cat, element, level, rng), "org_unit": unit})
                for dims in breakdown_rows(cat, element, shape, rng):
                    rows.append({"element": element, "dims": dims, "period": period, "scope": scope,
                                 "value": draw_value(cat, element, level if level == "school" else "school", rng),
                                 "org_unit": unit})
    return rows


def claim_rows(shape: Shape, periods: list[int], rng: random.Random) -> list[dict]:
    """Printed figures to check: a figure, a share and a change on the year before, of the
    elements and indicators of the catalogue."""
    cat = catalogue_of(shape.version)
    targets = [e for e in shape.elements if e in cat.elements] + rng.sample(sorted(cat.indicators), 3)
    rows = []
    for target in targets[:6]:
        period = rng.choice(periods)
        unit = (cat.elements[target].unit_zh if target in cat.elements else "") or ""
        form = rng.choice(("value", "percent", "change", "flat"))
        base = ""
        if form == "value":
            stated = f"{rng.randint(0, 50000)}{unit}"
        elif form == "percent":
            stated = f"{rng.uniform(0, 100):.1f}%"
        elif form == "change":
            stated = f"{rng.choice(('增加', '减少'))}{rng.randint(1, 500)}{unit}"
            base = str(period - 1)
        else:
            stated, base = "持平", str(period - 1)
        dims = ""
        if target in cat.elements and cat.elements[target].dims and rng.random() < 0.3:
            dim = rng.choice(cat.elements[target].dims)
            dims = f"{dim}={rng.choice(list(cat.dimensions[dim]['categories']))}"
        rows.append({"target": target, "dims": dims, "period": period, "stated": stated, "location": "1.1",
                     "scope": rng.choice(("", "", "all", "excl_technical")), "base_period": base, "note": "",
                     "form": rng.choice(("", "", "", "chart"))})
    # rows a clerk may get wrong: a breakdown, a target, a scope, a year or a figure the catalogue
    # or the reading does not know
    wrong = [{"dims": "nodim=x"}, {"dims": "affiliation=nope"}, {"dims": "affiliation"}, {"target": "no_such"},
             {"target": "students[nodim=x]"}, {"scope": "nowhere"}, {"period": "二〇二〇"}, {"base_period": "x"},
             {"stated": "约三成"}, {"stated": ""}, {"stated": "7:03"}, {"stated": "增加8.36%"}]
    for change in rng.sample(wrong, rng.randint(0, 3)):
        rows.append({**rows[0], **change} if rows else {"target": "students", "dims": "", "period": periods[-1],
                                                         "stated": "1人", "location": "", "scope": "",
                                                         "base_period": "", "note": "", "form": "", **change})
    return rows


def major_rows(shape: Shape, u: Units, rng: random.Random) -> list[dict]:
    majors = catalogue_of(shape.version).majors or {}
    version = (majors.get("versions") or {}).get(str(majors.get("default", "")), {})
    cats = list(version.get("categories") or {})
    if not cats:
        return []
    return [{"org_unit": s.code, "code": "", "name": f"专业{i}", "category": rng.choice(cats),
             "opened": rng.choice(("", "2010", "2020")), "closed": ""}
            for s in u.schools for i in range(rng.randint(0, 3))]


def narrative_ids(version: str, report_type: str, cat=None) -> list[str]:
    """The narrative files an outline reads: its narrative blocks, and a first case of each
    case block (case-KEY-1)."""
    outline = ((cat or catalogue_of(version)).outline.get("outlines") or {}).get(report_type) or {}
    out: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if "narrative" in node:
                out.append(str(node["narrative"]))
            if "cases" in node and not isinstance(node["cases"], (dict, list)):
                out.append(f"case-{node['cases']}-1")
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(outline.get("parts") or [])
    return list(dict.fromkeys(out))


# placeholders of every form the sentences know (nianbao.report.sentences), E an element or
# indicator, and some they do not: an unknown name, filter or category, a bad year, a lone brace
PLACEHOLDERS = (
    "{year}", "{org}", "{first_year}", "{last_year}", "{publisher}", "{area}", "{county}", "{school_code}",
    "{affiliation}", "{founded}", "{E}", "{E|change}", "{E|plain}", "{E|name}", "{E|period}", "{E|scope}",
    "{E@-1}", "{E@-4|change}", "{E@2019}", "{E#excl_technical}", "{E#all|change}", "{E[D]}", "{E[D]|change}",
    "{E|area}", "{E|rank}", "{E|ranked}", "{未知占位符}", "{E|nofilter}", "{E[nodim=x]}", "{E@abc}", "{", "}",
    "{{E}}", "{E#nowhere}",
)


def placeholder_text(cat, elements, rng: random.Random, n: int = 3) -> str:
    """A text of ``n`` placeholders drawn from PLACEHOLDERS, filled with elements (or
    indicators) of the catalogue and categories of their dimensions."""
    names = list(elements) or ["students"]
    pieces = []
    for form in rng.sample(PLACEHOLDERS, n):
        code = rng.choice(names + [rng.choice(sorted(cat.indicators))])
        el = cat.elements.get(code)
        dim = rng.choice(el.dims) if el is not None and el.dims else "affiliation"
        cats = list((cat.dimensions.get(dim) or {}).get("categories") or {"x": {}})
        pieces.append(form.replace("E", code).replace("D", f"{dim}={rng.choice(cats)}"))
    return "，".join(pieces)


def narrative_text(name: str, shape: Shape, rng: random.Random) -> str:
    """A narrative with placeholders: the year, figures of the elements in several forms, sometimes
    names the outline does not know."""
    figures = placeholder_text(catalogue_of(shape.version), shape.elements, rng, rng.randint(0, 3))
    body = "{year}年，全年工作稳步推进。" + (figures + "。" if figures else "")
    return f"# 案例：{name}\n\n{body}\n" if name.startswith("case-") else body + "\n"


def own_catalogue(shape: Shape, rng: random.Random) -> dict[str, dict]:
    """The dataset's catalogue/*.yaml (file name → content): an element with a breakdown, an
    indicator of it and a section of the outline with a sentence and a narrative; or a clash."""
    if shape.own_catalogue == "none":
        return {}
    if shape.own_catalogue == "clash":
        return {"elements.yaml": {"students": {"zh": "学生", "type": "rate"}}}
    cat = catalogue_of(shape.version)
    outline = (cat.outline.get("outlines") or {}).get(shape.report_type) or {}
    parts = outline.get("parts") or [{"id": "1"}]
    part = rng.choice(parts)
    optional = rng.random() < 0.5
    sentence = {"zh": "{year}年，本地培训" + placeholder_text(cat, (OWN_ELEMENT, OWN_INDICATOR) + shape.elements, rng)
                + "。", "en": "In {year}, {" + OWN_ELEMENT + "|plain} trainees."}
    return {
        "elements.yaml": {OWN_ELEMENT: {"zh": "本地培训人数", "en": "local trainees", "unit": {"zh": "人", "en": "persons"},
                                        "type": "count", "range": "persons", "period_type": "calendar_year",
                                        "dims": ["affiliation"], "source": "生成数据"}},
        "indicators.yaml": {OWN_INDICATOR: {"zh": "本地培训人数占在校生比例", "en": "local trainees per student",
                                            "numerator": OWN_ELEMENT, "denominator": "students", "factor": 100,
                                            "unit": {"zh": "%", "en": "%"}, "format": {"style": "percent", "decimals": 2},
                                            "source": "生成数据"}},
        "outline.yaml": {"outlines": {shape.report_type: {
            "parts": [{**({"id": "own", "zh": "本地篇", "en": "Local part"} if rng.random() < 0.3
                          else {"id": str(part["id"])}), "sections": [{
                "id": OWN_SECTION, "zh": "本地特色", "en": "Local", "blocks": [
                    {"sentence": "own_sentence", **({"optional": True} if optional else {})},
                    {"narrative": OWN_SECTION, "optional": True}]}]}],
            "sentences": {"own_sentence": sentence}}}},
    }


def _write_csv(path: Path, columns, rows) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(columns))
        w.writeheader()
        w.writerows(rows)


def write_dataset(shape: Shape, folder: str | Path) -> Path:
    """Write the dataset folder of ``shape`` into ``folder`` (made if missing)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(shape.seed)
    u = units(shape, rng)
    years = report_years(shape.version)
    report_year = years[shape.seed % len(years)]
    periods = list(range(report_year - shape.years + 1, report_year + 1))
    if shape.periods == "without_report_year":
        periods = [p - 1 for p in periods]
    meta = {
        "title_zh": f"{u.own.zh}中等职业教育质量年度报告（{report_year}年度，生成数据）",
        "org_unit": {"code": u.own.code, "zh": u.own.zh, "en": u.own.en, "level": u.own.level,
                     "parent": u.own.parent},
        "publisher_zh": f"{u.own.zh}教育局（生成数据）",
        "report_year": report_year, "periods": periods, "catalogue": shape.version,
        "report_type": shape.report_type, "synthetic": True,
        **({"engine": shape.engine} if shape.engine != "python" else {}),
        "generated_by": "nianbao.synth.shapes " + ", ".join(f"{k}={v}" for k, v in asdict(shape).items()),
    }
    if shape.meta == "minimal":
        meta = {"org_unit": {"code": u.own.code, "zh": u.own.zh, "level": u.own.level}, "report_year": report_year}
    (folder / "dataset.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
    if u.registry:
        write_orgs(folder / "orgs.csv", u.registry)
    for name, content in own_catalogue(shape, rng).items():
        (folder / "catalogue").mkdir(exist_ok=True)
        (folder / "catalogue" / name).write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False),
                                                 encoding="utf-8")
    try:
        cat = cat_mod.for_dataset(shape.version, folder)
    except cat_mod.CatalogueError:
        cat = catalogue_of(shape.version)  # a clash: the dataset cannot be opened; its rows are the version's
    _write_csv(folder / "values.csv", ("element", "dims", "period", "scope", "value", "source", "note", "org_unit"),
               [{**r, "source": SOURCE, "note": ""} for r in value_rows(shape, u, periods, rng, cat)])
    if shape.claims:
        _write_csv(folder / "claims.csv", ("target", "dims", "period", "stated", "location", "scope", "base_period",
                                           "note", "form"), claim_rows(shape, periods, rng))
    if shape.majors and u.registry and u.schools:
        _write_csv(folder / "majors.csv", ("org_unit", "code", "name", "category", "opened", "closed"),
                   major_rows(shape, u, rng))
    if shape.narratives != "none":
        (folder / "narrative").mkdir(exist_ok=True)
        for name in narrative_ids(shape.version, shape.report_type, cat):
            if shape.narratives == "all" or rng.random() < 0.5:
                (folder / "narrative" / f"{name}.md").write_text(narrative_text(name, shape, rng),
                                                                 encoding="utf-8")
        if u.schools and u.own.level != "school":  # a school's own texts, for its school report
            own = folder / "narrative" / u.schools[0].code
            own.mkdir(exist_ok=True)
            for name in narrative_ids(shape.version, "school", cat):
                if shape.narratives == "all" or rng.random() < 0.5:
                    (own / f"{name}.md").write_text(narrative_text(name, shape, rng), encoding="utf-8")
    return folder


def random_shape(rng: random.Random) -> Shape:
    """A shape drawn at random (the command line's; the property test draws its own)."""
    version = rng.choice(VERSIONS)
    elements = element_codes(version)
    return Shape(
        version=version, report_type=rng.choice(report_types(version)), own_level=rng.choice(LEVELS),
        years=rng.randint(1, 5), registry=rng.choice(REGISTRIES), counties=rng.randint(1, 3),
        schools=rng.randint(0, 4),
        figure_levels=tuple(sorted({lv for lv in FIGURE_LEVELS if rng.random() < 0.5})),
        elements=tuple(rng.sample(elements, rng.randint(0, min(12, len(elements))))),
        breakdowns=rng.choice(BREAKDOWNS), scopes=tuple(sorted(set(rng.sample(SCOPES, rng.randint(1, 3))))),
        narratives=rng.choice(NARRATIVES), claims=rng.random() < 0.5, majors=rng.random() < 0.5,
        blank_attributes=rng.random() < 0.3, own_in_registry=rng.choice(OWN_IN_REGISTRY), meta=rng.choice(META),
        periods=rng.choice(PERIODS), engine=rng.choice(ENGINES), orphans=rng.random() < 0.2,
        own_catalogue=rng.choice(OWN_CATALOGUE + ("none", "additions")),
        seed=rng.randint(0, 10**6))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m nianbao.synth.shapes",
                                description="生成各种形态的数据集文件夹 / dataset folders of every shape")
    p.add_argument("-o", "--output", required=True, help="输出文件夹 / output folder")
    p.add_argument("--count", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    rng = random.Random(args.seed)
    for i in range(args.count):
        shape = random_shape(rng)
        folder = write_dataset(shape, Path(args.output) / f"shape-{i:03d}")
        print(f"{folder}: {' '.join(shape.tags())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
