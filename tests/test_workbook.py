"""School data workbooks: what `nianbao template` writes."""

from pathlib import Path

import pytest
from openpyxl import load_workbook

from nianbao.cli.main import main
from nianbao.ingest import workbook
from nianbao.ingest.dataset import load_dataset

SCHOOL = "0140200001"  # leading zero: must survive as text
OTHER = "0140200002"

DATASET_YAML = """org_unit: {code: "140200", zh: 大同市, level: city, parent: "140000"}
report_year: 2020
periods: [2019, 2020]
catalogue: cn-2016
"""
ORGS_CSV = """code,zh,en,level,parent,county,affiliation,ownership,school_type,founded,status,closed
140200,大同市,Datong,city,140000,,,,,,,
140213,平城区,Pingcheng,county,140200,,,,,,,
0140200001,大同市第一职业中专,,school,140213,140213,municipal,public,regular_specialized,1958,active,
0140200002,平城区职业高级中学,,school,140213,140213,county,public,vocational_high,1984,active,
0140200003,已撤并职业学校,,school,140213,140213,county,public,vocational_high,1980,merged,2018
"""
# last year's figure of the first school, shown in the workbook for reference
VALUES_CSV = """element,dims,period,scope,value,source,note,org_unit
students,,2019,all,1200,学校2019年填报,,0140200001
sv_expenditure,,2019,all,0.1,学校2019年填报,,0140200001
"""


def make_dataset(root: Path) -> Path:
    ds = root / "ds"
    ds.mkdir()
    (ds / "dataset.yaml").write_text(DATASET_YAML, encoding="utf-8")
    (ds / "orgs.csv").write_text(ORGS_CSV, encoding="utf-8")
    (ds / "values.csv").write_text(VALUES_CSV, encoding="utf-8")
    return ds


@pytest.fixture
def dataset(tmp_path):
    return make_dataset(tmp_path)


@pytest.fixture
def generated(dataset, tmp_path):
    ds = load_dataset(dataset)
    path = workbook.generate(ds, SCHOOL, 2020, tmp_path / "学校数据表.xlsx")
    return ds, path


def row_of(ws, code: str) -> int:
    for r in range(1, ws.max_row + 1):
        if ws.cell(r, 1).value == code:
            return r
    raise AssertionError(f"no row with code {code} on {ws.title}")


def test_one_sheet_per_topic_and_a_very_hidden_meta_sheet(generated):
    ds, path = generated
    wb = load_workbook(path)
    layout = workbook.load_layout(ds.catalogue)
    topics = [s.zh for s in layout.sheets]
    assert wb.sheetnames == topics + ["_meta"]
    for name in ("基本信息", "办学规模", "设施设备", "教师队伍", "学生发展", "就业与升学", "专业设置",
                 "校企合作与社会服务", "经费"):
        assert name in topics
    meta_ws = wb["_meta"]
    assert meta_ws.sheet_state == "veryHidden"
    meta = {r[0]: r[1] for r in meta_ws.iter_rows(values_only=True)}
    assert meta["format"] == workbook.FORMAT
    assert meta["template"] == f"cn-2016/{layout.version}"
    assert meta["catalogue"] == "cn-2016"
    assert meta["school_code"] == SCHOOL
    assert meta["school_name"] == "大同市第一职业中专"
    assert meta["year"] == "2020"
    assert all(ws.sheet_state == "visible" for ws in wb.worksheets[:-1])


def test_identifiers_are_text_cells_and_registry_facts_are_carried_over(generated):
    _, path = generated
    wb = load_workbook(path)
    ws = wb["基本信息"]
    code_cell = ws[f"F{row_of(ws, 'info:code')}"]
    assert code_cell.value == SCHOOL and isinstance(code_cell.value, str)
    assert code_cell.number_format == "@"
    assert code_cell.fill.start_color.rgb.endswith("DDEBF7")  # light blue: carried over
    assert code_cell.protection.locked
    phone = ws[f"F{row_of(ws, 'info:phone')}"]
    assert phone.number_format == "@" and not phone.protection.locked
    assert ws[f"F{row_of(ws, 'info:affiliation')}"].value == "市属"
    assert ws[f"F{row_of(ws, 'info:county')}"].value == "平城区"
    majors = wb["专业设置"]
    first = row_of(majors, "majors#1")
    assert majors[f"C{first}"].number_format == "@"  # 专业代码 keeps its leading zeros


def test_input_cells_white_and_unlocked_computed_cells_blue_with_formulas(generated):
    _, path = generated
    wb = load_workbook(path)
    ws = wb["就业与升学"]
    for code in ("employed_direct", "further_study"):
        cell = ws[f"F{row_of(ws, code)}"]
        assert cell.fill.start_color.rgb.endswith("FFFFFF")
        assert not cell.protection.locked
    rate = ws[f"F{row_of(ws, 'indicator:employment_rate')}"]
    assert rate.fill.start_color.rgb.endswith("BDD7EE")
    assert rate.protection.locked
    # the formula uses the input cells of its numerator and denominator, wherever they are
    scale = wb["办学规模"]
    formula = rate.value
    assert formula.startswith("=")
    assert f"F{row_of(ws, 'employed_direct')}" in formula
    assert f"F{row_of(ws, 'further_study')}" in formula
    assert f"'办学规模'!F{row_of(scale, 'graduates')}" in formula
    for ws in wb.worksheets:
        assert ws.protection.sheet, ws.title
        if ws.title != "_meta":
            assert ws.column_dimensions["A"].hidden
    assert wb.security.lockStructure


def test_last_years_figure_is_shown_for_reference(generated):
    _, path = generated
    ws = load_workbook(path)["办学规模"]
    r = row_of(ws, "students")
    assert ws[f"G{r}"].value == 1200
    assert ws[f"G{r}"].fill.start_color.rgb.endswith("DDEBF7")
    assert ws[f"F{r}"].value is None  # this year's cell is left to the school
    # an element typed in another unit is shown in that unit: 0.1 亿元 = 1000 万元
    fund = load_workbook(path)["经费"]
    assert fund[f"G{row_of(fund, 'sv_expenditure')}"].value == 1000
    assert fund[f"D{row_of(fund, 'sv_expenditure')}"].value == "万元"


def _validation_for(ws, cell: str):
    for dv in ws.data_validations.dataValidation:
        if cell in dv.sqref:
            return dv
    return None


def test_data_validations_for_counts_rates_amounts_and_choices(generated):
    _, path = generated
    wb = load_workbook(path)
    ws = wb["办学规模"]
    dv = _validation_for(ws, f"F{row_of(ws, 'students')}")
    assert dv.type == "whole" and dv.operator == "greaterThanOrEqual" and dv.formula1 == "0"
    ws = wb["校企合作与社会服务"]
    dv = _validation_for(ws, f"F{row_of(ws, 'interns_long_share_reported')}")
    assert dv.type == "decimal" and (dv.formula1, dv.formula2) == ("0", "100")
    ws = wb["设施设备"]
    dv = _validation_for(ws, f"F{row_of(ws, 'floor_area')}")
    assert dv.type == "decimal" and dv.formula1 == "0"
    ws = wb["专业设置"]
    first = row_of(ws, "majors#1")
    dv = _validation_for(ws, f"E{first}")  # 专业大类: the categories of the catalogue in use
    assert dv.type == "list" and "信息技术类" in dv.formula1
    dv = _validation_for(ws, f"H{first}")
    assert dv.type == "list" and dv.formula1 == '"是,否"'


def test_disaggregations_expand_to_one_row_per_category(generated):
    ds, path = generated
    ws = load_workbook(path)["教师队伍"]
    codes = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    for cat in ds.catalogue.dimensions["degree"]["categories"]:
        assert f"fulltime_teachers[degree={cat}]" in codes
    for cat in ds.catalogue.dimensions["title"]["categories"]:
        assert f"fulltime_teachers[title={cat}]" in codes


def test_template_command_one_school_and_all(dataset, tmp_path, capsys):
    out = tmp_path / "one.xlsx"
    assert main(["template", str(dataset), "--year", "2020", "--school", SCHOOL, "-o", str(out)]) == 0
    assert out.exists()
    folder = tmp_path / "all"
    assert main(["template", str(dataset), "--all", "-o", str(folder)]) == 0
    made = sorted(p.name for p in folder.glob("*.xlsx"))
    # the merged school (closed 2018) gets no workbook for 2020
    assert len(made) == 2 and made[0].startswith(SCHOOL) and made[1].startswith(OTHER)
    # a folder as output (not yet existing): the file is named after the school
    assert main(["template", str(dataset), "--school", OTHER, "-o", str(tmp_path / "new") + "/"]) == 0
    assert [p.name.split("_")[0] for p in (tmp_path / "new").iterdir()] == [OTHER]
    assert main(["template", str(dataset), "--school", "9999999999", "-o", str(out)]) == 2
    assert "9999999999" in capsys.readouterr().err
