"""nianbao on a Spark cluster: a standalone master and one worker started on this machine
(``spark.standalone``), the records of a dataset counted there, compared with DuckDB's.

The dataset is the records conformance dataset (tests/conformance/test_records_engines.py): a
students' file in UTF-8 with a byte-order mark and a graduates' file in GBK (decoded as GB 18030
by the executors where they read it: no copy in the driver's temporary folder), bad records
planted in both. The executors are JVMs of their own: they read the files and keep the
checkpointed steps; the driver plans and fetches. What one machine cannot show is executors on
other machines, which must see the record files at the same path (README, "Which engine, and
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

    with spark.standalone(tmp_path_factory.mktemp("spark-cluster")) as (url, master_log):
        yield url, master_log


@pytest.fixture(scope="module")
def planted_records(tmp_path_factory):
    out = tmp_path_factory.mktemp("records-cluster") / "ds"
    generate(out, scale=0.004, record_scale=0.02, year=YEAR, fmt="csv", headers="zh")
    return out, _plant(out)


def test_records_counted_on_a_cluster_as_on_duckdb(cluster, planted_records):
    url, master_log = cluster
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
        assert con.session.sparkContext.master == url
        with pytest.raises(Exception, match="record_schools"):  # the closed connection's tables are dropped
            con.query("SELECT COUNT(*) FROM record_schools")
    finally:
        con.close()
    assert master_log.read_text(errors="replace").count("Registering app nianbao") == apps + 1
