"""Spark SQL, for national-scale data: local mode on this machine, or a cluster by its master
URL (``url``, or the environment variable ``NIANBAO_SPARK_MASTER``; default ``local[2]``).

Tables are temporary views of the session. The warehouse directory is a temporary folder, never
``./spark-warehouse`` in the working directory (a second run would fail there).

A session this process starts is kept for the next connection to the same master and stopped
when the process ends (or a connection to another master is asked for): counting a dataset's
records and computing its indicators then share one application — on a cluster, one set of
executors, not one started for each step. A session someone else started (a notebook's, a
job's) is used as it is and never stopped here.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from nianbao.store.engines import Connection, EngineError, FileScan, csv_header, register

ENV = "NIANBAO_SPARK_MASTER"
_TYPES = {"text": "string", "int": "int", "float": "double"}


@register
class SparkConnection(Connection):
    name = "spark"

    def __init__(self, url: str | None = None):
        super().__init__(url or os.environ.get(ENV) or "local[2]")
        self.views: list[str] = []
        self.session = _session(self.url)
        self.session.sparkContext.setLogLevel("ERROR")
        # a CSV record of too few or too many fields is an error even where no query reads the
        # fields past the ones it needs (FAILFAST checks only the columns read otherwise)
        self.session.conf.set("spark.sql.csv.parser.columnPruning.enabled", "false")
        # a checkpointed step keeps constraints naming columns of the plan it was cut from; a
        # UNION over such steps then stops with "key not found" (the constraints only prune filters)
        self.session.conf.set("spark.sql.constraintPropagation.enabled", "false")
        # the CSV reader takes the charsets of the JVM (GB 18030 among them), not only Unicode's
        self.session.conf.set("spark.sql.legacy.javaCharsets", "true")

    def load(self, table, columns, rows):
        schema = ", ".join(f"{n} {_TYPES[t]}" for n, t in columns)
        self.session.createDataFrame(list(rows), schema).createOrReplaceTempView(table)
        self.views.append(table)

    def materialize(self, table, select):
        # computed now and kept by the executors, its plan cut off: a view of a view of … would
        # make Spark plan every earlier step again (and its plan text grows past the heap)
        self.session.sql(select).localCheckpoint(eager=True).createOrReplaceTempView(table)
        self.views.append(table)

    # GB 18030 (GBK's superset) keeps every byte below 0x80 for ASCII, so the reader splits its
    # lines as it splits UTF-8's: the executors decode the file where they read it
    encodings = ("utf-8", "gb18030")

    def scan_file(self, path, fmt, table, encoding="utf-8"):
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
            header, delimiter = csv_header(Path(path), encoding=encoding)
            schema = StructType([StructField(f"h_{i}", StringType()) for i in range(len(header))])
            df = reader.csv(str(path), schema=schema, header=True, mode="FAILFAST", sep=delimiter, quote='"',
                            escape='"', encoding=encoding.upper(), multiLine=False)
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


_STARTED: dict = {}  # the session this process started: session, url, warehouse


def _session(url: str):
    """The session of ``url``: the one this process started for it, else someone else's active
    session as it is, else a new one (kept until the process ends)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineError("未安装 pyspark", "pyspark is not installed",
                          "pip install 'nianbao[spark]'（另需 Java 17）") from None
    active = SparkSession.getActiveSession()
    if active is not None and active is _STARTED.get("session"):
        if _STARTED["url"] == url:
            return active
        active = None
    if active is not None:
        return active
    stop()  # the session this process started for another master, or one stopped elsewhere
    warehouse = tempfile.mkdtemp(prefix="nianbao-spark-")
    session = (SparkSession.builder.master(url).appName("nianbao")
               .config("spark.sql.warehouse.dir", warehouse)
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .getOrCreate())
    _STARTED.update(session=session, url=url, warehouse=warehouse)
    given = session.sparkContext.getConf()  # spark-defaults.conf, --conf: what the user set stays
    for key, value in local_settings(url, given.contains).items():
        session.conf.set(key, value)
    return session


def local_settings(url: str, given) -> dict[str, str]:
    """What nianbao sets in a session it starts on one machine (``given(key)``: the user set it,
    then it stays): as many shuffle partitions as cores, each step planned once, not re-planned
    as it runs. Nothing on a cluster (see ``local_cores``)."""
    cores = local_cores(url)
    if cores is None:
        return {}
    wanted = {"spark.sql.shuffle.partitions": str(cores), "spark.sql.adaptive.enabled": "false"}
    return {k: v for k, v in wanted.items() if not given(k)}


def local_cores(url: str) -> int | None:
    """The cores of a local master (``local``, ``local[4]``, ``local[*]``, ``local[4,2]``), None
    for a cluster's: a cluster keeps its own shuffle partitions and adaptive execution (Spark's
    defaults, 200 partitions coalesced as the data needs, or its spark-defaults.conf), for on many
    executors a step of 2 partitions would run on 2 of them."""
    m = re.fullmatch(r"local(?:\[(\d+|\*)(?:,\s*\d+)?\])?", url.strip())
    if m is None:
        return None
    if m.group(1) is None:
        return 1
    if m.group(1) == "*":
        return os.cpu_count() or 1
    return max(int(m.group(1)), 1)


@atexit.register
def stop() -> None:
    """Stop the session this process started, if any, and remove its warehouse folder."""
    session = _STARTED.pop("session", None)
    if session is not None:
        try:
            session.stop()
        except Exception:  # noqa: BLE001 — at exit, a JVM already gone has nothing left to stop
            pass
    if "warehouse" in _STARTED:
        shutil.rmtree(_STARTED.pop("warehouse"), ignore_errors=True)
    _STARTED.pop("url", None)


# -- a standalone cluster on this machine ----------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(log: Path, pattern: str, proc: subprocess.Popen, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if log.exists() and re.search(pattern, log.read_text(errors="replace")):
            return
        if proc.poll() is not None:
            break
        time.sleep(0.3)
    tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    raise EngineError("Spark 独立集群未能启动", f"the standalone Spark {log.stem} did not start",
                      f"{log}: {tail}")


@contextlib.contextmanager
def standalone(folder: Path, cores: int = 2, memory: str = "1g", seconds: float = 120, workers: int = 1):
    """A standalone Spark cluster of this machine — a master and ``workers`` workers, each a JVM
    of its own started by the scripts pyspark ships, each worker with ``cores`` cores and
    ``memory`` and a folder of its own (``work-1`` …) — for trying the cluster path (``--master
    spark://…``) without a cluster: the executors are processes apart from the driver and from
    each other, as on a cluster. Yields ``(master URL, master log)``; the logs and the workers'
    folders go to ``folder``; every JVM is stopped on leaving."""
    try:
        import pyspark
    except ImportError:
        raise EngineError("未安装 pyspark", "pyspark is not installed",
                          "pip install 'nianbao[spark]'（另需 Java 17）") from None
    home = Path(pyspark.__file__).parent
    folder.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, SPARK_HOME=str(home), SPARK_LOG_DIR=str(folder), SPARK_NO_DAEMONIZE="1")
    port = _free_port()
    url = f"spark://127.0.0.1:{port}"
    procs: list[subprocess.Popen] = []

    def start(name: str, *args: str) -> tuple[subprocess.Popen, Path]:
        log = folder / f"{name}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen([str(home / "bin" / "spark-class"), *args], env=env, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        procs.append(proc)
        return proc, log

    try:
        master, master_log = start("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                                   "--port", str(port), "--webui-port", str(_free_port()))
        _wait_for(master_log, r"New state: ALIVE", master, seconds)
        for n in range(1, workers + 1):
            worker, worker_log = start(f"worker-{n}", "org.apache.spark.deploy.worker.Worker", url,
                                       "--host", "127.0.0.1", "--cores", str(cores), "--memory", memory,
                                       "--webui-port", str(_free_port()), "--work-dir", str(folder / f"work-{n}"))
            _wait_for(worker_log, r"Successfully registered with master", worker, seconds)
        yield url, master_log
    finally:
        if _STARTED.get("url") == url:
            stop()
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, 15)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                proc.wait()
