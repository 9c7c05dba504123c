"""The server side of one school's round trip, profiled in one process: CPU seconds and SQL
statements per request, and where the CPU goes.

    .venv/bin/python bench/profile_portal.py [--schools 400] [--rounds 8] [--profile [--top 25]]

The same synthetic province and the same requests as bench_portal.py (sign-in page, sign in with
the production password hasher, the form, saving every figure through the JSON API, submitting),
but through Django's test client in this process, on a PostgreSQL database of its own on
127.0.0.1:5432 (dropped afterwards): CPU time is measured with ``time.process_time`` (this
process only, so other work on the machine does not count; PostgreSQL's own processes do not
count either), statements with Django's ``CaptureQueriesContext``. With ``--profile`` the
requests run under cProfile (on CPU time) and the costliest functions are listed; the figures
are then those of the profiled run, slower than without. The first school warms the
process (dataset read, templates compiled) and is left out of the figures, as a long-running
server worker has paid that once.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import psycopg  # noqa: E402
from bench_portal import PASSWORD, school_values  # noqa: E402
from bench_schools import major_pool, make_province  # noqa: E402

ADMIN = os.environ.get("NIANBAO_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
NOTE = "合成数据：与上年相比的变化已核实"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--schools", type=int, default=400, help="schools in the province (the registry's size)")
    ap.add_argument("--rounds", type=int, default=8, help="schools whose round trip is measured")
    ap.add_argument("--profile", action="store_true", help="run under cProfile and list where the CPU goes")
    ap.add_argument("--top", type=int, default=25, help="functions listed by cumulative CPU")
    ap.add_argument("--queries", action="store_true", help="print the SQL statements of the last round trip")
    ap.add_argument("--seed", type=int, default=2020)
    args = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="nianbao-profile-portal-"))
    dataset = tmp / "province"
    orgs = make_province(dataset, args.schools, random.Random(args.seed), args.seed)
    schools = [o for o in orgs if o.level == "school"][: args.rounds + 1]
    name = f"nianbao_profile_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    db = ADMIN.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(ADMIN, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    try:
        for k in [k for k in os.environ if k.startswith(("NIANBAO_", "DJANGO_"))]:
            del os.environ[k]
        from nianbao.web import commands

        commands.configure(str(dataset), db)
        commands.prepare()
        return _run(args, dataset, schools)
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(ADMIN, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(args, dataset: Path, schools) -> int:
    import re

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from nianbao.catalogue import load
    from nianbao.web.models import Membership, Org

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    User = get_user_model()
    for o in schools:
        user = User.objects.create_user(f"s{o.code}", password=PASSWORD)
        Membership.objects.create(user=user, org=Org.objects.get(pk=o.code), role="school")
    pool = major_pool(load("cn-2016"))
    hasher = settings.PASSWORD_HASHERS[0].rsplit(".", 1)[1]

    cpu: dict[str, list[float]] = {}
    queries: dict[str, list[int]] = {}
    profile = cProfile.Profile(time.process_time)  # CPU, not waiting for the database

    def call(name, fn, measured, o=None):
        with CaptureQueriesContext(connection) as q:
            t = time.process_time()
            if measured and args.profile:
                profile.enable()
            r = fn()
            if measured and args.profile:
                profile.disable()
            used = time.process_time() - t
        if measured and args.queries and o is schools[-1]:
            print(f"-- {name}: {len(q.captured_queries)} statements")
            for x in q.captured_queries:
                print("   ", x["sql"][:160])
        if measured:
            cpu.setdefault(name, []).append(used)
            queries.setdefault(name, []).append(len(q.captured_queries))
        return r

    handler = None
    for i, o in enumerate(schools):
        measured = i > 0
        c = Client()
        if handler is not None:  # one handler, as a server process has (its middleware is built once)
            c.handler = handler
        handler = c.handler
        values = school_values(args.seed, o.code, pool, o.school_type == "attached_class")
        call("GET /login/", lambda: c.get("/login/"), measured, o)
        r = call("POST /login/", lambda: c.post("/login/", {"username": f"s{o.code}", "password": PASSWORD},
                                                 follow=True), measured, o)
        sub = re.search(r"/s/(\d+)/", r.redirect_chain[-1][0]).group(1)
        # POST /login/ follows its redirects (/ → /s/<id>/) as the browser does; the form is asked again
        call("GET /s/<id>/", lambda: c.get(f"/s/{sub}/"), measured, o)
        r = call("PUT /api/…/values", lambda: c.put(f"/api/submissions/{sub}/values", {"values": values},
                                                   content_type="application/json"), measured, o)
        assert r.status_code == 200 and not r.json()["errors"], r.content[:300]
        r = call("POST /s/<id>/submit/", lambda: c.post(f"/s/{sub}/submit/", {"note": NOTE}, follow=True), measured, o)
        assert "已提交区县审核" in r.content.decode(), r.content.decode()[:500]

    n = len(schools) - 1
    print(f"nianbao portal, one school's round trip in one process: {args.schools} schools in the registry, "
          f"{n} round trips measured (after one that warms the process); password hasher {hasher}"
          + ("; under cProfile" if args.profile else ""))
    print(f"{'request':<24}{'CPU s p50':>11}{'CPU s max':>11}{'SQL':>6}")
    for name, xs in cpu.items():
        print(f"{name:<24}{statistics.median(xs):>11.3f}{max(xs):>11.3f}{max(queries[name]):>6}")
    total = sum(sum(xs) for xs in cpu.values()) / n
    print(f"{'per school':<24}{total:>11.3f}{'':>11}{sum(max(q) for q in queries.values()):>6}")
    if not args.profile:
        return 0
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    print("where the CPU goes (profiled, so slower than above): nianbao's functions by cumulative time")
    stats.sort_stats("cumulative").print_stats(r"nianbao/(web|app|ingest|check|store|core)", args.top)
    print("and every function by its own time")
    stats.sort_stats("tottime").print_stats(args.top)
    print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
