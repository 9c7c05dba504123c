"""The audit trail: the history of one field, and the whole trail of a submission or of every
school under an org unit as an .xlsx (who, when, old → new, source, workbook hash, template)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from nianbao.web.exports import workbook_bytes
from nianbao.web.models import StateChange, Submission
from nianbao.web.views.common import lang, org_or_404, submission_or_404


def _event_model():
    from django.apps import apps

    return apps.get_model("web", "FieldValueEvent")


def value_changes(submission_ids, code: str | None = None) -> list[dict]:
    """old → new of every event of the values of these submissions, in order."""
    Event = _event_model()
    qs = Event.objects.filter(submission_id__in=list(submission_ids)).select_related("pgh_context") \
        .order_by("submission_id", "code", "pgh_created_at", "pgh_id")
    if code is not None:
        qs = qs.filter(code=code)
    users = {u.pk: u.username for u in get_user_model().objects.all()}
    out, last = [], {}
    for e in qs:
        key = (e.submission_id, e.code)
        old = last.get(key, "")
        new = "" if e.pgh_label == "delete" else e.text
        meta = (e.pgh_context.metadata if e.pgh_context_id and e.pgh_context else {}) or {}
        last[key] = new
        if old == new and e.pgh_label != "insert":
            continue
        out.append({"at": e.pgh_created_at, "submission": e.submission_id, "code": e.code, "old": old, "new": new,
                    "event": e.pgh_label, "user": meta.get("user") or users.get(e.updated_by_id, ""),
                    "source": meta.get("source", _("outside the portal")), "sha256": meta.get("sha256", ""),
                    "template": meta.get("template", ""), "file": meta.get("file", "")})
    return out


@login_required
def field_history(request, pk, code):
    sub = submission_or_404(request, pk)
    return render(request, "web/history.html", {"sub": sub, "code": code, "changes": value_changes([sub.pk], code),
                                                "school_name": sub.org.name(lang())})


def _trail(subs) -> bytes:
    ids = [s.pk for s in subs]
    names = {s.pk: (s.org_id, s.org.zh, s.task.year) for s in subs}
    values = [[names[c["submission"]][0], names[c["submission"]][1], names[c["submission"]][2], c["at"], c["user"],
               c["code"], c["old"], c["new"], c["event"], c["source"], c["file"], c["sha256"], c["template"]]
              for c in value_changes(ids)]
    states = [[s.submission.org_id, s.submission.org.zh, s.submission.task.year, s.at, s.by.username, s.role,
               s.transition, s.source, s.target, s.reason]
              for s in StateChange.objects.filter(submission_id__in=ids).select_related("submission__org",
                                                                                       "submission__task", "by")]
    return workbook_bytes([
        ("数值变更 values", ["学校标识码 school", "学校 name", "年度 year", "时间 when", "用户 who", "项目 field",
                          "原值 old", "新值 new", "事件 event", "来源 source", "文件 file", "SHA-256",
                          "模板版本 template"], values),
        ("状态变更 states", ["学校标识码 school", "学校 name", "年度 year", "时间 when", "用户 who", "角色 role",
                          "操作 action", "原状态 from", "新状态 to", "原因 reason"], states),
    ])


def _xlsx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def submission_trail(request, pk):
    sub = submission_or_404(request, pk)
    return _xlsx(_trail([sub]), f"audit-{sub.org_id}-{sub.task.year}.xlsx")


@login_required
def org_trail(request, code):
    org = org_or_404(request, code)
    subs = list(Submission.objects.filter(org__path__startswith=org.path).select_related("org", "task"))
    return _xlsx(_trail(subs), f"audit-{org.code}.xlsx")
