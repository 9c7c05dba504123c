"""What nianbao sets in a Spark session it starts: on one machine as many shuffle partitions as
the master's cores and no adaptive execution, unless the user set them (spark-defaults.conf,
``--conf``); on a cluster nothing — its own settings, or Spark's defaults, stay. Pure functions:
no JVM is started here (the sessions themselves: tests/conformance)."""

import os

import pytest

from nianbao.store.engines.spark import local_cores, local_settings


@pytest.mark.parametrize("url, cores", [
    ("local", 1),            # Spark's "local": one thread
    ("local[2]", 2),
    ("local[16]", 16),
    ("local[3,2]", 3),       # 3 threads, a task tried twice
    (" local[2] ", 2),
    ("local[*]", os.cpu_count()),
    ("spark://127.0.0.1:7077", None),
    ("spark://a:7077,b:7077", None),
    ("yarn", None),
    ("k8s://https://10.0.0.1:6443", None),
    ("local-cluster[2,1,1024]", None),  # executors in JVMs of their own: a cluster's settings
    ("localhost", None),
])
def test_cores_of_a_local_master(url, cores):
    assert local_cores(url) == cores


def test_one_machine_gets_its_cores_as_partitions_and_no_adaptive_plan():
    assert local_settings("local[2]", lambda key: False) == {
        "spark.sql.shuffle.partitions": "2", "spark.sql.adaptive.enabled": "false"}
    assert local_settings("local", lambda key: False)["spark.sql.shuffle.partitions"] == "1"


def test_what_the_user_set_stays():
    given = {"spark.sql.shuffle.partitions"}
    assert local_settings("local[4]", given.__contains__) == {"spark.sql.adaptive.enabled": "false"}
    everything = {"spark.sql.shuffle.partitions", "spark.sql.adaptive.enabled"}
    assert local_settings("local[4]", everything.__contains__) == {}


def test_a_cluster_keeps_its_own_settings():
    assert local_settings("spark://127.0.0.1:7077", lambda key: False) == {}
    assert local_settings("yarn", lambda key: False) == {}
