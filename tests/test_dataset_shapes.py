"""Never a traceback: dataset folders of every shape (nianbao.synth.shapes) — own unit a school, a
county, a city or a province; figures of the schools, the counties, the unit itself or several
of them; one year to five; breakdowns left out, partial or complete; no registry or one without
schools; scopes mixed; narratives, claims and majors or none; the three catalogue versions and
each of their report types — run through the commands as a user would (``main()`` in-process):
check, indicators at every level and by every breakdown, standards (plain, summary, plan) and
report (Word and HTML, with and without --allow-errors).

Every command answers with an exit code of 0, 1 or 2 (3 is an internal error), and every
finding the check lists has a code of the message catalogue or of the version's rules.

The shapes covered are tallied with ``hypothesis.event`` (``pytest -s --hypothesis-show-statistics``)
and printed at the end of the run under ``-s``. ``HYPOTHESIS_PROFILE=explore`` tries 500 fresh
folders instead of the 40 of every run.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from nianbao import catalogue
from nianbao.check.rules import RuleBook
from nianbao.cli.main import main
from nianbao.core import messages
from nianbao.synth import shapes

LEVELS = (None, "school", "county", "city", "province")
BYS = (None, "county", "affiliation", "ownership", "type", "major_category")
TALLY: Counter = Counter()
EXAMPLES = {"n": 0}


@st.composite
def dataset_shapes(draw) -> shapes.Shape:
    version = draw(st.sampled_from(shapes.VERSIONS))
    elements = shapes.element_codes(version)
    return shapes.Shape(
        version=version,
        report_type=draw(st.sampled_from(shapes.report_types(version))),
        own_level=draw(st.sampled_from(shapes.LEVELS)),
        years=draw(st.sampled_from((1, 2, 5))),
        registry=draw(st.sampled_from(shapes.REGISTRIES)),
        counties=draw(st.integers(1, 3)),
        schools=draw(st.integers(0, 4)),
        figure_levels=tuple(sorted(draw(st.sets(st.sampled_from(shapes.FIGURE_LEVELS), max_size=3)))),
        elements=tuple(draw(st.lists(st.sampled_from(elements), max_size=10, unique=True))),
        breakdowns=draw(st.sampled_from(shapes.BREAKDOWNS)),
        scopes=tuple(sorted(draw(st.sets(st.sampled_from(shapes.SCOPES), min_size=1)))),
        narratives=draw(st.sampled_from(shapes.NARRATIVES)),
        claims=draw(st.booleans()),
        majors=draw(st.booleans()),
        blank_attributes=draw(st.booleans()),
        own_in_registry=draw(st.sampled_from(shapes.OWN_IN_REGISTRY)),
        meta=draw(st.sampled_from(shapes.META)),
        periods=draw(st.sampled_from(shapes.PERIODS)),
        engine=draw(st.sampled_from(shapes.ENGINES)),
        orphans=draw(st.booleans()),
        own_catalogue=draw(st.sampled_from(shapes.OWN_CATALOGUE + ("none", "additions"))),  # a clash now and then
        seed=draw(st.integers(0, 2**16)),
    )


@contextlib.contextmanager
def debug():
    """NIANBAO_DEBUG=1: an internal error is raised, not turned into exit code 3, so the
    failing example shows its traceback (and hypothesis shrinks on it)."""
    old = os.environ.get("NIANBAO_DEBUG")
    os.environ["NIANBAO_DEBUG"] = "1"
    try:
        yield
    finally:
        if old is None:
            del os.environ["NIANBAO_DEBUG"]
        else:
            os.environ["NIANBAO_DEBUG"] = old


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main([str(a) for a in argv])
    assert rc in (0, 1, 2), f"nianbao {' '.join(map(str, argv))} → exit {rc}\n{err.getvalue()}"
    assert "内部错误" not in err.getvalue(), err.getvalue()
    return rc, out.getvalue(), err.getvalue()


def known_codes(version: str) -> set[str]:
    return {k.split(":", 1)[0] for k in messages.catalogue()} | {r.code for r in RuleBook(catalogue.load(version)).rules}


def first_school(folder: Path) -> str | None:
    orgs = folder / "orgs.csv"
    if not orgs.exists():
        return None
    rows = [line.split(",") for line in orgs.read_text(encoding="utf-8").splitlines()[1:]]
    return next((r[0] for r in rows if len(r) > 3 and r[3] == "school"), None)


def run_every_command(folder: Path, out: Path, version: str) -> dict[str, int]:
    """Every command on one dataset folder; the exit codes by command."""
    codes: dict[str, int] = {}
    rc, text, _ = run("check", folder, "--format", "json")
    codes["check"] = rc
    if rc != 2:
        listed = {f["code"] for f in json.loads(text)["findings"]}
        unknown = listed - known_codes(version)
        assert not unknown, f"finding codes outside the catalogue: {sorted(unknown)}"
        codes["check_errors"] = int(any(f["severity"] == "error" for f in json.loads(text)["findings"]))
    for level in LEVELS:
        for by in BYS:
            args = ["indicators", folder] + (["--level", level] if level else []) + (["--by", by] if by else [])
            codes[f"indicators {level or '-'} {by or '-'}"] = run(*args)[0]
    codes["standards"] = run("standards", folder)[0]
    codes["standards --summary"] = run("standards", folder, "--summary")[0]
    codes["standards --plan"] = run("standards", folder, "--plan")[0]
    codes["report"] = run("report", folder, "-o", out / "plain", "--no-pdf")[0]
    codes["report --allow-errors"] = run("report", folder, "-o", out / "draft", "--no-pdf", "--allow-errors")[0]
    school = first_school(folder)
    if school:
        codes["report --school"] = run("report", folder, "-o", out / "school", "--no-pdf", "--allow-errors",
                                       "--school", school)[0]
    return codes


# 40 folders in every test run (the ci profile draws the same ones each time); the explore
# profile (HYPOTHESIS_PROFILE=explore) draws as many as it says, fresh ones each run
EXPLORE = os.environ.get("HYPOTHESIS_PROFILE") == "explore"


def _shape(version, report_type, own, figures, **kw) -> shapes.Shape:
    elements = tuple(shapes.element_codes(version)[::4])
    return shapes.Shape(version=version, report_type=report_type, own_level=own, registry="schools", counties=2,
                        schools=4, figure_levels=figures, elements=elements, **kw)


@settings(max_examples=settings().max_examples if EXPLORE else 40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(dataset_shapes())
# besides the drawn ones, the shapes of a bureau's first day, each version and report type once:
@example(_shape("cn-2016", "city", "city", ("county",), years=2))  # a city with county rows (a yearbook table)
@example(_shape("cn-2022", "city", "city", ("school",), claims=True, majors=True, seed=1))  # a city with school rows
@example(_shape("cn-2023", "city", "city", ("county", "own", "school"), years=5, breakdowns="all",
                scopes=tuple(shapes.SCOPES), narratives="all", claims=True, seed=2))  # every level, scopes mixed
@example(_shape("cn-2023", "county", "county", ("school",), years=2, narratives="some", seed=3))
@example(_shape("cn-2022", "province", "province", ("county", "school"), engine="duckdb", seed=4))
@example(_shape("cn-2023", "school", "school", ("own",), claims=True, narratives="all", seed=5))
@example(_shape("cn-2016", "school", "school", ("own",), years=5, own_catalogue="additions", seed=6))
def test_every_command_answers_every_shape_of_dataset(shape):
    EXAMPLES["n"] += 1
    for tag in shape.tags():
        event(tag)
        TALLY[tag] += 1
    with tempfile.TemporaryDirectory() as tmp, debug():
        folder = shapes.write_dataset(shape, Path(tmp) / "data")
        codes = run_every_command(folder, Path(tmp) / "out", shape.version)
    for command, rc in codes.items():
        if not command.startswith("indicators"):
            event(f"{command} → {rc}")
            TALLY[f"exit: {command} → {rc}"] += 1


@pytest.fixture(scope="module", autouse=True)
def tally():
    yield
    if EXAMPLES["n"]:
        print(f"\n{EXAMPLES['n']} generated dataset folders; shapes covered:")
        for tag, n in sorted(TALLY.items()):
            print(f"  {tag}: {n}")


# -- the crashes the shapes found, each as the example hypothesis shrank it to --------------------
def answers(shape: shapes.Shape) -> dict[str, int]:
    with tempfile.TemporaryDirectory() as tmp, debug():
        folder = shapes.write_dataset(shape, Path(tmp) / "data")
        return run_every_command(folder, Path(tmp) / "out", shape.version)


def test_a_breakdown_of_a_registry_without_schools_is_empty():
    """A county dataset whose orgs.csv holds areas only: ``indicators --by county`` (and every
    other breakdown by the schools' attributes) lists no category instead of failing."""
    shape = shapes.Shape(version="cn-2016", report_type="city", own_level="county", years=1, registry="areas",
                         counties=1, schools=0, figure_levels=(), elements=())
    codes = answers(shape)
    for by in ("county", "affiliation", "ownership", "type"):
        assert codes[f"indicators - {by}"] == 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = shapes.write_dataset(shape, Path(tmp) / "data")
        rc, text, _ = run("indicators", folder, "--by", "county", "--format", "json")
    assert (rc, json.loads(text)) == (0, [])


def small_city(tmp: Path, narrative: str = "", claims: str = "") -> Path:
    """A city of one figure (2020: 在校生 100), with a narrative for 2.1 and claims.csv rows."""
    folder = tmp / "city"
    (folder / "narrative").mkdir(parents=True)
    (folder / "dataset.yaml").write_text('org_unit: {code: "990100", zh: 生成市, level: city}\nreport_year: 2020\n'
                                         "catalogue: cn-2016\nreport_type: city\n", encoding="utf-8")
    (folder / "values.csv").write_text("element,dims,period,scope,value\nstudents,,2020,unstated,100\n",
                                       encoding="utf-8")
    if narrative:
        (folder / "narrative" / "2.1.md").write_text(narrative, encoding="utf-8")
    if claims:
        (folder / "claims.csv").write_text("target,dims,period,stated,location,scope,base_period,note,form\n"
                                           + claims, encoding="utf-8")
    return folder


def check_json(folder: Path) -> tuple[int, list[dict]]:
    with debug():
        rc, text, _ = run("check", folder, "--format", "json")
    return rc, json.loads(text)["findings"]


@pytest.mark.parametrize("placeholder, code, named", [
    ("{students[nodim=x]}", "sentence.unknown_category", "nodim=x"),
    ("{students[affiliation=nope]|change}", "sentence.unknown_category", "affiliation=nope"),
    ("{students#nowhere}", "sentence.unknown_scope", "nowhere"),
])
def test_a_placeholder_of_a_breakdown_or_scope_the_catalogue_lacks_is_a_finding(tmp_path, placeholder, code, named):
    """Shrunk from a narrative of the shapes: ``{students[nodim=x]}`` stopped the check and the
    report with KeyError 'nodim' (the label of a category looked up unchecked)."""
    folder = small_city(tmp_path, narrative=f"{{year}}年，在校生{placeholder}。")
    rc, findings = check_json(folder)
    assert rc == 1
    (f,) = [f for f in findings if f["location"]["section"] == "2.1" and f["code"] == "report.missing_value"]
    assert placeholder in f["message_zh"] and named in f["message_zh"]
    assert messages.catalogue()[code]  # the reason comes from the catalogue
    with tempfile.TemporaryDirectory() as tmp, debug():
        assert run("report", folder, "-o", Path(tmp) / "out", "--no-pdf", "--allow-errors")[0] == 0


def test_a_claim_of_a_breakdown_the_catalogue_lacks_is_a_bad_row(tmp_path):
    """Shrunk from the claims of the shapes: a claims.csv row with dims ``nodim=x`` stopped the
    check with KeyError 'nodim'; it is claim.bad_row naming the dims, and the other rows are
    still checked."""
    folder = small_city(tmp_path, claims="students,nodim=x,2020,100人,1.1,,,,\n"
                                         "students[affiliation=nope],,2020,100人,1.1,,,,\n"
                                         "students,,2020,100人,1.1,,,,\n")
    rc, findings = check_json(folder)
    claims = sorted((f["location"]["cell"], f["code"], f["message_zh"]) for f in findings if f["code"].startswith("claim."))
    # row 4 (在校生 100人) is the figure of values.csv: no finding
    assert [c[:2] for c in claims] == [("第2行", "claim.bad_row"), ("第3行", "claim.bad_row")]
    assert "dims=nodim=x" in claims[0][2] and "dims=affiliation=nope" in claims[1][2]


def test_indicators_of_a_breakdown_the_catalogue_lacks_say_so(tmp_path):
    folder = small_city(tmp_path)
    with debug():
        rc, _, err = run("indicators", folder, "--indicators", "students[nodim=x]")
    assert rc == 2 and "nodim=x" in err


@pytest.mark.parametrize("part, named", [
    ('{id: "X", sections: [{id: own-1, zh: 本地特色, blocks: [{narrative: own-1}]}]}', "'X'"),  # a new part without zh
    ('{id: "1", sections: [{id: 1.5, zh: 本地特色, blocks: []}]}', "1.5"),  # an id YAML reads as a number
    ('{id: "1", sections: [{id: own-1, zh: 本地特色, blocks: [narrative]}]}', "own-1"),  # a block that is not a mapping
])
def test_an_outline_of_the_dataset_the_builder_cannot_read_names_its_file(tmp_path, part, named):
    """Shrunk from the shapes (a dataset's outline.yaml adding a section to a part the version it
    names does not have): the part came without a heading and the check and the report stopped
    with KeyError 'zh'. A part or section without a text id and a heading, or with blocks that
    are not mappings, is a catalogue error naming the dataset's outline.yaml (exit 2)."""
    folder = small_city(tmp_path)
    (folder / "catalogue").mkdir()
    (folder / "catalogue" / "outline.yaml").write_text(f"outlines:\n  city:\n    parts:\n      - {part}\n",
                                                       encoding="utf-8")
    for command in (["check", folder], ["report", folder, "-o", tmp_path / "out", "--no-pdf", "--allow-errors"],
                    ["indicators", folder]):
        with debug():
            rc, _, err = run(*command)
        assert rc == 2, command
        assert "catalogue/outline.yaml" in err and named in err, err


def test_a_new_part_with_its_heading_is_built(tmp_path):
    folder = small_city(tmp_path, narrative="")
    (folder / "catalogue").mkdir()
    (folder / "catalogue" / "outline.yaml").write_text(
        "outlines:\n  city:\n    parts:\n      - {id: own, zh: 本地篇, sections: [{id: own-1, zh: 本地特色, "
        "blocks: [{narrative: own-1}]}]}\n", encoding="utf-8")
    (folder / "narrative" / "own-1.md").write_text("本地特色工作稳步推进。", encoding="utf-8")
    with debug():
        rc, _, _ = run("report", folder, "-o", tmp_path / "out", "--no-pdf", "--allow-errors")
    assert rc == 0
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "本地篇" in html and "本地特色工作稳步推进。" in html
