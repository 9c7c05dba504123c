"""nianbao on a Spark cluster: a standalone master and two workers of one core each started on
this machine (``spark.standalone``), the records of a dataset counted there, compared with
DuckDB's; the work split between the executors of both workers, with the cluster's own shuffle
partitions and adaptive execution (nianbao sets them on one machine only).

The dataset is the records conformance dataset (tests/conformance/test_records_engines.py): a
students' file in UTF-8 with a byte-order mark and a graduates' file in GBK (decoded as GB 18030
by the executors where they read it: no copy in the driver's temporary folder), bad records
planted in both. The executors are JVMs of their own, each in its worker's folder: they read
the files and keep the checkpointed steps; the driver plans and fetches. What one machine cannot
show is executors on other machines, which must see the record files at the same path (README, "Which engine, and
what runs where"). `bench/bench_spark_cluster.py` runs the commands themselves there."""

import pytest

from nianbao.store import engines
from nianbao.synth.national import generate
from tests.conformance.test_records_engines import YEAR, _counted, _lines, _plant, _reference

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    pytest.importorskip("pyspark", reason="pyspark is not installed (pip install -e '.[spark]')")
    from nianbao.store.engines import spark

    folder = tmp_path_factory.mktemp("spark-cluster")
    with spark.standalone(folder, cores=1, workers=2) as (url, master_log):
        yield url, master_log, folder


@pytest.fixture(scope="module")
def planted_records(tmp_path_factory):
    out = tmp_path_factory.mktemp("records-cluster") / "ds"
    generate(out, scale=0.004, record_scale=0.02, year=YEAR, fmt="csv", headers="zh")
    return out, _plant(out)


def test_records_counted_on_a_cluster_as_on_duckdb(cluster, planted_records):
    url, master_log, workers = cluster
    folder, expected = planted_records
    apps = master_log.read_text(errors="replace").count("Registering app nianbao")
    figures, found = _counted(folder, "spark", url)
    ref_figures, ref_found = _reference(folder)
    assert len(figures) == len(ref_figures) > 300
    assert figures == ref_figures  # counts, breakdowns, means, and the file and count of each
    assert found == ref_found and _lines(found) == expected  # each planted record named by its line
    # a second connection to the cluster is the same application: its executors are not started again
    con = engines.connect("spark", url)
    try:
        context = con.session.sparkContext
        assert context.master == url
        # the cluster's settings, not those nianbao sets on one machine (Spark's defaults here)
        assert con.session.conf.get("spark.sql.shuffle.partitions") == "200"
        assert con.session.conf.get("spark.sql.adaptive.enabled") == "true"
        # an executor on each worker, each in its own folder, and each ran tasks of the count
        for n in (1, 2):
            logs = list((workers / f"work-{n}" / context.applicationId).glob("*/stderr"))
            assert len(logs) == 1, n
            assert "Running task" in logs[0].read_text(errors="replace"), n
        with pytest.raises(Exception, match="record_schools"):  # the closed connection's tables are dropped
            con.query("SELECT COUNT(*) FROM record_schools")
    finally:
        con.close()
    assert master_log.read_text(errors="replace").count("Registering app nianbao") == apps + 1
