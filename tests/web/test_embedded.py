"""The laptop: ``nianbao serve DATASET`` needs no server — the portal's tables in SQLite, the
figures in DATASET/nianbao.duckdb, gunicorn in front. A school signs in and saves; the command
line then reads the figure; the SQLite triggers keep the same audit record as pghistory does on
PostgreSQL, for changes made outside the portal too, and refuse to change it."""

import http.cookiejar
import re
import sqlite3
import urllib.parse
import urllib.request

import pytest
from servers import copy_dataset, import_accounts, nianbao, serve

SCHOOL = "0140213012"


class Browser:
    """Just enough of a browser: cookies, the CSRF token, form posts."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path):
        with self.opener.open(self.base + path, timeout=60) as r:
            return r.status, r.geturl(), r.read().decode("utf-8")

    def post(self, path, data, referer=None):
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        req = urllib.request.Request(self.base + path, body, headers={"Referer": referer or self.base + path})
        try:
            with self.opener.open(req, timeout=60) as r:
                return r.status, r.geturl(), r.read().decode("utf-8")
        except urllib.error.HTTPError as e:
            return e.code, path, e.read().decode("utf-8")


def test_the_embedded_portal_round_trip_and_its_audit_record(tmp_path):
    dataset = copy_dataset(tmp_path)
    # an accounts file with a problem imports nothing and says which line
    bad = dataset / "坏账号.csv"
    bad.write_text("用户名,姓名,角色,机构代码\nok_user,张三,学校填报员,0140213012\nx,李四,校长,0140213012\n"
                   "y,王五,区县审核员,0140213012\n", encoding="utf-8")
    out = nianbao("users", "import", bad, dataset, check=False)
    assert out.returncode == 1
    assert "第3行" in out.stderr and "第4行" in out.stderr and "未导入任何账号" in out.stderr
    out = import_accounts(dataset)
    assert "已导入 5 个账号" in out.stdout
    with serve(dataset) as url:
        b = Browser(url)
        b.get("/login/")
        status, where, page = b.post("/login/", {"username": "school_a", "password": "correct-horse-9"})
        m = re.search(r"/s/(\d+)/", where)
        assert status == 200 and m, where
        sub = m.group(1)
        status, _, page = b.post(f"/s/{sub}/sheet/scale/", {"v:students": "461", "v:entrants": "221",
                                                            "v:graduates": "154"})
        assert status == 200 and "已保存" in page
        b.post(f"/s/{sub}/sheet/scale/", {"v:students": "462"})
    # the figure is in the store the command line reads
    ind = nianbao("indicators", dataset, "--level", "school", "--indicators", "students", "--format", "csv")
    assert any(line.startswith(SCHOOL) and ",462," in line for line in ind.stdout.splitlines())
    # the audit record on SQLite: who, source and template for the portal's writes
    db = sqlite3.connect(dataset / "portal" / "portal.sqlite3")
    assert db.execute("SELECT count(*) FROM auth_user WHERE username = 'ok_user'").fetchone() == (0,)
    rows = db.execute("SELECT e.text, c.metadata FROM web_fieldvalueevent e LEFT JOIN pghistory_context c "
                      "ON c.id = e.pgh_context_id WHERE e.code = 'students' ORDER BY e.pgh_id").fetchall()
    assert [r[0] for r in rows] == ["461", "462"]
    assert all('"source": "form"' in r[1] and '"user": "school_a"' in r[1] and "cn-2016/1" in r[1] for r in rows)
    # a change made outside the portal is recorded too, with no portal context
    db.execute("UPDATE web_fieldvalue SET text = '999' WHERE code = 'students'")
    db.commit()
    last = db.execute("SELECT text, pgh_label, pgh_context_id FROM web_fieldvalueevent WHERE code = 'students' "
                      "ORDER BY pgh_id DESC LIMIT 1").fetchone()
    assert last == ("999", "update", None)
    # and the record cannot be changed or deleted
    for sql in ("UPDATE web_fieldvalueevent SET text = 'x'", "DELETE FROM web_fieldvalueevent",
                "DELETE FROM web_statechange"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute(sql)
    db.close()
