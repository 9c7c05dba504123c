"""Reviewing: a county's (or the city's) list of schools with their state, one submission with
its findings and last year's figures beside it, accept / return with a reason / approve / reopen."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nianbao.web import permissions, services
from nianbao.web.models import Org, State, Submission
from nianbao.web.views.common import lang, org_or_404, submission_or_404
from nianbao.web.views.school import STATE_CSS, _context


def school_states(org: Org, task) -> list[dict]:
    """Every school under ``org`` with its submission's state (not started where none exists)."""
    subs = {s.org_id: s for s in Submission.objects.filter(task=task, org__path__startswith=org.path)}
    out = []
    for school in Org.objects.filter(path__startswith=org.path, level="school").order_by("path"):
        sub = subs.get(school.code)
        out.append({"org": school, "sub": sub, "state": sub.state if sub else State.NOT_STARTED,
                    "state_label": sub.get_state_display() if sub else _("not started"),
                    "css": STATE_CSS[sub.state if sub else State.NOT_STARTED]})
    return out


@login_required
def county(request, code):
    org = org_or_404(request, code)
    task = services.current_task()
    rows = school_states(org, task)
    counts = {}
    for r in rows:
        counts[r["state_label"]] = counts.get(r["state_label"], 0) + 1
    return render(request, "web/county.html", {"org": org, "task": task, "rows": rows, "counts": counts,
                                               "org_name": org.name(lang())})


@login_required
def open_school(request, code):
    """A reviewer opens a school's submission (created empty if the school has not started)."""
    org = org_or_404(request, code)
    if org.level != "school":
        return redirect("county", code=org.code)
    sub = services.submission_for(org, services.current_task())
    return redirect("review", pk=sub.pk)


@login_required
def review(request, pk):
    sub = submission_or_404(request, pk)
    role = permissions.acting_role(request.user, sub.org)
    if role == "school":
        return redirect("submission", pk=sub.pk)
    ctx = _context(request, sub, request.GET.get("sheet"), readonly=True)
    ctx["role"] = role
    ctx["actions"] = services.allowed_transitions(sub, role) if role in ("county", "city") else []
    ctx["review"] = True
    return render(request, "web/review.html", ctx)


PERM = {"county": "web.review_submission", "city": "web.approve_submission", "school": "web.edit_submission"}


@login_required
@require_POST
def act(request, pk, name):
    sub = submission_or_404(request, pk)
    if name not in services.TRANSITIONS:
        raise PermissionDenied
    role = services.TRANSITIONS[name][0]
    if not request.user.has_perm(PERM[role], sub):
        raise PermissionDenied
    try:
        services.transition(sub, request.user, name, role, request.POST.get("reason", "")[:4000])
        messages.success(request, _("Done."))
    except services.Refused as exc:
        messages.error(request, str(exc))
    return redirect("review", pk=sub.pk)
