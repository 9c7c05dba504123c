"""A national-shaped synthetic dataset: ``python -m nianbao.synth.national -o DIR [--scale 0.1]``.

At scale 1 it has the shape of the country's secondary vocational education in one year: 31
provinces (their GB/T 2260 codes), about 340 cities, 2 800 counties and 7 000 schools, about
13 million student records and 4 million graduate records. The places and schools are invented
(names like 第3市, codes in the GB/T 2260 pattern: province PP0000, city PPCC00, county PPCCXX;
school 0 + county + serial); only the province codes and the rough number of cities of each are
real, for the shape.

``scale`` keeps that share of the schools (a school kept at 0.1 is kept at every larger scale;
the areas kept are those with a kept school); ``record_scale`` shrinks the records of each school
(tests use a few thousand records). The registry is drawn in Python with a fixed seed; the
records are made by DuckDB from a hash of (seed, school, record number), so the same arguments
give the same files, byte for byte, and 13 million records take seconds.

Written into DIR: dataset.yaml, orgs.csv, records/students-YEAR.parquet (or .csv) and
records/graduates-YEAR.parquet (or .csv; ``--encoding gbk`` writes GBK as a bureau's export may);
``--parts`` writes one file a province instead, named by its code (students-YEAR-110000.parquet …),
as the provinces' registers are exported.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from nianbao import catalogue
from nianbao.core.orgs import Org
from nianbao.ingest.orgs import write_orgs
from nianbao.store.db import connect

# GB/T 2260 province codes with the rough number of prefecture-level divisions of each (a
# municipality counts one): the shape of the registry, not published figures.
PROVINCES = (
    ("11", "北京市", 1), ("12", "天津市", 1), ("13", "河北省", 11), ("14", "山西省", 11), ("15", "内蒙古自治区", 12),
    ("21", "辽宁省", 14), ("22", "吉林省", 9), ("23", "黑龙江省", 13), ("31", "上海市", 1), ("32", "江苏省", 13),
    ("33", "浙江省", 11), ("34", "安徽省", 16), ("35", "福建省", 9), ("36", "江西省", 11), ("37", "山东省", 16),
    ("41", "河南省", 17), ("42", "湖北省", 13), ("43", "湖南省", 14), ("44", "广东省", 21),
    ("45", "广西壮族自治区", 14), ("46", "海南省", 4), ("50", "重庆市", 1), ("51", "四川省", 21), ("52", "贵州省", 9),
    ("53", "云南省", 16), ("54", "西藏自治区", 7), ("61", "陕西省", 10), ("62", "甘肃省", 14), ("63", "青海省", 8),
    ("64", "宁夏回族自治区", 5), ("65", "新疆维吾尔自治区", 14),
)
COUNTRY = "100000"
COUNTIES, SCHOOLS = 2800, 7000
STUDENTS, GRADUATES = 13_000_000, 4_000_000  # a year, at scale 1
TYPES = (("regular_specialized", 0.34), ("vocational_high", 0.30), ("adult_specialized", 0.05),
         ("technical", 0.26), ("attached_class", 0.05))
AFFILIATIONS = (("provincial", 0.15), ("municipal", 0.45), ("county", 0.40))
SUFFIX = {"regular_specialized": "中等专业学校", "vocational_high": "职业高级中学",
          "adult_specialized": "成人中等专业学校", "technical": "技工学校", "attached_class": "附设中职班"}


@dataclass
class School:
    idx: int
    org: Org
    students: int
    graduates: int
    majors: list[str]
    further: float  # the school's share of graduates going on to study
    unemployed: float
    matched: float
    local: float


def _pick(rng: random.Random, table) -> str:
    x, acc = rng.random(), 0.0
    for name, p in table:
        acc += p
        if x < acc:
            return name
    return table[-1][0]


def _spread(rng: random.Random, total: int, n: int, low: int = 1) -> list[int]:
    """``total`` split into ``n`` parts of at least ``low``, at random."""
    w = [rng.uniform(0.5, 1.5) for _ in range(n)]
    raw = [low + (total - low * n) * x / sum(w) for x in w]
    out = [math.floor(v) for v in raw]
    for i in sorted(range(n), key=lambda i: raw[i] - out[i], reverse=True)[:total - sum(out)]:
        out[i] += 1
    return out


def major_codes(cat) -> dict[str, list[str]]:
    """Major codes of the 2010 catalogue's listed majors by category: category + serial + 00
    (the pattern of the 2010 codes; the serials are ours)."""
    v = cat.majors["versions"]["2010"]
    return {c: [f"{c}{i:02d}00" for i in range(1, len(names) + 1)]
            for c, names in (v.get("majors") or {}).items() if names}


def registry(seed: int, scale: float, record_scale: float) -> tuple[list[Org], list[School]]:
    rng = random.Random(seed)
    majors = major_codes(catalogue.load("cn-2016"))
    categories = sorted(majors)
    cities_total = sum(n for _, _, n in PROVINCES)
    counties_of = _spread(rng, COUNTIES, cities_total, 1)
    schools_of = _spread(rng, SCHOOLS, COUNTIES, 0)
    areas, schools = [], []
    ci = ki = 0
    mean_students = STUDENTS / SCHOOLS
    for pcode, pname, n_cities in PROVINCES:
        prov = Org(code=f"{pcode}0000", zh=pname, en=f"province {pcode}", level="province", parent=COUNTRY)
        kept = []
        for c in range(1, n_cities + 1):
            city = Org(code=f"{pcode}{c:02d}00", zh=f"{pname}第{c}市", en=f"city {pcode}{c:02d}", level="city",
                       parent=prov.code)
            kept_counties = []
            for k in range(1, counties_of[ci] + 1):
                county = Org(code=f"{pcode}{c:02d}{k:02d}", zh=f"{city.zh}第{k}县", en=f"county {pcode}{c:02d}{k:02d}",
                             level="county", parent=city.code)
                n_kept = 0
                for s in range(1, schools_of[ki] + 1):
                    idx = len(schools) + 1
                    typ, aff = _pick(rng, TYPES), _pick(rng, AFFILIATIONS)
                    size = max(20, int(rng.lognormvariate(math.log(mean_students) - 0.32, 0.8)))
                    n_majors = rng.randint(3, 10)
                    picked = [rng.choice(majors[rng.choice(categories)]) for _ in range(n_majors)]
                    school = School(
                        idx=idx, org=Org(code=f"0{county.code}{s:03d}", zh=f"{county.zh}第{s}{SUFFIX[typ]}",
                                         en=f"school {county.code}-{s}", level="school", parent=county.code,
                                         county=county.code, affiliation=aff,
                                         ownership="private" if rng.random() < 0.2 else "public", school_type=typ),
                        students=max(1, round(size * record_scale)),
                        graduates=max(1, round(size * GRADUATES / STUDENTS * record_scale)),
                        majors=sorted(set(picked)), further=rng.uniform(0.25, 0.7), unemployed=rng.uniform(0.01, 0.06),
                        matched=rng.uniform(0.55, 0.9), local=rng.uniform(0.45, 0.9))
                    keep = rng.random() < scale
                    if keep:
                        schools.append(school)
                        n_kept += 1
                ki += 1
                if n_kept:
                    kept_counties.append(county)
            ci += 1
            if kept_counties:
                kept.extend([city] + kept_counties)
        if kept:
            areas.extend([prov] + kept)
    for i, s in enumerate(schools, start=1):
        s.idx = i
    return areas, schools


# u(key, salt): a number in [0, 1) from a 32-bit integer hash (two rounds of xor-shift-multiply),
# the same on every machine and every run
MACROS = """
CREATE OR REPLACE MACRO h32(x) AS ((xor(x, x >> 16) * 73244475) % 4294967296);
CREATE OR REPLACE MACRO u(key, salt) AS h32((h32(CAST(key AS BIGINT) % 4294967296) + (CAST(key AS BIGINT) >> 32) * 7919
    + CAST(salt AS BIGINT) * 40503) % 4294967296) / 4294967296.0;
"""


def _students_sql(year: int, seed: int, headers: dict) -> str:
    s = seed * 1000
    return f"""
SELECT school AS {headers['school']},
       string_split(majors, ',')[1 + CAST(floor(u(k, {s + 1}) * n_majors) AS INTEGER)] AS {headers['major']},
       CAST(grade AS VARCHAR) AS {headers['grade']},
       CAST({year} - grade + 1 AS VARCHAR) AS {headers['enrolled']},
       CAST(duration AS VARCHAR) AS {headers['duration']},
       CASE WHEN u(k, {s + 4}) < 0.93 THEN '在校' WHEN u(k, {s + 4}) < 0.96 THEN '休学'
            WHEN u(k, {s + 4}) < 0.98 THEN '退学' ELSE '转出' END AS {headers['status']}
FROM (
  SELECT *, 1 + CAST(floor(u(k, {s + 3}) * duration) AS INTEGER) AS grade
  FROM (
    SELECT *, CASE WHEN u(k, {s + 2}) < 0.88 THEN 3 WHEN u(k, {s + 2}) < 0.92 THEN 2
                   WHEN u(k, {s + 2}) < 0.96 THEN 4 ELSE 5 END AS duration
    FROM (SELECT school, majors, n_majors, idx * 1048576 + unnest(range(students)) AS k FROM gen_schools)
  )
)"""


def _graduates_sql(seed: int, headers: dict) -> str:
    s = seed * 1000 + 100
    direct = "destination = '直接就业'"
    return f"""
SELECT school AS {headers['school']}, major AS {headers['major']}, destination AS {headers['destination']},
       CASE WHEN {direct} THEN CASE WHEN u(k, {s + 3}) < matched THEN '是' ELSE '否' END END AS {headers['matched']},
       CASE WHEN {direct} THEN CASE WHEN u(k, {s + 4}) < local THEN '是' ELSE '否' END END AS {headers['local']},
       CASE WHEN {direct} AND u(k, {s + 5}) < 0.97 THEN CAST(2000 + 100 * CAST(floor(u(k, {s + 6}) * 40) AS INTEGER)
            AS VARCHAR) END AS {headers['pay']},
       CASE WHEN {direct} THEN CASE WHEN u(k, {s + 7}) < 0.05 THEN '第一产业' WHEN u(k, {s + 7}) < 0.45
            THEN '第二产业' ELSE '第三产业' END END AS {headers['industry']},
       CASE WHEN {direct} THEN CASE WHEN u(k, {s + 8}) < 0.80 THEN '企事业单位就业' WHEN u(k, {s + 8}) < 0.83
            THEN '自主创业' WHEN u(k, {s + 8}) < 0.95 THEN '灵活就业' ELSE '应征入伍' END END AS {headers['form']},
       CASE WHEN {direct} THEN CASE WHEN u(k, {s + 9}) < 0.7 THEN '是' ELSE '否' END END AS {headers['contract']},
       CASE WHEN destination = '升学' THEN CASE WHEN u(k, {s + 10}) < 0.9 THEN '专科（高职）'
            ELSE '本科（含职业本科）' END END AS {headers['study_level']}
FROM (
  SELECT *, string_split(majors, ',')[1 + CAST(floor(u(k, {s + 1}) * n_majors) AS INTEGER)] AS major,
         CASE WHEN u(k, {s + 2}) < further THEN '升学' WHEN u(k, {s + 2}) < further + unemployed THEN '未就业'
              ELSE '直接就业' END AS destination
  FROM (SELECT *, idx * 1048576 + unnest(range(graduates)) AS k FROM gen_schools)
)"""


def _headers(cat, kind: str, lang: str) -> dict:
    cols = catalogue.load("cn-2022").records.kinds[kind].columns
    return {k: '"' + (c.zh if lang == "zh" else k) + '"' for k, c in cols.items()}


def generate(out: Path, scale: float = 1.0, record_scale: float = 1.0, year: int = 2022, seed: int = 2022,
             fmt: str = "parquet", encoding: str = "utf-8", headers: str = "en", parts: bool = False) -> dict:
    """Write the dataset into ``out``; returns its sizes. ``parts``: the records of each
    province in a file of their own, named by the province's code."""
    out = Path(out)
    (out / "records").mkdir(parents=True, exist_ok=True)
    areas, schools = registry(seed, scale, record_scale)
    write_orgs(out / "orgs.csv", areas + [s.org for s in schools])
    meta = {
        "title_zh": f"全国中等职业教育个案数据（{year}年，示例数据，规模系数 {scale:g}）",
        "title_en": f"National secondary vocational records, {year} (synthetic, scale {scale:g})",
        "org_unit": {"code": COUNTRY, "zh": "全国", "en": "China", "level": "country"},
        "report_year": year, "periods": [year], "catalogue": "cn-2022", "synthetic": True,
        "generated_by": f"python -m nianbao.synth.national --scale {scale:g} --record-scale {record_scale:g} "
                        f"--year {year} --seed {seed} --format {fmt} --encoding {encoding} --headers {headers}"
                        + (" --parts" if parts else ""),
    }
    (out / "dataset.yaml").write_text(
        "# Synthetic national-shaped records: invented places and schools. Generated — do not edit.\n"
        + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
    db = connect(":memory:")
    try:
        for stmt in MACROS.strip().split(";"):
            if stmt.strip():
                db.execute(stmt)
        db.execute("CREATE TABLE gen_schools (idx BIGINT, school VARCHAR, majors VARCHAR, n_majors INTEGER, "
                   "students BIGINT, graduates BIGINT, further DOUBLE, unemployed DOUBLE, matched DOUBLE, "
                   "local DOUBLE)")
        db.insert("gen_schools", ("idx", "school", "majors", "n_majors", "students", "graduates", "further",
                                  "unemployed", "matched", "local"),
                  [(s.idx, s.org.code, ",".join(s.majors), len(s.majors), s.students, s.graduates, s.further,
                    s.unemployed, s.matched, s.local) for s in schools])
        sizes = {"provinces": sum(a.level == "province" for a in areas), "cities": sum(a.level == "city" for a in areas),
                 "counties": sum(a.level == "county" for a in areas), "schools": len(schools)}
        cat = catalogue.load("cn-2022")
        for kind, sql in (("students", _students_sql(year, seed, _headers(cat, "students", headers))),
                          ("graduates", _graduates_sql(seed, _headers(cat, "graduates", headers)))):
            path = out / "records" / f"{kind}-{year}.{fmt}"
            target = path if encoding == "utf-8" else path.with_suffix(".utf8.tmp")
            option = "FORMAT parquet, COMPRESSION zstd" if fmt == "parquet" else "FORMAT csv, HEADER true"
            db.execute(f"COPY ({sql}) TO '{target}' ({option})")
            written = [(target, path)]
            if parts:  # a school's code is 0 + its county's (PPCCXX): PP is its province's
                school = _headers(cat, kind, headers)["school"]  # quoted
                scan = f"read_parquet('{target}')" if fmt == "parquet" else \
                    f"read_csv('{target}', all_varchar = true, header = true)"
                written = []
                for (pp,) in db.execute(f"SELECT DISTINCT substr({school}, 2, 2) FROM {scan} ORDER BY 1"):
                    part = path.with_name(f"{kind}-{year}-{pp}0000.{fmt}")
                    part_target = part if encoding == "utf-8" else part.with_suffix(".utf8.tmp")
                    db.execute(f"COPY (SELECT * FROM {scan} WHERE substr({school}, 2, 2) = '{pp}') "
                               f"TO '{part_target}' ({option})")
                    written.append((part_target, part))
                target.unlink()
            for made, final in written:
                if made != final:
                    _to_gbk(made, final)
            sizes[kind] = sum(getattr(s, kind) for s in schools)
    finally:
        db.close()
    return sizes


def _to_gbk(src: Path, dst: Path) -> None:
    with src.open(encoding="utf-8", newline="") as f, dst.open("w", encoding="gbk", newline="") as g:
        while chunk := f.read(1 << 22):
            g.write(chunk)
    src.unlink()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m nianbao.synth.national",
                                description="生成全国规模的示例个案数据（虚构学校）/ generate national-shaped synthetic records")
    p.add_argument("-o", "--output", required=True, help="输出文件夹 / output folder")
    p.add_argument("--scale", type=float, default=1.0, help="学校的比例 / share of the 7 000 schools kept (default 1)")
    p.add_argument("--record-scale", type=float, default=1.0, help="每校记录数的比例 / share of each school's records")
    p.add_argument("--year", type=int, default=2022)
    p.add_argument("--seed", type=int, default=2022)
    p.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    p.add_argument("--encoding", choices=("utf-8", "gbk"), default="utf-8", help="CSV only")
    p.add_argument("--headers", choices=("en", "zh"), default="en", help="列名：代码或中文 / column names")
    p.add_argument("--parts", action="store_true", help="一省一份文件 / one file a province")
    args = p.parse_args(argv)
    if args.encoding == "gbk" and args.format != "csv":
        print("GBK 只用于 CSV / --encoding gbk goes with --format csv", file=sys.stderr)
        return 2
    sizes = generate(Path(args.output), args.scale, args.record_scale, args.year, args.seed, args.format,
                     args.encoding, args.headers, args.parts)
    print(" ".join(f"{k} {v}" for k, v in sizes.items()) + f" → {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
