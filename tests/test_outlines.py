"""The 2022 and 2023–2025 outlines: every report type of each version renders from the sample
school, an unknown version or report type is a one-line error (exit 2), a school without
graduates leaves the graduate rows of the annex blank (无须填写) without a finding, and the
completeness check (框架完整性) names an empty required part and an empty required row."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from nianbao.app.checking import check
from nianbao.app.datasets import open_dataset
from nianbao.cli.main import main
from nianbao.report.builder import build_document
from nianbao.report.document import Heading, Table

EXAMPLE = Path(__file__).parent.parent / "examples" / "school-2024"


def copy(tmp_path, **meta) -> Path:
    dst = tmp_path / "ds"
    shutil.copytree(EXAMPLE, dst)
    doc = yaml.safe_load((dst / "dataset.yaml").read_text(encoding="utf-8"))
    doc.update(meta)
    (dst / "dataset.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return dst


def set_value(path: Path, element: str, period: int, value: str) -> None:
    lines = (path / "values.csv").read_text(encoding="utf-8").splitlines()
    out = [(f"{element},,{period},all,{value}," + ln.split(",", 5)[5]) if ln.startswith(f"{element},,{period},") else ln
           for ln in lines]
    (path / "values.csv").write_text("\n".join(out) + "\n", encoding="utf-8")


PARTS = {"cn-2022": ["学生发展", "教学改革", "政策保障", "国际合作", "服务贡献", "面临挑战", "附件"],
         "cn-2023": ["人才培养", "服务贡献", "文化传承", "国际合作", "产教融合", "发展保障", "面临挑战", "附件"]}
TYPES = {"cn-2022": ["school", "city", "province"], "cn-2023": ["school", "city", "province", "county"]}


@pytest.mark.parametrize("version,rtype", [(v, t) for v, ts in TYPES.items() for t in ts])
def test_each_report_type_renders(tmp_path, version, rtype):
    ds = open_dataset(copy(tmp_path, catalogue=version, report_type=rtype, periods=[2024] if version == "cn-2022" else [2023, 2024]))
    doc = build_document(ds, (), allow_errors=True, charts=False)
    parts = [b.title for b in doc.blocks if isinstance(b, Heading) and b.level == 1]
    assert parts[1:1 + len(PARTS[version])] == PARTS[version]  # 前言 (案例目录) first, 数据说明 … after
    annex = [b for b in doc.blocks if isinstance(b, Table) and b.key.startswith("annex:")]
    assert len(annex) == (1 if version == "cn-2022" else 6)


def test_placement_rate_from_counts(tmp_path):
    ds = open_dataset(EXAMPLE)
    doc = build_document(ds, (), allow_errors=True, charts=False)
    fact = next(f for f in doc.facts.values() if f.indicator == "placement_rate" and f.period == 2024)
    assert fact.text.startswith("97.04")  # 524 ÷ 540 × 100 = 97.037… (values.csv, 2024)


def test_unknown_report_type_is_one_line_exit_2(tmp_path, capsys):
    rc = main(["report", str(EXAMPLE), "--outline", "nation", "-o", str(tmp_path / "o"), "--no-pdf"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and "nation" in err[0] and "school" in err[0] and "province" in err[0]


def test_unknown_version_is_one_line_exit_2(capsys):
    rc = main(["outlines", "--version", "cn-2030"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and "cn-2023" in err[0]


def test_outlines_lists_versions_and_parts(capsys):
    assert main(["outlines"]) == 0
    out = capsys.readouterr().out
    for v in ("cn-2016", "cn-2022", "cn-2023"):
        assert v in out
    assert "文化传承（必备）" in out and "表6 发展保障指标" in out
    assert main(["outlines", "--lang", "en", "--version", "cn-2022"]) == 0
    assert "Challenges (required)" in capsys.readouterr().out


def test_no_graduates_rows_left_blank(tmp_path):
    path = copy(tmp_path)
    set_value(path, "graduates", 2024, "0")
    ds = open_dataset(path)
    doc = build_document(ds, (), allow_errors=True, charts=False)
    talent = next(b for b in doc.blocks if isinstance(b, Table) and b.key == "annex:talent")
    rows = {"".join(r.text for r in row[1].runs): "".join(r.text for r in row[3].runs) for row in talent.rows}
    assert rows["毕业去向落实率*"] == "无须填写"
    assert rows["在校生数"] == "1905"
    assert any("没有2024届毕业生" in n for n in talent.notes)
    codes = [f.code for f in check(ds)]
    assert "outline.annex_row_empty" not in codes


def test_completeness_names_empty_required_part_and_row(tmp_path):
    path = copy(tmp_path)
    (path / "narrative" / "challenges.md").unlink()
    lines = [ln for ln in (path / "values.csv").read_text(encoding="utf-8").splitlines()
             if not (ln.startswith("income,") and ",2024," in ln)]
    (path / "values.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = check(open_dataset(path))
    empty = [f for f in found if f.code == "outline.part_empty"]
    assert [f.location.section for f in empty] == ["7"] and all(f.severity == "error" for f in empty)
    rows = [f for f in found if f.code == "outline.annex_row_empty"]
    assert [f.values.get("row_en") for f in rows] == ["income"]
