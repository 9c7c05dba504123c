"""Plain text: UTF-8 (with or without BOM) or GB 18030, one paragraph a line."""

from __future__ import annotations

from pathlib import Path

from nianbao.audit.model import Source, input_error
from nianbao.audit.readers.common import text_blocks


def decode(data: bytes, path) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise input_error("audit.encoding", path)


def read_text(path: Path) -> Source:
    text = decode(path.read_bytes(), path)
    if "\x00" in text[:4096]:
        raise input_error("audit.unknown_kind", path, suffix=path.suffix or "（无）")
    return Source(path=str(path), kind="txt", blocks=text_blocks(text.splitlines()))
