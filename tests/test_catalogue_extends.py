"""Catalogue versions extend each other, and a dataset adds to the version it names: the merge
rules (mappings by key, keyed lists by code / id, $drop, $replace, $after / $before), a child
version in a folder of its own, and a dataset adding an element and an indicator — with clear
errors for a clash, a cycle and an unknown parent."""

import csv
import io
import re
import shutil
import textwrap
from pathlib import Path

import pytest

from nianbao import catalogue
from nianbao.app.datasets import open_dataset
from nianbao.catalogue.errors import CatalogueError
from nianbao.catalogue.merge import Layer, merge
from nianbao.cli.main import main
from nianbao.core.findings import FindingsError
from nianbao.ingest.workbook import load_layout

VERSION = Layer(file="child/x.yaml", base="parent")
DATASET = Layer(file="ds/catalogue/x.yaml", base="cn-2016", strict=True)


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# -- the merge rules ---------------------------------------------------------------------------

def test_mappings_merge_by_key_and_values_replace():
    base = {"a": {"zh": "甲", "unit": {"zh": "人", "en": "persons"}}, "b": {"zh": "乙"}}
    over = {"a": {"unit": {"zh": "万人"}}, "c": {"zh": "丙"}}
    out = merge(base, over, VERSION)
    assert out == {"a": {"zh": "甲", "unit": {"zh": "万人", "en": "persons"}}, "b": {"zh": "乙"}, "c": {"zh": "丙"}}
    assert list(out) == ["a", "b", "c"]  # new keys after the parent's
    assert base["a"]["unit"]["zh"] == "人"  # the parent is not changed


def test_plain_lists_are_replaced_whole_and_replace_takes_an_entry_as_written():
    base = {"students": {"dims": ["affiliation", "ownership"], "zh": "在校生数", "source": "x"}}
    out = merge(base, {"students": {"dims": ["ownership"]}}, VERSION)
    assert out["students"]["dims"] == ["ownership"]
    out = merge(base, {"students": {"$replace": True, "zh": "学生数"}}, VERSION)
    assert out == {"students": {"zh": "学生数"}}  # dims and source gone with the old entry


def test_keyed_lists_merge_by_code_then_id_and_place_new_items():
    base = {"rules": [{"code": "r1", "severity": "error"}, {"code": "r2", "severity": "warning"},
                      {"code": "r3", "severity": "info"}]}
    over = {"rules": [{"code": "r2", "severity": "error"}, {"code": "r1", "$drop": True},
                      {"code": "r4", "severity": "info", "$after": "r2"}, {"code": "r0", "severity": "info"},
                      {"code": "r3", "$before": "r2"}]}
    out = merge(base, over, VERSION)
    assert [(r["code"], r["severity"]) for r in out["rules"]] == [
        ("r3", "info"), ("r2", "error"), ("r4", "info"), ("r0", "info")]
    sections = [{"id": "3.1", "zh": "专业布局"}, {"id": "3.2", "zh": "质量保证"}]
    out = merge({"sections": sections}, {"sections": [{"id": "3.2", "zh": "质量保证体系"}]}, VERSION)
    assert out["sections"] == [{"id": "3.1", "zh": "专业布局"}, {"id": "3.2", "zh": "质量保证体系"}]


def test_a_dropped_key_goes():
    assert merge({"a": 1, "b": 2}, {"a": {"$drop": True}}, VERSION) == {"b": 2}
    assert merge({"a": 1}, {"$replace": True, "z": 9}, VERSION) == {"z": 9}  # a whole file replaced


@pytest.mark.parametrize("over, words", [
    ({"x": {"$drop": True}}, "不存在"),                          # nothing to drop
    ({"a": [1, 2]}, "映射"),                                      # a list over a mapping
    ({"a": {"$remove": True}}, "$remove"),                        # unknown directive
    ({"a": {"$drop": True, "zh": "甲"}}, "不能再写"),               # a drop with fields
    ({"l": [{"id": "9", "$after": "nope"}]}, "nope"),            # anchor missing
    ({"l": [{"zh": "无代码"}]}, "id"),                             # a keyed list's item without its key
    ({"l": [{"id": "1"}, {"id": "1"}]}, "两次"),                  # an item twice
    ({"a": {"$replace": "yes"}}, "true"),                         # directive values are true
])
def test_what_cannot_be_merged_is_an_error_naming_the_file_and_entry(over, words):
    base = {"a": {"zh": "甲"}, "l": [{"id": "1"}, {"id": "2"}]}
    with pytest.raises(CatalogueError) as exc:
        merge(base, over, VERSION)
    assert words in str(exc.value) and "child/x.yaml" in str(exc.value)
    assert exc.value.file == "child/x.yaml" and exc.value.hint


def test_a_dataset_adds_and_changes_only_with_override():
    base = {"students": {"zh": "在校生数", "unit": {"zh": "人"}}}
    assert merge(base, {"new": {"zh": "新"}}, DATASET)["new"] == {"zh": "新"}
    assert merge(base, {"students": {"zh": "在校生数"}}, DATASET) == base  # the same value is no clash
    with pytest.raises(CatalogueError) as exc:
        merge(base, {"students": {"unit": {"zh": "万人"}}}, DATASET)
    message = str(exc.value)
    assert "ds/catalogue/x.yaml" in message and "students.unit.zh" in message and "cn-2016" in message
    assert "'人'" in message and "'万人'" in message and "$override" in exc.value.hint
    out = merge(base, {"students": {"$override": True, "unit": {"zh": "万人"}}}, DATASET)
    assert out["students"]["unit"]["zh"] == "万人"


# -- a version extending another ---------------------------------------------------------------

@pytest.fixture()
def child(tmp_path):
    """cn-2099: only what changes against cn-2016."""
    root = tmp_path / "versions"
    v = root / "cn-2099"
    write(v, "catalogue.yaml", """\
        extends: cn-2016
        id: cn-2099
        name_zh: 测试提纲（2099年版）
        valid_from: 2099
    """)
    write(v, "indicators.yaml", """\
        student_teacher_ratio:
          format: {decimals: 1}
        staff_per_school:
          zh: 校均教职工数
          en: staff per school
          numerator: staff
          denominator: schools
          unit: {zh: 人, en: persons}
          format: {style: number, decimals: 1}
    """)
    write(v, "outline.yaml", """\
        outlines:
          city:
            parts:
              - id: "1"
                sections:
                  - id: "1.2"
                    zh: 办学条件
                  - id: "1.3"
                    $drop: true
                  - id: "1.4"
                    zh: 校均规模
                    en: School size
                    blocks:
                      - sentence: school_size
                    $before: "1.2"
        sentences:
          school_size:
            zh: "{year}年，校均教职工{staff_per_school}。"
            en: "In {year}, {staff_per_school} staff per school."
    """)
    write(v, "rules.yaml", """\
        rules:
          - code: breakdown.incomplete
            severity: info
    """)
    write(v, "workbook.yaml", """\
        sheets:
          - id: scale
            zh: 在校生规模
    """)
    return root


def test_a_child_version_holds_only_what_changes(child):
    parent, cat = catalogue.load("cn-2016"), catalogue.load("cn-2099", root=child)
    assert cat.id == "cn-2099" and cat.lineage == ("cn-2099", "cn-2016")
    assert cat.meta["name_zh"] == "测试提纲（2099年版）" and cat.meta["valid_from"] == 2099
    assert cat.meta["scopes"] == parent.meta["scopes"]  # inherited
    assert cat.elements == parent.elements and cat.standards == parent.standards
    # an indicator changed field by field, one added
    assert cat.indicators["student_teacher_ratio"].decimals == 1
    assert cat.indicators["student_teacher_ratio"].numerator == parent.indicators["student_teacher_ratio"].numerator
    assert cat.indicators["staff_per_school"].denominator == "schools"
    # the outline: 1.4 placed before 1.2, 1.2 renamed with its blocks kept, 1.3 dropped, other parts as they were
    sections = cat.outline["outlines"]["city"]["parts"][0]["sections"]
    old = parent.outline["outlines"]["city"]["parts"][0]["sections"]
    assert [s["id"] for s in sections] == ["1.1", "1.4", "1.2"]
    assert sections[2]["zh"] == "办学条件" and sections[2]["blocks"] == old[1]["blocks"]
    assert cat.outline["outlines"]["city"]["parts"][1:] == parent.outline["outlines"]["city"]["parts"][1:]
    assert "school_size" in cat.outline["sentences"] and "scale_overview" in cat.outline["sentences"]
    # a rule changed by code, every other rule kept in its place
    codes = [r["code"] for r in cat.rules["rules"]]
    assert codes == [r["code"] for r in parent.rules["rules"]]
    rule = next(r for r in cat.rules["rules"] if r["code"] == "breakdown.incomplete")
    assert rule["severity"] == "info" and rule["message"] == next(
        r for r in parent.rules["rules"] if r["code"] == "breakdown.incomplete")["message"]
    assert parent.indicators["student_teacher_ratio"].decimals == 2  # the parent is untouched


def test_a_child_versions_workbook_merges_sheet_by_sheet(child):
    parent, cat = catalogue.load("cn-2016"), catalogue.load("cn-2099", root=child)
    sheets, old = load_layout(cat).sheets, load_layout(parent).sheets
    assert [s.zh for s in sheets] == [("在校生规模" if s.id == "scale" else s.zh) for s in old]
    assert [len(s.items) for s in sheets] == [len(s.items) for s in old]


def test_unknown_parent_and_cycle_are_errors(tmp_path):
    write(tmp_path / "a", "catalogue.yaml", "extends: b\n")
    write(tmp_path / "b", "catalogue.yaml", "extends: a\n")
    write(tmp_path / "c", "catalogue.yaml", "extends: cn-1999\n")
    with pytest.raises(CatalogueError) as exc:
        catalogue.load("a", root=tmp_path)
    assert "成环" in str(exc.value) and "a → b → a" in str(exc.value)
    with pytest.raises(CatalogueError) as exc:
        catalogue.load("c", root=tmp_path)
    assert "cn-1999" in str(exc.value) and str(tmp_path / "c" / "catalogue.yaml") in str(exc.value)
    assert "cn-2016" in str(exc.value)  # the versions there are


def test_a_key_written_twice_is_an_error_with_its_line(tmp_path):
    v = tmp_path / "cn-2098"
    write(v, "catalogue.yaml", "extends: cn-2016\n")
    write(v, "elements.yaml", """\
        schools_new:
          zh: 学校数
        schools_new:
          zh: 学校数（重复）
    """)
    with pytest.raises(CatalogueError) as exc:
        catalogue.load("cn-2098", root=tmp_path)
    assert "第3行" in str(exc.value) and "schools_new" in str(exc.value) and exc.value.file.endswith("elements.yaml")


def test_a_bad_entry_is_named_with_the_file_that_set_it(tmp_path):
    v = tmp_path / "cn-2097"
    write(v, "catalogue.yaml", "extends: cn-2016\n")
    path = write(v, "indicators.yaml", """\
        broken_share:
          zh: 错误指标
          en: broken
          numerator: no_such_element
          denominator: students
          unit: {zh: "%", en: "%"}
          format: {style: percent}
    """)
    with pytest.raises(CatalogueError) as exc:
        catalogue.load("cn-2097", root=tmp_path)
    assert "no_such_element" in str(exc.value) and str(path) in str(exc.value)


# -- a dataset adding to its version -----------------------------------------------------------

ELEMENT = """\
    students_3plus2:
      zh: 中高职贯通（3+2）在校生数
      en: students in 3+2 programmes
      unit: {zh: 人, en: students}
      type: count
      period_type: school_year
      source: 测试数据
"""
INDICATOR = """\
    students_3plus2_share:
      zh: 贯通培养在校生占比
      en: share of students in 3+2 programmes
      numerator: students_3plus2
      denominator: students
      factor: 100
      unit: {zh: "%", en: "%"}
      format: {style: percent, decimals: 2}
"""


@pytest.fixture()
def city(tmp_path):
    ds = tmp_path / "city"
    shutil.copytree("examples/datong-2020", ds)
    return ds


def test_a_dataset_adds_an_element_and_an_indicator(city, capsys):
    write(city / "catalogue", "elements.yaml", ELEMENT)
    write(city / "catalogue", "indicators.yaml", INDICATOR)
    with (city / "values.csv").open("a", encoding="utf-8") as f:
        f.write("students_3plus2,,2020,unstated,2100,测试,\n")  # an invented figure for the test
    ds = open_dataset(city)
    assert ds.catalogue.id == "cn-2016"  # still the version it names
    assert "students_3plus2" in ds.catalogue.elements and "students_3plus2_share" in ds.catalogue.indicators
    assert ds.catalogue.sources[-2:] == (str(city / "catalogue" / "elements.yaml"),
                                         str(city / "catalogue" / "indicators.yaml"))
    assert "students_3plus2" not in catalogue.load("cn-2016").elements  # the shared version is unchanged
    assert not [f for f in ds.findings if "students_3plus2" in f.message_zh]  # the new rows are read

    assert main(["indicators", str(city), "--indicators", "students_3plus2_share", "--format", "csv"]) == 0
    (row,) = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    # 2100 / 22863 (表一: 2020 在校生 22863 人) × 100 = 9.1851… → 9.19%
    assert row["text"] == "9.19%" and row["numerator"] == "2100" and row["denominator"] == "22863"


def test_a_dataset_that_changes_the_catalogue_without_override_is_told_where(city, capsys):
    path = write(city / "catalogue", "elements.yaml", """\
        students:
          zh: 学生人数
    """)
    with pytest.raises(FindingsError) as exc:
        open_dataset(city)
    (f,) = exc.value.findings
    assert f.location.file == str(path) and "students.zh" in f.message_zh and "在校生数" in f.message_zh
    assert "$override" in f.hint
    assert main(["check", str(city)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "students.zh" in err

    write(city / "catalogue", "elements.yaml", """\
        students:
          $override: true
          zh: 学生人数
    """)
    assert open_dataset(city).catalogue.elements["students"].zh == "学生人数"  # read again once changed


@pytest.mark.parametrize("name, text, words", [
    ("element.yaml", "x: {}\n", "不是目录文件"),
    ("catalogue.yaml", "extends: cn-2016\n", "不能写 extends"),
    ("indicators.yaml", "gv_ratio: [1]\n", "无法合并"),
])
def test_a_datasets_catalogue_files_are_checked(city, name, text, words):
    write(city / "catalogue", name, text)
    with pytest.raises(FindingsError) as exc:
        open_dataset(city)
    assert words in exc.value.findings[0].message_zh and name in exc.value.findings[0].location.file


def test_a_dataset_on_a_child_version_gets_its_outline(child, tmp_path):
    ds = tmp_path / "city"
    shutil.copytree("examples/datong-2020", ds)
    meta = (ds / "dataset.yaml").read_text(encoding="utf-8")
    (ds / "dataset.yaml").write_text(meta.replace("catalogue: cn-2016", "catalogue: cn-2099\ncatalogue_root: ../versions"),
                                     encoding="utf-8")
    # cn-2099 is valid from 2099: the 2020 report follows cn-2016, the version in force in 2020,
    # with every indicator of cn-2099 known
    cat = open_dataset(ds).catalogue
    assert cat.id == "cn-2016" and "staff_per_school" in cat.indicators
    assert cat.outline == catalogue.load("cn-2016").outline
    # outline_version names the version whose outline the report follows
    (ds / "dataset.yaml").write_text((ds / "dataset.yaml").read_text(encoding="utf-8") + "outline_version: cn-2099\n",
                                     encoding="utf-8")
    assert open_dataset(ds).catalogue.lineage == ("cn-2099", "cn-2016")
    assert main(["report", str(ds), "-o", str(tmp_path / "out"), "--no-pdf"]) == 0
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    headings = re.findall(r"<h3[^>]*>([^<]*)</h3>", html)
    assert headings[:3] == ["1.1 规模和结构", "1.4 校均规模", "1.2 办学条件"]  # 1.4 placed before 1.2, 1.3 dropped
    # 1.3 of the report: 教职工 2492 人; 表一: 34 所 → 2492 / 34 = 73.29 → 73.3 (one decimal, as the version says)
    assert "2020年，校均教职工73.3人。" in re.sub(r"<[^>]+>", "", html)
