"""The form's figures are typed into the school's workbook on its XML (fast); the result reads
back exactly as the same texts typed with openpyxl: the same rows, the same findings."""

from helpers import SCHOOL_A

from nianbao.app import submissions
from nianbao.ingest import workbook


def test_typing_on_the_xml_reads_back_as_typing_with_openpyxl(tmp_path):
    from nianbao.web import services

    ds = services.dataset()
    values = submissions.previous_values(ds, SCHOOL_A, 2021)
    values.update({"students": "=1+1", "entrants": "２２１", "graduates": "154人", "info:filled_by": "张<&>\x07",
                   "majors#1:name": "机电技术应用", "majors#1:code": "051300", "majors#2:name": "会计<事务>"})
    blank = submissions.blank_workbook(ds, SCHOOL_A, 2020)
    fast, slow = tmp_path / "fast.xlsx", tmp_path / "slow.xlsx"
    data = submissions._type_xml(ds, blank, values)
    assert data is not None
    fast.write_bytes(data)
    submissions._type_openpyxl(ds, blank, values, slow)
    a, b = workbook.read(fast, ds, 2020), workbook.read(slow, ds, 2020)
    assert sorted(r.identity for r in a.submission.rows) == sorted(r.identity for r in b.submission.rows)
    assert [(f.code, f.location.sheet, f.location.cell) for f in a.findings] == \
           [(f.code, f.location.sheet, f.location.cell) for f in b.findings]
    codes = {f.code for f in a.findings}
    assert {"value.formula_no_cache", "value.fullwidth", "value.unit_suffix"} <= codes
    assert a.submission.contact["filled_by"] == "张<&>"
