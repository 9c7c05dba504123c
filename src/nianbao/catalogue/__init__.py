"""The catalogue (目录): the domain as data, versioned by outline year.

Each version is a folder of YAML files beside this module: ``catalogue.yaml`` (scopes and
period types), ``dimensions.yaml`` (disaggregations), ``elements.yaml`` (data elements),
``indicators.yaml`` (numerator/denominator definitions), ``outline.yaml`` (report outline,
tables, charts, sentences) and, where present, ``rules.yaml``, ``standards.yaml`` and
``majors.yaml``. Code interprets these files; it does not contain the domain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from nianbao.core import formula
from nianbao.core.errors import NianbaoError

HERE = Path(__file__).parent


class CatalogueError(NianbaoError, ValueError):
    """A catalogue file that is missing or inconsistent."""


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
    path: Path | None = None

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

    def indicator(self, code: str) -> Indicator:
        try:
            return self.indicators[code]
        except KeyError:
            raise CatalogueError(f"目录中没有指标 {code!r} / unknown indicator {code!r}") from None


def _load_yaml(path: Path, required: bool = True):
    if not path.exists():
        if required:
            raise CatalogueError(f"目录文件缺失 / catalogue file missing: {path}")
        return None
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


_ELEMENT_STYLE = {"count": ("number", 0), "amount": ("auto", 2), "mean": ("number", 0),
                  "rate": ("percent", 2), "pair": ("pair10", 1)}


def _element_indicator(el: Element) -> Indicator:
    style, decimals = _ELEMENT_STYLE.get(el.type, ("auto", 2))
    return Indicator(code=el.code, zh=el.zh, en=el.en, numerator=el.code, denominator=None,
                     factor=1, unit_zh=el.unit_zh, unit_en=el.unit_en, style=style,
                     decimals=decimals, definition=el.definition or el.zh, source=el.source,
                     derived=False)


# how figures roll up where a version has no aggregation.yaml
DEFAULT_AGGREGATION = {"scopes": {"all": {}, "excl_technical": {"exclude_school_types": ["technical"]}},
                       "breakdowns": ["affiliation", "ownership", "school_type", "county"],
                       "registry_counts": {"schools": {}}}


def available() -> list[str]:
    return sorted(p.name for p in HERE.iterdir() if (p / "catalogue.yaml").exists())


@lru_cache(maxsize=8)
def load(version: str = "cn-2016", root: str | None = None) -> Catalogue:
    """Load a catalogue version (a folder name such as ``cn-2016``), validating references."""
    base = Path(root) if root else HERE / version
    if not (base / "catalogue.yaml").exists():
        raise CatalogueError(
            f"找不到目录版本 {version!r}（可用：{', '.join(available())}） / "
            f"unknown catalogue version {version!r}")
    meta = _load_yaml(base / "catalogue.yaml")
    dims = _load_yaml(base / "dimensions.yaml") or {}
    majors = _load_yaml(base / "majors.yaml", required=False) or {}
    for d in dims.values():
        if d.get("categories_from") == "majors":  # e.g. 专业大类: the categories of every version
            d["categories"] = {c: dict(v) for ver in (majors.get("versions") or {}).values()
                               for c, v in (ver.get("categories") or {}).items()}
    elements = {}
    for code, e in (_load_yaml(base / "elements.yaml") or {}).items():
        for d in e.get("dims", []) or []:
            if d not in dims:
                raise CatalogueError(f"数据元素 {code} 引用了未定义的分组 {d}")
        elements[code] = Element(
            code=code, zh=e["zh"], en=e["en"], unit_zh=e["unit"]["zh"], unit_en=e["unit"]["en"],
            type=e["type"], period_type=e["period_type"], dims=tuple(e.get("dims", []) or []),
            source=e.get("source", ""), definition=e.get("definition", ""))
    indicators = {code: _element_indicator(el) for code, el in elements.items()}
    for code, i in (_load_yaml(base / "indicators.yaml") or {}).items():
        if code in elements:
            raise CatalogueError(f"指标代码 {code} 与数据元素重名")
        ind = Indicator(
            code=code, zh=i["zh"], en=i["en"], numerator=i["numerator"],
            denominator=i.get("denominator"), factor=float(i.get("factor", 1)),
            unit_zh=i["unit"]["zh"], unit_en=i["unit"]["en"], style=i["format"]["style"],
            decimals=int(i["format"].get("decimals", 2)), definition=i.get("definition", ""),
            source=i.get("source", ""), scope=i.get("scope"), fallback=i.get("fallback"))
        asts = [ind.numerator_ast] + ([ind.denominator_ast] if ind.denominator else [])
        for ast in asts:
            for ref in formula.refs(ast):
                if ref.element not in elements:
                    raise CatalogueError(f"指标 {code} 的公式引用了未定义的数据元素 {ref.element}")
                for d, c in ref.dims:
                    if d not in elements[ref.element].dims or c not in dims[d]["categories"]:
                        raise CatalogueError(f"指标 {code} 的公式引用了未定义的分组 {d}={c}")
        if ind.fallback and ind.fallback not in elements:
            raise CatalogueError(f"指标 {code} 的 fallback {ind.fallback} 未定义")
        indicators[code] = ind
    return Catalogue(
        id=meta.get("id", version), meta=meta, dimensions=dims, elements=elements,
        indicators=indicators, outline=_load_yaml(base / "outline.yaml", required=False) or {},
        rules=_load_yaml(base / "rules.yaml", required=False) or [],
        standards=_load_yaml(base / "standards.yaml", required=False) or {},
        majors=majors, aggregation=_load_yaml(base / "aggregation.yaml", required=False) or DEFAULT_AGGREGATION,
        path=base)
