"""Where a catalogue's files come from: a version's folder, the versions it extends, and a
dataset's own ``catalogue/`` folder; every file read strictly (a key written twice is an
error) and laid over the next by nianbao.catalogue.merge."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from nianbao.catalogue.errors import CatalogueError
from nianbao.catalogue.merge import Layer, clean, merge

HERE = Path(__file__).parent
META = "catalogue.yaml"
# the files of a version, in the order they are read; only these may extend a version
FILES = (META, "dimensions.yaml", "elements.yaml", "indicators.yaml", "outline.yaml", "rules.yaml",
         "standards.yaml", "majors.yaml", "aggregation.yaml", "workbook.yaml", "annex.yaml", "plan.yaml",
         "records.yaml")
VERSION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml where installed
    """safe_load that refuses a key written twice in one mapping (YAML would keep the last)."""


def _mapping_without_duplicates(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)


def read_yaml(path: Path) -> Any:
    """A catalogue file; unreadable YAML or a key written twice is a CatalogueError naming the
    file and line."""
    try:
        with path.open(encoding="utf-8") as f:
            return yaml.load(f, Loader=_Loader)
    except yaml.constructor.ConstructorError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        key = str(exc.problem).removeprefix("duplicate key ")
        raise CatalogueError(f"第{line}行 键 {key} 写了两次", f"line {line}: key {key} appears twice",
                             hint="同一条目只写一次（要修改上级目录的条目，写在扩展它的版本或数据集的目录文件中）",
                             file=str(path)) from None
    except yaml.YAMLError as exc:
        raise CatalogueError(f"不是有效的 YAML：{exc}", f"not valid YAML: {exc}",
                             hint="按 YAML 格式改正（缩进用空格，冒号后加空格）", file=str(path)) from None
    except OSError as exc:
        raise CatalogueError(f"无法读取目录文件：{exc.strerror or exc}", "cannot read the catalogue file",
                             file=str(path)) from None


@dataclass(frozen=True)
class Merged:
    """The files of a catalogue after every layer was laid over the next: ``data`` by file name,
    ``lineage`` the versions from the one loaded to the eldest it extends, ``sources`` every file
    read (eldest first), ``origin`` the file that last set each entry (file name, key)."""

    data: dict[str, Any]
    lineage: tuple[str, ...]
    folder: Path
    sources: tuple[str, ...]
    origin: dict[tuple[str, str], str]


def available(root: str | Path | None = None) -> list[str]:
    """The catalogue versions of ``root`` (a folder of version folders) and of the package."""
    roots = ([Path(root)] if root else []) + [HERE]
    return sorted({p.name for r in roots if r.is_dir() for p in r.iterdir() if (p / META).exists()})


def version_dir(version: str, root: str | Path | None = None) -> Path | None:
    """The folder of a version: in ``root`` first, then among the package's versions."""
    if not isinstance(version, str) or not VERSION_NAME.match(version):
        return None
    for r in ([Path(root)] if root else []) + [HERE]:
        if (r / version / META).exists():
            return r / version
    return None


def _unknown(version, named_in: str, root) -> CatalogueError:
    where_zh = "（extends 所写）" if named_in else ""
    where_en = " (named by extends)" if named_in else ""
    return CatalogueError(
        f"找不到目录版本 {version!r}{where_zh}（可用：{', '.join(available(root))}）",
        f"unknown catalogue version {version!r}{where_en}",
        hint="写一个可用的目录版本名（catalogue/<版本>/ 下含 catalogue.yaml 的文件夹）", file=named_in)


def _lineage(version: str, root) -> list[tuple[str, Path, dict]]:
    """(version, folder, its own catalogue.yaml) from ``version`` up to the eldest it extends."""
    out: list[tuple[str, Path, dict]] = []
    named_in = ""
    while True:
        folder = version_dir(version, root)
        if folder is None:
            raise _unknown(version, named_in, root)
        if any(v == version for v, _, _ in out):
            cycle = " → ".join([v for v, _, _ in out] + [version])
            raise CatalogueError(f"目录版本的继承成环：{cycle}", f"catalogue versions extend each other in a cycle: {cycle}",
                                 hint="去掉其中一个版本的 extends", file=str(folder / META))
        meta = read_yaml(folder / META) or {}
        if not isinstance(meta, dict):
            raise CatalogueError("应为映射（键: 值）", "must be a mapping of keys and values",
                                 file=str(folder / META))
        out.append((version, folder, meta))
        parent = meta.get("extends")
        if not parent:
            return out
        version, named_in = parent, str(folder / META)


# files whose second-level entries are named too (``closes/student_teacher_ratio``), their
# sections being merged from several files
NESTED = ("plan.yaml",)


def _record(origin: dict, name: str, content: Any, label: str) -> None:
    if isinstance(content, dict):
        for key in content:
            origin[(name, str(key))] = label
            if name in NESTED and isinstance(content[key], dict):
                for sub in content[key]:
                    origin[(name, f"{key}/{sub}")] = label


@lru_cache(maxsize=16)
def merged_version(version: str, root: str | None = None) -> Merged:
    """Every file of ``version`` with those of the versions it extends laid under it (read once
    per process; the result is shared, so never change it)."""
    chain = _lineage(version, root)
    data: dict[str, Any] = {}
    origin: dict[tuple[str, str], str] = {}
    sources: list[str] = []
    parent = ""
    for name, folder, own_meta in reversed(chain):
        for file in FILES:
            path = folder / file
            if not path.exists():
                continue
            content = own_meta if file == META else read_yaml(path)
            label = str(path)
            layer = Layer(file=label, base=parent)
            if isinstance(content, dict) and file == META:
                content = {k: v for k, v in content.items() if k != "extends"}
            data[file] = merge(data[file], content, layer) if file in data else clean(content, layer)
            _record(origin, file, content, label)
            sources.append(label)
        meta = dict(data.get(META) or {})
        meta["id"] = own_meta.get("id", name)  # a version's id is its own, never its parent's
        if own_meta.get("extends"):
            meta["extends"] = own_meta["extends"]
        else:
            meta.pop("extends", None)
        data[META] = meta
        parent = name
    return Merged(data=data, lineage=tuple(v for v, _, _ in chain), folder=chain[0][1], sources=tuple(sources),
                  origin=origin)


def dataset_files(folder: Path) -> list[Path]:
    """The YAML files of a dataset's own catalogue folder; a file that is not a catalogue file
    is an error (a typo would otherwise be ignored)."""
    files = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith("."))
    for p in files:
        if p.name not in FILES:
            raise CatalogueError(
                f"{p.name} 不是目录文件（数据集的 catalogue 文件夹中可用：{'、'.join(FILES)}）",
                f"{p.name} is not a catalogue file (allowed: {', '.join(FILES)})",
                hint="按目录版本的文件名命名（如 elements.yaml、indicators.yaml），或把它移出 catalogue 文件夹",
                file=str(p))
    return files


def merged_dataset(version: str, root: str | None, files: tuple[str, ...]) -> Merged:
    """The version's files with a dataset's own catalogue files laid over them, strictly: a
    dataset adds entries, and changes one of the version's only with ``$override``."""
    base = merged_version(version, root)
    data = dict(base.data)
    origin = dict(base.origin)
    for name in files:
        path = Path(name)
        content = read_yaml(path)
        if path.name == META and isinstance(content, dict) and "extends" in content:
            raise CatalogueError(
                f"数据集的目录扩展 dataset.yaml 所写的版本（catalogue: {version}），这里不能写 extends",
                f"a dataset's catalogue extends the version its dataset.yaml names ({version}); no extends here",
                hint="去掉 extends；要换版本，改 dataset.yaml 的 catalogue", file=str(path))
        layer = Layer(file=str(path), base=version, strict=True)
        file = path.name
        data[file] = merge(data[file], content, layer) if file in data else clean(content, layer)
        _record(origin, file, content, str(path))
    meta = dict(data.get(META) or {})
    meta["id"] = base.data[META]["id"]
    data[META] = meta
    return Merged(data=data, lineage=base.lineage, folder=base.folder, sources=base.sources + tuple(files),
                  origin=origin)
