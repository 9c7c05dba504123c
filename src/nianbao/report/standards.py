"""A report against a standard (standards.yaml; nianbao.compute.standards): the standard named
by an outline block, a school's verdicts on it, and the area's schools counted against it — with
the errors and notes the blocks that use them share."""

from __future__ import annotations

from nianbao.compute.standards import attainment, evaluate_school, load_standards


def definition(b, std_id: str, section: str):
    """A standard of standards.yaml, or None with an error naming the outline's section."""
    std = load_standards(b.ds).get(std_id)
    if std is None:
        b.error("report.unknown_standard", section, standard=std_id)
    return std


def school_result(b, std_id: str, section: str):
    """(standard, the school's result) — or None, with an error for an unknown standard or a
    report that is not a school's."""
    std = definition(b, std_id, section)
    if std is None:
        return None
    if b.school is None and b.own_school:  # a school dataset without itself in a registry (orgs.csv)
        b.omit(section, b.words("what.against_standard", standard=std["zh"], what=b.words("what.verdicts")),
               b.words("reason.no_registry"))
        return None
    if b.school is None:
        b.error("report.standards_need_school", section)
        return None
    return std, evaluate_school(b.ds, std_id, std, b.school, b.year, book=b.facts)


def area_attainment(b, std_id: str, section: str, what: str):
    """The standard across the unit's schools (nianbao.compute.standards.attainment), or None —
    left out with a note when the block is optional, else an error. ``what`` names the block
    (达标统计表, 达标情况) in the note."""
    std = definition(b, std_id, section)
    if std is None:
        return None
    if b.school is not None:
        b.error("report.attainment_needs_area", section)
        return None
    if std_id not in b.attainments:
        b.attainments[std_id] = attainment(b.ds, std_id, b.org_code, b.year)
    found = b.attainments[std_id]
    if found is not None and found.applicable:
        return found
    w = b.words
    reason = w("reason.no_registry") if b.ds.orgs is None else w("reason.no_applicable_school", year=b.year)
    what = w("what.against_standard", standard=std["zh"], what=what)
    if b.optional:
        b.omit(section, what, reason)
    else:
        b.error("report.no_schools", section, what=what, reason=reason, standard=std_id)
    return None


def named(std: dict, words) -> str:
    """标准：中等职业学校设置标准；文件：教职成〔2010〕12号。"""
    if std.get("document"):
        return words("standards.named_with_document", standard=std["zh"], document=std["document"])
    return words("standards.named", standard=std["zh"])


def school_type_label(reason: str, school_type: str, catalogue, paren) -> str:
    """A reason that names a school type by its code (…（technical）) with the type's name
    (…（技工学校）) instead."""
    cats = (catalogue.dimensions.get("school_type") or {}).get("categories") or {}
    label = (cats.get(school_type) or {}).get("zh")
    if label:
        reason = reason.replace(paren(school_type), paren(label))
    return reason
