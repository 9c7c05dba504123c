"""`nianbao indicators --scope`: the figures of one scope (口径), and scope labels that say what the
data are. Expected figures are those of examples/datong-2020/values.csv (the seed report)."""

import json
import textwrap

from nianbao.cli.main import main

DATONG = "examples/datong-2020"


def rows(capsys, *args):
    assert main(["indicators", *args, "--format", "json"]) == 0
    return {r["indicator"]: r for r in json.loads(capsys.readouterr().out)}


def test_either_scope_of_graduates_is_shown(capsys):
    # 1.1 毕业生7163人 (no scope stated); 5.1 毕业生5758人（不含技工院校）
    default = rows(capsys, DATONG, "--indicators", "graduates")
    assert (default["graduates"]["value"], default["graduates"]["scope"]) == (7163, "unstated")
    excl = rows(capsys, DATONG, "--indicators", "graduates,employment_rate,students", "--scope", "excl_technical")
    assert (excl["graduates"]["value"], excl["graduates"]["scope"]) == (5758, "excl_technical")
    # (1365 + 4113) ÷ 5758 × 100 = 95.137 → 95.14%, every input 不含技工学校
    assert excl["employment_rate"]["text"] == "95.14%"
    # no student count is given without 技工学校: the row is left out, not filled from another scope
    assert "students" not in excl
    unstated = rows(capsys, DATONG, "--indicators", "graduates", "--scope", "unstated")
    assert unstated["graduates"]["value"] == 7163


def test_unknown_scope_is_a_clear_error(capsys):
    assert main(["indicators", DATONG, "--scope", "technical_only"]) == 2
    err = capsys.readouterr().err
    assert "technical_only" in err and "excl_technical" in err


def test_a_dataset_without_technical_schools_is_not_labelled_as_including_them(tmp_path, capsys):
    (tmp_path / "dataset.yaml").write_text(textwrap.dedent("""
        org_unit: {code: "140221", zh: 阳高县, en: Yanggao, level: county, parent: "140200"}
        report_year: 2021
        periods: [2021]
        catalogue: cn-2016
        """), encoding="utf-8")
    (tmp_path / "values.csv").write_text("element,dims,period,scope,value,source\nschools,,2021,all,3,县统计\n"
                                         "students,,2021,all,2410,县统计\n", encoding="utf-8")
    assert main(["indicators", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "全口径" in out and "含技工学校" not in out
    # Datong tells 技工学校 apart (figures 不含技工学校): its own labels stay as they are
    assert main(["indicators", DATONG, "--indicators", "graduates", "--scope", "excl_technical"]) == 0
    assert "不含技工学校" in capsys.readouterr().out
