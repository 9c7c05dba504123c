"""Sentence templates rendered from the Datong 2020 facts; expected texts worked out by hand
from the seed report (arithmetic in the comments)."""

import pytest

from nianbao.compute.facts import FactBook
from nianbao.ingest.dataset import load_dataset
from nianbao.report import sentences as S


@pytest.fixture(scope="module")
def ctx():
    ds = load_dataset("examples/datong-2020")
    own = [o for o in ds.observations if o.org_unit == ds.org_unit.code]
    book = FactBook(ds.catalogue, ds.org_unit.code, own, ds.periods)
    return S.Context(book, 2020, 2018, 2020, {"org": "大同市", "org_en": "Datong"})


@pytest.fixture(scope="module")
def outline_sentences(ctx):
    return ctx.catalogue.outline["sentences"]


def test_scale_overview(ctx, outline_sentences):
    text = S.render_text(outline_sentences["scale_overview"]["zh"], ctx)
    # 34 − 34 = 0; 22863 − 25820 = −2957; 9165 − 7598 = +1567 (seed 1.1, 表一)
    assert "共有中等职业教育学校34所，与上年持平；在校学生22863人，比上年减少2957人；" \
           "当年招生9165人，比上年增加1567人" in text
    # 7163 − 8631 = −1468
    assert "毕业生7163人，比上年减少1468人" in text
    # 17584 / (17584 + 9165) × 10 = 6.574 → 6.6:3.4 (the seed printed 6.5:3.5)
    assert "普职招生比为6.6:3.4" in text
    assert "{" not in text


@pytest.mark.parametrize("template, expected", [
    ("{students@-1}", "25820人"),                            # 表一 2019
    ("{students@2018}", "26853人"),                          # 表一 2018
    ("{students|plain}", "22863"),
    ("{students|name}", "在校生数"),
    ("{floor_area|period}", "2019-2020学年"),                # a school-year figure
    ("{entrants|period}", "2020年"),                         # a calendar-year figure
    ("{graduates#excl_technical}", "5758人"),                # 5.1 不含技工院校
    ("{graduates#excl_technical|scope}", "不含技工学校"),
    ("{schools[affiliation=municipal]}", "17所"),            # 1.1 市属17所
    ("{org}{year}年，{first_year}—{last_year}", "大同市2020年，2018—2020"),
    ("{student_teacher_ratio}", "11.80:1"),                  # 22863 / 1938 = 11.797
    ("{dual_teacher_ratio}", "25.75%"),                      # 499 / 1938 = 25.748%
    ("{gv_ratio@-1}", "7:3"),                                # printed "7:03" in the seed's 表一
    ("{pass_rate_culture_reported|change}", "比上年提高0.25个百分点"),   # 94.88 − 94.63
    # (1365 + 4113) / 5758 = 95.137 → 95.14 on graduates 不含技工学校; 2019's 95.58 was printed
    # without a scope: across the break no change (−0.44) is printed
    ("{employment_rate|change}", "与上年口径不同，不作比较"),
    ("{starting_income|change}", "比上年增加50元"),          # 2350 − 2300
])
def test_placeholders(ctx, template, expected):
    assert S.render_text(template, ctx) == expected


def test_runs_carry_their_facts(ctx):
    runs = S.render("在校学生{students}，{students|change}。", ctx)
    figures = [r for r in runs if r.is_figure]
    assert [r.text for r in figures] == ["22863", "2957"]
    assert figures[0].fact.key == "140200/students/2020/unstated"
    assert figures[1].fact.kind == "change" and figures[1].fact.value == -2957
    assert "".join(r.text for r in runs) == "在校学生22863人，比上年减少2957人。"


@pytest.mark.parametrize("template, named", [
    ("双师型比例{dual_teacher_ratio@-1}", "dual_teacher_ratio@-1"),   # no 2019 teacher counts
    ("{no_such_indicator}", "no_such_indicator"),
    ("{students|shout}", "students|shout"),
    ("{students[affiliation=]x}", "students[affiliation=]x"),
    ("{publisher}", "publisher"),                                    # not given in this context
])
def test_a_missing_figure_is_an_error_naming_the_placeholder(ctx, template, named):
    with pytest.raises(S.SentenceError) as err:
        S.render(template, ctx, where="测试句")
    assert err.value.placeholder == named
    assert named in str(err.value)


def test_english_sentence(ctx, outline_sentences):
    text = S.render_text(outline_sentences["scale_overview"]["en"], ctx, "en")
    assert "22863 students (down 2957 students on the previous year)" in text
    assert "34 secondary vocational schools (unchanged from the previous year)" in text


def test_every_outline_sentence_renders_for_the_example(ctx, outline_sentences):
    for key, spec in outline_sentences.items():
        for lang in ("zh", "en"):
            text = S.render_text(spec[lang], ctx, lang, key)
            assert text and "{" not in text, key
