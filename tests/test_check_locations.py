"""Findings about imported figures point to the workbook cell the school typed them in."""

from nianbao.check.explain import location_of
from nianbao.ingest.dataset import Observation


def _obs(origin, source=""):
    return Observation(element="students", dims=(), period=2020, scope="all", value=1.0,
                       org_unit="0140200001", source=source, origin=origin)


def test_workbook_origin_gives_file_sheet_and_cell():
    loc = location_of(_obs("示例学校.xlsx 办学规模!F4"), _obs("示例学校.xlsx 办学规模!F5"))
    assert (loc.file, loc.sheet, loc.cell) == ("示例学校.xlsx", "办学规模", "F4、F5")


def test_cells_of_two_sheets_name_their_sheet():
    loc = location_of(_obs("a.xlsx 办学规模!F4"), _obs("a.xlsx 教师队伍!F9"))
    assert (loc.sheet, loc.cell) == ("办学规模", "F4、教师队伍!F9")


def test_csv_origin_gives_rows():
    loc = location_of(_obs("values.csv:12", "1.1"), _obs("values.csv:9", "表一"))
    assert (loc.file, loc.sheet, loc.cell, loc.section) == ("values.csv", "", "第9、12行", "1.1；表一")


def test_check_of_school_data_names_schools_missing_from_an_aggregate(tmp_path):
    import shutil

    from nianbao.check.engine import check_dataset
    from nianbao.ingest.dataset import load_dataset

    ds_dir = tmp_path / "schools"
    shutil.copytree("examples/datong-2020-schools", ds_dir)
    values = ds_dir / "values.csv"
    lines = values.read_text(encoding="utf-8").splitlines(keepends=True)
    # drop one school's floor area of 2020: the city's sum then covers one school fewer
    victim = next(i for i, line in enumerate(lines) if line.startswith("floor_area,,2020,"))
    school = lines[victim].rstrip("\n").split(",")[-1]
    values.write_text("".join(lines[:victim] + lines[victim + 1:]), encoding="utf-8")
    findings = check_dataset(load_dataset(ds_dir))
    gaps = [f for f in findings if f.code == "aggregate.incomplete" and f.values["element"] == "floor_area"
            and f.period == 2020]
    assert gaps and all(f.values["missing"] == [school] for f in gaps)
    assert gaps[0].values["members"] - gaps[0].values["reported"] == 1


def test_check_lists_what_the_outline_needs_and_the_data_lack(tmp_path):
    """A city that reports only its student count: `nianbao check` names the figures the report
    would need (the same findings that stop `nianbao report`), section by section."""
    from nianbao.app.checking import check
    from nianbao.cli.main import main
    from nianbao.ingest.dataset import load_dataset

    (tmp_path / "dataset.yaml").write_text(
        'org_unit: {code: "140300", zh: 阳泉市, level: city}\nreport_year: 2020\nperiods: [2019, 2020]\n',
        encoding="utf-8")
    (tmp_path / "values.csv").write_text(
        "element,dims,period,scope,value,source,note\nstudents,,2020,,12000,,\nstudents,,2019,,11500,,\n",
        encoding="utf-8")
    findings = check(load_dataset(tmp_path), outline=True)
    gaps = [f for f in findings if f.code == "report.not_reported"]
    assert any("教职工数" in f.message_zh and f.location.section == "1.3" for f in gaps)
    assert not any(f.code == "report.missing_value" for f in findings)  # a missing figure is no error
    assert all(f.severity == "info" for f in gaps)
    # the figures the city has give a report (exit 0); check lists the gaps without an error (exit 0)
    assert main(["check", str(tmp_path)]) == 0
    assert main(["report", str(tmp_path), "-o", str(tmp_path / "out"), "--no-pdf"]) == 0
