"""The data rules of cn-2016 rules.yaml written by hand as DuckDB SQL, for bench_check.py.

The rules (the same as nianbao.check.kinds evaluates, on school figures of one scope each):

  breakdown     the categories of a complete breakdown (dimensions.yaml ``complete: true``)
                against their total: every category given and a difference beyond rounding →
                breakdown.sum_mismatch; some missing and more than the total →
                breakdown.exceeds_total, less → breakdown.incomplete; shares of a rate element
                that do not make 100% (within 1 point → breakdown.shares_off, beyond →
                breakdown.shares_mismatch); a 其中 part (``kind: part``) above its total →
                breakdown.part_exceeds_total. Rounding: whole counts exactly, other figures
                half a unit of their last decimal per category.
  compare       the 22 comparisons of rules.yaml (a part ≤ its whole; this year's graduates against
                last year's 毕业班), typed below
  stock_flow    students ≈ last year's students + entrants − graduates, within 5%
  year_over_year  counts, amounts and means changing by more than 30% (counts under 20 left
                alone), rates by more than 10 points

Only breakdowns of one dimension are added up here (the generated data have no nested ones).
Input tables: ``obs`` (org_unit, element, dims, period, scope, value), ``el`` (element, type),
``dims`` (dim, category, kind: complete / part, version: the majors catalogue version of a
专业大类 category, '' otherwise). Each query gives (code, org_unit, period, a, b): the two
figures that identify the finding (see KEYS).
"""

from __future__ import annotations

# code → (left elements, added up; right element[, the right's year from the one checked]), from
# rules.yaml (kind: compare)
COMPARISONS = {
    "compare.fulltime_le_staff": (("fulltime_teachers",), "staff"),
    "compare.dual_le_fulltime": (("dual_teachers",), "fulltime_teachers"),
    "compare.specialty_le_fulltime": (("specialty_teachers",), "fulltime_teachers"),
    "compare.dual_le_specialty": (("dual_teachers",), "specialty_teachers"),
    "compare.destinations_le_graduates": (("employed_direct", "further_study"), "graduates"),
    "compare.local_le_direct": (("employed_local",), "employed_direct"),
    "compare.matched_le_direct": (("employed_matched",), "employed_direct"),
    "compare.entrepreneurs_le_direct": (("entrepreneurs",), "employed_direct"),
    "compare.entrants_le_students": (("entrants",), "students"),
    "compare.interns_le_students": (("interns",), "students"),
    "compare.coop_long_le_all": (("coop_long_term",), "coop_enterprises"),
    "compare.coop_large_le_long": (("coop_large_medium",), "coop_long_term"),
    "compare.coop_schools_le_schools": (("coop_schools",), "schools"),
    "compare.small_schools_le_schools": (("schools_under_500",), "schools"),
    "compare.under200_le_under500": (("schools_under_200",), "schools_under_500"),
    "compare.categories_le_majors": (("major_categories",), "majors"),
    "compare.sv_le_education_expenditure": (("sv_expenditure",), "education_expenditure"),
    "compare.culture_passed_le_assessed": (("culture_passed",), "culture_assessed"),
    "compare.skill_passed_le_assessed": (("skill_passed",), "skill_assessed"),
    "compare.physical_passed_le_assessed": (("physical_passed",), "physical_assessed"),
    "compare.graduates_le_candidates": (("graduates",), "graduation_candidates", -1),
    "compare.certificates_le_graduates": (("certificate_holders",), "graduates"),
}
# the two numbers of each kind's finding that identify it (nianbao's Finding.values)
KEYS = {"breakdown": ("sum", "total"), "compare": ("left", "right"), "flow": ("stock", "expected"),
        "yoy": ("previous", "value")}


def _comparisons() -> str:
    rows = []
    for code, (left, right, *offset) in COMPARISONS.items():
        b = f"'{left[1]}'" if len(left) > 1 else "NULL"
        rows.append(f"('{code}', '{left[0]}', {b}, '{right}', {offset[0] if offset else 0})")
    return ",\n    ".join(rows)


MACROS = """
CREATE OR REPLACE MACRO decimals(v) AS length(rtrim(split_part(CAST(v AS VARCHAR), '.', 2), '0'));
"""

RULES_SQL = f"""
WITH b AS (  -- figures broken down by one dimension
  SELECT o.org_unit, o.element, split_part(o.dims, '=', 1) AS dim, split_part(o.dims, '=', 2) AS cat,
         o.period, o.scope, o.value
  FROM obs o WHERE o.dims <> '' AND o.dims NOT LIKE '%,%'
), tot AS (
  SELECT org_unit, element, period, scope, value FROM obs WHERE dims = ''
), complete AS (SELECT DISTINCT dim FROM dims WHERE kind = 'complete'),
grp AS (  -- each group of categories: its sum, how many, their decimals, the categories missing
  SELECT b.org_unit, b.element, b.dim, b.period, b.scope, SUM(b.value) AS s, COUNT(*) AS n,
         MAX(decimals(b.value)) AS dec, list(b.cat) AS cats
  FROM b JOIN complete c ON c.dim = b.dim
  GROUP BY b.org_unit, b.element, b.dim, b.period, b.scope
), expected AS (  -- the categories a group should have (专业大类: of the catalogue versions reported)
  SELECT g.org_unit, g.element, g.dim, g.period, g.scope, COUNT(DISTINCT d.category) AS n_expected,
         COUNT(DISTINCT d.category) FILTER (WHERE list_contains(g.cats, d.category)) AS n_present
  FROM grp g JOIN dims d ON d.dim = g.dim AND d.kind = 'complete'
  WHERE d.version = '' OR d.version IN (SELECT v.version FROM dims v
                                        WHERE v.dim = g.dim AND list_contains(g.cats, v.category))
  GROUP BY g.org_unit, g.element, g.dim, g.period, g.scope
), judged AS (
  SELECT g.*, e.type, t.value AS total, x.n_expected > x.n_present AS missing,
         CASE WHEN e.type = 'count' AND g.dec = 0 THEN 0.0 ELSE 0.5 * pow(10, -g.dec) * g.n END AS tol
  FROM grp g JOIN el e ON e.element = g.element
  JOIN expected x ON x.org_unit = g.org_unit AND x.element = g.element AND x.dim = g.dim AND x.period = g.period
       AND x.scope = g.scope
  LEFT JOIN tot t ON t.org_unit = g.org_unit AND t.element = g.element AND t.period = g.period AND t.scope = g.scope
), breakdowns AS (
  SELECT CASE WHEN missing AND s - total > tol THEN 'breakdown.exceeds_total'
              WHEN missing AND s - total < -tol THEN 'breakdown.incomplete'
              WHEN NOT missing AND abs(s - total) > tol THEN 'breakdown.sum_mismatch' END AS code,
         org_unit, period, round(s, 6) AS a, total AS b
  FROM judged WHERE type <> 'rate' AND total IS NOT NULL AND abs(s - total) >= 1e-9
  UNION ALL
  SELECT CASE WHEN abs(s - 100) <= 1.0 THEN 'breakdown.shares_off' ELSE 'breakdown.shares_mismatch' END,
         org_unit, period, round(s, 6), NULL
  FROM judged WHERE type = 'rate' AND abs(s - 100) >= 1e-9
    AND NOT ((missing AND s - 100 <= tol) OR abs(s - 100) <= tol + 1e-9)
), parts AS (  -- 其中: a part above its total
  SELECT 'breakdown.part_exceeds_total' AS code, b.org_unit, b.period, b.value AS a, t.value AS b
  FROM b JOIN (SELECT DISTINCT dim FROM dims WHERE kind = 'part') p ON p.dim = b.dim
  JOIN el e ON e.element = b.element AND e.type <> 'rate'
  JOIN tot t ON t.org_unit = b.org_unit AND t.element = b.element AND t.period = b.period AND t.scope = b.scope
  WHERE b.value > t.value + 1e-9
), rules(code, a, b, whole, years) AS (VALUES
    {_comparisons()}
), compared AS (
  SELECT r.code, x.org_unit, x.period, x.value + COALESCE(y.value, 0) AS a, w.value AS b
  FROM rules r JOIN tot x ON x.element = r.a
  JOIN tot w ON w.org_unit = x.org_unit AND w.period = x.period + r.years AND w.scope = x.scope
       AND w.element = r.whole
  LEFT JOIN tot y ON y.org_unit = x.org_unit AND y.period = x.period AND y.scope = x.scope AND y.element = r.b
  WHERE (r.b IS NULL OR y.value IS NOT NULL) AND x.value + COALESCE(y.value, 0) > w.value + 1e-9
), flows AS (  -- students = last year's + entrants − graduates, within 5% of that
  SELECT 'flow.stock_mismatch' AS code, s.org_unit, s.period, s.value AS a, p.value + i.value - g.value AS b
  FROM tot s
  JOIN tot p ON p.org_unit = s.org_unit AND p.element = 'students' AND p.period = s.period - 1 AND p.scope = s.scope
  JOIN tot i ON i.org_unit = s.org_unit AND i.element = 'entrants' AND i.period = s.period AND i.scope = s.scope
  JOIN tot g ON g.org_unit = s.org_unit AND g.element = 'graduates' AND g.period = s.period AND g.scope = s.scope
  WHERE s.element = 'students'
    AND NOT (s.value - (p.value + i.value - g.value) = 0
             OR (p.value + i.value - g.value > 0
                 AND abs(s.value - (p.value + i.value - g.value)) <= 0.05 * (p.value + i.value - g.value)))
), jumps AS (  -- a change beyond 30% (counts from 20), or beyond 10 points for a rate
  SELECT 'yoy.jump' AS code, o.org_unit, o.period, p.value AS a, o.value AS b
  FROM obs o JOIN el e ON e.element = o.element AND e.type IN ('count', 'amount', 'mean', 'rate')
  JOIN obs p ON p.org_unit = o.org_unit AND p.element = o.element AND p.dims = o.dims AND p.period = o.period - 1
       AND p.scope = o.scope
  WHERE CASE WHEN e.type = 'rate' THEN abs(o.value - p.value) > 10 + 1e-9
             ELSE NOT (p.value = o.value OR (e.type = 'count' AND greatest(abs(p.value), abs(o.value)) < 20)
                       OR (p.value <> 0 AND abs((o.value - p.value) / abs(p.value)) <= 0.3 + 1e-9)) END
)
SELECT code, org_unit, period, a, b FROM breakdowns WHERE code IS NOT NULL
UNION ALL SELECT * FROM parts
UNION ALL SELECT * FROM compared
UNION ALL SELECT * FROM flows
UNION ALL SELECT * FROM jumps
"""


def catalogue_tables(cat) -> dict[str, list[tuple]]:
    """The element types and the dimensions' categories, read from the catalogue's data."""
    el = [(code, e.type) for code, e in cat.elements.items()]
    dims = []
    versions = (cat.majors or {}).get("versions") or {}
    for dim, meta in cat.dimensions.items():
        kind = "complete" if meta.get("complete") else "part" if meta.get("kind") == "part" else ""
        if not kind:
            continue
        if meta.get("categories_from") == "majors" and versions:
            dims += [(dim, c, kind, v) for v, spec in versions.items() for c in spec.get("categories") or {}]
        else:
            dims += [(dim, c, kind, "") for c in meta.get("categories") or {}]
    return {"el": el, "dims": dims}
