"""Load test of the collection portal: 400 schools sign in and submit within 10 minutes.

    .venv/bin/python bench/bench_portal.py [--schools 400] [--minutes 7] [--users 12] [--workers 3]

On 127.0.0.1 only. In a temporary folder it invents a province of 400 schools (the synthetic
province of bench_schools.py, with last year's figures), creates a PostgreSQL database of its own
on 127.0.0.1:5432 (dropped afterwards), gives each school an account, and starts
``nianbao serve DATASET --database postgresql://…`` (gunicorn). Then each school, arriving at a
steady rate over ``--minutes``, does what a clerk does:

    GET  /login/                 the sign-in page
    POST /login/                 sign in (Argon2id, the production hasher) → redirected to its form
    GET  /s/<id>/                the form, with the findings of what is stored
    PUT  /api/submissions/<id>/values   all its figures and majors (checked, stored)
    POST /s/<id>/submit/         submit with a note

Printed: p50 / p95 / max per request, throughput, and — counted in the database after the
run — that every school's submission is stored exactly once (one submission row in state
submitted, one submit transition, the figures of 400 schools in the store, no duplicates).
Goal: p95 < 2 s per request; every submission stored exactly once. The loop is bounded by
the number of schools and by a 10-minute deadline.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests" / "web"))

import psycopg  # noqa: E402
from bench_schools import major_pool, make_province, plausible, school_rng  # noqa: E402
from servers import serve  # noqa: E402

PASSWORD = "bench-password-1"
ADMIN = os.environ.get("NIANBAO_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
DEADLINE_S = 600


class Client:
    def __init__(self, base: str, timings: list, lock: threading.Lock):
        self.base, self.timings, self.lock = base, timings, lock
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def call(self, name: str, path: str, data=None, method=None, json_body=None):
        headers = {"Referer": self.base + path}
        body = None
        token = next((c.value for c in self.jar if c.name == "csrftoken"), "")
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers.update({"Content-Type": "application/json", "X-CSRFToken": token})
        elif data is not None:
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        req = urllib.request.Request(self.base + path, body, headers=headers, method=method)
        t = time.perf_counter()
        try:
            with self.opener.open(req, timeout=60) as r:
                status, url, text = r.status, r.geturl(), r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            status, url, text = e.code, path, e.read().decode("utf-8", "replace")
        elapsed = time.perf_counter() - t
        with self.lock:
            self.timings.append((name, elapsed, status))
        return status, url, text


def school_values(seed, code: str, pool, small: bool) -> dict[str, str]:
    values, records = plausible(school_rng(seed, code), pool, small)
    out = {k: str(v) for k, v in values.items()}
    for n, rec in enumerate(records, start=1):
        for key, v in rec.items():
            out[f"majors#{n}:{key}"] = str(v)
    return out


def one_school(base, username, values, timings, lock, failures):
    c = Client(base, timings, lock)
    c.call("GET /login/", "/login/")
    status, url, _ = c.call("POST /login/", "/login/", {"username": username, "password": PASSWORD})
    m = re.search(r"/s/(\d+)/", url)
    if status != 200 or not m:
        failures.append((username, "login", status))
        return
    sub = m.group(1)
    c.call("GET /s/<id>/", f"/s/{sub}/")
    status, _, text = c.call("PUT /api/…/values", f"/api/submissions/{sub}/values", method="PUT",
                             json_body={"values": values})
    if status != 200 or json.loads(text).get("errors"):
        failures.append((username, "save", status, text[:200]))
        return
    status, _, text = c.call("POST /s/<id>/submit/", f"/s/{sub}/submit/", {"note": "合成数据：与上年相比的变化已核实"})
    if status != 200 or "已提交区县审核" not in text:
        failures.append((username, "submit", status, re.findall(r'class="msg[^"]*">([^<]*)', text)[:2]))


def portal_cpu(marker: str) -> float:
    """CPU seconds used so far by the portal's processes (their command line names the dataset)."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            if marker not in (d / "cmdline").read_bytes().decode("utf-8", "replace"):
                continue
            fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except OSError:
            continue
    return total


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--schools", type=int, default=400)
    ap.add_argument("--minutes", type=float, default=7.0, help="spread the arrivals over this time")
    ap.add_argument("--users", type=int, default=12, help="schools at work at the same time, at most")
    ap.add_argument("--workers", type=int, default=3, help="gunicorn processes")
    ap.add_argument("--seed", type=int, default=2020)
    args = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="nianbao-bench-portal-"))
    dataset = tmp / "province"
    rng = random.Random(args.seed)
    orgs = make_province(dataset, args.schools, rng, args.seed)
    schools = [o for o in orgs if o.level == "school"]
    name = f"nianbao_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    db = ADMIN.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(ADMIN, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    try:
        t0 = time.perf_counter()
        with serve(dataset, db, workers=args.workers, log=tmp / "serve.log", fast_hasher=False) as base:
            setup = time.perf_counter() - t0
            _accounts(db, schools)
            from nianbao.catalogue import load

            pool = major_pool(load("cn-2016"))
            plan = [(f"s{o.code}", school_values(args.seed, o.code, pool, o.school_type == "attached_class"))
                    for o in schools]
            timings, failures, lock = [], [], threading.Lock()
            load_before = os.getloadavg()[0]
            cpu_before = portal_cpu(str(dataset))
            gap = args.minutes * 60 / len(plan)
            start = time.perf_counter()
            pool_ = ThreadPoolExecutor(max_workers=args.users)
            futures = []
            for i, (user, values) in enumerate(plan):
                wait = start + i * gap - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                if time.perf_counter() - start > DEADLINE_S:
                    break
                futures.append(pool_.submit(one_school, base, user, values, timings, lock, failures))
            wait_for(futures, timeout=max(0.0, DEADLINE_S - (time.perf_counter() - start)))
            pool_.shutdown(wait=True, cancel_futures=True)  # the deadline: schools not yet started stay out
            done = [f for f in futures if f.done() and not f.cancelled()]
            for f in done:
                f.result()
            unfinished = len(plan) - len(done)
            if unfinished:
                failures.append(("deadline", f"{unfinished} schools not done within {DEADLINE_S} s"))
            wall = time.perf_counter() - start
            load_after = os.getloadavg()[0]
            cpu_used = portal_cpu(str(dataset)) - cpu_before
        counts = _count(db, args.schools)
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    print(f"nianbao portal load test: {len(plan)} schools, {args.users} at a time at most, gunicorn "
          f"{args.workers} processes × 4 threads on PostgreSQL, 2 cores shared with the load generator")
    print(f"machine load average (1 min) {load_before:.1f} before, {load_after:.1f} after the run "
          f"(other work on the same 2 cores slows every figure below)")
    finished = sum(1 for k, _, s in timings if k.startswith("POST /s/") and s == 200)
    print(f"set-up (migrate, registry, server start) {setup:.1f} s; run {wall:.1f} s: {finished} schools done "
          f"({finished / wall * 60:.1f} schools/min, {len(timings) / wall:.1f} requests/s)")
    print(f"portal processes' CPU {cpu_used:.1f} s = {cpu_used / max(finished, 1):.2f} s per school "
          f"(PostgreSQL's own processes not counted)")
    print(f"{'request':<24}{'n':>6}{'p50 s':>9}{'p95 s':>9}{'max s':>9}{'errors':>8}")
    kinds = list(dict.fromkeys(k for k, _, _ in timings))
    for kind in kinds + ["all"]:
        xs = [t for k, t, _ in timings if kind in (k, "all")]
        bad = sum(1 for k, _, s in timings if kind in (k, "all") and s >= 400)
        print(f"{kind:<24}{len(xs):>6}{statistics.median(xs):>9.3f}{pct(xs, 0.95):>9.3f}{max(xs):>9.3f}{bad:>8}")
    p95 = pct([t for _, t, _ in timings], 0.95)
    print(f"stored exactly once: submissions submitted {counts['submitted']} (rows {counts['rows']}), "
          f"submit transitions {counts['transitions']}, schools with figures in the store {counts['stored']}, "
          f"duplicate figures {counts['duplicates']}, failures {len(failures)}")
    for f in failures[:10]:
        print("  failure:", f)
    ok = (p95 < 2.0 and not failures and counts["submitted"] == counts["rows"] == counts["transitions"]
          == counts["stored"] == len(plan) and counts["duplicates"] == 0 and wall < DEADLINE_S)
    print(f"goal p95 < 2 s and every submission stored once within 10 minutes: {'met' if ok else 'NOT met'} "
          f"(p95 {p95:.3f} s)")
    return 0 if ok else 1


def _accounts(db: str, schools) -> None:
    """One account per school (one hash of the shared bench password by the portal's own hasher,
    computed once)."""
    import django
    from django.conf import settings

    if not settings.configured:
        from nianbao.web import settings as portal

        settings.configure(PASSWORD_HASHERS=[h for h in portal.PASSWORD_HASHERS if "MD5" not in h], USE_TZ=True)
        django.setup()
    from django.contrib.auth.hashers import make_password

    hashed = make_password(PASSWORD)
    with psycopg.connect(db, autocommit=False) as con:
        cur = con.cursor()
        for o in schools:
            uid = cur.execute(
                "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, "
                "is_active, date_joined) VALUES (%s, false, %s, '', '', '', false, true, now()) RETURNING id",
                (hashed, f"s{o.code}")).fetchone()[0]
            cur.execute("INSERT INTO web_membership (user_id, org_id, role) VALUES (%s, %s, 'school')", (uid, o.code))
        con.commit()


def _count(db: str, n: int) -> dict:
    with psycopg.connect(db) as con:
        q = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "submitted": q("SELECT count(DISTINCT org_id) FROM web_submission WHERE state = 'submitted'"),
            "rows": q("SELECT count(*) FROM web_submission WHERE state = 'submitted'"),
            "transitions": q("SELECT count(*) FROM web_statechange WHERE transition = 'submit'"),
            "stored": q("SELECT count(DISTINCT org_unit) FROM observations WHERE period = 2020"),
            "duplicates": q("SELECT count(*) FROM (SELECT org_unit, element, dims, period, scope FROM observations "
                            "GROUP BY 1, 2, 3, 4, 5 HAVING count(*) > 1) d"),
        }


if __name__ == "__main__":
    sys.exit(main())
