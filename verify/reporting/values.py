"""A counterexample as a reader of the page writes it.

The checker names a family member by its base and index values (`x[1]`,
`\\mu[2]`); the page writes `x^{(1)}` and `\\mu_2`. The declarations say which
index is a subscript and which a superscript, so the names are rebuilt from
them here. Values come as the checker shows them (integers, `p/q` strings,
decimal strings, and lists of those for vectors and matrices); each gets its
exact LaTeX, a decimal beside it, and the two sides get their difference.

Plain Python (`fractions`), no SymPy: a page rendered from the cache must not
pay for importing it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from verify.model import Declaration
from verify.reading import conditioned

_MEMBER = re.compile(r"^(?P<base>.+)\[(?P<indices>[^\[\]]*)\]$")
_RATIONAL = re.compile(r"^\s*(-?\d+)\s*/\s*(\d+)\s*$")
_INTEGER = re.compile(r"^\s*-?\d+\s*$")
_DECIMAL = re.compile(r"^\s*-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$")

Number = Fraction | float


def member_name(name: str, declarations: Sequence[Declaration]) -> str:
    """`x[1]` -> `x^{(1)}`, `w[2,1]` -> `w_{2}^{(1)}`, as the page declares them.

    A name that is no family member (or whose family is unknown) is returned
    unchanged: it is already written as on the page."""
    match = _MEMBER.match(name)
    if not match:
        return name
    decl = next((d for d in declarations if d.base == match["base"] and d.indices), None)
    values = [v.strip() for v in match["indices"].split(",")]
    if decl is None or len(values) != len(decl.indices):
        return name
    subs, sups = values[: len(decl.subscripts)], values[len(decl.subscripts) :]
    out = decl.letter or decl.base  # `x` of a family `x_n` named apart from a plain `x`
    named_with_condition = conditioned.parts_of(decl.base)  # `\\phi_{j|y=1}`
    if named_with_condition and len(subs) == 1:
        letter, condition = named_with_condition
        out, subs = f"{letter}_{{{subs[0]}|{condition}}}", []
    if subs:
        out += "_{" + _joined(subs) + "}"
    if sups:
        inner = _joined(sups)
        out += "^{(" + inner + ")}" if decl.superscript_parenthesized else "^{" + inner + "}"
    return out


def _joined(values: list[str]) -> str:
    """Index values side by side (`12` for 1, 2) unless one has several digits."""
    return ("," if any(len(v) > 1 for v in values) else "").join(values)


def number(value: Any) -> Number | None:
    """The number a shown value stands for: exact for integers and `p/q`."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        return value
    if isinstance(value, str):
        if _INTEGER.match(value):
            return Fraction(int(value))
        rational = _RATIONAL.match(value)
        if rational:
            return Fraction(int(rational.group(1)), int(rational.group(2)))
        if _DECIMAL.match(value):
            return float(value)
    return None


def _grid(value: Any) -> list[list[Any]] | None:
    """A vector as one column, a matrix as its rows, a number as 1 × 1."""
    if isinstance(value, list | tuple):
        if value and all(isinstance(row, list | tuple) for row in value):
            return [list(row) for row in value]
        return [[x] for x in value]
    return None


def exact_latex(value: Any) -> str:
    """LaTeX of a value as exactly as it was shown: `-\\frac{3}{2}`, a `pmatrix`."""
    grid = _grid(value)
    if grid is not None:
        rows = " \\\\ ".join(" & ".join(exact_latex(x) for x in row) for row in grid)
        return "\\begin{pmatrix} " + rows + " \\end{pmatrix}"
    n = number(value)
    if isinstance(n, Fraction) and n.denominator != 1:
        sign = "-" if n < 0 else ""
        return f"{sign}\\frac{{{abs(n.numerator)}}}{{{n.denominator}}}"
    if isinstance(n, Fraction):
        return str(n.numerator)
    return _latex_text(str(value))


def _latex_text(text: str) -> str:
    if _DECIMAL.match(text):
        mantissa, _, exponent = text.strip().lower().partition("e")
        return mantissa + (f" \\times 10^{{{int(exponent)}}}" if exponent else "")
    return "\\text{" + re.sub(r"[\\{}$&#^_%~]", " ", text) + "}"


def decimal(n: Number) -> str:
    """Six significant digits, written without an exponent for ordinary sizes."""
    x = float(n)
    if x == 0:
        return "0"
    if 1e-4 <= abs(x) < 1e7:
        text = f"{x:.6g}"
        return text if "e" not in text else f"{x:.6f}".rstrip("0").rstrip(".")
    mantissa, exponent = f"{x:.5e}".split("e")
    return f"{mantissa.rstrip('0').rstrip('.')} \\times 10^{{{int(exponent)}}}"


def decimal_latex(value: Any) -> str | None:
    """The value's decimals, or None when they would only repeat it (integers)."""
    grid = _grid(value)
    if grid is not None:
        cells = [[number(x) for x in row] for row in grid]
        if any(c is None for row in cells for c in row):
            return None
        if not any(_is_fraction(c) for row in cells for c in row):
            return None
        rows = " \\\\ ".join(" & ".join(decimal(c) for c in row if c is not None) for row in cells)
        return "\\begin{pmatrix} " + rows + " \\end{pmatrix}"
    n = number(value)
    return decimal(n) if n is not None and _is_fraction(n) else None


def _is_fraction(n: Number | None) -> bool:
    """A non-integer exact number: the kind whose decimals say something new."""
    return isinstance(n, Fraction) and n.denominator != 1


def difference(left: Any, right: Any) -> Any | None:
    """left − right, entry by entry, exact where both are exact; None if unknown."""
    lg, rg = _grid(left), _grid(right)
    if lg is not None or rg is not None:
        if lg is None or rg is None or [len(r) for r in lg] != [len(r) for r in rg]:
            return None
        rows = [
            [difference(a, b) for a, b in zip(lr, rr, strict=True)]
            for lr, rr in zip(lg, rg, strict=True)
        ]
        if any(x is None for row in rows for x in row):
            return None
        is_vector = not (isinstance(left, list) and left and isinstance(left[0], list))
        return [row[0] for row in rows] if is_vector else rows
    a, b = number(left), number(right)
    if a is None or b is None:
        return None
    d = a - b
    if isinstance(d, Fraction):
        return str(d.numerator) if d.denominator == 1 else f"{d.numerator}/{d.denominator}"
    return repr(d)
