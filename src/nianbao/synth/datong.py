"""The synthetic school-level example of Datong 2020: ``python -m nianbao.synth.datong -o DIR``.

Invents 34 schools (plus one merged before the period) in Datong's districts and counties and
draws their figures at random with a fixed seed; every figure is then fitted so the schools add
up exactly to the totals the city's 2020 report printed. The totals, the layout of the schools
and every choice that is ours are in ``datong-2020.yaml`` beside this module; nothing about
Datong is written here. The same seed gives the same files, byte for byte.

Written into DIR: dataset.yaml, README.md, orgs.csv, values.csv (school rows carry org_unit;
city rows copy what schools do not report), majors.csv, and the narratives and tables of the
source dataset.
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import sys
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import yaml

from nianbao import catalogue
from nianbao.core.formatting import number_text, round_half_up
from nianbao.core.orgs import Org
from nianbao.ingest.orgs import write_orgs
from nianbao.synth import apportion

HERE = Path(__file__).parent
TARGETS = HERE / "datong-2020.yaml"
SCHOOL_SOURCE = "示例数据（随机生成）"
CN_DIGITS = "零一二三四五六七八九"
TYPE_SUFFIX = {"regular_specialized": "中等专业学校", "vocational_high": "职业高级中学",
               "adult_specialized": "成人中等专业学校", "technical": "技工学校",
               "attached_class": "附设中职班"}
TYPE_EN = {"regular_specialized": "Specialised Secondary School", "vocational_high": "Vocational High School",
           "adult_specialized": "Adult Specialised Secondary School", "technical": "Technical School",
           "attached_class": "Attached Vocational Class"}


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 17 → 十七, 34 → 三十四, 105 → 一百零五, 2010 → 二千零一十."""
    if n < 10:
        return CN_DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")
    for unit, size in (("万", 10000), ("千", 1000), ("百", 100)):
        if n >= size:
            head, rest = divmod(n, size)
            if not rest:
                return cn_number(head) + unit
            gap = "零" if rest < size // 10 else ""
            tail = "一" + cn_number(rest) if 10 <= rest < 20 else cn_number(rest)  # 一百一十, not 一百十
            return cn_number(head) + unit + gap + tail
    raise AssertionError(n)


def prints_as(value: float, printed: str, decimals: int) -> bool:
    return number_text(value, decimals) == number_text(float(printed), decimals)


class Generator:
    def __init__(self, targets: dict, source: Path | None = None):
        self.t = targets
        self.rng = random.Random(targets["seed"])
        self.source = source
        self.year = int(targets["report_year"])
        self.periods = [int(p) for p in targets["periods"]]
        self.orgs: list[Org] = []
        self.schools: list[Org] = []
        self.rows: list[dict] = []  # values.csv rows
        self.v: dict[tuple, float] = {}  # (school, element, dims, period) → value
        self.majors: list[dict] = []

    # -- helpers ------------------------------------------------------------------------------
    def u(self, a: float, b: float) -> float:
        return self.rng.uniform(a, b)

    def put(self, school: str, element: str, period: int, value, dims: tuple = ()):
        self.v[(school, element, tuple(sorted(dims)), period)] = value

    def get(self, school: str, element: str, period: int, dims: tuple = (), default=None):
        return self.v.get((school, element, tuple(sorted(dims)), period), default)

    def split(self, schools, element, period, total, weight, low=None, high=None, dims=()):
        """Put an exact total over ``schools``: weight(s), low(s), high(s) give the shape."""
        w = [weight(s) for s in schools]
        lo = [low(s) for s in schools] if low else None
        hi = [high(s) for s in schools] if high else None
        for s, x in zip(schools, apportion(int(total), w, lo, hi)):
            self.put(s.code, element, period, x, dims)

    def val(self, s, element, period=None, dims=()):
        return self.get(s.code, element, period or self.year, dims, 0)

    # -- registry -------------------------------------------------------------------------------
    def registry(self):
        t = self.t
        prov, city = t["province"], t["city"]
        self.orgs.append(Org(code=prov["code"], zh=prov["zh"], en=prov["en"], level="province"))
        self.orgs.append(Org(code=city["code"], zh=city["zh"], en=city["en"], level="city", parent=prov["code"]))
        slots = defaultdict(list)  # affiliation → county codes, one per school
        for code, c in t["counties"].items():
            self.orgs.append(Org(code=code, zh=c["zh"], en=c["en"], level="county", parent=city["code"]))
            for aff in ("provincial", "municipal", "county"):
                slots[aff].extend([code] * int(c.get(aff, 0)))
        cells = defaultdict(list)  # affiliation → (cell, type, size) per school
        for cell in t["cells"]:
            for typ, size in zip(cell["types"], cell["sizes"]):
                cells[cell["affiliation"]].append((cell, typ, size))
        drafts = []
        for aff, counties in slots.items():
            if len(counties) != len(cells[aff]):
                raise ValueError(f"{aff}: {len(counties)} places in counties but {len(cells[aff])} schools in cells")
            order = list(cells[aff])
            self.rng.shuffle(order)
            for county, (cell, typ, size) in zip(counties, order):
                drafts.append((county, aff, cell, typ, size))
        drafts.sort(key=lambda d: (d[0], d[1], d[3], d[4]))
        serial = defaultdict(int)
        self.cell_of, self.size_of = {}, {}
        for n, (county, aff, cell, typ, size) in enumerate(drafts, start=1):
            serial[county] += 1
            code = f"0{county}{serial[county]:03d}"
            founded = self.rng.randint(1975, 1995) if typ == "technical" else self.rng.randint(1958, 2012)
            org = Org(code=code, zh=f"示例第{cn_number(n)}{TYPE_SUFFIX[typ]}", en=f"Sample {TYPE_EN[typ]} No. {n}",
                      level="school", parent=county, county=county, affiliation=aff, ownership=cell["ownership"],
                      school_type=typ, founded=founded)
            self.schools.append(org)
            self.cell_of[code] = id(cell)
            self.size_of[code] = size
        m = t["merged_school"]
        n = len(drafts) + 1
        code = f"0{m['county']}099"
        self.merged = Org(code=code, zh=f"示例第{cn_number(n)}职业高级中学", en=f"Sample Vocational High School No. {n}",
                          level="school", parent=m["county"], county=m["county"], affiliation="county",
                          ownership="public", school_type="vocational_high", founded=m["founded"],
                          status="merged", closed=m["closed"])

    # -- students ---------------------------------------------------------------------------------
    def excl_technical_students(self) -> int:
        """Students of the schools other than technical ones: the number whose per-student floor
        area and books print as 1.2 printed them (the smallest such number)."""
        t = self.t
        spec = t["technical_students"]
        floor = t["excl_technical"]["floor_area"][self.year]
        books = t["excl_technical"]["books"][self.year]
        guess = int(floor / float(spec["floor_area_per_student"]["printed"]))
        for s in range(guess - 50, guess + 50):
            if prints_as(floor / s, spec["floor_area_per_student"]["printed"], spec["floor_area_per_student"]["decimals"]) \
                    and prints_as(books / s, spec["books_per_student"]["printed"], spec["books_per_student"]["decimals"]):
                return s
        raise ValueError("no number of students gives the printed per-student figures")

    def students(self):
        t, y = self.t, self.year
        aff, own = t["affiliation_students"], t["ownership_students"]
        total = t["totals"]["students"][y]
        if sum(aff.values()) != total or sum(own.values()) != total:
            raise ValueError("the margins of students do not add up to the total")
        excl = self.excl_technical_students()
        m_priv = t["private_municipal_students"]
        cell_sums = {("provincial", "public"): aff["provincial"], ("municipal", "private"): m_priv,
                     ("county", "private"): own["private"] - m_priv,
                     ("municipal", "public"): aff["municipal"] - m_priv}
        cell_sums[("county", "public")] = aff["county"] - cell_sums[("county", "private")]
        if sum(v for (a, o), v in cell_sums.items() if o == "public") != own["public"]:
            raise ValueError("the cells do not reproduce the public total")
        bounds = t["size_bounds"]
        for cell in t["cells"]:
            key = (cell["affiliation"], cell["ownership"])
            if cell.get("technical"):
                cell_total = total - excl
                cell_sums[key] -= cell_total
            else:
                continue
            self._fill_cell(cell, cell_total, bounds)
        for cell in t["cells"]:
            if not cell.get("technical"):
                self._fill_cell(cell, cell_sums[(cell["affiliation"], cell["ownership"])], bounds)

    def _fill_cell(self, cell, cell_total: int, bounds):
        members = [s for s in self.schools if self.cell_of[s.code] == id(cell)]
        mids = {k: (lo + hi) / 2 for k, (lo, hi) in bounds.items()}
        small = sum(mids[self.size_of[s.code]] for s in members if self.size_of[s.code] != "large")
        n_large = sum(1 for s in members if self.size_of[s.code] == "large")
        avg_large = (cell_total - small) / n_large if n_large else 0
        weight = {s.code: (avg_large * self.u(0.6, 1.5) if self.size_of[s.code] == "large"
                           else self.u(*bounds[self.size_of[s.code]])) for s in members}
        self.split(members, "students", self.year, cell_total, lambda s: weight[s.code],
                   lambda s: bounds[self.size_of[s.code]][0], lambda s: bounds[self.size_of[s.code]][1])

    # -- the other figures --------------------------------------------------------------------------
    def scale(self):
        """Entrants and graduates: random shares in the report year; in earlier years each
        school keeps about its share of the later year, so its figures move with the city's."""
        t, y = self.t, self.year
        tech = [s for s in self.schools if s.is_technical]
        other = [s for s in self.schools if not s.is_technical]
        for p in sorted(self.periods, reverse=True):
            if p < y:
                self.earlier_students(p)

            def like(element, share):
                if p == y:
                    return lambda s: self.val(s, "students", p) * self.u(*share)
                return lambda s: (self.val(s, element, p + 1) + 1) * self.u(0.92, 1.08)
            cap = lambda s: self.val(s, "students", p)  # noqa: E731
            self.split(self.schools, "entrants", p, t["totals"]["entrants"][p], like("entrants", (0.3, 0.5)),
                       lambda s: 3, cap)
            grads = t["totals"]["graduates"][p]
            excl = t["excl_technical"]["graduates"].get(p)
            w = like("graduates", (0.22, 0.38))
            if excl is None:
                self.split(self.schools, "graduates", p, grads, w, lambda s: 2, cap)
            else:
                self.split(other, "graduates", p, excl, w, lambda s: 2, cap)
                self.split(tech, "graduates", p, grads - excl, w, lambda s: 2, cap)

    def earlier_students(self, p: int):
        """Students of an earlier year. Where the city's totals reconcile (表一: 2018 students
        26853 + 2019 entrants 7598 − 2019 graduates 8631 = 25820, the 2019 students), each
        school's do too; otherwise each school keeps about its share of the later year."""
        tot = self.t["totals"]
        nxt = p + 1
        if tot["students"][p] + tot["entrants"][nxt] - tot["graduates"][nxt] == tot["students"][nxt]:
            for s in self.schools:
                self.put(s.code, "students", p, self.val(s, "students", nxt) - self.val(s, "entrants", nxt)
                         + self.val(s, "graduates", nxt))
        else:
            self.split(self.schools, "students", p, tot["students"][p],
                       lambda s: self.val(s, "students", nxt) * self.u(0.95, 1.15), lambda s: 30, lambda s: 3200)

    def teachers(self):
        t, y = self.t, self.year
        tot = t["totals"]
        # larger schools are better staffed and equipped: the standards then split the schools
        big = lambda s: self.val(s, "students") >= 700  # noqa: E731
        self.split(self.schools, "fulltime_teachers", y, tot["fulltime_teachers"][y],
                   lambda s: self.val(s, "students") / (self.u(9, 12.5) if big(s) else self.u(8, 17)), lambda s: 4)
        self.split(self.schools, "staff", y, tot["staff"][y], lambda s: self.val(s, "fulltime_teachers") * self.u(1.15, 1.45),
                   lambda s: self.val(s, "fulltime_teachers"), lambda s: 2 * self.val(s, "fulltime_teachers") + 5)
        self._breakdown("degree", t["degree"], rest="bachelor")
        titles = dict(t["title"])
        titles[t["title_untitled"]] = tot["fulltime_teachers"][y] - sum(titles.values())  # 1938 − 1703 = 235
        self._breakdown("title", titles, rest="intermediate")
        for s in self.schools:
            self.put(s.code, "specialty_teachers", y, round(self.val(s, "fulltime_teachers") * self.u(0.45, 0.7)))
        self.split(self.schools, "dual_teachers", y, tot["dual_teachers"][y],
                   lambda s: self.val(s, "specialty_teachers") * self.u(0.1, 0.6), lambda s: 0,
                   lambda s: self.val(s, "specialty_teachers"))
        self.split(self.schools, "parttime_teachers", y, tot["parttime_teachers"][y],
                   lambda s: self.val(s, "fulltime_teachers") * self.u(0.05, 0.45))
        self.split(self.schools, "teacher_training", y, tot["teacher_training"][y],
                   lambda s: self.val(s, "fulltime_teachers") * self.u(0.4, 1.2))

    def _breakdown(self, dim: str, totals: dict, rest: str):
        """Split each school's full-time teachers over the categories of ``dim`` so that every
        category adds up to its city total; ``rest`` takes what is left in each school."""
        y = self.year
        room = {s.code: self.val(s, "fulltime_teachers") for s in self.schools}
        for cat, total in totals.items():
            if cat == rest:
                continue
            self.split(self.schools, "fulltime_teachers", y, total,
                       lambda s: room[s.code] * self.u(0.5, 1.5), lambda s: 0, lambda s: room[s.code],
                       dims=((dim, cat),))
            for s in self.schools:
                room[s.code] -= self.val(s, "fulltime_teachers", dims=((dim, cat),))
        for s in self.schools:
            self.put(s.code, "fulltime_teachers", y, room[s.code], ((dim, rest),))

    def quality(self):
        t, y = self.t, self.year
        students = sum(self.val(s, "students") for s in self.schools)
        graduates = sum(self.val(s, "graduates") for s in self.schools)
        for code, spec in t["rates"].items():
            if code.startswith("pass_rate_"):
                kind = code.removeprefix("pass_rate_")
                passed = self.count_for_rate(spec, students)
                for s in self.schools:
                    self.put(s.code, f"{kind}_assessed", y, self.val(s, "students"))
                self.split(self.schools, f"{kind}_passed", y, passed,
                           lambda s: self.val(s, "students") * self.u(0.88, 0.995), lambda s: 0,
                           lambda s: self.val(s, "students"))
        spec = t["rates"]["graduation_rate"]
        candidates = round_half_up(graduates * 100 / spec["rate"], 0)  # 7163 ÷ 95% = 7540
        if not prints_as(graduates * 100 / candidates, str(spec["rate"]), spec["decimals"]):
            raise ValueError("graduation candidates do not give the printed rate")
        self.split(self.schools, "graduation_candidates", y, candidates,
                   lambda s: self.val(s, "graduates") * self.u(1.0, 1.12), lambda s: self.val(s, "graduates"),
                   lambda s: 2 * self.val(s, "graduates") + 5)
        self.split(self.schools, "certificate_holders", y, self.count_for_rate(t["rates"]["certificate_rate"], graduates),
                   lambda s: self.val(s, "graduates") * self.u(0.6, 0.95), lambda s: 0, lambda s: self.val(s, "graduates"))
        for dim, key, element in (("award_level", "awards", "awards"),
                                  ("award_grade", "contest_awards_provincial", "contest_awards_provincial")):
            for cat, total in t[key].items():
                self.split(self.schools, element, y, total, lambda s: self.val(s, "students") * self.u(0, 1),
                           dims=((dim, cat),))

    def count_for_rate(self, spec, base: int) -> int:
        """The count over ``base`` nearest to the printed rate; it must print back as printed."""
        count = int(round_half_up(spec["rate"] * base / 100, 0))
        if not prints_as(count * 100 / base, str(spec["rate"]), spec["decimals"]):
            raise ValueError(f"no count over {base} prints as {spec['rate']}%")
        return count

    def facilities(self):
        t, y = self.t, self.year
        other = [s for s in self.schools if not s.is_technical]
        ex = t["excl_technical"]
        big = lambda s: self.val(s, "students") >= 700  # noqa: E731
        self.split(other, "floor_area", y, ex["floor_area"][y], lambda s: 1500 + self.val(s, "students") * self.u(30, 60),
                   lambda s: 1500, lambda s: 150000)
        for s in other:
            self.put(s.code, "land_area", y, round(self.val(s, "floor_area") * self.u(1.5, 2.6), -1))
        cents = round(ex["equipment_value"][y] * 100)  # 万元, kept to 0.01万元
        for s, x in zip(other, apportion(cents, [self.val(s, "students") * self.u(0.8, 3.5) for s in other],
                                         [5000] * len(other))):
            self.put(s.code, "equipment_value", y, x / 100)
        self.split(other, "books", y, ex["books"][y],
                   lambda s: self.val(s, "students") * (self.u(30, 40) if big(s) else self.u(18, 38)), lambda s: 1000)
        students = sum(self.val(s, "students") for s in other)
        places = int(round_half_up(t["rates"]["training_places_per_student"]["rate"] * students, 0))
        if not prints_as(places / students, str(t["rates"]["training_places_per_student"]["rate"]), 2):
            raise ValueError("training places do not give the printed per-student figure")
        self.split(other, "training_places", y, places, lambda s: self.val(s, "students") * self.u(0.3, 0.8))

    def employment(self):
        t = self.t
        other = [s for s in self.schools if not s.is_technical]
        ex = t["excl_technical"]
        idle: dict[tuple, int] = {}
        for p in sorted(ex["employed_direct"], reverse=True):  # earlier years follow the later one
            g = {s.code: self.val(s, "graduates", p) for s in other}
            later = p + 1 in ex["employed_direct"]
            direct_total = ex["employed_direct"][p]
            if p in ex.get("further_study", {}):
                fs_total = ex["further_study"][p]
            else:  # 2019: the further-study count that gives the printed employment rate
                spec = t["rates"][f"employment_rate_{p}"]
                fs_total = self.count_for_rate(spec, ex["graduates"][p]) - direct_total
            idle_total = ex["graduates"][p] - direct_total - fs_total
            w_idle = [(idle[(s.code, p + 1)] + 0.5) * self.u(0.9, 1.1) if later else g[s.code] * self.u(0.2, 1.5)
                      for s in other]
            for s, x in zip(other, apportion(idle_total, w_idle, [0] * len(other), [g[s.code] for s in other])):
                idle[(s.code, p)] = x
            room = {s.code: g[s.code] - idle[(s.code, p)] for s in other}
            self.split(other, "employed_direct", p, direct_total,
                       (lambda s: (self.val(s, "employed_direct", p + 1) + 0.5) * self.u(0.9, 1.1)) if later
                       else (lambda s: room[s.code] * self.u(0.1, 0.6)), lambda s: 0, lambda s: room[s.code])
            for s in other:
                self.put(s.code, "further_study", p, room[s.code] - self.val(s, "employed_direct", p))
            direct = lambda s: self.val(s, "employed_direct", p)  # noqa: E731
            local_share = (lambda s: (self.val(s, "employed_local", p + 1) + 0.5)
                           / (self.val(s, "employed_direct", p + 1) + 1) * self.u(0.9, 1.1)) if later \
                else (lambda s: self.u(0.4, 0.9))
            self.split(other, "employed_local", p, ex["employed_local"][p], lambda s: direct(s) * local_share(s),
                       lambda s: 0, direct)
            if p != self.year:
                continue
            self.split(other, "employed_matched", p, self._nearest(t["rates"]["matched_employment_rate"], direct_total),
                       lambda s: direct(s) * self.u(0.6, 0.95), lambda s: 0, direct)
            self.split(other, "entrepreneurs", p, self.count_for_rate(t["rates"]["entrepreneurship_rate"],
                                                                      ex["graduates"][p]),
                       lambda s: direct(s) * self.u(0.05, 0.3), lambda s: 0, direct)
            self.starting_income(other, p, t["starting_income"][p])

    def _nearest(self, spec, base: int) -> int:
        """The count nearest to a printed rate that no integer reproduces (77.83% of 1365)."""
        return int(round_half_up(spec["rate"] * base / 100, 0))

    def starting_income(self, schools, p: int, mean: int):
        """Whole-yuan mean incomes per school whose mean weighted by direct employment is exactly
        the printed one: Σ income × employed = mean × Σ employed."""
        emp = {s.code: self.val(s, "employed_direct", p) for s in schools}
        paid = [s for s in schools if emp[s.code] > 0]
        inc = {s.code: round(mean * self.u(0.82, 1.2)) for s in paid}
        gap = mean * sum(emp.values()) - sum(inc[c] * emp[c] for c in inc)
        big = max(paid, key=lambda s: (emp[s.code], s.code)).code
        inc[big] += gap // emp[big]
        gap %= emp[big]
        if gap:  # two schools with coprime headcounts close the last gap: x·a + y·b = gap
            a_s, b_s = _coprime_pair(paid, emp, exclude=big)
            a, b = emp[a_s], emp[b_s]
            x = (gap * pow(a, -1, b)) % b
            y = (gap - x * a) // b
            inc[a_s] += x
            inc[b_s] += y
        if sum(inc[c] * emp[c] for c in inc) != mean * sum(emp.values()):
            raise ValueError("starting income does not average to the printed mean")
        for c, v in inc.items():
            self.put(c, "starting_income", p, v)

    def cooperation_and_services(self):
        t, y = self.t, self.year
        co = t["cooperation"]
        ranked = sorted(self.schools, key=lambda s: (self.u(0, 1) * self.val(s, "students"), s.code), reverse=True)
        coop = sorted(ranked[:co["schools"]], key=lambda s: s.code)
        for s in self.schools:
            for e in ("coop_enterprises", "coop_long_term", "coop_large_medium"):
                self.put(s.code, e, y, 0)
        self.split(coop, "coop_enterprises", y, co["enterprises"], lambda s: self.u(0.5, 2), lambda s: 1, lambda s: 20)
        self.split(coop, "coop_long_term", y, co["long_term"], lambda s: self.val(s, "coop_enterprises") * self.u(0.4, 0.8),
                   lambda s: 0, lambda s: self.val(s, "coop_enterprises"))
        self.split(coop, "coop_large_medium", y, co["large_medium"], lambda s: self.val(s, "coop_long_term") * self.u(0.8, 1),
                   lambda s: 0, lambda s: self.val(s, "coop_long_term"))
        tot = t["totals"]
        self.split(self.schools, "interns", y, tot["interns"][y], lambda s: self.val(s, "students") * self.u(0.05, 0.3),
                   lambda s: 0, lambda s: self.val(s, "students") // 2)
        for e in ("social_training", "enterprise_training"):
            self.split(self.schools, e, y, tot[e][y], lambda s: self.val(s, "students") * self.u(0, 1))

    # -- majors -------------------------------------------------------------------------------------
    def major_table(self, catalogue_majors: dict):
        t, y = self.t, self.year
        spec = t["majors"]
        version = catalogue_majors["versions"][spec["catalogue"]]
        cats = [c for c in version["categories"] if c not in spec["left_out_categories"] and version["majors"].get(c)]
        if len(cats) != spec["categories"]:
            raise ValueError(f"{len(cats)} categories left for majors, the report has {spec['categories']}")
        pool = {c: list(version["majors"][c]) for c in cats}
        chosen = [(c, self.rng.choice(pool[c])) for c in cats]  # every category at least once
        rest = [(c, m) for c in cats for m in pool[c] if (c, m) not in chosen]
        self.rng.shuffle(rest)
        n_extra = spec["distinct"] - len(cats)
        chosen += rest[:n_extra]
        spare = rest[n_extra:]  # majors no school offers now; some closed before the report year
        other = [s for s in self.schools if not s.is_technical]
        size = {s.code: min(8, max(2, round(self.val(s, "students") / 300) + self.rng.randint(1, 3))) for s in other}
        offered = {s.code: [] for s in other}
        order = list(chosen)
        self.rng.shuffle(order)
        i = 0
        for major in order:  # each chosen major in at least one school
            while len(offered[other[i % len(other)].code]) >= size[other[i % len(other)].code]:
                i += 1
            offered[other[i % len(other)].code].append(major)
            i += 1
        for s in other:
            while len(offered[s.code]) < size[s.code]:
                m = self.rng.choice(chosen)
                if m not in offered[s.code]:
                    offered[s.code].append(m)
        new_by_school = list(spec["new_points_by_school"])
        candidates = [s for s in other if len(offered[s.code]) > max(new_by_school)]
        new_schools = sorted(self.rng.sample(candidates, len(new_by_school)), key=lambda s: s.code)
        new = {s.code: n for s, n in zip(new_schools, new_by_school)}
        for s in other:
            for k, (cat, name) in enumerate(offered[s.code]):
                opened = y if k < new.get(s.code, 0) else self.rng.randint(max(s.founded, 1990), y - 1)
                self.majors.append({"org_unit": s.code, "code": "", "name": name, "category": cat,
                                    "opened": opened, "closed": ""})
        closed_from = spare[:spec["closed_points"]]
        for (cat, name), s in zip(closed_from, self.rng.sample(other, len(closed_from))):
            self.majors.append({"org_unit": s.code, "code": "", "name": name, "category": cat,
                                "opened": self.rng.randint(max(s.founded, 1990), y - 4), "closed": self.rng.randint(y - 2, y)})
        self.majors.sort(key=lambda m: (m["org_unit"], m["category"], m["name"]))
        # students by category of major (2020): each school's roll over the categories it offers
        for s in other:
            cats_s = sorted({m["category"] for m in self.majors
                             if m["org_unit"] == s.code and not m["closed"]})
            weights = [self.u(0.5, 1.5) * sum(1 for m in self.majors if m["org_unit"] == s.code
                                              and m["category"] == c and not m["closed"]) for c in cats_s]
            for c, x in zip(cats_s, apportion(int(self.val(s, "students")), weights)):
                self.put(s.code, "students", y, x, (("major_category", c),))
        # a school whose majors are mostly engineering or medicine has that profile (standards)
        profile_cats = set(spec.get("engineering_medical_categories", []))
        for i, s in enumerate(self.schools):
            mine = [m for m in self.majors if m["org_unit"] == s.code and not m["closed"]]
            if mine and 2 * sum(1 for m in mine if m["category"] in profile_cats) >= len(mine):
                self.schools[i] = _with(s, profile="engineering_medical")

    # -- writing ------------------------------------------------------------------------------------
    def city_rows(self) -> list[dict]:
        if self.source is None or not (self.source / "values.csv").exists():
            return []
        wanted = {r["element"]: r.get("before") for r in self.t["city_rows"]}
        out = []
        with (self.source / "values.csv").open(encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                e = row["element"]
                if e in wanted and (wanted[e] is None or int(row["period"]) < wanted[e]):
                    note = "学校不报送，取自大同市已发布数据" + (f"；{row['note']}" if row.get("note") else "")
                    out.append({**{k: row.get(k, "") for k in ("element", "dims", "period", "scope", "value", "source")},
                                "note": note, "org_unit": ""})
        return out

    def school_rows(self) -> list[dict]:
        out = []
        for (school, element, dims, period), value in sorted(self.v.items()):
            text = number_text(value, 2).rstrip("0").rstrip(".") if isinstance(value, float) else str(int(value))
            out.append({"element": element, "dims": ",".join(f"{d}={c}" for d, c in dims), "period": period,
                        "scope": "all", "value": text, "source": SCHOOL_SOURCE, "note": "", "org_unit": school})
        return out

    def build(self, catalogue_majors: dict):
        self.registry()
        self.students()
        self.scale()
        self.teachers()
        self.quality()
        self.major_table(catalogue_majors)
        self.facilities()
        self.employment()
        self.cooperation_and_services()
        self.verify()

    def verify(self):
        """Every calibrated total, summed again from the generated school figures."""
        t = self.t

        def total(element, period, schools=None, dims=()):
            return sum(self.get(s.code, element, period, dims, 0) for s in (schools or self.schools))

        other = [s for s in self.schools if not s.is_technical]
        problems = []
        for element, by_period in t["totals"].items():
            for p, v in by_period.items():
                if total(element, p) != v:
                    problems.append((element, p, total(element, p), v))
        for element, by_period in t["excl_technical"].items():
            for p, v in by_period.items():
                if round(total(element, p, other), 2) != v:
                    problems.append((element, p, total(element, p, other), v))
        for dim in ("degree", "title"):
            for c, v in t[dim].items():
                if total("fulltime_teachers", self.year, dims=((dim, c),)) != v:
                    problems.append((dim, c))
        for key, v in t["affiliation_students"].items():
            if total("students", self.year, [s for s in self.schools if s.affiliation == key]) != v:
                problems.append(("affiliation", key))
        for key, v in t["ownership_students"].items():
            if total("students", self.year, [s for s in self.schools if s.ownership == key]) != v:
                problems.append(("ownership", key))
        if problems:
            raise ValueError(f"calibration failed: {problems}")

    def write(self, out: Path):
        out.mkdir(parents=True, exist_ok=True)
        t = self.t
        write_orgs(out / "orgs.csv", self.orgs + sorted(self.schools + [self.merged], key=lambda o: o.code))
        columns = ["element", "dims", "period", "scope", "value", "source", "note", "org_unit"]
        with (out / "values.csv").open("w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=columns)
            w.writeheader()
            w.writerows(self.city_rows())
            w.writerows(self.school_rows())
        with (out / "majors.csv").open("w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=["org_unit", "code", "name", "category", "opened", "closed"])
            w.writeheader()
            w.writerows(self.majors)
        city = t["city"]
        meta = {
            "title_zh": f"{city['zh']}中等职业教育质量年度报告（{self.year}年度，示例数据）",
            "title_en": f"{city['en']} annual quality report of secondary vocational education, {self.year} (synthetic)",
            "org_unit": {"code": city["code"], "zh": city["zh"], "en": city["en"], "level": "city",
                         "parent": t["province"]["code"]},
            "publisher_zh": f"{city['zh']}教育局（示例）",
            "publisher_en": f"{city['en']} Municipal Education Bureau (sample)",
            "report_year": self.year,
            "periods": self.periods,
            "catalogue": "cn-2016",
            "outline": "city",
            "synthetic": True,
            "generated_by": f"python -m nianbao.synth.datong -o {out.name} (seed {t['seed']})",
            "source": "示例数据：学校与数值均为虚构，按固定随机种子生成，汇总后与大同市2020年中职质量年度报告"
                      "印发的全市合计一致；学校不报送的全市数据取自 examples/datong-2020。",
        }
        (out / "dataset.yaml").write_text(
            "# Synthetic example: invented schools whose figures add up to the totals of the Datong 2020\n"
            "# report. Generated — do not edit by hand; change src/nianbao/synth/datong-2020.yaml instead.\n"
            + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
        (out / "README.md").write_text(README.format(n=len(self.schools), seed=t["seed"]), encoding="utf-8")
        if self.source is not None:
            for sub in ("narrative", "tables"):
                if (self.source / sub).is_dir():
                    shutil.rmtree(out / sub, ignore_errors=True)
                    shutil.copytree(self.source / sub, out / sub)


README = """# 示例数据集：大同市2020年（学校级，虚构）

本文件夹由 `python -m nianbao.synth.datong -o examples/datong-2020-schools` 生成（随机种子 {seed}），
请勿手工修改；要改变数据，请修改 `src/nianbao/synth/datong-2020.yaml` 后重新生成。

- {n} 所学校均为虚构：名称为“示例第…”，学校标识码以 0 开头（真实学校标识码不以 0 开头），
  所在县（区）使用大同市各区县的真实行政区划代码（GB/T 2260）。
- 各校数值随机生成，但汇总后与大同市2020年中职质量年度报告印发的全市合计完全一致
  （在校生、招生、毕业生、隶属与办学性质分组、教职工与专任教师结构、校舍、设备、图书、就业等），
  由 `tests/test_schools_example.py` 逐项核对。
- 报告只给出比率的数字（合格率、毕业率等）换算为人数：人数按比率乘以基数取整，并核对能印回原比率。
  对口就业率 77.83% 无法由 1365 人的整数得到，取最接近的 1062 人（77.80%）。
- 学校不报送的全市数字（普通高中招生、经费、2018—2019年的比率等）取自 `examples/datong-2020`。
- narrative/ 与 tables/ 同样复制自 `examples/datong-2020`：它们是全市层面的文字，其中提到的学校是真实学校，
  与本例虚构的学校名单无关。
- 专业表 majors.csv 的专业代码留空：专业目录的六位代码尚未核实（见 majors.yaml）。

Synthetic example: invented schools (codes starting with 0, names 示例…) in Datong's real districts
and counties; random figures fitted so that the schools add up exactly to the city totals of the
2020 report. Generated with a fixed seed; do not edit by hand.
"""


def _coprime_pair(schools, emp, exclude):
    from math import gcd
    cands = sorted((s.code for s in schools if s.code != exclude and emp[s.code] > 0), key=lambda c: (emp[c], c))
    for i, a in enumerate(cands):
        for b in cands[i + 1:]:
            if gcd(emp[a], emp[b]) == 1:
                return a, b
    raise ValueError("no two schools with coprime numbers of employed graduates")


def _with(org: Org, **changes) -> Org:
    return replace(org, **changes)


def generate(out: Path, targets_path: Path = TARGETS) -> Generator:
    out = Path(out)
    targets = yaml.safe_load(Path(targets_path).read_text(encoding="utf-8"))
    source = (out / targets["source_dataset"]).resolve() if targets.get("source_dataset") else None
    gen = Generator(targets, source if source and source.is_dir() else None)
    gen.build(catalogue.load("cn-2016").majors)
    gen.write(out)
    return gen


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m nianbao.synth.datong",
                                description="生成大同2020学校级示例数据集（虚构学校，合计与已发布数据一致）\n"
                                            "generate the synthetic school-level Datong 2020 example")
    p.add_argument("-o", "--output", required=True, help="输出文件夹 / output folder")
    args = p.parse_args(argv)
    try:
        gen = generate(Path(args.output))
    except ValueError as exc:
        print(f"生成失败 / generation failed: {exc}", file=sys.stderr)
        return 1
    print(f"已生成 {len(gen.schools)} 所学校 → {args.output} / wrote {len(gen.schools)} schools")
    return 0


if __name__ == "__main__":
    sys.exit(main())
