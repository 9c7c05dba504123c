"""The portal's tests run on PostgreSQL (127.0.0.1:5432, trust auth): pytest-django creates its
own test database there and drops it afterwards. The figures go to a DuckDB store in a copy of
the synthetic example; tests of the PostgreSQL store and of the servers make their own
databases (see helpers.py)."""

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "datong-2020-schools"
PG_SERVER = os.environ.get("NIANBAO_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")

_TMP = Path(tempfile.mkdtemp(prefix="nianbao-web-"))
DATASET = _TMP / "datong"
shutil.copytree(EXAMPLE, DATASET, ignore=shutil.ignore_patterns("nianbao.duckdb", "portal"))
os.environ["NIANBAO_DATASET"] = str(DATASET)
os.environ["NIANBAO_PORTAL_DIR"] = str(_TMP / "portal")
os.environ["NIANBAO_WEB_DATABASE"] = PG_SERVER
os.environ["NIANBAO_TEST_DB_NAME"] = f"test_nianbao_portal_{os.getpid()}"
os.environ["NIANBAO_FAST_HASHER"] = "1"
os.environ.pop("NIANBAO_DATABASE", None)
os.environ["DJANGO_SETTINGS_MODULE"] = "nianbao.web.settings"
(_TMP / "portal" / "static").mkdir(parents=True, exist_ok=True)
sys.path.insert(0, str(Path(__file__).parent))


def pytest_unconfigure(config):
    shutil.rmtree(_TMP, ignore_errors=True)


@pytest.fixture(autouse=True)
def _fresh_store(request):
    """Each test starts from the example's figures: no store, no cached validations."""
    (DATASET / "nianbao.duckdb").unlink(missing_ok=True)
    from django.core.cache import cache

    from nianbao.web import services

    services._VALIDATIONS.clear()
    cache.clear()
    yield
    (DATASET / "nianbao.duckdb").unlink(missing_ok=True)

import django  # noqa: E402  (after the environment above: the settings read it)

django.setup()
