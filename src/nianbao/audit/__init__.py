"""Auditing a published report (审核已印发的报告): read a DOCX, PDF, HTML or text report, take
the figures it prints as claims (counts with units, percentages and what they are a share of,
ratios, changes, breakdowns, table and chart cells, each with where it was printed), map them to
the catalogue where the label allows, and check the report against itself — and, given a
dataset, against the data as ``nianbao check`` does.

``readers`` turn a file into blocks (paragraphs, tables, chart data); ``extract`` turns blocks
into claims; ``selfcheck`` finds the contradictions; ``output`` writes findings and claims.
"""
