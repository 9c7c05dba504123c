"""The DuckDB store of imported school figures."""

import pytest
from test_workbook import SCHOOL, make_dataset

from nianbao import catalogue
from nianbao.compute.sql import RESULT_COLUMNS, indicator_sql
from nianbao.ingest.dataset import load_dataset
from nianbao.store import Major, Row, Store, Submission, major_points, origin_location


def submission(values: dict, year: int = 2020, sha: str = "a" * 64) -> Submission:
    rows = []
    for key, v in values.items():
        element, _, dims = key.partition("|")
        rows.append(Row(element=element, dims=dims, period=year, scope="all", value=v, source="学校填报表",
                        origin=f"t.xlsx 办学规模!F{len(rows) + 4}"))
    return Submission(org_unit=SCHOOL, period=year, file="t.xlsx", sha256=sha, template="cn-2016/1", rows=rows,
                      majors=[Major(1, "090100", "计算机应用", "09", 300, 100, False)])


@pytest.fixture
def dataset(tmp_path):
    return make_dataset(tmp_path)


def test_save_then_unchanged_then_replaced(dataset):
    with Store.of_dataset(dataset) as store:
        first = store.save(submission({"students": 1938, "graduates": 520, "staff": 150}))
        assert (first.status, first.added) == ("stored", 3)
        snapshot = store.rows("observations")
        again = store.save(submission({"students": 1938, "graduates": 520, "staff": 150}, sha="b" * 64))
        assert again.status == "unchanged"
        assert store.rows("observations") == snapshot  # not even the timestamps moved
        third = store.save(submission({"students": 1940, "graduates": 520, "entrants": 700}))
        assert (third.status, third.added, third.changed, third.removed) == ("stored", 1, 1, 1)
        stored = {r.element: r.value for _, r in store.observations()}
        assert stored == {"students": 1940, "graduates": 520, "entrants": 700}
        assert [row[6] for row in store.rows("imports")] == ["stored", "unchanged", "stored"]


def test_a_failed_write_rolls_back_the_whole_school_year(dataset):
    with Store.of_dataset(dataset) as store:
        store.save(submission({"students": 1938, "graduates": 520}))
        before = store.rows("observations"), store.rows("majors")
        broken = submission({"students": 2000, "graduates": 600})
        broken.rows.append(Row(element="staff", dims="", period=2020, scope="all", value=None))  # NOT NULL
        with pytest.raises(Exception):
            store.save(broken)
        assert (store.rows("observations"), store.rows("majors")) == before


def test_store_rows_replace_values_csv_rows_of_the_same_school_year(dataset):
    # values.csv holds students 2019 = 1200 for the school; the store brings 2019 = 1250
    with Store.of_dataset(dataset) as store:
        store.save(submission({"students": 1250}, year=2019))
    ds = load_dataset(dataset)
    students = [o for o in ds.observations if o.org_unit == SCHOOL and o.element == "students"]
    assert [(o.period, o.value) for o in students] == [(2019, 1250)]
    assert students[0].origin.startswith("t.xlsx")
    replaced = [f for f in ds.findings if f.code == "store.replaces_csv"]
    assert len(replaced) == 1 and replaced[0].severity == "info"
    assert replaced[0].values == {"replaced": 2, "different": 2}  # students and sv_expenditure rows


def test_identical_csv_rows_are_replaced_without_a_finding(dataset):
    with Store.of_dataset(dataset) as store:
        store.save(submission({"students": 1200, "sv_expenditure": 0.1}, year=2019))
    ds = load_dataset(dataset)
    assert not [f for f in ds.findings if f.code == "store.replaces_csv"]


def test_the_observations_table_runs_the_compiled_indicator_sql(dataset):
    # employment rate of the school: (200 + 290) / 520 = 94.23%
    with Store.of_dataset(dataset) as store:
        store.save(submission({"graduates": 520, "employed_direct": 200, "further_study": 290}))
        sql = indicator_sql(catalogue.load("cn-2016"), "employment_rate")
        rows = store.db.execute(sql)
    assert len(rows) == 1
    row = dict(zip(RESULT_COLUMNS, rows[0]))
    assert row["org_unit"] == SCHOOL and row["period"] == 2020
    assert round(row["value"], 2) == 94.23 and (row["numerator"], row["denominator"]) == (490, 520)


def test_an_unreadable_store_file_is_an_error_finding(dataset):
    (dataset / "nianbao.duckdb").write_bytes(b"this is not a database")
    ds = load_dataset(dataset)
    errors = [f for f in ds.findings if f.severity == "error"]
    assert [f.code for f in errors] == ["store.corrupt"]
    assert "IO Error" not in errors[0].message_zh + errors[0].message_en  # the library's words stay out


def test_stored_majors_become_major_points(dataset):
    # 2019: 计算机应用 and 护理; 2020: 计算机应用 and the new 物联网技术应用 (护理 given up)
    with Store.of_dataset(dataset) as store:
        s2019 = submission({"students": 1200}, year=2019)
        s2019.majors = [Major(1, "090100", "计算机应用", "09", 300, 100, False),
                        Major(2, "100100", "护理", "10", 200, 80, False)]
        store.save(s2019)
        s2020 = submission({"students": 1250})
        s2020.majors = [Major(1, "090100", "计算机应用", "09", 320, 110, False),
                        Major(2, "090700", "物联网技术应用", "09", 40, 40, True)]
        store.save(s2020)
    points = {p.name: p for p in major_points(dataset, catalogue.load("cn-2016"))[SCHOOL]}
    assert set(points) == {"计算机应用", "护理", "物联网技术应用"}
    assert (points["护理"].opened, points["护理"].closed) == (None, 2020)
    assert (points["物联网技术应用"].opened, points["物联网技术应用"].closed) == (2020, None)
    assert sorted(n for n, p in points.items() if p.active_in(2020)) == sorted(["物联网技术应用", "计算机应用"])
    assert sorted(n for n, p in points.items() if p.active_in(2019)) == ["护理", "计算机应用"]


def test_workbook_origins_give_file_sheet_and_cell():
    assert origin_location("0140200001-2020.xlsx 办学规模!F4") == ("0140200001-2020.xlsx", "办学规模", "F4")
    assert origin_location("a b.xlsx 专业设置!F9:F58") == ("a b.xlsx", "专业设置", "F9:F58")
    assert origin_location("values.csv:12") is None


def _sub(school: str, year: int, values: dict, sha: str) -> Submission:
    rows = [Row(element=e, dims="", period=year, scope="all", value=v, source="学校填报表", origin=f"{school}.xlsx")
            for e, v in values.items()]
    return Submission(org_unit=school, period=year, file=f"{school}.xlsx", sha256=sha, template="cn-2016/1",
                      rows=rows, majors=[Major(1, "090100", "计算机应用", "09", values.get("students"), 10, False)])


def test_saving_a_batch_gives_what_saving_one_after_the_other_gives(dataset, tmp_path):
    # stored figures, a batch of new, unchanged, changed and repeated school-years, in chunks of 2:
    # the results and the store after it equal those of saving each in turn
    import datetime as dt

    now = dt.datetime(2026, 1, 1)
    held = [_sub("S1", 2020, {"students": 100, "staff": 10}, "1"), _sub("S2", 2020, {"students": 200}, "2")]
    batch = [_sub("S1", 2020, {"students": 100, "staff": 10}, "3"),   # unchanged
             _sub("S2", 2020, {"students": 210, "entrants": 70}, "4"),  # 1 added, 1 changed
             _sub("S3", 2020, {"students": 300}, "5"),                # new
             _sub("S3", 2020, {"students": 305}, "6"),                # the same school-year again: after it
             _sub("S1", 2019, {"students": 90}, "7")]
    outcomes = {}
    for way in ("one by one", "batch"):
        folder = tmp_path / way
        folder.mkdir()
        for f in dataset.iterdir():
            if f.is_file() and not f.name.startswith("nianbao.duckdb"):
                (folder / f.name).write_bytes(f.read_bytes())
        with Store.of_dataset(folder) as store:
            store.save_all(held, now)
            for replace in (True, False):
                results = ([store.save(s, now, replace) for s in batch] if way == "one by one"
                           else store.save_all(batch, now, replace, chunk=2))
                outcomes.setdefault(way, []).append(
                    ([(r.status, r.added, r.changed, r.removed) for r in results],
                     store.rows("observations"), store.rows("majors"), len(store.rows("imports"))))
    assert outcomes["batch"] == outcomes["one by one"]
    first = outcomes["batch"][0][0]
    assert first == [("unchanged", 0, 0, 0), ("stored", 1, 1, 0), ("stored", 1, 0, 0), ("stored", 0, 1, 0),
                     ("stored", 1, 0, 0)]
