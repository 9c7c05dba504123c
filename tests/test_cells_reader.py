"""nianbao's sheet reader (ingest/cells.py) against openpyxl's own parser, cell by cell.

nianbao reads only the rows and merged ranges of a sheet and turns inline texts into strings
itself (openpyxl would build an object for every data validation and every rich-text run). On
every workbook where openpyxl's parser reads a sheet at all, both must see the same cells with
the same values; nianbao may only add BadCells where openpyxl would guess (a number written in a
form its type forbids, a cell written twice). The workbooks are the fuzz test's filled school
workbook and its mutations that keep the XML well formed.
"""

from __future__ import annotations

import io

import openpyxl
import pytest
from fuzz_workbooks import apply, build_base, cases
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.worksheet._reader import WorkSheetParser

from nianbao.ingest.cells import BadCell, open_workbook, read_sheet


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return build_base(tmp_path_factory.mktemp("cells"))


def _reference(data: bytes) -> dict[str, dict | None]:
    """Sheet name → (row, column) → value as openpyxl's parser reads the sheet (None where it
    fails on the sheet), and the merged ranges as openpyxl's full reader lists them."""
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    out: dict[str, dict | None] = {}
    for ws in wb.worksheets:
        cells = {}
        try:
            with ws._get_source() as src:
                parser = WorkSheetParser(src, ws._shared_strings, data_only=False, epoch=wb.epoch,
                                         date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
                for _, row in parser.parse():
                    for c in row:
                        if c["value"] is not None:
                            cells[(c["row"], c["column"])] = c["value"]
        except Exception:
            out[ws.title] = None
            continue
        out[ws.title] = cells
    wb.close()
    return out


def _merged(data: bytes) -> dict[str, set[str]]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return {ws.title: {str(r) for r in ws.merged_cells.ranges} for ws in wb.worksheets}


def _compare(data: bytes) -> tuple[int, int]:
    """Compare every sheet both readers read: (cells with equal values, cells openpyxl read)."""
    reference = _reference(data)
    wb = open_workbook(io.BytesIO(data))
    compared = total = 0
    try:
        for name in wb.sheetnames:
            ref = reference.get(name)
            ours = read_sheet(wb[name])
            if ref is None or ours.broken is not None:
                continue
            total += len(ref)
            for key, value in ref.items():
                assert key in ours.values, (name, key, value)
                got = ours.values[key]
                if isinstance(got, BadCell):
                    continue  # nianbao refuses to guess where openpyxl reads some number
                assert got == value and type(got) is type(value), (name, key, value, got)
                compared += 1
            extra = {k: v for k, v in ours.values.items() if k not in ref and not isinstance(v, BadCell)}
            assert not extra, (name, extra)
    finally:
        wb.close()
    return compared, total


def test_the_filled_workbook_reads_the_same(base):
    book = apply(base, [])
    data = book.zip_bytes()
    compared, total = _compare(data)
    assert total and compared == total  # every cell of every sheet, none a BadCell
    wb = open_workbook(io.BytesIO(data))
    assert {n: set(read_sheet(wb[n]).merged) for n in wb.sheetnames} == _merged(data)
    wb.close()


def test_rich_text_and_shared_strings_read_as_their_plain_text(base):
    # an inline text in two formatted runs (as another program may write it) and a shared string
    book = apply(base, [])
    part = book.part_of(next(iter(base.sheet_parts)))
    xml = book.text(part)
    rich = ('<c r="Z1" t="inlineStr"><is><r><rPr><b/></rPr><t>大同</t></r><r><t xml:space="preserve">'
            ' 市</t></r><rPh sb="0" eb="1"><t>ダ</t></rPh></is></c>')
    xml = xml.replace("</row>", rich + "</row>", 1)
    book.put(part, xml)
    data = book.zip_bytes()
    _compare(data)
    wb = open_workbook(io.BytesIO(data))
    values = read_sheet(wb[next(iter(base.sheet_parts))]).values
    wb.close()
    assert "大同 市" in values.values()  # the runs joined, the phonetic guide left out


@settings(max_examples=60, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_mutated_workbooks_read_the_same(base, data):
    mutations = data.draw(cases(base, ("cell", "text", "format", "structure"), max_size=3), label="mutations")
    raw = apply(base, mutations).zip_bytes()
    try:
        openpyxl.load_workbook(io.BytesIO(raw), read_only=True).close()
    except Exception:
        return  # a workbook openpyxl cannot open at all has no reference to compare with
    _compare(raw)
