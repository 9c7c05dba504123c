"""Safe opening of an input file: a file is refused, with a finding that names it and says what to
do, before any parser sees it, when it is

- not a regular file: a folder named like a file, a FIFO (reading it would wait for ever), a
  device such as ``/dev/zero`` (it never ends), or a symbolic link to one of these — checked with
  ``os.stat`` and again on the opened descriptor (``O_NONBLOCK``, so nothing waits);
- larger than ``max_file_mb`` (the file is read once, into memory, and parsed from there, so what
  was checked is what is parsed);
- for an xlsx or docx (``open_package``): not a zip at all (an empty file, an old .xls/.doc, a
  text file renamed), a truncated or damaged zip, password-protected, a zip bomb (a part larger
  than ``max_part_mb`` unpacked, all parts together larger than ``max_unzipped_mb``, a part
  packed more tightly than ``max_zip_ratio`` : 1, more than ``max_zip_parts`` parts — from the
  sizes the zip declares, which are all ``zipfile`` will ever unpack), a part with a DOCTYPE (the
  place of XML entities: external entities (XXE) and billion laughs; Office never writes one), or
  a package of the wrong kind (a Word file named .xlsx), two parts under one name (zipfile
  would read the last, Excel refuses the file), or without a part its reader opens first (the
  main part that [Content_Types].xml and the package's relationships name, a workbook's
  relationships) or with that structure's XML broken.

Every part is unpacked once, in pieces, to check its CRC and its XML prolog, so a damaged part is
found here rather than half-way through the reading. The limits are in ``nianbao.core.settings``.

Reading is bounded in time as well (``file_seconds``): ``Deadline.check`` in a reader's loops, and
``time_limit`` interrupts a parser that is stuck inside one call (where signals can be used: the
main thread on POSIX). ``translate`` turns whatever a library raises on the file into a finding:
no message ends in an English Python exception.

Only the standard library is used here (the layer rule of ``nianbao.core``).
"""

from __future__ import annotations

import codecs
import errno
import gc
import hashlib
import io
import os
import signal
import stat
import tempfile
import threading
import time
import traceback
import zipfile
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from nianbao.core import settings
from nianbao.core.findings import Finding, FindingsError, Location
from nianbao.core.messages import finding

CHUNK = 1 << 16
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of .xls/.doc and of encrypted xlsx/docx
ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")
COMPRESSIONS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
# the kinds of package: the folder of its parts, its program, its old (OLE) format
PACKAGES = {"xlsx": ("xl/", "Excel", ".xls"), "docx": ("word/", "Word", ".doc")}
SPECIAL = {  # the kinds of file that are not regular files: (zh, en)
    stat.S_IFIFO: ("命名管道（FIFO）", "a named pipe (FIFO)"),
    stat.S_IFCHR: ("字符设备", "a character device"),
    stat.S_IFBLK: ("块设备", "a block device"),
    stat.S_IFSOCK: ("套接字", "a socket"),
}
WRITE_REASONS = {  # errno of a failed write: (zh, en)
    errno.EACCES: ("没有写权限", "no permission to write"),
    errno.EPERM: ("不允许写入", "writing is not permitted"),
    errno.EROFS: ("所在磁盘只读", "the file system is read-only"),
    errno.ENOSPC: ("磁盘已满", "the disk is full"),
    errno.ENOTDIR: ("路径中有同名的文件", "a file stands where a folder is needed"),
}


def _reject(key: str, name: str, text: dict | None = None, **values) -> FindingsError:
    return FindingsError([_finding(key, name, text, **values)])


def _finding(key: str, name: str, text: dict | None = None, **values) -> Finding:
    return finding(key, Location(file=name), text={"file": name, **(text or {})}, **values)


def _mb(n: int | float) -> float:
    return round(n / 2 ** 20, 1)


# -- time --------------------------------------------------------------------------------------

@dataclass
class Deadline:
    """The moment by which reading the file ``name`` must end (``file_seconds`` from now)."""

    name: str
    seconds: float = field(default_factory=lambda: settings.get("file_seconds"))
    end: float = 0.0

    def __post_init__(self):
        self.end = time.monotonic() + self.seconds

    def expired(self) -> FindingsError:
        return _reject("file.timeout", self.name, seconds=f"{self.seconds:g}")

    def check(self) -> None:
        """Raise the file's timeout finding once the time is up."""
        if time.monotonic() > self.end:
            raise self.expired()


@contextmanager
def time_limit(deadline: Deadline):
    """Interrupt whatever runs inside when ``deadline`` passes (SIGALRM: POSIX, main thread,
    no other timer running); elsewhere only ``deadline.check`` in the reader's loops applies."""
    usable = (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
              and signal.getitimer(signal.ITIMER_REAL)[0] == 0)
    if not usable:
        yield deadline
        return

    def ring(signum, frame):
        # in a finaliser (ZipFile.__del__) or a garbage collector's callback the exception would
        # be printed and lost: ring again when it has returned
        callbacks = {getattr(cb, "__code__", None) for cb in gc.callbacks}
        f = frame
        while f is not None:
            if f.f_code.co_name == "__del__" or f.f_code in callbacks:
                signal.setitimer(signal.ITIMER_REAL, 0.01)
                return
            f = f.f_back
        # rings again shortly in case this exception is swallowed where it lands; time_limit
        # stops the timer once it has ended the reading
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        raise deadline.expired()

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, max(deadline.end - time.monotonic(), 0.001))
    try:
        yield deadline
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# -- regular files -------------------------------------------------------------------------------

def _not_regular(mode: int, name: str) -> FindingsError | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return _reject("file.not_regular:folder", name)
    zh, en = SPECIAL.get(stat.S_IFMT(mode), ("特殊文件", "a special file"))
    return _reject("file.not_regular:special", name, text={"kind_zh": zh, "kind_en": en})


def _too_large(size: int, name: str) -> FindingsError | None:
    limit = settings.mebibytes("max_file_mb")
    if size <= limit:
        return None
    return _reject("file.too_large", name, size_mb=_mb(size), limit_mb=_mb(limit),
                   text={"variable": settings.SETTINGS["max_file_mb"].variable})


def _os_error(exc: OSError, name: str) -> FindingsError:
    if isinstance(exc, FileNotFoundError):
        return _reject("file.not_found", name)
    if isinstance(exc, PermissionError):
        return _reject("file.no_access:denied", name)
    return _reject("file.no_access:system", name, errno=errno.errorcode.get(exc.errno or 0, ""))


def read_file(path: str | Path, deadline: Deadline | None = None) -> bytes:
    """The bytes of a regular file no larger than ``max_file_mb``; FindingsError otherwise."""
    path = Path(path)
    name = path.name
    deadline = deadline or Deadline(name)
    try:
        st = os.stat(path)  # follows a symbolic link: the kind of file it points to is judged
    except OSError as exc:
        raise _os_error(exc, name) from None
    refused = _not_regular(st.st_mode, name) or _too_large(st.st_size, name)
    if refused:
        raise refused
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise _os_error(exc, name) from None
    limit = settings.mebibytes("max_file_mb")
    try:
        st = os.fstat(fd)  # the file opened may not be the one looked at
        refused = _not_regular(st.st_mode, name) or _too_large(st.st_size, name)
        if refused:
            raise refused
        parts, size = [], 0
        while True:
            deadline.check()
            piece = os.read(fd, CHUNK)
            if not piece:
                break
            size += len(piece)
            if size > limit:
                raise _too_large(size, name)
            parts.append(piece)
        return b"".join(parts)
    except OSError as exc:
        raise _os_error(exc, name) from None
    finally:
        os.close(fd)


# -- packages (xlsx, docx) ---------------------------------------------------------------------

def _not_a_zip(data: bytes, name: str, kind: str) -> FindingsError:
    program, old = PACKAGES[kind][1], PACKAGES[kind][2]
    text = {"program": program, "old": old, "kind": kind}
    if not data:
        return _reject("file.not_zip:empty", name, text=text)
    if data.startswith(OLE_MAGIC):
        if ENCRYPTED_MARK in data:
            return _reject("file.encrypted:password", name, text=text)
        return _reject("file.not_zip:old_format", name, text=text)
    if data.startswith(b"PK\x03\x04"):  # a zip whose end (the central directory) is missing
        return _reject("file.damaged:truncated", name, text=text)
    return _reject("file.not_zip:other", name, text=text)


def _sizes(infos: list[zipfile.ZipInfo], name: str) -> FindingsError | None:
    """The zip-bomb checks, from the sizes the zip declares (zipfile unpacks no more than that)."""
    if len(infos) > settings.get("max_zip_parts"):
        return _reject("file.zip_bomb:parts", name, parts=len(infos), limit=int(settings.get("max_zip_parts")))
    part_limit, total_limit = settings.mebibytes("max_part_mb"), settings.mebibytes("max_unzipped_mb")
    ratio_limit, ratio_from = settings.get("max_zip_ratio"), settings.mebibytes("max_ratio_from_mb")
    for i in infos:
        if i.file_size > part_limit:
            return _reject("file.zip_bomb:part", name, part=i.filename, size_mb=_mb(i.file_size),
                           limit_mb=_mb(part_limit), text={"variable": settings.SETTINGS["max_part_mb"].variable})
        if i.file_size > ratio_from and i.file_size > ratio_limit * max(i.compress_size, 1):
            return _reject("file.zip_bomb:ratio", name, part=i.filename, size_mb=_mb(i.file_size),
                           ratio=round(i.file_size / max(i.compress_size, 1)), limit=f"{ratio_limit:g}",
                           text={"variable": settings.SETTINGS["max_zip_ratio"].variable})
    total = sum(i.file_size for i in infos)
    if total > total_limit:
        return _reject("file.zip_bomb:total", name, size_mb=_mb(total), limit_mb=_mb(total_limit),
                       text={"variable": settings.SETTINGS["max_unzipped_mb"].variable})
    return None


def _decoder(head: bytes):
    """An incremental decoder for an XML part, chosen by its byte-order mark or first bytes."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or head[:2] in (b"<\0", b"\0<"):
        enc = "utf-16" if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else (
            "utf-16-le" if head[:2] == b"<\0" else "utf-16-be")
    else:
        enc = "utf-8-sig"
    return codecs.getincrementaldecoder(enc)(errors="replace")


class _Prolog:
    """Reads the start of an XML part piece by piece and says whether a DOCTYPE comes before the
    root element (XML allows it nowhere else). Comments and processing instructions of any length
    are skipped without being kept."""

    def __init__(self):
        self.buf, self.state, self.done, self.doctype = "", "prolog", False, False

    def feed(self, text: str) -> None:
        self.buf += text
        while not self.done:
            if self.state in ("pi", "comment"):
                end = "?>" if self.state == "pi" else "-->"
                at = self.buf.find(end)
                if at < 0:
                    self.buf = self.buf[-(len(end) - 1):]
                    return
                self.buf, self.state = self.buf[at + len(end):], "prolog"
                continue
            s = self.buf.lstrip()
            if len(s) < 9:
                self.buf = s
                return
            if s.startswith("<?"):
                self.buf, self.state = s[2:], "pi"
            elif s.startswith("<!--"):
                self.buf, self.state = s[4:], "comment"
            else:
                self.doctype = s[:9].upper() == "<!DOCTYPE"
                self.done = True

    def close(self) -> None:
        s = self.buf.lstrip()
        self.doctype = self.doctype or s[:9].upper() == "<!DOCTYPE"
        self.done = True


def _scan_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, deadline: Deadline) -> None:
    """Unpack one part (its CRC is checked at the end) and look for a DOCTYPE in its prolog."""
    prolog, decoder, xml = _Prolog(), None, None
    try:
        with zf.open(info) as part:
            while True:
                deadline.check()
                piece = part.read(CHUNK)
                if not piece:
                    break
                if xml is None:
                    decoder = _decoder(piece)
                    text = decoder.decode(piece)
                    xml = text.lstrip().startswith("<") or not text.strip()
                    if xml:
                        prolog.feed(text)
                elif xml and not prolog.done:
                    prolog.feed(decoder.decode(piece))
    except FindingsError:
        raise
    except NotImplementedError:
        raise _reject("file.damaged:unsupported", name, part=info.filename) from None
    except RuntimeError:  # zipfile: a part that needs a password
        raise _reject("file.encrypted:zip", name, text={"program": "", "old": "", "kind": ""}) from None
    except Exception:  # CRC mismatch, a broken deflate stream, a part cut short
        raise _reject("file.damaged:corrupt", name, part=info.filename) from None
    if xml and not prolog.done:
        prolog.close()
    if xml and prolog.doctype:
        raise _reject("file.xml_dtd", name, part=info.filename)


def check_package(data: bytes, name: str, kind: str = "xlsx", deadline: Deadline | None = None) -> None:
    """Raise FindingsError unless ``data`` is a zip package of ``kind`` (xlsx, docx) that is safe
    to hand to its parser."""
    deadline = deadline or Deadline(name)
    folder, program, old = PACKAGES[kind]
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except zipfile.BadZipFile:
        raise _not_a_zip(data, name, kind) from None
    except Exception:  # zipfile raises other kinds on a broken directory (ValueError, EOFError, …)
        raise _reject("file.damaged:truncated", name, text={"program": program, "old": old, "kind": kind}) from None
    with zf:
        refused = _sizes(infos, name)
        if refused:
            raise refused
        for i in infos:
            if i.flag_bits & 0x1:
                raise _reject("file.encrypted:zip", name, text={"program": program, "old": old, "kind": kind})
            if i.compress_type not in COMPRESSIONS:
                raise _reject("file.damaged:unsupported", name, part=i.filename)
        names = [i.filename for i in infos]
        twice = next((n for n, c in Counter(names).items() if c > 1), None)
        if twice is not None:  # zipfile reads the last of them, Excel refuses the file: no guessing
            raise _reject("file.damaged:duplicate", name, part=twice)
        if "[Content_Types].xml" not in names or not any(n.startswith(folder) for n in names):
            others = [k for k, (f, _, _) in PACKAGES.items() if k != kind and any(n.startswith(f) for n in names)]
            if others and "[Content_Types].xml" in names:
                raise _reject("file.wrong_type:office", name, text={
                    "program": program, "kind": kind, "found": PACKAGES[others[0]][1], "found_kind": others[0]})
            raise _reject("file.wrong_type:zip", name, text={"program": program, "kind": kind})
        for i in infos:
            _scan_part(zf, i, name, deadline)
        _main_parts(zf, set(names), name, kind)


# the main part of each kind of package: its content types and its place when none is declared
MAIN_TYPES = {
    "xlsx": ({f"application/vnd.{v}.main+xml" for v in (
        "openxmlformats-officedocument.spreadsheetml.sheet", "openxmlformats-officedocument.spreadsheetml.template",
        "ms-excel.sheet.macroEnabled", "ms-excel.template.macroEnabled")}, "xl/workbook.xml"),
    "docx": ({f"application/vnd.{v}.main+xml" for v in (
        "openxmlformats-officedocument.wordprocessingml.document", "openxmlformats-officedocument.wordprocessingml.template",
        "ms-word.document.macroEnabled", "ms-word.template.macroEnabled")}, "word/document.xml"),
}
OPC_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
OPC_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
OFFICE_DOCUMENT = "/officeDocument"  # the end of the relationship type of the main part


def _part_name(target: str) -> str:
    """A part's name in the zip from its name in [Content_Types].xml or a package relationship
    ("/xl/workbook.xml", "./xl/workbook.xml" → "xl/workbook.xml")."""
    import posixpath
    return posixpath.normpath("/" + target).lstrip("/")


def _rels_of(part: str) -> str:
    folder, _, base = part.rpartition("/")
    return f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"


def _xml_of(zf: zipfile.ZipFile, part: str, name: str):
    """A small XML part of the package's structure, parsed (it has no DOCTYPE: checked before)."""
    import xml.etree.ElementTree as ET  # only when a package is checked
    try:
        return ET.fromstring(zf.read(part))
    except ET.ParseError:
        raise _reject("file.damaged:broken_part", name, part=part) from None


def _main_parts(zf: zipfile.ZipFile, names: set[str], name: str, kind: str) -> None:
    """The parts a reader opens first must be there: the main part ([Content_Types].xml declares
    it; the relationships of the package point to it) and, for a workbook, its relationships
    (the sheets are found through them). A reader would otherwise stop on a missing name."""
    types, default = MAIN_TYPES[kind]
    ct = _xml_of(zf, "[Content_Types].xml", name)
    mains = [_part_name(o.get("PartName", "")) for o in ct.iter(f"{OPC_CT}Override") if o.get("ContentType") in types]
    if "_rels/.rels" in names:
        rels = _xml_of(zf, "_rels/.rels", name)
        mains += [_part_name(r.get("Target", "")) for r in rels.iter(f"{OPC_REL}Relationship")
                  if (r.get("Type") or "").endswith(OFFICE_DOCUMENT) and r.get("TargetMode") != "External"]
    elif kind == "docx":  # Word and python-docx find the document through it
        raise _reject("file.damaged:missing_part", name, part="_rels/.rels")
    needed = list(dict.fromkeys(mains or [default]))
    if kind == "xlsx":
        needed += [_rels_of(m) for m in needed]
    missing = next((p for p in needed if p not in names), None)
    if missing is not None:
        raise _reject("file.damaged:missing_part", name, part=missing)


@dataclass
class Input:
    """An input file read and checked: its bytes (parse these, not the file again), its SHA-256
    and the deadline of its reading."""

    path: Path
    data: bytes
    deadline: Deadline

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def stream(self) -> io.BytesIO:
        return io.BytesIO(self.data)


def open_package(path: str | Path, kind: str = "xlsx", deadline: Deadline | None = None) -> Input:
    """Read the file at ``path`` and check it as a package of ``kind``; FindingsError (one
    finding that names the file) when it cannot be read safely."""
    path = Path(path)
    deadline = deadline or Deadline(path.name)
    data = read_file(path, deadline)
    check_package(data, path.name, kind, deadline)
    return Input(path, data, deadline)


# -- what libraries raise --------------------------------------------------------------------------

def _raised_in_nianbao(exc: BaseException) -> bool:
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return False
    here = Path(__file__).resolve().parents[1]  # the nianbao package
    try:
        return Path(frames[-1].filename).resolve().is_relative_to(here)
    except (OSError, ValueError):
        return False


def _missing_name(exc: BaseException) -> str | None:
    """The part a reader asked the zip for and did not find (zipfile raises KeyError naming it),
    or None for any other exception."""
    if not isinstance(exc, KeyError):
        return None
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None or Path(tb.tb_frame.f_code.co_filename).name != "zipfile.py":
        return None
    part = tb.tb_frame.f_locals.get("name")
    return getattr(part, "filename", part) if isinstance(getattr(part, "filename", part), str) else None


def translate(exc: BaseException, name: str, kind: str = "xlsx") -> list[Finding]:
    """The findings for an exception raised while a checked file was parsed: the file's own
    findings for a FindingsError (a timeout, say), else one finding in the catalogue's words —
    damaged, unreadable XML or structure, too large to hold, or (raised in nianbao's own code) a
    defect to report — never the library's English message."""
    if isinstance(exc, FindingsError):
        return exc.findings
    program = PACKAGES.get(kind, PACKAGES["xlsx"])[1]
    if isinstance(exc, MemoryError):
        return [_finding("file.bad_content:memory", name, text={"program": program})]
    module = type(exc).__module__ or ""
    if module.startswith("defusedxml") or type(exc).__name__ in ("EntitiesForbidden", "DTDForbidden",
                                                                  "ExternalReferenceForbidden"):
        return [_finding("file.xml_dtd", name, part="*")]
    if isinstance(exc, (zipfile.BadZipFile, EOFError)) or module == "zlib":
        return [_finding("file.damaged:corrupt", name, part="*")]
    missing = _missing_name(exc)
    if missing is not None:
        return [_finding("file.damaged:missing_part", name, part=missing)]
    if _raised_in_nianbao(exc):
        return [_finding("file.bad_content:defect", name, error=type(exc).__name__, text={"program": program})]
    return [_finding("file.bad_content:library", name, error=type(exc).__name__, text={"program": program})]


# -- output folders --------------------------------------------------------------------------------

def writable_folder(folder: str | Path) -> Finding | None:
    """None when files can be written in ``folder`` (made if missing), else a finding naming it:
    found by writing a probe file, which works where permission bits say nothing (root, a
    read-only disk, a network share)."""
    folder = Path(folder)
    shown = str(folder)
    blocker = next((p for p in (folder, *folder.parents) if p.exists() or p.is_symlink()), None)
    if blocker is not None and not blocker.is_dir():
        return finding("folder.not_folder", Location(file=shown), text={"folder": shown, "blocker": str(blocker)})
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".nianbao-", suffix=".probe", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        zh, en = WRITE_REASONS.get(exc.errno or 0, ("无法写入", "it cannot be written"))
        return finding("folder.unwritable", Location(file=shown), errno=errno.errorcode.get(exc.errno or 0, ""),
                       text={"folder": shown, "reason_zh": zh, "reason_en": en})
    return None
