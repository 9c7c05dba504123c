"""School reports (学校年报): one school of the calibrated Datong example, with every expected
figure worked out here from the school's own rows of values.csv (read independently of nianbao)
and the city column from the seed's published totals; ranks on a small planted dataset; the
command's handling of unknown schools; the Word file's part 6."""

import csv
from decimal import ROUND_HALF_UP, Decimal, getcontext
from pathlib import Path

import docx
import pytest
import yaml

from nianbao.app.reporting import build_report, find_school
from nianbao.cli.main import main
from nianbao.ingest.dataset import load_dataset
from nianbao.report import sentences as S
from nianbao.report.builder import build_document
from nianbao.report.document import Heading, Paragraph, Table

EXAMPLE = Path("examples/datong-2020-schools")
# the only 省属 school of the example: the seed's 1.1 gives 1 provincial school with 452 students
SCHOOL = "0140213012"
getcontext().prec = 40


def rows_of(code: str) -> dict[tuple, Decimal]:
    """The school's figures straight from values.csv: (element, dims, period) → value."""
    out = {}
    with (EXAMPLE / "values.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["org_unit"] == code:
                out[(r["element"], r["dims"], int(r["period"]))] = Decimal(r["value"])
    return out


def fmt(value: Decimal, decimals: int) -> str:
    """Half-up rounding as published statistics round."""
    return str(value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


@pytest.fixture(scope="module")
def csv_rows():
    return rows_of(SCHOOL)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    ds = load_dataset(EXAMPLE)
    return build_report(ds, tmp_path_factory.mktemp("school"), pdf=False, school=SCHOOL)


@pytest.fixture(scope="module")
def doc(built):
    return built.document


def table(doc, key):
    return next(b for b in doc.blocks if isinstance(b, Table) and b.key == key)


def texts(t):
    return [["".join(r.text for r in c.runs) for c in row] for row in t.rows]


def body(doc):
    """The paragraphs of the nine parts (before the data notes), as text."""
    out = []
    for b in doc.blocks:
        if isinstance(b, Heading) and b.level == 1 and not b.number:
            break
        if isinstance(b, Paragraph):
            out.append("".join(r.text for r in b.runs))
    return out


def section_blocks(doc, number):
    blocks, inside = [], False
    for b in doc.blocks:
        if isinstance(b, Heading) and b.level <= 2:
            inside = b.number == number
            continue
        if inside:
            blocks.append(b)
    return blocks


# -- the school's own figures -------------------------------------------------------------
def test_school_figures_equal_its_rows(doc, csv_rows):
    v = lambda e, p=2020, d="": csv_rows[(e, d, p)]  # noqa: E731
    assert v("students") == 452  # seed 1.1: the one 省属 school has 452 students
    t = texts(table(doc, "school_scale"))
    assert [row[0] for row in t] == ["2018年", "2019年", "2020年"]
    for row, year in zip(t, (2018, 2019, 2020)):
        assert row[1:] == [fmt(v("students", year), 0), fmt(v("entrants", year), 0), fmt(v("graduates", year), 0)]
    text = "".join(body(doc))
    # 在校生 change = students 2020 − students 2019
    diff = v("students") - v("students", 2019)
    change = "与上年持平" if diff == 0 else f"比上年{'增加' if diff > 0 else '减少'}{fmt(abs(diff), 0)}人"
    assert f"学校共有在校生{fmt(v('students'), 0)}人，{change}" in text
    # 生师比 = students / fulltime_teachers, x:1 with two decimals
    ratio = fmt(v("students") / v("fulltime_teachers"), 2) + ":1"
    # 双师型比例 = dual_teachers / fulltime_teachers × 100
    dual = fmt(v("dual_teachers") * 100 / v("fulltime_teachers"), 2) + "%"
    # 专任教师占教职工 = fulltime_teachers / staff × 100
    share = fmt(v("fulltime_teachers") * 100 / v("staff"), 2) + "%"
    assert f"其中专任教师{fmt(v('fulltime_teachers'), 0)}人，占教职工的{share}" in text
    assert f"双师型教师{fmt(v('dual_teachers'), 0)}人，占专任教师的{dual}" in text
    assert f"生师比为{ratio}" in text
    # 生均校舍 = floor_area / students (2 decimals); 生均设备 = equipment_value 万元 × 10000 / students (0)
    floor = fmt(v("floor_area") / v("students"), 2)
    equipment = fmt(v("equipment_value") * 10000 / v("students"), 0)
    books = fmt(v("books") / v("students"), 1)
    assert f"生均{floor}平方米" in text and f"生均{equipment}元" in text and f"生均{books}册" in text


def test_comparison_table_school_and_city_columns(doc, csv_rows):
    v = lambda e, p=2020: csv_rows[(e, "", p)]  # noqa: E731
    rows = {r[0]: r[1:] for r in texts(table(doc, "school_position"))}
    # school column, from the school's rows
    assert rows["在校生数（人）"][0] == fmt(v("students"), 0)
    assert rows["生师比"][0] == fmt(v("students") / v("fulltime_teachers"), 2) + ":1"
    assert rows["双师型教师占专任教师比例"][0] == fmt(v("dual_teachers") * 100 / v("fulltime_teachers"), 2) + "%"
    assert rows["生均校舍建筑面积（平方米）"][0] == fmt(v("floor_area") / v("students"), 2)
    assert rows["生均教学仪器设备值（元）"][0] == fmt(v("equipment_value") * 10000 / v("students"), 0)
    # 就业率 = (employed_direct + further_study) / graduates × 100
    assert rows["就业率"][0] == fmt((v("employed_direct") + v("further_study")) * 100 / v("graduates"), 2) + "%"
    # city column: the seed's totals
    assert rows["在校生数（人）"][1] == "22863"  # seed 1.1
    assert rows["生师比"][1] == "11.80:1"  # 22863 / 1938 = 11.797 (seed 1.1, 1.3)
    assert rows["双师型教师占专任教师比例"][1] == "25.75%"  # 499 / 1938 = 25.748% (seed 1.3)
    assert rows["生均校舍建筑面积（平方米）"][1] == "48.48"  # seed 1.2: 852215 m², 48.48 per student (不含技工学校)
    assert rows["就业率"][1] == "95.14%"  # (1365 + 4113) / 5758 = 95.137% (seed 2.2, 5.1; 不含技工学校)
    notes = "".join(table(doc, "school_position").notes)
    assert "不含技工学校" in notes and "m/n" in notes


def test_rank_of_the_example_school_counts_the_schools_above_it(doc, csv_rows):
    """在校生 rank = 1 + number of schools of the city with more students (from values.csv)."""
    students = {}
    with (EXAMPLE / "values.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["org_unit"] and r["element"] == "students" and not r["dims"] and r["period"] == "2020":
                students[r["org_unit"]] = Decimal(r["value"])
    own = students[SCHOOL]
    place = 1 + sum(1 for n in students.values() if n > own)
    rows = {r[0]: r[1:] for r in texts(table(doc, "school_position"))}
    assert rows["在校生数（人）"][2] == f"{place}/{len(students)}"
    assert rows["生师比"][2] == "—"  # not ranked (outline ranks)


def test_standards_table_verdicts(doc, csv_rows):
    std = yaml.safe_load(Path("src/nianbao/catalogue/cn-2016/standards.yaml").read_text(encoding="utf-8"))
    crit = {c["id"]: c for c in std["standards"]["setting_2010"]["criteria"]}
    rows = {r[0]: r[1:] for r in texts(table(doc, "standards_setting_2010"))}
    students = csv_rows[("students", "", 2020)]
    limit = crit["students"]["threshold"]
    assert rows["学历教育在校生数"][0] == f"{fmt(students, 0)}人"
    assert rows["学历教育在校生数"][2] == ("达标" if students >= limit else "未达标")
    ratio = csv_rows[("students", "", 2020)] / csv_rows[("fulltime_teachers", "", 2020)]
    assert rows["生师比"][2] == ("达标" if ratio <= crit["student_teacher_ratio"]["threshold"] else "未达标")
    # 9.1 names every criterion not met, with the school's value
    unmet = [c for c, r in rows.items() if r[2] == "未达标"]
    problems = "".join("".join(r.text for r in b.runs) for b in section_blocks(doc, "9.1") if isinstance(b, Paragraph))
    assert unmet and all(c in problems for c in unmet)


# -- outline and optional blocks ----------------------------------------------------------
def test_nine_parts_with_sponsor_responsibilities(doc):
    parts = [h.text for h in doc.headings if h.level == 1 and h.number]
    assert len(parts) == 9
    assert parts[5] == "6. 举办者履责"
    assert not any("政府履责" in h.text for h in doc.headings)


def test_missing_funding_is_left_out_and_noted(doc):
    # the synthetic schools report no funding: the 6.1 sentence is left out, never printed empty
    blocks = section_blocks(doc, "6.1")
    assert len(blocks) == 1 and "".join(r.text for r in blocks[0].runs) == "本节所涉数据本年度未报送，暂不作分析。"
    assert any(f.location.section == "6.1" for f in doc.omitted)
    assert any(f.code == "report.not_reported" and "中等职业教育经费支出" in f.message_zh
               and f.location.section == "6.1" for f in doc.omitted)
    assert not any("{" in p or "}" in p for p in body(doc))


def test_missing_narratives_leave_one_line(doc):
    assert ["".join(r.text for r in b.runs) for b in section_blocks(doc, "7.1")] == ["本节所涉数据本年度未报送，暂不作分析。"]
    assert any(f.code == "report.missing_narrative" and f"narrative/{SCHOOL}/7.md" in f.message_zh
               for f in doc.omitted)


def test_school_findings_only(doc):
    # the data notes speak of this school, not of the other 33
    assert all(f.org_unit in ("", SCHOOL) for f in doc.warnings)


def test_self_check_and_html_tooltips_of_ranks(built):
    assert built.checked > 0
    html = built.html.read_text(encoding="utf-8")
    assert f'data-fact="{SCHOOL}/students/2020/all/rank"' in html
    assert "示例第九技工学校" in html  # a rank's tooltip lists the other schools' values


def test_docx_part_six_heading(built):
    d = docx.Document(str(built.docx))
    heads = [p.text for p in d.paragraphs if p.style.name == "Heading 1"]
    assert "6. 举办者履责" in heads


def test_school_filters_need_a_school_report(tmp_path):
    ds = load_dataset("examples/datong-2020")
    from nianbao.compute.facts import FactBook
    book = FactBook(ds.catalogue, ds.org_unit.code, ds.observations, ds.periods)
    ctx = S.Context(book, 2020, 2018, 2020, {"org": "大同市"})
    with pytest.raises(S.SentenceError, match="学校报告"):
        S.render("{students|rank}", ctx)


# -- a small planted case -------------------------------------------------------------------
CITY, COUNTY = "140200", "140213"
S1, S2, S3, S4, GONE = "0140213001", "0140213002", "0140213003", "0140213004", "0140213009"
ORG_COLUMNS = ["code", "zh", "en", "level", "parent", "county", "affiliation", "ownership", "school_type",
               "founded", "status", "closed", "profile"]


def planted(tmp_path) -> Path:
    d = tmp_path / "planted"
    (d / "narrative" / S1).mkdir(parents=True)
    (d / "dataset.yaml").write_text(
        f'org_unit: {{code: "{CITY}", zh: 示例市, en: Sample City, level: city}}\n'
        "report_year: 2020\nperiods: [2019, 2020]\ncatalogue: cn-2016\n", encoding="utf-8")
    school = {"level": "school", "parent": COUNTY, "county": COUNTY, "affiliation": "county",
              "ownership": "public", "school_type": "vocational_high", "founded": "1990"}
    orgs = [{"code": CITY, "zh": "示例市", "level": "city"},
            {"code": COUNTY, "zh": "甲区", "level": "county", "parent": CITY},
            {**school, "code": S1, "zh": "甲校"}, {**school, "code": S2, "zh": "乙校"},
            {**school, "code": S3, "zh": "丙校"}, {**school, "code": S4, "zh": "丁校"},
            {**school, "code": GONE, "zh": "戊校", "status": "closed", "closed": "2019"}]
    with (d / "orgs.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=ORG_COLUMNS)
        w.writeheader()
        w.writerows(orgs)
    values = [  # students 300, 500, 500, 100; dual-qualified 1/3, 2/6, 10/40, none
        (S1, "students", 300), (S2, "students", 500), (S3, "students", 500), (S4, "students", 100),
        (S1, "fulltime_teachers", 3), (S2, "fulltime_teachers", 6), (S3, "fulltime_teachers", 40),
        (S4, "fulltime_teachers", 10),
        (S1, "dual_teachers", 1), (S2, "dual_teachers", 2), (S3, "dual_teachers", 10),
    ]
    with (d / "values.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["element", "dims", "period", "scope", "value", "source", "note", "org_unit"])
        for org, element, value in values:
            w.writerow([element, "", 2020, "all", value, "test", "", org])
    (d / "narrative" / "7.md").write_text("全市的典型案例。", encoding="utf-8")
    (d / "narrative" / S1 / "7.md").write_text("甲校的典型案例。", encoding="utf-8")
    return d


def position(ds, code):
    doc = build_document(ds, org=find_school(ds, code), charts=False)
    return doc, {r[0]: r[1:] for r in texts(table(doc, "school_position"))}


def test_planted_ranks_share_places_on_ties(tmp_path):
    ds = load_dataset(planted(tmp_path))
    # students 300, 500, 500, 100 → 500 and 500 share 1st, 300 is 3rd, 100 is 4th of 4
    assert position(ds, S1)[1]["在校生数（人）"][2] == "3/4"
    assert position(ds, S2)[1]["在校生数（人）"][2] == "1/4"
    assert position(ds, S3)[1]["在校生数（人）"][2] == "1/4"
    assert position(ds, S4)[1]["在校生数（人）"][2] == "4/4"
    # dual-qualified: 1/3 = 33.33%, 2/6 = 33.33%, 10/40 = 25.00%; 丁校 has no figure: 3 ranked
    doc, rows = position(ds, S1)
    # city: (1 + 2 + 10) / (3 + 6 + 40 + 10) = 13 / 59 = 22.03% (丁校's teachers are summed, its
    # missing dual-qualified count is a finding of the aggregation)
    assert rows["双师型教师占专任教师比例"] == ["33.33%", "22.03%", "1/3"]
    assert position(ds, S3)[1]["双师型教师占专任教师比例"][2] == "3/3"
    assert "双师型教师占专任教师比例" not in position(ds, S4)[1]  # no data: the row is left out


def test_planted_rank_is_a_traceable_fact(tmp_path):
    ds = load_dataset(planted(tmp_path))
    doc, _ = position(ds, S1)
    rank = next(f for f in doc.facts.values() if f.kind == "rank" and f.indicator == "students")
    assert (rank.value, rank.denominator, rank.org_unit) == (3, 4, S1)
    assert [(i.label_zh, i.value) for i in rank.inputs] == [("乙校", 500), ("丙校", 500), ("甲校", 300), ("丁校", 100)]


def test_school_narrative_is_the_schools_own(tmp_path):
    ds = load_dataset(planted(tmp_path))
    doc = build_document(ds, org=find_school(ds, S1), charts=False)
    texts_ = ["".join(r.text for r in b.runs) for b in section_blocks(doc, "7.1")]
    assert texts_ == ["甲校的典型案例。"]
    doc2 = build_document(ds, org=find_school(ds, S2), charts=False)
    assert ["".join(r.text for r in b.runs) for b in section_blocks(doc2, "7.1")] == \
        ["本节所涉数据本年度未报送，暂不作分析。"]  # never the city's text


# -- the command ------------------------------------------------------------------------------
def test_command_writes_a_school_report(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["report", str(planted(tmp_path)), "--school", S1, "-o", str(out), "--no-pdf"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["report.docx", "report.html"]
    assert "甲校" in capsys.readouterr().out


def test_unknown_school_code_exits_2_with_a_message(tmp_path, capsys):
    d = str(planted(tmp_path))
    assert main(["report", d, "--school", "9999999999", "-o", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "9999999999" in err and "orgs.csv" in err and "Traceback" not in err
    # a code typed without its leading zero gets a suggestion
    assert main(["report", d, "--school", S1.lstrip("0"), "-o", str(tmp_path / "o")]) == 2
    assert S1 in capsys.readouterr().err
    # a closed school has no report for the year
    assert main(["report", d, "--school", GONE, "-o", str(tmp_path / "o")]) == 2
    assert "停办" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_school_option_without_registry(tmp_path, capsys):
    assert main(["report", "examples/datong-2020", "--school", SCHOOL, "-o", str(tmp_path / "o")]) == 2
    assert "orgs.csv" in capsys.readouterr().err


def test_all_schools_writes_one_folder_per_active_school(tmp_path, capsys):
    out = tmp_path / "all"
    assert main(["report", str(planted(tmp_path)), "--all-schools", "-o", str(out), "--no-pdf"]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted([S1, S2, S3, S4])  # not the closed one
    assert all((out / c / "report.docx").exists() and (out / c / "report.html").exists() for c in (S1, S2, S3, S4))


def test_every_school_sentence_renders_in_both_languages():
    """The example school has every figure but funding: each sentence of the school outline
    renders in Chinese and English without a placeholder left over."""
    from nianbao.report.builder import BuildContext
    ds = load_dataset(EXAMPLE)
    b = BuildContext(ds, org=find_school(ds, SCHOOL), charts=False)
    b.plan = b.outline()
    ctx = b.context()
    own = b.plan["sentences"]
    shared = {k for blk in (blk for part in b.plan["parts"] for sec in part["sections"] for blk in sec["blocks"])
              for kind, k in blk.items() if kind == "sentence"} - set(own)
    specs = {**own, **{k: ds.catalogue.outline["sentences"][k] for k in shared}}
    assert "school_funding" in specs and len(specs) > 15
    for key, spec in specs.items():
        if key == "school_funding":  # the synthetic schools report no funding
            continue
        for lang in ("zh", "en"):
            text = S.render_text(spec[lang], ctx, lang, key)
            assert text and "{" not in text and "}" not in text, (key, lang)
