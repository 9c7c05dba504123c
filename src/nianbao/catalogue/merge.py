"""Laying one catalogue file over another: how a version ``extends`` its parent and how a
dataset's own catalogue files are added to the version it names.

The rules (the package docstring and the README say the same):

* A **mapping** merges key by key: a key the parent lacks is added (after the parent's keys,
  in the child's order); a key both have is merged again, field by field, down to the values.
* A **value** (text, number, true/false, null) of the child replaces the parent's.
* A **list** of mappings that all carry ``code`` (rules), else ``id`` (outline parts and
  sections, standards' criteria, workbook sheets), else ``key`` (workbook fields) is a
  **keyed list**: its items merge by that field like the keys of a mapping; a new item is
  appended, or placed with ``$after: KEY`` / ``$before: KEY``; an existing item given such a
  directive is moved. A list of **workbook rows** (each naming one ``element`` — with its
  ``dims`` —, ``indicator``, ``sum_of`` — with its ``dim`` — or ``show``) is keyed too, by the
  code the row has in the workbook's hidden column A: ``students``,
  ``fulltime_teachers[degree=*]``, ``indicator:employment_rate``, ``sum:fulltime_teachers[degree]``,
  ``show:graduates`` (``$after`` / ``$before`` name a row so; a dropped row writes only what
  names it). Any other list (``dims``, ``columns``, an outline's ``blocks``, ``breakdowns``) is
  replaced whole.
* ``$replace: true`` in a mapping (an entry, or the top of a file) takes it whole instead of
  merging it; ``$drop: true`` removes the entry (a mapping's key, or a keyed list's item: then
  only its key field beside it). Dropping or moving what the parent does not have is an error,
  so is a mapping laid over a list (or a list over a value): write ``$replace: true`` to change
  the form of an entry.
* Keys starting with ``$`` are these directives, never data; any other ``$`` key is an error.

A version extending its parent changes what it likes. A **dataset** only adds (``strict``):
a value that differs from the version's is a clash, reported with the file and the entry,
unless the entry (or one around it) says ``$override: true`` — or is replaced or dropped with
``$replace`` / ``$drop``. Entries the version lacks, and values equal to the version's, never
clash, so a dataset may repeat an entry it copied.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nianbao.catalogue.errors import CatalogueError

DROP, REPLACE, OVERRIDE, AFTER, BEFORE = "$drop", "$replace", "$override", "$after", "$before"
DIRECTIVES = (DROP, REPLACE, OVERRIDE, AFTER, BEFORE)
KEY_FIELDS = ("code", "id", "key")  # the field a list of mappings merges by, in this order
ROW = "row"  # the key of a list of workbook rows: the row's code (see row_key)
# what names a workbook row: its kind field and the fields beside it that belong to its name
ROW_FIELDS = {"element": ("dims",), "indicator": (), "sum_of": ("dim",), "show": ()}


def row_key(item: dict) -> str | None:
    """The code of a workbook row as column A of the workbook shows it (``students``,
    ``fulltime_teachers[degree=*]``, ``indicator:X``, ``sum:X[dim]``, ``show:X``), or None for
    a mapping that is not one row (none or several of element, indicator, sum_of, show)."""
    kinds = [k for k in ROW_FIELDS if k in item]
    if len(kinds) != 1:
        return None
    kind, value = kinds[0], str(item[kinds[0]])
    if kind == "element":
        dims = item.get("dims") or {}
        if not isinstance(dims, dict):
            return None
        parts = ",".join(f"{d}={c}" for d, c in sorted((str(d), str(c)) for d, c in dims.items()))
        return f"{value}[{parts}]" if parts else value
    if kind == "sum_of":
        return f"sum:{value}[{item.get('dim', '')}]"
    return f"{kind}:{value}"


def _item_key(item, field: str) -> str | None:
    if not isinstance(item, dict):
        return None
    if field == ROW:
        return row_key(item)
    return str(item[field]) if field in item else None


def _name_fields(item: dict, field: str) -> tuple:
    """The fields that name a keyed item (allowed beside $drop)."""
    if field != ROW:
        return (field,)
    kind = next(k for k in ROW_FIELDS if k in item)
    return (kind,) + ROW_FIELDS[kind]


@dataclass(frozen=True)
class Layer:
    """One file laid over the merged catalogue: ``file`` as messages show it (cn-2022/outline.yaml,
    examples/x/catalogue/elements.yaml), ``base`` what it extends (cn-2016), ``strict`` for a
    dataset's additions (changing what ``base`` says needs ``$override``)."""

    file: str
    base: str
    strict: bool = False


def merge(base: Any, over: Any, layer: Layer) -> Any:
    """``over`` laid on ``base`` by the rules of this module; neither is changed. An empty file
    (``over`` None) changes nothing."""
    if over is None:
        return base
    return _merge(base, over, layer, (), allowed=not layer.strict)


def clean(value: Any, layer: Layer) -> Any:
    """A file that extends nothing: its directives checked and removed."""
    return _clean(value, layer, ())


# -- the merge ---------------------------------------------------------------------------------

def _merge(base: Any, over: Any, layer: Layer, path: tuple, allowed: bool) -> Any:
    if isinstance(over, dict):
        d = _directives(over, layer, path)
        if DROP in d:
            raise _error(layer, path, "drop_here")
        if AFTER in d or BEFORE in d:
            raise _error(layer, path, "position_here")
        if d.get(REPLACE) or base is None:
            return _clean(over, layer, path)
        if not isinstance(base, dict):
            raise _mismatch(layer, path, base, over)
        allowed = allowed or bool(d.get(OVERRIDE))
        out = dict(base)
        for k, v in over.items():
            if k in DIRECTIVES:
                continue
            here = path + (k,)
            if _is_drop(v, layer, here, ()):
                if k not in out:
                    raise _error(layer, here, "drop_missing")
                del out[k]
            elif k in out:
                out[k] = _merge(out[k], v, layer, here, allowed)
            else:
                out[k] = _clean(v, layer, here)
        return out
    if isinstance(over, list):
        if base is None:
            return _clean(over, layer, path)
        if not isinstance(base, list):
            raise _mismatch(layer, path, base, over)
        field = _key_field(base) or (None if base else _key_field(over))
        if field:
            return _merge_keyed(base, over, field, layer, path, allowed)
        new = _clean(over, layer, path)
        if not allowed and new != base:
            raise _clash(layer, path, base, new)
        return new
    if isinstance(base, (dict, list)):
        raise _mismatch(layer, path, base, over)
    if not allowed and over != base:
        raise _clash(layer, path, base, over)
    return over


def _merge_keyed(base: list, over: list, field: str, layer: Layer, path: tuple, allowed: bool) -> list:
    out = list(base)

    def position(key: str) -> int | None:
        return next((i for i, item in enumerate(out) if _item_key(item, field) == key), None)

    seen: set[str] = set()
    for item in over:
        key = _item_key(item, field)
        if key is None:
            raise _error(layer, path, "item_without_key", field=_field_name(field))
        here = path + (f"[{_field_name(field)}={key}]",)
        if key in seen:
            raise _error(layer, path, "duplicate_item", field=_field_name(field), key=key)
        seen.add(key)
        pos = position(key)
        if _is_drop(item, layer, here, _name_fields(item, field)):
            if pos is None:
                raise _error(layer, here, "drop_missing")
            out.pop(pos)
            continue
        d = _directives(item, layer, here)
        body = {k: v for k, v in item.items() if k not in (AFTER, BEFORE)}
        new = _merge(out[pos], body, layer, here, allowed) if pos is not None else _clean(body, layer, here)
        if AFTER in d and BEFORE in d:
            raise _error(layer, here, "two_positions")
        anchor = d.get(AFTER, d.get(BEFORE))
        if anchor is None:
            if pos is None:
                out.append(new)
            else:
                out[pos] = new
            continue
        if pos is not None:
            out.pop(pos)
        at = position(str(anchor))
        if at is None or str(anchor) == key:
            raise _error(layer, here, "anchor_missing", anchor=anchor)
        out.insert(at + 1 if AFTER in d else at, new)
    return out


def _field_name(field: str) -> str:
    return "element / indicator / sum_of / show" if field == ROW else field


def _key_field(items: list) -> str | None:
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    found = next((f for f in KEY_FIELDS if all(f in i for i in items)), None)
    if found is None and all(row_key(i) is not None for i in items):
        return ROW
    return found


def _clean(value: Any, layer: Layer, path: tuple) -> Any:
    """A value new to the catalogue: its directives checked and removed."""
    if isinstance(value, dict):
        d = _directives(value, layer, path)
        if DROP in d:
            raise _error(layer, path, "drop_missing")
        if AFTER in d or BEFORE in d:
            raise _error(layer, path, "position_here")
        return {k: _clean(v, layer, path + (k,)) for k, v in value.items() if k not in DIRECTIVES}
    if isinstance(value, list):
        field = _key_field(value)
        out = []
        for i, v in enumerate(value):
            here = path + (f"[{_field_name(field)}={_item_key(v, field)}]" if field else f"[{i + 1}]",)
            if field and isinstance(v, dict) and (AFTER in v or BEFORE in v):
                raise _error(layer, here, "position_new_list")
            out.append(_clean(v, layer, here))
        return out
    return value


def _directives(d: dict, layer: Layer, path: tuple) -> dict:
    found = {k: v for k, v in d.items() if isinstance(k, str) and k.startswith("$")}
    for k, v in found.items():
        if k not in DIRECTIVES:
            raise _error(layer, path, "unknown_directive", key=k)
        if k in (DROP, REPLACE, OVERRIDE) and v is not True:
            raise _error(layer, path, "directive_true", key=k)
    return found


def _is_drop(value: Any, layer: Layer, path: tuple, keep: tuple) -> bool:
    if not (isinstance(value, dict) and DROP in value):
        return False
    _directives(value, layer, path)
    if set(value) - {DROP, *keep}:
        raise _error(layer, path, "drop_with_fields")
    return True


# -- messages ----------------------------------------------------------------------------------

def where(path: tuple) -> str:
    """``outlines.city.parts[id=3].zh`` for a path of keys and list items."""
    text = ""
    for p in path:
        text += str(p) if str(p).startswith("[") or not text else f".{p}"
    return text or "（整个文件）"


def _kind(value: Any, lang: str) -> str:
    if isinstance(value, dict):
        return "映射" if lang == "zh" else "a mapping"
    if isinstance(value, list):
        return "列表" if lang == "zh" else "a list"
    return "单个值" if lang == "zh" else "a single value"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


_MESSAGES = {
    "drop_here": ("这里不能写 $drop（只能删除映射中的条目或列表中按代码合并的项）",
                  "$drop cannot stand here (only an entry of a mapping or an item of a keyed list can be dropped)",
                  "把 $drop: true 写在要删除的条目里"),
    "drop_missing": ("要删除的条目在{base}中不存在", "the entry to drop does not exist in {base}",
                     "检查代码是否写错"),
    "drop_with_fields": ("写了 $drop 的条目不能再写其他内容", "an entry with $drop can hold nothing else",
                         "删除条目只写 $drop: true（列表中的项另写它的代码）"),
    "position_here": ("$after / $before 只能用于按代码合并的列表中的项",
                      "$after / $before apply only to items of a keyed list", "去掉 $after / $before"),
    "position_new_list": ("$after / $before 只能用于扩展已有的列表", "$after / $before only place items in a list that exists in {base}",
                          "去掉 $after / $before，按需要的顺序列出各项"),
    "two_positions": ("同一项不能同时写 $after 和 $before", "an item cannot have both $after and $before",
                      "只写其中一个"),
    "anchor_missing": ("$after / $before 指向的 {anchor} 不在列表中", "$after / $before names {anchor}, which is not in the list",
                       "写列表中已有的一项的代码"),
    "item_without_key": ("列表的每一项都要写 {field}（与{base}一致），才能按 {field} 合并",
                         "every item of this list needs its {field} (as in {base}) to be merged by it",
                         "为每一项写上 {field}，或写 $replace: true 整体替换上一级条目"),
    "duplicate_item": ("列表中 {field} 为 {key} 的项出现了两次", "the item with {field} {key} appears twice",
                       "合并为一项"),
    "unknown_directive": ("无法识别的 {key}（以 $ 开头的键只能是 $drop、$replace、$override、$after、$before）",
                          "unknown directive {key} (keys starting with $ are $drop, $replace, $override, $after, $before)",
                          "检查拼写"),
    "directive_true": ("{key} 只能写 true", "{key} takes the value true", "写成 {key}: true"),
}


def _error(layer: Layer, path: tuple, kind: str, **values) -> CatalogueError:
    zh, en, hint = _MESSAGES[kind]
    values = {"base": layer.base, **values}
    at = where(path)
    return CatalogueError(f"{at}：{zh.format(**values)}", f"{at}: {en.format(**values)}",
                          hint=hint.format(**values), file=layer.file)


def _mismatch(layer: Layer, path: tuple, base: Any, over: Any) -> CatalogueError:
    at = where(path)
    return CatalogueError(
        f"{at} 在{layer.base}中是{_kind(base, 'zh')}，这里是{_kind(over, 'zh')}，无法合并",
        f"{at} is {_kind(base, 'en')} in {layer.base} but {_kind(over, 'en')} here: cannot merge",
        hint="写成与被扩展目录相同的形式，或在该条目中写 $replace: true 整条替换", file=layer.file)


def _clash(layer: Layer, path: tuple, base: Any, over: Any) -> CatalogueError:
    at = where(path)
    return CatalogueError(
        f"{at} 与目录 {layer.base} 的定义冲突（目录为 {_short(base)}，这里为 {_short(over)}）",
        f"{at} clashes with catalogue {layer.base} ({_short(base)} there, {_short(over)} here)",
        hint="数据集只能增加目录没有的条目：新数据另起一个代码；确要改动目录已有的条目，在该条目中写 $override: true"
             "（或 $replace: true 整条替换）", file=layer.file)
