"""The small subset of Markdown that narratives (narrative/*.md) use: paragraphs, "#" headings,
"-" bullets, **bold** and <!-- comments -->."""

from __future__ import annotations

import re

_COMMENT = re.compile(r"<!--.*?-->", re.S)
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def strip_comments(body: str) -> str:
    return _COMMENT.sub("", body)


def markdown_blocks(body: str) -> list[tuple[str, str]]:
    """(kind, text) of each paragraph, heading and bullet of a narrative; comments are dropped
    and the lines of one paragraph are joined (Chinese text needs no space between them)."""
    out = []
    for chunk in re.split(r"\n\s*\n", strip_comments(body).strip()):
        lines = [ln.strip() for ln in chunk.splitlines() if ln.strip()]
        if not lines:
            continue
        para: list[str] = []
        for ln in lines:
            if m := re.match(r"^#{1,6}\s+(.*)$", ln):
                if para:
                    out.append(("paragraph", "".join(para)))
                    para = []
                out.append(("heading", m.group(1).strip()))
            elif m := re.match(r"^[-*+]\s+(.*)$", ln):
                if para:
                    out.append(("paragraph", "".join(para)))
                    para = []
                out.append(("bullet", m.group(1).strip()))
            else:
                para.append(ln)
        if para:
            out.append(("paragraph", "".join(para)))
    return out


def bold_pieces(content: str) -> list[tuple[str, bool]]:
    """The pieces of a line, each with whether it is **bold**."""
    return [(piece, bool(i % 2)) for i, piece in enumerate(_BOLD.split(content)) if piece]
