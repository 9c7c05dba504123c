"""The error of a catalogue that cannot be used (a file missing or inconsistent, an extension
that clashes with what it extends)."""

from __future__ import annotations

from nianbao.core.errors import NianbaoError


class CatalogueError(NianbaoError, ValueError):
    """A catalogue file that is missing or inconsistent: ``zh`` and ``en`` say what (without
    the file), ``hint`` how to fix it, ``file`` names the file at fault (where one is).
    ``str()`` gives the file, the Chinese message, then the English after " / "."""

    def __init__(self, zh: str, en: str = "", *, hint: str = "", file: str = ""):
        self.zh, self.en, self.hint, self.file = zh, en, hint, file
        super().__init__((f"{file}：" if file else "") + zh + (f" / {en}" if en else ""))
