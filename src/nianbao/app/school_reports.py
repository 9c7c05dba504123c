"""The use case "school reports" (学校年报): which school of the registry a report can be built
for, why not (an unknown, closed or merged school — with the code probably meant), and the
reports of every school active in the report year, each in a folder named by its 学校标识码,
checking the dataset once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from nianbao.app.checking import run_check
from nianbao.app.errors import ReportError, SelfCheckError, UseCaseError
from nianbao.app.reporting import BuildResult, build_report, find_school

STATE_ZH = {"merged": "已合并", "closed": "已停办"}


def school_problem(dataset, code: str) -> UseCaseError | None:
    """Why no report can be built for school ``code`` of ``dataset`` (None when one can): not a
    school of the registry (with the code meant where only leading zeros are missing, or a few
    schools of the registry), not active in the report year, or no registry at all."""
    org = find_school(dataset, code)
    year = dataset.report_year
    if org is not None and org.active_in(year):
        return None
    if org is not None:
        state = STATE_ZH.get(org.status, "不在办")
        since = f"（{org.closed}年起）" if org.closed else ""
        return UseCaseError(f"{org.code} {org.zh}{state}{since}，{year}年没有该校的年报",
                            f"school {org.code} is not active in {year}")
    reg = dataset.orgs
    if reg is None:
        return UseCaseError(f"数据集 {dataset.path} 没有机构表 orgs.csv，无法按学校生成报告",
                            "the dataset has no orgs.csv: no school reports")
    schools = reg.schools()
    near = [o for o in schools if code.isdigit() and o.code == code.zfill(10)]
    notes = []
    if near:
        notes.append((f"是否是 {near[0].code}（{near[0].zh}）？学校标识码为10位，开头的0不能省略",
                      "did you mean it? codes have 10 digits, leading zeros kept"))
    elif schools:
        listed = "、".join(f"{o.code} {o.zh}" for o in schools[:3])
        notes.append((f"机构表中共有 {len(schools)} 所学校，例如：{listed}", f"{len(schools)} schools, e.g. as listed"))
    return UseCaseError(f"机构表（{dataset.path / 'orgs.csv'}）中没有学校标识码为 {code} 的学校",
                        f"no school {code} in orgs.csv", "学校标识码为10位数字（保留开头的0），见数据集的 orgs.csv", notes)


def active_schools(dataset) -> list:
    """The schools of the dataset's unit (or of the whole registry) active in the report year;
    UseCaseError when there is none."""
    reg = dataset.orgs
    schools = [o for o in (reg.schools(under=dataset.org_unit.code) or reg.schools())
               if o.active_in(dataset.report_year)] if reg is not None else []
    if not schools:
        raise UseCaseError(f"数据集 {dataset.path} 的机构表中没有{dataset.report_year}年在办的学校", "no active schools")
    return schools


@dataclass
class SchoolReport:
    """One school's report of a batch: the school (an org of the registry) and the build's
    result, or the error that stopped it (ReportError: data errors; SelfCheckError)."""

    org: object
    result: BuildResult | None = None
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        return self.result is not None


def build_school_reports(dataset, outdir: str | Path, template=None, allow_errors: bool = False, pdf: bool = True,
                         progress: Callable[[SchoolReport, int, int], None] | None = None,
                         appendix: bool = False) -> list[SchoolReport]:
    """The report of every active school (active_schools) into ``outdir``/<学校标识码>/; the
    dataset is checked once. A school whose report is stopped by its data (or the self-check)
    is listed with its error and the others are still built. ``progress(report, done, total)``
    is called after each school. Raises UseCaseError when no school is active."""
    schools = active_schools(dataset)
    findings = run_check(dataset)
    out = []
    for n, org in enumerate(schools, start=1):
        try:
            report = SchoolReport(org, build_report(dataset, Path(outdir) / org.code, template=template,
                                                    allow_errors=allow_errors, pdf=pdf, school=org.code,
                                                    findings=findings, appendix=appendix))
        except (ReportError, SelfCheckError) as exc:
            report = SchoolReport(org, error=exc)
        out.append(report)
        if progress is not None:
            progress(report, n, len(schools))
    return out
