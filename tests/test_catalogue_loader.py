"""The catalogue is parsed by libyaml (yaml.CSafeLoader) where PyYAML was built with it: the same
data as the pure-Python SafeLoader, key for key, and a key written twice is refused by both."""

from pathlib import Path

import pytest
import yaml

from nianbao.catalogue import sources
from nianbao.catalogue.errors import CatalogueError

FILES = sorted(p for p in Path(sources.HERE).glob("*/*.yaml")) + sorted(
    Path(sources.HERE).parent.joinpath("core", "messages").rglob("*.yaml"))


class PurePython(yaml.SafeLoader):
    """The reference: PyYAML's own parser, with the catalogue's duplicate-key check."""


PurePython.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, sources._mapping_without_duplicates)


def test_libyaml_is_used_where_present():
    if not yaml.__with_libyaml__:
        pytest.skip("PyYAML was built without libyaml: the pure-Python loader is used")
    assert issubclass(sources._Loader, yaml.CSafeLoader)


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_same_data_as_the_pure_python_loader(path):
    text = path.read_text(encoding="utf-8")
    assert sources.read_yaml(path) == yaml.load(text, Loader=PurePython)


def test_a_key_written_twice_is_refused(tmp_path):
    f = tmp_path / "elements.yaml"
    f.write_text("elements:\n  students: {zh: 在校生}\n  students: {zh: 学生}\n", encoding="utf-8")
    with pytest.raises(CatalogueError) as err:
        sources.read_yaml(f)
    assert "第3行" in err.value.zh and "students" in err.value.zh
    with pytest.raises(yaml.constructor.ConstructorError):
        yaml.load(f.read_text(encoding="utf-8"), Loader=PurePython)
