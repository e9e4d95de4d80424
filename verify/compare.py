"""Compare values exactly, or to a stated tolerance, and show them small.

Rationals are compared exactly. Anything transcendental is evaluated to
`DIGITS` significant digits and compared relatively, so 2^-99 and 2^-98, or
10^-30 and 0, are never confused; a value SymPy cannot resolve at all (it
cancelled to nothing) counts as zero.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from verify import terms as T
from verify.dual import Dual, Mat, exact_mode
from verify.terms import Undefined

DIGITS = 60
RELATIVE_TOLERANCE = sp.Float("1e-40", DIGITS)
TOLERANCE_TEXT = f"exact, or relative 1e-40 at {DIGITS} significant digits"
CLEAR = sp.Float("1e-25", DIGITS)  # a float difference smaller than this is re-decided exactly


class Ambiguous(Exception):
    """Floats cannot tell: decide this instance again with exact values."""


_NUMBERS: dict[Any, Any] = {}


def number(v: Any) -> sp.Expr:
    """The real number a value stands for: exact if rational, else to `DIGITS`."""
    if isinstance(v, Dual):
        raise T.EvaluationError("internal: a derivative part escaped its derivative")
    v = sp.sympify(v)
    if v.is_Rational:
        return v
    known = _NUMBERS.get(v)
    if known is None:
        if len(_NUMBERS) > 20_000:
            _NUMBERS.clear()
        try:
            known = _numeric(v)
        except Undefined as err:
            known = err
        _NUMBERS[v] = known
    if isinstance(known, Undefined):
        raise known
    return known


def _numeric(v: sp.Expr) -> sp.Expr:
    if v.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise Undefined("not finite")
    if v.is_Rational:
        return v
    n = v.evalf(DIGITS)
    re, im = n.as_real_imag()
    if im != 0 and not (isinstance(im, sp.Float) and im._prec < 30):
        if abs(im) > sp.Float("1e-45") * max(abs(re), 1):
            raise Undefined("not real")
    if isinstance(re, sp.Float) and re._prec < 30:
        return sp.Integer(0)  # cancelled to nothing SymPy could resolve: zero
    if not re.is_number:
        raise Undefined("not a number")
    return re


def same(a: Any, b: Any) -> bool:
    """Exact equality, or agreement to `RELATIVE_TOLERANCE`; raises `Undefined`."""
    if isinstance(a, Mat) or isinstance(b, Mat):
        if not isinstance(a, Mat):
            a, b = b, a
        if not isinstance(b, Mat):
            return all(same(x, b) for x in a) if number(b) == 0 else False
        if a.shape != b.shape:
            return False
        return all(same(x, y) for x, y in zip(a, b, strict=True))
    x, y = number(a), number(b)
    if x.is_Rational and y.is_Rational:
        return bool(x == y)
    scale = max(abs(x), abs(y))
    if scale == 0:
        return True
    gap = abs(x - y)
    if gap <= RELATIVE_TOLERANCE * scale:
        return True
    if not exact_mode() and (scale < CLEAR or gap < CLEAR * scale):
        raise Ambiguous("too close to call with floats")
    return False


def ordered(x: Any, y: Any, relation: str) -> bool:
    """`x relation y` for two real numbers; raises `Ambiguous` on a float near-tie."""
    a, b = number(x), number(y)
    slack = RELATIVE_TOLERANCE * max(abs(a), abs(b), 1)
    if not exact_mode() and not (a.is_Rational and b.is_Rational):
        if abs(a - b) < CLEAR * max(abs(a), abs(b), 1):
            raise Ambiguous("too close to call with floats")
    return bool({"\\le": a <= b + slack, "\\ge": a + slack >= b, "<": a < b, ">": a > b}[relation])


def check_defined(v: Any) -> None:
    for x in list(v) if isinstance(v, Mat) else [v]:
        number(x)


def show(v: Any) -> Any:
    """A small JSON-friendly rendering of a value."""
    if isinstance(v, Mat):
        if v.cols == 1:
            return [show(x) for x in v]
        return [[show(x) for x in row] for row in v.data]
    if isinstance(v, int):
        return v
    v = sp.sympify(v)
    if v.is_Integer:
        return int(v)
    if v.is_Rational:
        return str(v)
    try:
        return str(sp.N(v, 12))
    except (TypeError, ValueError):
        return str(v)
