"""The ``nianbao`` command. Each subcommand lives in its own module of this package with
``add_arguments(parser)`` and ``run(args) -> int``, registered in the table COMMANDS; errors in
the data never end in a traceback.

The parser is built lazily: only the module of the command being run is imported (with the
libraries its use cases need), so ``nianbao --help`` and a mistyped command cost no more than
starting Python and argparse."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from nianbao import __version__
from nianbao.cli import console
from nianbao.core.errors import NianbaoError
from nianbao.core.findings import FindingsError

# (command, module, Chinese help, English help)
COMMANDS = [
    ("report", "nianbao.cli.report_cmd", "生成质量年度报告（Word、HTML，可选 PDF）", "build the annual report (Word, HTML, PDF)"),
    ("check", "nianbao.cli.check_cmd", "检查数据，列出错误与警告", "check the data and list errors and warnings"),
    ("template", "nianbao.cli.template_cmd", "生成学校数据填报表（Excel）", "generate school data workbooks (Excel)"),
    ("import", "nianbao.cli.import_cmd", "导入学校填报的工作簿", "import filled school workbooks"),
    ("store", "nianbao.cli.store_cmd", "查看或删除数据库中已导入的学校年度数据", "list or remove the school-years stored"),
    ("indicators", "nianbao.cli.indicators_cmd", "按层级与分组计算指标", "compute indicators by level and breakdown"),
    ("standards", "nianbao.cli.standards_cmd", "学校办学标准达标情况", "which school meets which standard"),
    ("outlines", "nianbao.cli.outlines_cmd", "列出目录版本、报告类型与提纲各部分", "list catalogue versions, report types and their parts"),
    ("audit", "nianbao.cli.audit_cmd", "审核已印发的报告，找出其中自相矛盾的数字", "audit a published report for contradictions"),
    ("serve", "nianbao.cli.serve_cmd", "启动网上填报系统（学校填报、区县审核、市级审定）", "run the collection portal"),
    ("users", "nianbao.cli.users_cmd", "管理网上填报的账号与角色", "manage the portal's accounts and roles"),
]

DESCRIPTION = """nianbao（年报）：中等职业教育质量年度报告系统。
从学校与教育局的数据出发，检查、计算指标并生成报告；每个数字都可追溯到数据与公式。

nianbao: annual quality reports of secondary vocational education — collect, check,
compute and publish, every figure traceable to its data and formula."""

EXAMPLES = """示例 / examples:
  nianbao report examples/datong-2020 -o out/datong-2020
  nianbao report examples/datong-2020-schools --school 0140213012 -o out/school
  nianbao check examples/datong-2020 --format json
  nianbao template examples/datong-2020-schools --school 0140213012 -o 学校数据表.xlsx
  nianbao import examples/datong-2020-schools inbox/*.xlsx
  nianbao store list examples/datong-2020-schools
  nianbao indicators examples/datong-2020-schools --level county --format csv
  nianbao standards examples/datong-2020-schools --summary

每个命令都有 --help / every command has --help
"""


def build_parser(commands=None) -> argparse.ArgumentParser:
    """The parser of every command; with ``commands`` (names), the arguments of only those are
    defined (and only their modules imported) — the others are listed by name and help."""
    parser = argparse.ArgumentParser(
        prog="nianbao", description=DESCRIPTION, epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"nianbao {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="命令/command")
    for name, module, zh, en in COMMANDS:
        p = sub.add_parser(name, help=f"{zh} / {en}", description=f"{zh}\n{en}",
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        if commands is None or name in commands:
            mod = importlib.import_module(module)
            mod.add_arguments(p)
            p.set_defaults(_run=mod.run)
    return parser


def command_in(argv: list[str]) -> str | None:
    """The command named in ``argv``: its first word that is not an option (the top level has
    no option taking a value)."""
    return next((a for a in argv if not a.startswith("-")), None)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(commands={command_in(argv)})
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        return int(args._run(args) or 0)
    except KeyboardInterrupt:
        return 130
    except FindingsError as exc:  # input that cannot be used at all
        return console.unreadable(args.command, exc.findings)
    except NianbaoError as exc:  # an expected failure a command did not word itself (an engine not set up)
        return console.fail(args.command, str(exc), getattr(exc, "hint", ""))
    except Exception as exc:  # a defect in nianbao, not in the data: say so in one line
        if os.environ.get("NIANBAO_DEBUG"):
            raise
        print(f"nianbao 内部错误 / internal error: {type(exc).__name__}: {exc}\n"
              "  这是软件的问题而不是数据的问题；设置环境变量 NIANBAO_DEBUG=1 可查看详细信息并报告给开发者。\n"
              "  This is a defect in nianbao, not in your data; set NIANBAO_DEBUG=1 for details.",
              file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
