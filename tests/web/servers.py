"""Running the real ``nianbao serve`` (gunicorn) for the browser and end-to-end tests: a copy of
the example dataset, accounts imported with ``nianbao users import``, a free port on 127.0.0.1."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "datong-2020-schools"
PASSWORD = "correct-horse-9"
ACCOUNTS = [  # username, name, role, org
    ("school_a", "王老师", "学校填报员", "0140213012"),
    ("school_b", "李老师", "学校填报员", "0140213011"),
    ("county_a", "平城区审核员", "区县审核员", "140213"),
    ("city", "市教育局", "市级管理员", "140200"),
    ("province", "省教育厅", "省级查看", "140000"),
]


def clean_env(fast_hasher: bool = True) -> dict:
    """The environment of a child process: none of the test run's portal settings; a fast
    password hasher unless the real one is measured (the load test)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NIANBAO_", "DJANGO_"))}
    if fast_hasher:
        env["NIANBAO_FAST_HASHER"] = "1"
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_dataset(tmp: Path) -> Path:
    out = tmp / "datong"
    shutil.copytree(EXAMPLE, out, ignore=shutil.ignore_patterns("nianbao.duckdb", "portal"))
    return out


def nianbao(*args, env=None, check=True) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nianbao.cli.main", *map(str, args)], env=env or clean_env(),
                          capture_output=True, text=True, check=check, timeout=600)


def import_accounts(dataset: Path, database: str | None = None, accounts=ACCOUNTS) -> subprocess.CompletedProcess:
    csv = dataset / "账号.csv"
    csv.write_text("用户名,姓名,角色,机构代码,密码\n" + "".join(f"{u},{n},{r},{o},{PASSWORD}\n" for u, n, r, o in accounts),
                   encoding="utf-8")
    args = ["users", "import", csv, dataset] + (["--database", database] if database else [])
    return nianbao(*args)


@contextlib.contextmanager
def serve(dataset: Path, database: str | None = None, workers: int = 0, log: Path | None = None,
          fast_hasher: bool = True):
    """``nianbao serve`` in a child process; yields the base URL; stops it (by its own pid)."""
    port = free_port()
    args = [sys.executable, "-m", "nianbao.cli.main", "serve", str(dataset), "--port", str(port)]
    if database:
        args += ["--database", database]
    if workers:
        args += ["--workers", str(workers)]
    out = open(log or (dataset / "serve.log"), "w")
    proc = subprocess.Popen(args, env=clean_env(fast_hasher), stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while True:
            try:
                with urllib.request.urlopen(url + "/login/", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                out.flush()
                raise RuntimeError("nianbao serve did not start:\n" + Path(out.name).read_text())
            time.sleep(0.3)
        yield url
    finally:
        os.killpg(proc.pid, 15)  # the server and its gunicorn workers, started by this test
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
        out.close()
