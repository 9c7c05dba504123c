"""What every view shares: the object a user asks for, fetched and checked against the rules
(a missing object and a forbidden one answer alike, so ids cannot be probed), and the page's
context."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import get_language

from nianbao.web import permissions
from nianbao.web.models import Org, Submission


def lang() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh"


def submission_or_404(request, pk, perm: str = "web.view_submission") -> Submission:
    try:
        sub = Submission.objects.select_related("org", "task").get(pk=int(pk))
    except (Submission.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not request.user.has_perm(perm, sub):
        if request.user.has_perm("web.view_submission", sub):
            raise PermissionDenied
        raise Http404
    return sub


def org_or_404(request, code, perm: str = "web.view_org") -> Org:
    org = Org.objects.filter(pk=str(code)).first()
    if org is None or not request.user.has_perm(perm, org):
        raise Http404
    return org


def portal_context(request):
    user = getattr(request, "user", None)
    roles = permissions.memberships(user) if user is not None else []
    return {"roles": roles, "lang": lang()}


def finding_view(f, language: str) -> dict:
    return {"code": f.code, "severity": f.severity, "message": f.message(language), "hint": f.hint_text(language),
            "where": " ".join(p for p in (f.location.sheet, f.location.cell) if p)}
