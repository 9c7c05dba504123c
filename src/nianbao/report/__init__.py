"""Publishing (报告): the document model built from the outline, charts, and the output formats.

    document.py      the document model: headings, paragraphs of runs, tables, charts
    builder.py       the walk over the outline with a build context (BuildContext)
    blocks/          one module a block kind of the outline (sentence, list, narrative, table …)
    tables/          one module a table layout (periods_as_rows, comparison, attainment …)
    renderers/       one module an output format (docx, html, pdf)
    wording.py       the report's words, from the catalogue (outline.yaml ``phrases``)
    registry.py      the registries the three folders fill, module by module

Adding a block kind, a table layout or an output format is adding a module to its folder.
"""
