"""PostgreSQL, a server (the one the web portal uses), through psycopg 3.

The database is named by ``url`` (``postgresql://user@host:5432/db``) or the environment
variable ``NIANBAO_DATABASE_URL``. Tables are temporary: each connection sees only its own, and
they disappear when it closes, so several runs can share one server and nothing is left behind.
"""

from __future__ import annotations

import os

from nianbao.store.engines import Connection, EngineError, register

ENV = "NIANBAO_DATABASE_URL"


@register
class PostgresConnection(Connection):
    name = "postgres"

    def __init__(self, url: str | None = None):
        super().__init__(url or os.environ.get(ENV))
        if not self.url:
            raise EngineError("未指定 PostgreSQL 数据库", "no PostgreSQL database given",
                              f"用 --database postgresql://用户@主机:5432/库名 或环境变量 {ENV} 指定")
        try:
            import psycopg
        except ImportError:
            raise EngineError("未安装 PostgreSQL 驱动 psycopg", "the PostgreSQL driver psycopg is not installed",
                              "pip install 'nianbao[postgres]'") from None
        try:
            self.con = psycopg.connect(self.url, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            raise EngineError(f"无法连接 PostgreSQL：{exc}", f"cannot connect to PostgreSQL: {exc}",
                              "检查服务器是否运行、地址与用户名是否正确") from None

    def load(self, table, columns, rows):
        with self.con.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {table}")
            cur.execute(self.dialect.create(table, columns))
            with cur.copy(f"COPY {table} ({', '.join(n for n, _ in columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cur.execute(f"ANALYZE {table}")  # temporary tables get no statistics otherwise


    def materialize(self, table, select):
        self.run(f"DROP TABLE IF EXISTS {table}")
        super().materialize(table, select)
        self.run(f"ANALYZE {table}")

    def query(self, sql):
        with self.con.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall() if cur.description else []

    def close(self):
        self.con.close()
