"""What every reader shares: cleaning a line of text, telling a heading, and the layout in which
a Word table or a Word chart's data come out as plain text (cells starting with a tab)."""

from __future__ import annotations

import re
import unicodedata

from nianbao.audit.model import Block, Where

_ARTIFACT = re.compile(r"\[(?:bookmark|image)[^\]]*\]")
# 1.1规模和结构, 2．学生发展, 3.2.1质量监控体系建设, 9.主要问题和改进措施
HEADING = re.compile(r"^\s*(\d{1,2}(?:[.．]\d{1,2}){0,3})[.．、]?\s*([^\d\s.．%％].{0,38})$")
CAPTION = re.compile(r"^\s*(表[一二三四五六七八九十\d]+|图[一二三四五六七八九十\d]+)\s*[:：]?")
_NUMBER_TOKEN = re.compile(r"^[+-]?\d+(?:\.\d+)?%?$")


def clean(text: str) -> str:
    text = _ARTIFACT.sub("", text or "")
    text = text.replace("\u3000", " ").replace("\xa0", " ")
    return text.strip()


def heading_number(text: str) -> str:
    """"1.3" for a heading line such as "1.3教师队伍"; "" for body text."""
    t = unicodedata.normalize("NFKC", clean(text))
    if len(t) > 42 or any(ch in t for ch in "。，,；;：:"):
        return ""
    m = HEADING.match(t)
    if not m:
        return ""
    number = m.group(1).replace("．", ".")
    if number.isdigit() and int(number) > 20:
        return ""
    return number


def caption_of(text: str) -> str:
    m = CAPTION.match(clean(text))
    return m.group(1) if m else ""


def is_number_token(tok: str) -> bool:
    return bool(_NUMBER_TOKEN.match(tok.strip().replace(",", "")))


def chart_series(tokens: list[str]) -> list[tuple[str, str, str]]:
    """The (head, label, value) triples of a chart's data written out as tokens: each group is
    an optional head (a category or a series name), k labels and k values."""
    out = []
    i, n = 0, len(tokens)
    while i < n:
        labels = []
        while i < n and not is_number_token(tokens[i]):
            labels.append(tokens[i])
            i += 1
        values = []
        while i < n and is_number_token(tokens[i]):
            values.append(tokens[i])
            i += 1
        if not values:
            break
        head = ""
        if len(labels) == len(values) + 1:
            head, labels = labels[0], labels[1:]
        elif len(labels) > len(values):
            head, labels = " ".join(labels[: len(labels) - len(values)]), labels[len(labels) - len(values):]
        elif len(labels) < len(values):
            labels = labels + [""] * (len(values) - len(labels))
        out.extend((head, lab, val) for lab, val in zip(labels, values))
    return out


def text_blocks(lines: list[str]) -> list[Block]:
    """Paragraphs, tables and chart data from lines of text as a Word document exports them:
    a table's cells each start with a tab (a cell may go on over a few short lines), a blank
    line ends a row; a chart's data are tab-separated tokens on lines that do not start with a
    tab, under a title line."""
    blocks: list[Block] = []
    i, n = 0, len(lines)
    para = 0
    while i < n:
        line = lines[i].rstrip("\r\n")
        if not line.strip():
            i += 1
            continue
        if line.startswith("\t"):
            rows: list[list[str | None]] = [[]]
            new_row = False
            while i < n:
                raw = lines[i].rstrip("\r\n")
                if raw.startswith("\t"):
                    if new_row and rows[-1]:
                        rows.append([])
                    new_row = False
                    rows[-1].append(clean(raw[1:]))
                elif not raw.strip():
                    new_row = True
                else:
                    nxt = next((lines[j] for j in range(i + 1, min(n, i + 4)) if lines[j].strip()), "")
                    if len(raw.strip()) <= 14 and nxt.startswith("\t") and rows[-1]:
                        rows[-1][-1] = (rows[-1][-1] + " " + clean(raw)).strip()
                        new_row = False
                    else:
                        break
                i += 1
            rows = [r for r in rows if r]
            width = max(len(r) for r in rows)
            rows = [r + [""] * (width - len(r)) for r in rows]
            blocks.append(Block(kind="table", rows=rows))
            continue
        ahead = next((lines[j] for j in range(i + 1, min(n, i + 4)) if lines[j].strip()), "")
        if line.count("\t") >= 2 or (line.endswith("\t") and "\t" in ahead and not ahead.startswith("\t")):
            title = ""
            if blocks and blocks[-1].kind == "para" and not blocks[-1].heading and len(blocks[-1].text) <= 40 \
                    and "。" not in blocks[-1].text and "\t" not in blocks[-1].text:
                title = blocks.pop().text
                para -= 1
            tokens: list[str] = []
            while i < n:
                raw = lines[i].rstrip("\r\n")
                if not raw.strip():
                    i += 1
                    if i < n and "\t" in lines[i] and not lines[i].startswith("\t"):
                        continue
                    break
                if "\t" not in raw and tokens:
                    break
                tokens.extend(t.strip() for t in raw.split("\t") if t.strip())
                i += 1
            blocks.append(Block(kind="chart", caption=title, series=chart_series(tokens)))
            continue
        para += 1
        text = clean(line)
        if text:
            blocks.append(Block(kind="para", text=text, where=Where(para=para), heading=bool(heading_number(text))))
        i += 1
    return blocks
