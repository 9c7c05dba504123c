"""`nianbao standards`: summary and per-school verdicts in three formats."""

import csv
import io
import json

from nianbao.cli.main import main

EXAMPLE = "examples/datong-2020-schools"


def test_table_lists_the_summary_and_every_school(capsys):
    assert main(["standards", EXAMPLE, "--standard", "conditions_2022"]) == 0
    out = capsys.readouterr().out
    assert "全部指标" in out and out.count("示例第") == 34


def test_csv_rows_and_summary_agree(capsys):
    main(["standards", EXAMPLE, "--standard", "conditions_2022", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    main(["standards", EXAMPLE, "--standard", "conditions_2022", "--format", "json", "--summary"])
    summary = json.loads(capsys.readouterr().out)["summary"][0]
    land = next(c for c in summary["criteria"] if c["criterion"] == "land_area")
    # the summary counts the rows: schools meeting 校园占地面积
    assert land["met"] == sum(1 for r in rows if r["criterion"] == "land_area" and r["met"] == "True")
    assert land["assessed"] == sum(1 for r in rows if r["criterion"] == "land_area" and r["met"] in ("True", "False"))
    # codes stay text with their leading zero
    assert all(r["org_unit"].startswith("0") and len(r["org_unit"]) == 10 for r in rows)


def test_unknown_standard_is_a_clear_error(capsys):
    assert main(["standards", EXAMPLE, "--standard", "nope"]) == 2
    err = capsys.readouterr().err
    assert "nope" in err and "setting_2010" in err


def test_every_engine_prints_the_same_verdicts_and_plan(capsys):
    """``--engine``: the verdicts and the plan the Python reference gives, on DuckDB (the
    default) and SQLite — byte for byte, and not empty."""
    outs = {}
    for engine in ("python", "duckdb", "sqlite"):
        for args in (["--format", "csv"], ["--plan", "--format", "csv"]):
            assert main(["standards", EXAMPLE, "--engine", engine, *args]) == 0
            outs.setdefault(args[0], []).append(capsys.readouterr().out)
    for texts in outs.values():
        assert texts[0].count("\n") > 30 and texts.count(texts[0]) == 3
    assert main(["standards", EXAMPLE, "--format", "csv"]) == 0  # unnamed: DuckDB
    assert capsys.readouterr().out == outs["--format"][0]


def test_an_engine_that_cannot_run_is_a_clear_error(capsys):
    url = "postgresql://nobody@127.0.0.1:1/none"  # no server listens on port 1
    for args in ([], ["--plan"]):
        assert main(["standards", EXAMPLE, "--engine", "postgres", "--database", url, *args]) == 2
        err = capsys.readouterr().err
        assert "PostgreSQL" in err and "改法" in err
