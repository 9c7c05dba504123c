"""A small JSON API over the same rules as the pages: read a submission's values and findings,
write values (refused when the submission is locked or not the caller's)."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse

from nianbao.app import submissions
from nianbao.web import services
from nianbao.web.views.common import finding_view, lang, submission_or_404


@login_required
def values(request, pk):
    if request.method == "GET":
        sub = submission_or_404(request, pk)
        v = services.validation(sub)
        return JsonResponse({"school": sub.org_id, "year": sub.task.year, "state": sub.state,
                             "locked": str(sub.lock_reason() or ""), "values": services.values_of(sub),
                             "findings": [finding_view(f, lang()) for f in v.findings]})
    if request.method not in ("PUT", "POST"):
        return JsonResponse({"error": "method"}, status=405)
    sub = submission_or_404(request, pk, "web.edit_submission")
    try:
        posted = json.loads(request.body or b"{}").get("values") or {}
    except (ValueError, AttributeError):
        return JsonResponse({"error": "JSON: {\"values\": {code: text}}"}, status=400)
    if not isinstance(posted, dict):
        return JsonResponse({"error": "values must be an object"}, status=400)
    ds = services.dataset()
    known = {f.code for s in submissions.form(ds, sub.task.year) for f in s.fields if f.kind in ("input", "contact")}
    lists = [s for s in submissions.form(ds, sub.task.year) if s.kind == "list"]
    known |= {submissions.record_code(s.id, n, c.key) for s in lists for n in range(1, s.list_rows + 1)
              for c in s.columns}
    unknown = [k for k in posted if k not in known]
    if unknown:
        return JsonResponse({"error": "unknown fields", "fields": unknown[:20]}, status=400)
    try:
        out = services.save_form(sub, request.user, {k: str(v) for k, v in posted.items()})
    except services.Refused as exc:
        return JsonResponse({"error": str(exc)}, status=409)
    return JsonResponse({"changed": out.changed, "errors": len(out.validation.errors),
                         "warnings": len(out.validation.warnings)})
