"""`nianbao indicators`: levels, breakdowns, formats, members, and clear errors."""

import csv
import io
import json

from nianbao.cli.main import main

EXAMPLE = "examples/datong-2020-schools"


def run(capsys, *args):
    code = main(["indicators", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_city_by_affiliation_as_csv(capsys):
    code, out, _ = run(capsys, EXAMPLE, "--by", "affiliation", "--indicators", "students,schools", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    students = {r["category"]: r for r in rows if r["indicator"] == "students"}
    # 1.1: 省属452人, 市属14514人, 县属7897人
    assert {c: float(r["value"]) for c, r in students.items()} == {"provincial": 452, "municipal": 14514,
                                                                   "county": 7897}
    # the municipal figure includes 17 schools, listed by their 10-digit codes
    assert students["municipal"]["schools"] == "17"
    assert all(len(c) == 10 for c in students["municipal"]["members"].split())


def test_ratio_rows_carry_numerator_and_denominator(capsys):
    code, out, _ = run(capsys, EXAMPLE, "--indicators", "employment_rate", "--format", "json")
    row = json.loads(out)[0]
    # 2.2: (1365 + 4113) / 5758 = 95.14%, over the 31 schools other than technical ones
    assert (row["numerator"], row["denominator"], row["text"], row["schools"]) == (5478, 5758, "95.14%", 31)


def test_county_level_rows_sum_to_the_city(capsys):
    code, out, _ = run(capsys, EXAMPLE, "--level", "county", "--indicators", "students", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    # ten districts and counties; their students add up to 22863 (1.1)
    assert len(rows) == 10 and sum(float(r["value"]) for r in rows) == 22863


def test_school_level_and_table(capsys):
    code, out, _ = run(capsys, EXAMPLE, "--level", "school", "--indicators", "students")
    assert code == 0 and out.count("示例第") == 34


def test_unknown_indicator_and_missing_registry_are_clear_errors(capsys):
    code, _, err = run(capsys, EXAMPLE, "--indicators", "studnets")
    assert code == 2 and "studnets" in err and "改法" in err
    code, _, err = run(capsys, "examples/datong-2020", "--level", "county")
    assert code == 2 and "orgs.csv" in err


def test_short_breakdown_names_and_whole_numbers(capsys):
    # `--by type` is the same breakdown as `--by school_type`
    _, short, _ = run(capsys, EXAMPLE, "--by", "type", "--indicators", "students", "--format", "csv")
    _, full, _ = run(capsys, EXAMPLE, "--by", "school_type", "--indicators", "students", "--format", "csv")
    assert short == full and short.count("\n") > 2
    # counts print as whole numbers: 1.1 公办 18690 人, not 18690.0
    _, out, _ = run(capsys, EXAMPLE, "--by", "ownership", "--indicators", "students", "--format", "csv")
    rows = {r["category"]: r for r in csv.DictReader(io.StringIO(out))}
    assert (rows["public"]["value"], rows["public"]["numerator"]) == ("18690", "18690")
