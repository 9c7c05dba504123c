"""Claims about an org unit (a county, a school) and claims over summed figures: each is
recomputed from the figures the report would print — a unit's own, or the sum of its schools —
and a column of claims.csv that nothing reads is an error naming it. Expected values are sums
worked out by hand in the comments."""

import shutil
import textwrap
from pathlib import Path

from nianbao.check.engine import check_dataset
from nianbao.ingest.dataset import load_dataset

SCHOOLS = Path(__file__).resolve().parents[1] / "examples" / "datong-2020-schools"
HEAD = "target,dims,period,stated,location,scope,base_period,note,form,org_unit"


def write(folder: Path, name: str, body: str) -> None:
    (folder / name).write_text(textwrap.dedent(body).lstrip(), encoding="utf-8")


def city(tmp_path: Path, claims: str, head: str = HEAD) -> Path:
    """A city with two counties of one school each and no figure of its own: 30000 + 42220."""
    write(tmp_path, "dataset.yaml", """
        org_unit: {code: "330100", zh: 某市, en: City, level: city, parent: "330000"}
        report_year: 2021
        periods: [2021]
        catalogue: cn-2016
        """)
    write(tmp_path, "orgs.csv", """
        code,zh,en,level,parent,county,affiliation,ownership,school_type,founded,status,closed,profile
        330100,某市,City,city,330000,,,,,,active,,
        330101,甲区,A,county,330100,,,,,,active,,
        330102,乙县,B,county,330100,,,,,,active,,
        3301010001,甲区职业高级中学,A school,school,330101,330101,county,public,vocational_high,,active,,
        3301020001,乙县职业中专,B school,school,330102,330102,county,public,regular_specialized,,active,,
        """)
    write(tmp_path, "values.csv", """
        element,dims,period,scope,value,source,note,org_unit
        students,,2021,all,30000,学校,,3301010001
        students,,2021,all,42220,学校,,3301020001
        fulltime_teachers,,2021,all,2000,学校,,3301010001
        fulltime_teachers,,2021,all,2520,学校,,3301020001
        """)
    (tmp_path / "claims.csv").write_text(head + "\n" + textwrap.dedent(claims).lstrip(), encoding="utf-8")
    return tmp_path


def claim_findings(path: Path):
    return [f for f in check_dataset(load_dataset(path)) if f.code.startswith("claim")]


def test_a_claim_over_summed_schools_is_recomputed(tmp_path):
    # 30000 + 42220 = 72220 students: "72220人" holds; (30000 + 42220) ÷ (2000 + 2520) = 72220 ÷ 4520
    # = 15.978 → 15.98:1 holds; "72000人" is 220 short
    found = claim_findings(city(tmp_path, """
        students,,2021,72220人,1.1,,,,,
        student_teacher_ratio,,2021,15.98:1,1.3,,,,,
        students,,2021,72000人,1.1 另处,,,,,
        """))
    f, = found
    assert (f.code, f.values["stated"], f.values["recomputed"]) == ("claim.mismatch", "72000人", 72220)


def test_a_claim_names_a_county_or_a_school(tmp_path):
    found = claim_findings(city(tmp_path, """
        students,,2021,30000人,甲区报告,,,,,330101
        students,,2021,42000人,乙县报告,,,,,330102
        student_teacher_ratio,,2021,16.75:1,乙县职业中专年报,,,,,3301020001
        students,,2021,100人,丙县报告,,,,,330199
        """))
    by_code = {(f.code, f.values["stated"]): f for f in found}
    # 甲区: one school of 30000 — holds. 乙县: 42220, printed 42000
    county = by_code[("claim.mismatch", "42000人")]
    assert county.values["recomputed"] == 42220 and county.org_unit == "330102"
    assert county.message_zh.startswith("乙县在校生数")
    # 乙县职业中专: 42220 ÷ 2520 = 16.754 → 16.75:1 holds; 330199 is no unit of orgs.csv
    assert set(by_code) == {("claim.mismatch", "42000人"), ("claim.unknown_org", "100人")}
    assert by_code[("claim.unknown_org", "100人")].severity == "error"


def test_an_unknown_column_is_an_error_naming_it(tmp_path):
    path = city(tmp_path, "students,,2021,72220人,1.1,,,,,,3301010001\n", head=HEAD + ",school")
    findings = load_dataset(path).findings
    f, = [f for f in findings if f.code == "claims.unknown_column"]
    assert f.severity == "error" and "school" in f.message_zh and f.location.file == "claims.csv"
    # a dataset may declare columns of its own
    with (path / "dataset.yaml").open("a", encoding="utf-8") as fh:
        fh.write("claims_columns: [school]\n")
    assert not [f for f in load_dataset(path).findings if f.code == "claims.unknown_column"]


def test_a_wrong_total_is_caught_on_the_schools_example(tmp_path):
    ds = tmp_path / "schools"
    shutil.copytree(SCHOOLS, ds)
    (ds / "claims.csv").write_text(HEAD + "\nstudents,,2020,在校生22000人,1.1,,,,,\n"
                                   "students,,2020,在校生22863人,1.1,all,,,,\n", encoding="utf-8")
    found = claim_findings(ds)
    # the 34 schools' 2020 students sum to 22863 (the Datong 1.1 total the example is built on)
    f, = [f for f in found if f.code == "claim.mismatch"]
    assert f.values["stated"] == "在校生22000人" and f.values["recomputed"] == 22863
    assert not [f for f in found if f.values.get("stated") == "在校生22863人"]
