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
    all_rows, all_cols = list(rows) + [TOTAL], list(columns) + [TOTAL]
    lines = [[(r, c) for c in all_cols] for r in all_rows] + [[(r, c) for r in all_rows] for c in all_cols]
    # cells before totals, then the smallest non-zero entry, then the table's order
    order = {k: ((TOTAL in k,), (all_rows.index(k[0]), all_cols.index(k[1]))) for k in values}
    out.hidden = suppress_lines(values, lines, threshold, zero, order)
    return out


def suppress_lines(values: dict, lines: list[list], threshold: int = 5, zero: bool = False,
                   order: dict | None = None, known=frozenset()) -> dict:
    """Which entries of ``values`` (any key → count) are hidden — ``primary`` (1 to threshold − 1,
    or 0 with ``zero``) or ``secondary`` — when each of ``lines`` (keys whose entries add up, a
    total among them) is published: a line with exactly one hidden entry gives it away, so the
    smallest non-zero other entry of the line is hidden too (a zero only where nothing else is
    left; ``order``, a key → (sort key before the value, sort key after it), ranks kinds of entry
    and breaks ties), until no line has exactly one hidden entry. Entries ``known`` (published
    elsewhere) are never hidden."""
    order = order or {}
    hidden: dict = {}
    for key, v in values.items():
        if key not in known and (0 < v < threshold or (zero and v == 0)):
            hidden[key] = "primary"
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(1 for k in line if k in hidden) != 1:
                continue
            free = [k for k in line if k not in hidden and k not in known]
            if not free:
                continue
            pick = min(free, key=lambda k: (values[k] == 0, order.get(k, ((), ()))[0], values[k],
                                            order.get(k, ((), ()))[1], str(k)))
            hidden[pick] = "secondary"
            changed = True
    return hidden


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


HIDDEN_TEXT = "*"  # what a published table prints for a suppressed figure


def publish(rows: list[dict], catalogue, meta: dict | None = None, orgs=None) -> list[dict]:
    """The rows of an indicator table (app.indicators) as published unit by unit: each count of
    an element counted from records (records.yaml ``counts``) below the threshold is hidden, and
    so is every figure that would give a hidden one away — another part of the same total
    (``suppression.tables`` and an element's breakdowns, the rest "total minus its parts" being
    a cell too), another unit under the same parent (whose sum the parent's report prints), and a
    rate or share computed from a hidden figure. A hidden row keeps its unit and indicator; its
    value, text, numerator and denominator become ``HIDDEN_TEXT``/None and ``suppressed`` says
    why (primary, secondary or derived)."""
    from nianbao.core.formula import parse_ref_key

    threshold, zero = settings(catalogue, meta)
    spec = {**(catalogue.records.suppression or {}), **((meta or {}).get("suppression") or {})}
    counted = {code for code, c in catalogue.records.counts.items() if not c.mean}
    values: dict = {}
    cells: dict = {}  # (unit, category) → {ref: key}
    for i, row in enumerate(rows):
        try:
            ref = parse_ref_key(row["indicator"])
        except Exception:
            continue
        if ref.element not in counted or row.get("denominator") or row.get("value") is None:
            continue
        key = (row["org_unit"], row.get("category", ""), row["indicator"])
        values[key] = int(round(row["value"]))
        cells.setdefault(key[:2], {})[row["indicator"]] = key
    lines: list[list] = []
    fixed: set = set()
    known: set = set()

    def part_line(unit_cat, total_ref, part_refs, name):
        here = cells.get(unit_cat, {})
        if total_ref not in here:
            return
        parts = [here[r] for r in part_refs if r in here]
        rest = unit_cat + (f"{total_ref}−{name}",)
        values[rest] = max(0, values[here[total_ref]] - sum(values[k] for k in parts))
        fixed.add(rest)
        lines.append([here[total_ref], *parts, rest])

    for unit_cat, here in list(cells.items()):
        for name, t in (spec.get("tables") or {}).items():
            part_line(unit_cat, str(t["total"]), [str(x) for x in t.get("parts") or ()], name)
        by_dim: dict = {}
        for r in here:
            ref = parse_ref_key(r)
            for d, _c in ref.dims:
                plain = ref.element if len(ref.dims) == 1 else None
                if plain is not None:
                    by_dim.setdefault((plain, d), []).append(r)
        for (element, d), refs in by_dim.items():
            part_line(unit_cat, element, refs, d)
    # a parent's sum over its units (printed in the parent's own report)
    groups: dict = {}
    for key in list(values):  # the rests too: the parent's report prints its own
        org = orgs.get(key[0]) if orgs is not None else None
        parent = org.parent if org is not None and org.parent else ""
        groups.setdefault((parent, key[1], key[2]), []).append(key)
    for (parent, category, ref), keys in groups.items():
        total = (f"parent:{parent}", category, ref)
        values[total] = sum(values[k] for k in keys)
        known.add(total)
        lines.append(keys + [total])
    # a rest is not printed: hiding it (it stays unknown while another entry of its line is
    # hidden) costs the reader nothing, so it is picked before a printed figure
    order = {k: ((k not in fixed,), (str(k),)) for k in values}
    hidden = suppress_lines(values, lines, threshold, zero, order, known=known)
    out = []
    for row in rows:
        key = (row["org_unit"], row.get("category", ""), row["indicator"])
        why = hidden.get(key)
        if why is None and key not in values:
            inputs = row.get("inputs") or ()
            if any((row["org_unit"], row.get("category", ""), r) in hidden for r in inputs):
                why = "derived"
        if why is None:
            out.append({**row, "suppressed": ""})
            continue
        out.append({**row, "value": None, "text": HIDDEN_TEXT, "numerator": None, "denominator": None,
                    "ratio": "", "suppressed": why})
    return out
