"""``nianbao users import 账号.csv DATASET``: accounts of the portal, each with a role at an org
unit. Columns (UTF-8 CSV, Chinese or English headers): username/用户名, name/姓名, role/角色
(学校填报员 school, 区县审核员 county, 市级管理员 city, 省级查看 province), org/机构代码,
password/密码 (optional: new accounts without one get a random password, written to
``账号.初始密码.csv``), email/邮箱. Nothing is imported when any line has a problem."""

from __future__ import annotations

import subprocess
import sys


def add_arguments(p) -> None:
    sub = p.add_subparsers(dest="users_command", metavar="操作/action", required=True)
    imp = sub.add_parser("import", help="从 CSV 导入账号与角色 / import accounts and roles from a CSV",
                         description="从 CSV 导入账号与角色\nimport accounts and roles from a CSV")
    imp.add_argument("file", help="账号表 CSV / accounts CSV")
    imp.add_argument("dataset", nargs="?", help="数据集文件夹；使用 --database 时可省略 / dataset folder")
    imp.add_argument("--database", metavar="URL", help="PostgreSQL 数据库 / PostgreSQL URL of the server")
    imp.add_argument("--passwords", metavar="FILE",
                     help="新账号初始密码写入的文件（默认 账号.初始密码.csv） / where new accounts' passwords go")


def run(args) -> int:
    cmd = [sys.executable, "-m", "nianbao.web", "users-import", args.file]
    if args.dataset:
        cmd.append(args.dataset)
    if args.database:
        cmd += ["--database", args.database]
    if args.passwords:
        cmd += ["--passwords", args.passwords]
    return subprocess.call(cmd)
