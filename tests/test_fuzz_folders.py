"""The fuzz test of the dataset folder: mutated copies of a dataset (files in other encodings,
empty or replaced by folders, dataset.yaml entries of the wrong type or broken YAML, control
characters, a damaged store; tests/fuzz_workbooks.py FOLDER_MUTATIONS) never make ``import``,
``check`` or ``report`` end in an internal error. A few dozen cases from the fixed seed
(tests/conftest.py); ``bench/bench_fuzz.py --folders`` runs thousands.
"""

from __future__ import annotations

import pytest
from fuzz_workbooks import build_base, folder_cases, run_folder
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return build_base(tmp_path_factory.mktemp("fuzz-folders"))


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz-folders-work")


@settings(max_examples=30, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_no_mutated_dataset_folder_makes_import_check_or_report_an_internal_error(base, work, data):
    mutations = data.draw(folder_cases(), label="mutations")
    out = run_folder(base, mutations, work, 0)
    assert not out.violations, (mutations, out.violations)
    assert out.exit in (0, 1, 2), (mutations, out.codes)


def test_the_unmutated_folder_imports_checks_and_reports(base, work):
    assert run_folder(base, [], work, 1).codes == ["import:0", "check:0", "report:0"]


def test_the_judge_sees_an_internal_error(base, work, monkeypatch):
    # the property can fail: a check that raises is an exit 3 the judge names
    from nianbao.app import checking

    def broken(*a, **kw):
        raise RuntimeError("a defect")
    monkeypatch.setattr(checking, "check", broken)
    out = run_folder(base, [], work, 1)
    assert out.codes == ["import:0", "check:3", "report:0"] and out.internal
    assert [v.split(":")[0] for v in out.violations] == ["check exit 3"]
