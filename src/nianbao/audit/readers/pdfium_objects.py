"""A PDF page's characters, rules and pictures read with PDFium (pypdfium2, which pdfplumber
already depends on), in the form pdfplumber's own parser gives them. PDFium interprets a page in
C, some thirty times faster than pdfminer's Python: the reader hands these objects to pdfplumber
(its table finder and text lines work on them unchanged). A page PDFium cannot give in that
form (form XObjects, rotated text, text not upright) returns None and pdfminer reads it."""

from __future__ import annotations

import ctypes

PATH, IMAGE, FORM, TEXT = 2, 3, 5, 1  # FPDF_PAGEOBJ_*
_LINETO, _MOVETO = 0, 2  # FPDF_SEGMENT_* (1 is a Bézier segment)


def open_document(path):
    """The PDFium document of ``path``, or None where PDFium cannot open it."""
    try:
        import pypdfium2 as pdfium

        return pdfium.PdfDocument(str(path))
    except Exception:  # any failure: pdfminer reads the file instead
        return None


def page_objects(doc, index: int, height: float, doctop: float, number: int) -> dict | None:
    """{"char": [...], "line": [...], "rect": [...], "curve": [...], "image": [...]} of one page
    in pdfplumber's coordinates (top from the top of the page), or None."""
    import pypdfium2.raw as raw

    page = doc[index]
    try:
        if page.get_rotation():
            return None
        out: dict[str, list] = {"char": [], "line": [], "rect": [], "curve": [], "image": []}
        count = raw.FPDFPage_CountObjects(page.raw)
        for i in range(count):
            obj = raw.FPDFPage_GetObject(page.raw, i)
            kind = raw.FPDFPageObj_GetType(obj)
            if kind == FORM:
                return None
            if kind == IMAGE:
                box = _bounds(raw, obj)
                if box:
                    out["image"].append(_box("image", box, height, doctop, number))
            elif kind == PATH:
                if not _paths(raw, obj, height, doctop, number, out):
                    return None
        if not _chars(raw, page, height, doctop, number, out["char"]):
            return None
        return out
    finally:
        page.close()


def _bounds(raw, obj):
    left, bottom, right, top = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    if not raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
        return None
    return left.value, bottom.value, right.value, top.value


def _box(kind: str, box, height: float, doctop: float, number: int) -> dict:
    x0, y0, x1, y1 = box
    top = height - y1
    return {"object_type": kind, "page_number": number, "x0": x0, "y0": y0, "x1": x1, "y1": y1,
            "width": x1 - x0, "height": y1 - y0, "top": top, "bottom": height - y0, "doctop": doctop + top}


def _paths(raw, obj, height, doctop, number, out) -> bool:
    """A painted path as pdfminer splits it: each subpath a line (one straight segment), a rect
    (four axis-parallel segments) or a curve (its points). Returns False for a Bézier path."""
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    if not raw.FPDFPath_GetDrawMode(obj, fill, stroke):
        return True
    if not fill.value and not stroke.value:
        return True  # neither filled nor stroked: not painted
    m = raw.FS_MATRIX()
    if not raw.FPDFPageObj_GetMatrix(obj, m):
        return False
    n = raw.FPDFPath_CountSegments(obj)
    subpaths: list[list[tuple[float, float]]] = []
    closed: list[bool] = []
    x, y = ctypes.c_float(), ctypes.c_float()
    for k in range(n):
        seg = raw.FPDFPath_GetPathSegment(obj, k)
        t = raw.FPDFPathSegment_GetType(seg)
        if t not in (_LINETO, _MOVETO):
            return False
        raw.FPDFPathSegment_GetPoint(seg, x, y)
        px, py = m.a * x.value + m.c * y.value + m.e, m.b * x.value + m.d * y.value + m.f
        if t == _MOVETO or not subpaths:
            subpaths.append([(px, py)])
            closed.append(False)
        else:
            subpaths[-1].append((px, py))
        if raw.FPDFPathSegment_GetClose(seg):
            closed[-1] = True
    for pts, close in zip(subpaths, closed):
        if close and pts[-1] != pts[0]:
            pts = pts + [pts[0]]
        if len(pts) < 2:
            continue
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        box = (min(xs), min(ys), max(xs), max(ys))
        page_pts = [(p[0], height - p[1]) for p in pts]
        common = {"stroke": bool(stroke.value), "fill": bool(fill.value), "pts": page_pts}
        if len(pts) == 2:
            out["line"].append({**_box("line", box, height, doctop, number), **common})
        elif len(pts) == 5 and pts[0] == pts[-1] and _axis_rect(pts):
            out["rect"].append({**_box("rect", box, height, doctop, number), **common})
        else:
            out["curve"].append({**_box("curve", box, height, doctop, number), **common})
    return True


def _axis_rect(pts) -> bool:
    return all(a[0] == b[0] or a[1] == b[1] for a, b in zip(pts, pts[1:]))


def _chars(raw, page, height, doctop, number, chars: list) -> bool:
    """The characters drawn on the page as pdfminer boxes them: from the origin to the advance
    (the next character's origin on the same line where PDFium's box is wider than the glyph's
    advance), a font size high from the baseline. The spaces and line ends PDFium adds are left
    out (pdfplumber puts spaces where the gaps are, as with pdfminer's characters). A character
    without a Unicode value is "(cid:N)", as pdfminer prints it."""
    tp = page.get_textpage()
    try:
        t = tp.raw
        count, unicode, added, angle = raw.FPDFText_CountChars, raw.FPDFText_GetUnicode, raw.FPDFText_IsGenerated, \
            raw.FPDFText_GetCharAngle
        origin, loose, font_size, map_error = raw.FPDFText_GetCharOrigin, raw.FPDFText_GetLooseCharBox, \
            raw.FPDFText_GetFontSize, raw.FPDFText_HasUnicodeMapError
        x, y = ctypes.c_double(), ctypes.c_double()
        rect = raw.FS_RECTF()
        items = []  # (code, added, origin x, origin y, box right, size, index)
        for i in range(count(t)):
            code = unicode(t, i)
            generated = added(t, i) == 1
            if generated and code != 0x20:
                continue
            if abs(angle(t, i)) > 1e-6:
                return False  # rotated text: pdfminer's boxes differ
            if not origin(t, i, x, y) or not loose(t, i, rect):
                continue
            items.append((code, generated, x.value, y.value, rect.right, font_size(t, i), i))
        for k, (code, generated, x0, y0, right, size, i) in enumerate(items):
            if generated:
                continue  # kept above only to give the character before it its advance
            nxt = items[k + 1] if k + 1 < len(items) else None
            same_line = nxt is not None and abs(nxt[3] - y0) < 0.01 and nxt[2] > x0
            x1 = min(right, nxt[2]) if same_line and nxt[2] <= right + 0.01 else right
            if map_error(t, i) == 1:
                text = f"(cid:{code})"
            else:
                text = chr(code) if code and code not in (0xFFFE, 0xFFFF) else ""
            if not text:
                continue
            y1 = y0 + size
            top = height - y1
            chars.append({
                "object_type": "char", "page_number": number, "text": text, "fontname": "", "size": size,
                "adv": x1 - x0, "upright": True, "x0": x0, "x1": x1, "y0": y0, "y1": y1, "width": x1 - x0,
                "height": size, "top": top, "bottom": height - y0, "doctop": doctop + top,
                "matrix": (1, 0, 0, 1, x0, y0)})
        return True
    finally:
        tp.close()
