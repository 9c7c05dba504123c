"""Reports of datasets that have only some figures: a county with one year, a school that is the
dataset's own unit, the published Wenzhou county table — each builds a publishable report, with
the clauses, rows and years it has figures for, and says what was not reported in official words.
Expected figures are the ones written into each dataset here (or printed by the source)."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from nianbao.app.checking import check
from nianbao.app.reporting import build_report
from nianbao.cli.main import main
from nianbao.ingest.dataset import load_dataset
from nianbao.report.builder import build_document
from nianbao.report.document import Heading, Paragraph, Table

WENZHOU = Path(__file__).resolve().parents[1] / "examples" / "wenzhou-2017"
DEVELOPER_WORDS = ("values.csv", "claims.csv", "nianbao", ".md", "第", "行〕", "orgs.csv")


def write(folder: Path, name: str, body: str) -> None:
    (folder / name).parent.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(textwrap.dedent(body).lstrip(), encoding="utf-8")


def county(tmp_path: Path, year: int = 2021, extra: str = "") -> Path:
    """A county (县) with one year of five figures, no registry of schools, no texts."""
    ds = tmp_path / f"county-{year}"
    write(ds, "dataset.yaml", f"""
        org_unit: {{code: "140221", zh: 阳高县, en: Yanggao, level: county, parent: "140200"}}
        publisher_zh: 阳高县教育科技局
        issued: {year + 1}-03-15
        report_year: {year}
        periods: [{year}]
        catalogue: cn-2016
        outline: city
        {extra}
        """)
    write(ds, "values.csv", f"""
        element,dims,period,scope,value,source,note
        schools,,{year},all,3,县统计,
        students,,{year},all,2410,县统计,
        entrants,,{year},all,905,县统计,
        graduates,,{year},all,688,县统计,
        fulltime_teachers,,{year},all,180,县统计,
        """)
    return ds


def paragraphs(doc) -> list[str]:
    return ["".join(r.text for r in b.runs) for b in doc.blocks if isinstance(b, Paragraph)]


def everything(doc) -> str:
    out = [h.title for h in doc.headings] + paragraphs(doc)
    for b in doc.blocks:
        if isinstance(b, Table):
            out += [b.title] + b.notes + ["".join(r.text for c in row for r in c.runs) for row in b.rows]
    return "\n".join(out)


def data_notes(doc) -> list[str]:
    start = next(i for i, b in enumerate(doc.blocks) if isinstance(b, Heading) and b.title == "数据说明")
    end = next(i for i, b in enumerate(doc.blocks) if i > start and isinstance(b, Heading))
    return ["".join(r.text for r in b.runs) for b in doc.blocks[start + 1:end] if isinstance(b, Paragraph)]


# -- a county, one year ----------------------------------------------------------------------
def test_one_year_county_builds_without_errors_and_keeps_its_clauses(tmp_path):
    ds = load_dataset(county(tmp_path))
    doc = build_document(ds, charts=False)  # no --allow-errors: missing figures are not errors
    assert doc.errors == []
    text = everything(doc)
    # 1.1 keeps the clauses of schools, students, entrants and graduates, without any change on
    # a year before that the dataset does not have; the 普高 clause and 普职招生比 are left out
    assert "2021年，阳高县共有中等职业教育学校3所；在校学生2410人；当年招生905人；毕业生688人。" in text
    body = text.split("数据说明")[0]
    assert "比上年" not in body and "上年" not in body
    # one year: "2021年", never "2021—2021年"
    assert "2021—2021" not in text
    scale = next(b for b in doc.blocks if isinstance(b, Table) and b.title.endswith("办学规模"))
    assert scale.title == "2021年阳高县中等职业学校办学规模"
    assert [c.runs[0].text for c in scale.rows[0]] == ["2021年", "3", "2410", "905", "688"]
    assert "{" not in text and "（此处句子" not in text


def test_not_reported_figures_are_listed_in_official_words(tmp_path):
    doc = build_document(load_dataset(county(tmp_path)), charts=False)
    notes = data_notes(doc)
    assert any(p.startswith("统计口径：") for p in notes)
    assert any(p.startswith("数据来源：") for p in notes)
    listed = next(p for p in notes if p.startswith("未报送的项目："))
    assert "普通高中招生数（2021年）" in listed or "普通高中招生数、" in listed
    for p in notes:
        assert not any(word in p for word in DEVELOPER_WORDS), p
    # a section with nothing says so in one line
    assert "本节所涉数据本年度未报送，暂不作分析。" in paragraphs(doc)


def test_no_technical_schools_no_label_with_technical_schools(tmp_path):
    doc = build_document(load_dataset(county(tmp_path)), charts=False)
    scope = next(p for p in data_notes(doc) if p.startswith("统计口径："))
    assert scope == "统计口径：除注明者外，数据为全口径统计。"
    assert "全口径（含技工学校）" not in everything(doc)
    assert "的统计口径：全口径。" in everything(doc)


def test_epidemic_section_only_in_the_years_it_belongs_to(tmp_path):
    titles = {y: [h.title for h in build_document(load_dataset(county(tmp_path, y)), charts=False).headings]
              for y in (2019, 2021)}
    assert "服务抗疫" in titles[2021]
    assert "服务抗疫" not in titles[2019]


def test_empty_sections_left_out_by_a_dataset_setting(tmp_path):
    doc = build_document(load_dataset(county(tmp_path, extra="empty_sections: omit")), charts=False)
    titles = [h.title for h in doc.headings]
    assert "规模和结构" in titles and "教师队伍" in titles  # 1.3: 专任教师数 alone keeps a clause
    assert "经费" not in titles and "政府履责" not in titles  # nothing for part 6: left out whole
    assert "本节所涉数据本年度未报送，暂不作分析。" not in paragraphs(doc)


def test_cover_has_the_issuing_body_and_date(tmp_path):
    result = build_report(load_dataset(county(tmp_path)), tmp_path / "out", pdf=False)
    assert (result.document.publisher, result.document.issued) == ("阳高县教育科技局", "2022年3月15日")
    html = result.html.read_text(encoding="utf-8")
    assert "阳高县教育科技局" in html and "2022年3月15日" in html
    import docx
    texts = [p.text for p in docx.Document(str(result.docx)).paragraphs[:20]]
    assert "阳高县教育科技局" in texts and "2022年3月15日" in texts


def test_appendix_is_optional(tmp_path):
    ds = load_dataset(county(tmp_path))
    short = build_document(ds, charts=False)
    full = build_document(ds, charts=False, full_appendix=True)
    assert "附录一 指标说明" in [h.title for h in short.headings]
    assert "附录一 指标说明与数据来源" in [h.title for h in full.headings]
    rows = next(b for b in short.blocks if isinstance(b, Table) and b.key == "appendix_facts").rows
    assert len(rows) == len({f.indicator for f in short.facts.values() if f.kind != "change"})
    assert main(["report", str(county(tmp_path / "cli")), "-o", str(tmp_path / "cli-out"), "--no-pdf",
                 "--appendix"]) == 0


# -- a change across a break of scope ----------------------------------------------------------
def test_no_change_across_a_break_of_scope(tmp_path):
    ds = county(tmp_path)
    (ds / "dataset.yaml").write_text((ds / "dataset.yaml").read_text().replace("periods: [2021]",
                                                                             "periods: [2020, 2021]"))
    with (ds / "values.csv").open("a", encoding="utf-8") as f:
        f.write("schools,,2020,excl_technical,2,县统计,\nstudents,,2020,all,2300,县统计,\n")
    doc = build_document(load_dataset(ds), charts=False)
    text = everything(doc)
    # schools: 2020 不含技工学校, 2021 全口径 — 3 − 2 = +1 is never printed
    assert "学校3所，与上年口径不同，不作比较" in text
    assert "比上年增加1所" not in text
    # students: one scope both years, 2410 − 2300 = 110
    assert "在校学生2410人，比上年增加110人" in text


# -- a school as the dataset's own unit --------------------------------------------------------
def school_dataset(tmp_path: Path) -> Path:
    ds = tmp_path / "school"
    write(ds, "dataset.yaml", """
        org_unit: {code: "1140213012", zh: 大同市示范职业学校, level: school, parent: "140213"}
        publisher_zh: 大同市示范职业学校
        report_year: 2020
        periods: [2019, 2020]
        catalogue: cn-2016
        outline: school
        """)
    write(ds, "values.csv", """
        element,dims,period,scope,value,source,note
        students,,2019,all,1180,学校统计,
        students,,2020,all,1234,学校统计,
        entrants,,2020,all,420,学校统计,
        fulltime_teachers,,2020,all,88,学校统计,
        """)
    return ds


def test_a_school_as_own_unit_builds_its_report_without_an_area(tmp_path, capsys):
    ds = load_dataset(school_dataset(tmp_path))
    doc = build_document(ds, charts=False)
    assert doc.errors == []
    assert doc.title.startswith("大同市示范职业学校")
    titles = [h.title for h in doc.headings]
    assert "在全市的位置" not in titles  # the comparison with an area is left out
    text = everything(doc)
    # 1234 − 1180 = 54
    assert "学校共有在校生1234人，比上年增加54人；当年招生420人。" in text
    assert "{" not in text
    assert not any(f.code == "report.missing_value" for f in check(ds))
    assert main(["check", str(school_dataset(tmp_path / "cli"))]) in (0, 1)
    assert "SentenceError" not in capsys.readouterr().err
    assert main(["report", str(school_dataset(tmp_path / "cli2")), "-o", str(tmp_path / "o"), "--no-pdf"]) == 0


# -- the dataset overrides the outline -----------------------------------------------------------
def test_a_dataset_renames_drops_and_adds_sections_in_its_own_folder(tmp_path):
    ds = county(tmp_path)
    write(ds, "catalogue/outline.yaml", """
        outlines:
          city:
            parts:
              - id: "1"
                sections:
                  - {id: "1.1", zh: 办学规模, $override: true}
                  - {id: "1.2", $drop: true}
                  - id: "1.9"
                    zh: 县域概况
                    en: The county
                    $before: "1.1"
                    blocks: [{sentence: county_teachers}]
            sentences:
              county_teachers:
                zh: "{year}年，全县中职专任教师{fulltime_teachers}，生师比{student_teacher_ratio}。"
                en: "{fulltime_teachers|plain} teachers."
        """)
    doc = build_document(load_dataset(ds), charts=False)
    sections = [h.title for h in doc.headings if h.level == 2]
    assert sections[:3] == ["县域概况", "办学规模", "教师队伍"]
    assert "设施设备" not in sections
    # 2410 / 180 = 13.39:1
    assert "2021年，全县中职专任教师180人，生师比13.39:1。" in paragraphs(doc)


# -- the published Wenzhou county table ----------------------------------------------------------
@pytest.mark.skipif(not WENZHOU.exists(), reason="the Wenzhou table is kept beside the repository")
def test_wenzhou_2017_county_table_gives_a_report(tmp_path):
    ds = tmp_path / "wenzhou"
    ds.mkdir()
    for name in ("values.csv", "orgs.csv", "dataset.yaml"):
        shutil.copy(WENZHOU / name, ds / name)
    dataset = load_dataset(ds)
    doc = build_document(dataset, dataset.findings, allow_errors=True, charts=False)
    # the errors are the data's own (rows the catalogue cannot read yet), none of the report's
    assert not [f for f in doc.errors if f.code.startswith(("report.", "sentence."))]
    titles = [h.title for h in doc.headings]
    assert "服务抗疫" not in titles  # a 2017 report
    scale = next(b for b in doc.blocks if isinstance(b, Table) and b.title.endswith("办学规模"))
    years = [row[0].runs[0].text for row in scale.rows]
    assert years and all(y.endswith("年") for y in years)
    for p in data_notes(doc):
        assert not any(word in p for word in ("values.csv", "claims.csv", "nianbao")), p
    assert "全口径（含技工学校）" not in everything(doc)


def test_no_change_between_a_recomputed_and_a_printed_rate(tmp_path):
    ds = county(tmp_path)
    (ds / "dataset.yaml").write_text((ds / "dataset.yaml").read_text().replace("periods: [2021]",
                                                                             "periods: [2020, 2021]"))
    with (ds / "values.csv").open("a", encoding="utf-8") as f:
        f.write("employment_rate_reported,,2020,all,88,上年报告,\n"
                "employed_direct,,2021,all,500,县统计,\nfurther_study,,2021,all,120,县统计,\n")
    text = everything(build_document(load_dataset(ds), charts=False))
    # 2021: (500 + 120) ÷ 688 × 100 = 90.116 → 90.12%, recomputed; 2020: 88% as printed by last
    # year's report on a base it does not give — 90.12 − 88 = 2.12 points is never printed
    assert "就业率为90.12%，与上年口径不同，不作比较" in text
    assert "2.12个百分点" not in text


def test_a_year_in_another_scope_is_marked_in_the_table_and_its_note(tmp_path):
    ds = county(tmp_path)
    (ds / "dataset.yaml").write_text((ds / "dataset.yaml").read_text().replace("periods: [2021]",
                                                                             "periods: [2019, 2020, 2021]"))
    values = (ds / "values.csv").read_text(encoding="utf-8").replace("schools,,2021,all,3", "schools,,2021,all,9752")
    (ds / "values.csv").write_text(values + "schools,,2019,all,9896,统计,\nschools,,2020,excl_technical,7294,统计,\n",
                                   encoding="utf-8")
    doc = build_document(load_dataset(ds), charts=False)
    text = everything(doc)
    # 9896 (全口径) → 7294 (不含技工学校) → 9752 (全口径): 9752 − 7294 = 2458 is never printed
    assert "比上年增加2458所" not in text and "学校9752所，与上年口径不同，不作比较" in text
    t = next(b for b in doc.blocks if isinstance(b, Table) and "学校数（所）" in b.header)
    col = t.header.index("学校数（所）")
    assert [["".join(r.text for r in c.runs) for c in row][col] for row in t.rows] == ["9896", "7294*", "9752"]
    assert "标*者：学校数2020年的统计口径为不含技工学校，与其他年份不同，不作比较。" in t.notes
    # the data notes name the year, not the whole series, as 不含技工学校
    assert any("学校数（2020年）不含技工学校" in p for p in data_notes(doc))
