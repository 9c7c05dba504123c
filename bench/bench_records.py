"""Benchmark: indicators of every school from the student and graduate records.

    .venv/bin/python bench/bench_records.py --scale 0.1 [--spark] [--ways nianbao,Spark,…] [--data DIR]

Generates the national-shaped records (nianbao.synth.national; scale 1 = 7 000 schools, 13 M
student and 4 M graduate records, as Parquet; ``--parts``: one file a province of each kind, as
the provinces export them) once into DIR, then computes the same figures of
every school in three (or four) ways, each in its own process:

  nianbao   the records counted by nianbao.ingest.records as records.yaml says (one scan a file,
            the values of every column checked, unknown schools found), the counts a long table
            in DuckDB, the indicators by the SQL compiled from the catalogue (compute.sql)
  SQL       a hand-written DuckDB query: the same counts with FILTER, GROUP BY school, the rates
  pandas    the same with pandas (pyarrow Parquet reader, vectorised masks, groupby)
  Spark     (--spark) the hand-written query on Spark SQL, local mode (CPU and peak memory of
            the Python driver and the Java process added; the JVM's start-up is in its CPU)
  nianbao-Spark  (--spark) nianbao's own way on Spark local[2]: the same counting SQL and the
            same indicator SQL, run by nianbao's Spark engine (the files read by spark.read,
            every column a string; measured as Spark above)

The figures: students (and by major category), entrants, final-year students, graduates,
direct employment (and by industry), further study (and by level), local, in-field, self-employed,
placed, mean starting pay; and 就业率, 直接就业占比, 本地就业率, 对口就业率, 升学率, 创业率,
毕业率, 毕业去向落实率. Every way's figures are compared with nianbao's before the times are
printed. Wall and CPU are those of the work in the child process (CPU of all its threads),
after the libraries of each way were imported (their wall time is printed apart), up to the
figures computed — in a table of the engine (pandas: in its frames of results) — and, printed
apart, with the figures also fetched into Python for the comparison (one entry a figure: 206 075
at scale 1, which cost the long rows of nianbao's figures more than a few wide rows); peak memory is
the child's maximum resident set (VmHWM). On a shared machine wall time varies with the load;
CPU time is the steadier figure.
Goals: nianbao ≤ 1.5× the hand-written SQL, ≥ 5× faster than pandas, < 1.5 GB peak.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

from benchkit import peak_mb  # noqa: E402

YEAR = 2022
RATES = {  # indicator → (numerator elements, denominator element): 就业率 etc. (DOMAIN.md §2)
    "employment_rate": (("employed_direct", "further_study"), "graduates"),
    "direct_employment_share": (("employed_direct",), "graduates"),
    "local_employment_rate": (("employed_local",), "employed_direct"),
    "matched_employment_rate": (("employed_matched",), "employed_direct"),
    "further_study_rate": (("further_study",), "graduates"),
    "entrepreneurship_rate": (("entrepreneurs",), "graduates"),
    "graduation_rate": (("graduates",), "graduation_candidates"),
    "placement_rate": (("graduates_placed",), "graduates"),
}
INDUSTRY = {"第一产业": "primary", "第二产业": "secondary", "第三产业": "tertiary"}
LEVEL = {"专科（高职）": "associate", "本科（含职业本科）": "bachelor"}


# -- the ways -------------------------------------------------------------------------------------

def run_nianbao(data: Path, engine: str = "duckdb", url: str | None = None) -> dict:
    from nianbao import catalogue
    from nianbao.compute.sql import indicator_steps, run_steps
    from nianbao.ingest import records
    from nianbao.ingest.orgs import read_orgs
    from nianbao.store import engines

    cat = catalogue.load("cn-2022")
    schools = [o.code for o in read_orgs(data / "orgs.csv").schools()]
    files, _ = records.discover(data / "records", cat.records)
    con = engines.connect(engine, url)
    counted = records.count_into(con, files, cat, schools)
    if counted.findings:
        raise SystemExit(f"nianbao found problems in generated data: {counted.findings[0].message_en}")
    con.materialize("observations", "SELECT org_unit, element, dims, period, scope, value FROM record_figures")
    run_steps(con, indicator_steps(cat, list(RATES), table="observations"), table="indicator_rows")
    computed(con.session.sparkContext._gateway.proc.pid if engine == "spark" else None)
    out = {}
    for org, element, dims, value in con.query("SELECT org_unit, element, dims, value FROM observations"):
        out[f"{org}|{element}[{dims}]" if dims else f"{org}|{element}"] = value
    for org, code, value in con.query("SELECT org_unit, indicator, value FROM indicator_rows"):
        out[f"{org}|{code}"] = value
    if engine == "spark":
        JVM.update(_proc_usage(con.session.sparkContext._gateway.proc.pid))
    con.close()
    return out


def run_nianbao_spark(data: Path) -> dict:
    import logging

    logging.getLogger("py4j").setLevel(logging.ERROR)
    return run_nianbao(data, "spark", "local[2]")


HAND_SQL = """
WITH s AS (
  SELECT school,
         COUNT(*) FILTER (WHERE status = '在校') AS students,
         COUNT(*) FILTER (WHERE enrolled = '{year}') AS entrants,
         COUNT(*) FILTER (WHERE status = '在校' AND grade = duration) AS graduation_candidates
  FROM read_parquet('{students}') GROUP BY school
), g AS (
  SELECT school, COUNT(*) AS graduates,
         COUNT(*) FILTER (WHERE destination = '直接就业') AS employed_direct,
         COUNT(*) FILTER (WHERE destination = '升学') AS further_study,
         COUNT(*) FILTER (WHERE destination = '直接就业' AND local = '是') AS employed_local,
         COUNT(*) FILTER (WHERE destination = '直接就业' AND matched = '是') AS employed_matched,
         COUNT(*) FILTER (WHERE destination = '直接就业' AND form = '自主创业') AS entrepreneurs,
         COUNT(*) FILTER (WHERE destination IN ('直接就业', '升学')) AS graduates_placed,
         AVG(CAST(pay AS DOUBLE)) FILTER (WHERE destination = '直接就业') AS starting_income
  FROM read_parquet('{graduates}') GROUP BY school
)
SELECT s.school, students, entrants, graduation_candidates, graduates, employed_direct, further_study,
       employed_local, employed_matched, entrepreneurs, graduates_placed, starting_income,
       (employed_direct + further_study) * 100.0 / NULLIF(graduates, 0) AS employment_rate,
       employed_direct * 100.0 / NULLIF(graduates, 0) AS direct_employment_share,
       employed_local * 100.0 / NULLIF(employed_direct, 0) AS local_employment_rate,
       employed_matched * 100.0 / NULLIF(employed_direct, 0) AS matched_employment_rate,
       further_study * 100.0 / NULLIF(graduates, 0) AS further_study_rate,
       entrepreneurs * 100.0 / NULLIF(graduates, 0) AS entrepreneurship_rate,
       graduates * 100.0 / NULLIF(graduation_candidates, 0) AS graduation_rate,
       graduates_placed * 100.0 / NULLIF(graduates, 0) AS placement_rate
FROM s JOIN g ON g.school = s.school
"""
HAND_BREAKDOWNS = """
SELECT school, 'students', 'major_category=' || left(major, 2), COUNT(*)
FROM read_parquet('{students}') WHERE status = '在校' GROUP BY ALL
UNION ALL
SELECT school, 'employed_direct', 'industry=' || CASE industry WHEN '第一产业' THEN 'primary'
       WHEN '第二产业' THEN 'secondary' ELSE 'tertiary' END, COUNT(*)
FROM read_parquet('{graduates}') WHERE destination = '直接就业' AND industry IS NOT NULL GROUP BY ALL
UNION ALL
SELECT school, 'further_study', 'study_level=' || CASE WHEN study_level LIKE '本科%' THEN 'bachelor'
       ELSE 'associate' END, COUNT(*)
FROM read_parquet('{graduates}') WHERE destination = '升学' AND study_level IS NOT NULL GROUP BY ALL
"""


def _paths(data: Path) -> dict:
    """The records of each kind: the one file, or (``--parts``) a glob of the provinces' files."""
    out = {"year": YEAR}
    for kind in ("students", "graduates"):
        whole = data / "records" / f"{kind}-{YEAR}.parquet"
        out[kind] = whole if whole.exists() else data / "records" / f"{kind}-{YEAR}-*.parquet"
    return out


def _read_pandas(path: Path, columns: list[str]):
    import pandas as pd

    if "*" not in path.name:
        return pd.read_parquet(path, columns=columns)
    return pd.concat([pd.read_parquet(f, columns=columns) for f in sorted(path.parent.glob(path.name))],
                     ignore_index=True)


def _wide_to_out(cols, rows, breakdowns) -> dict:
    out = {}
    for row in rows:
        school = row[0]
        for name, v in zip(cols[1:], row[1:]):
            if v is not None:
                out[f"{school}|{name}"] = float(v)  # Spark gives a DECIMAL for × 100.0
    for school, element, dims, n in breakdowns:
        out[f"{school}|{element}[{dims}]"] = float(n)
    return out


def run_sql(data: Path) -> dict:
    import duckdb

    con = duckdb.connect()
    con.execute(f"CREATE TEMP TABLE wide AS {HAND_SQL.format(**_paths(data))}")
    con.execute(f"CREATE TEMP TABLE breakdowns AS {HAND_BREAKDOWNS.format(**_paths(data))}")
    computed()
    cur = con.execute("SELECT * FROM wide")
    cols = [d[0] for d in cur.description]
    rows = cur.fetchall()
    breakdowns = con.execute("SELECT * FROM breakdowns").fetchall()
    con.close()
    return _wide_to_out(cols, rows, breakdowns)


def run_pandas(data: Path) -> dict:
    import pandas as pd

    p = _paths(data)
    st = _read_pandas(p["students"], ["school", "major", "grade", "enrolled", "duration", "status"])
    in_school = st["status"] == "在校"
    s = pd.DataFrame({"school": st["school"], "students": in_school,
                      "entrants": st["enrolled"] == str(YEAR),
                      "graduation_candidates": in_school & (st["grade"] == st["duration"])})
    s = s.groupby("school").sum()
    cats = st.loc[in_school, ["school"]].assign(cat=st.loc[in_school, "major"].str[:2])
    cats = cats.groupby(["school", "cat"]).size()
    del st
    gr = _read_pandas(p["graduates"], ["school", "destination", "local", "matched", "form", "pay", "industry",
                                       "study_level"])
    direct, further = gr["destination"] == "直接就业", gr["destination"] == "升学"
    g = pd.DataFrame({"school": gr["school"], "graduates": 1, "employed_direct": direct, "further_study": further,
                      "employed_local": direct & (gr["local"] == "是"),
                      "employed_matched": direct & (gr["matched"] == "是"),
                      "entrepreneurs": direct & (gr["form"] == "自主创业"),
                      "graduates_placed": direct | further}).groupby("school").sum()
    pay = pd.to_numeric(gr["pay"]).where(direct)
    g["starting_income"] = pay.groupby(gr["school"]).mean()
    ind = gr.loc[direct & gr["industry"].notna()].groupby(["school", "industry"]).size()
    lvl = gr.loc[further & gr["study_level"].notna()].groupby(["school", "study_level"]).size()
    del gr
    w = s.join(g, how="inner")
    for code, (num, den) in RATES.items():
        w[code] = w[list(num)].sum(axis=1) * 100.0 / w[den].where(w[den] != 0)
    computed()
    out = {}
    for name in w.columns:
        for school, v in w[name].items():
            if not (isinstance(v, float) and math.isnan(v)):
                out[f"{school}|{name}"] = float(v)
    for (school, c), n in cats.items():
        out[f"{school}|students[major_category={c}]"] = int(n)
    for (school, c), n in ind.items():
        out[f"{school}|employed_direct[industry={INDUSTRY[c]}]"] = int(n)
    for (school, c), n in lvl.items():
        out[f"{school}|further_study[study_level={LEVEL[c]}]"] = int(n)
    return out


JVM: dict = {}  # CPU and peak memory of Spark's Java process, added to the Python driver's
DONE: dict = {}  # wall and CPU when a way's figures are computed (before they are fetched into Python)


def computed(jvm: int | None = None) -> None:
    """Mark the figures computed: in a table of the engine, or (pandas) in the frames of the
    results; ``jvm``: Spark's Java process, whose CPU is added."""
    DONE.update(wall=time.perf_counter(), cpu=time.process_time() + (_proc_usage(jvm)["cpu"] if jvm else 0.0))


def _proc_usage(pid: int) -> dict:
    """CPU seconds (user + system) and peak resident set of another process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    peak = next(int(line.split()[1]) / 1024 for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                if line.startswith("VmHWM:"))
    return {"cpu": cpu, "peak_mb": peak}


def run_spark(data: Path) -> dict:
    import logging

    logging.getLogger("py4j").setLevel(logging.ERROR)
    from pyspark.sql import SparkSession

    warehouse = tempfile.mkdtemp(prefix="bench-spark-")
    spark = (SparkSession.builder.master("local[2]").appName("bench_records")
             .config("spark.sql.warehouse.dir", warehouse).config("spark.ui.enabled", "false")
             .config("spark.sql.shuffle.partitions", "4").config("spark.ui.showConsoleProgress", "false")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    p = _paths(data)
    spark.read.parquet(str(p["students"])).createOrReplaceTempView("students")
    spark.read.parquet(str(p["graduates"])).createOrReplaceTempView("graduates")
    sql = HAND_SQL.replace("read_parquet('{students}')", "students").replace("read_parquet('{graduates}')",
                                                                              "graduates")
    df = spark.sql(sql.format(year=YEAR)).localCheckpoint(eager=True)
    bsql = HAND_BREAKDOWNS.replace("read_parquet('{students}')", "students").replace(
        "read_parquet('{graduates}')", "graduates").replace("GROUP BY ALL", "GROUP BY 1, 2, 3")
    bd = spark.sql(bsql).localCheckpoint(eager=True)
    computed(spark.sparkContext._gateway.proc.pid)
    cols = df.columns
    rows = [tuple(r) for r in df.collect()]
    breakdowns = [tuple(r) for r in bd.collect()]
    JVM.update(_proc_usage(spark.sparkContext._gateway.proc.pid))
    spark.stop()
    shutil.rmtree(warehouse, ignore_errors=True)
    return _wide_to_out(cols, rows, breakdowns)


WAYS = {"nianbao": run_nianbao, "SQL": run_sql, "pandas": run_pandas, "Spark": run_spark,
        "nianbao-Spark": run_nianbao_spark}
# the libraries of each way, imported before the work is timed (their import time is printed apart)
IMPORTS = {"nianbao": ("duckdb", "numpy", "yaml", "nianbao.catalogue", "nianbao.compute.sql", "nianbao.ingest.records",
                       "nianbao.ingest.orgs", "nianbao.store.engines", "nianbao.store.engines.duckdb"),
           "SQL": ("duckdb",), "pandas": ("pandas", "pyarrow.parquet"), "Spark": ("pyspark.sql",),
           "nianbao-Spark": ("numpy", "yaml", "pyspark.sql", "nianbao.catalogue", "nianbao.compute.sql", "nianbao.ingest.records",
                             "nianbao.ingest.orgs", "nianbao.store.engines", "nianbao.store.engines.spark")}


# -- measuring ----------------------------------------------------------------------------------

def child(way: str, data: Path, out: Path) -> None:
    import importlib

    t0 = time.perf_counter()
    for name in IMPORTS[way]:
        importlib.import_module(name)
    imports = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    result = WAYS[way](data)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    cpu += JVM.get("cpu", 0.0)  # Spark: the Java process's CPU (from its start) too
    out.write_text(json.dumps({"wall": DONE["wall"] - t0, "cpu": DONE["cpu"] - c0, "wall_all": wall, "cpu_all": cpu,
                               "imports": imports, "peak_mb": peak_mb() + JVM.get("peak_mb", 0.0),
                               "figures": result}),
                   encoding="utf-8")




def measure(way: str, data: Path) -> dict:
    """Run one way in a fresh process: its figures, the wall and CPU time of the work (every
    thread of the process; imports included, interpreter start not), and the peak memory of the
    whole process."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = Path(f.name)
    env = {**os.environ, "PYTHONPATH": str(HERE.parent / "src")}
    proc = subprocess.Popen([sys.executable, __file__, "--child", way, "--data", str(data), "--out", str(out)],
                            env=env)
    status = proc.wait()
    if status != 0:
        raise SystemExit(f"{way} failed (status {status})")
    res = json.loads(out.read_text(encoding="utf-8"))
    out.unlink()
    return {k: res[k] for k in ("figures", "wall", "cpu", "wall_all", "cpu_all", "imports", "peak_mb")}


def agree(a: dict, b: dict) -> list[str]:
    diffs = [k for k in a.keys() | b.keys()
             if k not in a or k not in b or not math.isclose(float(a[k]), float(b[k]), rel_tol=1e-9, abs_tol=1e-9)]
    return sorted(diffs)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=0.1, help="share of the national registry (1 = 13 M students)")
    ap.add_argument("--data", type=Path, help="folder of the generated records (default: a temporary folder)")
    ap.add_argument("--spark", action="store_true", help="also Spark SQL, local mode, and nianbao on Spark")
    ap.add_argument("--ways", help="only these ways, comma-separated (SQL is always run: the ratios are to it)")
    ap.add_argument("--parts", action="store_true",
                    help="the records in one file a province (31 of each kind at scale 1), as provinces export them")
    ap.add_argument("--child")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.data, args.out)
        return 0
    from nianbao.synth.national import generate

    data = args.data or Path(tempfile.gettempdir()) / (f"nianbao-bench-records-{args.scale:g}"
                                                       + ("-parts" if args.parts else ""))
    if not (data / "sizes.json").exists():
        t = time.perf_counter()
        sizes = generate(data, scale=args.scale, year=YEAR, parts=args.parts)
        print(f"generated in {time.perf_counter() - t:.1f} s: {sizes}")
        (data / "sizes.json").write_text(json.dumps(sizes), encoding="utf-8")
    sizes = json.loads((data / "sizes.json").read_text(encoding="utf-8"))
    print(f"records: {sizes['students']:,} students, {sizes['graduates']:,} graduates, {sizes['schools']:,} schools "
          f"(scale {args.scale:g}, {data})")
    ways = ["nianbao", "SQL", "pandas"] + (["Spark", "nianbao-Spark"] if args.spark else [])
    if args.ways:
        wanted = set(args.ways.split(",")) | {"SQL"}
        ways = [w for w in WAYS if w in wanted]
    base_way = ways[0]
    results = {w: measure(w, data) for w in ways}
    base = results[base_way]["figures"]
    for w in ways[1:]:
        diffs = agree(base, results[w]["figures"])
        if diffs:
            print(f"{w} disagrees with {base_way} on {len(diffs)} figures, e.g. {diffs[:5]}")
            return 1
    print(f"all ways agree on {len(base):,} figures of {sizes['schools']:,} schools\n")
    sql = results["SQL"]
    print("computed: the figures in a table of the engine (pandas: in its frames); with fetching: also\n"
          "brought into Python, one entry a figure, for the comparison\n")
    print(f"{'way':13} {'wall s':>8} {'CPU s':>8} {'peak MB':>8} {'wall ÷ SQL':>11} {'CPU ÷ SQL':>10} "
          f"{'with fetching: wall s':>22} {'÷ SQL':>6} {'imports s':>10}")
    for w in ways:
        r = results[w]
        print(f"{w:13} {r['wall']:8.2f} {r['cpu']:8.2f} {r['peak_mb']:8.0f} {r['wall'] / sql['wall']:10.2f}× "
              f"{r['cpu'] / sql['cpu']:9.2f}× {r['wall_all']:22.2f} {r['wall_all'] / sql['wall_all']:5.2f}× "
              f"{r['imports']:10.2f}")
    if "nianbao" in results and "pandas" in results:
        nb, pd_ = results["nianbao"], results["pandas"]
        print(f"\npandas ÷ nianbao: wall {pd_['wall'] / nb['wall']:.1f}×, CPU {pd_['cpu'] / nb['cpu']:.1f}× "
              f"(goal ≥ 5×); nianbao ÷ SQL: wall {nb['wall'] / sql['wall']:.2f}× (goal ≤ 1.5×); "
              f"nianbao peak {nb['peak_mb']:.0f} MB (goal < 1500 MB)")
    if "nianbao-Spark" in results and "Spark" in results:
        ns, sp = results["nianbao-Spark"], results["Spark"]
        print(f"nianbao on Spark ÷ hand-written Spark SQL: wall {ns['wall'] / sp['wall']:.2f}×, "
              f"CPU {ns['cpu'] / sp['cpu']:.2f}× (reference: no goal)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
