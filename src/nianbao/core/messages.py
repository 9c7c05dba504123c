"""The error catalogue (提示目录): every finding code nianbao raises outside the catalogue's rules,
with its severity, Chinese and English message and how-to-fix line, as data in
``core/messages/<area>.yaml`` (one file an area: ingest, dataset, orgs, majors, store, aggregate,
import, rules …). The rules of a catalogue version (``catalogue/<version>/rules.yaml``) carry
their own messages.

An entry is a code (``area.name``) with ``severity``, ``zh``, ``en``, ``hint`` and ``hint_en``.
Where one code stands for several reasons (a dataset folder that cannot be read: no folder, no
dataset.yaml, a file that is not UTF-8 …), the entry holds ``cases``, each with its own four
texts, and is raised as ``finding("dataset.unreadable:no_folder", …)``: the finding's code stays
``dataset.unreadable``. Placeholders in braces are filled from the values of the finding; a list
is written 甲、乙 in Chinese and a, b in English.

Words and phrases that are not findings — how a row of a file is named, the column headers of a
findings table — live in ``core/messages/phrases/<area>.yaml`` and are read by ``phrase``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml where present: the same result, faster

from nianbao.core.findings import SEVERITIES, Finding, Location

HERE = Path(__file__).parent / "messages"
TEXTS = ("zh", "en", "hint", "hint_en")
LIST_SEPARATOR = {"zh": "、", "en": ", "}


def _entries(path: Path):
    with path.open(encoding="utf-8") as f:
        doc = yaml.load(f, Loader=_LOADER) or {}
    for code, entry in doc.items():
        if not isinstance(entry, dict) or entry.get("severity") not in SEVERITIES:
            raise ValueError(f"{path.name}: {code} needs a severity ({', '.join(SEVERITIES)})")
        cases = entry.get("cases")
        if cases is None:
            yield code, entry
            continue
        for case, texts in cases.items():
            yield f"{code}:{case}", {"severity": entry["severity"], **texts}


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """Every message by its id (the code, or ``code:case``): severity and the four texts."""
    out: dict[str, dict[str, str]] = {}
    for path in sorted(HERE.glob("*.yaml")):
        for key, entry in _entries(path):
            if key in out:
                raise ValueError(f"{path.name}: finding code {key} defined twice")
            missing = [t for t in TEXTS if not entry.get(t)]
            extra = set(entry) - {"severity", *TEXTS}
            if missing or extra:
                raise ValueError(f"{path.name}: {key} lacks {missing} or has unknown keys {sorted(extra)}")
            out[key] = entry
    return out


class _Keep(dict):
    """Leave a placeholder without a value visible rather than failing."""

    def __missing__(self, key):
        return "{" + key + "}"


def _fill(values: dict, lang: str) -> _Keep:
    sep = LIST_SEPARATOR[lang]
    return _Keep({k: ("" if v is None else sep.join(str(x) for x in v) if isinstance(v, (list, tuple)) else v)
                  for k, v in values.items()})


def entry(key: str) -> dict[str, str]:
    """The catalogue entry of a message id; a clear error for an id the catalogue lacks."""
    try:
        return catalogue()[key]
    except KeyError:
        raise KeyError(f"finding code {key!r} is not in the error catalogue "
                       "(add it to the file of its area in nianbao/core/messages/)") from None


def finding(key: str, location: Location | None = None, /, *, period=None, org_unit: str = "",
            text: dict | None = None, **values) -> Finding:
    """A finding of message ``key`` (``code`` or ``code:case``) with its texts filled from
    ``values`` (kept in the finding) and ``text`` (pieces for the texts only: names, lists);
    ``{period}`` in a text is the finding's period."""
    m = entry(key)
    every = {**({"period": period} if period is not None else {}), **values, **(text or {})}
    zh, en = _fill(every, "zh"), _fill(every, "en")
    return Finding(code=key.split(":", 1)[0], severity=m["severity"], message_zh=m["zh"].format_map(zh),
                   message_en=m["en"].format_map(en), hint=m["hint"].format_map(zh),
                   hint_en=m["hint_en"].format_map(en), location=location or Location(),
                   period=period, org_unit=org_unit, values=values)


def message(key: str, lang: str = "zh", **values) -> str:
    """The message of ``key`` alone, in one language (for an exception that is not a finding)."""
    m = entry(key)
    return m["zh" if lang == "zh" else "en"].format_map(_fill(values, lang))


@lru_cache(maxsize=1)
def phrases() -> dict[str, dict[str, str]]:
    """Words and phrases by key (``area.name``): {"zh": …, "en": …}."""
    out: dict[str, dict[str, str]] = {}
    for path in sorted((HERE / "phrases").glob("*.yaml")):
        with path.open(encoding="utf-8") as f:
            for key, texts in (yaml.load(f, Loader=_LOADER) or {}).items():
                if key in out:
                    raise ValueError(f"phrases/{path.name}: {key} defined twice")
                out[key] = texts
    return out


def phrase(key: str, lang: str = "zh", **values) -> str:
    """A phrase in ``lang`` with its placeholders filled; KeyError names a key that is missing."""
    try:
        texts = phrases()[key]
    except KeyError:
        raise KeyError(f"phrase {key!r} is not in nianbao/core/messages/phrases/") from None
    return texts[lang].format_map(_fill(values, lang))
