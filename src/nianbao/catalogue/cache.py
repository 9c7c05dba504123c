"""A built catalogue version kept between processes: each command would otherwise parse and
check some 30 YAML files again (0.1 s of CPU; unpickling the result takes 4 ms).

The file is named by a digest of what the catalogue is built from: the bytes of every YAML file
of the package (its versions) and of ``root``, and the name, time and size of every Python
module of nianbao — so that editing a version, a root's file or the code builds it anew. It lives
in ``$NIANBAO_CACHE_DIR`` (``off``: no cache), else ``$XDG_CACHE_HOME/nianbao`` or
``~/.cache/nianbao``; a file that cannot be read or written is rebuilt or skipped, never an
error, and one written by another user is not read. A dataset's catalogue (its own files laid
over a version) is kept the same way, its files' bytes in the digest, a file a dataset folder;
the 32 written last are kept.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import tempfile
from pathlib import Path
from typing import Callable, TypeVar

PACKAGE = Path(__file__).resolve().parents[1]  # the nianbao package
ENV = "NIANBAO_CACHE_DIR"
KEPT = 32  # catalogues kept, the most recently written
T = TypeVar("T")


def folder() -> Path | None:
    chosen = os.environ.get(ENV)
    if chosen == "off":
        return None
    if chosen:
        return Path(chosen)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "nianbao"


def digest(version: str, root: str | None, files: tuple[str, ...] = ()) -> str:
    h = hashlib.sha256(f"{version}\0{root}\0".encode())
    for path in files:
        with open(path, "rb") as f:
            h.update(f"{path}\0".encode() + f.read())
    for base in [PACKAGE] + ([Path(root)] if root else []):
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                if name.endswith(".py"):
                    st = os.stat(path)
                    h.update(f"{path}\0{st.st_mtime_ns}\0{st.st_size}\0".encode())
                elif name.endswith((".yaml", ".yml")):
                    h.update(f"{path}\0".encode())
                    with open(path, "rb") as f:
                        h.update(f.read())
    return h.hexdigest()[:32]


def cached(version: str, root: str | None, build: Callable[[], T], files: tuple[str, ...] = ()) -> T:
    """The catalogue ``build()`` makes from ``version`` (in ``root`` or the package) and, for a
    dataset, its own catalogue ``files`` — from the cache when it holds the same one. An error
    of building (a bad catalogue) is raised as it is, and nothing is kept."""
    where = folder()
    if where is None:
        return build()
    stem = "catalogue-" + re.sub(r"[^\w.-]", "_", version)
    if files:  # a dataset's: one file a dataset folder
        stem += "-" + hashlib.sha256(str(Path(files[0]).resolve().parent).encode()).hexdigest()[:12]
    try:
        path = where / f"{stem}-{digest(version, root, files)}.pickle"
    except OSError:  # a file of the package or root that cannot be read now: no cache
        return build()
    try:
        if path.stat().st_uid == os.getuid():
            with path.open("rb") as f:
                return pickle.load(f)
    except Exception:  # noqa: BLE001 — no file yet, unreadable, damaged, or of classes changed since
        pass
    built = build()
    tmp = None
    try:
        where.mkdir(parents=True, exist_ok=True)
        data = pickle.dumps(built, protocol=pickle.HIGHEST_PROTOCOL)
        fd, tmp = tempfile.mkstemp(dir=where, prefix=f".{stem}-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        tmp = None
        same = re.compile(re.escape(stem) + r"-[0-9a-f]{32}\.pickle")  # not a dataset's of the version
        for old in where.glob(f"{stem}-*.pickle"):  # the same catalogue built from other files
            if old != path and same.fullmatch(old.name):
                old.unlink(missing_ok=True)
        kept = sorted(where.glob("catalogue-*.pickle"), key=lambda f: f.stat().st_mtime_ns, reverse=True)
        for old in kept[KEPT:]:  # the catalogues of datasets long unused
            old.unlink(missing_ok=True)
    except Exception:  # noqa: BLE001 — a cache that cannot be written: the catalogue is still built
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
    return built
