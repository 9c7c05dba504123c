"""What every command prints the same way: one clear problem, the findings of input that cannot
be used, a text result written to the screen or a file. Light on purpose: ``nianbao --help``
imports this and nothing heavier."""

from __future__ import annotations

import sys
from pathlib import Path

from nianbao.core import outfiles

# file types a command's -o could name but that it does not write (text in them would be a file
# its program cannot open): refused. An .xlsx gets a real workbook where the command has one.
NOT_WRITTEN = (".xls", ".xlsm", ".xlsb", ".xltx", ".xltm", ".ods", ".et", ".ett", ".docx", ".doc", ".dotx",
               ".odt", ".wps", ".pdf", ".pptx", ".ppt", ".zip")


def fail(command: str, message: str, hint: str = "") -> int:
    """Print one clear problem (Chinese, with English after a slash) and give exit code 2."""
    print(f"nianbao {command}：{message}", file=sys.stderr)
    if hint:
        print(f"  改法 / how to fix：{hint}", file=sys.stderr)
    return 2


def fail_use(command: str, exc) -> int:
    """A use case's UseCaseError as one problem (``zh / en``, its hint): exit code 2."""
    return fail(command, f"{exc.zh} / {exc.en}", exc.hint)


def unreadable(command: str, findings) -> int:
    """The findings of input that cannot be read at all, each with where and what to do."""
    for f in findings:
        where = str(f.location)
        print(f"nianbao {command}：无法读取数据 / cannot read the data：{f.message_zh}"
              + (f"（{where}）" if where else ""), file=sys.stderr)
        if f.message_en:
            print(f"  {f.message_en}", file=sys.stderr)
        if f.hint:
            print(f"  改法 / how to fix：{f.hint}", file=sys.stderr)
    return 2


def emit(command: str, text: str, output: str | None, summary: str) -> int:
    """Write ``text`` to ``output`` (then print ``summary → output``) or to the screen."""
    if not output:
        sys.stdout.write(text)
        return 0
    try:
        outfiles.write_text(output, text)
    except OSError as exc:
        return fail(command, f"无法写入 {output}：{exc.strerror or exc}", "检查输出路径是否存在、是否有写权限")
    print(f"{summary} → {output}")
    return 0


def refuse_output(command: str, output: str | None, fmt: str, workbook: bool = True) -> int | None:
    """Exit code 2 after saying why, when ``-o output`` names a file type the command does not
    write in format ``fmt``: an Office, PDF or zip name, or an .xlsx with --format json or csv
    (or for a command without a workbook, ``workbook=False``); None when it may be written."""
    if not output:
        return None
    suffix = Path(output).suffix.lower()
    stem = Path(output).with_suffix("").name
    texts = f"{stem}.csv（--format csv）、{stem}.json（--format json）或 {stem}.txt"
    if suffix == ".xlsx" and workbook and fmt not in ("json", "csv"):
        return None
    if suffix == ".xlsx" and workbook:
        return fail(command, f"{output} 是 Excel 工作簿，不能写入 {fmt.upper()} 文本 / an .xlsx file holds a workbook, "
                             f"not {fmt.upper()} text",
                    f"不加 --format {fmt} 即写为 Excel 工作簿，或改用 {stem}.{fmt} / leave out --format {fmt} for a "
                    f"workbook, or write {stem}.{fmt}")
    if suffix in NOT_WRITTEN or suffix == ".xlsx":
        supported = (".xlsx（Excel 工作簿）、" if workbook else "") + ".csv、.json、.txt 等文本文件"
        supported_en = (".xlsx (an Excel workbook), " if workbook else "") + ".csv, .json, .txt or other text files"
        return fail(command, f"不能写入 {output}：不支持 {suffix} 文件，可用 {supported} / {suffix} files are not "
                             f"written; use {supported_en}",
                    f"例如 -o {stem}.xlsx 或 -o {texts}" if workbook else f"例如 -o {texts}")
    return None
