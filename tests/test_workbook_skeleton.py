"""A school's workbook from the year's skeleton is the workbook openpyxl builds for that school.

``workbook.generate`` builds a year's workbook once with markers in the cells that differ from
school to school and writes each school's package from it. Here every part of that package is
compared byte for byte with the package openpyxl writes for the same school (only the times of
writing may differ): for the schools of two examples (2020 and 2024 outlines, with and without
last year's figures) and for schools whose names hold what XML escapes, quotes, or
a text that would run as a formula (built whole by openpyxl, its guard kept).
"""

from __future__ import annotations

import csv
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from nianbao.core import exports
from nianbao.ingest import workbook
from nianbao.ingest.cells import open_workbook, read_sheet
from nianbao.ingest.dataset import load_dataset
from nianbao.ingest.workbook import building

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
STAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|\.\d+)?")


def _openpyxl_package(ds, school: str, year: int, out: Path) -> Path:
    layout = workbook.layout_for(ds.catalogue, year)
    cells = building._school_cells(layout, building._school_facts(ds, school, year),
                                   building._previous(ds, school, year), year)
    building._build(ds, layout, year, exports.put, cells).save(out)
    return out


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: STAMP.sub(b"T", z.read(n)) for n in z.namelist()}


def _same(ds, school: str, year: int, tmp: Path) -> None:
    fast = workbook.generate(ds, school, year, tmp / "skeleton.xlsx")
    slow = _openpyxl_package(ds, school, year, tmp / "openpyxl.xlsx")
    a, b = _parts(fast), _parts(slow)
    assert list(a) == list(b)
    for name in a:
        assert a[name] == b[name], (school, name)


@pytest.mark.parametrize("example,year", [("datong-2020-schools", 2020), ("datong-2024-schools", 2024)])
def test_every_school_of_an_example(example, year, tmp_path):
    ds = load_dataset(EXAMPLES / example)
    schools = [o.code for o in ds.orgs.at_level("school")]
    previous = [s for s in schools if building._previous(ds, s, year)]
    assert previous  # some schools carry last year's figures into the workbook
    for school in schools:
        _same(ds, school, year, tmp_path)


NAMES = {  # school code in examples/datong-2020-schools → the name it is given here
    "0140213001": "A&B<职业>学校",  # escaped in XML
    "0140213002": "\"示例\"与'示例'学校",  # quotes: left as they are in a text node
    "0140213003": "=1+1职业学校",  # would run as a formula: guarded, built by openpyxl
    "0140213004": "@示例学校",
}


def test_names_that_xml_escapes_or_that_would_run_as_formulas(tmp_path):
    folder = tmp_path / "ds"
    shutil.copytree(EXAMPLES / "datong-2020-schools", folder)
    path = folder / "orgs.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert set(NAMES) <= {r["code"] for r in rows}
    for r in rows:
        r["zh"] = NAMES.get(r["code"], r["zh"])
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    ds = load_dataset(folder)
    for code, name in NAMES.items():
        _same(ds, code, 2020, tmp_path)
        wb = open_workbook((tmp_path / "skeleton.xlsx").open("rb"))
        meta = read_sheet(wb[workbook.META_SHEET]).values
        first = read_sheet(wb[wb.sheetnames[0]]).values
        wb.close()
        assert meta[(5, 2)] == name  # school_name, read back as typed
        assert name in first[(1, 2)]  # the title of the first sheet
