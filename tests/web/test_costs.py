"""What a request costs the server, held down without weakening a check: a note saved with the
submission does not read and check the figures again (their findings are kept by content from
the save); the pages ask the database a fixed number of statements, however many schools,
state changes or uploads there are (no query per row)."""

import pytest
from helpers import COUNTY_A, PROVINCE, SCHOOL_A, figures_2020, login, setup_portal

pytestmark = pytest.mark.django_db


def _statements(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as q:
        assert client.get(url).status_code == 200
    return len(q.captured_queries)


def _put(client, sub, values):
    return client.put(f"/api/submissions/{sub.pk}/values", {"values": values}, content_type="application/json")


def test_submitting_with_a_note_does_not_check_the_figures_again(client, monkeypatch):
    from nianbao.app import submissions
    from nianbao.store import Store, locate
    from nianbao.web import services
    from nianbao.web.models import State, StateChange, Submission

    setup_portal()
    login(client, "school_a")
    client.get("/")
    sub = Submission.objects.get(org_id=SCHOOL_A)
    r = _put(client, sub, figures_2020(SCHOOL_A))
    assert r.status_code == 200 and r.json()["errors"] == 0 and r.json()["warnings"] > 0
    with Store(locate(services.dataset().path)) as store:
        stored = sorted((r.element, r.dims, r.value) for _, r in store.observations(SCHOOL_A, 2020))
    assert stored

    calls = []
    real = submissions.validate
    monkeypatch.setattr(submissions, "validate", lambda *a, **k: calls.append(a) or real(*a, **k))
    r = client.post(f"/s/{sub.pk}/submit/", {"note": "在校生数变化因当年转学"}, follow=True)
    assert "已提交区县审核" in r.content.decode()
    sub = Submission.objects.get(pk=sub.pk)
    assert sub.state == State.SUBMITTED and sub.note == "在校生数变化因当年转学"
    assert calls == []  # the findings of the save decided: warnings, with a note
    assert list(StateChange.objects.filter(submission=sub).values_list("transition", flat=True)) == ["edit", "submit"]
    with Store(locate(services.dataset().path)) as store:
        assert sorted((r.element, r.dims, r.value) for _, r in store.observations(SCHOOL_A, 2020)) == stored


def test_without_kept_findings_submitting_checks_the_figures_and_an_error_blocks(client, monkeypatch):
    """Another server process, or an emptied cache: the figures are checked at submit, and an
    error blocks whatever the note says."""
    from django.core.cache import cache

    from nianbao.app import submissions
    from nianbao.web import services
    from nianbao.web.models import State, Submission

    setup_portal()
    login(client, "school_a")
    client.get("/")
    sub = Submission.objects.get(org_id=SCHOOL_A)
    values = figures_2020(SCHOOL_A)
    values["students"] = "abc"
    assert _put(client, sub, values).json()["errors"] >= 1
    services._VALIDATIONS.clear()
    cache.clear()
    calls = []
    real = submissions.validate
    monkeypatch.setattr(submissions, "validate", lambda *a, **k: calls.append(a) or real(*a, **k))
    r = client.post(f"/s/{sub.pk}/submit/", {"note": "说明"}, follow=True)
    assert len(calls) == 1
    sub = Submission.objects.get(pk=sub.pk)
    assert sub.state == State.DRAFT and sub.note == "说明"
    assert "已提交区县审核" not in r.content.decode()


def test_the_form_page_asks_a_fixed_number_of_statements(client):
    """However many state changes and saved fields a submission has."""
    setup_portal()
    login(client, "school_a")
    client.get("/")
    from nianbao.web.models import Submission

    sub = Submission.objects.get(org_id=SCHOOL_A)
    _put(client, sub, {"students": "452"})
    few = _statements(client, f"/s/{sub.pk}/")
    _put(client, sub, figures_2020(SCHOOL_A))
    client.post(f"/s/{sub.pk}/submit/", {"note": "说明"})
    client.logout()
    login(client, "county_a")
    client.post(f"/s/{sub.pk}/act/county_return/", {"reason": "请核实"})
    client.logout()
    login(client, "school_a")
    _put(client, sub, {"students": "455"})
    assert Submission.objects.get(pk=sub.pk).values.count() > 10
    assert _statements(client, f"/s/{sub.pk}/") == few


def test_the_county_and_province_pages_ask_a_fixed_number_of_statements(client):
    """However many schools have started (one statement for the submissions, not one per school)."""
    from nianbao.web import services
    from nianbao.web.models import Org

    p = setup_portal()
    login(client, "county_a")
    before = _statements(client, f"/county/{COUNTY_A}/")
    client.logout()
    login(client, "province")
    province_before = _statements(client, f"/province/{PROVINCE}/")
    schools = list(Org.objects.filter(level="school"))
    assert len(schools) > 10
    for school in schools:
        services.submission_for(school, p.task)
    assert _statements(client, f"/province/{PROVINCE}/") == province_before
    client.logout()
    login(client, "county_a")
    assert _statements(client, f"/county/{COUNTY_A}/") == before


def test_a_generated_workbook_is_defused_exactly_when_a_formula_stands_outside_the_computed_cells(
        tmp_path, monkeypatch):
    """The school's generated workbook is rewritten by openpyxl only when a cell outside the
    layout's computed cells (columns F and G of its computed rows) holds a formula — a registry
    text starting with = — and the quick look at the sheets' XML agrees with openpyxl's."""
    import io

    from openpyxl import load_workbook

    from nianbao.app import submissions
    from nianbao.ingest import workbook
    from nianbao.web import services

    setup_portal()
    ds = services.dataset()
    layout = workbook.load_layout(ds.catalogue)
    computed = {(sh.zh, it.row) for sh in layout.sheets for it in sh.items if it.kind in ("computed", "total")}
    raw = workbook.generate(ds, SCHOOL_A, 2020, tmp_path / "a.xlsx").read_bytes()
    assert submissions._only_layout_formulas(ds, raw, computed)
    assert submissions._defuse(ds, raw) == raw
    with monkeypatch.context() as m:  # openpyxl's look at every cell finds nothing to change either
        m.setattr(submissions, "_only_layout_formulas", lambda *a: False)
        assert submissions._defuse(ds, raw) == raw

    sheet, row = sorted(computed)[0]
    for cell in (f"C{row}", "B3", f"H{row}"):  # a computed row outside F/G, a header row, the notes
        wb = load_workbook(io.BytesIO(raw))
        wb[sheet][cell] = '=HYPERLINK("http://example.invalid","x")'
        assert wb[sheet][cell].data_type == "f"
        out = io.BytesIO()
        wb.save(out)
        stray = out.getvalue()
        assert not submissions._only_layout_formulas(ds, stray, computed), cell
        defused = load_workbook(io.BytesIO(submissions._defuse(ds, stray)))
        assert defused[sheet][cell].data_type == "s", cell
        assert defused[sheet][f"F{row}"].data_type == "f"  # the layout's own formula stays
