"""Figures across a change of definition (catalogue ``definition_changed``): 毕业去向落实率 takes
the place of 就业率 from 2022 and 直接就业 counts flexible work from 2022, so a 2022 report never
compares them with 2021 — the sentence says 因统计口径调整，与上年不作比较 and the table leaves the
change blank with a note — while the same base counts (毕业生数) still show 比上年 in every year,
and a 2024 report compares with 2023 as usual. The break is data: a dataset's own element
can carry one, and a break naming a version the catalogue does not extend is a clear error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from nianbao import catalogue as cat_mod
from nianbao.app.datasets import open_dataset
from nianbao.app.errors import FindingsError
from nianbao.report.builder import build_document
from nianbao.report.document import Paragraph, Table

EXAMPLE = Path(__file__).parent.parent / "examples" / "school-2024"
NOT_COMPARED = "因统计口径调整，与上年不作比较"


def shifted(tmp_path, shift: int, **meta) -> Path:
    """The sample school with its years moved by ``shift`` (2023, 2024 → 2021, 2022 for −2)."""
    dst = tmp_path / "ds"
    shutil.copytree(EXAMPLE, dst)
    lines = (dst / "values.csv").read_text(encoding="utf-8").splitlines()
    out = [lines[0]]
    for ln in lines[1:]:
        cells = ln.split(",")
        cells[2] = str(int(cells[2]) + shift)
        out.append(",".join(cells))
    (dst / "values.csv").write_text("\n".join(out) + "\n", encoding="utf-8")
    doc = yaml.safe_load((dst / "dataset.yaml").read_text(encoding="utf-8"))
    doc.update(report_year=2024 + shift, periods=[2023 + shift, 2024 + shift], **meta)
    (dst / "dataset.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return dst


def paragraph(doc, start: str) -> str:
    texts = ["".join(r.text for r in b.runs) for b in doc.blocks if isinstance(b, Paragraph)]
    return next(t for t in texts if start in t)


def values(path: Path, element: str) -> dict[int, int]:
    rows = [ln.split(",") for ln in (path / "values.csv").read_text(encoding="utf-8").splitlines()[1:]]
    return {int(r[2]): int(r[4]) for r in rows if r[0] == element and not r[1]}


def test_the_catalogue_marks_the_breaks():
    cat = cat_mod.load("cn-2023")
    brk = cat.definition_break("placement_rate", 2021, 2022)
    assert brk is not None and brk.year == 2022 and brk.from_code == "employment_rate" and brk.version == "cn-2022"
    # an indicator breaks where an element of its formula does
    assert cat.definition_break("direct_employment_share", 2021, 2022).code == "employed_direct"
    assert cat.definition_break("employment_rate", 2022, 2021).code == "employed_direct"
    assert cat.definition_break("placement_rate", 2023, 2024) is None
    assert cat.definition_break("graduates", 2021, 2022) is None  # a base count feeding both outlines


def test_a_2022_report_does_not_compare_the_placement_rate_with_2021(tmp_path):
    # the 2023 outline compares with the year before; a 2022 report follows it only when
    # dataset.yaml names it (outline_version), cn-2022 being the version in force in 2022
    path = shifted(tmp_path, -2, outline_version="cn-2023")
    doc = build_document(open_dataset(path), (), allow_errors=True, charts=False)
    text = paragraph(doc, "毕业去向落实率为")
    g = values(path, "graduates")  # 2021 and 2022: the same element under both outlines
    assert f"比上年{'增加' if g[2022] > g[2021] else '减少'}{abs(g[2022] - g[2021])}人" in text
    assert "毕业去向落实率为97.04%，" + NOT_COMPARED in text  # 524 ÷ 540 = 97.04% (values.csv)
    assert "个百分点" not in text
    change = next(f for f in doc.facts.values() if f.indicator == "placement_rate" and f.kind == "change")
    assert change.definition_break == 2022
    table = next(b for b in doc.blocks if isinstance(b, Table) and b.key.startswith("employment_quality"))
    rows = {"".join(r.text for r in row[0].runs): ["".join(r.text for r in c.runs) for c in row[1:]]
            for row in table.rows}
    placement = next(v for k, v in rows.items() if k.startswith("毕业去向落实率"))
    assert placement[-1] == "—"  # the change column
    graduates = next(v for k, v in rows.items() if k.startswith("毕业生数"))
    assert graduates[-1].lstrip("+−-") == f"{abs(g[2022] - g[2021])}人"  # the base count is compared
    notes = [n for n in table.notes if "2022年起按新的定义统计" in n]
    assert [n.split("自")[0] for n in notes] == ["毕业去向落实率", "直接就业人数、直接就业占毕业生比例"]  # the share inherits
    assert all(n.endswith("此前年份的数值与其后不作比较。") for n in notes)


def test_a_2024_report_compares_with_2023_across_the_change_of_outline(tmp_path):
    doc = build_document(open_dataset(EXAMPLE), (), allow_errors=True, charts=False)
    text = paragraph(doc, "毕业去向落实率为")
    assert NOT_COMPARED not in text
    # 2023: 538 of 560 placed = 96.07%; 2024: 524 of 540 = 97.04% → up 0.97 points (values.csv)
    assert "毕业去向落实率为97.04%，比上年提高0.97个百分点" in text
    assert not any("按新的定义统计" in n for b in doc.blocks if isinstance(b, Table) for n in b.notes)


@pytest.mark.parametrize("shift,jump", [(-2, False), (0, True)])
def test_no_year_over_year_finding_across_the_break(tmp_path, shift, jump):
    """直接就业 doubles in the second year: worth a look from 2023 to 2024 (a finding), not from
    2021 to 2022, where flexible work starts to count."""
    from nianbao.app.checking import check
    path = shifted(tmp_path, shift)
    e = values(path, "employed_direct")
    first, second = sorted(e)
    text = (path / "values.csv").read_text(encoding="utf-8")
    text = text.replace(f"employed_direct,,{second},all,{e[second]},", f"employed_direct,,{second},all,{2 * e[first]},")
    (path / "values.csv").write_text(text, encoding="utf-8")
    jumps = [f for f in check(open_dataset(path)) if f.code == "yoy.jump" and f.message_zh.startswith("直接就业人数")]
    assert bool(jumps) is jump


def own_element(path: Path, spec: dict) -> None:
    (path / "catalogue").mkdir(exist_ok=True)
    el = {"zh": "校外实训基地数", "en": "off-site training bases", "unit": {"zh": "个", "en": "bases"},
          "type": "count", "period_type": "calendar_year", "definition_changed": spec}
    (path / "catalogue" / "elements.yaml").write_text(yaml.safe_dump({"offsite_bases": el}, allow_unicode=True),
                                                      encoding="utf-8")


def test_a_dataset_element_can_carry_a_break_by_year(tmp_path):
    path = shifted(tmp_path, 0)
    own_element(path, {"year": 2024, "zh": "含合作企业共建基地"})
    ds = open_dataset(path)
    assert ds.catalogue.definition_break("offsite_bases", 2023, 2024).year == 2024


@pytest.mark.parametrize("spec,says", [({"version": "cn-2030"}, "cn-2030"), ({"zh": "无年份"}, "year"),
                                       ({"year": 2024, "from": "no_such_code"}, "no_such_code")])
def test_a_bad_break_is_a_clear_error(tmp_path, spec, says):
    path = shifted(tmp_path, 0)
    own_element(path, spec)
    with pytest.raises(FindingsError) as exc:
        open_dataset(path)
    f = exc.value.findings[0]
    assert says in f.message_zh and "elements.yaml" in str(f.location)
