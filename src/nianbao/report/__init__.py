"""Publishing: the document model from the outline, charts, Word, HTML and PDF."""
