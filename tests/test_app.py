"""The use cases (nianbao.app) as the web portal calls them: data back (datasets, findings,
paths, rows), errors that say what went wrong in Chinese and English, nothing printed."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from nianbao.app.checking import FORMATS, check, findings_text, has_errors, write_findings
from nianbao.app.datasets import open_dataset
from nianbao.app.errors import FindingsError, UseCaseError
from nianbao.app.imports import import_files
from nianbao.app.school_reports import active_schools, build_school_reports, school_problem
from nianbao.app.standards import school_rows, standards_table
from nianbao.app.templates import school_template, school_templates
from nianbao.core.orgs import COLUMNS as ORG_COLUMNS

SCHOOLS = "examples/datong-2020-schools"
CITY = "examples/datong-2020"
S1, S2, GONE = "0140000001", "0140000002", "0140000003"


@pytest.fixture(scope="module")
def schools():
    return open_dataset(SCHOOLS)


def small(tmp_path) -> Path:
    """Two active schools and a closed one, with a few figures each."""
    d = tmp_path / "small"
    d.mkdir()
    (d / "dataset.yaml").write_text('org_unit: {code: "140900", zh: 示例市, level: city}\n'
                                    "report_year: 2020\nperiods: [2020]\ncatalogue: cn-2016\n", encoding="utf-8")
    school = {"level": "school", "parent": "140902", "county": "140902", "affiliation": "county",
              "ownership": "public", "school_type": "vocational_high", "founded": "1990"}
    with (d / "orgs.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=ORG_COLUMNS)
        w.writeheader()
        w.writerows([{"code": "140900", "zh": "示例市", "level": "city"},
                     {"code": "140902", "zh": "甲区", "level": "county", "parent": "140900"},
                     {**school, "code": S1, "zh": "甲校"}, {**school, "code": S2, "zh": "乙校"},
                     {**school, "code": GONE, "zh": "丙校", "status": "closed", "closed": "2019"}])
    with (d / "values.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["element", "dims", "period", "scope", "value", "source", "note", "org_unit"])
        for org, students, teachers in ((S1, 300, 20), (S2, 500, 25)):
            w.writerow(["students", "", 2020, "all", students, "test", "", org])
            w.writerow(["fulltime_teachers", "", 2020, "all", teachers, "test", "", org])
    return d


def test_an_unusable_folder_is_one_findings_error(tmp_path):
    with pytest.raises(FindingsError) as exc:
        open_dataset(tmp_path / "nothing")
    (f,) = exc.value.findings
    assert f.code == "dataset.unreadable" and f.message_zh and f.message_en and f.hint


def test_check_returns_findings_in_every_format(tmp_path):
    ds = open_dataset(CITY)
    findings = check(ds)
    assert has_errors(findings)  # the published report contradicts itself (claims)
    doc = json.loads(findings_text(findings, ds, "json"))
    assert len(doc["findings"]) == len(findings) and doc["catalogue"] == "cn-2016"
    assert findings_text(findings, ds, "csv").count("\n") == len(findings) + 1  # a header, a row each
    assert "错误" in findings_text(findings, ds, "table") and "Errors" in findings_text(findings, ds, "table", "en")
    path = write_findings(findings, tmp_path / "f.xlsx", ds, "xlsx")
    assert load_workbook(path)["检查结果"].max_row == len(findings) + 1
    assert FORMATS == ("table", "json", "csv", "xlsx")


def test_templates_return_their_paths(schools, tmp_path):
    t = school_template(schools, "0140213012", tmp_path / "one.xlsx")
    assert t.path == tmp_path / "one.xlsx" and t.path.exists() and t.year == 2020 and t.school == "0140213012"
    t = school_template(schools, "0140213012", tmp_path / "folder/")  # a folder: named after the school
    assert t.path.parent == tmp_path / "folder" and t.path.name.startswith("0140213012_")
    with pytest.raises(UseCaseError) as exc:
        school_template(schools, "140213012", tmp_path / "x.xlsx")
    assert "140213012" in exc.value.zh and "orgs.csv" in exc.value.en


def test_templates_of_every_school_and_an_empty_year(tmp_path):
    ds = open_dataset(small(tmp_path))
    made = school_templates(ds, tmp_path / "all", jobs=1)
    assert sorted(t.school for t in made) == [S1, S2]  # not the closed school
    assert all(t.path.exists() for t in made)
    with pytest.raises(UseCaseError) as exc:
        school_templates(ds, tmp_path / "none", year=1980)
    assert "1980" in exc.value.zh


def test_import_names_what_matched_nothing_and_sends_back_an_empty_workbook(tmp_path):
    ds = open_dataset(small(tmp_path))
    with pytest.raises(UseCaseError) as exc:
        import_files(ds, [str(tmp_path / "none-*.xlsx")])
    assert exc.value.notes == [(f"找不到填报表 {tmp_path / 'none-*.xlsx'}", f"no workbook matches {tmp_path / 'none-*.xlsx'}")]
    t = school_template(ds, S1, tmp_path / "in.xlsx")
    run = import_files(ds, [str(t.path)])  # sent back unfilled: refused, with an annotated copy
    assert run.year == 2020 and [o.school for o in run.outcomes] == [S1]
    (o,) = run.rejected
    assert o.annotated == tmp_path / "in.批注.xlsx" and o.annotated.exists()
    assert "workbook.empty" in [f.code for f in o.data.findings]
    assert run.count("stored") == 0 and run.store == ds.path / "nianbao.duckdb"


def test_standards_table_rows_and_an_unknown_standard(schools):
    table = standards_table(schools, "setting_2010")
    assert {r.standard for r in table.results} == {"setting_2010"} and len(table.summaries) == 1
    rows = school_rows(table, "setting_2010")
    assert len(rows) == len([r for r in table.results]) and {r["verdict"] for r in rows} <= {
        "全部达标", "未全部达标", "数据不全", "不适用"}
    with pytest.raises(UseCaseError) as exc:
        standards_table(schools, "nope")
    assert "setting_2010" in exc.value.hint


def test_school_problems_say_which_code_was_meant(tmp_path):
    ds = open_dataset(small(tmp_path))
    assert school_problem(ds, S1) is None
    p = school_problem(ds, S1.lstrip("0"))
    assert S1.lstrip("0") in p.zh and S1 in p.notes[0][0]
    assert "停办" in school_problem(ds, GONE).zh
    assert "orgs.csv" in school_problem(open_dataset(CITY), S1).zh  # no registry at all
    assert [o.code for o in active_schools(ds)] == [S1, S2]


def test_school_reports_report_progress(tmp_path):
    ds = open_dataset(small(tmp_path))
    seen = []
    reports = build_school_reports(ds, tmp_path / "out", pdf=False, allow_errors=True,
                                   progress=lambda r, done, total: seen.append((r.org.code, done, total)))
    assert seen == [(S1, 1, 2), (S2, 2, 2)]
    assert all(r.ok and r.result.docx.exists() for r in reports)
    assert reports[0].result.outdir == tmp_path / "out" / S1


def test_help_needs_no_heavy_library():
    """``nianbao --help`` imports neither the workbook, store, numeric nor chart library."""
    code = ("import sys\nfrom nianbao.cli.main import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('openpyxl', 'duckdb', 'numpy', 'matplotlib', 'docx') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
