"""Ingest stage: read datasets (CSV/YAML/Markdown folders) and school workbooks."""
