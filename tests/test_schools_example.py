"""The synthetic school-level example reproduces the totals the Datong 2020 report printed.

Each expectation is a figure of the seed report (its section in the comment), or arithmetic on
such figures written out by hand; the school figures come from the generator, the sums from
the aggregation."""

import filecmp
import shutil
from pathlib import Path

import pytest

from nianbao.compute.aggregate import factbook_for, rollup
from nianbao.ingest.dataset import load_dataset

EXAMPLE = Path("examples/datong-2020-schools")
CITY = "140200"


@pytest.fixture(scope="module")
def ds():
    return load_dataset(EXAMPLE)


@pytest.fixture(scope="module")
def book(ds):
    return factbook_for(ds)


def value(book, code, period=2020, dims=(), scope=None):
    f = book.get(code, period, dims, scope)
    assert f is not None, (code, period, dims, scope)
    return f.value


def test_the_example_says_it_is_synthetic(ds):
    assert ds.meta["synthetic"] is True
    schools = ds.orgs.schools()
    assert all(o.zh.startswith("示例") for o in schools)
    # 学校标识码: ten digits, kept as text with the leading zero
    assert all(len(o.code) == 10 and o.code.startswith("0") for o in schools)
    assert not ds.findings


def test_no_findings_from_the_aggregation(ds):
    assert [f.message_zh for f in rollup(ds).findings] == []


@pytest.mark.parametrize("dims, schools, students", [
    ((), 34, 22863),                                  # 1.1: 共有中等职业教育学校34所；在校学生22863人
    ((("affiliation", "provincial"),), 1, 452),       # 1.1: 省属中职学校1所，在校学生452人
    ((("affiliation", "municipal"),), 17, 14514),     # 1.1: 市属中职学校17所，在校学生14514人
    ((("affiliation", "county"),), 16, 7897),         # 1.1: 县属中职学校16所，在校学生7897人
    ((("ownership", "public"),), 27, 18690),          # 1.1: 公办学校27所，在校学生18690人
    ((("ownership", "private"),), 7, 4173),           # 1.1: 民办学校7所，在校学生4173人
])
def test_scale_by_affiliation_and_ownership(book, dims, schools, students):
    assert value(book, "schools", dims=dims) == schools
    assert value(book, "students", dims=dims) == students


@pytest.mark.parametrize("code, period, expected", [
    ("students", 2018, 26853), ("students", 2019, 25820),   # 表一: 在校生数 2018、2019
    ("entrants", 2018, 8251), ("entrants", 2019, 7598),     # 表一: 招生数 2018、2019
    ("entrants", 2020, 9165),                                # 1.1；表一: 当年招生9165人
    ("graduates", 2018, 8986), ("graduates", 2019, 8631),   # 表一: 毕业生数 2018、2019
    ("graduates", 2020, 7163),                               # 1.1；表一: 毕业生7163人
    ("schools", 2018, 34), ("schools", 2019, 34),           # 表一: 学校数 34、34
    ("staff", 2020, 2492),                                   # 1.3: 教职工总数为2492人
    ("fulltime_teachers", 2020, 1938),                       # 1.3: 专任教师1938人
    ("parttime_teachers", 2020, 449),                        # 1.3: 兼职教师449人
    ("dual_teachers", 2020, 499),                            # 1.3: 双师型教师499人
    ("teacher_training", 2020, 1500),                        # 3.3: 1500余人次
    ("coop_schools", 2020, 15),                              # 4.1: 15家学校
    ("coop_enterprises", 2020, 112),                         # 4.1: 与112家企业进行了合作
    ("coop_long_term", 2020, 66),                            # 4.1: 签订长期合作协议的企业数66家
    ("coop_large_medium", 2020, 60),                         # 4.1: 其中大中型企业60家
    ("interns", 2020, 3556),                                 # 4.2: 在外实习学生3556人
    ("social_training", 2020, 4095),                         # 5.2.1: 培训4095人次
    ("enterprise_training", 2020, 13965),                    # 5.2.2: 13965人次
])
def test_city_totals(book, code, period, expected):
    assert value(book, code, period) == expected


@pytest.mark.parametrize("dims, expected", [
    ((("degree", "doctor"),), 0),                # 1.3: 博士学历0人
    ((("degree", "master"),), 131),              # 1.3: 硕士学历131人
    ((("degree", "bachelor"),), 1621),           # 1.3: 本科学历1621人
    ((("degree", "associate"),), 182),           # 1.3: 专科学历182人
    ((("degree", "upper_secondary_or_below"),), 4),  # 1.3: 高中及以下学历4人
    ((("title", "senior_full"),), 1),            # 1.3: 正高级职称的1人
    ((("title", "senior_vice"),), 423),          # 1.3: 副高级职称的423人
    ((("title", "intermediate"),), 735),         # 1.3: 中级职称735人
    ((("title", "junior"),), 544),               # 1.3: 初级职称544人
    ((("title", "untitled"),), 235),             # 1938 − (1 + 423 + 735 + 544) = 235 without a title
    ((("award_level", "provincial"),), 66),      # 2.1: 66个省级奖项
    ((("award_level", "national"),), 1),         # 2.1: 1个国家级奖项
    ((("award_grade", "first"),), 13),           # 3.2.3: 13个一等奖
    ((("award_grade", "second"),), 22),          # 3.2.3: 22个二等奖
    ((("award_grade", "third"),), 29),           # 3.2.3: 29个三等奖
])
def test_breakdowns(book, dims, expected):
    code = {"degree": "fulltime_teachers", "title": "fulltime_teachers", "award_level": "awards",
            "award_grade": "contest_awards_provincial"}[dims[0][0]]
    assert value(book, code, dims=dims) == expected


@pytest.mark.parametrize("code, period, expected", [
    ("graduates", 2020, 5758),          # 5.1: 毕业生总量5758人（不含技工院校）
    ("graduates", 2019, 6091),          # 表六: 2019年毕业生总量6091人
    ("employed_direct", 2020, 1365),    # 5.1: 直接就业人数为1365人
    ("employed_direct", 2019, 1531),    # 表六: 2019年直接就业1531人
    ("employed_local", 2020, 891),      # 5.1: 在本地就业人数为891人
    ("employed_local", 2019, 916),      # 表六: 2019年本地就业916人
    ("further_study", 2020, 4113),      # 2.3: 升入高一级学校的学生人数达到4113人
    ("floor_area", 2020, 852215),       # 1.2: 校舍建筑总面积852215平方米（不含技工学校）
    ("equipment_value", 2020, 34112.37),  # 1.2: 仪器设备总值34112.37万元
    ("books", 2020, 544887),            # 1.2: 图书共544887册
])
def test_totals_without_technical_schools(book, code, period, expected):
    assert value(book, code, period, scope="excl_technical") == expected


def test_technical_schools_hold_the_rest_of_the_graduates(book):
    # 1.1 gives 7163 graduates, 5.1 gives 5758 without technical schools: 7163 − 5758 = 1405
    assert value(book, "graduates") - value(book, "graduates", scope="excl_technical") == 1405


@pytest.mark.parametrize("code, period, text", [
    ("employment_rate", 2020, "95.14%"),       # 2.2: (1365 + 4113) / 5758 = 95.137% → 95.14%
    ("employment_rate", 2019, "95.58%"),       # 表五: 2019年就业率95.58%
    ("direct_employment_share", 2020, "23.71%"),  # 1365 / 5758 = 23.706% → 23.71% (5.1 prints 23.70%)
    ("local_employment_rate", 2020, "65.27%"),  # 5.1: 891 / 1365 = 65.27%
    ("floor_area_per_student", 2020, "48.48"),  # 1.2: 生均校舍建筑面积48.48平方米
    ("books_per_student", 2020, "31.0"),        # 1.2: 生均图书31册
    ("training_places_per_student", 2020, "0.55"),  # 表二: 2020年生均实训实习工位数0.55
    ("pass_rate_culture", 2020, "94.88%"),     # 表四: 文化课合格率94.88%
    ("pass_rate_skill", 2020, "96.00%"),       # 表四: 专业技能合格率96%
    ("pass_rate_physical", 2020, "95.50%"),    # 表四: 体质测评合格率95.5%
    ("graduation_rate", 2020, "95.00%"),       # 表四: 毕业率95%
    ("certificate_rate", 2020, "79.48%"),      # 2.1: 毕业生获取资格证书比例79.48%
    ("entrepreneurship_rate", 2020, "4.20%"),  # 2.2；表五: 创业率约为4.2%
    ("starting_income", 2020, "2350"),         # 2.2；表五: 初次就业月收入2350元
    ("schools_under_500", 2020, "12"),         # 9.1.1: 在校生不足500人的有12所（原文以35所为基数）
    ("schools_under_200", 2020, "5"),          # 9.1.1: 其中在校生不足200人的有5所
    ("gv_ratio", 2019, "7:3"),                 # 表一: 2019 普职招生比 7:3 (city row, printed "7:03")
])
def test_printed_figures(book, code, period, text):
    assert book.get(code, period).text == text


def test_the_matched_employment_rate_is_the_nearest_count(book):
    # 2.2 prints 77.83%; 0.7783 × 1365 = 1062.38 is no whole number: 1062 / 1365 = 77.80%
    f = book.get("matched_employment_rate", 2020)
    assert (f.numerator, f.denominator, f.text) == (1062, 1365, "77.80%")


def test_per_student_figures_of_1_2_fix_the_students_without_technical_schools(book):
    f = book.get("floor_area_per_student", 2020)
    # 852215 / s prints 48.48 and 544887 / s prints 31 only for s in 17577..17580
    assert f.scope == "excl_technical" and 17577 <= f.denominator <= 17580
    assert value(book, "students", scope="excl_technical") == f.denominator


def test_per_school_spreads_are_plausible(ds):
    students = {o.org_unit: o.value for o in ds.observations
                if o.element == "students" and o.period == 2020 and not o.dims and o.org_unit != CITY}
    assert len(students) == 34 and all(50 <= v <= 3000 for v in students.values())
    # 9.1.1: 12 schools under 500 and 5 under 200, here among the 34 schools
    assert sum(v < 500 for v in students.values()) == 12
    assert sum(v < 200 for v in students.values()) == 5


def test_the_generator_is_deterministic(tmp_path):
    from nianbao.synth.datong import generate
    shutil.copytree("examples/datong-2020", tmp_path / "datong-2020")
    out = tmp_path / "datong-2020-schools"
    generate(out)
    for name in ("orgs.csv", "values.csv", "majors.csv", "dataset.yaml"):
        assert filecmp.cmp(out / name, EXAMPLE / name, shallow=False), name


@pytest.mark.parametrize("n, text", [
    (7, "七"), (10, "十"), (17, "十七"), (34, "三十四"),  # as the 34 schools of the example are named
    (100, "一百"), (105, "一百零五"), (110, "一百一十"), (134, "一百三十四"),  # 零 for an empty tens place
    (1010, "一千零一十"), (2010, "二千零一十"), (1234, "一千二百三十四"), (10001, "一万零一"),
])
def test_school_numbers_in_chinese_past_ninety_nine(n, text):
    """A generated city of more than 99 schools names them 第一百零五… (the way 年报 write numbers)."""
    from nianbao.synth.datong import cn_number

    assert cn_number(n) == text
