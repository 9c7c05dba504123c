"""The record-level files of a catalogue version (``records.yaml``): the kinds of file (students,
graduates), their columns and types, and the data elements counted from them — read into plain
objects and checked against the catalogue's elements and dimensions, so that a count naming an
unknown element, column or breakdown is an error naming the file, not a failure later.

The SQL that counts is written from these objects in ``nianbao.ingest.records``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nianbao.catalogue.errors import CatalogueError

TYPES = ("code", "text", "int", "year", "number", "choice")
FILE = "records.yaml"


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    type: str
    required: bool = True
    values: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    length: int | None = None

    def allowed(self, lang: str = "zh") -> str:
        """The values the column takes, in words (for findings)."""
        sep = "、" if lang == "zh" else ", "
        if self.values:
            return sep.join(self.values)
        if self.type == "code":
            return (f"{self.length}位代码" if lang == "zh" else f"a code of {self.length} characters") \
                if self.length else ("代码" if lang == "zh" else "a code")
        if self.type == "year":
            return "四位年份" if lang == "zh" else "a four-digit year"
        if self.type in ("int", "number"):
            word = ("整数" if self.type == "int" else "数字") if lang == "zh" else \
                ("a whole number" if self.type == "int" else "a number")
            lo = "" if self.min is None else f"{self.min:g}"
            hi = "" if self.max is None else f"{self.max:g}"
            if lo or hi:
                return f"{word}（{lo}～{hi}）" if lang == "zh" else f"{word} ({lo} to {hi})"
            return word
        return "文字" if lang == "zh" else "text"


@dataclass(frozen=True)
class Kind:
    code: str
    zh: str
    en: str
    columns: dict[str, Column]


@dataclass(frozen=True)
class Condition:
    column: str
    values: tuple[str, ...] = ()  # one of these values
    other: str = ""  # equal to this column
    period: int | None = None  # equal to the file's year plus this offset


@dataclass(frozen=True)
class Breakdown:
    dim: str
    column: str
    first: int | None = None  # the first characters of the column


@dataclass(frozen=True)
class Count:
    element: str
    kind: str
    where: tuple[Condition, ...] = ()
    dims: tuple[Breakdown, ...] = ()
    mean: str = ""  # a number column: the mean over the matching records, not their number
    source: str = ""


@dataclass
class Records:
    kinds: dict[str, Kind] = field(default_factory=dict)
    counts: dict[str, Count] = field(default_factory=dict)
    scope: str = "all"
    suppression: dict[str, Any] = field(default_factory=dict)

    def counts_of(self, kind: str) -> list[Count]:
        return [c for c in self.counts.values() if c.kind == kind]


def _error(zh: str, en: str, where: str, hint: str = "") -> CatalogueError:
    return CatalogueError(zh, en, hint=hint, file=where)


def parse(data: dict | None, elements: dict, dimensions: dict, at=lambda code: FILE) -> Records:
    """``records.yaml`` as :class:`Records`; ``at(code)`` names the file that set an entry."""
    data = data or {}
    out = Records(scope=str(data.get("scope", "all")), suppression=dict(data.get("suppression") or {}))
    for code, k in (data.get("kinds") or {}).items():
        cols = {}
        for key, c in ((k or {}).get("columns") or {}).items():
            c = c or {}
            if c.get("type") not in TYPES:
                raise _error(f"个案文件 {code} 的列 {key} 类型应为 {'、'.join(TYPES)} 之一",
                             f"record kind {code}: column {key} needs a type, one of {', '.join(TYPES)}",
                             at(code))
            if c["type"] == "choice" and not c.get("values"):
                raise _error(f"个案文件 {code} 的列 {key} 是选项，须列出 values",
                             f"record kind {code}: choice column {key} lists no values", at(code))
            cols[key] = Column(key=key, zh=str(c.get("zh", key)), en=str(c.get("en", key)), type=c["type"],
                               required=bool(c.get("required", True)),
                               values=tuple(str(v) for v in c.get("values") or ()),
                               min=c.get("min"), max=c.get("max"), length=c.get("length"))
        if "school" not in cols:
            raise _error(f"个案文件 {code} 须有列 school（学校标识码）",
                         f"record kind {code} needs a column school (the school code)", at(code))
        out.kinds[code] = Kind(code=code, zh=str(k.get("zh", code)), en=str(k.get("en", code)), columns=cols)
    for element, c in (data.get("counts") or {}).items():
        where = at(element)
        c = c or {}
        kind = out.kinds.get(c.get("from", ""))
        if kind is None:
            raise _error(f"计数 {element} 的 from 应为个案文件种类之一（{'、'.join(out.kinds)}）",
                         f"count {element}: from must name a record kind ({', '.join(out.kinds)})", where)
        if element not in elements:
            raise _error(f"计数 {element} 不是目录中的数据元素", f"count {element} is not a data element",
                         where, "在 elements.yaml 中定义该数据元素，或改正代码")

        def column(name, what):
            if name not in kind.columns:
                raise _error(f"计数 {element} 的{what}引用了 {kind.code} 没有的列 {name}",
                             f"count {element}: {what} names {name}, not a column of {kind.code}", where)
            return name

        conds = []
        for col, v in (c.get("where") or {}).items():
            column(col, "条件")
            if isinstance(v, dict) and "column" in v:
                conds.append(Condition(col, other=column(str(v["column"]), "条件")))
            elif isinstance(v, dict) and "period" in v:
                conds.append(Condition(col, period=int(v["period"])))
            elif isinstance(v, (list, tuple)):
                conds.append(Condition(col, values=tuple(str(x) for x in v)))
            else:
                conds.append(Condition(col, values=(str(v),)))
            choices = kind.columns[col].values
            bad = [x for x in conds[-1].values if choices and x not in choices]
            if bad:
                raise _error(f"计数 {element} 的条件 {col} 写了该列没有的值 {'、'.join(bad)}（可选：{'、'.join(choices)}）",
                             f"count {element}: {col} takes no value {', '.join(bad)} "
                             f"(choices: {', '.join(choices)})", where)
        dims = []
        for dim, spec in (c.get("dims") or {}).items():
            if dim not in elements[element].dims or dim not in dimensions:
                raise _error(f"计数 {element} 的分组 {dim} 不是该数据元素的分组",
                             f"count {element}: {dim} is not a breakdown of the element", where)
            spec = spec or {}
            dims.append(Breakdown(dim, column(str(spec.get("column", "")), "分组"),
                                  int(spec["first"]) if spec.get("first") else None))
        mean = str(c.get("mean") or "")
        if mean and kind.columns[column(mean, "mean")].type != "number":
            raise _error(f"计数 {element} 的 mean 须是数字列", f"count {element}: mean needs a number column", where)
        out.counts[element] = Count(element=element, kind=kind.code, where=tuple(conds), dims=tuple(dims),
                                    mean=mean, source=str(c.get("source", "")))
    return out
