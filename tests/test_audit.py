"""nianbao audit: reading published reports and finding their contradictions. Expected values
are worked out by hand from the seed report (tests/fixtures/seed), with the arithmetic alongside;
nianbao's own reports, built here from consistent data, must audit without an error."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from auditkit import SEED, figure_coverage, seed_docx

from nianbao.app.audit import audit_file, audit_paths
from nianbao.app.reporting import build_report
from nianbao.cli.main import main
from nianbao.ingest.dataset import load_dataset

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ["datong-2020", "datong-2020-schools"]
# every example's own report must audit without an error (the two Datong ones print hundreds of figures)
ALL_EXAMPLES = sorted(p.parent.name for p in (ROOT / "examples").glob("*/dataset.yaml"))
HAS_SOFFICE = shutil.which("soffice") is not None


@pytest.fixture(scope="module")
def own_reports(tmp_path_factory):
    out = {}
    for name in ALL_EXAMPLES:
        d = tmp_path_factory.mktemp(name)
        r = build_report(load_dataset(ROOT / "examples" / name), d, pdf=HAS_SOFFICE, appendix=True)
        out[name] = r
    return out


@pytest.fixture(scope="module")
def seed():
    return audit_file(SEED)


def codes(result, code, **values):
    return [f for f in result.findings if f.code == code and all(f.values.get(k) == v for k, v in values.items())]


# -- precision: nianbao's own reports ---------------------------------------------------------

@pytest.mark.parametrize("name", ALL_EXAMPLES)
@pytest.mark.parametrize("kind", ["docx", "html", "pdf"])
def test_own_reports_audit_without_error(own_reports, name, kind):
    r = own_reports[name]
    path = {"docx": r.docx, "html": r.html, "pdf": r.pdf}[kind]
    if path is None:
        pytest.fail(f"LibreOffice did not make a PDF: {r.pdf_note}")
    result = audit_file(path)
    assert result.unreadable is None
    errors = [f"{f.code} {f.location.cell} {f.message_zh}" for f in result.findings if f.severity == "error"]
    assert errors == []
    # the report prints its figures in text, tables and the appendix: hundreds are read
    assert len(result.claims) > (250 if name in EXAMPLES else 0)


def test_a_planted_error_in_an_own_report_is_found(own_reports, tmp_path):
    # 1938 专任教师 of 2492 教职工 = 77.77%; print 79.77% instead
    src = own_reports["datong-2020"].docx
    dst = tmp_path / "planted.docx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.replace(">77.77%<".encode(), ">79.77%<".encode(), 1)
            zout.writestr(item, data)
    result = audit_file(dst)
    f, = [f for f in result.findings if f.code == "claim.mismatch" and f.values.get("stated") == "79.77%"]
    assert f.severity == "error" and round(f.values["recomputed"], 2) == 77.77


# -- the seed: what the report prints against itself -------------------------------------------

def test_seed_ratio_printed_as_a_time(seed):
    # 表一 prints 7:03 for 2019, and the chart stores 0.29375 = (7 × 60 + 3) / 1440
    got = {f.values["stated"] for f in codes(seed, "claim.as_time")}
    assert got == {"7:03", "0.29375"}


def test_seed_shares_against_their_counts(seed):
    by = {f.values["stated"]: f for f in codes(seed, "claim.mismatch")}
    # 499 / 1938 = 25.75%, printed 31%
    assert round(by["31%"].values["recomputed"], 2) == 25.75
    # 449 / 2492 = 18.02%, printed 20%; 499 / 2492 = 20.02% would give it
    assert round(by["20%"].values["recomputed"], 2) == 18.02
    # 22863 / 1938 = 11.80:1, printed 11.56:1; (22863 − 452) / 1938 = 11.564 gives it
    assert round(by["11.56:1"].values["recomputed"], 2) == 11.80
    assert by["11.56:1"].values["explained_by"][0].startswith("22411")
    # (1 + 423) / 1938 = 21.88%, printed 24.8%
    assert round(by["24.8%"].values["recomputed"], 2) == 21.88
    # 4.67亿元 / 22863 = 20426.02 元, printed 24183.34元 (dated 2021 in the text)
    assert round(by["24183.34元"].values["recomputed"]) == 20426
    assert codes(seed, "audit.year_after_report")


def test_seed_text_against_table(seed):
    got = {f.values["stated"]: f.values["recomputed"] for f in codes(seed, "claim.mismatch")
           if f.values["stated"] in ("95.4%", "90%", "91.2%")}
    # 2.1 prints 95.4%, 90%, 91.2%; 表四 2020 has 94.88%, 96%, 95.5%
    assert got == {"95.4%": 94.88, "90%": 96, "91.2%": 95.5}


def test_seed_change_column_and_points(seed):
    dropped = {(f.values["stated"], round(f.values["recomputed"], 2)) for f in codes(seed, "claim.change_sign_dropped")}
    # 94.88 − 95.10 = −0.22; 94.63 − 95.10 = −0.47; 95 − 97.70 = −2.70; 90.25 − 97.70 = −7.45
    assert dropped == {("0.22%", -0.22), ("0.47%", -0.47), ("2.7%", -2.7), ("7.45%", -7.45)}
    # eight entries of 表四's change column and 提高4.75% (95 − 90.25) use % for points
    assert len(codes(seed, "claim.pp_as_percent")) == 9


def test_seed_chart_data(seed):
    scale, = codes(seed, "claim.chart_scale")
    assert scale.values["stated"] == "65.27"  # 891 / 1365 = 65.27%, typed among fractions
    zeros = [f for f in codes(seed, "claim.mismatch") if f.values["stated"] == "0"]
    # 普职招生比 2018, 2020; starting income 2018–2020; 本地就业 2019, 2020
    assert len(zeros) == 7
    grads = [f for f in codes(seed, "claim.mismatch") if f.values["stated"] == "8986人"]
    # the chart's 2019 row holds 8986 graduates, 2018's figure of 表一 (表六 says 6091)
    assert grads and grads[0].values["recomputed"] == 6091


def test_seed_small_school_share_and_the_base_that_gives_it(seed):
    # 9.1.1: "我市35所中职学校在校生不足500人的有12所，占总数的34.28％". The report's own count is 34
    # schools (1.1, 表一): 12 ÷ 34 × 100 = 35.294 → 35.29%, printed 34.28%. The printed share implies
    # 12 × 100 ÷ 34.28 = 35.006 ≈ 35 schools, the 35所 of the same sentence: 12 ÷ 35 × 100 = 34.2857%,
    # which gives 34.28 only cut off after two decimals (rounded it is 34.29)
    f, = [f for f in codes(seed, "claim.mismatch") if f.values["stated"] == "34.28%"]
    assert f.severity == "error" and f.values["inputs"] == {"schools_under_500": 12, "schools": 34}
    assert round(f.values["recomputed"], 2) == 35.29 and round(f.values["implied_denominator"]) == 35
    base = f.values["reconciling_base"]
    assert base["value"] == 35 and round(base["share"], 4) == 34.2857 and base["cut_off"]
    assert "35所" in f.message_zh and "截尾" in f.message_zh and "报告中没有印出" not in f.message_zh
    # "其中在校生不足200人的有5所": the count of the smaller group, read with its bound
    five = [c for c in seed.claims if c.raw == "5所" and c.target == "schools_under_200"]
    assert len(five) == 1


def test_seed_industry_shares_of_the_chart_do_not_add_up(seed):
    # the chart data of 5.1 store fractions: 2019 0.012 + 0.088 + 0.902 = 1.002 → 100.2%, three shares of
    # one decimal may miss 100 by 3 × 0.05 = 0.15 at most; 2020 0.01 + 0.1075 + 0.8839 = 1.0014 → 100.14%,
    # 3 × 0.005 = 0.015 at most (as nianbao check finds from claims.csv)
    got = {f.period: (f.values["sum"], f.values["tolerance"], f.severity) for f in codes(seed, "breakdown.shares_off")}
    assert got == {2019: (100.2, 0.15, "warning"), 2020: (100.14, 0.015, "warning")}
    f = codes(seed, "breakdown.shares_off")[0]
    assert f.location.file == "datong-2020.txt" and len(f.values["claims"]) == 3


def test_own_report_reads_the_small_school_sentence(own_reports):
    # the outline's sentence "在校生不足500人的学校有12所，占学校总数的35.29%，其中不足200人的5所"
    # (12 ÷ 34 × 100 = 35.29): the counts and the share are read as the catalogue's figures and agree
    result = audit_file(own_reports["datong-2020"].docx)
    text = [c for c in result.claims if not c.where.table and "不足500人" in c.context]
    assert {(c.raw, c.target) for c in text if c.kind in ("count", "percent") and c.target} == {
        ("12所", "schools_under_500"), ("35.29%", "small_school_share"), ("5所", "schools_under_200")}
    ids = {c.id for c in text}
    assert not [f for f in result.findings if set(f.values.get("claims", [])) & ids]


def test_labels_of_a_school_report(tmp_path):
    """Sentences and table labels of the school outline (examples/school-2024), each mapped to
    what it names; 2.61 + 37.91 + 59.48 = 100 and 4 ÷ 540 × 100 = 0.74: nothing to find."""
    from nianbao import catalogue as cat_mod
    from nianbao.audit.mapping import Lexicon
    from nianbao.audit.model import Claim, Where

    text = tmp_path / "school.txt"
    text.write_text("2024年，学校毕业生540人。直接就业的毕业生中,在第一产业就业的占2.61%,第二产业占37.91%,"
                    "第三产业占59.48%。自主创业的毕业生4人,占毕业生的0.74%。\n", encoding="utf-8")
    r = audit_file(text)
    by = {c.raw: c for c in r.claims}
    assert [by[x].dims for x in ("2.61%", "37.91%", "59.48%")] == [
        (("industry", "primary"),), (("industry", "secondary"),), (("industry", "tertiary"),)]
    assert by["540人"].target == "graduates" and by["4人"].target != "graduates"
    assert r.errors == 0
    lex = Lexicon(cat_mod.load("cn-2016"))

    def mapped(label, kind, raw, unit):
        c = Claim(raw=raw, kind=kind, value=float(raw.rstrip("%")), decimals=2, unit=unit, label=label,
                  where=Where(table="表11", row=2, col=2), period=2024, total=True, context=label)
        lex.map_claim(c)
        return c.target

    # 30 of 371 further-study graduates went to a bachelor programme: a share of 升学, not 升学率
    assert mapped("升入本科占升学人数比例", "percent", "8.09%", "%") != "further_study_rate"
    # a salary is not a count of graduates in direct employment
    assert mapped("直接就业毕业生平均起薪(元/月)", "amount", "4120", "") != "employed_direct"
    assert mapped("直接就业人数", "count", "153", "人") == "employed_direct"


def test_seed_school_counts_are_warnings(seed):
    # 34 schools (1.1, 表一); 33 (3.2.1) and 35 (9.1.1) could mean other sets of schools
    stated = {f.values.get("raw") for f in codes(seed, "audit.uncertain") if f.values.get("code") == "claim.mismatch"}
    assert {"33所", "35所"} <= stated
    # 3.2.1: "全市12所中职学校，与省内16所高职院校…建立了分段培养关系" and "全市7所中职学校21个职业技能
    # 等级证书试点…" count the schools of a programme, not all the schools: no warning
    assert not {"12所", "7所"} & stated


def test_school_counts_of_a_group_are_not_the_total():
    from nianbao.audit.mapping import school_subset
    from nianbao.audit.model import Claim, Where

    def subset(sentence, raw):
        return school_subset(Claim(raw=raw, kind="count", value=float(raw[:-1]), decimals=0, unit="所", label="",
                                   where=Where(), context=sentence))

    assert subset("全市有7所学校生师比低于20:1。", "7所")
    assert subset("全市中职学校34所，其中12所为民办。", "12所")
    assert subset("在校生不足500人的有12所。", "12所")
    assert not subset("全市共有中等职业学校34所，在校生22863人。", "34所")
    assert not subset("全市现有34所中职学校。", "34所")
    assert not subset("我市35所中职学校在校生不足500人的有12所。", "35所")


def test_seed_listed_items(seed):
    f, = codes(seed, "audit.list_count_unsure")
    # 服装表演队、舞蹈团、管乐团、民乐团、合唱团、文学社、朗诵团、田径队、男女篮球队、计算机维修队 = 10, printed 11
    assert f.values["listed"] == 10 and f.values["stated"] == "11个"


def test_seed_coverage_of_numeric_figures(seed):
    """≥ 90% of the seed's numeric figures are read as claims (figures counted by a separate,
    simpler tokenizer: numbers that are not years, dates, document numbers, ordinals or list
    markers, in paragraphs; every numeric cell of tables and chart data)."""
    covered, total = figure_coverage(seed)
    assert total > 250
    assert covered / total >= 0.9, (covered, total)


def test_seed_against_the_dataset():
    ds = load_dataset(ROOT / "examples" / "datong-2020")
    result = audit_file(SEED, dataset=ds)
    against = [f for f in result.findings if f.values.get("against") == "dataset"]
    # 852215 / 22863 = 37.27 m² from the dataset's figures, printed 48.48平方米
    area = [f for f in against if f.values.get("stated") == "48.48平方米"]
    assert area and round(area[0].values["recomputed"], 2) == 37.27


# -- the seed as DOCX and PDF ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("seed")
    docx_path = seed_docx(d / "datong-2020.docx")
    pdf = None
    if HAS_SOFFICE:
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(d), str(docx_path)],
                       check=True, capture_output=True, timeout=180)
        pdf = d / "datong-2020.pdf"
    return docx_path, pdf


def test_seed_docx_and_pdf_find_the_same_errors(seed, seed_files):
    docx_path, pdf = seed_files
    # 499 / 1938 = 25.75% printed 31%; 449 / 2492 = 18.02% printed 20%; 2.1's 95.4% against
    # 表四's 2020 cell 94.88% (in the PDF a table without rules, read from its words)
    want = {("claim.mismatch", "31%", 25.75), ("claim.mismatch", "20%", 18.02), ("claim.mismatch", "95.4%", 94.88)}
    for path in (SEED, docx_path, pdf):
        assert path is not None, "LibreOffice made no PDF"
        r = audit_file(path)
        got = {(f.code, f.values.get("stated"), round(f.values["recomputed"], 2)) for f in r.findings
               if isinstance(f.values.get("recomputed"), (int, float))}
        assert want <= got, (path.suffix, want - got)


def test_pdf_pages_read_with_pdfium_give_what_pdfminer_gives(own_reports, monkeypatch):
    """PDFium interprets the pages (about four times faster); pdfminer, which reads a page PDFium
    cannot give in its form, must find the same figures and the same findings."""
    import nianbao.audit.readers.pdf as pdf_reader
    from nianbao.audit.readers.pdfium_objects import open_document, page_objects

    path = own_reports["datong-2020"].pdf
    if path is None:
        pytest.fail("LibreOffice did not make a PDF")
    doc = open_document(path)
    assert doc is not None and all(page_objects(doc, i, doc[i].get_size()[1], 0, i + 1) is not None
                                   for i in range(len(doc)))
    doc.close()
    results = {}
    for engine in ("pdfium", "pdfminer"):
        monkeypatch.setattr(pdf_reader, "read_pdf", lambda p, e=engine, f=pdf_reader.read_pdf: f(p, engine=e))
        r = audit_file(path)
        results[engine] = ([(c.raw, c.target, c.period, c.where.text()) for c in r.claims],
                           sorted((f.code, f.message_zh) for f in r.findings))
        monkeypatch.undo()
    assert results["pdfium"] == results["pdfminer"]


# -- bad input --------------------------------------------------------------------------------------

def _run(capsys, *argv):
    code = main(["audit", *map(str, argv)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_bad_inputs_one_line_each(tmp_path, capsys):
    empty = tmp_path / "empty.docx"
    empty.write_bytes(b"")
    notzip = tmp_path / "fake.docx"
    notzip.write_text("这不是 Word 文件", encoding="utf-8")
    nonum = tmp_path / "words.txt"
    nonum.write_text("本报告没有数字。\n只有文字。\n", encoding="utf-8")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n garbage")
    for path, word in ((empty, "空的"), (notzip, "zip"), (nonum, "没有找到任何数字"), (broken, "PDF")):
        code, out, err = _run(capsys, path)
        assert code == 2 and word in err and "Traceback" not in err
        assert len([ln for ln in err.splitlines() if ln.strip()]) == 1


def test_scanned_pdf_is_refused(tmp_path, capsys):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig = plt.figure(figsize=(4, 4))
    ax = fig.add_axes([0, 0, 1, 1])
    ax.imshow(np.random.default_rng(1).random((50, 50)))
    ax.axis("off")
    scan = tmp_path / "scan.pdf"
    fig.savefig(scan)
    plt.close(fig)
    code, _, err = _run(capsys, scan)
    assert code == 2 and "扫描件" in err


def _pdf_bytes(objs: list[bytes], trailer: str = "") -> bytes:
    """A PDF written out by hand: objects 1..n (1 the catalogue), the cross-reference table and
    the trailer (with extra entries)."""
    body, offsets = b"%PDF-1.4\n", []
    for i, o in enumerate(objs, start=1):
        offsets.append(len(body))
        body += f"{i} 0 obj\n".encode() + o + b"\nendobj\n"
    xref = len(body)
    body += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    body += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    body += (f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R {trailer}>>\n"
             f"startxref\n{xref}\n%%EOF\n").encode()
    return body


def _stream(data: bytes) -> bytes:
    return f"<< /Length {len(data)} >>\nstream\n".encode() + data + b"\nendstream"


def test_encrypted_pdf_is_refused_with_the_password_message(tmp_path, capsys):
    pdf = tmp_path / "locked.pdf"
    # a PDF whose trailer names a standard security handler (RC4, 40 bit) with a user password
    pdf.write_bytes(_pdf_bytes([
        b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <" + b"00" * 32 + b"> /U <" + b"11" * 32 + b"> /P -4 >>"],
        trailer="/Encrypt 3 0 R /ID [<aa> <aa>] "))
    code, _, err = _run(capsys, pdf)
    assert code == 2 and "设有密码" in err and "损坏" not in err and "Traceback" not in err


def test_pdf_without_a_unicode_map_is_refused(tmp_path, capsys):
    """Text drawn with a CID font (Identity-H) that has no ToUnicode map: a reader sees only
    glyph numbers, "(cid:N)", and nianbao says so instead of guessing."""
    lines = b"".join(f"1 0 0 1 72 {760 - 14 * i} Tm <".encode() + b"".join(f"{g:04X}".encode() for g in
                     range(1 + i, 31 + i)) + b"> Tj\n" for i in range(40))
    content = b"BT /F1 12 Tf\n" + lines + b"ET"
    pdf = tmp_path / "cid.pdf"
    pdf.write_bytes(_pdf_bytes([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        _stream(content),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /NoMap /Encoding /Identity-H /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /NoMap /DW 1000 /FontDescriptor 7 0 R "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>",
        b"<< /Type /FontDescriptor /FontName /NoMap /Flags 4 /FontBBox [0 0 1000 1000] /ItalicAngle 0 "
        b"/Ascent 1000 /Descent 0 /CapHeight 1000 /StemV 80 >>"]))
    code, _, err = _run(capsys, pdf)
    assert code == 2 and "Unicode" in err and "(cid:N)" in err and "Traceback" not in err
    assert len([ln for ln in err.splitlines() if ln.strip()]) == 1


def test_pdf_over_the_page_limit_is_refused(tmp_path, capsys):
    from nianbao.audit.readers.pdf import MAX_PAGES

    n = MAX_PAGES + 1
    kids = " ".join(f"{3 + i} 0 R" for i in range(n))
    pages = ["<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".encode() for _ in range(n)]
    pdf = tmp_path / "huge.pdf"
    pdf.write_bytes(_pdf_bytes([b"<< /Type /Catalog /Pages 2 0 R >>",
                                f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode(), *pages]))
    code, _, err = _run(capsys, pdf)
    assert code == 2 and f"{n} 页" in err and f"上限 {MAX_PAGES} 页" in err and "Traceback" not in err


def test_folder_with_a_bad_file_still_audits_the_others(tmp_path, capsys):
    (tmp_path / "bad.docx").write_text("not a zip", encoding="utf-8")
    shutil.copy(SEED, tmp_path / "seed.txt")
    results = audit_paths([tmp_path])
    assert [r.path.name for r in results] == ["bad.docx", "seed.txt"]
    assert results[0].unreadable is not None and results[1].errors > 0
    out = tmp_path / "审核结果.xlsx"
    code, _, err = _run(capsys, tmp_path, "--format", "xlsx", "-o", out)
    assert code == 1 and "bad.docx" in err
    from openpyxl import load_workbook
    wb = load_workbook(out)
    summary = list(wb["汇总"].iter_rows(values_only=True))
    assert len(summary) == 3 and {row[1] for row in summary[1:]} == {"unreadable", "errors"}


# -- outputs -----------------------------------------------------------------------------------------

def test_json_csv_and_claims_out(tmp_path, capsys):
    code, out, _ = _run(capsys, SEED, "--format", "json")
    doc = json.loads(out)
    assert code == 1 and doc["summary"][0]["errors"] > 0 and doc["reports"][0]["claims"]
    code, out, _ = _run(capsys, SEED, "--format", "csv", "--lang", "en")
    assert out.splitlines()[0].startswith("report,severity,code")
    claims = tmp_path / "claims.csv"
    _run(capsys, SEED, "--claims-out", claims, "--format", "json")
    from nianbao.ingest.rows import read_claims
    read = read_claims(claims)
    # the rows the catalogue names come back as claims nianbao check reads (7:03 among them)
    assert any(c.target == "gv_ratio" and c.stated == "7:03" and c.period == 2019 for c in read)
    code, out, _ = _run(capsys, SEED, "--lang", "en")
    assert "Errors (" in out


def test_annotate_docx_and_html(seed_files, tmp_path, capsys):
    docx_path, _ = seed_files
    out = tmp_path / "批注版.docx"
    code, printed, _ = _run(capsys, docx_path, "--annotate", "-o", out)
    with zipfile.ZipFile(out) as z:
        comments = z.read("word/comments.xml").decode()
    assert "6.6:3.4" in comments and code == 1
    html = tmp_path / "marked.html"
    _run(capsys, SEED, "--annotate", "-o", html)
    text = html.read_text(encoding="utf-8")
    assert '<mark class="error"' in text and "7:03" in text


def test_chinese_numerals_in_words():
    from nianbao.audit.extract import cn_numeral

    # 3×10+4; 1×100+0+5; (2×1000+3×100)×10000; (3)×10^8 + (5×1000)×10^4; 1×10000+1; 10+2
    cases = {"三十四": 34, "一百零五": 105, "两千三百万": 23_000_000, "三亿五千万": 350_000_000, "一万零一": 10_001,
             "十二": 12}
    assert {t: cn_numeral(t) for t in cases} == cases
    assert cn_numeral("三四") is None and cn_numeral("十二所") is None
