"""The dashboard of the portal's city page (``app.portal_reports.dashboard``) computes its
figures on the engine a report's facts come from, and only the approved schools' figures count:
a county's bar is the sum of its approved schools' rows, and every engine shows the board of the
Python reference."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import pytest

from nianbao.app import portal_reports
from nianbao.ingest.dataset import load_dataset
from tests.conformance.conftest import engine_url

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "examples" / "datong-2024-schools"
YEAR = 2024


def _rows(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _board(approved=None, engine=None, url=None):
    ds = load_dataset(DATA)
    if approved is not None:
        ds = portal_reports.approved_only(ds, approved, YEAR)
    if engine is not None:
        ds = dataclasses.replace(ds, meta={**ds.meta, "engine": engine})
    return dataclasses.asdict(portal_reports.dashboard(ds, YEAR, url=url))


def test_a_countys_bar_sums_its_approved_schools():
    orgs = _rows("orgs.csv")
    schools = sorted(o["code"] for o in orgs if o["level"] == "school")
    approved = set(schools[::2])  # every other school
    board = _board(approved)
    students = next(c for c in board["charts"] if c["code"] == "students")
    county = {o["code"]: o["county"] for o in orgs if o["level"] == "school"}
    want: dict[str, float] = {}
    for r in _rows("values.csv"):  # the rows of 2024 of the approved schools, summed by county
        if r["element"] == "students" and not r["dims"] and r["period"] == str(YEAR) and r["org_unit"] in approved:
            want[county[r["org_unit"]]] = want.get(county[r["org_unit"]], 0) + float(r["value"])
    got = {row["org"]: bar[2] for row, bar in zip(board["by_county"], students["bars"])}
    assert {c: v for c, v in got.items() if v is not None} == want
    assert len(want) >= 5


@pytest.mark.parametrize("engine", ["duckdb", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_every_engine_shows_the_reference_board(engine):
    approved = {o["code"] for o in _rows("orgs.csv") if o["level"] == "school"} - {"0140213008"}
    ref = _board(approved, "python")
    assert len(ref["by_type"]) >= 3 and sum(c["value"] is not None for c in ref["city"]["cells"]) >= 4
    assert _board(approved, engine, engine_url(engine)) == ref
