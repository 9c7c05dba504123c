"""The units above a unit (``Registry.ancestors``) and the units a school's figures are summed
into (``Registry.units_of``): a chain walked once is reused for the units below it, and a
registry whose parents loop still ends every chain."""

from nianbao.core.orgs import Org, Registry


def org(code, level, parent="", county=""):
    return Org(code=code, zh=code, en=code, level=level, parent=parent, county=county)


def test_chains_reuse_the_parents_chain():
    reg = Registry([org("11", "province"), org("1101", "city", "11"), org("110101", "county", "1101"),
                    org("s1", "school", "110101"), org("s2", "school", "110101"), org("s3", "school", "1101",
                                                                                       county="110101")])
    assert reg.ancestors("110101") == ["1101", "11"]  # walked first, then reused by the schools
    assert reg.ancestors("s1") == ["110101", "1101", "11"]
    assert reg.ancestors("s2") == ["110101", "1101", "11"]
    # s3 hangs under the city but is counted in county 110101: its county first, each unit once
    assert reg.ancestors("s3") == ["1101", "11"]
    assert reg.units_of("s3") == ("110101", "1101", "11")


def test_a_loop_of_parents_ends_every_chain():
    # a → b → c → a, and a school under b: each chain stops before it comes back to a unit in it
    reg = Registry([org("a", "city", "b"), org("b", "county", "c"), org("c", "province", "a"),
                    org("s", "school", "b")])
    assert reg.ancestors("a") == ["b", "c"]
    assert reg.ancestors("b") == ["c", "a"]  # a's chain (b, c) comes back to b: walked, not reused
    assert reg.ancestors("s") == ["b", "c", "a"]
    assert reg.ancestors("c") == ["a", "b"]
