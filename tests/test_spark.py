"""The indicators' SQL on Spark (the engine for national-scale data) gives the same values as
the Python facts and as DuckDB: one definition, several engines."""

import tempfile

import pytest
from pyspark.sql import SparkSession

from nianbao.compute.facts import FactBook
from nianbao.compute.sql import indicator_sql, rollup_sql
from nianbao.ingest.dataset import load_dataset

SCHEMA = "org_unit string, element string, dims string, period int, scope string, value double"
CODES = ["gv_ratio", "dual_teacher_ratio", "student_teacher_ratio", "senior_title_share",
         "employment_rate", "direct_employment_share", "floor_area_per_student", "equipment_per_student"]


@pytest.fixture(scope="module")
def spark():
    # the warehouse in a temporary folder, not ./spark-warehouse (a second run would fail there)
    session = (SparkSession.builder.master("local[1]").appName("nianbao-tests")
               .config("spark.sql.warehouse.dir", tempfile.mkdtemp(prefix="nianbao-spark-"))
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "1")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _rows(observations):
    return [(o.org_unit, o.element, ",".join(f"{d}={c}" for d, c in o.dims), o.period, o.scope, float(o.value))
            for o in observations]


def test_indicators_on_spark_equal_the_facts(spark):
    ds = load_dataset("examples/datong-2020")
    spark.createDataFrame(_rows(ds.observations), SCHEMA).createOrReplaceTempView("observations")
    book = FactBook(ds.catalogue, ds.org_unit.code, ds.observations, ds.periods)
    for code in CODES:
        got = {r["period"]: r["value"] for r in spark.sql(indicator_sql(ds.catalogue, code)).collect()}
        want = {p: f.value for p in ds.periods if (f := book.get(code, p)) is not None}
        assert got.keys() == want.keys(), code
        for p in want:
            assert got[p] == pytest.approx(want[p], rel=1e-12), (code, p)


def test_schools_summed_on_spark_give_the_city_ratio(spark):
    ds = load_dataset("examples/datong-2020-schools")
    schools = [o for o in ds.observations if o.org_unit in ds.orgs and ds.orgs.get(o.org_unit).level == "school"
               and o.element in ("students", "fulltime_teachers") and not o.dims and o.scope == "all"]
    links = [(o.code, a) for o in ds.orgs.schools() for a in ds.orgs.ancestors(o.code)]
    spark.createDataFrame(_rows(schools), SCHEMA).createOrReplaceTempView("school_obs")
    spark.createDataFrame(links, "child string, ancestor string").createOrReplaceTempView("org_links")
    spark.sql(rollup_sql("school_obs")).createOrReplaceTempView("observations")
    rows = {(r["org_unit"], r["period"]): r for r in
            spark.sql(indicator_sql(ds.catalogue, "student_teacher_ratio")).collect()}
    city = rows[("140200", 2020)]
    # 1.1 and 1.3 of the seed: 22863 students ÷ 1938 full-time teachers = 11.797 (printed 11.80:1)
    assert (city["numerator"], city["denominator"]) == (22863, 1938)
    assert city["value"] == pytest.approx(22863 / 1938)
