"""Small-cell suppression (统计公开时的小数抑制) of a table of counts published school by school.

A table has rows (e.g. schools) and columns (e.g. destinations or major categories) and is
published with its row totals, column totals and grand total. A count from 1 to threshold − 1
(``primary``) could identify a person and is not printed; a total below the threshold neither.
Then **secondary** suppression: each row and each column, with its total, is one equation — a
line with exactly one hidden entry gives that entry away (the total minus the others), so
another entry of the line is hidden too, the smallest non-zero one (a zero if none), until no
line has exactly one hidden entry. Zeros are published unless ``zero`` is set (a zero reveals
no person; some bureaus hide them too).

The threshold is data: the catalogue's ``records.yaml`` (``suppression: {threshold: 5}``), which a
dataset's ``dataset.yaml`` may raise (``suppression: {threshold: 10}``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

TOTAL = "__total__"


@dataclass
class Suppressed:
    """A table with its totals, and which entries are hidden: ``hidden[(row, col)]`` is
    ``primary`` or ``secondary``; totals are at row or column :data:`TOTAL`."""
    rows: list[str]
    columns: list[str]
    values: dict[tuple[str, str], int]
    hidden: dict[tuple[str, str], str] = field(default_factory=dict)
    threshold: int = 5

    def shown(self, row: str, col: str) -> int | None:
        """The value as published: None where hidden."""
        return None if (row, col) in self.hidden else self.values.get((row, col), 0)


def settings(catalogue, meta: dict | None = None) -> tuple[int, bool]:
    """(threshold, zero) of a dataset: dataset.yaml's ``suppression`` over the catalogue's."""
    spec = {**(catalogue.records.suppression or {}), **((meta or {}).get("suppression") or {})}
    return int(spec.get("threshold", 5)), bool(spec.get("zero", False))


def suppress(cells: dict[tuple[str, str], int], rows: list[str], columns: list[str], threshold: int = 5,
             zero: bool = False) -> Suppressed:
    """The table of ``cells`` (row, column) → count, with its totals, suppressed."""
    values = {(r, c): int(cells.get((r, c), 0)) for r in rows for c in columns}
    for r in rows:
        values[(r, TOTAL)] = sum(values[(r, c)] for c in columns)
    for c in columns:
        values[(TOTAL, c)] = sum(values[(r, c)] for r in rows)
    values[(TOTAL, TOTAL)] = sum(values[(r, TOTAL)] for r in rows)
    out = Suppressed(rows=list(rows), columns=list(columns), values=values, threshold=threshold)
    for key, v in values.items():
        if 0 < v < threshold or (zero and v == 0):
            out.hidden[key] = "primary"
    all_rows, all_cols = list(rows) + [TOTAL], list(columns) + [TOTAL]
    lines = [[(r, c) for c in all_cols] for r in all_rows] + [[(r, c) for r in all_rows] for c in all_cols]
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(1 for k in line if k in out.hidden) != 1:
                continue
            free = [k for k in line if k not in out.hidden]
            if not free:
                continue
            # the smallest non-zero entry, cells before totals; a zero only where nothing else is left
            pick = min(free, key=lambda k: (values[k] == 0, TOTAL in k, values[k], all_rows.index(k[0]),
                                            all_cols.index(k[1])))
            out.hidden[pick] = "secondary"
            changed = True
    return out


def recoverable(table: Suppressed) -> list[tuple[str, str]]:
    """The hidden entries a reader can work out from one row or column and its total (an entry
    alone in its line): none after :func:`suppress`."""
    all_rows, all_cols = table.rows + [TOTAL], table.columns + [TOTAL]
    lines = [[(r, c) for c in all_cols] for r in all_rows] + [[(r, c) for r in all_rows] for c in all_cols]
    out = []
    for line in lines:
        hidden = [k for k in line if k in table.hidden]
        if len(hidden) == 1:
            out.append(hidden[0])
    return sorted(set(out))
