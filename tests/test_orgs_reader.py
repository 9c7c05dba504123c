"""orgs.csv as the csv module's DictReader reads it: a column found by its header's exact name
(the last of a repeated name), cells trimmed, blank lines no records and not counted in a row's
number, a short record's missing cells blank, a blank status 'active' (a status of spaces is
none of the statuses). The reader takes its columns by position; the expectation here is worked
out from DictReader's rows, a registry drawn at random."""

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from nianbao.core.findings import FindingsError
from nianbao.core.orgs import COLUMNS, LEVELS, STATUSES
from nianbao.ingest.orgs import read_orgs

CELL = st.sampled_from(["", " ", "x", " 镇 ", "1990", "19x0", "active", " closed", "  "])


@st.composite
def registry(draw):
    header = [c for c in COLUMNS if draw(st.booleans()) or c in ("code", "level")]
    header = draw(st.permutations(header))
    if draw(st.booleans()):
        header = header + [draw(st.sampled_from(["zh", "status", "other", " code"]))]  # repeated or odd names
    rows = []
    for i in range(draw(st.integers(1, 8))):
        if draw(st.integers(0, 5)) == 0:
            rows.append([])  # a blank line
            continue
        row = {c: draw(CELL) for c in header}
        level = draw(st.sampled_from(LEVELS + ("", "town")))
        code = draw(st.sampled_from([f"014021300{i}", f"1402{i:02d}", f" 14020{i} ", "", "0140213001"]))
        row.update(code=code, level=level, founded=draw(st.sampled_from(["", "1990", " 2001 ", "90"])),
                   status=draw(st.sampled_from(["", "active", " merged ", "  ", "gone"])))
        cells = [row[c] for c in header]
        rows.append(cells[:draw(st.integers(max(1, len(cells) - 3), len(cells)))])  # some records short
    return header, rows


def _expected(text: str):
    """The registry, or the rows and codes of the findings, as the rules of orgs.csv give them
    on DictReader's rows."""
    orgs, problems, seen = [], [], {}
    for n, row in enumerate(csv.DictReader(io.StringIO(text, newline="")), start=2):
        def cell(name):
            return (row.get(name) or "").strip()

        code, level = cell("code"), cell("level")
        if not code or level not in LEVELS:
            problems.append(("orgs.bad_row", n))
        elif level == "school" and not (len(code) == 10 and code.isdigit()):
            problems.append(("orgs.bad_school_code", n))
        elif code in seen:
            problems.append(("orgs.duplicate", n))
        else:
            seen[code] = n
            status = (row.get("status") or "active").strip()
            founded, closed = cell("founded"), cell("closed")
            if status not in STATUSES:
                problems.append(("orgs.bad_status", n))
                continue
            for year in (founded, closed):
                if year and not (len(year) == 4 and year.isdigit()):
                    problems.append(("orgs.bad_year", n))
            orgs.append((code, cell("zh"), cell("en"), level, cell("parent"), cell("county"), cell("affiliation"),
                         cell("ownership"), cell("school_type"), int(founded) if founded.isdigit() else None,
                         status, int(closed) if closed.isdigit() else None, cell("profile")))
    return orgs, problems


@settings(max_examples=150, deadline=None)
@given(registry())
def test_the_registry_is_read_as_dictreader_reads_it(tmp_path_factory, drawn):
    header, rows = drawn
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header] + rows)
    path = tmp_path_factory.mktemp("orgs") / "orgs.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    orgs, problems = _expected(out.getvalue())
    try:
        registry_ = read_orgs(path)
    except FindingsError as exc:
        found = [(f.code, int(f.location.cell.strip("第行").split("行")[0])) for f in exc.findings]
        assert found == problems
        return
    assert problems == []
    assert [tuple(getattr(o, c) for c in COLUMNS) for o in registry_.orgs.values()] == orgs
