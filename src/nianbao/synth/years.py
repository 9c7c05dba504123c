"""The synthetic examples of the 2023–2025 outline: ``python -m nianbao.synth.years -o examples``.

Writes two datasets, deterministically (fixed seeds; the same files byte for byte):

- ``datong-2024-schools``: the 34 invented schools of the Datong 2020 example (their 2020 figures
  as ``nianbao.synth.datong`` makes them) carried on through 2021–2024 at random within the
  ranges of ``datong-2024.yaml``, with the elements of the 2022 and 2023 outlines (毕业去向 by
  升学层次 and 三次产业, 技能大赛, 国际合作, 经费收入, 学生资助; from 2023 文化传承, 产教融合,
  服务贡献), one school opened in 2022 (no graduates in 2024), a 2024年度 city report
  (catalogue cn-2023, report type city) and a school report of one school;
- ``shanxi-2024``: the province of Datong and a second invented city (朔州, six schools), a
  provincial report whose figures are its cities' summed.

Every figure is drawn per school; the city's and the province's are left to the roll-up. The
figures that depend on each other agree (在校生 = 上年在校生 + 招生 − 毕业生; 落实人数 = 升学 +
直接就业; each breakdown adds up to its total). ``province(seed, cities, schools)`` makes a
small random province the same way, for property tests.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from nianbao import catalogue
from nianbao.core.formatting import number_text
from nianbao.core.orgs import Org
from nianbao.ingest.orgs import write_orgs
from nianbao.synth import apportion
from nianbao.synth.datong import HERE, TYPE_EN, TYPE_SUFFIX, Generator, cn_number

CHOICES = HERE / "datong-2024.yaml"
SOURCE = "示例数据（随机生成）"
COLUMNS = ["element", "dims", "period", "scope", "value", "source", "note", "org_unit"]
EARLIER = (2018, 2019, 2020)  # the years a school's state starts from
JITTER = 0.05  # how far a school's shares move from one year to the next


@dataclass
class State:
    """One school's figures: (element, dims, period) → value."""
    org: Org
    v: dict = field(default_factory=dict)
    profile: dict = field(default_factory=dict)  # the school's own level of each drawn share

    def put(self, element: str, period: int, value, dims: tuple = ()) -> None:
        self.v[(element, tuple(sorted(dims)), period)] = value

    def get(self, element: str, period: int, dims: tuple = (), default=0):
        return self.v.get((element, tuple(sorted(dims)), period), default)


class Years:
    """Carries schools from their 2020 state through ``years``, drawing every figure with its
    own random generator so the schools of one city do not change another's."""

    def __init__(self, choices: dict, rng: random.Random):
        self.c = choices
        self.r = choices["ranges"]
        self.rng = rng
        self.years = [int(y) for y in choices["years"]]
        self.from_2023 = set(choices.get("from_2023") or [])

    def u(self, pair) -> float:
        return self.rng.uniform(float(pair[0]), float(pair[1]))

    def level(self, s: State, key: str, pair) -> float:
        """A school's own level of a share or rate: drawn once within ``pair``, then moving a
        little from year to year (±JITTER), as a school's figures do."""
        if key not in s.profile:
            s.profile[key] = self.u(pair)
        return s.profile[key] * self.rng.uniform(1 - JITTER, 1 + JITTER)

    def split(self, s: State, key: str, total: int, weights: dict) -> dict:
        """``total`` over the categories of ``weights`` (ranges, the school's level of each), exactly."""
        w = {k: self.level(s, f"{key}.{k}", v) for k, v in weights.items()}
        return dict(zip(w, apportion(int(total), list(w.values()))))

    def carry(self, s: State) -> None:
        for y in self.years:
            if s.org.founded and y < s.org.founded:
                continue
            self.roll(s, y)
            self.destinations(s, y)
            self.teachers(s, y)
            self.money(s, y)
            self.contests(s, y)
            self.international(s, y)
            if y >= 2023:
                self.integration(s, y)

    def roll(self, s: State, y: int) -> None:
        before = s.get("entrants", y - 1, default=None)
        if before is None:  # a school opened this year
            s.put("entrants", y, round(self.u(self.c["new_school"]["entrants"])))
        else:
            s.put("entrants", y, max(3, round(before * self.u(self.r["entrants_change"]))))
        three_before = s.get("entrants", y - 3, default=None)
        stock = s.get("students", y - 1)
        graduates = 0 if three_before is None else min(stock, round(three_before * self.u(self.r["graduates_of_entrants"])))
        s.put("graduates", y, graduates)
        s.put("students", y, stock + s.get("entrants", y) - graduates)

    def destinations(self, s: State, y: int) -> None:
        g = s.get("graduates", y)
        r = self.r
        share = min(0.95, self.level(s, "further", r["further_study_share"]) + r["further_study_drift"] * (y - self.years[0]))
        further = min(g, round(g * share))
        bachelor = round(further * self.level(s, "bachelor", r["bachelor_of_further_study"]))
        employed = min(g - further, round((g - further) * self.level(s, "employed", r["employed_of_the_rest"])))
        s.put("further_study", y, further)
        s.put("further_study", y, bachelor, (("study_level", "bachelor"),))
        s.put("further_study", y, further - bachelor, (("study_level", "associate"),))
        s.put("employed_direct", y, employed)
        for cat, n in self.split(s, "industry", employed, r["industry_weights"]).items():
            s.put("employed_direct", y, n, (("industry", cat),))
        s.put("graduates_placed", y, further + employed)
        s.put("entrepreneurs", y, min(employed, round(employed * self.level(s, "business", r["entrepreneurs_of_employed"]))))
        if employed:  # a school without graduates reports 0 in each count and no salary
            growth = (1 + r["starting_income_growth"]) ** (y - self.years[0])
            s.put("starting_income_direct", y, round(self.level(s, "salary", r["starting_income"]) * growth))

    def teachers(self, s: State, y: int) -> None:
        students = s.get("students", y)
        ft = max(4, round(students / self.level(s, "ratio", self.r["students_per_teacher"])))
        s.put("fulltime_teachers", y, ft)
        s.put("dual_teachers", y, round(ft * self.level(s, "dual", self.r["dual_of_teachers"])))
        if y == self.years[-1]:
            for dim in ("degree", "title"):
                for cat, n in self.split(s, dim, ft, self.r[f"{dim}_weights"]).items():
                    s.put("fulltime_teachers", y, n, ((dim, cat),))

    def money(self, s: State, y: int) -> None:
        r = self.r
        students = s.get("students", y)
        cents = round(students * self.level(s, "income", r["income_per_student"]) * 100)  # 万元, to 0.01万元
        s.put("income", y, cents / 100)
        for cat, c in self.split(s, "income", cents, r["income_shares"]).items():
            s.put("income", y, c / 100, (("income_source", cat),))
        recipients = {k: round(students * self.level(s, f"aid.{k}", v)) for k, v in r["aid_shares"].items()}
        s.put("aid_recipients", y, sum(recipients.values()))
        for cat, n in recipients.items():
            s.put("aid_recipients", y, n, (("aid_type", cat),))
        yuan = sum(n * r["aid_yuan"][cat] for cat, n in recipients.items())
        s.put("aid_amount", y, round(yuan / 10000, 2))

    def contests(self, s: State, y: int) -> None:
        total = round(s.get("students", y) / 400 * self.level(s, "awards", self.r["awards_per_400_students"]))
        s.put("contest_awards", y, total)
        for dim, key in (("award_level", "award_levels"), ("award_grade", "award_grades")):
            for cat, n in self.split(s, dim, total, self.r[key]).items():
                s.put("contest_awards", y, n, ((dim, cat),))

    def international(self, s: State, y: int) -> None:
        partners = self.level(s, "partners", (0, 1)) < self.c["ranges"]["intl_partner_share"]
        for element, pair in (("intl_partner_institutions", (1, 3)), ("intl_exchange_persons", (2, 30)),
                              ("intl_students", (0, 6)), ("intl_standards", (0, 1))):
            s.put(element, y, round(self.level(s, element, pair)) if partners else 0)

    def integration(self, s: State, y: int) -> None:
        r = self.r
        students, ft = s.get("students", y), s.get("fulltime_teachers", y)
        per = {"culture_courses": 1, "culture_activities": 1, "heritage_studios": 1, "vocational_group_memberships": 1,
               "coop_enterprises": 1, "students_serving_enterprises": students, "order_class_students": students,
               "interns": students, "social_training": students, "enterprise_training": students / 2,
               "enterprise_staff_teaching": ft, "teachers_in_enterprises": ft}
        key = {"students_serving_enterprises": "serving_per_student", "order_class_students": "order_class_share",
               "interns": "interns_per_student", "social_training": "training_per_student",
               "enterprise_training": "training_per_student", "enterprise_staff_teaching": "enterprise_staff_per_teacher",
               "teachers_in_enterprises": "teachers_in_enterprises_per_teacher", "vocational_group_memberships": "groups"}
        draws = {e: round(base * self.level(s, e, r[key.get(e, e)])) for e, base in per.items()}
        for element, value in draws.items():
            if element in self.from_2023:
                s.put(element, y, value)


def start_state(org: Org, students: int, rng: random.Random) -> State:
    """A school's 2018–2020 students and entrants where no earlier example gives them."""
    s = State(org)
    s.put("students", 2020, students)
    for y in EARLIER:
        s.put("entrants", y, max(3, round(students / 3 * rng.uniform(0.9, 1.1))))
    return s


def datong_states(choices: dict) -> tuple[list[Org], list[State]]:
    """The Datong registry and schools with their 2020 figures, as the 2020 example makes them."""
    targets = yaml.safe_load((HERE / choices["base"]).read_text(encoding="utf-8"))
    gen = Generator(targets, None)
    gen.build(catalogue.load("cn-2016").majors)
    states = []
    for org in gen.schools:
        s = State(org)
        for p in EARLIER:
            s.put("entrants", p, gen.get(org.code, "entrants", p, (), 0))
        s.put("students", 2020, gen.get(org.code, "students", 2020, (), 0))
        states.append(s)
    ns = choices["new_school"]
    n = len(gen.schools) + 2  # after the merged school's number
    county = ns["county"]
    org = Org(code=f"0{county}{n:03d}", zh=f"示例第{cn_number(n)}{TYPE_SUFFIX[ns['school_type']]}",
              en=f"Sample {TYPE_EN[ns['school_type']]} No. {n}", level="school", parent=county, county=county,
              affiliation=ns["affiliation"], ownership=ns["ownership"], school_type=ns["school_type"],
              founded=int(ns["founded"]))
    states.append(State(org))
    return gen.orgs + [gen.merged], states


def city_states(city: dict, province_code: str, rng: random.Random, prefix: str) -> tuple[list[Org], list[State]]:
    """A city of invented schools (``city['schools']``: county, affiliation, ownership, type and
    2020 students each)."""
    orgs = [Org(code=city["code"], zh=city["zh"], en=city["en"], level="city", parent=province_code)]
    for code, c in city["counties"].items():
        orgs.append(Org(code=code, zh=c["zh"], en=c.get("en", c["zh"]), level="county", parent=city["code"]))
    states, serial = [], {}
    for n, spec in enumerate(city["schools"], start=1):
        county = spec["county"]
        serial[county] = serial.get(county, 0) + 1
        typ = spec["school_type"]
        org = Org(code=f"0{county}{serial[county]:03d}", zh=f"示例{prefix}第{cn_number(n)}{TYPE_SUFFIX[typ]}",
                  en=f"Sample {city['en']} {TYPE_EN[typ]} No. {n}", level="school", parent=county, county=county,
                  affiliation=spec["affiliation"], ownership=spec["ownership"], school_type=typ,
                  founded=spec.get("founded", rng.randint(1960, 2010)))
        states.append(start_state(org, int(spec["students"]), rng))
    return orgs, states


def rows_of(states: list[State], years: list[int]) -> list[dict]:
    out = []
    for s in sorted(states, key=lambda s: s.org.code):
        for (element, dims, period), value in sorted(s.v.items()):
            if period not in years:
                continue
            text = number_text(value, 2).rstrip("0").rstrip(".") if isinstance(value, float) else str(int(value))
            out.append({"element": element, "dims": ",".join(f"{d}={c}" for d, c in dims), "period": period,
                        "scope": "all", "value": text, "source": SOURCE, "note": "", "org_unit": s.org.code})
    return out


def write_dataset(out: Path, meta: dict, header: str, orgs: list[Org], states: list[State], years: list[int],
                  narratives: dict, school_narratives: dict | None = None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    write_orgs(out / "orgs.csv", orgs)
    with (out / "values.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows_of(states, years))
    (out / "dataset.yaml").write_text(header + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False),
                                      encoding="utf-8")
    folder = out / "narrative"
    folder.mkdir(exist_ok=True)
    for key, text in narratives.items():
        (folder / f"{key}.md").write_text(text.strip() + "\n", encoding="utf-8")
    for code, texts in (school_narratives or {}).items():
        (folder / code).mkdir(exist_ok=True)
        for key, text in texts.items():
            (folder / code / f"{key}.md").write_text(text.strip() + "\n", encoding="utf-8")


def shown_school(states: list[State], year: int) -> State:
    """The school whose report the example shows: the largest that is not a technical school."""
    return max((s for s in states if not s.org.is_technical and s.get("graduates", year)),
               key=lambda s: (s.get("students", year), s.org.code))


HEADER = ("# Synthetic example: invented schools, figures drawn at random with a fixed seed. Generated —\n"
          "# do not edit by hand; change src/nianbao/synth/datong-2024.yaml and run\n"
          "# python -m nianbao.synth.years -o examples\n")


def meta_of(org: Org, publisher_zh: str, publisher_en: str, year: int, years: list[int], report_type: str,
            seed) -> dict:
    return {
        "title_zh": f"{org.zh}中等职业教育质量报告（{year}年度，示例数据）",
        "title_en": f"{org.en} quality report of secondary vocational education, {year} (synthetic)",
        "org_unit": {"code": org.code, "zh": org.zh, "en": org.en, "level": org.level, "parent": org.parent},
        "publisher_zh": publisher_zh, "publisher_en": publisher_en,
        "report_year": year, "periods": years, "catalogue": "cn-2023", "report_type": report_type,
        "synthetic": True, "generated_by": f"python -m nianbao.synth.years -o examples (seed {seed})",
        "source": "示例数据：学校与数值均为虚构，按固定随机种子生成；市、省的数字由各校数据汇总。",
    }


def generate(out: Path, choices_path: Path = CHOICES) -> dict[str, list[State]]:
    """Write datong-2024-schools and shanxi-2024 into ``out``; return the schools of each city."""
    c = yaml.safe_load(Path(choices_path).read_text(encoding="utf-8"))
    years, year = [int(y) for y in c["years"]], int(c["report_year"])
    d_orgs, d_states = datong_states(c)
    carrier = Years(c, random.Random(c["seed"]))
    for s in d_states:
        carrier.carry(s)
    second = c["second_city"]
    prov = next(o for o in d_orgs if o.level == "province")
    city = next(o for o in d_orgs if o.level == "city")
    rng2 = random.Random(second["seed"])
    s_orgs, s_states = city_states(second, prov.code, rng2, second["zh"].removesuffix("市"))
    carrier2 = Years(c, rng2)
    for s in s_states:
        carrier2.carry(s)
    shown = shown_school(d_states, year)
    schools_text = {shown.org.code: {k: c["narratives"][k] for k in c["school_narratives"]}}
    datong_dir = Path(out) / "datong-2024-schools"
    write_dataset(datong_dir, {**meta_of(city, f"{city.zh}教育局（示例）", f"{city.en} Municipal Education Bureau (sample)",
                                         year, years, "city", c["seed"]), "example_school": shown.org.code},
                  HEADER, d_orgs + [s.org for s in d_states], d_states, years, c["narratives"], schools_text)
    new = next(s.org for s in d_states if s.org.founded == int(c["new_school"]["founded"]))
    (datong_dir / "README.md").write_text(README_CITY.format(seed=c["seed"], new=f"{new.zh}，{new.code}",
                                                             school=shown.org.code), encoding="utf-8")
    shanxi_dir = Path(out) / "shanxi-2024"
    members = sorted([o for o in d_orgs if o.level != "province"] + [o for o in s_orgs], key=lambda o: (o.level, o.code))
    schools = sorted([s.org for s in d_states + s_states] + [o for o in d_orgs if o.level == "school"],
                     key=lambda o: o.code)
    write_dataset(shanxi_dir, meta_of(prov, f"{prov.zh}教育厅（示例）", f"{prov.en} Department of Education (sample)",
                                      year, years, "province", f"{c['seed']}, {second['seed']}"),
                  HEADER, [prov] + [o for o in members if o.level != "school"] + schools, d_states + s_states, years,
                  {k: v for k, v in c["narratives"].items() if k != "case-5-1"})
    (shanxi_dir / "README.md").write_text(README_PROVINCE.format(n=cn_number(len(s_states))), encoding="utf-8")
    return {city.code: d_states, second["code"]: s_states}


SAMPLE_TYPES = ["regular_specialized", "vocational_high", "technical", "adult_specialized"]


def sample_city(i: int, schools: int, prov: Org, rng: random.Random, choices: dict) -> tuple[list[Org], list[State]]:
    """City ``i`` of the sample province: one county, ``schools`` invented schools of random
    kinds and sizes, carried through the years of ``choices``; the city's and county's units, then
    the schools' states."""
    spec = {"code": f"99{i:02d}00", "zh": f"示例{cn_number(i)}市", "en": f"Sample City {i}",
            "counties": {f"99{i:02d}01": {"zh": f"示例{cn_number(i)}区"}},
            "schools": [{"county": f"99{i:02d}01", "affiliation": rng.choice(["municipal", "county"]),
                         "ownership": rng.choice(["public", "private"]), "school_type": rng.choice(SAMPLE_TYPES),
                         "students": rng.randint(120, 2600)} for _ in range(schools)]}
    units, states = city_states(spec, prov.code, rng, f"{cn_number(i)}市")
    carrier = Years(choices, rng)
    for st in states:
        carrier.carry(st)
    return units, states


def province(seed: int, cities: int, schools: int, choices_path: Path = CHOICES) -> tuple[list[Org], list[State]]:
    """A small random province (for property tests): ``cities`` cities of ``schools`` invented
    schools each (one county a city), carried through the years of ``datong-2024.yaml``."""
    c = yaml.safe_load(Path(choices_path).read_text(encoding="utf-8"))
    rng = random.Random(seed)
    prov = Org(code="990000", zh="示例省", en="Sample Province", level="province")
    orgs, states = [prov], []
    for i in range(1, cities + 1):
        o, s = sample_city(i, schools, prov, rng, c)
        orgs += o + [st.org for st in s]
        states += s
    return orgs, states


README_CITY = """# 示例数据集：大同市2021—2024年（学校级，虚构）

本文件夹由 `python -m nianbao.synth.years -o examples` 生成（随机种子 {seed}），请勿手工修改；要改变数据，
请修改 `src/nianbao/synth/datong-2024.yaml` 后重新生成。

- 学校与 `examples/datong-2020-schools` 的 34 所虚构学校相同（名称“示例第…”，学校标识码以 0 开头），
  各校2020年的数字按该例生成，2021—2024年在 `datong-2024.yaml` 所列范围内随机延续：
  在校生 = 上年在校生 + 招生 − 毕业生，毕业生约为三年前招生的 86%—97%，毕业去向落实人数 = 升学 + 直接就业，
  各分组之和等于合计。这些数字与大同市的实际情况无关。
- 另有一所2022年新办的学校（{new}），2024年没有毕业生：其学校年报的指标表中与毕业生有关的行无须填写。
- 采用目录版本 cn-2023（2023—2025年度提纲），报告类型 city（中职地市级年报）；
  `nianbao report examples/datong-2024-schools -o OUT` 生成2024年度市级年报，
  `--school {school}` 生成一所学校的学校年报（含6张指标表）。
- 文化传承、产教融合、服务贡献的数字自2023年起才有（2023年度提纲新增的内容）。

Synthetic example: the 34 invented Datong schools carried on through 2021–2024 (fixed seed), with a
school opened in 2022 (no graduates in 2024); catalogue cn-2023, a 2024 city report and school reports.
"""

README_PROVINCE = """# 示例数据集：山西省2021—2024年（两市学校级，虚构）

本文件夹由 `python -m nianbao.synth.years -o examples` 生成，请勿手工修改。

- 省级年报（中职）的示例：全省为大同市（与 `examples/datong-2024-schools` 的学校和数字相同）与
  虚构的朔州市{n}所学校之和；省、市的数字都由各校数据汇总，比率按汇总的分子、分母重算。
- 学校、数值均为虚构；县（区）使用真实行政区划代码（GB/T 2260）。

Synthetic example: a province of two cities (Datong as in datong-2024-schools, and six invented
Shuozhou schools); the provincial report's figures are the schools' summed.
"""


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m nianbao.synth.years",
                                description="生成2021—2024年示例数据集（大同市学校级与山西省两市，虚构）\n"
                                            "generate the synthetic 2021–2024 city and province examples")
    p.add_argument("-o", "--output", required=True, help="输出文件夹（其下写 datong-2024-schools、shanxi-2024） / output folder")
    args = p.parse_args(argv)
    try:
        cities = generate(Path(args.output))
    except ValueError as exc:
        print(f"生成失败 / generation failed: {exc}", file=sys.stderr)
        return 1
    n = sum(len(v) for v in cities.values())
    print(f"已生成 {n} 所学校 → {args.output}/datong-2024-schools, shanxi-2024 / wrote {n} schools")
    return 0


if __name__ == "__main__":
    sys.exit(main())
