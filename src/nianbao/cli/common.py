"""What every command shares: one way to say that the input cannot be used, to open a dataset
and to write a text result to the screen or a file."""

from __future__ import annotations

from nianbao.cli.console import emit, fail, fail_use, refuse_output, unreadable  # noqa: F401
from nianbao.core.findings import FindingsError

ENGINES = ("python", "duckdb", "sqlite", "postgres", "spark")  # compute.engines.NAMES, not imported for --help


def add_engine_arguments(parser) -> None:
    """``--engine`` and ``--database``: where a command's figures are computed."""
    parser.add_argument("--engine", choices=ENGINES,
                        help="计算引擎：duckdb（默认）、python（参考实现）、sqlite、postgres、spark；各引擎结果相同"
                             "（默认取 dataset.yaml 的 engine） / engine that computes the figures (all give the same)")
    add_database_argument(parser)


def add_database_argument(parser) -> None:
    """``--database`` (``--master``): the engine's database or Spark's master."""
    parser.add_argument("--database", "--master", dest="database", metavar="URL",
                        help="引擎的数据库或集群地址：PostgreSQL 为 postgresql://用户@主机/库（或环境变量 "
                             "NIANBAO_DATABASE_URL），Spark 为 spark://主机:7077 或 local[2]（默认本机） / "
                             "the engine's database or the Spark master URL")


def load(command: str, path, engine: str | None = None, url: str | None = None):
    """``(dataset, None)``, or ``(None, 2)`` after saying why the dataset cannot be used;
    ``engine`` and ``url`` (``--engine``, ``--database``) count its records."""
    from nianbao.app.datasets import open_dataset
    from nianbao.app.errors import EngineError
    try:
        dataset = open_dataset(path, engine, url)
    except FindingsError as exc:
        return None, unreadable(command, exc.findings)
    except EngineError as exc:  # the engine that counts the records cannot be used here
        return None, fail(command, str(exc), exc.hint)
    store = [f for f in dataset.findings if f.code.startswith("store.") and f.severity == "error"]
    if store:  # the imported figures cannot be read: a table without them would be silently short
        return None, unreadable(command, store)
    return dataset, None
