"""The built catalogue kept between processes (nianbao.catalogue.cache): the same catalogue as
one built from the files, built anew when a file it is built from changes, and a cache that
cannot be read or written never an error."""

import os
import shutil
import subprocess
import sys

import pytest

from nianbao import catalogue
from nianbao.catalogue import cache, sources
from nianbao.catalogue.errors import CatalogueError


@pytest.fixture
def root(tmp_path):
    """A root folder holding a copy of cn-2016 under another name."""
    out = tmp_path / "versions"
    shutil.copytree(sources.HERE / "cn-2016", out / "my-2016")
    return out


def _builder(version, root):
    calls = []

    def build():
        calls.append(1)
        return catalogue.build(sources.merged_version.__wrapped__(version, str(root)))
    return build, calls


def test_a_second_load_is_the_cached_catalogue(tmp_path, root, monkeypatch):
    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    build, calls = _builder("my-2016", root)
    first = cache.cached("my-2016", str(root), build)
    second = cache.cached("my-2016", str(root), build)
    assert len(calls) == 1 and second == first and second is not first
    assert len(list((tmp_path / "cache").glob("catalogue-my-2016-*.pickle"))) == 1


def test_a_changed_file_builds_it_anew(tmp_path, root, monkeypatch):
    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    build, calls = _builder("my-2016", root)
    before = cache.cached("my-2016", str(root), build)
    meta = root / "my-2016" / "catalogue.yaml"
    # the same size and time: the content is what counts
    stat = meta.stat()
    text = meta.read_text(encoding="utf-8")
    assert text.startswith("# nianbao")
    meta.write_text("# Nianbao" + text[len("# nianbao"):], encoding="utf-8")  # one letter of a comment
    os.utime(meta, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    cache.cached("my-2016", str(root), build)
    assert len(calls) == 2
    (root / "my-2016" / "elements.yaml").write_text(
        (root / "my-2016" / "elements.yaml").read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    after = cache.cached("my-2016", str(root), build)
    assert len(calls) == 3 and after == before
    assert len(list((tmp_path / "cache").glob("catalogue-my-2016-*.pickle"))) == 1  # the older ones removed


def test_a_damaged_or_unwritable_cache_is_no_error(tmp_path, root, monkeypatch):
    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    build, calls = _builder("my-2016", root)
    good = cache.cached("my-2016", str(root), build)
    (path,) = (tmp_path / "cache").glob("catalogue-my-2016-*.pickle")
    path.write_bytes(b"\x80\x05not a pickle")
    assert cache.cached("my-2016", str(root), build) == good and len(calls) == 2
    blocked = tmp_path / "a-file"
    blocked.write_text("x")
    monkeypatch.setenv(cache.ENV, str(blocked / "cache"))  # a folder under a file: nothing can be written
    assert cache.cached("my-2016", str(root), build) == good and len(calls) == 3
    monkeypatch.setenv(cache.ENV, "off")
    cache.cached("my-2016", str(root), build)
    cache.cached("my-2016", str(root), build)
    assert len(calls) == 5


def test_a_bad_catalogue_is_raised_and_nothing_kept(tmp_path, root, monkeypatch):
    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    (root / "my-2016" / "elements.yaml").write_text("students: [unclosed\n", encoding="utf-8")
    build, _ = _builder("my-2016", root)
    with pytest.raises(CatalogueError):
        cache.cached("my-2016", str(root), build)
    assert not list((tmp_path / "cache").glob("*.pickle"))


def test_another_process_reads_what_one_wrote(tmp_path):
    env = dict(os.environ, **{cache.ENV: str(tmp_path / "cache")})
    code = ("import pickle, sys; from nianbao import catalogue; "
            "sys.stdout.buffer.write(pickle.dumps(sorted(catalogue.load('cn-2022').elements)))")
    runs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, check=True).stdout
            for _ in range(2)]
    assert runs[0] == runs[1]
    assert len(list((tmp_path / "cache").glob("catalogue-cn-2022-*.pickle"))) == 1
    import pickle

    assert pickle.loads(runs[1]) == sorted(catalogue.load("cn-2022").elements)


def test_a_datasets_catalogue_is_kept_by_dataset(tmp_path, monkeypatch):
    """Two datasets' catalogues (wenzhou-2017's own files, and a copy with one more element)
    kept side by side; each the catalogue built from its files."""
    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    example = sources.HERE.parents[2] / "examples" / "wenzhou-2017"
    a, b = tmp_path / "a", tmp_path / "b"
    for d in (a, b):
        shutil.copytree(example / "catalogue", d / "catalogue")
    with (b / "catalogue" / "elements.yaml").open("a", encoding="utf-8") as f:
        f.write("\nteachers_cached_test:\n  zh: 测试教师数\n  en: teachers (test)\n  unit: {zh: 人, en: persons}\n"
                "  type: count\n  period_type: calendar_year\n")
    calls = []

    def catalogue_of(folder):
        files = tuple(str(p) for p in sources.dataset_files(folder / "catalogue"))

        def build():
            calls.append(folder.name)
            return catalogue.build(sources.merged_dataset("cn-2016", None, files))
        return cache.cached("cn-2016", None, build, files)

    first_a, first_b = catalogue_of(a), catalogue_of(b)
    assert "teachers_cached_test" in first_b.elements and "teachers_cached_test" not in first_a.elements
    assert catalogue_of(a) == first_a and catalogue_of(b) == first_b and calls == ["a", "b"]
    assert len(list((tmp_path / "cache").glob("catalogue-cn-2016-*.pickle"))) == 2
    # the version itself kept beside them, neither evicting the other
    cache.cached("cn-2016", None, lambda: catalogue.build(sources.merged_version.__wrapped__("cn-2016", None)))
    assert len(list((tmp_path / "cache").glob("catalogue-cn-2016-*.pickle"))) == 3
    assert catalogue_of(a) == first_a and calls == ["a", "b"]
