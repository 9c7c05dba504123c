"""``nianbao check``: formats, language and exit codes."""

import csv
import io
import json
from pathlib import Path

import openpyxl
from test_check_rules import CLEAN, make_dataset, replaced

from nianbao.cli.main import main

EXAMPLE = str(Path(__file__).resolve().parents[1] / "examples" / "datong-2020")


def test_clean_dataset_exits_0(tmp_path, capsys):
    # the small clean dataset has no error by the rules (it lacks much that a report needs,
    # which `--rules-only` leaves aside; see test_check_locations for those findings)
    make_dataset(tmp_path, CLEAN)
    assert main(["check", str(tmp_path), "--rules-only"]) == 0
    assert "共 0 条：错误 0 条，警告 0 条，提示 0 条" in capsys.readouterr().out


def test_warnings_only_exit_0(tmp_path, capsys):
    make_dataset(tmp_path, replaced(CLEAN, "fulltime_teachers", "title=untitled", 2020, None))
    assert main(["check", str(tmp_path), "--rules-only"]) == 0
    out = capsys.readouterr().out
    assert "警告（1）" in out and "breakdown.incomplete" in out


def test_errors_exit_1_and_claim_errors_count(tmp_path, capsys):
    make_dataset(tmp_path, CLEAN, ["dual_teacher_ratio,,2020,31%,1.3,,,,"])
    # 60 / 150 = 40%, printed 31%: a claim error, which does not stop a report but fails the check
    assert main(["check", str(tmp_path)]) == 1
    assert "claim.mismatch" in capsys.readouterr().out


def test_unreadable_input_exits_2_without_traceback(tmp_path, capsys):
    assert main(["check", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert "找不到数据集文件夹" in err and "Traceback" not in err


def test_json_lists_every_finding(capsys):
    assert main(["check", EXAMPLE, "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["org_unit"] == "140200"
    assert doc["summary"]["error"] == sum(f["severity"] == "error" for f in doc["findings"])
    keys = {"code", "severity", "message_zh", "message_en", "hint", "location", "period", "org_unit", "values"}
    assert all(keys <= set(f) for f in doc["findings"])
    assert {"file", "sheet", "cell", "section"} == set(doc["findings"][0]["location"])


def test_csv_and_xlsx_have_one_row_per_finding(tmp_path, capsys):
    assert main(["check", EXAMPLE, "--format", "json"]) == 1
    n = len(json.loads(capsys.readouterr().out)["findings"])
    assert main(["check", EXAMPLE, "--format", "csv"]) == 1
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == n and rows[0]["severity"] == "error" and json.loads(rows[0]["values"])
    out = tmp_path / "findings.xlsx"
    assert main(["check", EXAMPLE, "--format", "xlsx", "-o", str(out)]) == 1
    wb = openpyxl.load_workbook(out)
    ws = wb["检查结果"]
    assert ws.max_row == n + 1 and ws["B1"].value == "代码 code"
    assert sum(r[2].value for r in wb["汇总"].iter_rows(min_row=2)) == n


def test_english_table(capsys):
    assert main(["check", EXAMPLE, "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "Errors (" in out and "stored as a clock time" in out


def test_xlsx_needs_an_output_file(capsys):
    assert main(["check", EXAMPLE, "--format", "xlsx"]) == 2
    assert "-o" in capsys.readouterr().err


def test_output_to_a_missing_folder(tmp_path, capsys):
    assert main(["check", EXAMPLE, "--format", "json", "-o", str(tmp_path / "no" / "such.json")]) == 2
    assert "无法写入" in capsys.readouterr().err


SCHOOLS = Path(__file__).resolve().parents[1] / "examples" / "datong-2020-schools"


def test_the_engines_give_the_check_the_same_findings(capsys):
    # the Python handlers are the reference; the compiled rules on DuckDB and SQLite list the
    # same findings, in the same order, with the same words
    out = {}
    for engine in ("python", "duckdb", "sqlite"):
        assert main(["check", str(SCHOOLS), "--engine", engine, "--rules-only", "--format", "csv"]) in (0, 1)
        out[engine] = capsys.readouterr().out
    assert out["python"].count("\n") > 10
    assert out["duckdb"] == out["python"] and out["sqlite"] == out["python"]


def test_an_engine_that_is_not_set_up_is_a_clear_refusal(tmp_path, capsys, monkeypatch):
    # engine: postgres in dataset.yaml without a database: exit 2 with what to set, not exit 3
    monkeypatch.delenv("NIANBAO_DATABASE_URL", raising=False)
    ds = tmp_path / "ds"
    ds.mkdir()
    for name in ("dataset.yaml", "orgs.csv", "values.csv"):
        (ds / name).write_bytes((SCHOOLS / name).read_bytes())
    with (ds / "dataset.yaml").open("a", encoding="utf-8") as f:
        f.write("\nengine: postgres\n")
    assert main(["check", str(ds)]) == 2
    err = capsys.readouterr().err
    assert "PostgreSQL" in err and "NIANBAO_DATABASE_URL" in err and "内部错误" not in err
