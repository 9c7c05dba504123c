"""``nianbao outlines``: the catalogue versions, the report types each serves and their parts
(required ones marked), with the indicator tables of the annex."""

from __future__ import annotations

import sys


def add_arguments(p) -> None:
    p.add_argument("--version", metavar="VERSION", dest="catalogue_version",
                   help="只列出该目录版本（如 cn-2023） / only this catalogue version (e.g. cn-2023)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="语言：zh（默认）或 en / language")
    p.add_argument("--sections", action="store_true", help="同时列出各部分的节 / list the sections of each part too")


def _years(v, en: bool) -> str:
    if v.valid_from is None:
        return ""
    if en:
        return f"{v.valid_from}–{v.valid_to}" if v.valid_to != v.valid_from else f"{v.valid_from}"
    return f"{v.valid_from}—{v.valid_to}年度" if v.valid_to != v.valid_from else f"{v.valid_from}年度"


def run(args) -> int:
    from nianbao.app.errors import UseCaseError
    from nianbao.app.outlines import describe, versions
    en = args.lang == "en"
    try:
        wanted = [args.catalogue_version] if args.catalogue_version else versions()
        described = [describe(v) for v in wanted]
    except UseCaseError as exc:
        print(f"错误：{exc.zh} / {exc.en}", file=sys.stderr)
        return 2
    out = []
    for v in described:
        ext = (f" (extends {v.extends})" if en else f"（扩展 {v.extends}）") if v.extends else ""
        out.append(f"{v.id}  {v.en if en else v.zh}  {_years(v, en)}{ext}")
        if v.notice and not en:
            out.append(f"  依据：{v.notice}")
        for t in v.types:
            out.append(f"  {t.id}: {t.en if en else t.zh}")
            for p in t.parts:
                mark = (" (required)" if en else "（必备）") if p.required else ""
                label = p.en if en else p.zh
                out.append(f"    {label}{mark}" if p.id in (p.zh, "") else f"    {p.id} {label}{mark}")
                if args.sections:
                    for sid, zh, sen in p.sections:
                        out.append(f"      {sid} {sen if en else zh}")
        if v.annex:
            status = f" — {v.annex_status}" if v.annex_status and not en else (" — to be checked against the official annex" if v.annex_status else "")
            out.append(("  annex (indicator tables)" if en else "  附件（指标表）") + status)
            for number, zh, aen, rows in v.annex:
                out.append(f"    {number} {aen if en else zh} ({rows} rows)" if en else f"    {number} {zh}（{rows}行）")
        out.append("")
    sys.stdout.write("\n".join(out))
    return 0
