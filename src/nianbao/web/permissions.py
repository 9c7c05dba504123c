"""Who may do what, by role at an org unit (``rules`` predicates over the org tree).

A school clerk sees and changes only its own school's submission; a county reviewer its
schools'; a city administrator every school of the city; a province reader reads its cities.
Every view and download asks these rules for the object it serves — the menu is not the guard.
"""

from __future__ import annotations

import rules

from nianbao.web.models import Membership, Org, Submission


def memberships(user, role: str | None = None) -> list[Membership]:
    if not getattr(user, "is_authenticated", False):
        return []
    cache = getattr(user, "_nianbao_memberships", None)
    if cache is None:
        cache = list(Membership.objects.select_related("org").filter(user=user))
        user._nianbao_memberships = cache
    return [m for m in cache if role is None or m.role == role]


def _org_of(obj) -> Org | None:
    if isinstance(obj, Submission):
        return obj.org
    if isinstance(obj, Org):
        return obj
    return None


def _holds(role: str):
    @rules.predicate(name=f"holds_{role}")
    def pred(user, obj=None) -> bool:
        org = _org_of(obj)
        if org is None:
            return bool(memberships(user, role))
        return any(m.org.contains(org) for m in memberships(user, role))
    return pred


is_school_clerk = _holds("school")
is_county_reviewer = _holds("county")
is_city_admin = _holds("city")
is_province_reader = _holds("province")

rules.add_perm("web.view_submission", is_school_clerk | is_county_reviewer | is_city_admin | is_province_reader)
rules.add_perm("web.edit_submission", is_school_clerk)
rules.add_perm("web.review_submission", is_county_reviewer)
rules.add_perm("web.approve_submission", is_city_admin)
rules.add_perm("web.view_org", is_county_reviewer | is_city_admin | is_province_reader)
rules.add_perm("web.build_report", is_city_admin)


def visible_orgs(user, level: str | None = None):
    """The org units a user may read (its own and those below, for any role)."""
    paths = [m.org.path for m in memberships(user)]
    if not paths:
        return Org.objects.none()
    from django.db.models import Q

    q = Q()
    for p in paths:
        q |= Q(path__startswith=p)
    qs = Org.objects.filter(q)
    return qs.filter(level=level) if level else qs


def acting_role(user, org: Org) -> str | None:
    """The highest-reviewing role the user holds over ``org`` (city before county before school)."""
    for role in ("city", "county", "school", "province"):
        if any(m.org.contains(org) for m in memberships(user, role)):
            return role
    return None
