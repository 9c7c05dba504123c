"""``nianbao serve DATASET``: the collection portal (网上填报) on http://127.0.0.1:8000.

Without ``--database`` everything stays on the laptop: the portal's accounts and audit trail in
DATASET/portal/portal.sqlite3, the figures in DATASET/nianbao.duckdb (what ``nianbao report``
reads). With ``--database postgresql://…`` (a bureau's server) both go to PostgreSQL, and
``nianbao report DATASET`` reads them when dataset.yaml names the same ``database:`` (or
NIANBAO_DATABASE is set). Served by gunicorn, never by a development server.
"""

from __future__ import annotations

import os
import subprocess
import sys


def add_arguments(p) -> None:
    p.add_argument("dataset", nargs="?",
                   help="数据集文件夹（含 dataset.yaml、orgs.csv）；使用 --database 时可省略（用数据库记录的） "
                        "/ dataset folder (optional with --database: the one the database was first served with)")
    p.add_argument("--database", metavar="URL",
                   help="PostgreSQL 数据库（postgresql://用户@主机/库名）；默认为本机嵌入式数据库 "
                        "/ PostgreSQL URL for a bureau's server (default: embedded SQLite + DuckDB)")
    p.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1） / address to listen on")
    p.add_argument("--port", type=int, default=8000, help="端口（默认 8000） / port")
    p.add_argument("--workers", type=int, default=0,
                   help="进程数（默认：嵌入式 1，PostgreSQL 2×CPU+1） / worker processes")
    p.add_argument("--threads", type=int, default=0, help="每个进程的线程数 / threads per worker")
    p.add_argument("--deadline", metavar="YYYY-MM-DDTHH:MM",
                   help="本年度填报截止时间（默认启动后 30 天） / deadline of this year's task")
    p.add_argument("--access-log", metavar="FILE", help="访问日志文件（- 为屏幕） / access log file ('-': screen)")


def run(args) -> int:
    cmd = [sys.executable, "-m", "nianbao.web", "serve"]
    if args.dataset:
        cmd.append(args.dataset)
    for flag in ("database", "host", "port", "workers", "threads", "deadline", "access_log"):
        value = getattr(args, flag)
        if value not in (None, "", 0):
            cmd += ["--" + flag.replace("_", "-"), str(value)]
    if os.name == "posix":
        os.execv(sys.executable, cmd)  # the server takes this process over: signals reach gunicorn
    try:
        return subprocess.call(cmd)
    except KeyboardInterrupt:
        return 0
