"""nianbao 年报 — annual quality reports of secondary vocational education.

The data flows through one folder per stage: ``ingest`` (read datasets and workbooks),
``store`` (the embedded database), ``check`` (rules and findings), ``compute`` (facts from
the catalogue's indicators) and ``report`` (Word, HTML, PDF). ``catalogue`` holds the domain
as data; ``cli`` is a thin layer over the library.
"""

__version__ = "0.1.0"
