"""The closing parts of a report: data notes (数据说明), the appendix of every figure shown with
its definition, formula and inputs (指标说明与数据来源), and — only when built with
``--allow-errors`` — the list of data errors the report was built in spite of."""

from __future__ import annotations

from nianbao.compute.facts import Fact
from nianbao.compute.standards import fact_group
from nianbao.core.findings import Finding
from nianbao.core.formula import Ref
from nianbao.report import phrases
from nianbao.report.document import Cell, Heading, Paragraph, Table
from nianbao.report.provenance import inputs_text
from nianbao.report.runs import Run, text
from nianbao.report.school import rank_runs

MAX_LISTED = 40


def finding_text(f: Finding) -> str:
    where = str(f.location)
    year = f"（{f.period}年）" if f.period and str(f.period) not in f.message_zh else ""
    return f"{f.message_zh}{year}" + (f"〔{where}〕" if where else "")


def add_data_notes(b, dataset):
    b.add(Heading(1, "", "数据说明", anchor="data-notes"))
    b.add(Paragraph([text(
        f"本报告中的数字均由数据集“{dataset.path.name}”按指标目录 {b.cat.id} 计算得出，"
        "表格、图表和正文引用同一组计算结果；数值按四舍五入修约，比上年增减按修约后的数值计算，"
        "百分比的增减以“个百分点”表示。每个数字的定义、公式与所用数据见附录一。")]))
    school = getattr(b, "school", None)
    if school is not None:
        b.add(Paragraph([text(
            f"本报告是{dataset.org_unit.zh}所属学校的年度报告，学校标识码 {school.code}。与{dataset.org_unit.zh}比较的数字"
            f"由{dataset.org_unit.zh}所有学校的数据汇总计算，排名按同一组数据计算。")]))
    own_unit = ("", getattr(b, "org_code", dataset.org_unit.code))
    warnings = [w for w in b.warnings if w.severity == "warning" and not w.code.startswith("claim.")]
    own = [w for w in warnings if w.org_unit in own_unit]
    members = [w for w in warnings if w.org_unit not in own_unit]
    claims = [w for w in b.warnings if w.code.startswith("claim.")]
    omitted = getattr(b, "omitted", [])
    if omitted:
        b.add(Paragraph([text(f"以下 {len(omitted)} 处内容因缺少所需数据未列入报告，补充数据后重新生成即可列入：")]))
        for w in omitted:
            b.add(Paragraph([text(w.message_zh)], "bullet"))
    if not own:
        b.add(Paragraph([text("数据检查未发现需要说明的问题。" if not members else
                              "全市（本单位）数据的检查未发现需要说明的问题。")]))
    else:
        b.add(Paragraph([text(f"数据检查提示以下 {len(own)} 项情况，使用相关数字时请留意：")]))
        for w in own[:MAX_LISTED]:
            b.add(Paragraph([text(finding_text(w))], "bullet"))
        if len(own) > MAX_LISTED:
            b.add(Paragraph([text(f"另有 {len(own) - MAX_LISTED} 项，运行 nianbao check 查看全部。")], "bullet"))
    if members:
        units = len({w.org_unit for w in members})
        b.add(Paragraph([text(f"所属 {units} 个单位（学校）报送的数据另有 {len(members)} 项提示（如年度变化过大、"
                              "人数前后不衔接），请各单位核实；逐项说明可运行 nianbao check 查看。")]))
    if claims:
        b.add(Paragraph([text(
            f"另外，数据集所附的已印发数字（claims.csv）中有 {len(claims)} 处与按数据计算的结果不符或写法不规范；"
            "本报告一律印出按数据计算的结果。逐项说明可运行 nianbao check 查看。")]))


def _definition(key: tuple, catalogue) -> str:
    code, dims = key
    ind = catalogue.indicators.get(code)
    if ind is None:
        return ""
    if not ind.derived:
        el = catalogue.elements.get(code)
        return (el.definition if el and el.definition else "报送的数据元素") + f"；单位：{ind.unit_zh or '无'}"
    unit = f"；单位：{ind.unit_zh}" if ind.unit_zh and ind.style not in phrases.NO_UNIT_STYLES else ""
    return f"{ind.definition or ind.zh}{unit}"


def _how(f: Fact, catalogue) -> str:
    group = fact_group(f)
    if group is not None and f.kind == "count" and f.inputs and not f.indicator.endswith(":no_data"):
        return f"{f.formula_zh}；学校见本组的达标学校比例"  # listed once per criterion
    used = inputs_text(f, catalogue)
    if f.kind == "change":
        how = f"比上年增减 = {used}，按印出的数值相减"
    elif f.kind == "element":
        how = f"报送值：{used}"
    elif f.kind == "rank":
        how = f"{f.formula_zh}；{used}"
    else:
        how = f"{f.formula_zh}；{used}"
    if f.scope == "mixed" and f.scope_note:
        how += f"。分子与分母口径不一：{f.scope_note}"
    return how


def add_fact_appendix(b):
    """One group per indicator (name and definition), one row per figure printed: year, value,
    and how it was obtained — formula, inputs with their scope and where they come from."""
    cat = b.cat
    b.add(Heading(1, "", "附录一 指标说明与数据来源", anchor="appendix-facts"))
    b.add(Paragraph([text("下表按指标列出报告中印出的每一个数字：年份、数值，以及计算公式、所用数据、"
                          "口径和数据在原始文件中的位置。")]))
    groups: dict[tuple, list[Fact]] = {}
    for f in b.shown.values():
        group = fact_group(f)  # the counts and share of one criterion of a standard go together
        groups.setdefault((group[0], ()) if group else (f.indicator, f.dims), []).append(f)
    own = getattr(b, "org_code", "")
    area = b.ds.org_unit
    rows = []
    for key, facts in groups.items():
        ind = cat.indicators.get(key[0])
        name = ind.zh if ind and ind.derived else cat.ref_label(Ref(key[0], key[1]))
        definition = _definition(key, cat)
        if (group := fact_group(facts[0])) is not None:
            name, definition = group[1], "逐校对照标准后计数；达标比例 = 达标学校数 ÷ 参评学校数 × 100"
        rows.append([Cell([Run(name, bold=True), text("　" + definition)], "left", span=3)])
        order = {"rank": 2, "change": 1}
        for f in sorted(facts, key=lambda f: (f.org_unit != own, order.get(f.kind, 0), f.period, f.scope)):
            when = f"{f.base_period}—{f.period}年" if f.kind == "change" else f"{f.period}年"
            if f.kind == "rank":
                when += "排名"
            elif f.org_unit != own and f.org_unit == area.code:
                when += area.zh
            if (group := fact_group(f)) is not None:
                when += group[2]
            if f.kind == "rank":
                value = rank_runs(f)
            else:
                value = phrases.signed_change_runs(f) if f.kind == "change" else phrases.value_runs(f)
            rows.append([Cell([text(when)]), Cell(value), Cell([text(_how(f, cat))], "left")])
    b.add(Table("appendix_facts", "附表", "报告所用数字的定义、公式与数据",
                ["年份", "数值", "计算方法与所用数据（口径、来源）"], rows))


def add_errors_appendix(b):
    if not b.errors:
        return
    b.add(Heading(1, "", "附录二 数据错误清单", anchor="appendix-errors"))
    b.add(Paragraph([text(f"本报告是在存在以下 {len(b.errors)} 项数据错误的情况下生成的（--allow-errors），"
                          "错误未改正前，报告不宜正式发布。")], "placeholder"))
    for e in b.errors:
        hint = f" 处理建议：{e.hint}" if e.hint else ""
        b.add(Paragraph([text(finding_text(e) + hint)], "bullet"))
