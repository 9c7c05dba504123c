"""What every command prints the same way: one clear problem, the findings of input that cannot
be used, a text result written to the screen or a file. Light on purpose: ``nianbao --help``
imports this and nothing heavier."""

from __future__ import annotations

import sys

from nianbao.core import outfiles


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
