"""The settings registry: every limit nianbao applies to what it reads, in one place, each with its
name, default, unit, meaning and the environment variable that overrides it.

The defaults are far above anything a real file reaches — a school workbook is about 30 KB on
disk and 130 KB unpacked, its largest part under 25 KB; a values.xlsx of 200 000 rows is about
6 MB on disk, 80 MB unpacked, packed 13 : 1 — and far below what exhausts a machine: a file is
refused before a parser sees it. A value is read from the environment each time it is asked for,
so a run (or a test) can change it::

    NIANBAO_MAX_FILE_MB=200 nianbao import DATASET big.xlsx

A value that is not a positive number is ignored (the default applies) — a typo in an
environment variable must not lift a limit.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    """One limit: its ``name`` (the environment variable is ``NIANBAO_`` + name in capitals),
    ``default``, ``unit`` and what it bounds (``zh``, ``en``)."""

    name: str
    default: float
    unit: str
    zh: str
    en: str

    @property
    def variable(self) -> str:
        return "NIANBAO_" + self.name.upper()

    def value(self) -> float:
        raw = os.environ.get(self.variable, "").strip()
        if raw:
            try:
                v = float(raw)
            except ValueError:
                return self.default
            if v > 0 and v == v and v != float("inf"):
                return v
        return self.default


SETTINGS: dict[str, Setting] = {s.name: s for s in (
    Setting("max_file_mb", 64, "MB",
            "一个输入文件（填报表、values.xlsx、Word 文件）在磁盘上的最大大小",
            "largest input file (workbook, values.xlsx, Word file) on disk"),
    Setting("max_part_mb", 256, "MB",
            "xlsx/docx 中一个部件（工作表、共享字符串等）解压后的最大大小",
            "largest part of an xlsx/docx (a sheet, the shared strings …) once unpacked"),
    Setting("max_unzipped_mb", 512, "MB",
            "xlsx/docx 全部部件解压后的最大总大小",
            "largest total of all parts of an xlsx/docx once unpacked"),
    Setting("max_zip_ratio", 100, "倍 / times",
            "一个部件解压后与压缩后大小之比的上限（只对解压后超过 max_ratio_from_mb 的部件）",
            "highest unpacked ÷ packed size of one part (parts larger than max_ratio_from_mb only)"),
    Setting("max_ratio_from_mb", 1, "MB",
            "压缩比上限适用的最小部件（更小的部件压缩比高也无害）",
            "smallest unpacked part the ratio limit applies to (small parts may compress well harmlessly)"),
    Setting("max_zip_parts", 10000, "个 / parts",
            "xlsx/docx 中部件的最大个数",
            "most parts in an xlsx/docx"),
    Setting("file_seconds", 120, "秒 / s",
            "读取一个输入文件的最长时间",
            "longest time spent reading one input file"),
    Setting("max_upload_mb", 10, "MB",
            "网上填报上传的一份填报表的最大大小（比 max_file_mb 更严：来自网络）",
            "largest workbook uploaded to the portal (stricter than max_file_mb: it comes from the web)"),
    Setting("max_upload_unzipped_mb", 60, "MB",
            "网上填报上传的填报表全部部件解压后的最大总大小（压缩比和部件数的上限同上）",
            "largest total of an uploaded workbook's parts once unpacked (the ratio and parts limits above apply too)"),
)}


def get(name: str) -> float:
    """The value of the setting ``name`` (environment variable, else the default)."""
    return SETTINGS[name].value()


def mebibytes(name: str) -> int:
    """A setting in MB as bytes."""
    return int(get(name) * 2 ** 20)


def table() -> list[tuple[str, str, str, str, str]]:
    """(environment variable, default, unit, zh, en) of every setting, for the documentation."""
    return [(s.variable, f"{s.default:g}", s.unit, s.zh, s.en) for s in SETTINGS.values()]
