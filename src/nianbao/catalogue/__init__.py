"""The catalogue (目录): the domain as data, versioned by outline year.

Each version is a folder beside this module (``cn-2016``: the 2016–2021 outline) of YAML files:
``catalogue.yaml`` (id, names, scopes and period types; ``extends`` names the version it builds
on), ``dimensions.yaml`` (disaggregations), ``elements.yaml`` (data elements),
``indicators.yaml`` (numerator/denominator definitions), ``outline.yaml`` (report outlines,
tables, charts, sentences), ``rules.yaml`` (check rules), ``standards.yaml`` (school
standards), ``majors.yaml`` (专业目录), ``aggregation.yaml`` (how figures roll up),
``workbook.yaml`` (the school workbook), ``annex.yaml`` (the indicator tables printed at the end
of a report, from cn-2022 on), ``plan.yaml`` (what closes a school's gap to a standard: the
达标 plan) and ``records.yaml`` (the record-level files of students and graduates, and which
elements are counted from them). Code interprets these files; it does not contain the domain.

**Versions extend each other.** A version whose ``catalogue.yaml`` says ``extends: cn-2016``
holds only what changes: each of its files is laid over the parent's file of the same name, a
file it lacks is the parent's. The parent is looked up beside the version (in the same root
folder), then among the package's versions; an unknown parent or a cycle is an error.

**A dataset extends the version it names.** The YAML files of a dataset's ``catalogue/`` folder
(same names as a version's: ``elements.yaml``, ``indicators.yaml``, ``rules.yaml`` …) are laid
over the version that ``dataset.yaml`` names (``catalogue: cn-2016``) by the same rules, but
strictly: a dataset adds entries, and an entry that differs from the version's is a clash (an
error naming the file and the entry) unless it says ``$override: true``.

The merge rules (nianbao.catalogue.merge):

* mappings merge by key (a new key is added, a key both have is merged field by field);
* a value (text, number, true/false, null) replaces the parent's;
* lists of mappings that all carry ``code`` (rules), else ``id`` (outline parts and sections,
  criteria, workbook sheets), else ``key`` (workbook fields) merge item by item by that field;
  a new item is appended or placed with ``$after: KEY`` / ``$before: KEY``; other lists
  (``dims``, ``columns``, a section's ``blocks``, ``breakdowns``) are replaced whole;
* ``$replace: true`` takes an entry (or, at its top, a whole file) as written instead of
  merging it; ``$drop: true`` removes an entry or a keyed item (dropping what is not there is
  an error); keys starting with ``$`` are these directives, never data.

**Definitions that change.** An element or indicator whose definition changed between versions
says so with ``definition_changed: {version: cn-2022, from: employment_rate, zh: …, en: …}``
(``year:`` instead of ``version:`` gives the first year of the new definition; a version's is
its ``valid_from``; a list gives several breaks). The figures on either side of a break are
never compared: an indicator breaks where any element of its formula does
(``Catalogue.definition_break``).

**The version in force.** Each version says from which year it serves (``valid_from``). A
dataset names the newest version its figures need (cn-2023 for 2021–2024); a report, a
workbook or a check of an earlier year follows the version in force that year
(``Catalogue.in_force``): a 2022年度 report of a cn-2023 dataset has cn-2022's outline, annex
and workbook, while every element of cn-2023 stays known (figures of elements an older outline
does not ask for are simply not printed).

After the merge the catalogue is checked as a whole (every formula's elements and dimensions
defined, no indicator named like an element), each problem naming the file that set the entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from nianbao.catalogue import cache, sources
from nianbao.catalogue import merge as merge_mod
from nianbao.catalogue import plan as plan_mod
from nianbao.catalogue import records as records_mod
from nianbao.catalogue.errors import CatalogueError
from nianbao.catalogue.sources import FILES, HERE, META, Merged, available  # noqa: F401
from nianbao.core import formula


@dataclass(frozen=True)
class DefinitionChange:
    """A break in the definition of an element or indicator: figures of years before ``year``
    are not comparable with those from ``year`` on. ``version`` is the catalogue version that
    brought the new definition, ``from_code`` the element or indicator it takes the place of
    (or ""), ``zh``/``en`` what changed, in words."""
    code: str
    year: int
    version: str = ""
    from_code: str = ""
    zh: str = ""
    en: str = ""


@dataclass(frozen=True)
class Element:
    code: str
    zh: str
    en: str
    unit_zh: str
    unit_en: str
    type: str
    period_type: str
    dims: tuple[str, ...]
    source: str
    definition: str = ""
    range: str = ""  # the kind of quantity whose plausible range applies (catalogue.yaml ranges)
    definition_changed: tuple[DefinitionChange, ...] = ()

    @property
    def is_reported_rate(self) -> bool:
        return self.code.endswith("_reported")


@dataclass(frozen=True)
class Indicator:
    code: str
    zh: str
    en: str
    numerator: str
    denominator: str | None
    factor: float
    unit_zh: str
    unit_en: str
    style: str
    decimals: int
    definition: str
    source: str
    scope: str | None = None
    fallback: str | None = None
    derived: bool = True  # False for the implicit indicator of a data element
    definition_changed: tuple[DefinitionChange, ...] = ()

    @property
    def numerator_ast(self):
        return formula.parse(self.numerator)

    @property
    def denominator_ast(self):
        return formula.parse(self.denominator) if self.denominator else None


@dataclass
class Catalogue:
    id: str
    meta: dict[str, Any]
    dimensions: dict[str, dict]
    elements: dict[str, Element]
    indicators: dict[str, Indicator]
    outline: dict[str, Any] = field(default_factory=dict)
    rules: list[dict] = field(default_factory=list)
    standards: dict[str, Any] = field(default_factory=dict)
    majors: dict[str, Any] = field(default_factory=dict)
    aggregation: dict[str, Any] = field(default_factory=dict)
    workbook: dict[str, Any] = field(default_factory=dict)
    annex: dict[str, Any] = field(default_factory=dict)  # indicator tables (附件), from cn-2022
    plan: dict[str, Any] = field(default_factory=dict)  # the 达标 plan: what closes which criterion
    records: records_mod.Records = field(default_factory=records_mod.Records)  # record files, elements counted
    path: Path | None = None  # the version's folder
    lineage: tuple[str, ...] = ()  # this version, then the versions it extends
    sources: tuple[str, ...] = ()  # every file merged, eldest first (a dataset's own files last)

    def bounds(self, element: str, level: str) -> tuple[float, float] | None:
        """The plausible range (low, high) of an element's figure for a unit of ``level``
        (school, county, city, province, country): the range of its kind of quantity, whose
        upper bound, for an additive kind, is one school's times the schools such a unit may
        hold (catalogue.yaml ``ranges``). None for an element without a range."""
        el = self.elements.get(element)
        ranges = self.meta.get("ranges") or {}
        kind = (ranges.get("kinds") or {}).get(el.range) if el is not None and el.range else None
        if kind is None:
            return None
        low, high = float(kind.get("min", 0)), float(kind["max"])
        if kind.get("additive"):
            per = ranges.get("schools_per_unit") or {}
            high *= float(per.get(level, max(per.values(), default=1)))
        return low, high

    def scope_label(self, scope: str, lang: str = "zh") -> str:
        s = self.meta.get("scopes", {}).get(scope)
        return s[lang] if s else scope

    def period_label(self, period_type: str, year: int, lang: str = "zh") -> str:
        tpl = self.meta["period_types"][period_type][lang]
        return tpl.format(year=year, prev=year - 1)

    def category_label(self, dim: str, cat: str, lang: str = "zh") -> str:
        return self.dimensions[dim]["categories"][cat][lang]

    def ref_label(self, ref: formula.Ref, lang: str = "zh") -> str:
        """Human name of an element reference, e.g. 专任教师数（硕士）."""
        el = self.elements.get(ref.element)
        name = (el.zh if lang == "zh" else el.en) if el else ref.element
        if ref.dims:
            cats = "、".join(self.category_label(d, c, lang) for d, c in ref.dims)
            name += f"（{cats}）" if lang == "zh" else f" ({cats})"
        return name

    def definition_breaks(self, code: str) -> tuple[DefinitionChange, ...]:
        """The definition changes a figure of ``code`` is subject to: its own and, for an
        indicator, those of every element of its formula (and of its fallback), by year."""
        ind = self.indicators.get(code)
        if ind is None:
            return ()
        found = list(ind.definition_changed)
        if ind.derived:
            asts = [ind.numerator_ast] + ([ind.denominator_ast] if ind.denominator else [])
            codes = [r.element for a in asts for r in formula.refs(a)] + ([ind.fallback] if ind.fallback else [])
            for c in dict.fromkeys(codes):
                el = self.elements.get(c)
                if el is not None:
                    found.extend(el.definition_changed)
        return tuple(sorted(dict.fromkeys(found), key=lambda b: (b.year, b.code)))

    def definition_break(self, code: str, a: int, b: int) -> DefinitionChange | None:
        """The first definition change between years ``a`` and ``b`` (the later year under the
        new definition, the earlier under the old), or None when the two are comparable."""
        lo, hi = min(a, b), max(a, b)
        return next((c for c in self.definition_breaks(code) if lo < c.year <= hi), None)

    def version_in_force(self, year: int) -> str:
        """The version of this catalogue's lineage in force in ``year``: the newest whose
        ``valid_from`` is not after it (a version without ``valid_from`` is in force in every
        year); before the eldest version's first year, the eldest."""
        base = self.__dict__.get("_base", self)
        for version in base.lineage:
            start = _valid_from(version, base.path)
            if start is None or start <= int(year):
                return version
        return base.lineage[-1] if base.lineage else base.id

    def in_force(self, year: int) -> "Catalogue":
        """This catalogue as the version in force in ``year`` serves it (``as_version``)."""
        return self.as_version(self.version_in_force(year))

    def as_version(self, version: str) -> "Catalogue":
        """This catalogue as ``version`` (itself or a version it extends) serves it: the outlines,
        the indicator tables (annex), the school workbook and the version's names are that
        version's (a dataset's own outline.yaml, annex.yaml and workbook.yaml laid over them),
        while the elements, indicators, dimensions and rules stay this catalogue's — so the
        figures of a newer version in the data are known (and simply not printed) in an older
        year's report. The catalogue itself for its own version; made once; never change it."""
        base = self.__dict__.get("_base", self)
        if not base.lineage or version == base.lineage[0]:
            return base
        if version not in base.lineage:
            raise CatalogueError(f"目录版本 {version} 不是 {base.id} 或它扩展的版本（{' → '.join(base.lineage)}）",
                                 f"catalogue version {version} is neither {base.id} nor a version it extends",
                                 hint=f"写 {'、'.join(base.lineage)} 之一，或去掉 outline_version（按报告年度选用）")
        made = base.__dict__.setdefault("_in_force", {})
        if version not in made:
            made[version] = _view(base, version)
        return made[version]

    def indicator(self, code: str) -> Indicator:
        try:
            return self.indicators[code]
        except KeyError:
            raise CatalogueError(f"目录中没有指标 {code!r} / unknown indicator {code!r}") from None


# the parts of a catalogue that follow the version in force in the report year (Catalogue.in_force)
YEAR_FILES = ("outline.yaml", "annex.yaml", "workbook.yaml")
# the entries of catalogue.yaml that name and date a version
VERSION_KEYS = ("name_zh", "name_en", "valid_from", "valid_to", "notice_zh", "notice_en", "notice_source",
                "report_types", "extends")


def _valid_from(version: str, folder: Path | None) -> int | None:
    where = sources.version_dir(version, folder.parent if folder else None)
    start = (sources.read_yaml(where / META) or {}).get("valid_from") if where else None
    try:
        return int(start) if start is not None else None
    except (TypeError, ValueError):
        return None


def _view(base: "Catalogue", version: str) -> "Catalogue":
    """``base`` with the outlines, annex, workbook and names of ``version`` (one it extends)."""
    root = str(base.path.parent) if base.path else None
    m = sources.merged_version(version, root)
    own = [s for s in base.sources[len(sources.merged_version(base.lineage[0], root).sources):]]
    data = {f: m.data.get(f) for f in YEAR_FILES}
    for name in own:  # a dataset's own files, laid over the older version as over its own
        path = Path(name)
        if path.name in YEAR_FILES:
            layer = merge_mod.Layer(file=name, base=version, strict=True)
            content = sources.read_yaml(path)
            data[path.name] = (merge_mod.merge(data[path.name], content, layer) if data[path.name] is not None
                               else merge_mod.clean(content, layer))
    meta = {k: v for k, v in base.meta.items() if k not in VERSION_KEYS}
    meta.update({k: v for k, v in (m.data.get(META) or {}).items() if k in VERSION_KEYS})
    meta["id"] = version
    view = replace(base, id=version, meta=meta, outline=data["outline.yaml"] or {}, annex=data["annex.yaml"] or {},
                   workbook=data["workbook.yaml"] or {}, lineage=m.lineage)
    view.__dict__["_base"] = base
    return view


_ELEMENT_STYLE = {"count": ("number", 0), "amount": ("auto", 2), "mean": ("number", 0),
                  "rate": ("percent", 2), "pair": ("pair10", 1)}


def _element_indicator(el: Element) -> Indicator:
    style, decimals = _ELEMENT_STYLE.get(el.type, ("auto", 2))
    return Indicator(code=el.code, zh=el.zh, en=el.en, numerator=el.code, denominator=None,
                     factor=1, unit_zh=el.unit_zh, unit_en=el.unit_en, style=style,
                     decimals=decimals, definition=el.definition or el.zh, source=el.source,
                     derived=False, definition_changed=el.definition_changed)


# how figures roll up where a version has no aggregation.yaml
DEFAULT_AGGREGATION = {"scopes": {"all": {}, "excl_technical": {"exclude_school_types": ["technical"]}},
                       "breakdowns": ["affiliation", "ownership", "school_type", "county"],
                       "registry_counts": {"schools": {}}}


def load(version: str = "cn-2016", root: str | Path | None = None) -> Catalogue:
    """A catalogue version (a folder name such as ``cn-2016``) with the versions it extends,
    checked. ``root`` is a folder of version folders looked in before the package's own. The
    result is shared (loaded once per process): never change it."""
    return _load(version, str(root) if root else None)


@lru_cache(maxsize=16)
def _load(version: str, root: str | None) -> Catalogue:
    return cache.cached(version, root, lambda: build(sources.merged_version(version, root)))


def for_dataset(version: str, dataset_path: str | Path, root: str | Path | None = None) -> Catalogue:
    """The catalogue of a dataset: ``version`` with the dataset's own ``catalogue/*.yaml`` laid
    over it (strictly: additions, and changes marked ``$override``); without such a folder the
    version itself. Read again when one of the dataset's files changes."""
    folder = Path(dataset_path) / "catalogue"
    if not folder.is_dir():
        return load(version, root)
    files = sources.dataset_files(folder)
    stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    return _for_dataset(version, str(root) if root else None, stamp)


@lru_cache(maxsize=16)
def _for_dataset(version: str, root: str | None, stamp: tuple) -> Catalogue:
    files = tuple(p for p, _, _ in stamp)
    return cache.cached(version, root, lambda: build(sources.merged_dataset(version, root, files)), files)


def _required(m: Merged, file: str) -> Any:
    if file not in m.data:
        raise CatalogueError(f"目录版本 {m.lineage[0]} 缺少文件 {file}（它扩展的版本中也没有）",
                             f"catalogue version {m.lineage[0]} has no {file}, nor do the versions it extends",
                             file=str(m.folder / file))
    return m.data[file]


def build(m: Merged) -> Catalogue:
    """The Catalogue of merged files, every reference checked; a problem names the file that
    set the entry at fault."""
    def at(file: str, code: str) -> str:
        return m.origin.get((file, code), file)

    meta = _required(m, META) or {}
    majors = m.data.get("majors.yaml") or {}
    dims = {}
    for code, d in (_required(m, "dimensions.yaml") or {}).items():
        d = _dimension_kind(code, d, at("dimensions.yaml", code))
        if d.get("categories_from") == "majors":  # e.g. 专业大类: the categories of every version
            d = {**d, "categories": {c: dict(v) for ver in (majors.get("versions") or {}).values()
                                     for c, v in (ver.get("categories") or {}).items()}}
        dims[code] = d
    elements = {}
    for code, e in (_required(m, "elements.yaml") or {}).items():
        where = at("elements.yaml", code)
        for d in e.get("dims", []) or []:
            if d not in dims:
                raise CatalogueError(f"数据元素 {code} 引用了未定义的分组 {d}",
                                     f"element {code} names an undefined dimension {d}",
                                     hint="在 dimensions.yaml 中定义该分组，或改正分组代码", file=where)
        try:
            elements[code] = Element(
                code=code, zh=e["zh"], en=e["en"], unit_zh=e["unit"]["zh"], unit_en=e["unit"]["en"],
                type=e["type"], period_type=e["period_type"], dims=tuple(e.get("dims", []) or []),
                source=e.get("source", ""), definition=e.get("definition", ""), range=str(e.get("range") or ""),
                definition_changed=_changes(m, code, e.get("definition_changed"), where))
        except (KeyError, TypeError) as exc:
            raise _incomplete("数据元素", "element", code, exc, where,
                              "zh、en、unit（zh、en）、type、period_type") from None
    kinds = (meta.get("ranges") or {}).get("kinds") or {}
    for code, el in elements.items():
        if el.range and el.range not in kinds:
            raise CatalogueError(f"数据元素 {code} 的取值范围 {el.range} 未在 catalogue.yaml 的 ranges 中定义",
                                 f"element {code} names an undefined range kind {el.range}",
                                 hint="在 catalogue.yaml 的 ranges.kinds 中定义它，或改用已有的类别",
                                 file=at("elements.yaml", code))
    indicators = {code: _element_indicator(el) for code, el in elements.items()}
    for code, i in (_required(m, "indicators.yaml") or {}).items():
        where = at("indicators.yaml", code)
        if code in elements:
            raise CatalogueError(f"指标代码 {code} 与数据元素重名",
                                 f"indicator {code} has the code of a data element",
                                 hint="给指标另起一个代码", file=where)
        try:
            ind = Indicator(
                code=code, zh=i["zh"], en=i["en"], numerator=i["numerator"],
                denominator=i.get("denominator"), factor=float(i.get("factor", 1)),
                unit_zh=i["unit"]["zh"], unit_en=i["unit"]["en"], style=i["format"]["style"],
                decimals=int(i["format"].get("decimals", 2)), definition=i.get("definition", ""),
                source=i.get("source", ""), scope=i.get("scope"), fallback=i.get("fallback"),
                definition_changed=_changes(m, code, i.get("definition_changed"), where))
            asts = [ind.numerator_ast] + ([ind.denominator_ast] if ind.denominator else [])
        except CatalogueError:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise _incomplete("指标", "indicator", code, exc, where,
                              "zh、en、numerator、unit（zh、en）、format（style）") from None
        for ast in asts:
            for ref in formula.refs(ast):
                if ref.element not in elements:
                    raise CatalogueError(f"指标 {code} 的公式引用了未定义的数据元素 {ref.element}",
                                         f"indicator {code} names an undefined element {ref.element}",
                                         hint="在 elements.yaml 中定义该数据元素，或改正公式", file=where)
                for d, c in ref.dims:
                    if d not in elements[ref.element].dims or c not in dims[d]["categories"]:
                        raise CatalogueError(f"指标 {code} 的公式引用了未定义的分组 {d}={c}",
                                             f"indicator {code} names an undefined breakdown {d}={c}",
                                             hint="分组须是该数据元素的 dims 之一，类别须在 dimensions.yaml 中", file=where)
        if ind.fallback and ind.fallback not in elements:
            raise CatalogueError(f"指标 {code} 的 fallback {ind.fallback} 未定义",
                                 f"indicator {code}: fallback {ind.fallback} is not an element", file=where)
        indicators[code] = ind
    for code, item in list(elements.items()) + list(indicators.items()):
        for c in item.definition_changed:
            if c.from_code and c.from_code not in indicators:
                raise CatalogueError(f"{code} 的 definition_changed 所写的 from {c.from_code} 不是数据元素或指标",
                                     f"{code}: definition_changed names {c.from_code} (from), which is neither an "
                                     f"element nor an indicator", hint="from 写被取代的数据元素或指标的代码，或省去",
                                     file=at("indicators.yaml" if code in (m.data.get("indicators.yaml") or {})
                                             else "elements.yaml", code))
    _check_outlines(m.data.get("outline.yaml") or {}, at("outline.yaml", "outlines"))
    return Catalogue(
        id=meta.get("id", m.lineage[0]), meta=meta, dimensions=dims, elements=elements,
        indicators=indicators, outline=m.data.get("outline.yaml") or {},
        rules=m.data.get("rules.yaml") or [], standards=m.data.get("standards.yaml") or {},
        majors=majors, aggregation=m.data.get("aggregation.yaml") or DEFAULT_AGGREGATION,
        workbook=m.data.get("workbook.yaml") or {}, annex=m.data.get("annex.yaml") or {},
        plan=plan_mod.check(m.data.get(plan_mod.FILE), elements, dims, m.data.get("standards.yaml"),
                            lambda entry: _plan_origin(m, entry)), records=records_mod.parse(m.data.get("records.yaml"), elements, dims, lambda c: at("records.yaml", c)),
        path=m.folder, lineage=m.lineage, sources=m.sources)


def _plan_origin(m: Merged, entry: str) -> str:
    """The file that set an entry of plan.yaml (``closes/X``), else its section, else the last
    plan.yaml read."""
    for key in (entry, entry.split("/")[0]):
        if (plan_mod.FILE, key) in m.origin:
            return m.origin[(plan_mod.FILE, key)]
    return next((s for s in reversed(m.sources) if Path(s).name == plan_mod.FILE), plan_mod.FILE)


def _check_outlines(outline: dict, where: str) -> None:
    """Every report type of outline.yaml is a mapping whose parts and sections each have an
    ``id`` written as text and a Chinese heading ``zh``, and whose blocks are mappings: what the
    report builder reads without asking."""
    def bad(zh: str, en: str, hint: str) -> CatalogueError:
        return CatalogueError(zh, en, hint=hint, file=where)

    outlines = outline.get("outlines") or {}
    if not isinstance(outlines, dict):
        raise bad("outline.yaml 的 outlines 应为映射（报告类型 → 提纲）", "outline.yaml: outlines must be a mapping",
                  "每个报告类型写成 类型代码: {zh: …, parts: [...]}")
    for rtype, o in outlines.items():
        if not isinstance(o, dict) or not isinstance(o.get("parts") or [], list):
            raise bad(f"报告类型 {rtype} 应为映射，其 parts 为列表", f"report type {rtype} must be a mapping with a list of parts",
                      "按 outline.yaml 开头的说明书写提纲")
        for part in o.get("parts") or []:
            items = [("部分", "part", part)] + [("节", "section", sec) for sec in
                                                (part.get("sections") or [] if isinstance(part, dict) else [])]
            for zh, en, item in items:
                ident = item.get("id") if isinstance(item, dict) else None
                if not isinstance(ident, str) or not ident or not item.get("zh"):
                    raise bad(f"报告类型 {rtype} 的{zh} {ident if ident is not None else item!r} 缺少文字的 id 或标题 zh",
                              f"report type {rtype}: {en} {ident if ident is not None else item!r} needs an id "
                              "written as text and a heading zh",
                              "每个部分和节写 id（加引号，如 \"1.5\"）与 zh（标题）；扩展已有部分时 id 须与目录中的相同")
                blocks = item.get("blocks") or []
                if not isinstance(blocks, list) or not all(isinstance(blk, dict) for blk in blocks):
                    raise bad(f"报告类型 {rtype} 的{zh} {ident} 的 blocks 应为列表，每项如 sentence: 键",
                              f"report type {rtype}: the blocks of {en} {ident} must be a list of mappings",
                              "blocks 的每一项写成 - sentence: 键、- table: 键、- narrative: 编号 等")


def _changes(m: Merged, code: str, spec, where: str) -> tuple[DefinitionChange, ...]:
    """The ``definition_changed`` entries of an element or indicator: one mapping or a list, each
    with ``year`` or ``version`` (a version this catalogue is or extends: its ``valid_from``)."""
    if not spec:
        return ()
    out = []
    for item in spec if isinstance(spec, list) else [spec]:
        if not isinstance(item, dict):
            raise CatalogueError(f"{code} 的 definition_changed 应为映射（year 或 version、from、zh、en）",
                                 f"{code}: definition_changed must be a mapping (year or version, from, zh, en)",
                                 file=where)
        version = str(item.get("version") or "")
        year = item.get("year")
        if year is None and version:
            if version not in m.lineage:
                raise CatalogueError(f"{code} 的 definition_changed 所写的版本 {version} 不在本目录的版本链中"
                                     f"（{' → '.join(m.lineage)}）",
                                     f"{code}: definition_changed names version {version}, which this catalogue "
                                     f"neither is nor extends", file=where)
            folder = sources.version_dir(version, m.folder.parent)
            year = (sources.read_yaml(folder / META) or {}).get("valid_from") if folder else None
        try:
            year = int(year)
        except (TypeError, ValueError):
            raise CatalogueError(f"{code} 的 definition_changed 缺少 year（新定义的第一年）或带 valid_from 的 version",
                                 f"{code}: definition_changed needs year (the first year of the new definition) "
                                 f"or a version with valid_from", file=where) from None
        out.append(DefinitionChange(code=code, year=year, version=version, from_code=str(item.get("from") or ""),
                                    zh=str(item.get("zh") or ""), en=str(item.get("en") or "")))
    return tuple(out)


# How the categories of a dimension relate to the element's total (``kind:`` in dimensions.yaml):
# ``breakdown`` — they make the total (checked: their sum is the total); ``part`` — 其中, each is
# a part of the total (checked: none exceeds it), never added up; ``overlapping`` — a unit may be
# in several (honours and ranks: 国家级重点, 示范校, 星级), never added up, never checked against
# the total. ``complete: true`` / ``false`` (the older form) mean breakdown / part.
DIMENSION_KINDS = {"breakdown": True, "part": False, "overlapping": False}


def _dimension_kind(code: str, d: dict, where: str) -> dict:
    """A dimension with ``kind`` and ``complete`` both set and consistent."""
    if not isinstance(d, dict):
        raise CatalogueError(f"分组 {code} 应为映射（zh、en、kind、categories）",
                             f"dimension {code} must be a mapping (zh, en, kind, categories)", file=where)
    kind = d.get("kind")
    if kind is None:
        kind = "breakdown" if d.get("complete") else "part"
    if kind not in DIMENSION_KINDS:
        raise CatalogueError(f"分组 {code} 的 kind “{kind}” 无效",
                             f"dimension {code}: unknown kind {kind!r}",
                             hint="kind 填 breakdown（各类之和为合计）、part（其中，部分）或 overlapping"
                                  "（类别相互重叠，如荣誉、等级，不相加）", file=where)
    if "complete" in d and bool(d["complete"]) != DIMENSION_KINDS[kind]:
        raise CatalogueError(f"分组 {code} 的 kind: {kind} 与 complete: {d['complete']} 相矛盾",
                             f"dimension {code}: kind {kind} contradicts complete: {d['complete']}",
                             hint="只写 kind（complete 可删去）", file=where)
    return {**d, "kind": kind, "complete": DIMENSION_KINDS[kind]}


def additive(catalogue, dim: str) -> bool:
    """Whether the categories of ``dim`` add up to the total (a breakdown, not 其中 or overlapping)."""
    return (catalogue.dimensions.get(dim) or {}).get("kind") == "breakdown"


def _incomplete(what_zh: str, what_en: str, code: str, exc: Exception, where: str, needed: str) -> CatalogueError:
    missing = exc.args[0] if isinstance(exc, KeyError) else exc
    return CatalogueError(f"{what_zh} {code} 不完整：缺少或写错 {missing}",
                          f"{what_en} {code} is incomplete: {missing} missing or malformed",
                          hint=f"{what_zh}需要 {needed}", file=where)
