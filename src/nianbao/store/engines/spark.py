"""Spark SQL, for national-scale data: local mode on this machine, or a cluster by its master
URL (``url``, or the environment variable ``NIANBAO_SPARK_MASTER``; default ``local[2]``).

Tables are temporary views of the session. The warehouse directory is a temporary folder, never
``./spark-warehouse`` in the working directory (a second run would fail there).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from nianbao.store.engines import Connection, EngineError, FileScan, csv_header, register

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
        # a CSV record of too few or too many fields is an error even where no query reads the
        # fields past the ones it needs (FAILFAST checks only the columns read otherwise)
        self.session.conf.set("spark.sql.csv.parser.columnPruning.enabled", "false")
        # a checkpointed step keeps constraints naming columns of the plan it was cut from; a
        # UNION over such steps then stops with "key not found" (the constraints only prune filters)
        self.session.conf.set("spark.sql.constraintPropagation.enabled", "false")

    def load(self, table, columns, rows):
        schema = ", ".join(f"{n} {_TYPES[t]}" for n, t in columns)
        self.session.createDataFrame(list(rows), schema).createOrReplaceTempView(table)
        self.views.append(table)

    def materialize(self, table, select):
        # computed now and kept by the executors, its plan cut off: a view of a view of … would
        # make Spark plan every earlier step again (and its plan text grows past the heap)
        self.session.sql(select).localCheckpoint(eager=True).createOrReplaceTempView(table)
        self.views.append(table)

    def scan_file(self, path, fmt, table):
        """The file as the view ``table`` (spark.read: read where a query reads it, by the
        executors), every column a string ``h_0`` …: a CSV file by the header read here, a
        record of another number of fields an error (FAILFAST); a Parquet file's columns cast.
        ``lines()`` numbers the records from where each split of the file starts and Spark's
        row ids within it (one aggregate query; no sort)."""
        from pyspark.sql import functions as F
        from pyspark.sql.types import StringType, StructField, StructType

        reader = self.session.read
        if fmt == "parquet":
            df = reader.parquet(str(path))
            header = list(df.columns)
            df = df.select(*[F.col(f"`{h}`").cast("string").alias(f"h_{i}") for i, h in enumerate(header)],
                           F.col("_metadata.file_block_start").alias("_blk"))
            first = 1
        else:
            header, delimiter = csv_header(Path(path))
            schema = StructType([StructField(f"h_{i}", StringType()) for i in range(len(header))])
            df = reader.csv(str(path), schema=schema, header=True, mode="FAILFAST", sep=delimiter, quote='"',
                            escape='"', encoding="UTF-8", multiLine=False)
            df = df.select("*", F.col("_metadata.file_block_start").alias("_blk"))
            first = 2
        cols = [f"h_{i}" for i in range(len(header))]
        df.select(*cols).createOrReplaceTempView(table)
        df.withColumn("_mid", F.monotonically_increasing_id()).createOrReplaceTempView(f"{table}_ids")
        self.views += [table, f"{table}_ids"]

        def lines() -> str:
            # each split is one partition, its row ids consecutive from its first
            blocks = sorted(self.query(f"SELECT _blk, COUNT(*), MIN(_mid) FROM {table}_ids GROUP BY _blk"))
            whens, before = [], first
            for blk, n, low in blocks:
                whens.append(f"WHEN {int(blk)} THEN {before - int(low)}")
                before += int(n)
            shift = f"CASE _blk {' '.join(whens)} END" if whens else "0"
            self.session.sql(f"SELECT {', '.join(cols)}, _mid + {shift} AS line FROM {table}_ids") \
                .createOrReplaceTempView(f"{table}_lines")
            self.views.append(f"{table}_lines")
            return f"{table}_lines"

        return FileScan(table, header, dict(zip(header, cols)), lines)

    def query(self, sql):
        return [tuple(r) for r in self.session.sql(sql).collect()]

    def close(self):
        for view in dict.fromkeys(self.views):
            self.session.catalog.dropTempView(view)
        self.views.clear()
        if self.owner:
            self.session.stop()
        shutil.rmtree(self.warehouse, ignore_errors=True)
