"""The 2021–2024 examples (python -m nianbao.synth.years): generated deterministically from the
Datong 2020 schools; each catalogue version's outline renders from them (Word and HTML, no PDF);
the province's figures are its cities' summed (on the example and, as a property, on generated
provinces); a school without graduates gets its graduate rows blank; a change of definition is
never compared across the break while the base counts are; an unknown version or report type is
a clear message. Expected figures are summed here straight from values.csv, not taken from the
code under test."""

from __future__ import annotations

import csv
import filecmp
import shutil
import tempfile
from collections import defaultdict
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nianbao import catalogue as cat_mod
from nianbao.app.checking import check
from nianbao.app.datasets import open_dataset
from nianbao.app.errors import FindingsError
from nianbao.app.reporting import build_report
from nianbao.cli.main import main
from nianbao.compute.aggregate import factbook_for
from nianbao.core.formatting import round_half_up
from nianbao.ingest.orgs import write_orgs
from nianbao.report.builder import build_document
from nianbao.report.document import Heading, Paragraph, Table
from nianbao.synth import years as synth

ROOT = Path(__file__).parent.parent / "examples"
CITY = ROOT / "datong-2024-schools"
PROVINCE = ROOT / "shanxi-2024"
NEW_SCHOOL = "0140213036"  # opened 2022 (datong-2024.yaml new_school): no graduates in 2024
PARTS_2023 = ["人才培养", "服务贡献", "文化传承", "国际合作", "产教融合", "发展保障", "面临挑战", "附件"]
PARTS_2022 = ["学生发展", "教学改革", "政策保障", "国际合作", "服务贡献", "面临挑战", "附件"]
ANNEX_2023 = ["人才培养指标", "服务贡献指标", "文化传承指标", "国际合作指标", "产教融合指标", "发展保障指标"]


def rows(path: Path) -> list[dict]:
    with (path / "values.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def orgs(path: Path) -> dict[str, dict]:
    with (path / "orgs.csv").open(encoding="utf-8") as f:
        return {r["code"]: r for r in csv.DictReader(f)}


def summed(path: Path, element: str, period: int, schools=None, dims: str = "") -> float:
    """Σ of a figure over the schools of values.csv (all of them, or those given)."""
    return sum(float(r["value"]) for r in rows(path) if r["element"] == element and r["dims"] == dims
               and int(r["period"]) == period and (schools is None or r["org_unit"] in schools))


def city_of(path: Path) -> dict[str, str]:
    """school → its city, through the counties of orgs.csv."""
    reg = orgs(path)
    return {c: reg[o["parent"]]["parent"] for c, o in reg.items() if o["level"] == "school"}


def copy(tmp_path, src: Path, keep=None, **meta) -> Path:
    dst = tmp_path / src.name
    shutil.copytree(src, dst)
    if keep is not None:  # only the rows of elements the chosen catalogue knows
        with (dst / "values.csv").open(encoding="utf-8") as f:
            reader = csv.DictReader(f)
            fields, kept = reader.fieldnames, [r for r in reader if keep(r)]
        with (dst / "values.csv").open("w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=fields)
            w.writeheader()
            w.writerows(kept)
    doc = yaml.safe_load((dst / "dataset.yaml").read_text(encoding="utf-8"))
    doc.update(meta)
    (dst / "dataset.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return dst


def parts(doc) -> list[str]:
    return [b.title for b in doc.blocks if isinstance(b, Heading) and b.level == 1]


def paragraph(doc, start: str) -> str:
    return next(t for t in ("".join(r.text for r in b.runs) for b in doc.blocks if isinstance(b, Paragraph))
                if start in t)


def cells(table: Table) -> dict[str, list[str]]:
    return {"".join(r.text for r in row[0 if table.key.startswith("employment") else 1].runs):
            ["".join(r.text for r in c.runs) for c in row] for row in table.rows}


# -- generated, not typed ------------------------------------------------------------------------
def test_the_generator_is_deterministic(tmp_path):
    synth.generate(tmp_path)
    for name in ("datong-2024-schools", "shanxi-2024"):
        for f in ("orgs.csv", "values.csv", "dataset.yaml", "README.md"):
            assert filecmp.cmp(tmp_path / name / f, ROOT / name / f, shallow=False), f"{name}/{f}"


def test_the_schools_carry_on_from_their_2020_figures():
    """在校生2021 − 招生2021 + 毕业生2021 = 在校生2020 of the 2020 example, school by school."""
    old = {r["org_unit"]: float(r["value"]) for r in rows(ROOT / "datong-2020-schools")
           if r["element"] == "students" and r["period"] == "2020" and not r["dims"] and r["org_unit"]}
    new = defaultdict(dict)
    for r in rows(CITY):
        if r["period"] == "2021" and not r["dims"] and r["element"] in ("students", "entrants", "graduates"):
            new[r["org_unit"]][r["element"]] = float(r["value"])
    assert len(old) == 34 and set(old) <= set(new)
    for code, v in old.items():
        n = new[code]
        assert n["students"] - n["entrants"] + n["graduates"] == v, code


# -- each version renders --------------------------------------------------------------------------
@pytest.mark.parametrize("rtype,path,school", [("city", CITY, None), ("school", CITY, "first"),
                                               ("province", PROVINCE, None)])
def test_the_2023_outline_renders_each_report_type(tmp_path, rtype, path, school):
    ds = open_dataset(path)
    code = ds.meta["example_school"] if school else None
    result = build_report(ds, tmp_path / "out", pdf=False, school=code)
    assert result.docx.stat().st_size > 0 and result.html.stat().st_size > 0 and result.pdf is None
    doc = result.document
    assert parts(doc)[1:1 + len(PARTS_2023)] == PARTS_2023
    annex = [b for b in doc.blocks if isinstance(b, Table) and b.key.startswith("annex:")]
    assert [t.title.split("：")[-1] for t in annex] == ANNEX_2023
    assert not doc.errors


def test_the_2022_outline_renders_from_the_same_schools(tmp_path):
    """A 2022年度 report of the same schools under cn-2022 (the rows of the elements cn-2023
    added — 文化传承, 产教融合 … collected from 2023 — are left out: cn-2022 does not know them)."""
    known = cat_mod.load("cn-2022").elements
    path = copy(tmp_path, CITY, keep=lambda r: r["element"] in known, catalogue="cn-2022", report_year=2022,
                periods=[2021, 2022])
    (path / "narrative" / "case-5-1.md").unlink()  # a case of 产教融合, a part of the 2023 outline
    result = build_report(open_dataset(path), tmp_path / "out", pdf=False)
    doc = result.document
    assert parts(doc)[1:1 + len(PARTS_2022)] == PARTS_2022
    annex = [b for b in doc.blocks if isinstance(b, Table) and b.key.startswith("annex:")]
    assert len(annex) == 1 and result.docx.exists() and result.html.exists()
    table = next(b for b in doc.blocks if isinstance(b, Table) and b.key.startswith("destinations"))
    assert any(n.startswith("毕业去向落实率自2022年起按新的定义统计") for n in table.notes)


def test_the_2016_outline_renders_from_the_2020_schools(tmp_path):
    ds = open_dataset(ROOT / "datong-2020-schools")
    result = build_report(ds, tmp_path / "out", pdf=False)
    assert result.docx.exists() and result.html.exists() and result.pdf is None
    outline = [p["zh"] for p in ds.catalogue.outline["outlines"]["city"]["parts"]]
    assert ds.catalogue.id == "cn-2016" and parts(result.document)[:len(outline)] == outline


# -- the province is its cities --------------------------------------------------------------------
COUNTS = ["students", "entrants", "graduates", "graduates_placed", "further_study", "employed_direct",
          "entrepreneurs", "income", "aid_recipients", "contest_awards", "fulltime_teachers"]


@pytest.fixture(scope="module")
def shanxi():
    ds = open_dataset(PROVINCE)
    return {code: factbook_for(ds, code) for code in ("140000", "140200", "140600")}


@pytest.mark.parametrize("element", COUNTS)
def test_the_province_is_the_sum_of_its_cities(shanxi, element):
    by_city = city_of(PROVINCE)
    for period in (2021, 2024):
        prov = shanxi["140000"].get(element, period, scope="all").value
        cities = [shanxi[c].get(element, period, scope="all").value for c in ("140200", "140600")]
        assert prov == pytest.approx(sum(cities))
        for c, v in zip(("140200", "140600"), cities):  # each city its schools, from values.csv
            assert v == pytest.approx(summed(PROVINCE, element, period, {s for s, x in by_city.items() if x == c}))


def test_the_province_recomputes_its_rates_from_the_summed_counts(shanxi):
    reg = orgs(PROVINCE)
    other = {c for c, o in reg.items() if o["level"] == "school" and o["school_type"] != "technical"}
    placed, graduates = summed(PROVINCE, "graduates_placed", 2024, other), summed(PROVINCE, "graduates", 2024, other)
    f = shanxi["140000"].get("placement_rate", 2024)
    assert f.scope == "excl_technical" and (f.numerator, f.denominator) == (placed, graduates)
    assert f.text == f"{round_half_up(placed * 100 / graduates, 2):.2f}%"
    # the Datong figures of the province dataset are those of the city dataset
    city = factbook_for(open_dataset(CITY))
    assert city.get("placement_rate", 2024).value == shanxi["140200"].get("placement_rate", 2024).value


def write_province(folder: Path, orgs_, states) -> None:
    write_orgs(folder / "orgs.csv", orgs_)
    with (folder / "values.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=synth.COLUMNS)
        w.writeheader()
        w.writerows(synth.rows_of(states, [2021, 2022, 2023, 2024]))
    meta = {"org_unit": {"code": "990000", "zh": "示例省", "en": "Sample Province", "level": "province"},
            "report_year": 2024, "periods": [2021, 2022, 2023, 2024], "catalogue": "cn-2023",
            "report_type": "province"}
    (folder / "dataset.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), cities=st.integers(2, 4), schools=st.integers(1, 4))
def test_generated_provinces_are_the_sum_of_their_cities(seed, cities, schools):
    orgs_, states = synth.province(seed, cities, schools)
    with tempfile.TemporaryDirectory() as tmp:
        write_province(Path(tmp), orgs_, states)
        ds = open_dataset(tmp)
        city_codes = [o.code for o in orgs_ if o.level == "city"]
        books = {c: factbook_for(ds, c) for c in ["990000"] + city_codes}
    city_of_school = {s.org.code: s.org.parent[:4] + "00" for s in states}
    for period in (2021, 2024):
        for element in ("students", "graduates", "graduates_placed", "employed_direct", "income"):
            direct = defaultdict(float)  # summed from the generated schools themselves
            for s in states:
                direct[city_of_school[s.org.code]] += s.get(element, period)
            prov = books["990000"].get(element, period, scope="all")
            assert prov.value == pytest.approx(sum(direct.values()))
            for c in city_codes:
                f = books[c].get(element, period, scope="all")
                assert (f.value if f else 0) == pytest.approx(direct[c])
        grads = sum(s.get("graduates", period) for s in states)
        if grads:
            placed = sum(s.get("graduates_placed", period) for s in states)
            f = books["990000"].get("placement_rate", period, scope="all")
            assert f.value == pytest.approx(placed * 100 / grads)
            assert f.numerator == sum(books[c].get("graduates_placed", period, scope="all").value for c in city_codes)


# -- no graduates ---------------------------------------------------------------------------------
def test_a_school_without_graduates_leaves_its_graduate_rows_blank(tmp_path):
    assert summed(CITY, "graduates", 2024, {NEW_SCHOOL}) == 0
    students = summed(CITY, "students", 2024, {NEW_SCHOOL})
    result = build_report(open_dataset(CITY), tmp_path / "out", pdf=False, school=NEW_SCHOOL)
    doc = result.document
    talent = next(b for b in doc.blocks if isinstance(b, Table) and b.key == "annex:talent")
    values = {k: v[3] for k, v in cells(talent).items()}
    graduate_rows = [k for k in values if k.endswith("*")]
    assert len(graduate_rows) >= 10 and all(values[k] == "无须填写" for k in graduate_rows)
    assert values["在校生数"] == f"{students:.0f}"
    assert any("没有2024届毕业生" in n and "无须填写" in n for n in talent.notes)
    assert not doc.errors
    codes = {f.code for f in check(open_dataset(CITY)) if f.org_unit == NEW_SCHOOL}
    assert "outline.annex_row_empty" not in codes


# -- across the change of definition ----------------------------------------------------------------
def test_a_2022_report_never_compares_the_placement_rate_with_2021(tmp_path):
    # the 2023 outline (its sentence compares with the year before), named by outline_version:
    # without it a 2022 report follows cn-2022, the version in force that year
    path = copy(tmp_path, CITY, report_year=2022, periods=[2021, 2022], outline_version="cn-2023")
    doc = build_document(open_dataset(path), (), allow_errors=True, charts=False)
    text = paragraph(doc, "毕业去向落实率为")
    assert "毕业去向落实率为" in text and "，因统计口径调整，与上年不作比较" in text
    g21, g22 = summed(CITY, "graduates", 2021), summed(CITY, "graduates", 2022)
    assert f"比上年{'增加' if g22 > g21 else '减少'}{abs(g22 - g21):.0f}人" in text  # the base count is compared
    table = next(b for b in doc.blocks if isinstance(b, Table) and b.key.startswith("employment_quality"))
    by_row = cells(table)
    assert by_row["毕业去向落实率"][-1] == "—" and by_row["直接就业人数（人）"][-1] == "—"
    assert by_row["毕业生数（人）"][-1] != "—"


def test_a_2023_report_compares_with_2022_across_the_change_of_outline(tmp_path):
    """2023 is the first year of the 2023 outline; the placement rate keeps its 2022 definition,
    so the change is printed: worked here from the non-technical schools of values.csv."""
    reg = orgs(CITY)
    other = {c for c, o in reg.items() if o["level"] == "school" and o["school_type"] != "technical"}
    rate = {y: round_half_up(summed(CITY, "graduates_placed", y, other) * 100 / summed(CITY, "graduates", y, other), 2)
            for y in (2022, 2023)}
    diff = round_half_up(rate[2023] - rate[2022], 2)
    path = copy(tmp_path, CITY, report_year=2023, periods=[2021, 2022, 2023])
    text = paragraph(build_document(open_dataset(path), (), allow_errors=True, charts=False), "毕业去向落实率为")
    verb = "提高" if diff > 0 else "下降"
    # the rate is of the non-technical schools while the counts before it are of all: it says so
    assert f"毕业去向落实率为{rate[2023]:.2f}%（不含技工学校），比上年{verb}{abs(diff):.2f}个百分点" in text


# -- unknown version or report type ------------------------------------------------------------------
def test_an_unknown_version_is_a_finding_naming_dataset_yaml(tmp_path, capsys):
    path = copy(tmp_path, CITY, catalogue="cn-2030")
    with pytest.raises(FindingsError) as exc:
        open_dataset(path)
    f = exc.value.findings[0]
    assert "cn-2030" in f.message_zh and "cn-2023" in f.message_zh and "dataset.yaml" in str(f.location)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "cn-2030" in err and "Traceback" not in err


def test_an_unknown_report_type_is_a_finding(tmp_path, capsys):
    path = copy(tmp_path, CITY, report_type="nation")
    found = [f for f in check(open_dataset(path)) if f.code == "report.unknown_outline"]
    assert len(found) == 1 and found[0].severity == "error" and "nation" in found[0].message_zh
    assert "province" in found[0].hint
    rc = main(["report", str(path), "-o", str(tmp_path / "o"), "--no-pdf"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and "nation" in err[0]
