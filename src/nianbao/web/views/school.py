"""The school's pages: the year's task, the form sheet by sheet with each finding beside its
field, the workbook to download and upload, the submission."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nianbao.app import submissions
from nianbao.web import permissions, services
from nianbao.web.models import State, StateChange, Upload
from nianbao.web.views.common import finding_view, lang, submission_or_404


@login_required
def home(request):
    """Where each role starts: the school its form, a county its schools, the city its dashboard."""
    task = services.current_task()
    for m in permissions.memberships(request.user):
        if m.role == "city":
            return redirect("city", code=m.org_id)
        if m.role == "province":
            return redirect("province", code=m.org_id)
        if m.role == "county":
            return redirect("county", code=m.org_id)
    schools = permissions.memberships(request.user, "school")
    if schools and task is not None:
        sub = services.submission_for(schools[0].org, task)
        return redirect("submission", pk=sub.pk)
    return render(request, "web/no_role.html", {"task": task})


def _sheet_rows(sheet, values, v, previous, language, computed):
    rows = []
    for f in sheet.fields:
        found = [finding_view(x, language) for x in v.by_field.get(f.code, [])]
        value = computed.get(f.code) if f.kind == "computed" else None
        rows.append({"f": f, "label": f.en if language == "en" and f.en else f.zh, "text": values.get(f.code, ""),
                     "findings": found, "previous": previous.get(f.code, ""),
                     "computed": None if value is None else submissions._number(round(value, 2)),
                     "worst": "error" if any(x["severity"] == "error" for x in found) else
                     "warning" if found else ""})
    return rows


def _records(sheet, values, v, language, extra: int = 3):
    filled = [n for n in range(1, sheet.list_rows + 1)
              if any(values.get(submissions.record_code(sheet.id, n, c.key)) for c in sheet.columns)]
    shown = max(filled, default=0) + extra
    out = []
    for n in range(1, min(shown, sheet.list_rows) + 1):
        cells = []
        for c in sheet.columns:
            code = submissions.record_code(sheet.id, n, c.key)
            cells.append({"c": c, "name": code, "text": values.get(code, ""),
                          "findings": [finding_view(x, language) for x in v.by_field.get(code, [])]})
        out.append({"n": n, "cells": cells})
    return out


def _context(request, sub, sheet_id=None, values=None, v=None, readonly=None):
    ds = services.dataset()
    language = lang()
    sheets = submissions.form(ds, sub.task.year)
    sheet = next((s for s in sheets if s.id == sheet_id), None) or next(s for s in sheets if s.kind != "info")
    values = services.values_of(sub) if values is None else values
    v = services.validation(sub, values, display=True) if v is None else v
    previous = submissions.previous_values(ds, sub.org_id, sub.task.year)
    can_edit = request.user.has_perm("web.edit_submission", sub)
    reason = sub.lock_reason()
    counts, worst = {}, {}
    for s in sheets:
        found = [f for fld in s.fields for f in v.by_field.get(fld.code, [])] + \
            [f for k, fs in v.by_field.items() if k.startswith(s.id + "#") for f in fs]
        counts[s.id] = len(found)
        worst[s.id] = "error" if any(f.severity == "error" for f in found) else "warning"
    return {
        "sub": sub, "sheets": sheets, "sheet": sheet, "counts": counts, "worst": worst,
        "rows": _sheet_rows(sheet, values, v, previous, language, v.computed) if sheet.kind != "list" else [],
        "records": _records(sheet, values, v, language) if sheet.kind == "list" else [],
        "general": [finding_view(x, language) for x in v.general],
        "n_errors": len(v.errors), "n_warnings": len(v.warnings),
        "readonly": readonly if readonly is not None else (not can_edit or reason is not None),
        "lock_reason": reason, "can_edit": can_edit,
        "changes": StateChange.objects.filter(submission=sub).select_related("by"),
        "uploads": Upload.objects.filter(submission=sub).order_by("-at")[:5] if can_edit else [],
        "school_name": sub.org.name(language),
    }


@login_required
def submission(request, pk):
    sub = submission_or_404(request, pk)
    if not request.user.has_perm("web.edit_submission", sub):
        return redirect("review", pk=sub.pk)
    ctx = _context(request, sub, request.GET.get("sheet"))
    ctx["actions"] = services.allowed_transitions(sub, "school")
    return render(request, "web/submission.html", ctx)


@login_required
@require_POST
def save_sheet(request, pk, sheet_id):
    sub = submission_or_404(request, pk, "web.edit_submission")
    ds = services.dataset()
    sheet = next((s for s in submissions.form(ds, sub.task.year) if s.id == sheet_id), None)
    if sheet is None:
        raise Http404
    allowed = {f.code for f in sheet.fields if f.kind in ("input", "contact")}
    if sheet.kind == "list":
        allowed |= {submissions.record_code(sheet.id, n, c.key)
                    for n in range(1, sheet.list_rows + 1) for c in sheet.columns}
    posted = {k[2:]: v for k, v in request.POST.items() if k.startswith("v:") and k[2:] in allowed}
    note = request.POST.get("note") if "note" in request.POST else None
    try:
        outcome = services.save_form(sub, request.user, posted, note)
    except services.Refused as exc:
        if request.headers.get("HX-Request"):
            return HttpResponse(str(exc), status=409)
        messages.error(request, str(exc))
        return redirect(reverse("submission", args=[sub.pk]) + f"?sheet={sheet_id}")
    sub = submission_or_404(request, pk)
    ctx = _context(request, sub, sheet_id, v=outcome.validation)
    ctx["saved"] = outcome.changed
    ctx["actions"] = services.allowed_transitions(sub, "school")
    if request.headers.get("HX-Request"):
        ctx["oob"] = True  # the head (state, counts) and the other findings are swapped too
        return render(request, "web/_sheet.html", ctx)
    messages.success(request, _("Saved."))
    return redirect(reverse("submission", args=[sub.pk]) + f"?sheet={sheet_id}")


@login_required
@require_POST
def submit(request, pk):
    sub = submission_or_404(request, pk, "web.edit_submission")
    note = request.POST.get("note")
    try:
        if note is not None and note.strip() != sub.note:
            services.save_note(sub, request.user, note)
            sub = submission_or_404(request, pk)
        services.transition(sub, request.user, "submit", "school")
        messages.success(request, _("Submitted to the county for review."))
    except services.Refused as exc:
        messages.error(request, str(exc))
    return redirect("submission", pk=sub.pk)


@login_required
def download_workbook(request, pk):
    sub = submission_or_404(request, pk)
    ds = services.dataset()
    data = submissions.filled_workbook(ds, sub.org_id, sub.task.year, services.values_of(sub))
    name = f"{sub.org_id}-{sub.task.year}.xlsx"
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def upload(request, pk):
    sub = submission_or_404(request, pk, "web.edit_submission")
    f = request.FILES.get("workbook")
    if f is None:
        messages.error(request, _("Choose a workbook to upload."))
        return redirect("submission", pk=sub.pk)
    limit = submissions.max_upload()  # the settings registry (nianbao.core.settings)
    if f.size > limit:
        data = b"\0" * (limit + 1)  # refused by size, without reading it all
    else:
        data = f.read()
    try:
        record = services.upload_workbook(sub, request.user, data, f.name or "upload.xlsx")
    except services.Refused as exc:
        messages.error(request, str(exc))
        return redirect("submission", pk=sub.pk)
    language = lang()
    ctx = _context(request, submission_or_404(request, pk))
    ctx["actions"] = services.allowed_transitions(ctx["sub"], "school")
    ctx["upload"] = record
    ctx["upload_findings"] = [finding_view(x, language) for x in record.findings]
    # a refused workbook answers 422 (htmx, which swaps only successful answers, gets 200)
    status = 200 if record.status != "rejected" or request.headers.get("HX-Request") else 422
    return render(request, "web/submission.html", ctx, status=status)


@login_required
def annotated(request, pk, upload_id):
    sub = submission_or_404(request, pk, "web.edit_submission")
    try:
        record = Upload.objects.get(pk=upload_id, submission=sub)
    except (Upload.DoesNotExist, ValueError, Exception):
        raise Http404 from None
    if not record.annotated:
        raise Http404
    response = HttpResponse(bytes(record.annotated),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{sub.org_id}-{sub.task.year}.annotated.xlsx"'
    return response


def ensure_editable_role(request, sub):
    if not request.user.has_perm("web.edit_submission", sub):
        raise PermissionDenied


STATE_CSS = {State.NOT_STARTED: "s-none", State.DRAFT: "s-draft", State.SUBMITTED: "s-sub",
             State.COUNTY_APPROVED: "s-county", State.CITY_APPROVED: "s-city", State.RETURNED: "s-ret"}
