"""The text files of a dataset folder (dataset.yaml, orgs.csv, majors.csv, narrative/*.md,
tables/*.csv) read one way: only a regular file is read (a folder, a pipe or a device named like
the file is a finding, never a hang or an internal error); UTF-8 is expected; text for print
(narratives, tables) in GB18030/GBK, as Excel and WPS save on Chinese Windows, is read with a
warning that shows what was read; control characters are removed with a warning naming the line.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path

from nianbao.core.findings import Finding, FindingsError, Location
from nianbao.core.messages import finding, phrase

# C0 controls but tab, line feed and carriage return; DEL; the noncharacters U+FFFE, U+FFFF
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def shown(path: Path, root: Path | None) -> str:
    """The file's name as findings give it: relative to the dataset folder (narrative/2.1.md)."""
    try:
        return str(Path(path).relative_to(root)) if root is not None else Path(path).name
    except ValueError:
        return Path(path).name


def kind_of(path: Path) -> str:
    """What is at ``path`` when it is not a regular file, in Chinese and English: 文件夹 / folder …"""
    try:
        mode = Path(path).stat().st_mode
    except OSError:
        return "broken"
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISFIFO(mode):
        return "pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "" if stat.S_ISREG(mode) else "other"


def regular_file(path: Path, root: Path | None = None) -> None:
    """Raise FindingsError ``dataset.not_a_file`` unless ``path`` is a regular file."""
    kind = kind_of(path)
    if kind:
        name = shown(path, root)
        raise FindingsError([finding("dataset.not_a_file", Location(file=name), file=name,
                                     text={"kind": phrase(f"dataset.kind.{kind}"),
                                           "kind_en": phrase(f"dataset.kind.{kind}", "en")})])


def read_text(path: Path, root: Path | None = None, for_print: bool = False) -> tuple[str, list[Finding]]:
    """The text of a dataset file and the warnings of reading it. Raises FindingsError when it
    is not a regular file, or is not UTF-8 (nor, ``for_print``, GB18030)."""
    path = Path(path)
    regular_file(path, root)
    name = shown(path, root)
    data = path.read_bytes()
    notes: list[Finding] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        text = _gb18030(data) if for_print else None
        if text is None:
            raise FindingsError([finding("dataset.unreadable:not_utf8",
                                         Location(file=name, cell=phrase("where.row", row=line)),
                                         text={"file": name, "path": str(path)}, line=line)]) from None
        first = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")[:24]
        notes.append(finding("dataset.decoded_gb18030", Location(file=name, cell=phrase("where.row", row=line)),
                             file=name, line=line, sample=first))
    text, removed = strip_controls(text, name)
    return text, notes + removed


def _gb18030(data: bytes) -> str | None:
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        return None


def strip_controls(text: str, name: str) -> tuple[str, list[Finding]]:
    """``text`` without control characters, and one warning per line that had some."""
    if not CONTROL.search(text):
        return text, []
    notes = []
    for n, line in enumerate(text.split("\n"), start=1):
        found = CONTROL.findall(line)
        if found:
            codes = " ".join(sorted({f"U+{ord(c):04X}" for c in found}))
            notes.append(finding("dataset.control_chars", Location(file=name, cell=phrase("where.row", row=n)),
                                 file=name, line=n, count=len(found), codes=codes))
    return CONTROL.sub("", text), notes
