"""``layout: attainment`` (area reports) — one row a criterion of ``standard``: the schools
assessed, those meeting it, their share and the schools without the figure; a last row for all
criteria at once. Every count and share is a fact whose inputs are the schools."""

from __future__ import annotations

from nianbao.compute.standards import ALL
from nianbao.report.document import Cell, Table
from nianbao.report.runs import Run, figure, text
from nianbao.report.school import profile_label
from nianbao.report.standards import area_attainment, named, school_type_label
from nianbao.report.tables import layout


@layout("attainment")
def attainment_table(b, t):
    w = b.words
    found = area_attainment(b, str(t.spec.get("standard", "")), t.section, w("what.attainment_table"))
    if found is None:
        return None
    rows = []
    for r in found.rows:
        whole = r.criterion == ALL
        rows.append([Cell([Run(r.zh, bold=whole)], align="left"),
                     Cell([text(r.limit or w("attainment.every_criterion"))]),
                     Cell([figure(r.assessed)]), Cell([figure(r.met)]),
                     Cell([figure(r.share)] if r.share is not None else [text(w.no_data)]),
                     Cell([figure(r.no_data)])])
    return Table(t.key, "", "", w.list("attainment.header"), rows, notes(b, found))


def notes(b, found) -> list[str]:
    w = b.words
    std = found.std
    out = [named(std, w)]
    if int(std.get("issued") or 0) > b.year:
        out.append(w("attainment.later_standard", issued=std["issued"], year=b.year))
    out += [w("attainment.how_counted"), w("attainment.all_criteria")]
    by_reason: dict[str, list[str]] = {}
    for res in found.not_applicable:
        org = b.ds.orgs.get(res.org_unit) if b.ds.orgs is not None else None
        reason = res.reason_zh
        if org is not None:
            reason = school_type_label(reason, org.school_type, b.cat, lambda s: w("paren", text=s))
        by_reason.setdefault(reason, []).append(res.zh)
    out += [w("attainment.not_counted", reason=reason, names=w.join(names)) for reason, names in by_reason.items()]
    limited: dict[tuple, list[str]] = {}
    for r in found.criteria:
        if r.spec.get("school_types"):
            limited.setdefault(tuple(r.spec["school_types"]), []).append(r.zh)
        for when, limit in r.overrides:
            label = profile_label(w.join(f"{k}={v}" for k, v in when.items()), b.plan, b.cat, w)
            out.append(w("attainment.override", criterion=r.zh, profile=label, limit=limit))
    cats = (b.cat.dimensions.get("school_type") or {}).get("categories") or {}
    for types, names in limited.items():
        labels = w.join((cats.get(t) or {}).get("zh", t) for t in types)
        out.append(w("attainment.only_for", names=w.join(names), types=labels))
    about = [c["zh"] for c in std.get("criteria") or [] if c["op"] == "about"]
    if about:
        out.append(w("attainment.informative", names=w.join(about)))
    if std.get("not_modelled_zh"):
        out.append(w("standards.not_modelled", what=std["not_modelled_zh"]))
    if std.get("targets_zh"):
        out.append(w("attainment.targets", targets=std["targets_zh"]))
    if std.get("note_zh"):
        out.append(w("attainment.note", note=std["note_zh"]))
    if any(r.share is None for r in found.rows):
        out.append(w("attainment.no_share", no_data=w.no_data))
    return out
