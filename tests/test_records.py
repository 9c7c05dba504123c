"""Student and graduate records counted into figures (nianbao.ingest.records): the indicators of
2.2, 2.3 and 5.1 come out the same from the records as from the aggregate counts of the same
records; GBK and Parquet read like UTF-8 CSV; bad records are findings naming file and line."""

import csv
import shutil
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from nianbao import catalogue
from nianbao.cli.main import main
from nianbao.ingest import records
from nianbao.ingest.dataset import load_dataset
from nianbao.synth.national import generate

YEAR = 2022
# 2.2 / 2.3 / 5.1 and the 2022 outline's 毕业去向, with the counts they are made of
INDICATORS = ("students,entrants,graduates,graduation_candidates,employed_direct,further_study,employed_local,"
              "employed_matched,entrepreneurs,graduates_placed,starting_income,employment_rate,"
              "direct_employment_share,local_employment_rate,matched_employment_rate,further_study_rate,"
              "entrepreneurship_rate,placement_rate,graduation_rate")


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    """A tiny national dataset: records as CSV with Chinese headers, the graduates in GBK."""
    out = tmp_path_factory.mktemp("national") / "records-ds"
    sizes = generate(out, scale=0.004, record_scale=0.05, year=YEAR, fmt="csv", headers="zh")
    grads = out / "records" / f"graduates-{YEAR}.csv"
    grads.write_bytes(grads.read_text(encoding="utf-8").encode("gbk"))
    return out, sizes


def _rows(path: Path, encoding: str = "utf-8"):
    with path.open(encoding=encoding, newline="") as f:
        return list(csv.DictReader(f))


def aggregate_values(folder: Path) -> list[dict]:
    """The counts of the records by the definitions of 2.2 / 2.3 / 5.1, tallied here in Python
    (independently of the SQL): 在校生 = 学籍状态 在校, 招生 = 入学年份 is the year, 毕业年级 =
    在校 and 年级 = 学制, 直接就业 / 升学 by 毕业去向, 本地 and 对口 among 直接就业, 自主创业 among
    直接就业, 毕业去向落实 = 直接就业 + 升学, 起薪 the mean over 直接就业 with a pay."""
    c: Counter = Counter()
    pay = defaultdict(list)
    for r in _rows(folder / "records" / f"students-{YEAR}.csv"):
        s = r["学校标识码"]
        if r["学籍状态"] == "在校":
            c[(s, "students", "")] += 1
            c[(s, "students", "major_category=" + r["专业代码"][:2])] += 1
            if r["年级"] == r["学制"]:
                c[(s, "graduation_candidates", "")] += 1
        if r["入学年份"] == str(YEAR):
            c[(s, "entrants", "")] += 1
    for r in _rows(folder / "records" / f"graduates-{YEAR}.csv", "gbk"):
        s, dest = r["学校标识码"], r["毕业去向"]
        c[(s, "graduates", "")] += 1
        for element in ("employed_direct", "further_study", "employed_local", "employed_matched", "entrepreneurs",
                        "graduates_placed"):
            c[(s, element, "")] += 0
        if dest == "直接就业":
            c[(s, "employed_direct", "")] += 1
            c[(s, "employed_direct", "industry=" + {"第一产业": "primary", "第二产业": "secondary",
                                                    "第三产业": "tertiary"}[r["就业产业"]])] += 1
            c[(s, "employed_local", "")] += r["是否本地就业"] == "是"
            c[(s, "employed_matched", "")] += r["是否对口就业"] == "是"
            c[(s, "entrepreneurs", "")] += r["就业形式"] == "自主创业"
            if r["起薪（元/月）"]:
                pay[s].append(float(r["起薪（元/月）"]))
        if dest == "升学":
            c[(s, "further_study", "")] += 1
            level = "bachelor" if r["升学层次"].startswith("本科") else "associate"
            c[(s, "further_study", "study_level=" + level)] += 1
        if dest in ("直接就业", "升学"):
            c[(s, "graduates_placed", "")] += 1
    rows = [{"element": e, "dims": d, "period": YEAR, "scope": "all", "value": n, "org_unit": s}
            for (s, e, d), n in sorted(c.items()) if n or not d]
    rows += [{"element": "starting_income", "dims": "", "period": YEAR, "scope": "all",
              "value": sum(v) / len(v), "org_unit": s} for s, v in sorted(pay.items())]
    return rows


def test_records_and_aggregate_counts_give_equal_indicators(national, tmp_path, capsys):
    folder, sizes = national
    assert 2000 < sizes["students"] < 6000 and sizes["schools"] >= 20
    agg = tmp_path / "aggregate"
    agg.mkdir()
    shutil.copy(folder / "dataset.yaml", agg)
    shutil.copy(folder / "orgs.csv", agg)
    with (agg / "values.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, ["element", "dims", "period", "scope", "value", "org_unit"])
        w.writeheader()
        w.writerows(aggregate_values(folder))

    def table(ds, level):
        assert main(["indicators", str(ds), "--level", level, "--indicators", INDICATORS, "--format", "csv"]) == 0
        return capsys.readouterr().out

    for level in ("school", "province", "city"):
        from_records, from_counts = table(folder, level), table(agg, level)
        assert from_records == from_counts
        assert "employment_rate" in from_records and "placement_rate" in from_records
    # and the country's figures, the dataset's own level
    assert table(folder, "province").count("\n") > 9 * 10
    whole = table(folder, "school")
    assert len(whole.splitlines()) > sizes["schools"] * 15


def test_counted_figures_have_provenance_and_replace_values(national, tmp_path):
    folder, _ = national
    ds_path = tmp_path / "both"
    shutil.copytree(folder, ds_path)
    school = next(r["学校标识码"] for r in _rows(folder / "records" / f"students-{YEAR}.csv"))
    (ds_path / "values.csv").write_text("element,dims,period,scope,value,org_unit\n"
                                        f"students,,{YEAR},all,99999,{school}\n", encoding="utf-8")
    ds = load_dataset(ds_path)
    students = [o for o in ds.observations if o.org_unit == school and o.element == "students" and not o.dims]
    n = sum(1 for r in _rows(folder / "records" / f"students-{YEAR}.csv")
            if r["学校标识码"] == school and r["学籍状态"] == "在校")
    assert [o.value for o in students] == [n]
    assert students[0].origin == f"records/students-{YEAR}.csv: status=在校"
    assert "在校生名册" in students[0].source
    info = [f for f in ds.findings if f.code == "records.replaces_values"]
    assert len(info) == 1 and info[0].org_unit == school and "students" in info[0].message_en


def test_parquet_and_gbk_read_like_utf8(tmp_path):
    cat = catalogue.load("cn-2022")
    a, b = tmp_path / "a", tmp_path / "b"
    generate(a, scale=0.002, record_scale=0.05, year=YEAR)  # Parquet, English headers
    generate(b, scale=0.002, record_scale=0.05, year=YEAR, fmt="csv", encoding="gbk", headers="zh")
    assert (b / "records" / f"students-{YEAR}.csv").read_bytes().decode("gbk").startswith("学校标识码")
    schools = [r["code"] for r in _rows(a / "orgs.csv") if r["level"] == "school"]
    pa = records.count_records(a / "records", cat, schools)
    pb = records.count_records(b / "records", cat, schools)
    assert pa.rows and [r[:6] for r in pa.rows] == [r[:6] for r in pb.rows]
    assert not pa.findings and not pb.findings


def _dataset(tmp_path: Path, students: str, name: str = f"students-{YEAR}.csv", encoding="utf-8") -> Path:
    ds = tmp_path / "ds"
    (ds / "records").mkdir(parents=True)
    (ds / "dataset.yaml").write_text(
        "org_unit: {code: '140200', zh: 大同市, level: city}\nreport_year: 2022\nperiods: [2022]\ncatalogue: cn-2022\n",
        encoding="utf-8")
    (ds / "orgs.csv").write_text(
        "code,zh,en,level,parent,county,affiliation,ownership,school_type,founded,status,closed,profile\n"
        "140200,大同市,Datong,city,,,,,,,active,,\n"
        "140213,平城区,,county,140200,,,,,,active,,\n"
        "0140213001,甲校,,school,140213,140213,municipal,public,regular_specialized,,active,,\n"
        "0140213002,乙校,,school,140213,140213,county,public,vocational_high,,active,,\n", encoding="utf-8")
    (ds / "records" / name).write_bytes(students.encode(encoding))
    return ds


def test_bad_records_are_findings_with_file_and_line_and_are_not_counted(tmp_path):
    ds = load_dataset(_dataset(tmp_path, "\n".join([
        "学校标识码,专业代码,年级,入学年份,学制,学籍状态",
        "0140213001,051300,1,2022,3,在校",   # line 2: good
        "140213001,051300,1,2022,3,在校",    # line 3: the leading zero lost — no such school
        "0140213001,051300,七,2020,3,在校",   # line 4: grade not a number
        "0140213002,090100,2,2021,3,在读",   # line 5: status not one of the choices
        "0140213002,090100,3,2020,3,在校",   # line 6: good, final year
        "0140213002,9901,1,2022,3,在校",     # line 7: major code of 4 characters
        "", ])))
    found = sorted((f.code, f.location.file, f.location.cell) for f in ds.findings)
    assert found == [("records.bad_value", "records/students-2022.csv", "第4行"),
                     ("records.bad_value", "records/students-2022.csv", "第5行"),
                     ("records.bad_value", "records/students-2022.csv", "第7行"),
                     ("records.unknown_school", "records/students-2022.csv", "第3行")]
    grade = next(f for f in ds.findings if f.location.cell == "第4行")
    assert "年级" in grade.message_zh and "七" in grade.message_zh and "未计入" in grade.message_zh
    figures = {(o.org_unit, o.element, o.dims): o.value for o in ds.observations}
    # counted: line 2 (school 1: a student, an entrant) and line 6 (school 2: a student in the final year)
    assert figures[("0140213001", "students", ())] == 1
    assert figures[("0140213001", "entrants", ())] == 1
    assert figures[("0140213002", "students", ())] == 1
    assert figures[("0140213002", "graduation_candidates", ())] == 1
    assert figures[("0140213002", "students", (("major_category", "09"),))] == 1
    assert figures[("0140213002", "entrants", ())] == 0


def test_many_bad_records_are_listed_up_to_a_limit_then_summed(tmp_path):
    lines = ["school,major,grade,enrolled,duration,status"] + ["0140213001,051300,9,2022,3,在校"] * 60
    ds = load_dataset(_dataset(tmp_path, "\n".join(lines) + "\n", encoding="gbk"))
    bad = [f for f in ds.findings if f.code == "records.bad_value"]
    assert len(bad) == records.LISTED and bad[0].location.cell == "第2行"
    more = [f for f in ds.findings if f.code == "records.more_bad"]
    assert len(more) == 1 and more[0].values == {"file": "records/students-2022.csv", "count": 10, "total": 60}


def test_a_file_without_a_required_column_or_with_a_bad_name_is_not_counted(tmp_path):
    ds_path = _dataset(tmp_path, "school,major,grade,enrolled,duration\n0140213001,051300,1,2022,3\n")
    (ds_path / "records" / "学生名单.csv").write_text("x\n1\n", encoding="utf-8")
    ds = load_dataset(ds_path)
    assert sorted(f.code for f in ds.findings) == ["records.missing_column", "records.unreadable"]
    assert "学籍状态" in next(f for f in ds.findings if f.code == "records.missing_column").message_zh
    assert not [o for o in ds.observations if o.element == "students"]


def test_a_file_neither_utf8_nor_gbk_is_a_finding(tmp_path):
    ds_path = _dataset(tmp_path, "")
    (ds_path / "records" / f"students-{YEAR}.csv").write_bytes(b"school\n\xff\xfe\xfa\n")
    ds = load_dataset(ds_path)
    assert [(f.code, f.location.file) for f in ds.findings] == [("records.unreadable", f"records/students-{YEAR}.csv")]


STUDENTS = "学校标识码,专业代码,年级,入学年份,学制,学籍状态\n"


def _found(ds) -> list[tuple[str, str]]:
    return sorted((f.code, f.location.file) for f in ds.findings if f.code.startswith("records."))


def _students(ds) -> dict:
    return {o.org_unit: o.value for o in ds.observations if o.element == "students" and not o.dims}


def test_parts_by_name_and_in_a_folder_are_counted_together(tmp_path):
    ds_path = _dataset(tmp_path, STUDENTS + "0140213001,051300,1,2022,3,在校\n", name=f"students-{YEAR}-北区.csv")
    (ds_path / "records" / f"students-{YEAR}-南区.csv").write_text(
        STUDENTS + "0140213001,051300,2,2021,3,在校\n0140213002,090100,3,2020,3,在校\n", encoding="utf-8")
    folder = ds_path / "records" / f"graduates-{YEAR}" / "province=14"
    folder.mkdir(parents=True)
    (folder / "part-0.csv").write_text("学校标识码,专业代码,毕业去向\n0140213001,051300,升学\n0140213001,051300,直接就业\n", encoding="utf-8")
    (folder.parent / "_SUCCESS").write_text("", encoding="utf-8")  # Spark's mark: skipped
    ds = load_dataset(ds_path)
    assert _found(ds) == []
    # school 1: one student in 北区's file and one in 南区's (1 + 1); school 2: one in 南区's
    assert _students(ds) == {"0140213001": 2, "0140213002": 1}
    figures = {(o.org_unit, o.element): o for o in ds.observations if not o.dims}
    assert figures[("0140213001", "graduates")].value == 2  # the folder's one file: two graduates
    assert figures[("0140213001", "students")].origin.startswith(f"records/students-{YEAR}-*:")  # both parts
    assert figures[("0140213002", "students")].origin.startswith(f"records/students-{YEAR}-南区.csv:")  # its one
    # the parts' common name where several made a figure; the file's own where one did
    assert figures[("0140213001", "graduates")].origin.startswith(f"records/graduates-{YEAR}/province=14/part-0.csv:")


def test_a_bad_record_in_a_part_is_named_by_its_part_and_line(tmp_path):
    ds_path = _dataset(tmp_path, STUDENTS + "0140213001,051300,1,2022,3,在校\n", name=f"students-{YEAR}-1.csv")
    (ds_path / "records" / f"students-{YEAR}-2.csv").write_text(
        STUDENTS + "0140213002,090100,3,2020,3,在校\n0140213002,090100,七,2020,3,在校\n", encoding="utf-8")
    ds = load_dataset(ds_path)
    bad = [(f.code, f.location.file, f.location.cell) for f in ds.findings if f.code.startswith("records.")]
    assert bad == [("records.bad_value", f"records/students-{YEAR}-2.csv", "第3行")]  # line 3 of part 2
    assert _students(ds) == {"0140213001": 1, "0140213002": 1}


def test_a_part_the_engine_cannot_read_to_its_end_leaves_the_others_counted(tmp_path):
    ds_path = _dataset(tmp_path, STUDENTS + "0140213001,051300,1,2022,3,在校\n", name=f"students-{YEAR}-1.csv")
    # past the lines the engine samples for the file's shape, a record of eight fields for six columns
    (ds_path / "records" / f"students-{YEAR}-2.csv").write_text(
        STUDENTS + "0140213002,090100,3,2020,3,在校\n" * 30000 + "0140213002,090100,3,2020,3,在校,多,余\n",
        encoding="utf-8")
    (ds_path / "records" / f"students-{YEAR}-3.csv").write_text(STUDENTS + "0140213002,090100,2,2021,3,在校\n",
                                                                encoding="utf-8")
    ds = load_dataset(ds_path)
    assert _found(ds) == [("records.unreadable", f"records/students-{YEAR}-2.csv")]
    assert _students(ds) == {"0140213001": 1, "0140213002": 1}  # parts 1 and 3


def test_the_same_records_given_twice_over_are_not_counted(tmp_path):
    # a whole file and a part of the same kind and year: which holds which records is unknown
    ds_path = _dataset(tmp_path, STUDENTS + "0140213001,051300,1,2022,3,在校\n")
    (ds_path / "records" / f"students-{YEAR}-1.csv").write_text(STUDENTS + "0140213001,051300,1,2022,3,在校\n",
                                                                encoding="utf-8")
    ds = load_dataset(ds_path)
    assert _found(ds) == [("records.duplicate_files", f"records/students-{YEAR}.csv")]
    dup = next(f for f in ds.findings if f.code == "records.duplicate_files")
    assert f"records/students-{YEAR}.csv、records/students-{YEAR}-*（1 份）" in dup.message_zh
    assert "在校生" in dup.message_zh and "未计入" in dup.message_zh
    assert _students(ds) == {}


def test_a_part_as_csv_and_parquet_is_refused_and_a_copied_part_counted_once(tmp_path):
    one, two = "0140213001,051300,1,2022,3,在校\n", "0140213002,090100,3,2020,3,在校\n"
    ds_path = _dataset(tmp_path, STUDENTS + one, name=f"students-{YEAR}-1.csv")
    records_ = ds_path / "records"
    (records_ / f"students-{YEAR}-1.parquet").write_bytes(b"PAR1")  # a converted copy beside the original
    (records_ / f"students-{YEAR}-2.csv").write_text(STUDENTS + two, encoding="utf-8")
    (records_ / f"students-{YEAR}-2-副本.csv").write_bytes((records_ / f"students-{YEAR}-2.csv").read_bytes())
    (records_ / f"students-{YEAR}-3.csv").write_text(STUDENTS + two.replace(",3,2020", ",2,2021"), encoding="utf-8")
    ds = load_dataset(ds_path)
    assert _found(ds) == [("records.copied_part", f"records/students-{YEAR}-2.csv"),
                          ("records.duplicate_part", f"records/students-{YEAR}-1.csv")]
    copied = next(f for f in ds.findings if f.code == "records.copied_part")
    assert copied.severity == "warning" and f"records/students-{YEAR}-2-副本.csv" in copied.message_zh
    # school 1's one record was in part 1 (refused); school 2: part 2 once (its copy not counted) + part 3
    assert _students(ds) == {"0140213002": 2}


def test_what_is_no_record_file_is_a_finding_and_never_opened(tmp_path):
    import os

    ds_path = _dataset(tmp_path, STUDENTS + "0140213001,051300,1,2022,3,在校\n")
    records_ = ds_path / "records"
    os.mkfifo(records_ / f"graduates-{YEAR}.csv")  # read, it would block for ever
    parts = records_ / f"graduates-{YEAR - 1}"
    parts.mkdir()
    (parts / "说明.txt").write_text("分省导出", encoding="utf-8")
    (parts / "up").symlink_to(records_)  # followed, a link back up would never end
    (records_ / "students_2022").mkdir()  # no kind-year name: its files not read
    os.symlink("/nonexistent", records_ / f"students-{YEAR - 1}.csv")
    (records_ / f"students-{YEAR - 2}.xlsx").write_bytes(b"PK\x03\x04")
    ds = load_dataset(ds_path)
    assert _found(ds) == [("records.skipped_file", f"records/graduates-{YEAR - 1}/说明.txt"),
                          ("records.unreadable", f"records/graduates-{YEAR - 1}/up/"),
                          ("records.unreadable", f"records/graduates-{YEAR}.csv"),
                          ("records.unreadable", f"records/students-{YEAR - 2}.xlsx"),
                          ("records.unreadable", f"records/students-{YEAR - 1}.csv"),
                          ("records.unreadable", "records/students_2022/")]
    text = {f.location.file: f for f in ds.findings}
    assert "管道" in text[f"records/graduates-{YEAR}.csv"].message_zh
    assert "不是 CSV 或 Parquet" in text[f"records/graduates-{YEAR - 1}/说明.txt"].message_zh
    assert text[f"records/graduates-{YEAR - 1}/说明.txt"].severity == "warning"  # a note beside the parts
    assert "链接" in text[f"records/graduates-{YEAR - 1}/up/"].message_zh
    assert f"另存为“CSV UTF-8（逗号分隔）”文件 students-{YEAR - 2}.csv" in text[f"records/students-{YEAR - 2}.xlsx"].hint
    assert _students(ds) == {"0140213001": 1}  # the good file still counted


def test_a_linked_folder_of_parts_is_read_where_it_lies(tmp_path):
    ds_path = _dataset(tmp_path, STUDENTS + "0140213001,051300,1,2022,3,在校\n", name=f"students-{YEAR}-1.csv")
    elsewhere = tmp_path / "另一块盘" / "graduates"
    elsewhere.mkdir(parents=True)
    (elsewhere / "part-0.csv").write_text("学校标识码,专业代码,毕业去向\n0140213002,051300,升学\n", encoding="utf-8")
    (ds_path / "records" / f"graduates-{YEAR}").symlink_to(elsewhere)
    ds = load_dataset(ds_path)
    assert _found(ds) == []
    assert {(o.org_unit, o.value) for o in ds.observations if o.element == "graduates" and not o.dims} == {
        ("0140213002", 1)}


def test_an_empty_file_or_part_is_one_warning(tmp_path):
    ds_path = _dataset(tmp_path, STUDENTS + "0140213001,051300,1,2022,3,在校\n", name=f"students-{YEAR}-1.csv")
    (ds_path / "records" / f"students-{YEAR}-2.csv").write_text(STUDENTS, encoding="utf-8")  # its header alone
    (ds_path / "records" / f"graduates-{YEAR}.csv").write_bytes(b"")  # not even a header
    ds = load_dataset(ds_path)
    found = [(f.code, f.severity, f.location.file) for f in ds.findings if f.code.startswith("records.")]
    assert sorted(found) == [("records.empty", "warning", f"records/graduates-{YEAR}.csv"),
                             ("records.empty", "warning", f"records/students-{YEAR}-2.csv")]
    assert _students(ds) == {"0140213001": 1}


def test_a_published_school_table_prints_no_small_count_nor_a_rate_of_one(national):
    # `indicators --publish`: every count printed is 0 or at least the threshold (5, records.yaml);
    # a rate whose count is hidden is hidden; and where a school's graduates, direct employment
    # and further study are all printed, the rest they imply (未就业) is 0 or at least 5 too
    from nianbao.app.indicators import Request, indicator_rows

    folder, _ = national
    ds = load_dataset(folder)
    counted = {c for c, k in ds.catalogue.records.counts.items() if not k.mean}
    rows = indicator_rows(ds, Request(level="school", indicators=INDICATORS, publish=True))
    plain = indicator_rows(ds, Request(level="school", indicators=INDICATORS))
    assert len(rows) == len(plain)
    hidden = {(r["org_unit"], r["indicator"]) for r in rows if r["suppressed"]}
    assert hidden and len(hidden) < len(rows)
    shown = {(r["org_unit"], r["indicator"]): r["value"] for r in rows if not r["suppressed"]}
    for (org, ind), v in shown.items():
        if ind in counted:
            assert v == 0 or v >= 5, (org, ind, v)
    for r in rows:
        if r["denominator"] is not None and not r["suppressed"]:
            assert not any((r["org_unit"], i) in hidden for i in r["inputs"]), r
    for org in {r["org_unit"] for r in rows}:
        g, e, f = (shown.get((org, k)) for k in ("graduates", "employed_direct", "further_study"))
        if None not in (g, e, f):
            assert g - e - f == 0 or g - e - f >= 5, (org, g, e, f)


def test_empty_lines_and_rows_of_empty_fields(tmp_path):
    ds = load_dataset(_dataset(tmp_path, "\r\n".join([
        "学校标识码,专业代码,年级,入学年份,学制,学籍状态",
        "0140213001,051300,1,2022,3,在校",   # line 2: good
        "",                                  # line 3: an empty line (skipped by the engines)
        ",,,,,",                             # line 4: a spreadsheet's empty row: no record
        "0140213001,051300,七,2020,3,在校",   # line 5: grade not a number
        "",                                  # line 6
        "",                                  # line 7
        "0140213002,090100,2,2021,3,在读",   # line 8: status not one of the choices
        " , ,,, ,",                          # line 9: blanks only
        "", ]), encoding="gbk"))
    found = sorted((f.code, f.location.cell) for f in ds.findings if f.code.startswith("records."))
    assert found == [("records.bad_value", "第5行"), ("records.bad_value", "第8行")]
    assert _students(ds) == {"0140213001": 1, "0140213002": 0}  # school 2's one record is not counted


def test_empty_lines_are_dropped_for_copy_across_chunk_ends():
    import io
    import random

    from nianbao.store.engines.postgres import _without_empty_lines

    rng = random.Random(11)
    for _ in range(300):
        lines = [rng.choice(["", "\r", "a,b", "0140213001,,在校\r", "x"]) for _ in range(rng.randint(0, 12))]
        data = "\n".join(lines).encode("utf-8") + rng.choice([b"", b"\n", b"\r\n"])
        # an empty line: nothing, or a carriage return alone, before its line feed
        expected = b"".join(line + b"\n" for line in data.split(b"\n")[:-1] if line not in (b"", b"\r"))
        last = data.split(b"\n")[-1]
        expected += last if last not in (b"", b"\r") else b""
        got = b"".join(_without_empty_lines(io.BytesIO(data), size=rng.randint(1, 7)))
        assert got == expected, data
