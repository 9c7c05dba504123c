"""Benchmark: `check_dataset` on a province-size dataset.

    .venv/bin/python bench/bench_check.py [--schools 400] [--years 5] [--runs 3] [--csv] [--sql]

Generates in memory a synthetic province (codes 99xxxx): `--schools` schools under 10 counties
of one city, `--years` years of every data element of the catalogue for each school, with every
complete breakdown, stocks following from flows and about one school-year in twenty carrying a
planted error (a degree breakdown that does not add up, more teachers than staff). Then times
`check_dataset` (best of `--runs`) and prints the figures. With `--csv` it also writes the
dataset as values.csv + orgs.csv to a temporary folder and times `load_dataset` on it.

With `--sql` it writes the dataset as values.csv and, each in its own process, runs the data
rules of kinds breakdown, compare, stock_flow and year_over_year two ways: nianbao
(`check_rules` with those rules, on the dataset `load_dataset` read: compiled to SQL on DuckDB,
the default, and — for reference — its Python handlers, `engine="python"`) and hand-written
DuckDB SQL of the same rules (bench/check_sql.py, on the values.csv `read_csv` read). The
findings of all three are compared (code, unit, year and the two figures of each) before the
times are printed: reading, the rules, peak memory (VmHWM), and the ratio. The hand-written
SQL's table is made by its reading; nianbao loads a dataset's figures into DuckDB on its first
check and reads them there on the next (`first run` is that first check, loading included; the
others are timed, best of `--runs`). Goal: the rules ≤ 1.2× the SQL.

Goal: `check_dataset` under 2 s wall on 2 cores for 400 schools × 5 years.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from benchkit import peak_mb, timed  # noqa: E402

from nianbao import catalogue  # noqa: E402
from nianbao.check.engine import check_dataset  # noqa: E402
from nianbao.ingest.dataset import Dataset, Observation, OrgUnit, load_dataset  # noqa: E402
from nianbao.ingest.orgs import Org, Registry  # noqa: E402

PROVINCE, CITY = "990000", "990100"
SUBSETS = {  # element: the element it is a part of (generated below its total)
    "fulltime_teachers": "staff", "specialty_teachers": "fulltime_teachers", "dual_teachers": "specialty_teachers",
    "employed_local": "employed_direct", "employed_matched": "employed_direct", "entrepreneurs": "employed_direct",
    "coop_long_term": "coop_enterprises", "coop_large_medium": "coop_long_term", "interns": "students",
    "schools_under_200": "schools_under_500", "major_categories": "majors",
}


def apportion(total: int, weights: list[float]) -> list[int]:
    """``total`` in whole parts proportional to ``weights`` (largest remainder)."""
    raw = [total * w / sum(weights) for w in weights]
    parts = [int(x) for x in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)[:total - sum(parts)]:
        parts[i] += 1
    return parts


def part_of_pairs(cat) -> list[tuple[str, str]]:
    """(part, whole) pairs: the subsets above and every percentage of one element over another."""
    pairs = [(k, v) for k, v in SUBSETS.items()]
    for ind in cat.indicators.values():
        num, den = ind.numerator_ast, ind.denominator_ast
        if ind.derived and ind.style == "percent" and getattr(num, "dims", 1) == () and getattr(den, "dims", 1) == ():
            pairs.append((num.element, den.element))
    return pairs


def school_rows(rng: random.Random, cat, years: list[int], school: Org, major_cats: list[str]):
    """(element, dims, period, value) of one school, every element, every complete breakdown."""
    rows = []
    pairs = part_of_pairs(cat)
    students = rng.randint(200, 4000)
    base: dict[str, float] = {}  # each other figure drifts by a few percent a year
    weights: dict[tuple, list[float]] = {}  # each breakdown keeps its proportions
    for year in years:
        v: dict[str, float] = {}
        entrants = int(students * rng.uniform(0.32, 0.36))
        graduates = int(entrants * rng.uniform(0.9, 1.0))
        if year != years[0]:
            students = students + entrants - graduates  # stock follows from flows
        v.update(students=students, entrants=entrants, graduates=graduates, schools=1, coop_schools=1,
                 graduation_candidates=graduates + rng.randint(0, 20))
        direct = int(graduates * rng.uniform(0.2, 0.3))
        v.update(employed_direct=direct, further_study=int((graduates - direct) * rng.uniform(0.8, 0.95)))
        v["staff"] = max(10, students // 9)
        v["schools_under_500"] = 1 if students < 500 else 0
        v["schools_under_200"] = 1 if students < 200 else 0
        v["majors"] = 2 * len(major_cats)
        v["major_categories"] = len(major_cats)
        v["interns"] = students // 6
        for code, el in cat.elements.items():
            if code in v:
                continue
            if code not in base:
                base[code] = {"rate": rng.uniform(80, 95), "pair": rng.uniform(5, 7)}.get(
                    el.type, rng.uniform(100, 50000) if el.type in ("amount", "mean") else rng.randint(50, 500))
            drift = base[code] * (1 + rng.uniform(-0.05, 0.05))
            v[code] = round(min(100.0, drift), 2) if el.type == "rate" else round(base[code], 1) \
                if el.type == "pair" else round(drift, 2) if el.type in ("amount", "mean") else int(drift)
        v["education_expenditure"] = round(v["sv_expenditure"] * 20, 2)
        for _ in range(3):  # parts within their wholes (chains settle in a few passes)
            for part, whole in pairs:
                if part in v and whole in v and v[part] > v[whole]:
                    v[part] = int(v[whole] * 0.9) if isinstance(v[part], int) else round(v[whole] * 0.9, 2)
        planted = rng.random() < 0.05
        if planted:
            v["fulltime_teachers"] = v["staff"] + 5  # more teachers than staff
        for code, el in cat.elements.items():
            if code == "employment_industry_share_reported":
                w = weights.setdefault((code, "industry"), [rng.uniform(1, 10) for _ in range(3)])
                for c, part in zip(("primary", "secondary", "tertiary"), apportion(10000, w)):
                    rows.append((code, (("industry", c),), year, part / 100))
                continue
            total = v[code]
            rows.append((code, (), year, total))
            if el.type == "rate" or not el.dims:
                continue
            for dim in el.dims:
                if dim in ("affiliation", "ownership", "school_type"):
                    rows.append((code, ((dim, getattr(school, dim)),), year, total))
                    continue
                cats = major_cats if dim == "major_category" else list(cat.dimensions[dim]["categories"])
                w = weights.setdefault((code, dim), [rng.uniform(1, 10) for _ in cats])
                parts = apportion(int(total), w)
                if planted and dim == "degree":
                    parts[1] += 3  # one degree count too many
                for c, part in zip(cats, parts):
                    rows.append((code, ((dim, c),), year, part))
    return rows


def generate(n_schools: int, n_years: int, seed: int = 7):
    cat = catalogue.load("cn-2016")
    rng = random.Random(seed)
    years = list(range(2021 - n_years, 2021))
    orgs = [Org(PROVINCE, "合成省", "Synthetic province", "province"),
            Org(CITY, "合成市", "Synthetic city", "city", parent=PROVINCE)]
    counties = [f"9901{i:02d}" for i in range(1, 11)]
    orgs += [Org(c, f"合成县{i}", f"County {i}", "county", parent=CITY) for i, c in enumerate(counties, 1)]
    majors_2010 = list(((cat.majors or {}).get("versions") or {}).get("2010", {}).get("categories", {}) or ["01"])
    observations = []
    row_no = 1
    for i in range(n_schools):
        county = counties[i % len(counties)]
        school = Org(f"99{i:08d}", f"合成学校{i + 1}", f"School {i + 1}", "school", parent=county, county=county,
                     affiliation=rng.choice(["provincial", "municipal", "county"]),
                     ownership=rng.choice(["public", "private"]),
                     school_type=rng.choice(["regular_specialized", "vocational_high", "adult_specialized"]))
        orgs.append(school)
        major_cats = rng.sample(majors_2010, k=min(3, len(majors_2010)))
        for element, dims, period, value in school_rows(rng, cat, years, school, major_cats):
            row_no += 1
            observations.append(Observation(element=element, dims=tuple(sorted(dims)), period=period,
                                            scope="all", value=float(value), org_unit=school.code,
                                            source="合成", origin=f"values.csv:{row_no}"))
    ds = Dataset(path=Path("synthetic"), meta={"synthetic": True},
                 org_unit=OrgUnit(PROVINCE, "合成省", "Synthetic province", "province"),
                 report_year=years[-1], periods=years, catalogue=cat, observations=observations,
                 orgs=Registry(orgs))
    return ds, orgs


def write_folder(ds, orgs, folder: Path) -> None:
    (folder / "dataset.yaml").write_text(
        f'org_unit: {{code: "{PROVINCE}", zh: 合成省, en: Synthetic province, level: province}}\n'
        f"report_year: {ds.report_year}\nperiods: {ds.periods}\ncatalogue: cn-2016\nsynthetic: true\n",
        encoding="utf-8")
    with (folder / "orgs.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["code", "zh", "en", "level", "parent", "county", "affiliation", "ownership", "school_type"])
        for o in orgs:
            w.writerow([o.code, o.zh, o.en, o.level, o.parent, o.county, o.affiliation, o.ownership, o.school_type])
    with (folder / "values.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["element", "dims", "period", "scope", "value", "source", "org_unit"])
        for o in ds.observations:
            el = ds.catalogue.elements[o.element]
            value = f"{_plain(o.value)}:{_plain(10 - o.value)}" if el.type == "pair" else _plain(o.value)
            w.writerow([o.element, ",".join(f"{d}={c}" for d, c in o.dims), o.period, o.scope, value,
                        o.source, o.org_unit])


def _plain(v: float) -> str:
    """A number as a person types it: no exponent, no trailing zeros."""
    text = f"{v:.6f}".rstrip("0").rstrip(".")
    return text or "0"


# -- the data rules against hand-written SQL -------------------------------------------------------

SQL_KINDS = ("breakdown", "compare", "stock_flow", "year_over_year")


def finding_key(f) -> tuple:
    """(code, unit, year, a, b): the two figures that identify a finding (check_sql.KEYS)."""
    v = f.values
    if f.code == "breakdown.part_exceeds_total":
        a, b = v.get("part"), v.get("total")
    elif f.code.startswith("breakdown."):
        a, b = v.get("sum"), v.get("total")
    elif f.code.startswith("compare."):
        a, b = v.get("left"), v.get("right")
    elif f.code.startswith("flow."):
        a, b = v.get("stock"), v.get("expected")
    else:
        a, b = v.get("previous"), v.get("value")
    return (f.code, f.org_unit, int(f.period), _r(a), _r(b))


def _r(x):
    return None if x is None else round(float(x), 6)






def way_nianbao(folder: Path, runs: int) -> dict:
    import copy

    from nianbao.check.engine import check_rules
    from nianbao.check.rules import rulebook

    ds, load = timed(lambda: load_dataset(folder))
    book = copy.copy(rulebook(ds.catalogue))
    book.rules = [r for r in book.rules if r.kind in SQL_KINDS]
    out = {"load": load}
    for name, engine in (("work", "duckdb"), ("python", "python")):
        best = None
        for run in range(runs + (engine == "duckdb")):
            found, t = timed(lambda: check_rules(ds, book, data_only=True, engine=engine))
            if engine == "duckdb" and run == 0:  # the first loads the figures into DuckDB, the others read them there
                out["cold"] = t
                continue
            best = t if best is None or t[1] < best[1] else best
        out[name] = best
        out[f"keys_{engine}"] = sorted(map(list, map(finding_key, found)), key=str)
    out["keys"] = out.pop("keys_duckdb")
    _, out["every"] = timed(lambda: check_rules(ds, data_only=True))  # every data rule, for reference
    return out


def way_sql(folder: Path, runs: int) -> dict:
    import check_sql
    import duckdb

    def load():
        con = duckdb.connect()
        con.execute(f"""CREATE TABLE obs AS SELECT CAST(org_unit AS VARCHAR) AS org_unit, element,
                               COALESCE(dims, '') AS dims, period, scope, TRY_CAST(value AS DOUBLE) AS value
                        FROM read_csv('{folder / 'values.csv'}', header = true, all_varchar = true)
                        WHERE TRY_CAST(value AS DOUBLE) IS NOT NULL""")
        con.execute("ALTER TABLE obs ALTER period TYPE INTEGER")
        for name, rows in check_sql.catalogue_tables(catalogue.load("cn-2016")).items():
            cols = {"el": "element VARCHAR, type VARCHAR",
                    "dims": "dim VARCHAR, category VARCHAR, kind VARCHAR, version VARCHAR"}[name]
            con.execute(f"CREATE TABLE {name} ({cols})")
            con.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' * len(rows[0]))})", rows)
        for stmt in check_sql.MACROS.strip().split(";"):
            if stmt.strip():
                con.execute(stmt)
        return con
    con, t_load = timed(load)
    best = None
    for _ in range(runs):
        rows, t = timed(lambda: con.execute(check_sql.RULES_SQL).fetchall())
        best = t if best is None or t[1] < best[1] else best
    keys = [[c, o, int(p), _r(a), _r(b)] for c, o, p, a, b in rows]
    return {"load": t_load, "work": best, "keys": sorted(keys, key=str)}


def vs_sql(ds, orgs, runs: int) -> int:
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-check-") as tmp:
        write_folder(ds, orgs, Path(tmp))
        res = {}
        for way in ("nianbao", "SQL"):
            out = Path(tmp) / f"{way}.json"
            env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
            code = subprocess.call([sys.executable, __file__, "--child", way, "--folder", tmp, "--runs", str(runs),
                                    "--out", str(out)], env=env)
            if code:
                print(f"{way} failed ({code})")
                return 1
            res[way] = json.loads(out.read_text(encoding="utf-8"))
    nb, sq = Counter(map(tuple, res["nianbao"]["keys"])), Counter(map(tuple, res["SQL"]["keys"]))
    py = Counter(map(tuple, res["nianbao"]["keys_python"]))
    for name, other in (("the hand-written SQL", sq), ("the Python handlers", py)):
        if nb != other:
            print(f"{name} disagree(s) with the compiled rules: only compiled {sorted((nb - other).elements())[:5]}, "
                  f"only {name} {sorted((other - nb).elements())[:5]}")
            return 1
    codes = Counter(k[0] for k in nb.elements())
    print(f"\ndata rules ({', '.join(SQL_KINDS)}): nianbao (compiled to SQL, and its Python handlers) and the "
          f"hand-written SQL agree on {sum(nb.values())} findings "
          f"({', '.join(f'{c} {n}' for c, n in codes.most_common())})")
    print(f"{'way':15} {'read wall':>9} {'read CPU':>9} {'rules wall':>10} {'rules CPU':>10} {'peak MB':>8} "
          f"{'CPU ÷ SQL':>10}")
    s, n = res["SQL"], res["nianbao"]
    rows = [("nianbao (SQL)", n["load"], n["work"], n["peak_mb"]), ("  first run", n["load"], n["cold"], None),
            ("nianbao Python", n["load"], n["python"], None), ("SQL", s["load"], s["work"], s["peak_mb"])]
    for way, load, work, peak in rows:
        print(f"{way:15} {load[0]:9.2f} {load[1]:9.2f} {work[0]:10.3f} {work[1]:10.3f} "
              f"{'' if peak is None else f'{peak:.0f}':>8} {work[1] / s['work'][1]:9.2f}×")
    print(f"nianbao ÷ SQL: rules CPU {n['work'][1] / s['work'][1]:.2f}×, wall {n['work'][0] / s['work'][0]:.2f}× "
          f"(goal ≤ 1.2×); the first run, loading the figures into DuckDB too, {n['cold'][1] / s['work'][1]:.2f}×; "
          f"the Python handlers {n['python'][1] / s['work'][1]:.2f}×; every data rule of rules.yaml "
          f"(with range and scope): {n['every'][1]:.3f} s CPU")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--schools", type=int, default=400)
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--csv", action="store_true", help="also time load_dataset on a values.csv")
    ap.add_argument("--sql", action="store_true", help="the data rules against hand-written DuckDB SQL")
    ap.add_argument("--child")
    ap.add_argument("--folder", type=Path)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    if args.child:
        res = {"nianbao": way_nianbao, "SQL": way_sql}[args.child](args.folder, args.runs)
        res["peak_mb"] = peak_mb()
        args.out.write_text(json.dumps(res), encoding="utf-8")
        return 0

    t0 = time.perf_counter()
    ds, orgs = generate(args.schools, args.years)
    gen = time.perf_counter() - t0
    print(f"dataset: {args.schools} schools × {args.years} years, {len(ds.catalogue.elements)} data elements, "
          f"{len(ds.observations)} observations (generated in {gen:.2f} s)")

    times = []
    findings = []
    for _ in range(args.runs):
        t = time.perf_counter()
        findings = check_dataset(ds)
        times.append(time.perf_counter() - t)
    counts = Counter(f.severity for f in findings)
    print(f"check_dataset: best {min(times):.2f} s, runs {', '.join(f'{x:.2f}' for x in times)} s wall "
          f"(goal < 2 s); {len(findings)} findings: {counts['error']} errors, {counts['warning']} warnings, "
          f"{counts['info']} notes")
    for code, n in Counter(f.code for f in findings).most_common(8):
        print(f"  {code:<32} {n}")

    if args.csv:
        with tempfile.TemporaryDirectory(prefix="nianbao-bench-check-") as tmp:
            write_folder(ds, orgs, Path(tmp))
            t = time.perf_counter()
            loaded = load_dataset(tmp)
            load = time.perf_counter() - t
            t = time.perf_counter()
            again = check_dataset(loaded)
            check = time.perf_counter() - t
            print(f"from values.csv: load_dataset {load:.2f} s ({len(loaded.observations)} observations, "
                  f"{len(loaded.findings)} read findings), check_dataset {check:.2f} s, {len(again)} findings")
    if args.sql:
        return vs_sql(ds, orgs, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
