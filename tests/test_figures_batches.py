"""An SQL engine's figures are fetched a batch of units at a time (``SqlFigures._fetch``; the
dialect's ``fetch_batch``): a caller going through every school of a province (the indicator
table by school, the standards, the 达标 plan) holds one batch of rows in Python, not every
school's. Whatever order the units are asked for in, each unit's facts are those of the figures
fetched all at once, with the same provenance."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from nianbao.compute import sql_engine
from nianbao.ingest.dataset import load_dataset
from nianbao.store.engines import dialects
from tests.conformance.conftest import engine_url

ROOT = Path(__file__).resolve().parents[1]
SIZE = 4


def _facts(book) -> str:
    return json.dumps(sorted((json.dumps(f.to_dict(), sort_keys=True, default=str) for f in book.all_facts())))


@pytest.mark.parametrize("engine", ["duckdb", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
@pytest.mark.parametrize("name", ["datong-2024-schools", "datong-2020-schools"])
def test_units_fetched_in_batches_have_the_facts_of_all_at_once(monkeypatch, engine, name):
    url = engine_url(engine)
    ds = load_dataset(ROOT / "examples" / name)
    once = sql_engine.SqlFigures(ds, engine, url)  # every unit at once (not kept open)
    reg = ds.orgs
    units = [o.code for o in reg]
    ref = {u: _facts(once.factbook(u)) for u in units}
    assert sum(bool(json.loads(v)) for v in ref.values()) > len(units) // 2
    monkeypatch.setitem(dialects.DIALECTS, engine, dataclasses.replace(dialects.DIALECTS[engine], fetch_batch=SIZE))
    figs = sql_engine.SqlFigures(ds, engine, url, units=units, keep_open=True)
    fetched = []
    fetch = figs._fetch
    monkeypatch.setattr(figs, "_fetch", lambda first, count: (fetched.append((first, count)), fetch(first, count)))
    try:
        for u in units:  # in the order asked for: each unit fetched once, SIZE at a time
            assert _facts(figs.factbook(u)) == ref[u], u
            assert len({figs._keys[k] for k in figs._rows}) <= SIZE
        there = len(figs._order)
        assert len(fetched) == -(-there // SIZE)  # ⌈units ÷ SIZE⌉ fetches, no unit twice
        for u in reversed(units):  # out of order: batches again, then every unit at once
            assert _facts(figs.factbook(u)) == ref[u], u
        assert fetched[-1] == (0, there)
        group = next(k for k in figs._keys if "|" in k)  # a breakdown group's figures, too
        org, grp = group.split("|", 1)
        assert _facts(figs.factbook(org, grp)) == _facts(once.factbook(org, grp))
    finally:
        figs.close()
