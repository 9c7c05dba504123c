"""Starting the portal and importing accounts (run by ``nianbao serve`` and ``nianbao users``).

``serve``: set the environment the settings read, migrate the portal's tables, copy the
registry in, open the year's task, then run gunicorn (never Django's development server):
on the embedded default one process with threads (one process writes a DuckDB file), on
PostgreSQL several processes.
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import os
import secrets
import sys
from pathlib import Path

from nianbao.core import exports

ROLE_NAMES = {
    "school": "school", "学校": "school", "学校填报员": "school", "填报员": "school",
    "county": "county", "区县": "county", "区县审核员": "county", "审核员": "county",
    "city": "city", "市级": "city", "市级管理员": "city", "管理员": "city",
    "province": "province", "省级": "province", "省级查看": "province", "省级用户": "province",
}
ROLE_LEVEL = {"school": "school", "county": "county", "city": "city", "province": "province"}


def _fail(message: str, hint: str = "") -> int:
    print(f"nianbao：{message}", file=sys.stderr)
    if hint:
        print(f"  改法 / how to fix：{hint}", file=sys.stderr)
    return 2


def _sqlite_path(dataset: Path) -> Path:
    return dataset / "portal" / "portal.sqlite3"


def _recorded_dataset(database: str) -> str | None:
    """The dataset a server's database was first served with."""
    import psycopg

    try:
        with psycopg.connect(database, connect_timeout=10) as con:
            row = con.execute("SELECT value FROM web_sitesetting WHERE key = 'dataset'").fetchone()
            return row[0] if row else None
    except psycopg.Error:
        return None


def configure(dataset: str | None, database: str | None) -> Path:
    """Set the environment of the settings; returns the dataset folder."""
    if not dataset and database:
        dataset = _recorded_dataset(database)
        if not dataset:
            raise SystemExit(_fail("数据库中没有记录数据集 / the database names no dataset",
                                   "第一次启动时给出数据集文件夹：nianbao serve DATASET --database URL"))
    if not dataset:
        raise SystemExit(_fail("请给出数据集文件夹 / name the dataset folder", "nianbao serve examples/datong-2020-schools"))
    path = Path(dataset).resolve()
    if not (path / "dataset.yaml").exists():
        raise SystemExit(_fail(f"{path} 不是数据集（没有 dataset.yaml） / not a dataset",
                               "给出含 dataset.yaml 与 orgs.csv 的文件夹"))
    if not (path / "orgs.csv").exists():
        raise SystemExit(_fail(f"{path} 没有机构表 orgs.csv，网上填报需要学校名录 / the portal needs orgs.csv",
                               "在数据集中加入 orgs.csv（省、市、县、学校）"))
    portal = path / "portal"
    (portal / "static").mkdir(parents=True, exist_ok=True)
    key_file = portal / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        key_file.chmod(0o600)
    os.environ["NIANBAO_DATASET"] = str(path)
    os.environ["NIANBAO_PORTAL_DIR"] = str(portal)
    os.environ.setdefault("NIANBAO_SECRET_KEY", key_file.read_text(encoding="utf-8").strip())
    if database:
        os.environ["NIANBAO_WEB_DATABASE"] = database
        os.environ["NIANBAO_DATABASE"] = database  # the figures go to the same server
    else:
        os.environ["NIANBAO_WEB_DATABASE"] = str(_sqlite_path(path))
        os.environ["NIANBAO_STORE_SHARED"] = "1"  # one DuckDB configuration in the server process
    os.environ["DJANGO_SETTINGS_MODULE"] = "nianbao.web.settings"
    return path


def prepare(deadline: str | None = None, quiet: bool = False) -> dict:
    """Migrate, copy the registry in, open the task of the dataset's report year."""
    import django
    from django.core.management import call_command

    django.setup()
    from nianbao.web import services

    call_command("migrate", verbosity=0, interactive=False)
    ds = services.dataset()
    n = services.sync_registry(ds)
    when = None
    if deadline:
        when = _dt.datetime.fromisoformat(deadline)
        if when.tzinfo is None:
            from django.utils import timezone

            when = timezone.make_aware(when)
    task = services.ensure_task(ds.report_year, when)
    if when is not None and task.deadline != when:
        task.deadline = when
        task.save()
    services.remember_dataset(os.environ["NIANBAO_DATASET"])
    return {"orgs": n, "task": task, "dataset": ds}


def serve(args) -> int:
    path = configure(args.dataset, args.database)
    info = prepare(args.deadline)
    from gunicorn.app.base import BaseApplication

    embedded = not args.database
    workers = args.workers or (1 if embedded else min(2 * (os.cpu_count() or 1) + 1, 9))
    threads = args.threads or (8 if embedded else 4)
    options = {"bind": f"{args.host}:{args.port}", "workers": workers, "threads": threads,
               "worker_class": "gthread", "timeout": 120, "graceful_timeout": 10,
               "accesslog": args.access_log or None, "errorlog": "-", "loglevel": "warning",
               "proc_name": "nianbao-portal", "limit_request_line": 8190,
               # on a server, the dataset is read once before the processes fork (shared memory)
               "preload_app": not embedded}

    class Portal(BaseApplication):
        def load_config(self):
            for k, v in options.items():
                if v is not None:
                    self.cfg.set(k, v)

        def load(self):
            from nianbao.web import services
            from nianbao.web.wsgi import application

            if not embedded:
                services.dataset()
            return application

    where = "PostgreSQL" if args.database else f"{_sqlite_path(path)} + {path / 'nianbao.duckdb'}"
    print(f"网上填报 / portal: http://{args.host}:{args.port}/  （{info['dataset'].org_unit.zh} "
          f"{info['task'].year}年度，{info['orgs']} 个机构；数据库 / database: {where}；"
          f"{workers} 个进程 × {threads} 个线程）", flush=True)
    print("按 Ctrl+C 停止 / press Ctrl+C to stop", flush=True)
    Portal().run()
    return 0


def users_import(args) -> int:
    configure(args.dataset, args.database)
    prepare()
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from nianbao.web.models import Membership, Org

    User = get_user_model()
    path = Path(args.file)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return _fail(f"无法读取 {path}：{exc}", "账号表为 UTF-8 编码的 CSV：username,name,role,org[,password,email]")
    rows = list(csv.DictReader(text.splitlines()))
    problems, plan = [], []
    alias = {"用户名": "username", "账号": "username", "姓名": "name", "角色": "role", "机构": "org",
             "机构代码": "org", "单位代码": "org", "密码": "password", "邮箱": "email"}
    for i, raw in enumerate(rows, start=2):
        row = {alias.get((k or "").strip(), (k or "").strip()): (v or "").strip() for k, v in raw.items()}
        username, role, org_code = row.get("username", ""), ROLE_NAMES.get(row.get("role", "")), row.get("org", "")
        if not username:
            problems.append(f"第{i}行：没有用户名 / line {i}: no username")
            continue
        if role is None:
            problems.append(f"第{i}行：角色“{row.get('role', '')}”无法识别，可填 学校填报员、区县审核员、市级管理员、省级查看 "
                            f"/ line {i}: unknown role")
            continue
        org = Org.objects.filter(pk=org_code).first()
        if org is None:
            problems.append(f"第{i}行：机构代码 {org_code} 不在机构表中 / line {i}: org {org_code} not in orgs.csv")
            continue
        if org.level != ROLE_LEVEL[role]:
            problems.append(f"第{i}行：{org.zh} 是 {org.level} 级机构，不能设 {row.get('role')} / line {i}: "
                            f"role {role} needs a {ROLE_LEVEL[role]}")
            continue
        password = row.get("password", "")
        if password and len(password) < 8:
            problems.append(f"第{i}行：密码至少 8 位 / line {i}: password shorter than 8 characters")
            continue
        plan.append((username, row.get("name", ""), role, org, password, row.get("email", "")))
    if problems:
        for p in problems:
            print(p, file=sys.stderr)
        print(f"未导入任何账号：{len(problems)} 处问题 / nothing imported: {len(problems)} problems", file=sys.stderr)
        return 1
    issued = []
    with transaction.atomic():
        for username, name, role, org, password, email in plan:
            user, created = User.objects.get_or_create(username=username)
            user.first_name = name[:150]
            user.email = email
            if password:
                user.set_password(password)
            elif created:
                password = secrets.token_urlsafe(9)
                user.set_password(password)
                issued.append((username, name, password))
            user.save()
            Membership.objects.get_or_create(user=user, org=org, role=role)
    print(f"已导入 {len(plan)} 个账号 / imported {len(plan)} accounts")
    if issued:
        out = Path(args.passwords or path.with_name(path.stem + ".初始密码.csv"))
        with out.open("w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow(["username", "name", "password"])
            w.writerows(exports.csv_values(row) for row in issued)
        out.chmod(0o600)
        print(f"{len(issued)} 个新账号的初始密码 / initial passwords → {out}")
    return 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m nianbao.web")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("dataset", nargs="?")
    s.add_argument("--database")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--workers", type=int, default=0)
    s.add_argument("--threads", type=int, default=0)
    s.add_argument("--deadline")
    s.add_argument("--access-log")
    u = sub.add_parser("users-import")
    u.add_argument("file")
    u.add_argument("dataset", nargs="?")
    u.add_argument("--database")
    u.add_argument("--passwords")
    args = p.parse_args(argv)
    return serve(args) if args.cmd == "serve" else users_import(args)
