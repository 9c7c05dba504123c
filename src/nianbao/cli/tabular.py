"""Rows of a command's output as an aligned text table, CSV or JSON (Chinese characters count
as two columns when aligning)."""

from __future__ import annotations

import csv
import io
import json
import unicodedata

from nianbao.core import exports


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(rows: list[dict], columns: list[tuple[str, str]]) -> str:
    """``columns``: (key, header). Values are printed with str(); None prints empty."""
    cells = [[h for _, h in columns]] + [["" if r.get(k) is None else str(r.get(k)) for k, _ in columns]
                                         for r in rows]
    widths = [max(width(row[i]) for row in cells) for i in range(len(columns))]
    lines = []
    for n, row in enumerate(cells):
        lines.append("  ".join(c + " " * (w - width(c)) for c, w in zip(row, widths)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def _cell(v):
    """A CSV cell: lists joined by spaces, None empty, whole floats without ".0" (1481, not 1481.0),
    a text that a spreadsheet would run as a formula quoted (nianbao.core.exports)."""
    if isinstance(v, (list, tuple)):
        return exports.csv_field(" ".join(str(x) for x in v))
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return exports.csv_field(v)


def to_csv(rows: list[dict], columns: list[str]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    w.writerow({c: exports.csv_field(c) for c in columns})
    for r in rows:
        w.writerow({k: _cell(v) for k, v in r.items()})
    return buf.getvalue()


def to_json(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
