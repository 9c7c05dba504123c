"""Files nianbao writes for a user (findings, tables, workbooks, reports) are written whole or not
at all, and never through a link: the content goes into a temporary file beside the target,
which is then renamed over it. A symlink planted at the target's name is replaced by the new
file and its target is left untouched; a kill half-way leaves the earlier file as it was."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def replace_file(path: str | Path, write) -> Path:
    """Call ``write(tmp)`` to write a temporary file beside ``path``, then rename it to ``path``.
    Raises OSError (IsADirectoryError when ``path`` is a folder) and leaves no temporary file."""
    path = Path(path)
    if path.is_dir() and not path.is_symlink():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    folder = path.parent if str(path.parent) else Path(".")
    fd, name = tempfile.mkstemp(prefix=f".{path.stem[:40]}.", suffix=path.suffix, dir=folder)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # as an ordinary new file (mkstemp makes it private)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    return replace_file(path, lambda tmp: tmp.write_text(text, encoding=encoding))


def write_bytes(path: str | Path, data: bytes) -> Path:
    return replace_file(path, lambda tmp: tmp.write_bytes(data))
