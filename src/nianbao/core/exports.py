"""Text written into a spreadsheet (CSV or xlsx) stays text: a field that starts with = + - @, a
tab or a carriage return is what a spreadsheet program runs as a formula (OWASP, "CSV
injection"), so every writer of CSV or xlsx passes what it writes through this module.

- CSV: such a field gets a single quote in front (``'=HYPERLINK(...)``), which spreadsheet
  programs show as text; a plain number (``-3.5``, ``+2``, ``-0.4%``) is left as it is.
- xlsx: such a text is stored as a string cell (never a formula) with the cell's quote prefix
  set, so that editing the cell in Excel does not turn it into a formula either.

:func:`uninert` undoes the CSV quote when nianbao reads back a file it wrote (claims.csv).
Light on purpose: no spreadsheet library is imported here; cells are duck-typed (openpyxl's).
"""

from __future__ import annotations

import datetime as _dt
import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"
_NUMBER = re.compile(r"[+-]?(\d[\d,]*(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?")


def needs_guard(value) -> bool:
    """True when ``value`` is a text a spreadsheet program would run as a formula."""
    return (isinstance(value, str) and value.startswith(FORMULA_START)
            and _NUMBER.fullmatch(value) is None)


def csv_field(value):
    """``value`` as a CSV field that no spreadsheet runs: a risky text gets a leading quote."""
    return GUARD + value if needs_guard(value) else value


def csv_row(row: dict) -> dict:
    return {k: csv_field(v) for k, v in row.items()}


def csv_values(values) -> list:
    return [csv_field(v) for v in values]


def uninert(text):
    """A field read back from a CSV nianbao wrote: ``'=x`` → ``=x`` (other text unchanged)."""
    if isinstance(text, str) and text.startswith(GUARD) and needs_guard(text[1:]):
        return text[1:]
    return text


def put(cell, value) -> None:
    """Write ``value`` into an openpyxl cell: a text is a string cell, never a formula, and a
    risky one has its quote prefix set. Other values (numbers, dates, None) as they are."""
    if isinstance(value, _dt.datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if needs_guard(value) or value.startswith("="):
            cell.quotePrefix = True


def append(ws, values) -> None:
    """``ws.append(values)`` (an openpyxl sheet) with every text then set as by :func:`put`."""
    values = list(values)
    ws.append(values)
    if values:
        row = ws.max_row
        for col, v in enumerate(values, start=1):
            if isinstance(v, str):
                put(ws.cell(row, col), v)
