"""The city's pages (and the province's, read-only): progress of the collection, indicators by
county and by school type, the standards table, the 达标 plan's sums, charts, the report from
approved data."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from nianbao.app import plan as plan_uc
from nianbao.app import portal_reports, submissions
from nianbao.web import services
from nianbao.web.models import Org, ReportJob, State
from nianbao.web.views.common import lang, org_or_404
from nianbao.web.views.review import school_states

BAR_WIDTH = 300  # pixels of the longest bar


def _chart(chart: dict, language: str) -> dict:
    values = [v for _, _, v in chart["bars"] if v is not None]
    top = max(values, default=0) or 1
    bars = []
    for i, (zh, en, v) in enumerate(chart["bars"]):
        bars.append({"label": en if language == "en" and en else zh, "value": "—" if v is None else submissions._number(v),
                     "width": 0 if v is None else max(1, round(BAR_WIDTH * v / top)), "y": 24 * i})
    unit = chart.get("unit_en", "") if language == "en" else chart["unit"]
    return {"title": chart["title_en"] if language == "en" else chart["title_zh"], "unit": unit,
            "bars": bars, "height": 24 * len(bars) + 4, "bar_x": 180, "label_x": 174}


@login_required
def city(request, code):
    org = org_or_404(request, code)
    task = services.current_task()
    language = lang()
    rows = school_states(org, task)
    states = {}
    for r in rows:
        states.setdefault(r["state"], {"label": r["state_label"], "n": 0, "css": r["css"]})["n"] += 1
    approved = services.approved_schools(task, org)
    scope = request.GET.get("data", "approved")
    ds = submissions.open_dataset(settings.DATASET)
    if scope == "approved":
        ds = portal_reports.approved_only(ds, approved, task.year)
    board = portal_reports.dashboard(ds, task.year)
    can_build = request.user.has_perm("web.build_report", org)
    jobs = ReportJob.objects.filter(org=org, task=task).order_by("-started")[:5]
    status_chart = _chart({"title_zh": "填报进度", "title_en": "progress", "unit": "所", "unit_en": "schools",
                           "bars": [(s["label"], s["label"], s["n"]) for s in states.values()]}, language)
    return render(request, "web/city.html", {
        "org": org, "org_name": org.name(language), "task": task, "states": states.values(), "total": len(rows),
        "n_approved": len(approved), "board": board, "scope": scope, "can_build": can_build, "jobs": jobs,
        "charts": [status_chart] + [_chart(c, language) for c in board.charts],
        "indicator_names": [(c, en if language == "en" else zh) for c, zh, en in board.indicators],
        "standards": [s for s in board.standards if "error" not in s], "rows": rows,
        "plan": plan_uc.board(ds, task.year, language), "State": State})


@login_required
def province(request, code):
    org = org_or_404(request, code)
    task = services.current_task()
    cities = []
    every = school_states(org, task)  # one statement for all the province's schools, not one per city
    for c in Org.objects.filter(parent=org, level="city"):
        rows = [r for r in every if r["org"].path.startswith(c.path)]
        cities.append({"org": c, "name": c.name(lang()), "total": len(rows),
                       "approved": sum(1 for r in rows if r["state"] == State.CITY_APPROVED),
                       "submitted": sum(1 for r in rows if r["state"] not in (State.NOT_STARTED, State.DRAFT,
                                                                               State.RETURNED))})
    return render(request, "web/province.html", {"org": org, "org_name": org.name(lang()), "cities": cities,
                                                 "task": task})


@login_required
@require_POST
def build_report(request, code):
    org = org_or_404(request, code, "web.build_report")
    job = services.start_report(services.current_task(), org, request.user)
    return redirect("report_job", code=org.code, job=job.pk)


def _job(request, code, job):
    org = org_or_404(request, code)
    try:
        return org, ReportJob.objects.get(pk=job, org=org)
    except (ReportJob.DoesNotExist, ValueError, Exception):
        raise Http404 from None


@login_required
def report_job(request, code, job):
    org, job = _job(request, code, job)
    template = "web/_job.html" if request.headers.get("HX-Request") else "web/job.html"
    return render(request, template, {"org": org, "job": job, "org_name": org.name(lang())})


@login_required
def report_file(request, code, job, name):
    org, job = _job(request, code, job)
    if name not in ("report.docx", "report.html") or job.status != "done":
        raise Http404
    path = Path(job.folder) / name
    if not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"), as_attachment=True, filename=f"{org.code}-{job.task.year}-{name}")
    if name.endswith(".html"):
        response["Content-Security-Policy"] = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox"
    return response


def root_redirect(request):
    return redirect("home")
