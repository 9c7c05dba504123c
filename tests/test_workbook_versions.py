"""The school workbook of each catalogue version (cn-2022/workbook.yaml, cn-2023/workbook.yaml laid
over cn-2016's) and the version in force in a year: the 2024 workbook of a Datong school has the
sheets of the 2023 outline with its 2023 figures for reference; a filled copy imports exactly what
was typed; a workbook of another version is refused; and a 2022年度 report of the 2021–2024
dataset follows cn-2022's outline without the elements cn-2023 added being errors. Expected figures
are read from values.csv or worked here, never taken from the code under test."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from nianbao import catalogue as cat_mod
from nianbao.app.checking import check
from nianbao.app.datasets import at_year, open_dataset
from nianbao.app.errors import UseCaseError
from nianbao.app.reporting import build_report
from nianbao.catalogue import CatalogueError
from nianbao.catalogue.merge import Layer, merge
from nianbao.cli.main import main
from nianbao.core.formula import ref_key
from nianbao.ingest import workbook
from nianbao.report.document import Heading, Paragraph, Table
from nianbao.store import Store

ROOT = Path(__file__).parent.parent
CITY = ROOT / "examples" / "datong-2024-schools"
CAT = ROOT / "src" / "nianbao" / "catalogue"
SCHOOL = "0140213008"  # 示例第十一职业高级中学 (dataset.yaml example_school)
PARTS_2022 = ["学生发展", "教学改革", "政策保障", "国际合作", "服务贡献", "面临挑战", "附件"]


def own_elements(version: str) -> dict:
    """The elements a version's own elements.yaml defines (not those it inherits)."""
    return yaml.safe_load((CAT / version / "elements.yaml").read_text(encoding="utf-8")) or {}


def inputs(layout) -> dict[str, workbook.Item]:
    return {code: it for code, (_, it) in layout.input_cells().items()}


def values_csv(path: Path) -> list[dict]:
    with (path / "values.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def copy(tmp_path: Path, **meta) -> Path:
    dst = tmp_path / "datong"
    shutil.copytree(CITY, dst)
    if meta:
        doc = yaml.safe_load((dst / "dataset.yaml").read_text(encoding="utf-8"))
        doc.update(meta)
        (dst / "dataset.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return dst


# -- the rows merge by their code ------------------------------------------------------------------
def test_rows_merge_by_their_column_a_code():
    base = {"rows": [{"element": "a"}, {"element": "b", "dims": {"d": "*"}}, {"indicator": "r"},
                     {"sum_of": "b", "dim": "d"}, {"show": "g"}]}
    over = {"rows": [{"element": "b", "dims": {"d": "*"}, "$drop": True},
                     {"element": "c", "$after": "show:g"},
                     {"indicator": "r", "$before": "a"},
                     {"sum_of": "b", "dim": "d", "note_zh": "x"}]}
    out = merge(base, over, Layer("w.yaml", "cn-2016"))
    assert out["rows"] == [{"indicator": "r"}, {"element": "a"}, {"sum_of": "b", "dim": "d", "note_zh": "x"},
                           {"show": "g"}, {"element": "c"}]
    with pytest.raises(CatalogueError) as exc:  # dropping a row the parent does not have
        merge(base, {"rows": [{"element": "z", "$drop": True}]}, Layer("w.yaml", "cn-2016"))
    assert "z" in exc.value.zh and exc.value.file == "w.yaml"


# -- each version's workbook ----------------------------------------------------------------------
@pytest.mark.parametrize("version", ["cn-2022", "cn-2023"])
def test_every_input_row_is_an_element_of_its_version(version):
    cat = cat_mod.load(version)
    layout = workbook.load_layout(cat)
    assert layout.template == f"{version}/1"
    rows = inputs(layout)
    newer = set(own_elements("cn-2023")) - set(cat_mod.load("cn-2022").elements)
    for code, it in rows.items():
        assert it.element.code in cat.elements
        if version == "cn-2022":
            assert it.element.code not in newer, code  # no element the 2023 outline brought
        if it.input_factor == 1:  # typed in the element's own unit (万元 for 经费收入 and 资助金额)
            assert it.unit == cat.elements[it.element.code].unit_zh, code
    # each element the version defines that a school reports is asked for (not the figures as
    # printed by a report, *_reported, nor counts of schools)
    asked = {it.element.code for it in rows.values()}
    for code, spec in own_elements(version).items():
        if "zh" in spec and not code.endswith("_reported") and spec.get("range") != "school_units":
            assert code in asked, code
    assert rows["income"].unit == "万元" and rows["aid_amount"].unit == "万元"


def test_the_versions_drop_what_they_no_longer_ask_and_ask_destinations_anew():
    old = inputs(workbook.load_layout(cat_mod.load("cn-2016")))
    for version in ("cn-2022", "cn-2023"):
        rows = inputs(workbook.load_layout(cat_mod.load(version)))
        for dropped in ("employed_local", "employed_matched", "starting_income", "sv_expenditure",
                        "awards[award_level=national]", "contest_awards_provincial[award_grade=first]"):
            assert dropped in old and dropped not in rows
        cat = cat_mod.load(version)
        # 毕业去向 in its 2022 form: 落实人数, 升学 by level, 直接就业 by industry (and its new definition)
        for level in cat.dimensions["study_level"]["categories"]:
            assert f"further_study[study_level={level}]" in rows
        for industry in cat.dimensions["industry"]["categories"]:
            assert f"employed_direct[industry={industry}]" in rows
        assert "graduates_placed" in rows and "starting_income_direct" in rows
        assert "灵活就业" in rows["employed_direct"].note and cat.elements["employed_direct"].definition_changed
    sheets = [s.zh for s in workbook.load_layout(cat_mod.load("cn-2023")).sheets]
    for topic in ("毕业去向", "服务贡献", "文化传承", "国际合作", "产教融合", "经费收入", "学生资助"):
        assert topic in sheets


# -- the 2024 workbook of a Datong school -----------------------------------------------------------
def test_the_2024_workbook_shows_the_2023_figures(tmp_path, capsys):
    out = tmp_path / "x.xlsx"
    assert main(["template", str(CITY), "--school", SCHOOL, "-o", str(out)]) == 0
    wb = load_workbook(out)
    meta = {r[0]: r[1] for r in wb["_meta"].iter_rows(values_only=True)}
    assert meta["template"] == "cn-2023/1" and meta["year"] == "2024"
    assert {"毕业去向", "服务贡献", "文化传承", "国际合作", "产教融合", "经费收入", "学生资助"} <= set(wb.sheetnames)
    # column G of each input row holds the school's 2023 figure of values.csv
    last = {(r["element"] + (f"[{r['dims']}]" if r["dims"] else "")): float(r["value"])
            for r in values_csv(CITY) if r["org_unit"] == SCHOOL and r["period"] == "2023" and r["scope"] == "all"}
    shown = {}
    for ws in wb.worksheets[:-1]:
        for row in ws.iter_rows(min_row=workbook.FIRST_ROW):
            code, prev = row[0].value, row[6].value
            if code and not str(code).startswith(("indicator:", "sum:", "show:", "info:", "total:")) \
                    and "#" not in str(code) and not str(code).startswith("list:"):
                shown[str(code)] = prev
    asked = set(shown)
    assert {"culture_courses", "order_class_students", "income[income_source=fiscal]", "graduates_placed"} <= asked
    assert {"culture_courses", "order_class_students", "income[income_source=fiscal]", "graduates_placed"} <= set(last)
    for code in asked & set(last):
        assert shown[code] == pytest.approx(last[code]), code
    assert all(shown[c] is None for c in asked - set(last))  # nothing shown that 2023 did not hold


# -- round trip: every input cell typed, imported, stored as typed ---------------------------------
# Totals typed for the school; the categories of a breakdown (分项 adding up to the total) are the
# total split evenly with the remainder on the last category; the parts of a partial dimension
# (其中: award level, aid scheme) are a tenth of the total each. Money in 万元 with decimals.
TOTALS = {
    "students": 1500, "entrants": 520, "graduates": 450, "land_area": 60000, "floor_area": 45000,
    "equipment_value": 1850.5, "books": 60000, "training_places": 900, "staff": 160, "fulltime_teachers": 120,
    "specialty_teachers": 70, "dual_teachers": 50, "parttime_teachers": 20, "teacher_training": 300,
    "culture_assessed": 1400, "culture_passed": 1350, "skill_assessed": 1400, "skill_passed": 1300,
    "physical_assessed": 1400, "physical_passed": 1380, "graduation_candidates": 460, "certificate_holders": 420,
    "contest_awards": 20, "graduates_placed": 430, "further_study": 301, "employed_direct": 129,
    "entrepreneurs": 3, "starting_income_direct": 4200.5, "students_serving_enterprises": 600,
    "social_training": 2000, "enterprise_training": 800, "culture_courses": 8, "culture_activities": 15,
    "heritage_studios": 2, "intl_partner_institutions": 3, "intl_exchange_persons": 25, "intl_students": 4,
    "intl_standards": 1, "coop_enterprises": 30, "coop_long_term": 12, "coop_large_medium": 8,
    "order_class_students": 160, "enterprise_staff_teaching": 14, "teachers_in_enterprises": 40,
    "vocational_group_memberships": 3, "interns": 420, "interns_long_share_reported": 62.5,
    "income": 3456.78, "aid_recipients": 900, "aid_amount": 210.5,
}
# 经费收入 by source, typed so that 2800.5 + 400.25 + 6.03 + 250 = 3456.78
INCOME = {"fiscal": 2800.5, "tuition": 400.25, "donation": 6.03, "other": 250}
MAJORS = [
    {"code": "710201", "name": "计算机应用", "category": "电子与信息大类", "students": 600, "entrants": 200, "new": "否"},
    {"code": "720201", "name": "护理", "category": "医药卫生大类", "students": 900, "entrants": 320, "new": "是"},
]


def typed_values(layout) -> dict[str, float]:
    cat = layout.catalogue
    out: dict[str, float] = {}
    for code, it in inputs(layout).items():
        el = it.element.code
        if not it.dims:
            out[code] = TOTALS[el]  # a KeyError here: a row the test does not fill yet
            continue
        (dim, category), = it.dims
        cats = list(cat.dimensions[dim]["categories"])
        total = TOTALS[el]
        if el == "income":
            out[code] = INCOME[category]
        elif cat.dimensions[dim]["kind"] == "breakdown":
            share = total // len(cats)
            out[code] = share if category != cats[-1] else total - share * (len(cats) - 1)
        else:
            out[code] = round(total / 10, 2)
    return out


def test_a_filled_2024_workbook_is_stored_exactly_as_typed(tmp_path, capsys):
    ds_path = copy(tmp_path)
    ds = open_dataset(ds_path)
    layout = workbook.layout_for(ds.catalogue, 2024)
    path = workbook.generate(ds, SCHOOL, 2024, tmp_path / "filled.xlsx")
    typed = typed_values(layout)
    assert len(typed) == len(layout.input_cells())  # every input cell
    workbook.fill(path, {**typed, "info:filled_by": "李老师"}, MAJORS, catalogue=layout.catalogue)
    data = workbook.read(path, ds, 2024)
    assert data.ok, [(f.code, f.message_zh) for f in data.errors]
    assert main(["import", str(ds_path), str(path)]) == 0
    with Store.of_dataset(ds_path, read_only=True) as s:
        stored = {ref_key(r.element, dict(p.split("=") for p in r.dims.split(",")) if r.dims else ()): r.value
                  for _, r in s.observations(SCHOOL, 2024)}
    # the list totals nianbao counts from the two records (not typed):
    # 2 majors in 2 categories (71, 72), 1 new (护理); per category 1 major each, 600 and 900
    # students, 200 and 320 entrants
    listed = {"majors": 2, "major_categories": 2, "new_major_points": 1,
              "majors[major_category=71]": 1, "majors[major_category=72]": 1,
              "new_major_points[major_category=71]": 0, "new_major_points[major_category=72]": 1,
              "students[major_category=71]": 600, "students[major_category=72]": 900,
              "entrants[major_category=71]": 200, "entrants[major_category=72]": 320}
    expected = {**typed, **listed}
    assert set(stored) == set(expected)
    for code, v in expected.items():
        assert stored[code] == pytest.approx(v, abs=1e-9), code
    # e.g. 毕业去向落实人数 430 of 450 graduates: 430 ÷ 450 × 100 = 95.56% (the workbook's blue row)
    ds = open_dataset(ds_path)
    from nianbao.compute.facts import FactBook
    book = FactBook(ds.catalogue, SCHOOL, [o for o in ds.observations if o.org_unit == SCHOOL], [2023, 2024])
    assert round(book.get("placement_rate", 2024, scope="all").value, 2) == 95.56
    # 3456.78 万元 × 10000 ÷ 1500 students = 23045.2 元 per student
    assert round(book.get("income_per_student", 2024).value, 1) == 23045.2


# -- another version's workbook -------------------------------------------------------------------
def test_a_workbook_of_another_version_is_refused(tmp_path, capsys):
    ds_path = copy(tmp_path)
    before = _store_rows(ds_path)
    old = tmp_path / "old.xlsx"  # a 2020 workbook of the 2016 outline, for the same school
    assert main(["template", str(ROOT / "examples" / "datong-2020-schools"), "--school", SCHOOL, "-o", str(old)]) == 0
    workbook.fill(old, {"students": 1500})
    data = workbook.read(old, open_dataset(ds_path), 2024)
    f = next(f for f in data.findings if f.code == "workbook.other_version")
    assert f.severity == "error" and data.submission is None
    assert "cn-2016" in f.message_zh and "cn-2023" in f.message_zh and "2024年度" in f.message_zh
    assert f.location.sheet == "_meta" and "nianbao template" in f.hint
    capsys.readouterr()
    assert main(["import", str(ds_path), str(old)]) != 0
    assert "cn-2016" in capsys.readouterr().out + capsys.readouterr().err
    assert _store_rows(ds_path) == before == []  # nothing stored


def test_each_year_asks_for_the_workbook_of_its_version(tmp_path):
    """The 2022 workbook of a cn-2023 dataset is cn-2022's: imported for 2022 it is taken, for
    2024 it is refused (the version in force in 2024 is cn-2023)."""
    ds_path = copy(tmp_path)
    out = tmp_path / "w2022.xlsx"
    assert main(["template", str(ds_path), "--school", SCHOOL, "--year", "2022", "-o", str(out)]) == 0
    meta = {r[0]: r[1] for r in load_workbook(out)["_meta"].iter_rows(values_only=True)}
    assert meta["template"] == "cn-2022/1" and "文化传承" not in load_workbook(out).sheetnames
    ds = open_dataset(ds_path)
    workbook.fill(out, {"students": 1400, "graduates_placed": 400})
    assert workbook.read(out, ds, 2022).submission is not None
    refused = workbook.read(out, ds, 2024)
    assert [f.code for f in refused.findings] == ["workbook.other_version"]


def _store_rows(ds_path: Path) -> list:
    with Store.of_dataset(ds_path) as s:
        return s.rows("observations")


# -- the version in force: a 2022年度 report of the 2021–2024 dataset ---------------------------------
def test_the_version_in_force_follows_valid_from():
    cat = cat_mod.load("cn-2023")
    assert [cat.version_in_force(y) for y in (2016, 2021, 2022, 2023, 2025, 2026)] == \
        ["cn-2016", "cn-2016", "cn-2022", "cn-2023", "cn-2023", "cn-2023"]
    old = cat.in_force(2022)
    assert old.id == "cn-2022" and old.outline == cat_mod.load("cn-2022").outline
    assert old.annex == cat_mod.load("cn-2022").annex and set(old.elements) == set(cat.elements)
    assert old.in_force(2024) is cat


def parts(doc) -> list[str]:
    return [b.title for b in doc.blocks if isinstance(b, Heading) and b.level == 1]


def printed(doc) -> str:
    return "".join(r.text for b in doc.blocks if isinstance(b, Paragraph) for r in b.runs)


def test_a_2022_report_of_the_2021_2024_dataset_follows_cn_2022(tmp_path):
    ds = at_year(open_dataset(CITY), 2022)
    assert ds.catalogue.id == "cn-2022" and ds.periods == [2021, 2022]
    result = build_report(ds, tmp_path / "out", pdf=False)
    doc = result.document
    assert parts(doc)[1:1 + len(PARTS_2022)] == PARTS_2022 and not doc.errors
    annex = [b for b in doc.blocks if isinstance(b, Table) and b.key.startswith("annex:")]
    assert [t.title.split("：")[-1] for t in annex] == ["中等职业教育指标"]
    # no figure of an element the 2023 outline brought (collected from 2023) is printed
    newer = set(own_elements("cn-2023"))
    assert not {f.indicator for f in doc.facts.values()} & newer
    assert "{" not in printed(doc)  # a case citing a figure 2022 lacks is left out, not printed raw
    # 毕业去向落实率 of 2022, worked from the non-technical schools of values.csv
    with (CITY / "orgs.csv").open(encoding="utf-8") as f:
        other = {r["code"] for r in csv.DictReader(f) if r["level"] == "school" and r["school_type"] != "technical"}
    rows = [r for r in values_csv(CITY) if r["period"] == "2022" and not r["dims"] and r["org_unit"] in other]
    placed = sum(float(r["value"]) for r in rows if r["element"] == "graduates_placed")
    graduates = sum(float(r["value"]) for r in rows if r["element"] == "graduates")
    rate = next(f for f in doc.facts.values() if f.indicator == "placement_rate" and f.period == 2022 and f.kind != "change")
    assert rate.text == f"{placed * 100 / graduates:.2f}%"


def test_report_year_2022_in_dataset_yaml_and_the_year_option_agree(tmp_path, capsys):
    path = copy(tmp_path, report_year=2022)
    ds = open_dataset(path)
    assert ds.catalogue.id == "cn-2022"
    found = check(ds)
    # the elements cn-2023 added, in the data from 2023, are no errors of a 2022 report; the one
    # error is the synthetic data's own gap: no 2022 majors, staff or degree figures, so the
    # required part 教学改革 of the 2022 outline comes out empty (框架完整性)
    assert not [f for f in found if f.code.endswith("unknown_element")]
    errors = [f for f in found if f.severity == "error"]
    assert [(f.code, f.values.get("part")) for f in errors] == [("outline.part_empty", "教学改革")], errors
    assert main(["report", str(CITY), "--year", "2022", "-o", str(tmp_path / "cli"), "--no-pdf"]) == 0
    html = (tmp_path / "cli" / "report.html").read_text(encoding="utf-8")
    headings = re.findall(r"<h2[^>]*>([^<]*)</h2>", html)
    assert [h.split(" ", 1)[-1] for h in headings if h.split(" ", 1)[-1] in PARTS_2022] == PARTS_2022
    assert "中等职业教育质量年度报告（2022年）" in html and "文化传承" not in html


def test_a_year_the_dataset_lacks_is_a_clear_error(tmp_path, capsys):
    with pytest.raises(UseCaseError) as exc:
        at_year(open_dataset(CITY), 2019)
    assert "2019" in exc.value.zh and "2021" in exc.value.zh
    assert main(["report", str(CITY), "--year", "2030", "-o", str(tmp_path / "o"), "--no-pdf"]) == 2
    err = capsys.readouterr().err
    assert "2030" in err and "Traceback" not in err


def test_outline_version_outside_the_lineage_is_a_finding(tmp_path):
    from nianbao.app.errors import FindingsError
    path = copy(tmp_path, outline_version="cn-2099")
    with pytest.raises(FindingsError) as exc:
        open_dataset(path)
    assert "cn-2099" in exc.value.findings[0].message_zh
