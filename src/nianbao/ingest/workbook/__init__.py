"""School data workbooks (学校数据填报表).

The catalogue's ``workbook.yaml`` says which data elements a school fills in, on which sheet.
This module turns it into an .xlsx for one school and one year (:func:`generate`), reads a filled
copy back into figures and findings (:func:`read`), and marks the problems in a copy that can be
sent back to the school (:func:`annotate`).

Every row carries its data element code in the hidden column A, so reading does not depend on
row positions or label texts. Computed cells hold Excel formulas for the school's benefit; on
import nianbao never reads them (Excel's cached results are not trusted): stored figures come
only from input cells, and the counts of a list are recomputed from its records.
"""


from nianbao.ingest.workbook.annotating import annotate, annotated_name
from nianbao.ingest.workbook.building import excel_formula, fill, generate
from nianbao.ingest.workbook.layout import (
    FIRST_ROW,
    FORMAT,
    HEADER_ROW,
    HEADERS,
    ISSUES_SHEET,
    META_SHEET,
    PREV,
    VALUE,
    Column,
    Item,
    Layout,
    LayoutError,
    SheetLayout,
    choices,
    layout_for,
    load_layout,
    majors_version,
)
from nianbao.ingest.workbook.reading import WorkbookData, read

__all__ = ["FIRST_ROW", "FORMAT", "HEADER_ROW", "HEADERS", "ISSUES_SHEET", "META_SHEET", "PREV", "VALUE", "Column",
           "Item", "Layout", "LayoutError", "SheetLayout", "WorkbookData", "annotate", "annotated_name", "choices",
           "excel_formula", "fill", "generate", "layout_for", "load_layout", "majors_version", "read"]
