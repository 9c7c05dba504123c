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
and printed at the end of the run under ``-s``.
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
from hypothesis import HealthCheck, event, given, settings
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
    return codes


@settings(max_examples=int(os.environ.get("NIANBAO_SHAPES", "40")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(dataset_shapes())
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
