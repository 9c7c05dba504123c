"""The use cases (用例) of nianbao, which the command line and the web portal call, and nothing
below them. Each returns data (a dataset, findings, paths, rows, results) and prints nothing;
what it cannot do it raises as one of the errors of nianbao.app.errors.

    datasets        open_dataset: a dataset folder read completely, or one clear failure
    checking        check: every finding (rules, claims, the outline's gaps); findings as text or a file
    reporting       build_report: Word, HTML (PDF) of the dataset's unit or of one school
    school_reports  the reports of every active school; why a school code has no report
    templates       the school workbook (学校数据填报表) of one school or of every school
    imports         filled workbooks read, stored or sent back with an annotated copy
    standards       which school meets which standard, as rows
"""
