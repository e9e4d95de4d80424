"""Names that carry an index and a condition, as CS229 writes naive Bayes:
`\\phi_{j|y=1}` is p(x_j = 1 | y = 1), one number per word j.

A key whose subscript is a declared index, a bar and a condition `name=value`
declares a family in that index; the condition is part of the family's name
(`\\phi_{l|y=1}` is its member l, and `\\phi_{j|y=0}` another family). A subscript
whose condition mentions the index (`\\mu_{t|t-1}`, `\\Sigma_{t|t=1}`) stays one
literal name, as before.
"""

from __future__ import annotations

import re

_SCRIPT = re.compile(r"^\s*(\\?[A-Za-z]+)\s*\|\s*((?:\\?[A-Za-z]+)\s*=\s*[^|=]+?)\s*$")
_BASE = re.compile(r"^(.*)_\{(\\?[A-Za-z]+)\|(.+)\}$")


def split(script: str | None, indices: set[str]) -> tuple[str, str] | None:
    """(index, condition) of a subscript such as `j|y=1`, if it is one."""
    if script is None:
        return None
    m = _SCRIPT.match(script)
    if not m or m.group(1) not in indices:
        return None
    index, condition = m.group(1), re.sub(r"\s+", "", m.group(2))
    if re.search(rf"(?<![A-Za-z\\]){re.escape(index)}(?![A-Za-z])", condition):
        return None
    return index, condition


def base_name(letter: str, index: str, condition: str) -> str:
    """The family's name: its key without spaces, `\\phi_{j|y=1}`."""
    return f"{letter}_{{{index}|{condition}}}"


def parts_of(base: str) -> tuple[str, str] | None:
    """(letter, condition) of a family named by `base_name`, else None."""
    m = _BASE.match(base)
    return (m.group(1), m.group(3)) if m else None
