"""Spark SQL, for national-scale data: local mode on this machine, or a cluster by its master
URL (``url``, or the environment variable ``NIANBAO_SPARK_MASTER``; default ``local[2]``).

Tables are temporary views of the session. The warehouse directory is a temporary folder, never
``./spark-warehouse`` in the working directory (a second run would fail there).
"""

from __future__ import annotations

import os
import shutil
import tempfile

from nianbao.store.engines import Connection, EngineError, register

ENV = "NIANBAO_SPARK_MASTER"
_TYPES = {"text": "string", "int": "int", "float": "double"}


@register
class SparkConnection(Connection):
    name = "spark"

    def __init__(self, url: str | None = None):
        super().__init__(url or os.environ.get(ENV) or "local[2]")
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            raise EngineError("未安装 pyspark", "pyspark is not installed",
                              "pip install 'nianbao[spark]'（另需 Java 17）") from None
        self.warehouse = tempfile.mkdtemp(prefix="nianbao-spark-")
        self.views: list[str] = []
        self.owner = SparkSession.getActiveSession() is None  # stop on close only a session it started
        self.session = (SparkSession.builder.master(self.url).appName("nianbao")
                        .config("spark.sql.warehouse.dir", self.warehouse)
                        .config("spark.ui.enabled", "false")
                        .config("spark.ui.showConsoleProgress", "false")
                        .config("spark.sql.shuffle.partitions", "2")
                        .config("spark.sql.adaptive.enabled", "false")
                        .getOrCreate())
        self.session.sparkContext.setLogLevel("ERROR")

    def load(self, table, columns, rows):
        schema = ", ".join(f"{n} {_TYPES[t]}" for n, t in columns)
        self.session.createDataFrame(list(rows), schema).createOrReplaceTempView(table)
        self.views.append(table)

    def materialize(self, table, select):
        # computed now and kept by the executors, its plan cut off: a view of a view of … would
        # make Spark plan every earlier step again (and its plan text grows past the heap)
        self.session.sql(select).localCheckpoint(eager=True).createOrReplaceTempView(table)
        self.views.append(table)

    def query(self, sql):
        return [tuple(r) for r in self.session.sql(sql).collect()]

    def close(self):
        for view in dict.fromkeys(self.views):
            self.session.catalog.dropTempView(view)
        self.views.clear()
        if self.owner:
            self.session.stop()
        shutil.rmtree(self.warehouse, ignore_errors=True)
