"""The kinds of rule nianbao knows, one module a kind; importing this package registers them all
(``nianbao.check.registry``). A new kind is a new module here, listed below."""

from nianbao.check.kinds import (  # noqa: F401
    breakdown,
    claim,
    compare,
    range,
    reconcile,
    scope,
    stock_flow,
    year_over_year,
)
