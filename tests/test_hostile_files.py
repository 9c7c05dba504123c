"""Hostile and broken files: each is refused with a finding that names it, before a parser sees
it; a batch goes on past every one of them and stores the good workbooks; an output folder that
cannot be written is found before anything is read or written. Nothing ends in exit 3 or in an
English Python exception."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import hostile
import openpyxl
import pytest
from test_import import FIGURES, blank, filled, store_rows
from test_workbook import OTHER, SCHOOL, make_dataset

from nianbao.app.imports import import_files
from nianbao.cli.main import main
from nianbao.core import inputs, settings
from nianbao.core.findings import FindingsError
from nianbao.ingest import workbook
from nianbao.ingest.dataset import load_dataset
from nianbao.store import Store

SRC = Path(__file__).resolve().parents[1] / "src"
# what a library's message looks like; none may reach a finding's text
ENGLISH_EXCEPTIONS = ("BadZipFile", "Error:", "Exception", "Traceback", "errno", "No such file", "Errno")


@pytest.fixture
def dataset(tmp_path):
    return make_dataset(tmp_path)


@pytest.fixture
def good(dataset, tmp_path):
    folder = tmp_path / "good"
    folder.mkdir()
    return filled(dataset, folder, name="good.xlsx")


def refused(path: Path, kind: str = "xlsx"):
    """The one finding that opening ``path`` gives."""
    with pytest.raises(FindingsError) as exc:
        inputs.open_package(path, kind)
    (f,) = exc.value.findings
    assert f.location.file == path.name and path.name in f.message_zh and path.name in f.message_en
    assert f.hint and f.hint_en and f.severity == "error"
    for text in (f.message_zh, f.message_en, f.hint, f.hint_en):
        assert not any(word in text for word in ENGLISH_EXCEPTIONS), text
        assert "{" not in text, text  # every placeholder filled
    return f


def case(f) -> str:
    """The catalogue entry (``code:case``) whose Chinese text, placeholders aside, is the finding's."""
    from nianbao.core import messages
    keys = [k for k, e in messages.catalogue().items() if k.split(":")[0] == f.code
            and re.fullmatch(re.sub(r"\\{\w+\\}", ".*", re.escape(e["zh"])), f.message_zh, re.S)]
    assert len(keys) == 1, keys
    return keys[0]


# -- each kind of file, alone ------------------------------------------------------------------

def test_a_good_workbook_passes_and_is_parsed_from_the_bytes_checked(good):
    src = inputs.open_package(good)
    assert src.data == good.read_bytes()
    assert openpyxl.load_workbook(src.stream(), read_only=True).sheetnames[-1] == workbook.META_SHEET


def test_a_fifo_is_refused_without_waiting(tmp_path):
    # opening a FIFO for reading waits for a writer; stat and O_NONBLOCK do not
    f = refused(hostile.fifo(tmp_path / "管道.xlsx"))
    assert case(f) == "file.not_regular:special" and "FIFO" in f.message_en


def test_a_link_to_dev_zero_is_refused_before_reading(tmp_path):
    f = refused(hostile.device_link(tmp_path / "zero.xlsx"))
    assert case(f) == "file.not_regular:special" and "character device" in f.message_en


def test_a_folder_named_like_a_workbook(tmp_path):
    assert case(refused(hostile.folder(tmp_path / "学校.xlsx"))) == "file.not_regular:folder"


def test_a_link_to_a_regular_workbook_is_read(good, tmp_path):
    link = tmp_path / "link.xlsx"
    link.symlink_to(good)
    assert inputs.open_package(link).data == good.read_bytes()


def test_a_missing_file_and_a_broken_link(tmp_path):
    (tmp_path / "dangling.xlsx").symlink_to(tmp_path / "gone.xlsx")
    assert refused(tmp_path / "dangling.xlsx").code == "file.not_found"


def test_a_file_larger_than_the_limit(good, monkeypatch):
    # the good workbook is ~30 KB; a limit of 0.01 MB (10 486 bytes) is below it
    assert good.stat().st_size > 0.01 * 2 ** 20
    monkeypatch.setenv("NIANBAO_MAX_FILE_MB", "0.01")
    f = refused(good)
    assert f.code == "file.too_large" and "NIANBAO_MAX_FILE_MB" in f.hint


@pytest.mark.parametrize("build, expected", [
    (lambda p: p.write_bytes(b"") or p, "file.not_zip:empty"),
    (hostile.not_a_zip, "file.not_zip:other"),
    (hostile.old_excel, "file.not_zip:old_format"),
    (lambda p: hostile.old_excel(p, encrypted=True), "file.encrypted:password"),
    (hostile.word_as_xlsx, "file.wrong_type:office"),
    (hostile.plain_zip, "file.wrong_type:zip"),
])
def test_files_that_are_not_workbooks(tmp_path, build, expected):
    assert case(refused(build(tmp_path / "提交.xlsx"))) == expected


def test_a_truncated_workbook(good, tmp_path):
    assert case(refused(hostile.truncated(good, tmp_path / "半个.xlsx"))) == "file.damaged:truncated"


def test_a_part_whose_crc_fails(good, tmp_path):
    f = refused(hostile.corrupt_part(good, tmp_path / "坏.xlsx"))
    assert case(f) == "file.damaged:corrupt" and hostile.SHEET in f.message_zh


def test_a_zip_bomb_part_beyond_the_part_limit(good, tmp_path):
    # 300 MB of one repeated row > the 256 MB a part may unpack to; on disk about 1 MB
    bomb = hostile.zip_bomb(good, tmp_path / "bomb.xlsx", 300)
    assert bomb.stat().st_size < 5 * 2 ** 20
    f = refused(bomb)
    assert case(f) == "file.zip_bomb:part" and hostile.SHEET in f.message_zh
    assert f.values["limit_mb"] == settings.get("max_part_mb")


def test_a_zip_bomb_by_its_ratio(good, tmp_path):
    # 20 MB unpacked, within every size limit, but packed some 400 : 1 (a workbook packs < 20 : 1)
    bomb = hostile.zip_bomb(good, tmp_path / "tight.xlsx", 20)
    with zipfile.ZipFile(bomb) as z:
        info = z.getinfo(hostile.SHEET)
    assert info.file_size / info.compress_size > settings.get("max_zip_ratio")
    f = refused(bomb)
    assert case(f) == "file.zip_bomb:ratio" and f.values["ratio"] == round(info.file_size / info.compress_size)


def test_a_zip_bomb_by_its_total_and_its_parts(good, monkeypatch):
    # the good workbook unpacks to ~130 KB in ~20 parts
    with zipfile.ZipFile(good) as z:
        infos = z.infolist()
    total = sum(i.file_size for i in infos)
    monkeypatch.setenv("NIANBAO_MAX_UNZIPPED_MB", str(total / 2 / 2 ** 20))
    assert case(refused(good)) == "file.zip_bomb:total"
    monkeypatch.delenv("NIANBAO_MAX_UNZIPPED_MB")
    monkeypatch.setenv("NIANBAO_MAX_ZIP_PARTS", str(len(infos) - 1))
    assert case(refused(good)) == "file.zip_bomb:parts"


@pytest.mark.parametrize("doctype", [hostile.XXE, hostile.LAUGHS], ids=["xxe", "billion-laughs"])
@pytest.mark.parametrize("part", [hostile.SHEET, "xl/workbook.xml", "[Content_Types].xml", "docProps/core.xml"])
def test_a_doctype_in_any_part(good, tmp_path, doctype, part):
    f = refused(hostile.with_doctype(good, tmp_path / "dtd.xlsx", doctype, part))
    assert f.code == "file.xml_dtd" and part in f.message_zh


def test_a_doctype_behind_a_long_comment_or_in_utf16(good, tmp_path):
    comment = b"<!--" + b"x" * 200_000 + b"-->"
    f = refused(hostile.with_doctype(good, tmp_path / "c.xlsx", comment + hostile.XXE))
    assert f.code == "file.xml_dtd"
    def utf16(name, data):
        if name != hostile.SHEET:
            return data
        text = '<?xml version="1.0" encoding="UTF-16"?>' + hostile.XXE.decode() + data.decode("utf-8")
        return text.encode("utf-16")  # with its byte-order mark
    assert refused(hostile.rewrite(good, tmp_path / "u.xlsx", utf16)).code == "file.xml_dtd"


def test_a_comment_without_doctype_is_no_finding(good, tmp_path):
    path = hostile.with_doctype(good, tmp_path / "c.xlsx", b"<!-- <!DOCTYPE in a comment --><?pi x?>", use=False)
    assert inputs.open_package(path).name == "c.xlsx"


def test_openpyxl_parses_with_defusedxml():
    # a second line of defence behind the DOCTYPE check: openpyxl uses defusedxml when installed
    assert openpyxl.DEFUSEDXML is True


def test_the_time_limit(good, monkeypatch):
    monkeypatch.setenv("NIANBAO_FILE_SECONDS", "1e-9")  # over after the first system call
    f = refused(good)
    assert f.code == "file.timeout" and f.values["seconds"] == "1e-09"


def test_the_time_limit_stops_a_parse_that_runs_long(dataset, good, tmp_path, monkeypatch):
    # 100 000 rows of one text, allowed through by a lifted ratio limit: reading them takes seconds
    # (each an unknown row); the limit of 0.5 s stops the reading with one finding
    slow = hostile.zip_bomb(good, tmp_path / "slow.xlsx", 100)
    monkeypatch.setenv("NIANBAO_MAX_ZIP_RATIO", "100000")
    monkeypatch.setenv("NIANBAO_FILE_SECONDS", "0.5")
    data = workbook.read(slow, load_dataset(dataset))
    assert [f.code for f in data.findings] == ["file.timeout"] and not data.ok


def test_the_time_limit_waits_for_a_garbage_collectors_callback_to_return():
    """The time is up while the collector runs a callback (a test tool's timer of collections):
    the finding is raised once the callback has returned, in the reading, not inside the
    callback (where it would be printed and lost)."""
    import gc
    import time

    ran = []

    def slow(phase, info):  # 0.3 s in a callback, past a limit of 0.05 s
        if phase == "start" and not ran:
            end = time.monotonic() + 0.3
            while time.monotonic() < end:
                pass
            ran.append(phase)

    unraised = []
    hook, sys.unraisablehook = sys.unraisablehook, unraised.append
    gc.callbacks.append(slow)
    try:
        with pytest.raises(FindingsError) as err, inputs.time_limit(inputs.Deadline("慢.xlsx", seconds=0.05)):
            gc.collect()
            for _ in range(500):  # the reading goes on after the collection: the limit stops it here
                time.sleep(0.01)
    finally:
        gc.callbacks.remove(slow)
        sys.unraisablehook = hook
    assert ran and not unraised
    assert [f.code for f in err.value.findings] == ["file.timeout"]


def test_every_setting_is_documented_in_the_readme():
    readme = (SRC.parent / "README.md").read_text(encoding="utf-8")
    for variable, default, *_ in settings.table():
        assert f"| `{variable}` | {default} " in readme, variable


def test_a_setting_that_is_no_positive_number_keeps_the_default(monkeypatch):
    for bad in ("abc", "-5", "0", "nan", "inf"):
        monkeypatch.setenv("NIANBAO_MAX_PART_MB", bad)
        assert settings.get("max_part_mb") == settings.SETTINGS["max_part_mb"].default


# -- reading a workbook -------------------------------------------------------------------------

def test_xml_that_is_not_well_formed_is_a_finding_without_the_library_message(dataset, good, tmp_path):
    data = workbook.read(hostile.broken_xml(good, tmp_path / "断.xlsx"), load_dataset(dataset))
    (f,) = data.findings  # the sheet cut in the middle of a tag: named with where its XML breaks
    assert f.code == "workbook.broken_sheet" and "断.xlsx" in f.location.file and not data.ok
    assert not any(word in f.message_en for word in ENGLISH_EXCEPTIONS)


def test_a_defect_while_reading_one_file_is_a_finding_of_that_file(dataset, good, monkeypatch):
    # a layout that is None: nianbao's own reading code fails on it (AttributeError in _read_open)
    monkeypatch.setattr(workbook.layout, "load_layout", lambda catalogue: None)
    (f,) = workbook.read(good, load_dataset(dataset)).findings
    assert f.code == "file.bad_content" and "nianbao" in f.message_zh and f.values["error"] == "AttributeError"


def test_a_values_workbook_of_a_dataset_gets_the_same_checks(dataset, good, tmp_path):
    from nianbao.ingest.xlsx_values import read_values_xlsx
    bomb = hostile.with_doctype(good, tmp_path / "values.xlsx", hostile.LAUGHS)
    with pytest.raises(FindingsError) as exc:
        read_values_xlsx(bomb, load_dataset(dataset).catalogue, SCHOOL)
    assert [f.code for f in exc.value.findings] == ["file.xml_dtd"]


# -- the batch ----------------------------------------------------------------------------------

HOSTILE = {  # file name -> (builder, the finding code it gets)
    "fifo.xlsx": (lambda good, p: hostile.fifo(p), "file.not_regular"),
    "zero.xlsx": (lambda good, p: hostile.device_link(p), "file.not_regular"),
    "folder.xlsx": (lambda good, p: hostile.folder(p), "file.not_regular"),
    "bomb.xlsx": (lambda good, p: hostile.zip_bomb(good, p, 300), "file.zip_bomb"),
    "xxe.xlsx": (lambda good, p: hostile.with_doctype(good, p, hostile.XXE), "file.xml_dtd"),
    "laughs.xlsx": (lambda good, p: hostile.with_doctype(good, p, hostile.LAUGHS), "file.xml_dtd"),
    "notzip.xlsx": (lambda good, p: hostile.not_a_zip(p), "file.not_zip"),
    "truncated.xlsx": (lambda good, p: hostile.truncated(good, p), "file.damaged"),
    # read far enough to name its sheet and the cell the XML breaks in
    "brokenxml.xlsx": (lambda good, p: hostile.broken_xml(good, p), "workbook.broken_sheet"),
}
THIRD = "0140200004"  # the school whose workbook the hostile copies are made from


def test_a_batch_stores_the_good_workbooks_and_names_every_bad_one(dataset, tmp_path, capsys):
    folder = tmp_path / "提交"
    folder.mkdir()
    with (dataset / "orgs.csv").open("a", encoding="utf-8") as orgs:
        orgs.write(f"{THIRD},第三职业学校,,school,140213,140213,county,public,vocational_high,1990,active,\n")
    filled(dataset, folder, name="a-good.xlsx")
    filled(dataset, folder, school=OTHER, name="b-good.xlsx")
    # the hostile copies come from a third school's workbook kept outside the folder: a copy read far
    # enough to name its school is not a second workbook of a school sending a good one
    (tmp_path / "原件").mkdir()
    origin = filled(dataset, tmp_path / "原件", school=THIRD, name="third.xlsx")
    for name, (build, _) in HOSTILE.items():
        build(origin, folder / name)
    # 11 files ≥ 8: read by a pool of 2 processes
    code = main(["import", str(dataset), str(folder), "--jobs", "2", "--annotated", str(tmp_path / "批注")])
    out = capsys.readouterr().out
    assert code == 1
    for name in [*HOSTILE, "a-good.xlsx", "b-good.xlsx"]:
        assert name in out
    assert "合计：入库 2 份，未变化 0 份，退回 9 份" in out
    with Store.of_dataset(dataset, read_only=True) as store:
        observations = store.observations()
    assert {org for org, _ in observations} == {SCHOOL, OTHER}
    students = {org: r.value for org, r in observations if r.element == "students" and not r.dims}
    assert students == {SCHOOL: FIGURES["students"], OTHER: FIGURES["students"]}  # as typed in each workbook
    # the same folder again, through the use case: the good ones unchanged, each bad one its finding
    run = import_files(load_dataset(dataset), [str(folder)], jobs=2, annotated_dir=tmp_path / "批注")
    by_name = {o.data.file.name: o for o in run.outcomes}
    assert {n for n, o in by_name.items() if o.status == "unchanged"} == {"a-good.xlsx", "b-good.xlsx"}
    for name, (_, expected) in HOSTILE.items():
        o = by_name[name]
        assert o.status == "rejected" and [f.code for f in o.data.errors] == [expected], name


def test_a_reader_that_dies_takes_only_its_own_file(dataset, tmp_path, monkeypatch, capsys):
    from nianbao.app import imports
    folder = tmp_path / "提交"
    folder.mkdir()
    first = filled(dataset, folder, name="a-good.xlsx")
    for i in range(8):
        shutil.copy(first, folder / f"copy{i}.xlsx")
    real = workbook.read

    def dies(path, ds, year=None):
        if path.name == "copy3.xlsx":
            os._exit(9)  # a reader killed (out of memory, a signal)
        return real(path, ds, year)
    monkeypatch.setattr(workbook, "read", dies)  # the readers are forked: they see it
    run = imports.import_files(load_dataset(dataset), [str(folder)], jobs=2)
    by_name = {o.data.file.name: o for o in run.outcomes}
    assert [f.code for f in by_name["copy3.xlsx"].data.errors] == ["file.bad_content"]
    assert "copy3.xlsx" in by_name["copy3.xlsx"].data.errors[0].message_zh
    # 9 files of one school, the same figures: the first good one stored, 7 unchanged, copy3 refused
    assert run.count("stored") == 1 and run.count("unchanged") == 7 and run.count("rejected") == 1


# -- folders that cannot be written ------------------------------------------------------------

def _writable(folder: Path) -> bool:
    try:
        probe = folder / ".probe"
        probe.write_bytes(b"")
        probe.unlink()
        return True
    except OSError:
        return False


@pytest.fixture
def make_read_only():
    """Make a folder read-only for this process: chmod (enough unless root), chattr +i (root)."""
    made = []

    def make(folder: Path) -> bool:
        os.chmod(folder, 0o555)
        made.append(folder)
        if _writable(folder) and shutil.which("chattr"):
            subprocess.run(["chattr", "+i", str(folder)], capture_output=True)
        return not _writable(folder)
    yield make
    for folder in made:
        if shutil.which("chattr"):
            subprocess.run(["chattr", "-i", str(folder)], capture_output=True)
        os.chmod(folder, 0o755)


@pytest.fixture
def unwritable(tmp_path, make_read_only):
    """A folder nothing can be written in: read-only where that can be made, else a path under a file."""
    folder = tmp_path / "只读"
    folder.mkdir()
    if make_read_only(folder):
        return folder
    (tmp_path / "a-file").write_text("x")
    return tmp_path / "a-file" / "folder"


def test_an_unwritable_annotated_folder_is_found_before_any_workbook_is_read(dataset, tmp_path, unwritable,
                                                                             capsys, monkeypatch):
    folder = tmp_path / "提交"
    folder.mkdir()
    filled(dataset, folder, name="good.xlsx")
    filled(dataset, folder, school=OTHER, year=2019, name="wrong-year.xlsx")
    read = []
    monkeypatch.setattr(workbook, "read", lambda *a, **k: read.append(a) or pytest.fail("a workbook was read"))
    code = main(["import", str(dataset), str(folder), "--annotated", str(unwritable)])
    err = capsys.readouterr().err
    assert code == 2 and not read
    assert str(unwritable) in err and ("无法在文件夹" in err or "不能作为输出文件夹" in err)
    assert not (dataset / "nianbao.duckdb").exists() or not store_rows(dataset)["observations"]


def test_a_read_only_folder_of_the_originals_costs_only_the_annotated_copy(dataset, tmp_path, make_read_only,
                                                                           capsys, monkeypatch):
    folder = tmp_path / "提交"
    folder.mkdir()
    filled(dataset, folder, name="good.xlsx")
    filled(dataset, folder, school=OTHER, name="wrong-year.xlsx", year=2019)
    if not make_read_only(folder):  # root without chattr: the save fails as it would there
        def denied(self, path):
            raise PermissionError(errno.EACCES, "denied", str(path))
        monkeypatch.setattr(openpyxl.Workbook, "save", denied)
    code = main(["import", str(dataset), str(folder), "--year", "2020"])
    out = capsys.readouterr().out
    assert code == 1
    assert "✓ 已入库" in out and "good.xlsx" in out and "wrong-year.xlsx" in out
    assert "批注副本" in out and "--annotated" in out
    assert "合计：入库 1 份，未变化 0 份，退回 1 份" in out


def test_template_into_an_unwritable_folder(dataset, unwritable, capsys):
    assert main(["template", str(dataset), "--all", "-o", str(unwritable)]) == 2
    assert main(["template", str(dataset), "--school", SCHOOL, "-o", str(unwritable / "x.xlsx")]) == 2
    err = capsys.readouterr().err
    assert err.count(str(unwritable)) >= 2 and "defect" not in err
    assert not list(Path(unwritable).glob("*.xlsx")) if Path(unwritable).is_dir() else True


def test_template_output_names(dataset, tmp_path, capsys):
    xls = tmp_path / "x.xls"
    assert main(["template", str(dataset), "--school", SCHOOL, "-o", str(xls)]) == 2
    assert not xls.exists() and "x.xlsx" in capsys.readouterr().err  # refused, not made a folder
    xlsx = tmp_path / "y.xlsx"
    assert main(["template", str(dataset), "--school", SCHOOL, "-o", str(xlsx)]) == 0
    assert xlsx.is_file() and zipfile.is_zipfile(xlsx)
    assert main(["template", str(dataset), "--all", "-o", str(tmp_path / "z.xlsx")]) == 2
    assert not (tmp_path / "z.xlsx").exists()
    assert main(["template", str(dataset), "--all", "-o", str(tmp_path / "folder")]) == 0
    assert len(list((tmp_path / "folder").glob("*.xlsx"))) == 2  # the two schools of the registry


# -- memory --------------------------------------------------------------------------------------

def test_the_peak_memory_of_rejecting_a_zip_bomb(good, tmp_path):
    # a sheet of 2 000 MB unpacked, ~5 MB on disk: the rejection reads the zip's directory and
    # nothing of the part. Measured in a fresh process (its own high-water mark, VmHWM).
    bomb = hostile.zip_bomb(good, tmp_path / "bomb.xlsx", 2000)
    with zipfile.ZipFile(bomb) as z:
        assert z.getinfo(hostile.SHEET).file_size > 2000 * 10 ** 6
    script = (
        "import json, resource, sys\n"
        "from nianbao.core import inputs\n"
        "from nianbao.core.findings import FindingsError\n"
        "try:\n"
        "    inputs.open_package(sys.argv[1]); code = None\n"
        "except FindingsError as e:\n"
        "    code = e.findings[0].code\n"
        "kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:  # the peak of this program's own memory: ru_maxrss keeps the parent's from before exec\n"
        "    kb = int(next(x for x in open('/proc/self/status') if x.startswith('VmHWM')).split()[1])\n"
        "except (OSError, StopIteration):\n"
        "    pass\n"
        "print(json.dumps({'code': code, 'mb': kb / 1024}))\n")
    env = dict(os.environ, PYTHONPATH=str(SRC))
    done = subprocess.run([sys.executable, "-c", script, str(bomb)], capture_output=True, text=True, env=env,
                          timeout=120)
    result = json.loads(done.stdout)
    assert result["code"] == "file.zip_bomb" and result["mb"] < 500, result


def test_blank_generated_workbooks_pass_the_checks(dataset, tmp_path):
    # the checks never refuse what nianbao itself writes
    path = blank(dataset, tmp_path)
    assert inputs.open_package(path).sha256


def test_a_word_file_for_audit_gets_the_same_checks(tmp_path):
    import docx

    from nianbao.audit.readers import read
    plain = tmp_path / "report.docx"
    d = docx.Document()
    d.add_paragraph("全市中职学校在校生22863人。")
    d.save(plain)
    assert read(plain)  # a document Word would write is read
    for doctype in (hostile.XXE, hostile.LAUGHS):
        bad = hostile.with_doctype(plain, tmp_path / "bad.docx", doctype, part="word/document.xml", use=False)
        with pytest.raises(FindingsError) as exc:
            read(bad)
        assert [f.code for f in exc.value.findings] == ["file.xml_dtd"]


def test_the_time_limit_waits_for_a_finaliser_and_then_ends_the_reading(capsys):
    # the alarm ringing inside a __del__ (a ZipFile closed by the garbage collector) would be
    # printed as "Exception ignored" and lost: it rings again once the finaliser has returned
    import time as _time

    from nianbao.core import inputs as _inputs
    from nianbao.core.findings import FindingsError as _FindingsError

    class Slow:
        def __del__(self):
            end = _time.monotonic() + 0.2
            while _time.monotonic() < end:
                pass

    deadline = _inputs.Deadline("slow.xlsx", seconds=0.05)
    with pytest.raises(_FindingsError) as exc:
        with _inputs.time_limit(deadline):
            obj = Slow()
            del obj  # the finaliser runs past the deadline
            _time.sleep(1)
    assert exc.value.findings[0].code.startswith("file.timeout")
    assert "Exception ignored" not in capsys.readouterr().err


# -- the parts a reader opens first ------------------------------------------------------------

def _without(src: Path, dst: Path, *drop: str, change=None) -> Path:
    with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zo:
        for info in zi.infolist():
            if info.filename not in drop:
                data = zi.read(info.filename)
                zo.writestr(info, change(info.filename, data) if change else data)
    return dst


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/_rels/workbook.xml.rels"])
def test_a_workbook_without_a_part_its_reader_opens_first_is_damaged(good, tmp_path, part):
    # openpyxl asked the zip for the part and the KeyError became the catch-all bad_content
    f = refused(_without(good, tmp_path / "缺件.xlsx", part))
    assert case(f) == "file.damaged:missing_part" and f.values["part"] == part and part in f.message_zh


def test_a_workbook_whose_main_part_is_declared_elsewhere_must_have_it_there(good, tmp_path):
    # [Content_Types].xml names the main part; openpyxl opens that name, whatever else the zip holds
    moved = _without(good, tmp_path / "改名.xlsx", change=lambda n, d: d.replace(
        b'PartName="/xl/workbook.xml"', b'PartName="/xl/book.xml"') if n == "[Content_Types].xml" else d)
    f = refused(moved)
    assert case(f) == "file.damaged:missing_part" and f.values["part"] == "xl/book.xml"


def test_a_broken_content_types_part_is_damaged_naming_it(good, tmp_path):
    f = refused(_without(good, tmp_path / "坏结构.xlsx", change=lambda n, d: d[: len(d) // 2]
                         if n == "[Content_Types].xml" else d))
    assert case(f) == "file.damaged:broken_part" and f.values["part"] == "[Content_Types].xml"


@pytest.mark.parametrize("part", ["word/document.xml", "_rels/.rels"])
def test_a_word_file_without_its_document_or_its_relationships_is_damaged(tmp_path, part):
    import docx
    plain = tmp_path / "report.docx"
    docx.Document().save(plain)
    inputs.open_package(plain, "docx")  # as Word writes it: passes
    f = refused(_without(plain, tmp_path / "缺件.docx", part), "docx")
    assert case(f) == "file.damaged:missing_part" and f.values["part"] == part


def test_a_part_a_reader_asks_the_zip_for_in_vain_is_named_not_a_key_error(tmp_path):
    # whatever part a reader looks up later (after the checks): zipfile's KeyError names it
    buf = tmp_path / "z.zip"
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.xml", "<a/>")
    with zipfile.ZipFile(buf) as z:
        try:
            z.read("xl/worksheets/sheet9.xml")
        except KeyError as exc:
            (f,) = inputs.translate(exc, "填报表.xlsx")
    assert case(f) == "file.damaged:missing_part" and f.values["part"] == "xl/worksheets/sheet9.xml"
    try:
        {}["xl/workbook.xml"]  # a KeyError of anything else stays the catch-all
    except KeyError as exc:
        assert [x.code for x in inputs.translate(exc, "填报表.xlsx")] == ["file.bad_content"]


# -- the Word template of `report --template` ---------------------------------------------------

@pytest.fixture
def word_template(tmp_path):
    from nianbao.report.renderers.docx import TEMPLATE
    return shutil.copy(TEMPLATE, tmp_path / "模板.docx")


def _template_refused(path: Path):
    from nianbao.report.renderers.docx import TemplateError, open_template
    with pytest.raises(TemplateError) as exc:
        open_template(path)
    f = exc.value.finding
    for text in (f.message_zh, f.message_en, str(exc.value)):
        assert not any(word in text for word in ENGLISH_EXCEPTIONS), text
    return f


@pytest.mark.parametrize("build,expected", [
    (lambda t, p: hostile.zip_bomb(t, p, 3, part="word/document.xml"), "file.zip_bomb:ratio"),
    (lambda t, p: hostile.with_doctype(t, p, hostile.LAUGHS, part="word/document.xml", use=False), "file.xml_dtd"),
    (lambda t, p: hostile.with_doctype(t, p, hostile.XXE, part="word/styles.xml", use=False), "file.xml_dtd"),
    (lambda t, p: _without(t, p, "word/document.xml"), "file.damaged:missing_part"),
    (lambda t, p: hostile.truncated(t, p), "file.damaged:truncated"),
    (lambda t, p: hostile.fifo(p), "file.not_regular:special"),
    (lambda t, p: hostile.not_a_zip(p), "file.not_zip:other"),
])
def test_a_hostile_word_template_is_refused_by_the_safe_opener(word_template, tmp_path, build, expected):
    # python-docx was handed the path itself: a FIFO waited for ever, a bomb was unpacked whole
    from nianbao.report.renderers.docx import open_template
    assert open_template(word_template)  # the bundled template passes
    f = _template_refused(build(word_template, tmp_path / "坏模板.docx"))
    assert case(f) == expected and f.location.file == "坏模板.docx"


def test_a_template_python_docx_cannot_read_names_the_file_in_the_catalogues_words(word_template, tmp_path):
    # a sound package whose document is no WordprocessingML: no library message in the text
    bad = _without(word_template, tmp_path / "空.docx", change=lambda n, d: b"<x/>" if n == "word/document.xml" else d)
    f = _template_refused(bad)
    assert f.code == "report.template_unreadable" and "空.docx" in f.message_zh


def test_report_with_a_zip_bomb_template_is_a_finding_not_an_internal_error(word_template, tmp_path, capsys):
    school = SRC.parent / "examples" / "school-2024"
    ds = tmp_path / "ds"
    shutil.copytree(school, ds, ignore=shutil.ignore_patterns("nianbao.duckdb*", "*.lock"))
    bomb = hostile.zip_bomb(word_template, tmp_path / "炸弹.docx", 3, part="word/document.xml")
    code = main(["report", str(ds), "-o", str(tmp_path / "out"), "--no-pdf", "--template", str(bomb)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "炸弹.docx" in err and "压缩比" in err and "internal error" not in err
    assert not (tmp_path / "out" / "report.docx").exists()
