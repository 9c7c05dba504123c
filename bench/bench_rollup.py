"""Benchmark: the roll-up of the national-shaped registry, school → county → city → province.

    .venv/bin/python bench/bench_rollup.py [--scale 1] [--record-scale 0.02] [--data DIR] [--no-python]
                                           [--repeat 3]

Generates once into DIR the national-shaped registry of nianbao.synth.national (scale 1: 31
provinces, ~340 cities, 2 800 counties, 7 000 schools) with the schools' aggregate figures
counted from its student and graduate records at a small record scale (students, entrants,
final-year students, graduates, direct employment by industry, further study by level, local,
in-field, self-employed, placed, mean starting pay — one year, written as values.csv beside
orgs.csv). Then, each in its own process, the indicators of every province are computed three
ways:

  nianbao   ``nianbao indicators DIR --engine duckdb --level province``: load_dataset, then
            app.indicators.indicator_rows as the command asks for its table (the school figures
            summed by the SQL compiled from aggregation.yaml, the ratios by the SQL compiled
            from indicators.yaml, the schools behind each row counted, not listed)
  SQL       hand-written DuckDB SQL of the same table: values.csv and orgs.csv read by read_csv, the
            sums of every county, city and province by GROUPING SETS, in both scopes (all schools,
            and without technical schools), the ratios from the sums; and the number of schools
            behind each row (those giving any figure the row is computed from), as the command
            prints it
  SQL-v     the same SQL without the number of schools: the values alone
  Python    the same command with ``--engine python`` (compute.aggregate, the reference)

Before the times are printed every way's figures are compared: nianbao's of every county, city
and province (the counties and cities listed after the timed province table), values and numbers
of schools, with the SQL's in the scope nianbao took; Python's provinces with nianbao's. Times are split into reading the files
(load) and computing (roll-up); CPU counts every thread of the process; peak memory is the
child's maximum resident set (VmHWM). Each way runs ``--repeat`` times, the ways in turn, and the
run of median roll-up CPU is shown with the range of all (one run varies by a fifth here). Goal: nianbao's roll-up ≤ 1.5× the hand-written SQL (CPU),
the process under 1 GB.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
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
RATES = {  # indicator → (numerator refs, denominator ref), cn-2022 indicators.yaml (by hand, below in SQL)
    "small_school_share": (("schools_under_500",), "schools"),
    "very_small_school_share": (("schools_under_200",), "schools"),
    "primary_industry_share": (("employed_direct[industry=primary]",), "employed_direct"),
    "secondary_industry_share": (("employed_direct[industry=secondary]",), "employed_direct"),
    "tertiary_industry_share": (("employed_direct[industry=tertiary]",), "employed_direct"),
    "placement_rate": (("graduates_placed",), "graduates"),
    "matched_employment_rate": (("employed_matched",), "employed_direct"),
    "local_employment_rate": (("employed_local",), "employed_direct"),
    "graduation_rate": (("graduates",), "graduation_candidates"),
    "further_study_share": (("further_study",), "graduates"),
    "further_study_rate": (("further_study",), "graduates"),
    "entrepreneurship_rate": (("entrepreneurs",), "graduates"),
    "employment_rate": (("employed_direct", "further_study"), "graduates"),
    "direct_employment_share": (("employed_direct",), "graduates"),
    "bachelor_share_of_further_study": (("further_study[study_level=bachelor]",), "further_study"),
    "associate_share_of_further_study": (("further_study[study_level=associate]",), "further_study"),
}


# -- the data -------------------------------------------------------------------------------------

def prepare(data: Path, scale: float, record_scale: float) -> dict:
    """The registry and the schools' figures (values.csv), made once."""
    if (data / "sizes.json").exists():
        return json.loads((data / "sizes.json").read_text(encoding="utf-8"))
    from nianbao.ingest.dataset import load_dataset
    from nianbao.synth.national import generate

    raw = data.with_name(data.name + "-records")
    sizes = generate(raw, scale=scale, record_scale=record_scale, year=YEAR)
    ds = load_dataset(raw)  # the records counted school by school (nianbao.ingest.records)
    if ds.findings:
        raise SystemExit(f"the generated records have problems: {ds.findings[0].message_en}")
    data.mkdir(parents=True, exist_ok=True)
    meta = (raw / "dataset.yaml").read_text(encoding="utf-8")
    (data / "dataset.yaml").write_text(meta.replace("Generated — do not edit.",
                                                    "Generated — do not edit. Figures counted from the records."),
                                       encoding="utf-8")
    (data / "orgs.csv").write_bytes((raw / "orgs.csv").read_bytes())
    with (data / "values.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["org_unit", "element", "dims", "period", "scope", "value", "source"])
        for o in ds.observations:
            w.writerow([o.org_unit, o.element, ",".join(f"{d}={c}" for d, c in o.dims), o.period, o.scope,
                        f"{o.value:.10g}", "个案数据"])
    sizes["figures"] = len(ds.observations)
    (data / "sizes.json").write_text(json.dumps(sizes), encoding="utf-8")
    return sizes


# -- the ways -------------------------------------------------------------------------------------

def _rows_out(rows) -> dict:
    """Each row's value, and the number of schools behind it (key ``…|schools``)."""
    out = {}
    for r in rows:
        key = f"{r['org_unit']}|{r['indicator']}|{r['scope']}"
        out[key] = r["value"]
        out[key + "|schools"] = r["schools"]
    return out


def run_nianbao(data: Path, engine: str = "duckdb", check_levels=("county", "city")) -> tuple[dict, dict]:
    from nianbao.app.indicators import Request, indicator_rows
    from nianbao.ingest.dataset import load_dataset

    t0, c0 = time.perf_counter(), time.process_time()
    ds = load_dataset(data)
    load = (time.perf_counter() - t0, time.process_time() - c0)
    t0, c0 = time.perf_counter(), time.process_time()
    # as the command prints its table: the number of schools behind each row, not their codes
    rows = indicator_rows(ds, Request(level="province", engine=engine, members=False))
    work = (time.perf_counter() - t0, time.process_time() - c0)
    out = _rows_out(rows)
    timing = {"load": load, "work": work, "peak_mb": peak_mb(), "rows": len(rows)}
    for level in check_levels:  # for the comparison only, after the times were taken
        out.update(_rows_out(indicator_rows(ds, Request(level=level, engine=engine, members=False))))
    return out, timing


def run_python(data: Path) -> tuple[dict, dict]:
    return run_nianbao(data, "python", check_levels=())


SCHOOLS_SQL = """  -- every school with its county, city and province
  SELECT sc.code AS school, sc.school_type = 'technical' AS tech,
         sc.school_type NOT IN ('', 'attached_class', 'other_institution') AS countable,
         co.code AS county, ci.code AS city, pr.code AS province
  FROM orgs sc JOIN orgs co ON co.code = sc.parent JOIN orgs ci ON ci.code = co.parent
  JOIN orgs pr ON pr.code = ci.parent
  WHERE sc.level = 'school'
"""

HAND_SQL = f"""
WITH s AS ({SCHOOLS_SQL}), f AS (  -- the figures summed: counts as reported, the mean starting pay × the employed
  SELECT v.org_unit AS school, v.element || CASE WHEN v.dims = '' THEN '' ELSE '[' || v.dims || ']' END AS ref,
         CASE WHEN v.element = 'starting_income' THEN v.value * w.value ELSE v.value END AS value
  FROM vals v
  LEFT JOIN vals w ON v.element = 'starting_income' AND w.org_unit = v.org_unit AND w.element = 'employed_direct'
       AND w.dims = ''
  UNION ALL
  SELECT v.org_unit, 'income_base', v.value FROM vals v  -- the employed of the schools giving a mean pay
  WHERE v.element = 'employed_direct' AND v.dims = '' AND EXISTS (
    SELECT 1 FROM vals i WHERE i.org_unit = v.org_unit AND i.element = 'starting_income')
  UNION ALL  -- schools by size, among the schools counted as schools that report students
  SELECT v.org_unit, 'schools_under_500', CASE WHEN v.value < 500 THEN 1 ELSE 0 END
  FROM vals v JOIN s ON s.school = v.org_unit WHERE v.element = 'students' AND v.dims = '' AND s.countable
  UNION ALL
  SELECT v.org_unit, 'schools_under_200', CASE WHEN v.value < 200 THEN 1 ELSE 0 END
  FROM vals v JOIN s ON s.school = v.org_unit WHERE v.element = 'students' AND v.dims = '' AND s.countable
  UNION ALL  -- 学校数: the schools of the registry (附设中职班 are members, not schools)
  SELECT school, 'schools', CASE WHEN countable THEN 1 ELSE 0 END FROM s
), sums AS (
  SELECT COALESCE(s.county, s.city, s.province) AS unit, f.ref,
         SUM(f.value) AS v_all, SUM(f.value) FILTER (WHERE NOT s.tech) AS v_excl
  FROM f JOIN s ON s.school = f.school
  GROUP BY GROUPING SETS ((s.province, f.ref), (s.city, f.ref), (s.county, f.ref))
), long AS (
  SELECT unit, ref, 'all' AS scope, v_all AS value FROM sums
  UNION ALL
  SELECT unit, ref, 'excl_technical', v_excl FROM sums WHERE v_excl IS NOT NULL
), pivoted AS (  -- one row a unit and scope, one column a figure
  PIVOT long ON ref IN ('schools', 'schools_under_500', 'schools_under_200', 'students', 'entrants',
    'graduation_candidates', 'graduates', 'graduates_placed', 'employed_direct', 'employed_local',
    'employed_matched', 'entrepreneurs', 'further_study', 'starting_income', 'income_base',
    'employed_direct[industry=primary]' AS primary_, 'employed_direct[industry=secondary]' AS secondary_,
    'employed_direct[industry=tertiary]' AS tertiary_, 'further_study[study_level=bachelor]' AS bachelor_,
    'further_study[study_level=associate]' AS associate_)
  USING FIRST(value) GROUP BY unit, scope
), w AS (  -- a school giving some categories of a complete breakdown gives zero in the others
  SELECT * REPLACE (
    CASE WHEN COALESCE(primary_, secondary_, tertiary_) IS NOT NULL THEN COALESCE(primary_, 0) END AS primary_,
    CASE WHEN COALESCE(primary_, secondary_, tertiary_) IS NOT NULL THEN COALESCE(secondary_, 0) END AS secondary_,
    CASE WHEN COALESCE(primary_, secondary_, tertiary_) IS NOT NULL THEN COALESCE(tertiary_, 0) END AS tertiary_,
    CASE WHEN COALESCE(bachelor_, associate_) IS NOT NULL THEN COALESCE(bachelor_, 0) END AS bachelor_,
    CASE WHEN COALESCE(bachelor_, associate_) IS NOT NULL THEN COALESCE(associate_, 0) END AS associate_)
  FROM pivoted
)
SELECT unit, scope, schools, schools_under_500, schools_under_200, students, entrants, graduation_candidates,
       graduates, graduates_placed, employed_direct, employed_local, employed_matched, entrepreneurs,
       further_study, ROUND(starting_income / NULLIF(income_base, 0), 6) AS starting_income,
       schools_under_500 * 100.0 / NULLIF(schools, 0) AS small_school_share,
       schools_under_200 * 100.0 / NULLIF(schools, 0) AS very_small_school_share,
       primary_ * 100.0 / NULLIF(employed_direct, 0) AS primary_industry_share,
       secondary_ * 100.0 / NULLIF(employed_direct, 0) AS secondary_industry_share,
       tertiary_ * 100.0 / NULLIF(employed_direct, 0) AS tertiary_industry_share,
       graduates_placed * 100.0 / NULLIF(graduates, 0) AS placement_rate,
       employed_matched * 100.0 / NULLIF(employed_direct, 0) AS matched_employment_rate,
       employed_local * 100.0 / NULLIF(employed_direct, 0) AS local_employment_rate,
       graduates * 100.0 / NULLIF(graduation_candidates, 0) AS graduation_rate,
       further_study * 100.0 / NULLIF(graduates, 0) AS further_study_share,
       further_study * 100.0 / NULLIF(graduates, 0) AS further_study_rate,
       entrepreneurs * 100.0 / NULLIF(graduates, 0) AS entrepreneurship_rate,
       (employed_direct + further_study) * 100.0 / NULLIF(graduates, 0) AS employment_rate,
       employed_direct * 100.0 / NULLIF(graduates, 0) AS direct_employment_share,
       bachelor_ * 100.0 / NULLIF(further_study, 0) AS bachelor_share_of_further_study,
       associate_ * 100.0 / NULLIF(further_study, 0) AS associate_share_of_further_study
FROM w
"""


# the inputs of each printed row whose schools it counts: (kind, flag) — "registry": the schools
# counted as schools, "members": every school (the conditions' counts count every member), else the
# flag of the schools giving the figure (a category of a complete breakdown: any of its categories)
ROW_INPUTS = {
    "schools": ["registry"], "schools_under_500": ["members"], "schools_under_200": ["members"],
    "students": ["students"], "entrants": ["entrants"], "graduation_candidates": ["graduation_candidates"],
    "graduates": ["graduates"], "graduates_placed": ["graduates_placed"], "employed_direct": ["employed_direct"],
    "employed_local": ["employed_local"], "employed_matched": ["employed_matched"],
    "entrepreneurs": ["entrepreneurs"], "further_study": ["further_study"], "starting_income": ["starting_income"],
    "small_school_share": ["members", "registry"], "very_small_school_share": ["members", "registry"],
    "primary_industry_share": ["industry", "employed_direct"],
    "secondary_industry_share": ["industry", "employed_direct"],
    "tertiary_industry_share": ["industry", "employed_direct"],
    "placement_rate": ["graduates_placed", "graduates"], "matched_employment_rate": ["employed_matched", "employed_direct"],
    "local_employment_rate": ["employed_local", "employed_direct"], "graduation_rate": ["graduates", "graduation_candidates"],
    "further_study_share": ["further_study", "graduates"], "further_study_rate": ["further_study", "graduates"],
    "entrepreneurship_rate": ["entrepreneurs", "graduates"],
    "employment_rate": ["employed_direct", "further_study", "graduates"],
    "direct_employment_share": ["employed_direct", "graduates"],
    "bachelor_share_of_further_study": ["study_level", "further_study"],
    "associate_share_of_further_study": ["study_level", "further_study"],
}
FLAGS = sorted({f for ins in ROW_INPUTS.values() for f in ins} - {"registry", "members"})


def _flag(f: str) -> str:
    if f == "industry":
        return "v.element = 'employed_direct' AND v.dims LIKE 'industry=%'"
    if f == "study_level":
        return "v.element = 'further_study' AND v.dims LIKE 'study_level=%'"
    return f"v.element = '{f}' AND v.dims = ''"


def _gives(ins: list[str]) -> str:
    if "members" in ins:
        return "1 = 1"
    return " OR ".join("s.countable" if f == "registry" else f"h.{f} = 1" for f in ins)


INPUT_SETS = sorted({tuple(ins) for ins in ROW_INPUTS.values()})  # rows of the same inputs count alike

HAND_COUNTS_SQL = f"""
WITH s AS ({SCHOOLS_SQL}), h AS (  -- what each school gives; a mean pay counts where the school gives it and the employed, or
           -- gives none and employed no one
  SELECT v.org_unit AS school,
         {", ".join(f"MAX(CASE WHEN {_flag(f)} THEN 1 ELSE 0 END) AS {f}" for f in FLAGS if f != "starting_income")},
         CASE WHEN MAX(CASE WHEN v.element = 'employed_direct' AND v.dims = '' THEN 1 ELSE 0 END) = 1
               AND (MAX(CASE WHEN v.element = 'starting_income' THEN 1 ELSE 0 END) = 1
                    OR MAX(CASE WHEN v.element = 'employed_direct' AND v.dims = '' THEN v.value END) = 0)
              THEN 1 ELSE 0 END AS starting_income
  FROM vals v GROUP BY v.org_unit
), j AS (  -- per school: 1 where it counts for a set of inputs, and 1 where it is no technical school
            -- (as DOUBLE: DuckDB sums an integer into a 128-bit one, five times slower here)
  SELECT s.province, s.city, s.county, CASE WHEN s.tech THEN 0::DOUBLE ELSE 1::DOUBLE END AS nt,
         {", ".join(f"CASE WHEN {_gives(list(ins))} THEN 1::DOUBLE ELSE 0::DOUBLE END AS g{i}" for i, ins in enumerate(INPUT_SETS))}
  FROM s LEFT JOIN h ON h.school = s.school
)
SELECT COALESCE(county, city, province) AS unit,
       {", ".join(f"SUM(g{i}) AS a{i}, SUM(g{i} * nt) AS e{i}" for i in range(len(INPUT_SETS)))}
FROM j
GROUP BY GROUPING SETS ((province), (city), (county))
"""


def run_sql(data: Path, counted: bool = False) -> tuple[dict, dict]:
    import duckdb

    t0, c0 = time.perf_counter(), time.process_time()
    con = duckdb.connect()
    con.execute(f"""CREATE TABLE vals AS SELECT org_unit, element, COALESCE(dims, '') AS dims, period, scope, value
                    FROM read_csv('{data / 'values.csv'}', header = true, all_varchar = false,
                                  types = {{'org_unit': 'VARCHAR', 'dims': 'VARCHAR'}})""")
    con.execute(f"""CREATE TABLE orgs AS SELECT code, level, parent, COALESCE(school_type, '') AS school_type
                    FROM read_csv('{data / 'orgs.csv'}', header = true, all_varchar = true)""")
    load = (time.perf_counter() - t0, time.process_time() - c0)
    t0, c0 = time.perf_counter(), time.process_time()
    cur = con.execute(HAND_SQL)
    cols = [d[0] for d in cur.description]
    rows = cur.fetchall()
    if counted:  # the number of schools behind each row too, as the command prints it
        cur = con.execute(HAND_COUNTS_SQL)
        count_cols = [d[0] for d in cur.description]
        count_rows = cur.fetchall()
    work = (time.perf_counter() - t0, time.process_time() - c0)
    con.close()
    out = {}
    for row in rows:
        unit, scope = row[0], row[1]
        for name, v in zip(cols[2:], row[2:]):
            if v is not None:
                out[f"{unit}|{name}|{scope}"] = float(v)
    if counted:
        for row in count_rows:
            got = dict(zip(count_cols, row))
            for name, ins in ROW_INPUTS.items():
                i = INPUT_SETS.index(tuple(ins))
                out[f"{row[0]}|{name}|all|schools"] = float(got[f"a{i}"])
                out[f"{row[0]}|{name}|excl_technical|schools"] = float(got[f"e{i}"])
    return out, {"load": load, "work": work, "peak_mb": peak_mb(), "rows": len(rows)}


def run_sql_counted(data: Path) -> tuple[dict, dict]:
    return run_sql(data, counted=True)


WAYS = {"nianbao": run_nianbao, "SQL": run_sql_counted, "SQL-v": run_sql, "Python": run_python}
IMPORTS = {"nianbao": ("duckdb", "yaml", "nianbao.app.indicators", "nianbao.ingest.dataset",
                       "nianbao.store.engines.duckdb"),
           "SQL": ("duckdb",), "SQL-v": ("duckdb",),
           "Python": ("yaml", "numpy", "nianbao.app.indicators", "nianbao.ingest.dataset")}


# -- measuring ----------------------------------------------------------------------------------



def child(way: str, data: Path, out: Path) -> None:
    import importlib

    for name in IMPORTS[way]:
        importlib.import_module(name)
    figures, timing = WAYS[way](data)
    out.write_text(json.dumps({"figures": figures, **timing}), encoding="utf-8")


def measure(way: str, data: Path) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = Path(f.name)
    env = {**os.environ, "PYTHONPATH": str(HERE.parent / "src")}
    status = subprocess.call([sys.executable, __file__, "--child", way, "--data", str(data), "--out", str(out)],
                             env=env)
    if status != 0:
        raise SystemExit(f"{way} failed (status {status})")
    res = json.loads(out.read_text(encoding="utf-8"))
    out.unlink()
    return res


def median_run(runs: list[dict]) -> dict:
    """The run of median roll-up CPU time among ``runs`` of one way (its figures are those of
    every run: the data and the code are the same), with the spread of the roll-up CPU times."""
    ordered = sorted(runs, key=lambda r: r["work"][1])
    out = dict(ordered[len(ordered) // 2])
    out["spread"] = (ordered[0]["work"][1], ordered[-1]["work"][1])
    return out


def disagreements(nianbao: dict, other: dict, keys=None) -> list[str]:
    """Figures of ``keys`` (default: every figure nianbao gave) missing from ``other`` or different."""
    keys = nianbao.keys() if keys is None else keys
    return sorted(k for k in keys if k not in other or not math.isclose(
        float(nianbao[k]), float(other[k]), rel_tol=1e-9, abs_tol=1e-9))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=1.0, help="share of the 7 000 schools")
    ap.add_argument("--record-scale", type=float, default=0.02, help="share of each school's records")
    ap.add_argument("--data", type=Path, help="folder of the generated dataset (default: a temporary folder)")
    ap.add_argument("--no-python", action="store_true", help="leave out the Python reference (the slowest way)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each way; the run of median roll-up CPU is shown")
    ap.add_argument("--child")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.data, args.out)
        return 0
    data = args.data or Path(tempfile.gettempdir()) / f"nianbao-bench-rollup-{args.scale:g}-{args.record_scale:g}"
    t = time.perf_counter()
    sizes = prepare(data, args.scale, args.record_scale)
    print(f"dataset: {sizes['provinces']} provinces, {sizes['cities']} cities, {sizes['counties']:,} counties, "
          f"{sizes['schools']:,} schools, {sizes['figures']:,} school figures ({data}; "
          f"ready in {time.perf_counter() - t:.1f} s)")
    ways = ["nianbao", "SQL", "SQL-v"] + ([] if args.no_python else ["Python"])
    runs: dict[str, list] = {w: [] for w in ways}
    for _ in range(max(1, args.repeat)):  # the ways taken in turn, so a slow spell of the machine hits each
        for w in ways:
            runs[w].append(measure(w, data))
    res = {w: median_run(rs) for w, rs in runs.items()}
    nb = res["nianbao"]["figures"]
    bad = disagreements(nb, res["SQL"]["figures"])
    if bad:
        print(f"the hand-written SQL disagrees with nianbao on {len(bad)} figures, e.g.")
        for k in bad[:8]:
            print(f"  {k}: nianbao {nb[k]!r}, SQL {res['SQL']['figures'].get(k)!r}")
        return 1
    values = [k for k in nb if not k.endswith("|schools")]
    bad = disagreements(nb, res["SQL-v"]["figures"], values)
    if bad:
        print(f"the hand-written SQL of the values disagrees with nianbao on {len(bad)} figures, e.g. {bad[:5]}")
        return 1
    units = {k.split("|")[0] for k in nb}
    print(f"nianbao and the hand-written SQL agree on {len(values):,} figures of {len(units):,} counties, cities "
          f"and provinces, and on the number of schools behind each")
    if "Python" in res:
        py = res["Python"]["figures"]
        bad = disagreements(py, nb) + [k for k in nb if k.split("|")[0] in {x.split("|")[0] for x in py}
                                       and k not in py]
        if bad:
            print(f"Python disagrees with nianbao on {len(bad)} figures, e.g. {bad[:5]}")
            return 1
        print(f"Python and nianbao agree on {len(py):,} figures of the provinces")
    print()
    sql = res["SQL"]
    head = (f"{'way':8} {'load wall':>9} {'load CPU':>9} {'roll-up wall':>12} {'roll-up CPU':>11} "
            f"{'peak MB':>8} {'CPU ÷ SQL':>10} {'total CPU ÷ SQL':>16}")
    print(head)
    for w in ways:
        r = res[w]
        total = r["load"][1] + r["work"][1]
        print(f"{w:8} {r['load'][0]:9.2f} {r['load'][1]:9.2f} {r['work'][0]:12.2f} {r['work'][1]:11.2f} "
              f"{r['peak_mb']:8.0f} {r['work'][1] / sql['work'][1]:9.2f}× "
              f"{total / (sql['load'][1] + sql['work'][1]):15.2f}×")
    print(f"\n{args.repeat} run(s) of each way, taken in turn; shown: the run of median roll-up CPU (range "
          + ", ".join(f"{w} {res[w]['spread'][0]:.2f}–{res[w]['spread'][1]:.2f} s" for w in ways) + ")")
    n, v = res["nianbao"], res["SQL-v"]
    print(f"nianbao's roll-up ÷ SQL of the same table: CPU {n['work'][1] / sql['work'][1]:.2f}×, wall "
          f"{n['work'][0] / sql['work'][0]:.2f}× (goal ≤ 1.5×); ÷ SQL of the values alone: CPU "
          f"{n['work'][1] / v['work'][1]:.2f}×; nianbao peak {n['peak_mb']:.0f} MB (goal < 1024 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
