"""Claims (印发值): the figures a published report printed — read as printed (``reading``),
recomputed from the dataset (``recomputing``) and explained where they do not match
(``explaining``). The rule kind ``claim`` (nianbao.check.kinds.claim) puts them together."""
