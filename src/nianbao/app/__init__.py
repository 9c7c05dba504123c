"""The use cases (用例) of nianbao: check a dataset, build a report, make and import school
workbooks, indicator and standards tables. The command line and the web portal call these and
nothing below them."""
