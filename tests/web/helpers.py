"""Shared set-up of the portal tests: org units, accounts with roles, the year's task, and a
school's figures of 2020 taken from the example's values.csv (they pass every rule's errors)."""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import uuid
from dataclasses import dataclass

import psycopg

SCHOOL_A = "0140213012"  # 平城区
SCHOOL_B = "0140213011"  # 平城区, the same county
SCHOOL_C = "0140214001"  # 云冈区, another county
COUNTY_A, COUNTY_C, CITY, PROVINCE = "140213", "140214", "140200", "140000"
PASSWORD = "correct-horse-9"


@dataclass
class Portal:
    task: object
    users: dict


def setup_portal(deadline_days: int = 30) -> Portal:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from nianbao.web import services
    from nianbao.web.models import Membership, Org, Task

    services.reset_dataset()
    services.sync_registry(services.dataset())
    Task.objects.all().delete() if not Task.objects.filter(submissions__isnull=False).exists() else None
    task = services.ensure_task(2020, timezone.now() + _dt.timedelta(days=deadline_days))
    User = get_user_model()
    users = {}
    for name, role, org in (("school_a", "school", SCHOOL_A), ("school_b", "school", SCHOOL_B),
                            ("school_c", "school", SCHOOL_C), ("county_a", "county", COUNTY_A),
                            ("county_c", "county", COUNTY_C), ("city", "city", CITY),
                            ("province", "province", PROVINCE)):
        u = User.objects.create_user(name, password=PASSWORD)
        Membership.objects.create(user=u, org=Org.objects.get(pk=org), role=role)
        users[name] = u
    return Portal(task, users)


def figures_2020(school: str) -> dict[str, str]:
    """The school's 2020 figures of values.csv as form texts, with its majors as records."""
    from nianbao.app import submissions
    from nianbao.web import services

    ds = services.dataset()
    values = submissions.previous_values(ds, school, 2021)  # "last year" of 2021 = the 2020 figures
    n = 0
    for m in ds.majors:
        if m.org_unit != school or (m.closed and m.closed <= 2020):
            continue
        n += 1
        values[submissions.record_code("majors", n, "code")] = m.code
        values[submissions.record_code("majors", n, "name")] = m.name
        values[submissions.record_code("majors", n, "category")] = ds.catalogue.category_label("major_category",
                                                                                              m.category)
    return values


def login(client, name: str):
    assert client.login(username=name, password=PASSWORD)
    return client


def pg_url(name: str) -> str:
    base = os.environ.get("NIANBAO_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
    return base.rsplit("/", 1)[0] + "/" + name


@contextlib.contextmanager
def temporary_database(prefix: str = "nianbao_t"):
    """A PostgreSQL database of its own on the test server, dropped afterwards."""
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = os.environ.get("NIANBAO_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    try:
        yield pg_url(name)
    finally:
        with psycopg.connect(admin, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
