"""Student and graduate records counted on every engine that counts them (DuckDB, PostgreSQL,
Spark): the same figures — counts, breakdowns, means and their provenance — and the same
findings, each naming the same file and line, on a tiny national dataset with bad records
planted in it, as CSV (UTF-8 with a byte-order mark; GBK) and as Parquet.

DuckDB is the engine the records tests (tests/test_records.py) check against a tally of the
records in Python; here the other engines are compared with it, and the planted records'
findings with the lines they were written on."""

import csv
import shutil
from pathlib import Path

import pytest

from nianbao.ingest import records
from nianbao.ingest.dataset import load_dataset
from nianbao.store import engines
from nianbao.store.engines import EngineError
from nianbao.synth.national import generate
from tests.conformance.conftest import engine_url

YEAR = 2022
ENGINES = ("postgres", "spark")

# planted in the students' file: (column, value, valid?) — a valid number as DuckDB's TRY_CAST
# reads one (digits with single underscores between them, a fraction, an exponent), then the
# column's type (年级 an integer from 1 to 5)
GRADES = [("2.0", True),     # an integer written with a fraction of 0
          ("+3", True), ("1e0", True), (".3e1", True), ("3.", True),
          ("2.5", False),    # no integer
          ("1_2", False),    # 12: past 5
          ("0x1", False), ("1d", False), ("３", False),  # no number: hexadecimal, a suffix, a full-width digit
          ("nan", False), ("-inf", False)]               # numbers, outside 1 … 5
# in the graduates' file: 起薪 a number from 0 to 100 000, the record a direct employment
PAYS = [("1_000", True), ("1e3", True), ("2.4e+3", True), (" 2600 ", True),  # 1000, 1000, 2400, 2600
        ("1e400", False), ("inf", False), ("nan", False), ("1d", False), ("５００", False), ("-5", False)]


def _plant(folder: Path) -> dict:
    """Append bad (and odd but valid) records to a generated dataset's files; the lines where
    each finding is expected: {(code, file, line)}."""
    expected = set()
    st = folder / "records" / f"students-{YEAR}.csv"
    rows = list(csv.reader(st.open(encoding="utf-8", newline="")))
    header, good = rows[0], rows[1]
    col = {h: i for i, h in enumerate(header)}
    planted = []

    def student(**change):
        row = list(good)
        for k, v in change.items():
            row[col[k]] = v
        planted.append(row)
        return len(rows) + len(planted)  # its line: the header is line 1, one record a line

    for value, ok in GRADES:
        line = student(年级=value, 学制="5")
        if not ok:
            expected.add(("records.bad_value", f"records/students-{YEAR}.csv", line))
    expected.add(("records.unknown_school", f"records/students-{YEAR}.csv", student(学校标识码="9999999999")))
    expected.add(("records.bad_value", f"records/students-{YEAR}.csv", student(学籍状态="在读")))
    expected.add(("records.bad_value", f"records/students-{YEAR}.csv", student(专业代码="9901")))
    student(专业代码="990100")  # a major category that is none: counted, and one finding for the file
    with st.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows + planted)

    gr = folder / "records" / f"graduates-{YEAR}.csv"
    rows = list(csv.reader(gr.open(encoding="utf-8", newline="")))
    col = {h: i for i, h in enumerate(rows[0])}
    good = next(r for r in rows[1:] if r[col["毕业去向"]] == "直接就业")
    planted = []
    for value, ok in PAYS:
        row = list(good)
        row[col["起薪（元/月）"]] = value
        planted.append(row)
        if not ok:
            expected.add(("records.bad_value", f"records/graduates-{YEAR}.csv", len(rows) + len(planted)))
    with gr.open("w", encoding="gbk", newline="") as f:
        csv.writer(f).writerows(rows + planted)
    return expected


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    out = tmp_path_factory.mktemp("records-engines") / "ds"
    generate(out, scale=0.004, record_scale=0.02, year=YEAR, fmt="csv", headers="zh")
    return out, _plant(out)


@pytest.fixture(scope="module")
def parquet(tmp_path_factory, planted):
    """The same records (planted ones included) as Parquet, by DuckDB, English headers kept Chinese."""
    import duckdb

    src, _ = planted
    out = tmp_path_factory.mktemp("records-parquet") / "ds"
    shutil.copytree(src, out)
    con = duckdb.connect()
    for kind in ("students", "graduates"):
        path = out / "records" / f"{kind}-{YEAR}.csv"
        text = path.read_bytes().decode("gbk" if kind == "graduates" else "utf-8-sig")
        utf8 = out / f"{kind}.csv"
        utf8.write_text(text, encoding="utf-8")
        con.execute(f"COPY (SELECT * FROM read_csv('{utf8}', all_varchar = true, header = true)) "
                    f"TO '{out / 'records' / f'{kind}-{YEAR}.parquet'}' (FORMAT parquet)")
        path.unlink()
        utf8.unlink()
    con.close()
    return out


@pytest.fixture(scope="module")
def spark_session():
    """One Spark session for the module (a connection opened later uses it and leaves it open)."""
    engine_url("spark")
    con = engines.connect("spark", "local[2]")
    yield
    con.close()


def _counted(folder: Path, engine: str, url=None):
    ds = load_dataset(folder, engine=engine, url=url)
    figures = sorted((o.org_unit, o.element, o.dims, o.period, o.scope, o.value, o.origin, o.source)
                     for o in ds.observations)
    found = [(f.code, f.severity, f.location.file, f.location.cell, f.message_zh, f.message_en)
             for f in ds.findings if f.code.startswith("records.")]
    return figures, found


_duckdb: dict = {}


def _reference(folder: Path):
    if folder not in _duckdb:
        _duckdb[folder] = _counted(folder, "duckdb")
    return _duckdb[folder]


def _lines(found) -> set:
    out = set()
    for code, _sev, file, cell, _zh, _en in found:
        if cell:
            out.add((code, file, int(cell.strip("第行条记录 "))))
    return out


def test_duckdb_names_every_planted_record(planted):
    folder, expected = planted
    figures, found = _reference(folder)
    assert _lines(found) == expected
    # the major category 99 (no category): one finding for the file, counted once
    assert [f for f in found if f[0] == "records.unknown_category"] and figures


@pytest.mark.parametrize("data", ["planted", "in_parts"])  # one file a kind; the same records in parts
@pytest.mark.parametrize("engine", ENGINES)
def test_the_same_figures_and_findings_on_every_engine(data, engine, request):
    if engine == "spark":
        request.getfixturevalue("spark_session")
    folder, expected = request.getfixturevalue(data)
    figures, found = _counted(folder, engine, engine_url(engine))
    ref_figures, ref_found = _reference(folder)
    assert len(figures) == len(ref_figures) > 300
    assert figures == ref_figures
    assert found == ref_found
    assert _lines(found) == expected


@pytest.mark.parametrize("engine", ENGINES)
def test_parquet_the_same_on_every_engine(parquet, planted, engine, request):
    if engine == "spark":
        request.getfixturevalue("spark_session")
    figures, found = _counted(parquet, engine, engine_url(engine))
    ref_figures, ref_found = _reference(parquet)
    csv_figures, _ = _reference(planted[0])
    # Parquet holds the CSV's records: the same figures, but for the origin's file name
    assert [f[:6] for f in ref_figures] == [f[:6] for f in csv_figures]
    assert figures == ref_figures and found == ref_found
    # a Parquet record's number is its line less the header's
    assert _lines(found) == {(c, f.replace(".csv", ".parquet"), n - 1) for c, f, n in planted[1]}


def test_the_engine_is_the_commands_else_the_datasets(planted, tmp_path, monkeypatch):
    assert records.engine_of({}, None) == "duckdb"
    assert records.engine_of({"engine": "spark"}, None) == "spark"
    assert records.engine_of({"engine": "spark"}, "postgres") == "postgres"
    assert records.engine_of({"engine": "postgres"}, "python") == "duckdb"  # Python counts no records
    assert records.engine_of({"engine": "sqlite"}, None) == "duckdb"
    folder = tmp_path / "ds"
    shutil.copytree(planted[0], folder)
    with (folder / "dataset.yaml").open("a", encoding="utf-8") as f:
        f.write("engine: postgres\n")
    monkeypatch.delenv("NIANBAO_DATABASE_URL", raising=False)
    with pytest.raises(EngineError) as exc:  # dataset.yaml's engine, not set up here: a refusal
        load_dataset(folder)
    assert "PostgreSQL" in str(exc.value)
    assert load_dataset(folder, engine="duckdb").observations  # the command's engine first


# -- the records of a kind and year in parts ---------------------------------------------------------

PARTS = "abc"


@pytest.fixture(scope="module")
def in_parts(tmp_path_factory, planted):
    """The planted dataset with its records in parts: the students' file dealt out record by
    record to students-2022-a/-b/-c.csv (so every school lies in all three), the graduates' file
    (GBK) halved into a folder of parts as Spark writes one (province=1/part-0.csv,
    province=2/part-1.csv, with _SUCCESS and .crc files beside them). The findings expected:
    each planted record's in its part, at its line there."""
    src, expected = planted
    out = tmp_path_factory.mktemp("records-parts") / "ds"
    shutil.copytree(src, out)
    moved = {}  # (file, line) in the whole file → (file, line) in its part
    st = out / "records" / f"students-{YEAR}.csv"
    header, *body = list(csv.reader(st.open(encoding="utf-8-sig", newline="")))
    for n, part in enumerate(PARTS):
        rows = body[n::len(PARTS)]
        with (out / "records" / f"students-{YEAR}-{part}.csv").open("w", encoding="utf-8-sig", newline="") as f:
            csv.writer(f).writerows([header, *rows])
    for k in range(len(body)):  # record k (line k + 2) is the (k // 3)-th of part k % 3
        moved[(f"records/students-{YEAR}.csv", k + 2)] = (f"records/students-{YEAR}-{PARTS[k % 3]}.csv", k // 3 + 2)
    st.unlink()
    gr = out / "records" / f"graduates-{YEAR}.csv"
    header, *body = list(csv.reader(gr.open(encoding="gbk", newline="")))
    half = len(body) // 2
    folder = out / "records" / f"graduates-{YEAR}"
    for n, rows in enumerate((body[:half], body[half:])):
        (folder / f"province={n + 1}").mkdir(parents=True)
        with (folder / f"province={n + 1}" / f"part-{n}.csv").open("w", encoding="gbk", newline="") as f:
            csv.writer(f).writerows([header, *rows])
        (folder / f"province={n + 1}" / f".part-{n}.csv.crc").write_bytes(b"\x00crc")
    (folder / "_SUCCESS").write_bytes(b"")
    for k in range(len(body)):
        part = f"records/graduates-{YEAR}/province={1 + (k >= half)}/part-{int(k >= half)}.csv"
        moved[(f"records/graduates-{YEAR}.csv", k + 2)] = (part, k - half * (k >= half) + 2)
    gr.unlink()
    return out, {(code, *moved[(file, line)]) for code, file, line in expected}


def test_parts_give_the_figures_of_the_whole_file(in_parts, planted):
    folder, expected = in_parts
    figures, found = _reference(folder)
    whole, whole_found = _reference(planted[0])
    # the same counts, breakdowns and means of every school: each school's records lie in every
    # part, and its counts are added before the figures are made (one figure, not one a part)
    assert [f[:6] for f in figures] == [f[:6] for f in whole] and len(figures) > 300
    # a figure names the part its school's records lie in, or the parts together where they lie
    # in several (a breakdown's figure: the parts of its category's records, so one of the two)
    holding: dict = {}  # (kind, school) → the parts holding any of its records
    for part in sorted((folder / "records").rglob("*.csv")):
        name = part.relative_to(folder).as_posix()
        for row in list(csv.reader(part.open(encoding="gbk" if "graduates" in name else "utf-8-sig")))[1:]:
            holding.setdefault((name.split("-")[0], row[0]), set()).add(name)
    groups = {"records/students": f"records/students-{YEAR}-*", "records/graduates": f"records/graduates-{YEAR}/"}
    for org, element, dims, *_rest, origin, _source in figures:
        kind = "records/graduates" if origin.startswith("records/graduates") else "records/students"
        own = holding[(kind, org)]
        named = origin.split(":")[0]
        if not dims:
            assert named == (groups[kind] if len(own) > 1 else next(iter(own))), (org, element)
        else:
            assert named == groups[kind] or named in own, (org, element, dims)
    assert {f[6].split(":")[0] for f in figures if not f[2]} >= {f"records/students-{YEAR}-*", f"records/graduates-{YEAR}/"}
    assert [f[7] for f in figures] == [f[7] for f in whole]  # the catalogue's source of each count
    # every planted record named in its part, at its line there; nothing about the skipped files
    assert _lines(found) == expected
    assert {f[0] for f in found} == {f[0] for f in whole_found}
    odd = [f for f in found if f[0] == "records.unknown_category"]  # the one record of major 99
    assert len(odd) == 1 and odd[0][2].startswith(f"records/students-{YEAR}-")



@pytest.mark.parametrize("engine", ENGINES)
def test_empty_lines_and_rows_the_same_on_every_engine(tmp_path, engine, request):
    from tests.test_records import _dataset

    if engine == "spark":
        request.getfixturevalue("spark_session")
    lines = ["学校标识码,专业代码,年级,入学年份,学制,学籍状态", "0140213001,051300,1,2022,3,在校", "", ",,,,,",
             "0140213001,051300,七,2020,3,在校", "", "0140213002,090100,2,2021,3,在读", ""]
    folder = _dataset(tmp_path, "\n".join(lines))
    figures, found = _counted(folder, engine, engine_url(engine))
    ref_figures, ref_found = _counted(folder, "duckdb")
    assert figures == ref_figures and found == ref_found
    # line 5 and line 7 of the file, the empty lines 3 and 6 counted, the empty row 4 no record
    assert [f[3] for f in found] == ["第5行", "第7行"]
