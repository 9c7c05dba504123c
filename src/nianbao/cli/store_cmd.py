"""``nianbao store``: what the store of imported school workbooks holds (nianbao.app.stored).

    nianbao store list DATASET                       the school-years held, with counts and origin
    nianbao store remove DATASET SCHOOL YEAR [--by NAME] [--reason TEXT]
                                                     remove one school-year's figures (audited)
    nianbao store log DATASET                        who removed what, when, how many rows

Exit status: 0 done, 2 a request that cannot be carried out (no such folder, nothing held)."""

from __future__ import annotations

from nianbao.cli import common


def add_arguments(p) -> None:
    sub = p.add_subparsers(dest="store_command", metavar="操作/action", required=True)
    ls = sub.add_parser("list", help="列出数据库中已有的学校与年度 / list the school-years stored",
                        description="列出数据库中已有的学校与年度\nlist the school-years stored")
    ls.add_argument("dataset", help="数据集文件夹 / dataset folder")
    rm = sub.add_parser("remove", help="删除一所学校一个年度的数据（留有记录） / remove one school-year (audited)",
                        description="删除一所学校一个年度的数据，并记录删除人、时间与行数\n"
                                    "remove one school-year's figures, recording who, when and how many rows")
    rm.add_argument("dataset", help="数据集文件夹 / dataset folder")
    rm.add_argument("school", help="学校标识码 / school code")
    rm.add_argument("year", type=int, help="年度 / year")
    rm.add_argument("--by", default="", help="删除人（默认为当前登录用户名） / who removes it (default: login name)")
    rm.add_argument("--reason", default="", help="删除原因 / why")
    lg = sub.add_parser("log", help="删除记录 / the record of removals",
                        description="删除记录：谁在何时删除了哪所学校哪一年度的多少行数据\n"
                                    "the record of removals: who removed which school-year, when, how many rows")
    lg.add_argument("dataset", help="数据集文件夹 / dataset folder")


def _when(t) -> str:
    return f"{t:%Y-%m-%d %H:%M:%S}" if t else "—"


def run(args) -> int:
    from nianbao.app.errors import StoreError, UseCaseError
    from nianbao.app.stored import holdings, remove
    try:
        if args.store_command == "remove":
            r = remove(args.dataset, args.school, args.year, args.by, args.reason)
            print(f"已删除 {r.org_unit} {r.period}年度：{r.observations} 项数据、{r.majors} 个专业"
                  f"（删除人 {r.removed_by}，{_when(r.removed_at)}；记录见 nianbao store log）")
            return 0
        h = holdings(args.dataset)
    except UseCaseError as exc:
        return common.fail_use("store", exc)
    except StoreError as exc:
        return common.fail("store", str(exc), "确认没有其他程序正在写入该数据库")
    if args.store_command == "log":
        print(f"数据库 {h.location} 的删除记录（{len(h.removals)} 条）：")
        for r in h.removals:
            reason = f"；原因：{r.reason}" if r.reason else ""
            print(f"  {_when(r.removed_at)}  {r.removed_by}  删除 {r.org_unit} {h.names.get(r.org_unit, '')} "
                  f"{r.period}年度 {r.observations} 项数据、{r.majors} 个专业{reason}")
        return 0
    print(f"数据库 {h.location} 中有 {len(h.held)} 个学校年度的数据：")
    for x in h.held:
        origin = f"导入自 {x.file}" if x.file else ""
        print(f"  {x.org_unit} {h.names.get(x.org_unit, '')}  {x.period}年度  {x.observations} 项数据、"
              f"{x.majors} 个专业  {_when(x.imported_at)} {origin}".rstrip())
    if h.removals:
        print(f"另有 {len(h.removals)} 条删除记录，见 nianbao store log {args.dataset}")
    return 0
