"""Claims out of a report's blocks: the figures of Chinese prose (counts with units and 万/亿,
Chinese numerals, percentages and what they are a share of, ratios, changes, breakdowns after
"其中" or "X中，"), of tables (each cell with its row, column, unit and year) and of chart data.
Each claim keeps where it was printed and, where its label allows, the catalogue target."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nianbao.audit.mapping import Lexicon
from nianbao.audit.model import Block, Claim, Source, Where
from nianbao.audit.readers.common import caption_of, heading_number

# -- normalising text, length-preserving (offsets stay valid for annotations) --------------------


_HALF = {o: o - 0xFEE0 for o in range(0xFF01, 0xFF5F)} | {0x3000: 0x20, 0xA0: 0x20}


def half_width(text: str) -> str:
    """Full-width ASCII forms and wide spaces as their narrow forms, one character for one."""
    return text.translate(_HALF)


UNITS = ("万平方米", "平方米", "万元", "亿元", "元", "万人次", "人次", "万人", "余人", "人", "名", "所", "家", "个",
         "万册", "册", "项", "门", "本", "篇", "件", "场", "批", "位", "套", "台", "间", "学时", "课时", "小时",
         "幅", "支", "届", "次", "天", "个工作日", "m²", "㎡")
COUNT_UNITS = ("人", "名", "所", "家", "个", "册", "项", "门", "本", "篇", "件", "场", "批", "位", "套", "台", "间",
               "幅", "支", "次", "人次")
CN_DIGITS = "零一二两三四五六七八九十百千万"
_UNIT_RE = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
TOKEN = re.compile(
    rf"(?P<range>\d{{4}}\s*年?\s*[-—–~至到]\s*\d{{4}}\s*(?:学年|年度|年)?)"
    rf"|(?P<year>(?<!\d)\d{{4}})\s*(?P<yu>年度|年底|年末|年)"
    rf"|(?P<date>\d{{1,2}}月\d{{1,2}}日|\d{{1,2}}月(?:上旬|中旬|下旬|底|份)?(?!\d))"
    rf"|(?P<docno>[〔【\[(]\s*\d{{4}}\s*[〕】\])]\s*\d+\s*号|第\s*\d+\s*[批届期次号条款项]|\d+\s*号文)"
    rf"|(?P<ratio>(?<![\d.])(?P<ra>{NUM})\s*:\s*(?P<rb>\d+(?:\.\d+)?)(?![\d.]))"
    rf"|(?P<pct>(?P<pv>{NUM})\s*%)"
    rf"|(?P<pp>(?P<ppv>{NUM})\s*个百分点)"
    rf"|(?P<num>(?<![\d.])(?P<nv>{NUM})\s*(?P<nq>余|多)?\s*(?P<nm>万|亿)?\s*(?P<nu>{_UNIT_RE}))"
    rf"|(?P<cn>(?<![第\w])(?P<cv>[{CN_DIGITS}]{{1,4}})(?P<cu>所|个|位|名|家|项|本|门|篇|件|批|支|大类))"
)
CHANGE_UP = ("增加", "增长", "提高", "上升", "增多", "提升")
CHANGE_DOWN = ("减少", "下降", "降低", "减小", "回落")
CHANGE_WORDS = CHANGE_UP + CHANGE_DOWN
BASE_WORDS = re.compile(r"(比上一?年度?|与上一?年度?相比|较上一?年度?|同比|比上一学年|比\d{4}年|与\d{4}年相比)")
FILLERS = re.compile(r"^(?:其中|另有|另|共有|共计|合计|总计|累计|共|有|为|达到了|达到|达|是|约|近|计|分别为|分别是|分别|"
                     r"以及|和|及|与|、|具有|全市|全县|全区|我市|全大同市|本市)+|(?:共有|共计|共|有|为|达到了|达到|达|是|约|近|"
                     r"合计|总计|分别为|达到了|的|累计|约仅为|仅为|仅|保持在|在)+$")
QUALIFIERS = re.compile(r"(约|近|超过|逾|不足|不到|以上|以下|左右|余|多|上下|以内|前后)")
TOTAL_WORDS = re.compile(r"共有|共计|合计|总计|总数|总量|总额|总值|总面积|全部|共")
SCOPE_EXCL = re.compile(r"不含技工(学校|院校)|不包括技工(学校|院校)")
SCOPE_ALL = re.compile(r"(?<!不)含技工(学校|院校)|包括技工(学校|院校)")
FIGURE_SCOPE = re.compile(r"\s*[（(](?:不含|不包括)技工(?:学校|院校)[）)]")  # right after a figure
FIGURE_SCOPE_ANY = re.compile(r"(?<=[\d%])\s*[（(](?:不含|不包括)技工(?:学校|院校)[）)]")
SHARE = re.compile(r"(?P<a>[^,，;；:：。]*?)占(?P<b>[^,，;；。%]*?)(?:的)?(?:比例|比重|比率)?(?:为|是|达到|达|约为|约)?\s*$")
RATIO_OF = re.compile(r"(?P<a>[^,;:。]*?)与(?P<b>[^,;:。]*?)(?:的|之)?(?:比例|比值|比)(?:为|是)?\s*$")
SENTENCE_END = re.compile(r"[。!?！？\n]")
CLAUSE_END = re.compile(r"[,，;；:：]")


_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}


def cn_numeral(text: str) -> int | None:
    """The value of a Chinese numeral in words ("三十四", "一百零五", "两千三百万", "十二");
    None when the text is not one."""
    if not text or any(ch not in _CN_DIGIT and ch not in _CN_SMALL and ch not in _CN_BIG for ch in text):
        return None
    total = section = 0
    digit: int | None = None
    last_big = 10 ** 12
    for ch in text:
        if ch in _CN_DIGIT:
            if digit is not None and digit != 0 and _CN_DIGIT[ch] != 0:
                return None  # two digits in a row ("三四") is not a numeral in words
            digit = _CN_DIGIT[ch]
        elif ch in _CN_SMALL:
            section += (1 if digit is None else digit) * _CN_SMALL[ch]
            digit = None
        else:
            big = _CN_BIG[ch]
            if big > last_big:  # 万 after 亿 multiplies the 亿 part too ("一亿万" is not printed)
                return None
            section += digit or 0
            total += section * big
            section, digit, last_big = 0, None, big
    return total + section + (digit or 0)


def cn_value(text: str) -> float | None:
    value = cn_numeral(text)
    if value is not None:
        return float(value)
    try:  # other forms (cn2an reads a few more, e.g. with a decimal point)
        import cn2an
        return float(cn2an.cn2an(text.replace("两", "二"), "smart"))
    except Exception:  # cn2an raises its own errors for text that is not a numeral
        return None


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def _num(text: str) -> float:
    return float(text.replace(",", ""))


@dataclass
class Context:
    """What the running text has said so far that a figure inherits: the year, the scope, a
    breakdown's whole and the category (省属, 公办 …) of a clause."""
    period: int | None = None
    scope: str = ""
    whole: Claim | None = None
    whole_label: str = ""
    category: tuple = ()
    section: str = ""
    paragraph_claims: list[Claim] = field(default_factory=list)


class Extractor:
    def __init__(self, source: Source, lexicon: Lexicon, report_year: int | None = None):
        self.source = source
        self.lex = lexicon
        self.claims: list[Claim] = []
        self.report_year = report_year or guess_report_year(source)
        self.sentence = 0
        self.tables: list[dict] = []  # per table block: caption, columns, scope, claims

    # -- entry ---------------------------------------------------------------------------------
    def run(self) -> list[Claim]:
        section = ""
        blocks = self.source.blocks
        ntable = 0
        for bi, b in enumerate(blocks):
            if b.kind == "para":
                number = heading_number(b.text) if b.heading else ""
                if number:
                    section = number
                    b.where.section = section
                    continue
                b.where.section = section
                self.paragraph(b, bi, section)
            elif b.kind == "table":
                ntable += 1
                caption = self._caption(blocks, bi) or f"表{ntable}"
                b.where.table = caption
                b.where.section = section
                self.table(b, bi, caption, self._notes(blocks, bi))
            elif b.kind == "chart":
                self.chart(b, bi)
        for i, c in enumerate(self.claims, start=1):
            c.id = i
        return self.claims

    def _caption(self, blocks, bi) -> str:
        for j in (bi - 1, bi - 2, bi + 1):
            if 0 <= j < len(blocks) and blocks[j].kind == "para":
                cap = caption_of(blocks[j].text)
                if cap.startswith("表"):
                    blocks[bi].caption = blocks[j].text
                    return cap
        return ""

    def _notes(self, blocks, bi) -> list[str]:
        notes = []
        for j in range(bi + 1, min(len(blocks), bi + 5)):
            b = blocks[j]
            if b.kind != "para":
                break
            t = half_width(b.text).strip()
            if t.startswith("注"):
                notes.append(t)
            elif caption_of(t):
                continue
            else:
                break
        return notes

    # -- prose ---------------------------------------------------------------------------------
    def paragraph(self, b: Block, bi: int, section: str):
        text = half_width(b.text)
        ctx = Context(section=section)
        ctx.period = self._first_year(text[:0])
        start = 0
        for m in SENTENCE_END.finditer(text + "\n"):
            end = m.start()
            if end > start:
                self.sentence += 1
                self.sentence_claims(text, start, end, b, bi, ctx)
            start = m.end()

    def _first_year(self, text: str) -> int | None:
        return None

    def sentence_claims(self, text: str, s0: int, s1: int, b: Block, bi: int, ctx: Context):
        sent = text[s0:s1]
        # a scope named right after one figure (95.85%（不含技工学校）) is that figure's; one named
        # elsewhere in the sentence is every figure's
        general = FIGURE_SCOPE_ANY.sub("", sent)
        scope = "excl_technical" if SCOPE_EXCL.search(general) else ("all" if SCOPE_ALL.search(general) else "")
        period = ctx.period
        category: tuple = ()
        prev_level: Claim | None = None
        clause_start = 0
        in_sub = False  # after 其中
        whole_here: Claim | None = None
        sentence_claims: list[Claim] = []
        for m in TOKEN.finditer(sent):
            kind = m.lastgroup if m.lastgroup in ("range", "date", "docno", "ratio", "pct", "pp", "num", "cn") else None
            if m.group("year") and m.group("year") is not None and m.start("year") == m.start():
                y = int(m.group("year"))
                if 1990 <= y <= 2100:
                    period = y
                    after = sent[m.end():m.end() + 3]
                    if m.group("yu") == "年" and after.startswith(("-", "—")):
                        pass
                continue
            if m.group("range"):
                r = re.findall(r"\d{4}", m.group("range"))
                if "学年" in m.group("range") and len(r) == 2:
                    period = int(r[1])
                continue
            if kind in ("date", "docno", None):
                continue
            # the clause this figure is in
            cstart = max((x.end() for x in CLAUSE_END.finditer(sent, 0, m.start())), default=0)
            if cstart != clause_start:
                clause_start = cstart
            last_end = max((c.span[1] - s0 for c in sentence_claims), default=0)
            before = sent[max(cstart, last_end):m.start()].lstrip("、和及与")
            if "其中" in sent[:m.start()] and whole_here is None and sentence_claims:
                whole_here = next((c for c in reversed(sentence_claims) if c.kind in ("count", "amount")), None)
            if "其中" in before or (whole_here is not None and "其中" in sent[:m.start()]):
                in_sub = True
            cat = self.lex.category_in(before)
            if cat:
                category = cat
            claim = self._claim(m, kind, sent, before, cstart)
            if claim is None:
                continue
            abs_start = s0 + m.start()
            claim.span = (abs_start, s0 + m.end())
            claim.where = Where(para=b.where.para, page=b.where.page, section=ctx.section)
            claim.period = period or self.report_year
            if claim.period and self.report_year and claim.period > self.report_year:
                claim.note = f"原文写作“{claim.period}年”，晚于报告年度{self.report_year}年"
                claim.period = self.report_year
            claim.scope = "excl_technical" if FIGURE_SCOPE.match(sent[m.end():]) else scope
            claim.after = _after(sent[m.end():])
            qa = re.match(r"\s*(以上|以下|左右|上下|以内|前后|多)", sent[m.end():])
            if qa and not claim.qualifier:
                claim.qualifier = qa.group(1)
            if re.search(r"\d%?\s*[-—~至到]\s*$", sent[:m.start()]) or re.match(r"\s*[-—~至到]\s*\d", sent[m.end():]):
                claim.qualifier = "范围"
            if not claim.qualifier:
                qb = QUALIFIERS.search(before[-4:])
                if qb and qb.group(0) in ("约", "近", "超过", "逾", "不足", "不到"):
                    claim.qualifier = qb.group(0)
            if claim.kind == "percent" and claim.after.startswith("的") and not SHARE.search(before):
                claim.of = claim.after[1:]
            claim.context = sent.strip()
            claim.sentence = self.sentence
            claim.block = bi
            if claim.kind == "change":
                base_m = BASE_WORDS.search(before + sent[m.end():m.end() + 2])
                y = re.search(r"(\d{4})年", base_m.group(0)) if base_m else None
                claim.base_period = int(y.group(1)) if y else claim.period - 1
                ref = prev_level
                if ref is not None:
                    claim.label = ref.label
                    claim.target, claim.dims, claim.firm = ref.target, ref.dims, ref.firm
                    claim.of = ref.of
                    claim.unit = claim.unit or ref.unit
                    if ref.kind == "percent" and claim.unit in ("%",):
                        claim.unit = "%"
                    claim.note = claim.note or f"与{claim.label}同句"
                else:
                    claim.label = claim.label or ""
            else:
                if not claim.label and claim.kind in ("percent",) and prev_level is not None and "占" in before:
                    pass
                self._label_context(claim, before, ctx, category, in_sub, whole_here)
                self._modified_label(claim, before, sentence_claims, s0 + cstart)
                if claim.kind in ("count", "amount", "percent", "ratio", "pair", "time", "x1"):
                    prev_level = claim
            if claim.kind == "flat":
                pass
            self.claims.append(claim)
            sentence_claims.append(claim)
            ctx.paragraph_claims.append(claim)
            # "X中，" opens a breakdown of X for the claims that follow in the paragraph
        # 与上年持平: a flat change of the last level figure
        for fm in re.finditer(r"与上一?年度?(基本)?持平|与上年相同|保持不变", sent):
            ref = max((c for c in sentence_claims if c.span[0] - s0 < fm.start() and c.kind != "change"),
                      key=lambda c: c.span[0], default=None)
            if ref is None:
                continue
            c = Claim(raw="持平", kind="flat", value=0.0, decimals=0, unit=ref.unit, label=ref.label,
                      where=ref.where, period=ref.period, base_period=(ref.period or 0) - 1, scope=ref.scope,
                      context=ref.context, target=ref.target, dims=ref.dims, firm=ref.firm, sentence=ref.sentence,
                      block=bi, span=(s0 + fm.start(), s0 + fm.end()), signed=True)
            self.claims.append(c)
        ctx.period = period if period else ctx.period
        # the whole of a breakdown that the next sentences may go on with ("专任教师中，…")
        wm = re.search(r"([\u4e00-\u9fff]{2,10}?)中[,，:：]", sent)
        if wm and not sentence_claims:
            ctx.whole_label = _strip_label(wm.group(1))
        elif wm and sentence_claims and sentence_claims[0].span[0] - s0 > wm.end() - 1:
            ctx.whole_label = _strip_label(wm.group(1))
            for c in sentence_claims:
                if c.kind in ("count", "percent") and not c.of and c.label != ctx.whole_label:
                    c.note = c.note or f"{ctx.whole_label}中"

    def _claim(self, m, kind, sent, before, cstart) -> Claim | None:
        raw = m.group(0)
        if kind == "ratio":
            a, b = m.group("ra"), m.group("rb")
            if re.search(r"\d$", sent[:m.start()]) or re.match(r"\d", sent[m.end():m.end() + 1] or " "):
                return None
            if re.fullmatch(r"\d{1,2}", a) and re.fullmatch(r"0\d", b):
                return Claim(raw=raw, kind="time", value=float(a), decimals=0, unit="", label="", where=Where())
            if float(b) == 1 and "." not in b:
                return Claim(raw=raw, kind="x1", value=_num(a), decimals=_decimals(a), unit=":1", label="", where=Where())
            return Claim(raw=raw, kind="pair", value=_num(a), decimals=_decimals(a), unit=":", label="", where=Where())
        if kind == "pct":
            v = m.group("pv")
            change = self._change_word(before)
            if change:
                return Claim(raw=change[0] + raw, kind="change", value=change[1] * _num(v), decimals=_decimals(v),
                             unit="%", label="", where=Where(), signed=True)
            return Claim(raw=raw, kind="percent", value=_num(v), decimals=_decimals(v), unit="%", label="", where=Where())
        if kind == "pp":
            v = m.group("ppv")
            change = self._change_word(before)
            sign = change[1] if change else 1
            return Claim(raw=(change[0] if change else "") + raw, kind="change", value=sign * _num(v),
                         decimals=_decimals(v), unit="pp", label="", where=Where(), signed=bool(change))
        if kind == "num":
            v, unit, mult = m.group("nv"), m.group("nu"), m.group("nm") or ""
            if unit == "余人":
                unit = "人"
            if unit in ("m²", "㎡"):
                unit = "平方米"
            if unit.startswith("万") and len(unit) > 1:
                mult, unit = mult + "万", unit[1:]
            factor = {"": 1, "万": 1e4, "亿": 1e8, "万万": 1e8}.get(mult, 1)
            unit_printed = (mult + unit) if mult else unit
            value = _num(v)
            decimals = _decimals(v)
            kind_c = "count" if unit in COUNT_UNITS else "amount"
            if unit in ("元",) and mult:  # 2.32万元: keep the printed unit for the check
                pass
            change = self._change_word(before)
            qual = m.group("nq") or ""
            q = re.search(r"(约|近|超过|逾|不足|不到)$", before[-3:]) if before else None
            claim = Claim(raw=raw, kind=kind_c, value=value * factor, decimals=decimals, unit=unit_printed,
                          label="", where=Where(), qualifier=(qual or (q.group(0) if q else "")))
            claim.note = ""
            if change:
                claim.kind, claim.value, claim.signed = "change", change[1] * value * factor, True
                claim.raw = change[0] + raw
            return claim
        if kind == "cn":
            v = cn_value(m.group("cv"))
            if v is None or v <= 0:
                return None
            if m.group("cv") in ("一",) and sent[m.end():m.end() + 1] in ("是", "方", "些", "批", "起", "道", "流", "体"):
                return None
            return Claim(raw=raw, kind="count", value=v, decimals=0, unit=m.group("cu"), label="", where=Where(),
                         note="汉字数字")
        return None

    @staticmethod
    def _change_word(before: str):
        tail = before[-12:]
        for w in CHANGE_WORDS:
            i = tail.rfind(w)
            if i >= 0 and len(re.sub(r"[了约近为达]", "", tail[i + len(w):]).strip()) == 0:
                return (w, 1 if w in CHANGE_UP else -1)
        return None

    def _label_context(self, claim: Claim, before: str, ctx: Context, category, in_sub, whole_here):
        label_text = before
        claim.total = bool(TOTAL_WORDS.search(before))
        if claim.kind == "percent":
            m = SHARE.search(before)
            if m:
                a, b = _strip_label(m.group("a")), _strip_label(m.group("b"))
                prev = next((x for x in reversed(ctx.paragraph_claims) if x.kind in ("count", "amount")), None)
                claim.label = a or (prev.label if prev is not None else "")
                claim.of = b or "?"
                if not a and ctx.whole_label:
                    claim.label = claim.label or ctx.whole_label
            else:
                claim.label = _strip_label(label_text)
                if ctx.whole_label and claim.label and not re.search(r"率|比例|占比|比重", claim.label):
                    claim.of = ctx.whole_label
        elif claim.kind in ("ratio", "pair", "x1", "time"):
            m = RATIO_OF.search(before)
            if m:
                claim.label, claim.of = _strip_label(m.group("a")), _strip_label(m.group("b"))
                claim.label = claim.label + "与" + claim.of + "之比"
            else:
                claim.label = _strip_label(label_text)
        else:
            lab = _strip_label(label_text)
            if not lab or lab in ("其中",):
                lab = ""
            claim.label = lab
        if claim.kind in ("count", "amount") and claim.after and re.search(r"(与|和|同|及|对|向|为)$", before.strip()):
            claim.label = claim.after
        if not claim.label:
            claim.label = self._after_label(claim)
        if in_sub and whole_here is not None and claim.kind in ("count", "amount"):
            claim.note = (claim.note + "；" if claim.note else "") + f"其中（{whole_here.label}）"
            claim.of = claim.of or whole_here.label
        if category:
            claim.dims = category

    @staticmethod
    def _modified_label(claim: Claim, before: str, sentence_claims: list[Claim], clause_start: int) -> None:
        """A count whose group is named by a bounded figure just before it ("在校生不足500人的
        有12所", "不足200人的5所"): the label is that phrase with its figure, "在校生不足500人"."""
        if claim.kind not in ("count", "amount") or not sentence_claims:
            return
        prev = sentence_claims[-1]
        if prev.span[0] < clause_start or prev.kind not in ("count", "amount") or \
                prev.qualifier not in ("不足", "不到", "超过", "以上", "以下"):
            return
        rest = before.strip()
        if not re.fullmatch(r"(?:以上|以下)?的(?:学校|中职学校|院校)?(?:有|共有|共|为)?", rest):
            return
        word = prev.raw + (prev.qualifier if prev.qualifier in ("以上", "以下") else "")
        claim.label = (prev.label + word + re.sub(r"^(?:以上|以下)|(?:有|共有|共|为)$", "", rest)).rstrip("的")
        claim.firm = prev.firm

    def _after_label(self, claim: Claim) -> str:
        return ""

    # -- tables --------------------------------------------------------------------------------
    def table(self, b: Block, bi: int, caption: str, notes: list[str]):
        rows = [[half_width(c) if c is not None else None for c in r] for r in b.rows]
        if len(rows) < 2:
            return
        header = rows[0]
        years_in_header = [_year(c) for c in header]
        years_in_col = [_year(r[0]) for r in rows[1:] if r]
        cols_are_years = sum(1 for y in years_in_header[1:] if y) >= 2
        rows_are_years = sum(1 for y in years_in_col if y) >= 1 and not cols_are_years
        cap_text = half_width(b.caption)
        table_scope = ""
        scoped_labels = []
        labels_in: dict[str, list[str]] = {}  # a note naming the rows of one scope: scope -> labels
        for note in notes:
            mm = re.search(r"注[:：]?(.*?)的统计口径", note)
            named = [x.strip() for x in re.split(r"[、,，]", mm.group(1)) if x.strip()] if mm else []
            if SCOPE_EXCL.search(note):
                table_scope = "excl_technical"
                if named:
                    scoped_labels = named
                    labels_in.setdefault("excl_technical", []).extend(named)
            elif SCOPE_ALL.search(note) and named:
                labels_in.setdefault("all", []).extend(named)
        if SCOPE_EXCL.search(cap_text):
            table_scope = "excl_technical"
        default_year = _year(cap_text) if cap_text and len(re.findall(r"\d{4}", cap_text)) == 1 else None
        info = {"caption": caption, "title": cap_text, "block": bi, "columns": [], "claims": [],
                "scope": table_scope}
        group, group_unit = "", ""
        for r, row in enumerate(rows):
            if r == 0:
                info["columns"] = [(_label_unit(c or "")[0], _label_unit(c or "")[1]) for c in row]
                continue
            filled = [c for c in row if c]
            if len(filled) == 1 and row[0] and all(c is None or c == row[0] for c in row[1:]):
                head = re.split(r"[ \u3000]", row[0].strip(), maxsplit=1)[0]
                group = _label_unit(head)[0]
                gm = re.search(r"单位[:：]\s*([^;；,，。\s]+)", row[0])
                group_unit = gm.group(1) if gm else ""
                continue
            for col, cell in enumerate(row):
                if cell is None or not cell.strip() or col == 0:
                    continue
                if cell.count("=") or len(cell) > 24:
                    continue  # arithmetic or explanation, not a figure
                col_label, col_unit = _label_unit(header[col] or "") if col < len(header) else ("", "")
                row_label, row_unit = _label_unit(row[0] or "")
                if cols_are_years:
                    period, label, unit = _year(header[col]), row_label, row_unit or col_unit
                elif rows_are_years:
                    period, label, unit = _year(row[0]), col_label, col_unit
                    if group:
                        label, unit = group, unit or group_unit
                else:
                    period, label, unit = default_year, f"{row_label}/{col_label}".strip("/"), col_unit or row_unit
                if label.strip() in ("年份", "项目", "内容") or not label:
                    continue
                where = Where(page=b.where.page, table=caption, row=r + 1, col=col + 1, section=b.where.section)
                change_col = re.search(r"变化|增减|变动|比上年", col_label) is not None
                span_years = re.findall(r"\d{4}", row[0] or "") if rows_are_years else []
                change_row = len(span_years) == 2 and re.search(r"\d{4}\s*[-—–~至]\s*\d{4}", row[0] or "") is not None
                for claim in self._cells(cell, unit, change_col or change_row):
                    if change_row:
                        claim.kind = "change"
                        claim.signed = claim.raw.strip()[:1] in "+-" or claim.value == 0
                        if claim.raw.strip().startswith("-"):
                            claim.value = -abs(claim.value)
                    claim.label = label
                    claim.where = where
                    claim.period = period or (self.report_year if not change_col else None)
                    if change_row:
                        claim.period, claim.base_period = int(span_years[1]), int(span_years[0])
                    claim.context = " | ".join(c or "" for c in row)
                    claim.block = bi
                    claim.total = True
                    claim.form = "" if (cols_are_years or rows_are_years) else "grid"
                    scope = table_scope if (not scoped_labels or any(s in label or label in s for s in scoped_labels)) \
                        else ""
                    if any(label == x for x in labels_in.get("all", ())):  # a row the notes put in 全口径
                        scope = "all"
                    row_text = " ".join((c or "").replace("\n", "") for c in row)
                    if SCOPE_EXCL.search(cell) or (SCOPE_EXCL.search(row_text) and "口径不一" not in row_text
                                                   and "口径未注明" not in row_text):
                        scope = "excl_technical"
                    elif "口径未注明" in row_text:
                        scope = ""
                    claim.scope = scope
                    claim.note = "表格" + ("（变化栏）" if change_col else "")
                    self.sentence += 1
                    claim.sentence = self.sentence
                    claim.span = (r, col)
                    self.claims.append(claim)
                    info["claims"].append(claim)
        by_col: dict[int, list[Claim]] = {}
        for c in info["claims"]:
            by_col.setdefault(c.where.col, []).append(c)
        for cs in by_col.values():
            if sum(1 for c in cs if c.kind == "percent") * 2 >= len(cs):
                for c in cs:
                    if c.kind in ("amount", "count") and not c.unit:
                        c.kind, c.unit = "percent_nosign", "%"
        self.tables.append(info)

    def _cells(self, cell: str, unit: str, change_col: bool) -> list[Claim]:
        t = cell.strip().replace(" ", "").replace("\n", "")
        out = []
        if change_col:
            two = re.fullmatch(rf"({NUM}%?)\s*[-—~至]\s*({NUM}%?)", t)
            if two:
                out = []
                for part in (two.group(1), two.group(2)):
                    v = part.rstrip("%")
                    out.append(Claim(raw=part, kind="change", value=_num(v), decimals=_decimals(v),
                                     unit="%" if part.endswith("%") else unit, label="", where=Where(), signed=False,
                                     note=f"印作“{cell}”"))
                return out
            parts = re.findall(rf"([+-]?)({NUM})\s*(%|个百分点|{_UNIT_RE})?", t)
            words = self._change_word(t[:2] + "x") if t[:2] in CHANGE_WORDS else None
            sign_word = 1 if any(w in t for w in CHANGE_UP) else (-1 if any(w in t for w in CHANGE_DOWN) else 0)
            for sign, v, u in parts:
                signed = bool(sign) or bool(sign_word)
                s = -1 if sign == "-" or sign_word == -1 else 1
                unit_c = "pp" if u == "个百分点" else (u or unit)
                out.append(Claim(raw=(sign + v + (u or "")), kind="change", value=s * _num(v), decimals=_decimals(v),
                                 unit=unit_c, label="", where=Where(), signed=signed))
            del words
            if len(out) > 1:
                for c in out:
                    c.note = f"印作“{cell}”"
            return out
        m = re.fullmatch(rf"({NUM})\s*%", t)
        if m:
            return [Claim(raw=cell, kind="percent", value=_num(m.group(1)), decimals=_decimals(m.group(1)), unit="%",
                          label="", where=Where())]
        m = re.fullmatch(r"(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)", t)
        if m:
            a, b = m.group(1), m.group(2)
            if re.fullmatch(r"\d{1,2}", a) and re.fullmatch(r"0\d", b):
                return [Claim(raw=cell, kind="time", value=float(a), decimals=0, unit="", label="", where=Where())]
            if float(b) == 1 and "." not in b:
                return [Claim(raw=cell, kind="x1", value=_num(a), decimals=_decimals(a), unit=":1", label="", where=Where())]
            return [Claim(raw=cell, kind="pair", value=_num(a), decimals=_decimals(a), unit=":", label="", where=Where())]
        m = re.fullmatch(rf"([+-]?{NUM})\s*(万|亿)?\s*({_UNIT_RE})?", t)
        if m:
            v = m.group(1)
            mult = m.group(2) or ""
            u = m.group(3) or ""
            if u.startswith("万") and len(u) > 1:
                mult, u = mult + "万", u[1:]
            factor = {"": 1, "万": 1e4, "亿": 1e8}.get(mult, 1)
            printed_unit = (mult + u) if u else ((mult + unit) if mult else unit)
            kind = "count" if (u or unit) in COUNT_UNITS else "amount"
            c = Claim(raw=cell, kind=kind, value=_num(v) * factor, decimals=_decimals(v), unit=printed_unit, label="",
                      where=Where())
            if unit in ("%",) and not u:
                c.kind = "percent_nosign"
                c.unit = "%"
                c.value = _num(v)
            return [c]
        return out

    # -- charts --------------------------------------------------------------------------------
    def chart(self, b: Block, bi: int):
        title = half_width(b.caption or "")
        table = self._table_for_chart(title, b.series)
        cols = table["columns"] if table else []
        col_labels = [c[0] for c in cols]
        series_labels = {lab for _, lab, _ in b.series} | {h for h, _, _ in b.series}
        leftover = [c for c in cols[1:] if c[0] not in series_labels]
        name = title or (b.series[0][0] if b.series else "")
        n = 0
        for head, label, value in b.series:
            head, label = half_width(head), half_width(label)
            year = _year(label) or _year(head) or (_year(title) if len(re.findall(r"\d{4}", title)) == 1 else None)
            if _year(label) and not _year(head):
                lab = head
            elif _year(head) and not _year(label):
                lab = label
            else:
                lab = label or head
            lab, unit = _label_unit(lab)
            n += 1
            where = Where(chart=name[:30], row=n, section="图表数据")
            if table:
                for c in cols:
                    if c[0] == lab and c[1]:
                        unit = unit or c[1]
            if not unit and table:
                # a percent column of the matching table: the chart stores fractions
                for cl in table["claims"]:
                    if cl.label == lab and cl.kind in ("percent", "percent_nosign"):
                        unit = "%"
                        break
            claim = Claim(raw=value, kind="chart", value=_num(value), decimals=_decimals(value), unit=unit, label=lab,
                          where=where, period=year or self.report_year, form="chart",
                          context=f"{title} {head} {label}".strip(),
                          block=bi)
            if table:
                claim.scope = table["scope"]
                claim.table_ref = table["caption"]
            self.sentence += 1
            claim.sentence = self.sentence
            self.claims.append(claim)
            # counts written into a category label ("2019年 8986人 4549人"): the table's other columns
            extra = re.findall(rf"({NUM})\s*({_UNIT_RE})", head if _year(head) else "")
            if extra and table and (head, "done") not in getattr(self, "_seen", set()):
                self._seen = getattr(self, "_seen", set()) | {(head, "done")}
                for (v, u), col in zip(extra, leftover):
                    n += 1
                    self.sentence += 1
                    c2 = Claim(raw=v + u, kind="chart", value=_num(v), decimals=_decimals(v), unit=u, label=col[0],
                               where=Where(chart=name[:30], row=n, section="图表数据"), period=year or self.report_year,
                               form="chart", context=head, block=bi, scope=table["scope"], sentence=self.sentence,
                               table_ref=table["caption"],
                               note="图表分类标签中的数字")
                    self.claims.append(c2)
        del col_labels

    def _table_for_chart(self, title: str, series) -> dict | None:
        key = re.sub(r"^表[一二三四五六七八九十\d]+[:：]?", "", title).strip()
        labels = {_label_unit(half_width(lab))[0] for _, lab, _ in series} | \
                 {_label_unit(half_width(h))[0] for h, _, _ in series}
        best, score = None, 0
        for t in self.tables:
            tt = re.sub(r"^表[一二三四五六七八九十\d]+[:：]?", "", t["title"]).strip()
            s = 0
            if key and tt and (key == tt or key in tt or tt in key):
                s += 10
            names = {c[0] for c in t["columns"]} | {c.label for c in t["claims"]}
            s += len(labels & names)
            if s > score:
                best, score = t, s
        return best if score >= 2 else None


_STOP_AFTER = re.compile(r"(顺利|完成|进行|开展|参加|参与|获得|获|建立|与|的|在|中|对|被|为|是|达|共|等|和|及|、|通过|组织|实现)")


def _after(text: str) -> str:
    """The noun right after a figure: "中职学校" of "34所中职学校，…"."""
    m = re.match(r"\s*(的?[\u4e00-\u9fffA-Za-z]{1,12})", text)
    if not m:
        return ""
    word = m.group(1)
    lead = "的" if word.startswith("的") else ""
    body = word[len(lead):]
    cut = _STOP_AFTER.search(body, 2)
    if cut:
        body = body[: cut.start()]
    return lead + body


def _strip_label(text: str) -> str:
    text = re.sub(r"\d{4}\s*(?:[-—~至]\s*\d{4}\s*)?(?:学年|年度|年底|年末|年)?的?|\d{1,2}月\d{1,2}日|截[止至]", "", text)
    t = text.strip(" ,，;；:：、")
    t = re.sub(r"^\s*(\d+[.、)]|[一二三四五六七八九十]+[是、]|\(\d+\)|[(（][一二三四五六七八九十]+[)）])", "", t)
    t = re.sub(r"^(?:从|在|按)?[\u4e00-\u9fff]{0,6}(?:看|分)[,，]", "", t)
    for _ in range(3):
        t2 = FILLERS.sub("", t).strip(" ,;:、")
        if t2 == t:
            break
        t = t2
    t = re.sub(r"(比上一?年度?|与上年相比|较上年)$", "", t)
    return t[-24:]


def _year(text) -> int | None:
    if not text:
        return None
    m = re.search(r"(\d{4})\s*(年|学年)", half_width(text))
    if m and 1990 <= int(m.group(1)) <= 2100:
        r = re.findall(r"\d{4}", half_width(text))
        return int(r[-1]) if "学年" in text else int(m.group(1))
    return None


def _label_unit(text: str) -> tuple[str, str]:
    """"学校数（所）" → ("学校数", "所"); "生均教学仪器 设备值（元）" → ("生均教学仪器设备值", "元")."""
    t = half_width(text or "").replace("\n", "").replace(" ", "")
    m = re.search(r"\(([^()]{1,6})\)$", t)
    unit = ""
    if m and (m.group(1) in UNITS or m.group(1) in ("%", "万元", "亿元")):
        unit = m.group(1)
        t = t[: m.start()]
    return t, unit


def guess_report_year(source: Source) -> int | None:
    """The year a report is about: the year of its title (…2020年度…报告), else the year its
    text names most often."""
    counts: dict[int, int] = {}
    for b in source.blocks[:400]:
        t = half_width(b.text or "")
        m = re.search(r"(\d{4})\s*年度?.{0,20}报告", t)
        if m and b.where.para and b.where.para <= 3:
            return int(m.group(1))
        for y in re.findall(r"(?<!\d)(\d{4})\s*年", t):
            y = int(y)
            if 1990 <= y <= 2100:
                counts[y] = counts.get(y, 0) + 1
    if not counts:
        return None
    return max(counts, key=lambda y: (counts[y], y))


def extract(source: Source, lexicon: Lexicon, report_year: int | None = None) -> tuple[list[Claim], list[dict]]:
    ex = Extractor(source, lexicon, report_year)
    claims = ex.run()
    lexicon.map_all(claims, ex.tables)
    return claims, ex.tables
