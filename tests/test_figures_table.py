"""values.csv read into one DuckDB table (ingest.figures) against the reference: the same file
read row by row into observations (``load_dataset(..., by_rows=True)``, ingest.rows). Both must
give the same observations, in the same order, and the same findings (code, message, file,
line, column, year, unit), for every example dataset and for files written every way a person
or a spreadsheet writes them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nianbao import catalogue as cat_mod
from nianbao.core.findings import FindingsError
from nianbao.ingest.dataset import load_dataset

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if (p / "dataset.yaml").exists())
SCHOOLS = ROOT / "examples" / "datong-2020-schools"


def both(folder: Path):
    """(reference, table) datasets of ``folder``, or the findings each raised."""
    out = []
    for by_rows in (True, False):
        try:
            out.append(load_dataset(folder, by_rows=by_rows))
        except FindingsError as exc:
            out.append(exc)
    return out


def assert_same(folder: Path):
    ref, table = both(folder)
    if isinstance(ref, FindingsError) or isinstance(table, FindingsError):
        assert type(ref) is type(table), (ref, table)
        assert [repr(f) for f in ref.findings] == [repr(f) for f in table.findings]
        return None
    assert table.__dict__.get("_observations") is None  # not made until asked for
    assert [repr(f) for f in table.findings] == [repr(f) for f in ref.findings]
    assert table.observations == ref.observations
    assert [o.origin for o in table.observations] == [o.origin for o in ref.observations]
    return table


@pytest.mark.parametrize("folder", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_examples_read_the_same(folder):
    assert_same(folder)


def _types():
    cat = cat_mod.load("cn-2016")
    first = {}
    for code, el in cat.elements.items():
        if not el.dims:
            first.setdefault(el.type, code)
    return first


SCHOOL = "0140212001"


def rows() -> list[str]:
    """Rows of every kind values.csv may hold: good ones, repaired ones, wrong ones."""
    t = _types()
    count, amount, rate, pair = t["count"], t["amount"], t["rate"], t["pair"]
    out = [
        f"schools,,2020,unstated,34,表一,,{SCHOOL}",
        f"schools,affiliation=provincial,2020,unstated,1,1.1,,{SCHOOL}",
        f"schools,affiliation=provincial;ownership=public,2019,unstated,1,1.1,,{SCHOOL}",
        f"schools,ownership=public，affiliation=provincial,2019,unstated,1,,,{SCHOOL}",  # a full-width comma
        f"schools,affiliation,2020,unstated,1,,,{SCHOOL}",  # dims without =
        f"schools,affiliation=nowhere,2020,unstated,1,,,{SCHOOL}",
        f"{count},affiliation=provincial,2020,unstated,1,,,{SCHOOL}",  # dims on an element without dims
        f"no_such_element,,2020,unstated,1,,,{SCHOOL}",
        f"#{count},,2020,unstated,1,,,{SCHOOL}",
        f",,2020,unstated,1,,,{SCHOOL}",
        f"  {count}  ,,2021,unstated,7,,,{SCHOOL}",
        f"{count},,20x0,unstated,1,,,{SCHOOL}",
        f"{count},,,unstated,1,,,{SCHOOL}",
        f"{count},, 2019 ,unstated,8,,,{SCHOOL}",
        f"{count},,2018,unstated,9,,,9999999999",
        f"{count},,2017,unstated,9,,, {SCHOOL} ",
        f"{count},,2016,nowhere,9,,,{SCHOOL}",
        f"{count},,2016, all ,9,,,{SCHOOL}",
        f"{count},,2015,,,,,{SCHOOL}",
        f"{count},,2014,unstated, 12 ,,,{SCHOOL}",
        f"{count},,2013,unstated,１２,,,{SCHOOL}",
        f"{count},,2012,unstated,1 234,,,{SCHOOL}",
        f"{count},,2011,unstated,1 2,,,{SCHOOL}",
        f"{count},,2010,unstated,12人,,,{SCHOOL}",
        f"{count},,2009,unstated,3.5,,,{SCHOOL}",
        f"{count},,2008,unstated,3.0,,,{SCHOOL}",
        f"{count},,2007,unstated,-3,,,{SCHOOL}",
        f"{count},,2006,unstated,1e3,,,{SCHOOL}",
        f"{count},,2005,unstated,{'9' * 400},,,{SCHOOL}",
        f"{count},,2004,unstated,٢٢٨,,,{SCHOOL}",
        f"{count},,2003,unstated,=A1,,,{SCHOOL}",
        f"{count},,2002,unstated,1.5万,,,{SCHOOL}",
        f"{count},,2001,unstated,999999999999,,,{SCHOOL}",  # beyond the plausible range
        f"{amount},,2020,unstated,12.,,,{SCHOOL}",
        f"{amount},,2021,unstated,.5,,,{SCHOOL}",
        f"{amount},,2022,unstated,0.1,,,{SCHOOL}",
        f"{amount},,2023,unstated,123456789012345.123456789012345,,,{SCHOOL}",
        f"{rate},,2020,unstated,95.5,,,{SCHOOL}",
        f"{rate},,2021,unstated,0.955,,,{SCHOOL}",
        f"{rate},,2022,unstated,95.5%,,,{SCHOOL}",
        f"{rate},,2023,unstated,150,,,{SCHOOL}",
        f"{rate},,2019,unstated,0,,,{SCHOOL}",
        f"{rate},,2018,unstated,1,,,{SCHOOL}",
        f"{rate},,2017,unstated,100,,,{SCHOOL}",
        f"{pair},,2020,unstated,6.9:3.1,,,{SCHOOL}",
        f"{pair},,2021,unstated,7:03,,,{SCHOOL}",
        f"{pair},,2022,unstated,5,,,{SCHOOL}",
        f"{pair},,2023,unstated,6:3,,,{SCHOOL}",
        f"schools,,2020,unstated,35,again,,{SCHOOL}",  # the same figure again
        f"schools,ownership=public;affiliation=provincial,2019,unstated,2,,,{SCHOOL}",  # again, dims reordered
        f"{count},,2014,unstated,12,,,{SCHOOL}",  # again, after a repaired row
        f"{count},,2024",  # fields missing: value and the rest
        f"{count},,2024,unstated,5,,,",  # the dataset's own unit
    ]
    return out


HEADER = "element,dims,period,scope,value,source,note,org_unit"


def _write(tmp_path: Path, data: bytes, name: str = "values.csv") -> Path:
    folder = tmp_path / "ds"
    shutil.copytree(SCHOOLS, folder)
    (folder / "values.csv").unlink()
    (folder / name).write_bytes(data)
    return folder


def _text(lines: list[str], end: str = "\n") -> str:
    return end.join(lines) + end


def reader_of(ds) -> str:
    return ds.figures().reader


CASES = {  # name → (bytes of values.csv, the reader the table path should use)
    "plain": (_text([HEADER] + rows()).encode(), "duckdb"),
    "crlf": (_text([HEADER] + rows(), "\r\n").encode(), "duckdb"),
    "bom": (b"\xef\xbb\xbf" + _text([HEADER] + rows()).encode(), "duckdb"),
    "no_final_newline": (_text([HEADER] + rows()).rstrip("\n").encode(), "duckdb"),
    "columns_reordered": (_text(["org_unit,value,element,period,dims,scope,source,note"] + [
        ",".join([r.split(",")[7] if len(r.split(",")) > 7 else "", r.split(",")[4] if len(r.split(",")) > 4 else "",
                  r.split(",")[0], r.split(",")[2], r.split(",")[1], r.split(",")[3] if len(r.split(",")) > 3 else "",
                  "", ""])
        for r in rows() if len(r.split(",")) == 8]).encode(), "duckdb"),
    "no_scope_column": (_text(["element,dims,period,value"] + ["schools,,2020,34", "schools,,2020,35",
                                                               "students,,2020,100"]).encode(), "duckdb"),
    "quoted": (_text([HEADER] + rows() + [f'students,,2020,unstated,"1,234","表一, 续",,{SCHOOL}']).encode(), "python"),
    "blank_lines": (_text([HEADER] + rows()[:5] + ["", ""] + rows()[5:]).encode(), "python"),
    "blank_line_first": (_text(["", HEADER] + rows()).encode(), None),
    "spaces_line": (_text([HEADER] + rows()[:5] + ["   "] + rows()[5:]).encode(), None),
    "mixed_endings": (("\r\n".join([HEADER] + rows()[:5]) + "\n" + _text(rows()[5:])).encode(), "python"),
    "lone_cr": (_text([HEADER] + rows(), "\r").encode(), "python"),
    "duplicate_header": (_text([HEADER + ",value"] + [r + ",99" for r in rows()]).encode(), "python"),
    "field_too_many": (_text([HEADER] + rows()[:5] + [f"schools,ownership=public,affiliation=provincial,2019,"
                                                       f"unstated,1,,,{SCHOOL}"] + rows()[5:]).encode(), "python"),
    "nul": (_text([HEADER] + rows()[:3] + [f"schools,,2017,unstated,3\x00,,,{SCHOOL}"]).encode(), "python"),
    "header_only": (_text([HEADER]).encode(), "duckdb"),
    "empty": (b"", None),
    "missing_columns": (_text(["element,dims,scope", "schools,,unstated"]).encode(), None),
    "not_utf8": (_text([HEADER] + rows()[:3]).encode() + "学校".encode("gbk") + b"\n", None),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_values_csv_read_the_same(case, tmp_path):
    data, reader = CASES[case]
    table = assert_same(_write(tmp_path, data))
    if reader is not None:
        assert table is not None and reader_of(table) == reader


def test_the_cases_find_what_they_were_written_for(tmp_path):
    """The rows above do reach every check: each code below is among the findings."""
    ds = load_dataset(_write(tmp_path, CASES["plain"][0]))
    codes = {f.code for f in ds.findings}
    for code in ("dataset.unknown_element", "dataset.bad_dims", "dataset.bad_period", "dataset.unknown_org",
                 "dataset.bad_scope", "dataset.duplicate", "value.empty", "value.fullwidth", "value.not_number",
                 "value.not_integer", "value.negative", "value.too_large", "value.other_digits", "value.out_of_range",
                 "rate.as_fraction", "rate.out_of_range", "pair.as_time", "value.grouped_digits", "value.unit_suffix"):
        assert any(c == code or c.startswith(code + ":") for c in codes), code


@pytest.mark.parametrize("folder", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_examples_check_the_same(folder):
    """The data rules on DuckDB read the table of figures itself (no object made for them) and
    find what they find on the observations read row by row."""
    from nianbao.check.engine import check_rules

    ref, table = (load_dataset(folder, by_rows=b) for b in (True, False))
    want = [repr(f) for f in check_rules(ref, engine="duckdb")]
    got = [repr(f) for f in check_rules(table, engine="duckdb")]
    assert got == want
    from nianbao.check.engine import check_dataset

    assert [repr(f) for f in check_dataset(table)] == [repr(f) for f in check_dataset(ref)]


def test_the_check_reads_the_table_without_objects(tmp_path):
    """A check of the compiled kinds alone makes no observation of the dataset."""
    import copy

    from nianbao.check.engine import check_rules
    from nianbao.check.rules import rulebook

    ds = load_dataset(_write(tmp_path, CASES["plain"][0]))
    book = copy.copy(rulebook(ds.catalogue))
    book.rules = [r for r in book.rules if r.kind in ("breakdown", "compare", "stock_flow", "year_over_year")]
    check_rules(ds, book, data_only=True, engine="duckdb")
    assert ds.__dict__.get("_observations") is None


def _figures_of(ds, engine: str):
    from nianbao.compute import sql_engine

    f = sql_engine.SqlFigures(ds, engine)
    # the rows of an SQL engine come in no set order (DuckDB's differ from run to run): compared sorted
    return f.computed, f.taken, {k: sorted(repr(o) for o in obs) for k, obs in f.observations.items()}


@pytest.mark.parametrize("folder", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_examples_compute_the_same(folder):
    """Every figure, data element and indicator of every unit and breakdown group computed on
    DuckDB from the table of figures is the one computed from the observations read row by row
    (loaded into DuckDB as before) — with the same provenance."""
    ref, table = (load_dataset(folder, by_rows=b) for b in (True, False))
    assert _figures_of(table, "duckdb") == _figures_of(ref, "duckdb")
    assert table.__dict__.get("_observations") is None or (folder / "nianbao.duckdb").exists()


def test_indicator_tables_the_same(tmp_path):
    """The indicators command's table of a province, from the table of figures and from the
    observations, on DuckDB and on the Python evaluator."""
    from nianbao.compute import engines

    folder = ROOT / "examples" / "shanxi-2024"
    ref, table = (load_dataset(folder, by_rows=b) for b in (True, False))
    for engine in ("duckdb", "python"):
        a = engines.factbook(ref, engine=engine)
        b = engines.factbook(table, engine=engine)
        codes = sorted(ref.catalogue.indicators)
        assert sorted(map(repr, b.all_facts())) == sorted(map(repr, a.all_facts()))
        for period in ref.periods:
            assert [repr(b.get(c, period)) for c in codes] == [repr(a.get(c, period)) for c in codes]
