"""The aggregation rules of ``aggregation.yaml`` as SQL: school figures summed to every unit above
them on an SQL engine, the same way ``nianbao.compute.aggregate`` sums them in Python.

Input tables (made by ``nianbao.compute.tables`` from a dataset):

    observations    org_unit, element, dims, period, scope, value — every row of the dataset
    schools         code, excl (1 unless a school type the scope excl_technical leaves out),
                    countable (1 unless 附设中职班, 其他中职机构 or a blank or unknown school type),
                    founded, closed, direct (the unit right above the school), and the columns
                    of a ``compute.tables.Layout``: u0, u1 … (the units whose aggregates include
                    the school, one a slot) and g_<dim> (its category of each breakdown,
                    ``unknown`` for a blank or unknown one: a group, never a category of the unit)
    periods         period — the dataset's years
    majors          org_unit, identity, category, opened, closed — majors.csv
    categories      dim, category, dims, complete — every category of dimensions.yaml, with its
                    dims text (``affiliation=municipal``) and 1 for a complete breakdown

The query gives ``AGGREGATE_COLUMNS``: per unit (``grp`` empty) or per breakdown group of a unit
(``grp`` = ``affiliation=municipal``, the figures of its schools as if they were a unit of their
own, as ``nianbao indicators --by`` lists them), every figure with the number of schools it sums
(``n``) and the members expected (``expected``), and where it comes from (``kind``):
``sum`` (summed figures and weighted means), ``registry`` (schools counted from the registry),
``zero`` (a breakdown category without schools), ``condition`` (schools counted by a condition),
``majors`` (the majors table). The rules, as in Python:

- a school's row is taken in its first scope (``nianbao.compute.scopes``); rates, printed values
  and figures computed here are not summed;
- scope ``all`` sums every member, ``excl_technical`` the members that are not technical
  schools; a unit with technical members gets ``excl_technical`` when non-technical members
  reported and ``all`` only when a technical school did (otherwise ``all`` would be the
  ``excl_technical`` figure under the wrong name);
- a school that reports some categories of a complete breakdown reports zero in the others;
- means are weighted by their base over the schools reporting both (a school whose base is 0
  and that gives no mean counts as reporting, adding nothing);
- counts are rounded to whole numbers, amounts to 6 decimals.
"""

from __future__ import annotations

from nianbao.compute import scopes
from nianbao.compute.sql import identifier, literal, with_query
from nianbao.compute.tables import Layout
from nianbao.core.orgs import UNKNOWN

DIRECT = "__direct__"  # the group of the schools right below a unit (memberships, dim)

AGGREGATE_COLUMNS = ("org_unit", "grp", "element", "dims", "period", "scope", "value", "n", "expected", "kind")
UNIT_COLUMNS = AGGREGATE_COLUMNS  # unit_observations_sql: the same columns, kind 'own' for a unit's own rows
OPS = {"<", "<=", ">", ">=", "=="}
ALL, EXCL = "all", "excl_technical"


def _in(codes) -> str:
    return ", ".join(literal(c) for c in sorted(codes)) or "NULL"


COMPLETE_KEYS = """SELECT DISTINCT f.element, f.dims, f.period, c.dim
FROM school_facts f JOIN categories c ON c.dims = f.dims AND c.complete = 1
WHERE f.src = 'f'"""


def _coalesce(exprs) -> str:
    """COALESCE of ``exprs`` (SQLite wants two at least)."""
    return exprs[0] if len(exprs) == 1 else f"COALESCE({', '.join(exprs)})"


def rules(catalogue, needs: dict | None = None) -> dict:
    """What the SQL needs from the catalogue: summable elements, weights, count elements,
    breakdowns and the elements broken down by each, conditions and majors figures.

    ``needs`` (element → the breakdowns it is asked by, from :func:`compute.sql.needs_of`)
    limits what is summed to the figures a caller asks for: ``summed`` and ``area`` hold only
    those elements (and the bases of their means), registry counts, conditions and majors
    figures only those asked for, and an element is broken down by a breakdown only where it
    is asked by it. ``summable`` stays whole: every school figure still says in which years a
    school takes part (its membership, the schools expected)."""
    cfg = catalogue.aggregation or {}
    registry = set(cfg.get("registry_counts") or {})
    conditions = cfg.get("school_counts") or {}
    majors = {e: k for e, k in (cfg.get("majors") or {}).items() if e in catalogue.elements}
    computed = registry | set(conditions) | set(cfg.get("majors") or {})
    els = catalogue.elements
    summable = {e for e, el in els.items()
                if e not in computed and el.type not in ("rate", "pair") and not el.is_reported_rate}
    # county groups schools by the county the registry puts them in: no dimension of the catalogue
    breakdowns = [d for d in cfg.get("breakdowns") or [] if d in catalogue.dimensions or d == "county"]
    weighted = set(cfg.get("weighted_means") or {})
    area = {e for e, el in els.items() if el.type not in ("rate", "pair") and not el.is_reported_rate
            and e not in set(cfg.get("majors") or {}) and e not in weighted}
    with_dim = {d: sorted(e for e, el in els.items() if d in el.dims) for d in breakdowns}
    summed = summable
    if needs is not None:
        weights = {w["weight"] for m, w in (cfg.get("weighted_means") or {}).items() if m in needs}
        summed = {e for e in summable if e in needs or e in weights}
        area = {e for e in area if e in needs or e in weights}
        registry = {e for e in registry if e in needs}
        conditions = {e: c for e, c in conditions.items() if e in needs}
        majors = {e: k for e, k in majors.items() if e in needs}
        with_dim = {d: [e for e in es if d in needs.get(e, ())] for d, es in with_dim.items()}
    return {
        "area": area,
        "summed": summed,
        "use": ((cfg.get("reconcile") or {}).get("use") or "reported"),
        "summable": summable,
        "weighted": {m: w["weight"] for m, w in (cfg.get("weighted_means") or {}).items()},
        "counts": {e for e, el in els.items() if el.type == "count"},
        "registry": sorted(registry),
        "conditions": conditions,
        "majors": majors,
        "breakdowns": breakdowns,
        "with_dim": with_dim,
    }


def computed_elements(catalogue, given, registry: bool, majors: bool) -> set[str]:
    """The data elements a unit may have once the school figures are summed: those some figure
    ``given`` is of, the schools counted from a registry, the schools counted by a condition on
    a given element, and (with a majors table) the majors figures."""
    cfg = catalogue.aggregation or {}
    out = set(given)
    if registry:
        out |= set(cfg.get("registry_counts") or {})
        out |= {e for e, c in (cfg.get("school_counts") or {}).items() if c.get("element") in given}
    if majors:
        out |= set(cfg.get("majors") or {})
    return out


def aggregate_steps(catalogue, dialect, groups=None, areas: bool = True,
                    units: str | None = None, layout: Layout | None = None, slots=None,
                    one_scope: bool = False, needs: dict | None = None) -> list[tuple[str, str, str]]:
    """The aggregation as named steps (name, what it computes, SELECT), each reading the input
    tables and the steps before it; the last, ``result``, gives ``AGGREGATE_COLUMNS``.

    ``groups`` (breakdown dimensions) limits the breakdown groups computed to those (None: every
    breakdown): the other breakdowns are summed only for the unit rows that carry them (students
    by affiliation where the catalogue breaks students down by affiliation). ``areas=False``
    says that no county, city or province gave figures of its own (the observations table has
    rows of schools only): the sums of the schools are then the units' figures, and the steps
    that lay the areas' own figures over them are left out. ``units`` (a table of codes, column
    ``code``; only with ``areas=False``) limits the sums to those units: without figures of
    the areas each unit's sums read its own members only. ``layout`` is the layout of the
    schools table (default: three slots of units and every breakdown), ``slots`` the slots
    summed (None: all; with ``units``, those holding them). ``one_scope`` says that every
    figure of the observations table is in one scope (no scope is to be chosen). ``needs``
    (see :func:`rules`) sums only the figures asked for.

    Every school row — its figures, the breakdowns it gives some categories of, its membership
    in a period, its conditions — is summed to every unit and breakdown group in one GROUP BY
    GROUPING SETS pass over the schools table's unit and category columns."""
    if units is not None and areas:
        raise ValueError("aggregate_steps: units needs areas=False (an area's figures sum its child areas)")
    r = rules(catalogue, needs)
    layout = layout or Layout(3, tuple((catalogue.aggregation or {}).get("breakdowns") or ()))
    dims = list(layout.dims)
    slots = list(range(layout.slots)) if slots is None else list(slots)
    weighted = r["weighted"]
    float_t = dialect.type_name("float")
    int_t, text_t = dialect.type_name("int"), dialect.type_name("text")
    rank = scopes.rank_sql("o.scope")

    def rnd(expr, column="element"):
        return (f"CASE WHEN {column} IN ({_in(r['counts'])}) THEN {dialect.round(expr, 0)} "
                f"ELSE {dialect.round(expr, 6)} END")

    figures = f"""SELECT school, element, dims, period, value AS v, CAST(NULL AS {float_t}) AS w
  FROM school_rows WHERE element NOT IN ({_in(weighted)})"""
    if needs is not None:
        figures += f" AND element IN ({_in(r['summed'])})"
    for m, wt in sorted(weighted.items()):  # a mean: mean × base, and the base
        if m not in r["summed"]:
            continue
        if not catalogue.elements[m].dims:  # a mean of no breakdown: the school's mean and base in one pass
            figures += f"""
  UNION ALL
  SELECT school, {literal(m)} AS element, '' AS dims, period,
         CASE WHEN mv IS NULL THEN 0.0 ELSE mv * bv END AS v, bv AS w
  FROM (SELECT school, period, MAX(CASE WHEN element = {literal(m)} THEN value END) AS mv,
               MAX(CASE WHEN element = {literal(wt)} THEN value END) AS bv
        FROM school_rows WHERE element IN ({literal(m)}, {literal(wt)}) AND dims = ''
        GROUP BY school, period) mb
  WHERE bv IS NOT NULL AND (mv IS NOT NULL OR bv = 0)"""
            continue
        figures += f"""
  UNION ALL
  SELECT r.school, r.element, r.dims, r.period, r.value * w.value AS v, w.value AS w
  FROM school_rows r JOIN school_rows w ON w.school = r.school AND w.period = r.period
  WHERE r.element = {literal(m)} AND w.element = {literal(wt)} AND w.dims = ''
  UNION ALL
  SELECT w.school, {literal(m)} AS element, '' AS dims, w.period, 0.0 AS v, 0.0 AS w
  FROM school_rows w
  WHERE w.element = {literal(wt)} AND w.dims = '' AND w.value = 0 AND NOT EXISTS (
    SELECT 1 FROM school_rows r WHERE r.school = w.school AND r.period = w.period AND r.element = {literal(m)}
      AND r.dims = '')"""

    attached = " OR ".join(f"(s.dim = {literal(d)} AND s.element IN ({_in(els)}))"
                           for d, els in r["with_dim"].items() if els) or "1 = 0"
    reg_dims = [d for d in r["breakdowns"] if any(e in r["with_dim"][d] for e in r["registry"])]
    reg_attached = " OR ".join(
        f"(x.dim = {literal(d)} AND c.element IN ({_in(e for e in r['registry'] if e in r['with_dim'][d])}))"
        for d in reg_dims) or "1 = 0"
    registry = " UNION ALL ".join(f"SELECT {literal(e)} AS element" for e in r["registry"]) \
        or f"SELECT {literal('schools')} AS element FROM periods WHERE 1 = 0"

    conds = []
    for code, rule in r["conditions"].items():
        op = rule["op"]
        if op not in OPS:
            raise ValueError(f"aggregation.yaml school_counts {code}: unknown op {op!r}")
        conds.append(f"""SELECT r.school, r.period, {literal(code)} AS element,
         CASE WHEN r.value {'=' if op == '==' else op} {float(rule['value'])!r} THEN 1 ELSE 0 END AS hit
  FROM school_rows r JOIN schools s ON s.code = r.school
  WHERE r.element = {literal(rule['element'])} AND r.dims = '' AND s.countable = 1""")
    cond_school = "\n  UNION ALL\n  ".join(conds) or \
        "SELECT school, period, element, 0 AS hit FROM school_rows WHERE 1 = 0"

    only_groups = ""
    if groups is not None:  # the breakdowns not asked for: only the unit rows that carry them
        only_groups = "\n  AND (a.grp = ''" + "".join(
            f" OR SUBSTR(a.grp, 1, {len(d) + 1}) = {literal(d + '=')}" for d in sorted(groups)) + ")"

    def category(d: str) -> str:
        """A school row's category of breakdown ``d``, '#' where the row is not summed by it."""
        if groups is None or d in groups:
            return f"s.g_{d}"
        els = r["with_dim"].get(d) or []
        carried = f" OR (f.src = 'f' AND f.dims = '' AND f.element IN ({_in(els)}))" if els else ""
        return f"CASE WHEN f.src = 'm'{carried} THEN s.g_{d} ELSE '#' END"

    unit_cols = [f"u{i}" for i in slots] + (["direct"] if areas else [])
    keys = ["src", "element", "dims", "period"]
    sets = [[f"u{i}"] + extra + keys for i in slots for extra in [[]] + [[f"g_{d}"] for d in dims]]
    if areas:
        sets.append(["direct"] + keys)
    passed = dialect.group_sets(
        unit_cols + [f"g_{d}" for d in dims] + keys,
        "SUM(v) AS s_all, SUM(v * excl) AS s_excl, SUM(w) AS w_all, SUM(w * excl) AS w_excl, "
        "COUNT(*) AS n_all, SUM(excl) AS n_excl", "joined", sets) if sets else \
        ("SELECT " + "".join(f"CAST(NULL AS {text_t}) AS {c}, " for c in unit_cols + [f"g_{d}" for d in dims])
         + "src, element, dims, period, 0.0 AS s_all, 0.0 AS s_excl, 0.0 AS w_all, 0.0 AS w_excl, 0 AS n_all, "
         "0 AS n_excl FROM joined WHERE 1 = 0")
    unit_of = _coalesce(unit_cols) if unit_cols else "NULL"
    whens = ("WHEN direct IS NOT NULL THEN '" + DIRECT + "' " if areas else "") + "".join(
        f"WHEN g_{d} IS NOT NULL THEN {literal(d)} " for d in dims)
    dim_of = f"CASE {whens}ELSE '' END" if whens else "''"
    category_of = _coalesce([f"g_{d}" for d in dims] + ["''"])
    wanted = "" if units is None else f" AND {unit_of} IN (SELECT code FROM {identifier(units)})"

    memb = []
    for i in slots:  # a unit is in one slot only: the slots summed hold every unit asked for
        where = f"u{i} IS NOT NULL" + ("" if units is None else f" AND u{i} IN (SELECT code FROM {identifier(units)})")
        memb.append(f"SELECT code AS school, u{i} AS unit, '' AS dim, '' AS category, excl, countable FROM schools "
                    f"WHERE {where}")
        memb += [f"SELECT code AS school, u{i} AS unit, {literal(d)} AS dim, g_{d} AS category, excl, countable "
                 f"FROM schools WHERE {where}" for d in dims]
    if areas:
        memb.append(f"SELECT code AS school, direct AS unit, '{DIRECT}' AS dim, '' AS category, excl, countable "
                    "FROM schools WHERE direct IS NOT NULL")
    if not memb:
        memb.append("SELECT code AS school, code AS unit, '' AS dim, '' AS category, excl, countable FROM schools "
                    "WHERE 1 = 0")

    kinds = {"distinct_majors": "n_majors", "distinct_categories": "n_categories", "points": "n_points",
             "opened_in_period": "n_new"}
    for e, k in r["majors"].items():
        if k not in kinds:
            raise ValueError(f"aggregation.yaml: unknown majors figure {k!r}")
    major_rows = []
    for e, k in sorted(r["majors"].items()):
        major_rows.append(f"SELECT unit, grp, {literal(e)} AS element, '' AS dims, period, scope, "
                          f"{kinds[k]} AS value, n, e AS expected FROM major_stats")
        if "major_category" in catalogue.elements[e].dims:
            major_rows.append(f"SELECT unit, grp, {literal(e)} AS element, 'major_category=' || mcat AS dims, "
                              f"period, scope, {kinds[k]} AS value, n, e AS expected FROM major_cat_stats")
    major_obs = "\n  UNION ALL\n  ".join(major_rows) or \
        "SELECT unit, grp, '' AS element, '' AS dims, period, scope, 0 AS value, n, e AS expected " \
        "FROM major_stats WHERE 1 = 0"

    if one_scope:
        school_rows = f"""SELECT o.org_unit AS school, o.element, o.dims, o.period, o.value
FROM observations o
WHERE o.element IN ({_in(r['summable'])}) AND o.org_unit IN (SELECT code FROM schools)"""
    else:
        school_rows = f"""SELECT org_unit AS school, element, dims, period, value FROM (
  SELECT o.org_unit, o.element, o.dims, o.period, o.value,
         ROW_NUMBER() OVER (PARTITION BY o.org_unit, o.element, o.dims, o.period ORDER BY {rank}) AS rk
  FROM observations o JOIN schools s ON s.code = o.org_unit
  WHERE o.element IN ({_in(r['summable'])})
) t WHERE rk = 1"""
    return [
        ("school_rows", 'each school figure in the scope taken first, summable figures only', school_rows),
        ("figures", 'the value summed (a mean: mean × base) and the base of a mean', f"""{figures}"""),
        ("all_periods", '', """SELECT period FROM periods UNION SELECT period FROM school_rows"""),
        ("active", 'members of a period: active in the registry, or reporting figures for it', """SELECT s.code AS school, p.period FROM schools s CROSS JOIN all_periods p
WHERE (s.founded IS NULL OR p.period >= s.founded) AND (s.closed IS NULL OR p.period < s.closed)
UNION
SELECT school, period FROM school_rows"""),
        ("complete_rows", 'figures of a category of a complete breakdown', """SELECT f.school, f.element, f.dims, f.period, c.dim
FROM figures f JOIN categories c ON c.dims = f.dims AND c.complete = 1"""),
        ("cond_school", 'per school and period: 1 if the school meets the condition (counted schools)', f"""{cond_school}"""),
        ("school_facts", "what each school adds: its figures (f); the complete breakdowns it gives some categories of, "
                         "so reporting zero in the others (s, dims: the breakdown); its membership in a period (m: v "
                         "counted as a school, w with a majors list); its conditions (c: v met)", f"""SELECT 'f' AS src, school, element, dims, period, v, w FROM figures
UNION ALL
SELECT DISTINCT 's', school, element, dim, period, CAST(NULL AS {float_t}), CAST(NULL AS {float_t}) FROM complete_rows
UNION ALL
SELECT 'm', a.school, '', '', a.period, CAST(s.countable AS {float_t}),
       CAST(CASE WHEN s.code IN (SELECT org_unit FROM majors) THEN 1 ELSE 0 END AS {float_t})
FROM active a JOIN schools s ON s.code = a.school
UNION ALL
SELECT 'c', school, element, '', period, CAST(hit AS {float_t}), CAST(NULL AS {float_t}) FROM cond_school"""),
        ("complete_keys", 'the figures of a category of a complete breakdown some school gives', COMPLETE_KEYS),
        ("joined", "each school row with the school's units and categories", f"""SELECT f.src, f.element, f.dims, f.period, f.v, f.w, s.excl{"".join(f", s.{c}" for c in unit_cols)}{
    "".join(f", {category(d)} AS g_{d}" for d in dims)}
FROM school_facts f JOIN schools s ON s.code = f.school"""),
        ("passed", "every unit and breakdown group summed in one pass", passed),
        ("grouped", "the sums of each unit (dim '') and breakdown group", f"""SELECT {unit_of} AS unit, {dim_of} AS dim, {category_of} AS category, src, element, dims, period,
       s_all, s_excl, w_all, w_excl, n_all, n_excl
FROM passed
WHERE {unit_of} IS NOT NULL AND {category_of} <> '#'{wanted}"""),
        ("memb", 'each unit and breakdown group a school is a member of', "\nUNION ALL\n".join(memb)),
        ("sums", '', """SELECT unit, dim, category, element, dims, period, s_all, s_excl, w_all, w_excl
FROM grouped WHERE src = 'f'"""),
        ("reporters", 'the schools giving a figure; of a complete breakdown, those giving any of its categories', """SELECT unit, dim, category, element, dims, period, n_all, n_excl FROM grouped
WHERE src = 'f' AND dims NOT IN (SELECT dims FROM categories WHERE complete = 1)
UNION ALL
SELECT g.unit, g.dim, g.category, k.element, k.dims, k.period, g.n_all, g.n_excl
FROM grouped g JOIN complete_keys k ON k.element = g.element AND k.period = g.period AND k.dim = g.dims
WHERE g.src = 's'"""),
        ("expected", 'members of each group and period; countable: those counted as schools', """SELECT unit, dim, category, period, n_all AS e_all, n_excl AS e_excl, s_all AS c_all, s_excl AS c_excl
FROM grouped WHERE src = 'm'"""),
        ("with_tech", 'units with technical schools among the members of a period', """SELECT unit, period FROM expected WHERE dim = '' AND e_all > e_excl"""),
        ("summed", '', """SELECT c.unit, c.dim, c.category, c.element, c.dims, c.period, c.n_all, c.n_excl, e.e_all, e.e_excl,
       COALESCE(s.s_all, 0) AS s_all, COALESCE(s.s_excl, 0) AS s_excl, s.w_all, s.w_excl,
       CASE WHEN t.unit IS NULL THEN 0 ELSE 1 END AS unit_tech
FROM reporters c
JOIN expected e ON e.unit = c.unit AND e.dim = c.dim AND e.category = c.category AND e.period = c.period
LEFT JOIN sums s ON s.unit = c.unit AND s.dim = c.dim AND s.category = c.category AND s.element = c.element
     AND s.dims = c.dims AND s.period = c.period
LEFT JOIN with_tech t ON t.unit = c.unit AND t.period = c.period"""),
        ("scoped", 'the scopes each sum is produced in; attached: only as a breakdown row of the unit', f"""SELECT unit, dim, category, element, dims, period, '{ALL}' AS scope, s_all AS s, w_all AS w, n_all AS n,
       e_all AS e, 0 AS attached
FROM summed WHERE e_all <= e_excl OR n_all > n_excl
UNION ALL
SELECT unit, dim, category, element, dims, period, '{EXCL}', s_excl, w_excl, n_excl, e_excl, 0
FROM summed WHERE e_all > e_excl AND n_excl > 0
UNION ALL
SELECT unit, dim, category, element, dims, period, '{EXCL}', s_excl, w_excl, n_all, e_all, 1
FROM summed WHERE e_all <= e_excl AND unit_tech = 1 AND dim <> ''"""),
        ("valued", '', f"""SELECT unit, dim, category, element, dims, period, scope, n, e, attached,
       CASE WHEN element IN ({_in(weighted)}) THEN s / NULLIF(w, 0) ELSE s END AS value
FROM scoped"""),
        ("sum_obs", '', f"""SELECT unit, '' AS grp, element, dims, period, scope, value, n, e AS expected
FROM valued WHERE dim = '' AND attached = 0 AND value IS NOT NULL
UNION ALL
SELECT s.unit, '', s.element, s.dim || '=' || s.category, s.period, s.scope, s.value, s.n, s.e
FROM valued s WHERE s.dims = '' AND s.value IS NOT NULL AND s.category <> '{UNKNOWN}' AND ({attached})
UNION ALL
SELECT unit, dim || '=' || category, element, dims, period, scope, value, n, e
FROM valued WHERE dim <> '' AND attached = 0 AND value IS NOT NULL"""),
        ("counted", 'schools counted from the registry, per group and period', """SELECT x.unit, x.dim, x.category, x.period, x.c_all, x.c_excl,
       CASE WHEN x.e_all > x.e_excl THEN 1 ELSE 0 END AS group_tech,
       CASE WHEN t.unit IS NULL THEN 0 ELSE 1 END AS unit_tech
FROM expected x LEFT JOIN with_tech t ON t.unit = x.unit AND t.period = x.period
WHERE x.e_all > 0"""),
        ("registry_elements", '', f"""{registry}"""),
        ("registry_obs", '', f"""SELECT x.unit, CASE WHEN x.dim = '' THEN '' ELSE x.dim || '=' || x.category END AS grp, c.element, '' AS dims,
       x.period, sc.scope, CASE WHEN sc.scope = '{ALL}' THEN x.c_all ELSE x.c_excl END AS value
FROM counted x CROSS JOIN registry_elements c
JOIN (SELECT '{ALL}' AS scope UNION ALL SELECT '{EXCL}') sc ON sc.scope = '{ALL}' OR x.group_tech = 1
WHERE NOT (x.dim = 'school_type' AND x.category = '{UNKNOWN}')
UNION ALL
SELECT x.unit, '', c.element, x.dim || '=' || x.category, x.period, sc.scope,
       CASE WHEN sc.scope = '{ALL}' THEN x.c_all ELSE x.c_excl END
FROM counted x CROSS JOIN registry_elements c
JOIN (SELECT '{ALL}' AS scope UNION ALL SELECT '{EXCL}') sc
  ON sc.scope = '{ALL}' OR x.group_tech = 1 OR x.unit_tech = 1
WHERE x.dim <> '' AND x.category <> '{UNKNOWN}' AND ({reg_attached})"""),
        ("zero_obs", 'breakdown categories without schools: zero schools, a known figure', f"""SELECT t.unit, '' AS grp, t.element, d.dims, t.period, t.scope, 0 AS value
FROM registry_obs t JOIN categories d ON d.dim IN ({_in(reg_dims)})
WHERE t.grp = '' AND t.dims = ''
  AND NOT EXISTS (SELECT 1 FROM registry_obs h WHERE h.unit = t.unit AND h.grp = '' AND h.element = t.element
                  AND h.dims = d.dims AND h.period = t.period AND h.scope = t.scope)
  AND NOT EXISTS (SELECT 1 FROM expected u WHERE u.unit = t.unit AND u.dim = d.dim AND u.category = '{UNKNOWN}'
                  AND u.period = t.period AND u.e_all > 0)"""),
        ("cond_sums", '', """SELECT unit, dim, category, element, period, s_all AS h_all, s_excl AS h_excl, n_all AS r_all,
       n_excl AS r_excl
FROM grouped WHERE src = 'c'"""),
        ("cond_obs", '', """SELECT c.unit, CASE WHEN c.dim = '' THEN '' ELSE c.dim || '=' || c.category END AS grp, c.element, c.period,
       c.h_all, c.h_excl, c.r_all, c.r_excl, x.c_all, x.c_excl
FROM cond_sums c JOIN expected x ON x.unit = c.unit AND x.dim = c.dim AND x.category = c.category
     AND x.period = c.period"""),
        ("major_reporting", 'members with a majors list, active in the period', f"""SELECT unit, dim, category, period, CAST(w_all AS {int_t}) AS r_all, CAST(w_excl AS {int_t}) AS r_excl
FROM grouped WHERE src = 'm' AND w_all > 0"""),
        ("major_scopes", '', f"""SELECT r.unit, r.dim, r.category, r.period, '{ALL}' AS scope, r.r_all AS n, x.e_all AS e
FROM major_reporting r JOIN expected x ON x.unit = r.unit AND x.dim = r.dim AND x.category = r.category
     AND x.period = r.period
WHERE x.e_all <= x.e_excl OR r.r_all > r.r_excl
UNION ALL
SELECT r.unit, r.dim, r.category, r.period, '{EXCL}', r.r_excl, x.e_excl
FROM major_reporting r JOIN expected x ON x.unit = r.unit AND x.dim = r.dim AND x.category = r.category
     AND x.period = r.period
WHERE x.e_all > x.e_excl AND r.r_excl > 0"""),
        ("major_points", "the points behind each group's figures, and a school's own", f"""SELECT sc.unit, CASE WHEN sc.dim = '' THEN '' ELSE sc.dim || '=' || sc.category END AS grp, sc.period, sc.scope,
       sc.n, sc.e, p.identity, p.category AS mcat,
       CASE WHEN (p.opened IS NULL OR sc.period >= p.opened) AND (p.closed IS NULL OR sc.period < p.closed)
            THEN 1 ELSE 0 END AS act,
       CASE WHEN p.opened = sc.period THEN 1 ELSE 0 END AS new
FROM major_scopes sc
JOIN memb m ON m.unit = sc.unit AND m.dim = sc.dim AND m.category = sc.category
JOIN active a ON a.school = m.school AND a.period = sc.period
JOIN majors p ON p.org_unit = m.school
WHERE sc.scope = '{ALL}' OR m.excl = 1
UNION ALL
SELECT p.org_unit, '', ap.period, '{ALL}', 0, 0, p.identity, p.category,
       CASE WHEN (p.opened IS NULL OR ap.period >= p.opened) AND (p.closed IS NULL OR ap.period < p.closed)
            THEN 1 ELSE 0 END,
       CASE WHEN p.opened = ap.period THEN 1 ELSE 0 END
FROM majors p JOIN schools s ON s.code = p.org_unit CROSS JOIN all_periods ap"""),
        ("major_stats", '', """SELECT unit, grp, period, scope, n, e,
       COUNT(DISTINCT CASE WHEN act = 1 THEN identity END) AS n_majors,
       COUNT(DISTINCT CASE WHEN act = 1 THEN mcat END) AS n_categories,
       SUM(act) AS n_points, SUM(new) AS n_new
FROM major_points GROUP BY unit, grp, period, scope, n, e
HAVING SUM(act) + SUM(new) > 0"""),
        ("major_cat_stats", '', """SELECT unit, grp, period, scope, n, e, mcat,
       COUNT(DISTINCT CASE WHEN act = 1 THEN identity END) AS n_majors,
       COUNT(DISTINCT CASE WHEN act = 1 THEN mcat END) AS n_categories,
       SUM(act) AS n_points, SUM(new) AS n_new
FROM major_points GROUP BY unit, grp, period, scope, n, e, mcat
HAVING SUM(act) + SUM(new) > 0"""),
        ("major_obs", '', f"""{major_obs}"""),
        ("all_aggregates", '', "\nUNION ALL\n".join(part for part, wanted in (
            (f"""SELECT unit AS org_unit, grp, element, dims, period, scope, {rnd('value')} AS value, n, expected,
       'sum' AS kind FROM sum_obs""", True),
            ("SELECT unit, grp, element, dims, period, scope, value, 0, 0, 'registry' FROM registry_obs",
             r["registry"]),
            ("SELECT unit, grp, element, dims, period, scope, value, 0, 0, 'zero' FROM zero_obs", reg_dims),
            (f"""SELECT unit, grp, element, '', period, '{ALL}', h_all, r_all, c_all, 'condition' FROM cond_obs
WHERE c_all <= c_excl OR r_all > r_excl
UNION ALL
SELECT unit, grp, element, '', period, '{EXCL}', h_excl, r_excl, c_excl, 'condition' FROM cond_obs
WHERE c_all > c_excl AND r_excl > 0""", r["conditions"]),
            ("SELECT unit, grp, element, dims, period, scope, value, n, expected, 'majors' FROM major_obs",
             r["majors"])) if wanted)),  # a kind of figure no catalogue rule asks for: no step
    ] + (_area_steps(r, rnd, only_groups) if areas else [
        ("final_aggregates", "the schools' sums (no area gave figures of its own)", f"""SELECT a.org_unit, a.grp, a.element, a.dims, a.period, a.scope, a.value, a.n, a.expected, a.kind
FROM all_aggregates a
WHERE a.grp <> '{DIRECT}='{only_groups}"""),
    ]) + [
        ("result", "", f"""SELECT org_unit, grp, element, dims, period, scope, CAST(value AS {float_t}) AS value, n, expected, kind
FROM final_aggregates"""),
    ]


def reports_steps(catalogue, dialect, **options) -> list[tuple[str, str, str]]:
    """The steps giving the schools behind figures (``compute.sql_engine.SqlFigures.included``):
    ``memb`` (each unit and group a school is a member of), ``active`` (members of a period) and
    ``reports`` (school, element, dims, period: the figures a school gives, and the categories
    of a complete breakdown it gives zero in), with the steps they read; ``options`` as
    :func:`aggregate_steps` takes them."""
    steps = {n: (n, note, sql) for n, note, sql in aggregate_steps(catalogue, dialect, **options)}
    return [steps[n] for n in ("school_rows", "figures", "all_periods", "active", "memb")] + [
        ("figure_keys", '', """SELECT DISTINCT element, dims, period FROM figures"""),
        ("reports", 'a school reporting one category of a complete breakdown reports zero in the others', """SELECT school, element, dims, period FROM figures
UNION
SELECT f.school, k.element, k.dims, k.period
FROM figures f JOIN categories bf ON bf.dims = f.dims AND bf.complete = 1
JOIN figure_keys k ON k.element = f.element AND k.period = f.period
JOIN categories bk ON bk.dims = k.dims AND bk.dim = bf.dim"""),
        ("result", "", "SELECT COUNT(*) FROM reports")]


def _area_steps(r: dict, rnd, only_groups: str = "") -> list[tuple[str, str, str]]:
    """Figures given by counties, cities and provinces, summed upward as
    ``nianbao.compute.aggregate.Rollup._areas`` sums them: level by level (county, city,
    province), a unit whose child areas gave a figure themselves (``sourced``) gets the sum of
    its children's figures (each child's own where it gave one, else its schools' sum) and of its
    schools right below it; elsewhere the sum of its schools stands. ``eff_R`` holds the figure
    each unit of rank R passes up (its own, or the sum where ``reconcile.use`` is ``sum``)."""
    area = _in(r["area"])
    use_sum = r["use"] == "sum"
    rank_d = scopes.rank_sql("d.scope")
    same = "x.unit = {a}.unit AND x.element = {a}.element AND x.dims = {a}.dims AND x.period = {a}.period"
    steps = [
        ("areas_own", "the rows units above schools give themselves (figures their parents sum)",
         f"""SELECT o.org_unit AS unit, o.element, o.dims, o.period, o.scope, o.value
FROM observations o JOIN areas a ON a.code = o.org_unit WHERE o.element IN ({area})"""),
        ("direct_rows", "the sums of the schools right below each unit", f"""SELECT org_unit AS unit, element, dims, period, scope, value
FROM all_aggregates WHERE grp = '{DIRECT}=' AND element IN ({area})"""),
        ("school_area", "the sums of the schools of each unit above schools", f"""SELECT a.org_unit AS unit, a.element, a.dims, a.period, a.scope, a.value
FROM all_aggregates a JOIN areas u ON u.code = a.org_unit WHERE a.grp = '' AND a.element IN ({area})"""),
        ("school_play", "", """SELECT unit, period FROM expected WHERE dim = '' AND e_all > 0"""),
        ("direct_play", "", f"""SELECT unit, period FROM expected WHERE dim = '{DIRECT}' AND e_all > 0"""),
        ("notech", "groups with schools and none technical in a period", f"""SELECT unit, dim, period FROM expected
WHERE dim IN ('', '{DIRECT}') AND e_all > 0 AND e_all = e_excl"""),
    ]
    below = "SELECT unit, element, dims, period, scope, value, 1 AS sourced FROM areas_own WHERE 1 = 0"
    for rank, level in ((2, "county"), (1, "city"), (0, "province")):
        s = f"_{level}"
        steps += [
            ("below" + s, "the figures the child areas pass up", below),
            ("kids" + s, "", f"""SELECT p.code AS unit, c.code AS child FROM areas p JOIN areas c ON c.parent = p.code AND c.rank > p.rank
WHERE p.rank = {rank}"""),
            ("src" + s, "figures some child area gave itself", f"""SELECT DISTINCT k.unit, b.element, b.dims, b.period
FROM kids{s} k JOIN below{s} b ON b.unit = k.child WHERE b.sourced = 1"""),
            ("play" + s, "the parts a sum expects: child areas with figures or schools, the schools right below", f"""SELECT k.unit, k.child, x.period FROM kids{s} k
JOIN (SELECT unit, period FROM below{s} UNION SELECT unit, period FROM school_play) x ON x.unit = k.child
UNION ALL
SELECT d.unit, '{DIRECT}', d.period FROM direct_play d JOIN areas a ON a.code = d.unit WHERE a.rank = {rank}"""),
            ("play_n" + s, "", f"""SELECT unit, period, COUNT(*) AS e FROM play{s} GROUP BY unit, period"""),
            ("parts" + s, "each part's figure of the keys a child area gave; notech: a school sum without technical schools", f"""SELECT k.unit, k.child, b.element, b.dims, b.period, b.scope, b.value,
       CASE WHEN b.sourced = 0 AND t.unit IS NOT NULL THEN 1 ELSE 0 END AS notech
FROM kids{s} k JOIN below{s} b ON b.unit = k.child
JOIN src{s} x ON x.unit = k.unit AND x.element = b.element AND x.dims = b.dims AND x.period = b.period
LEFT JOIN notech t ON t.unit = k.child AND t.dim = '' AND t.period = b.period
UNION ALL
SELECT d.unit, '{DIRECT}', d.element, d.dims, d.period, d.scope, d.value, CASE WHEN t.unit IS NULL THEN 0 ELSE 1 END
FROM direct_rows d JOIN areas a ON a.code = d.unit AND a.rank = {rank}
JOIN src{s} x ON {same.format(a='d')}
LEFT JOIN notech t ON t.unit = d.unit AND t.dim = '{DIRECT}' AND t.period = d.period"""),
            ("part_keys" + s, "", f"""SELECT DISTINCT unit, child, element, dims, period, notech FROM parts{s}"""),
            ("wanted" + s, "", f"""SELECT DISTINCT unit, element, dims, period, scope FROM parts{s}"""),
            ("cand" + s, "each part in each scope: its own figure; without technical schools, its figure of all schools where it has none; for unstated, its first", f"""SELECT w.unit, w.element, w.dims, w.period, w.scope, pk.child,
       COALESCE(vs.value, CASE WHEN w.scope = '{EXCL}' AND pk.notech = 1 THEN va.value END,
                CASE WHEN w.scope = 'unstated' THEN COALESCE(va.value, ve.value) END) AS value
FROM wanted{s} w
JOIN part_keys{s} pk ON pk.unit = w.unit AND pk.element = w.element AND pk.dims = w.dims AND pk.period = w.period
LEFT JOIN parts{s} vs ON vs.unit = pk.unit AND vs.child = pk.child AND vs.element = w.element AND vs.dims = w.dims
     AND vs.period = w.period AND vs.scope = w.scope
LEFT JOIN parts{s} va ON va.unit = pk.unit AND va.child = pk.child AND va.element = w.element AND va.dims = w.dims
     AND va.period = w.period AND va.scope = '{ALL}'
LEFT JOIN parts{s} ve ON ve.unit = pk.unit AND ve.child = pk.child AND ve.element = w.element AND ve.dims = w.dims
     AND ve.period = w.period AND ve.scope = '{EXCL}'"""),
            ("mixed" + s, "sums of the parts in each scope every part has", f"""SELECT c.unit, c.element, c.dims, c.period, c.scope, {rnd('SUM(c.value)', 'c.element')} AS value,
       COUNT(c.value) AS n, MAX(y.e) AS e
FROM cand{s} c JOIN play_n{s} y ON y.unit = c.unit AND y.period = c.period
GROUP BY c.unit, c.element, c.dims, c.period, c.scope
HAVING COUNT(*) = COUNT(c.value)"""),
            ("derived" + s, "", f"""SELECT unit, element, dims, period, scope, value FROM mixed{s}
UNION ALL
SELECT d.unit, d.element, d.dims, d.period, d.scope, d.value
FROM school_area d JOIN areas a ON a.code = d.unit AND a.rank = {rank}
WHERE NOT EXISTS (SELECT 1 FROM src{s} x WHERE {same.format(a='d')})"""),
            ("own" + s, "", f"""SELECT o.unit, o.element, o.dims, o.period, o.scope, o.value
FROM areas_own o JOIN areas a ON a.code = o.unit AND a.rank = {rank}"""),
            ("own_keys" + s, "", f"""SELECT DISTINCT unit, element, dims, period FROM own{s}"""),
            ("first_scope" + s, "", f"""SELECT unit, element, dims, period, MIN({rank_d}) AS rk FROM derived{s} d
GROUP BY unit, element, dims, period"""),
            ("dropped" + s, "sums in another scope that stand for the unit's own figure (no technical schools, or a scope unstated)", f"""SELECT DISTINCT d.unit, d.element, d.dims, d.period, d.scope
FROM derived{s} d
JOIN first_scope{s} f ON f.unit = d.unit AND f.element = d.element AND f.dims = d.dims AND f.period = d.period
     AND f.rk = {rank_d}
JOIN own{s} o ON o.unit = d.unit AND o.element = d.element AND o.dims = d.dims AND o.period = d.period
     AND o.scope <> d.scope
LEFT JOIN with_tech t ON t.unit = d.unit AND t.period = d.period
WHERE {"1 = 0" if use_sum else "1 = 1"}
  AND NOT EXISTS (SELECT 1 FROM derived{s} x WHERE {same.format(a='o')} AND x.scope = o.scope)
  AND (o.scope = 'unstated' OR d.scope = 'unstated' OR t.unit IS NULL)"""),
            ("eff" + s, "what each unit of this level passes up; sourced: given by it or by an area below", f"""SELECT o.unit, o.element, o.dims, o.period, o.scope, o.value, 1 AS sourced FROM own{s} o
{"WHERE NOT EXISTS (SELECT 1 FROM derived" + s + " x WHERE " + same.format(a="o") + " AND x.scope = o.scope)" if use_sum else ""}
UNION ALL
SELECT d.unit, d.element, d.dims, d.period, d.scope, d.value,
       CASE WHEN x.unit IS NULL AND k.unit IS NULL THEN 0 ELSE 1 END
FROM derived{s} d
LEFT JOIN src{s} x ON {same.format(a='d')}
LEFT JOIN own_keys{s} k ON k.unit = d.unit AND k.element = d.element AND k.dims = d.dims AND k.period = d.period
WHERE NOT EXISTS (SELECT 1 FROM dropped{s} y WHERE y.unit = d.unit AND y.element = d.element AND y.dims = d.dims
                  AND y.period = d.period AND y.scope = d.scope)
{"" if use_sum else "AND NOT EXISTS (SELECT 1 FROM own" + s + " o WHERE o.unit = d.unit AND o.element = d.element AND o.dims = d.dims AND o.period = d.period AND o.scope = d.scope)"}"""),
        ]
        below = f"SELECT * FROM eff{s} UNION ALL SELECT * FROM below{s}"
    levels = ("county", "city", "province")
    steps += [
        ("src_all", "", " UNION ALL ".join(f"SELECT unit, element, dims, period FROM src_{lv}" for lv in levels)),
        ("dropped_all", "", " UNION ALL ".join(f"SELECT unit, element, dims, period, scope FROM dropped_{lv}"
                                               for lv in levels)),
        ("mixed_all", "", " UNION ALL ".join(f"SELECT unit, element, dims, period, scope, value, n, e FROM mixed_{lv}"
                                             for lv in levels)),
        ("final_aggregates", "the schools' sums, with the sums of child areas where those gave figures", f"""SELECT a.org_unit, a.grp, a.element, a.dims, a.period, a.scope, a.value, a.n, a.expected, a.kind
FROM all_aggregates a
WHERE a.grp <> '{DIRECT}='{only_groups}
  AND NOT (a.grp = '' AND EXISTS (SELECT 1 FROM src_all x WHERE x.unit = a.org_unit AND x.element = a.element
                                  AND x.dims = a.dims AND x.period = a.period))
  AND NOT (a.grp = '' AND EXISTS (SELECT 1 FROM dropped_all y WHERE y.unit = a.org_unit AND y.element = a.element
                                  AND y.dims = a.dims AND y.period = a.period AND y.scope = a.scope))
UNION ALL
SELECT m.unit, '', m.element, m.dims, m.period, m.scope, m.value, m.n, m.e, 'units' FROM mixed_all m
WHERE NOT EXISTS (SELECT 1 FROM dropped_all y WHERE y.unit = m.unit AND y.element = m.element
                  AND y.dims = m.dims AND y.period = m.period AND y.scope = m.scope)"""),
    ]
    return steps


def unit_observations_sql(aggregates: str = "aggregates", table: str = "observations", catalogue=None) -> str:
    """Every unit's figures: its own rows, and the aggregates of its schools where it gave no row
    of the same figure and scope itself (its own row is used; the check kind ``reconcile``
    states the difference) — or, where aggregation.yaml says ``reconcile: {use: sum}``, the
    aggregates first."""
    aggregates, table = identifier(aggregates), identifier(table)
    use = (((catalogue.aggregation or {}).get("reconcile") or {}).get("use") if catalogue is not None else None)
    first = "0 ELSE 1" if use == "sum" else "1 ELSE 0"
    return f"""SELECT org_unit, grp, element, dims, period, scope, value, n, expected, kind FROM (
  SELECT u.*, ROW_NUMBER() OVER (PARTITION BY org_unit, grp, element, dims, period, scope
                                 ORDER BY CASE WHEN kind <> 'own' THEN {first} END) AS rk
  FROM (
    SELECT org_unit, '' AS grp, element, dims, period, scope, value, 0 AS n, 0 AS expected, 'own' AS kind
    FROM {table}
    UNION ALL
    SELECT org_unit, grp, element, dims, period, scope, value, n, expected, kind FROM {aggregates}
  ) u
) ranked
WHERE rk = 1"""


def aggregates_sql(catalogue, dialect) -> str:
    """The aggregation as one query: the steps as a WITH clause."""
    return with_query(aggregate_steps(catalogue, dialect))
