"""The portal's operations: the records of the portal (submissions, values, audit, states)
around the use cases of ``nianbao.app`` (checking and storing a school's figures, importing a
workbook, building the report). Views call these after checking permissions."""

from __future__ import annotations

import datetime as _dt
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from nianbao.app import portal_reports, submissions
from nianbao.web.audit import audit_context
from nianbao.web.models import (
    FieldValue,
    Org,
    ReportJob,
    SiteSetting,
    State,
    StateChange,
    Submission,
    Task,
    Upload,
)

_DATASET = {}
_LOCK = threading.Lock()


def dataset():
    """The dataset the portal serves, read once per process."""
    with _LOCK:
        if "ds" not in _DATASET:
            _DATASET["ds"] = submissions.open_dataset(settings.DATASET)
        return _DATASET["ds"]


def reset_dataset() -> None:
    _DATASET.clear()


# -- set-up -----------------------------------------------------------------------------------

def sync_registry(ds) -> int:
    """The org units of the dataset's registry (orgs.csv) as portal records; names edited in
    the admin are kept. Returns the number of units."""
    reg = ds.orgs
    if reg is None:
        return 0
    n = 0
    by_code = {o.code: o for o in reg}

    def path_of(code):
        chain = list(reversed(reg.ancestors(code))) + [code]
        return "/".join(chain) + "/"

    for o in sorted(reg, key=lambda o: len(reg.ancestors(o.code))):
        parent = o.parent if o.parent in by_code else None
        Org.objects.update_or_create(code=o.code, defaults={
            "level": o.level, "parent_id": parent, "path": path_of(o.code), "school_type": o.school_type or ""},
            create_defaults={"zh": o.zh, "en": o.en, "level": o.level, "parent_id": parent,
                             "path": path_of(o.code), "school_type": o.school_type or ""})
        n += 1
    return n


def ensure_task(year: int, deadline: _dt.datetime | None = None) -> Task:
    task = Task.objects.filter(year=year).first()
    if task is None:
        task = Task.objects.create(year=year, deadline=deadline or timezone.now() + _dt.timedelta(days=30))
    return task


def current_task() -> Task | None:
    return Task.objects.order_by("-year").first()


def remember_dataset(path: str) -> None:
    SiteSetting.objects.update_or_create(key="dataset", defaults={"value": str(Path(path).resolve())})


def submission_for(org: Org, task: Task) -> Submission:
    sub, _ = Submission.objects.get_or_create(task=task, org=org)
    return sub


# -- a school's figures -------------------------------------------------------------------------

def values_of(sub: Submission) -> dict[str, str]:
    """The form's texts: what was saved in the portal, else what the store already holds
    (a workbook imported by the command line)."""
    values = {v.code: v.text for v in sub.values.all()}
    if not values:
        values = submissions.stored_values(dataset(), sub.org_id, sub.task.year)
    return values


_VALIDATIONS: dict = {}


def _cache_key(sub: Submission, values: dict[str, str]) -> str:
    return f"nianbao:v1:{sub.org_id}:{sub.task.year}:{submissions.values_hash(values)}"


def validation(sub: Submission, values: dict[str, str] | None = None, display: bool = False):
    """The findings of a submission's figures. Checked once per content: kept in this process
    and in the shared cache (the server's other processes find it there). A form nothing was
    typed into is shown without findings (``display``); submitting it is checked all the same."""
    values = values_of(sub) if values is None else values
    if display and not any(str(v or "").strip() for v in values.values()):
        return submissions.Validation(None, [], {}, [], {}, dict(values))
    key = _cache_key(sub, values)
    v = _VALIDATIONS.get(key)
    if v is None:
        v = cache.get(key)
    if v is None:
        v = submissions.validate(dataset(), sub.org_id, sub.task.year, values)
        cache.set(key, v)
    _remember(key, v)
    return v


def _remember(key: str, v) -> None:
    if len(_VALIDATIONS) > 512:
        _VALIDATIONS.clear()
    _VALIDATIONS[key] = v


class Refused(Exception):
    """An action the state, the deadline or the rules do not allow; the message says why."""


def _write_values(sub: Submission, user, values: dict[str, str], replace_all: bool) -> int:
    """Write the changed texts in two statements (the audit triggers record old → new per row);
    the caller holds the submission locked and has checked it is open. Returns how many changed."""
    existing = {v.code: v for v in sub.values.select_for_update()}
    new, updated = [], []
    now = timezone.now()
    for code, text in values.items():
        text = (text or "").strip()[:500]
        fv = existing.get(code)
        if fv is None:
            if text:
                new.append(FieldValue(submission=sub, code=code, text=text, updated_by=user, updated_at=now))
        elif fv.text != text:
            fv.text, fv.updated_by, fv.updated_at = text, user, now
            updated.append(fv)
    if replace_all:
        for code, fv in existing.items():
            if code not in values and fv.text:
                fv.text, fv.updated_by, fv.updated_at = "", user, now
                updated.append(fv)
    FieldValue.objects.bulk_create(new)
    FieldValue.objects.bulk_update(updated, ["text", "updated_by", "updated_at"])
    return len(new) + len(updated)


def _lock_check(sub: Submission) -> None:
    reason = sub.lock_reason()
    if reason is not None:
        raise Refused(str(reason))


def _fresh(sub: Submission) -> Submission:
    """The submission as stored, locked for this transaction."""
    return Submission.objects.select_for_update().select_related("task", "org").get(pk=sub.pk)


@dataclass
class SaveOutcome:
    validation: object
    changed: int


def save_form(sub: Submission, user, posted: dict[str, str], note: str | None = None) -> SaveOutcome:
    """Save what a clerk typed on one sheet of the form (merged with the other sheets)."""
    ds = dataset()
    with transaction.atomic():
        sub = _fresh(sub)
        _lock_check(sub)
        values = values_of(sub)
        values.update({k: v for k, v in posted.items()})
        saved = submissions.save_values(ds, sub.org_id, sub.task.year, values)
        with audit_context(user=user.username, user_id=user.pk, source="form",
                           template=submissions.template_version(ds), school=sub.org_id):
            changed = _write_values(sub, user, values, replace_all=False)
            if note is not None:
                sub.note = note[:4000]
            v = saved.validation
            sub.n_errors, sub.n_warnings = len(v.errors), len(v.warnings)
            if sub.state != State.DRAFT:
                _record(sub, user, "edit", "school", "")
            sub.save()
    key = _cache_key(sub, values)
    cache.set(key, saved.validation)
    _remember(key, saved.validation)
    return SaveOutcome(saved.validation, changed)


def save_note(sub: Submission, user, note: str) -> Submission:
    """Save the school's note on its warnings alone: the figures are not read or checked again
    (their findings are the ones of the last save, kept by content)."""
    with transaction.atomic():
        sub = _fresh(sub)
        _lock_check(sub)
        with audit_context(user=user.username, user_id=user.pk, source="form", school=sub.org_id):
            sub.note = note[:4000]
            if sub.state != State.DRAFT:
                _record(sub, user, "edit", "school", "")
            sub.save()
    return sub


def upload_workbook(sub: Submission, user, data: bytes, name: str) -> Upload:
    """Import an uploaded workbook into the school's submission: stored only without errors."""
    ds = dataset()
    with transaction.atomic():
        sub = _fresh(sub)
        _lock_check(sub)
        up = submissions.import_upload(ds, sub.org_id, sub.task.year, data, name)
        record = Upload(submission=sub, by=user, name=name[:200], sha256=up.sha256, template=up.template or "",
                        status=up.status, n_errors=sum(1 for f in up.findings if f.severity == "error"),
                        annotated=up.annotated)
        record.save()
        if up.status != "rejected":
            with audit_context(user=user.username, user_id=user.pk, source="workbook", sha256=up.sha256,
                               template=up.template, file=name[:200], school=sub.org_id):
                contact = {k: v for k, v in values_of(sub).items() if k.startswith("info:")}
                _write_values(sub, user, {**contact, **up.values}, replace_all=True)
                v = up.validation
                sub.n_errors, sub.n_warnings = len(v.errors), len(v.warnings)
                if sub.state != State.DRAFT:
                    _record(sub, user, "edit", "school", "")
                sub.save()
    record.findings = up.findings
    return record


# -- the workflow -----------------------------------------------------------------------------

TRANSITIONS = {
    # name: (role, reason required)
    "submit": ("school", False),
    "county_accept": ("county", False),
    "county_return": ("county", True),
    "county_reopen": ("county", True),
    "city_approve": ("city", False),
    "city_return": ("city", True),
    "city_reopen": ("city", True),
}
_METHOD = {"county_return": "send_back", "city_return": "send_back"}


def _record(sub: Submission, user, name: str, role: str, reason: str) -> None:
    method = getattr(sub, _METHOD.get(name, name))
    source = sub.state
    method()
    StateChange.objects.create(submission=sub, transition=name, source=source, target=sub.state, by=user,
                               role=role, reason=reason)


def allowed_transitions(sub: Submission, role: str | None) -> list[str]:
    out = []
    for name, (needed, _) in TRANSITIONS.items():
        if needed != role:
            continue
        method = getattr(sub, _METHOD.get(name, name))
        from django_fsm import can_proceed

        if can_proceed(method):
            out.append(name)
    return out


def transition(sub: Submission, user, name: str, role: str, reason: str = "") -> Submission:
    """Move a submission on (the caller has checked that ``user`` holds ``role`` over it)."""
    if name not in TRANSITIONS or TRANSITIONS[name][0] != role:
        raise Refused("此操作不属于您的角色 / not an action of your role")
    reason = (reason or "").strip()
    if TRANSITIONS[name][1] and not reason:
        raise Refused("请写明原因 / a reason is required")
    with transaction.atomic():
        sub = _fresh(sub)
        if name not in allowed_transitions(sub, role):
            raise Refused("当前状态下不能进行此操作 / not possible in the current state")
        if name == "submit":
            _lock_check(sub)
            v = validation(sub)
            blockers = submissions.submit_blockers(v, sub.note)
            if blockers:
                raise Refused(blockers[0].message_zh + " / " + blockers[0].message_en)
        if name == "city_reopen" and sub.state != State.CITY_APPROVED:
            raise Refused("not approved")
        if name == "county_reopen":
            # only while no higher level has acted on it
            pass
        with audit_context(user=user.username, user_id=user.pk, source="review", transition=name,
                           school=sub.org_id):
            _record(sub, user, name, role, reason)
            if name.endswith("_return"):
                sub.return_reason = reason
            sub.save()
    return sub


# -- the city's report --------------------------------------------------------------------------

def approved_schools(task: Task, under: Org) -> set[str]:
    return set(Submission.objects.filter(task=task, state=State.CITY_APPROVED, org__path__startswith=under.path)
               .values_list("org_id", flat=True))


def start_report(task: Task, org: Org, user) -> ReportJob:
    approved = approved_schools(task, org)
    folder = Path(settings.PORTAL_DIR) / "reports"
    job = ReportJob.objects.create(task=task, org=org, by=user, schools=len(approved))
    job.folder = str(folder / str(job.id))
    job.save(update_fields=["folder"])
    if getattr(settings, "NIANBAO_REPORT_SYNC", False):  # tests: in the request's own transaction
        _build(job.pk, approved, task.year, own_thread=False)
    else:
        threading.Thread(target=_build, args=(job.pk, approved, task.year), daemon=True).start()
    return job


def _build(job_id, approved: set[str], year: int, own_thread: bool = True) -> None:
    from django.db import close_old_connections

    def progress(pct: int, stage: str) -> None:
        ReportJob.objects.filter(pk=job_id).update(progress=pct, stage=stage)

    try:
        job = ReportJob.objects.get(pk=job_id)
        out = portal_reports.build_city_report(settings.DATASET, approved, year, job.folder, progress)
        ReportJob.objects.filter(pk=job_id).update(progress=100, stage="done", status="done", message=out.message,
                                                   finished=timezone.now())
    except Exception as exc:  # noqa: BLE001 — the page shows why the build failed
        ReportJob.objects.filter(pk=job_id).update(status="failed", stage="failed", message=str(exc)[:2000],
                                                   finished=timezone.now())
    finally:
        if own_thread:
            close_old_connections()
