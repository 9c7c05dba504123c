"""The base class of every error nianbao raises on purpose (bad input, an inconsistent catalogue,
a report that cannot be built). Anything else that escapes is a defect in nianbao."""

from __future__ import annotations


class NianbaoError(Exception):
    """An expected failure whose message is meant for the user."""
