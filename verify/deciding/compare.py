"""Compare values: exactly where possible, and show them small.

Rationals are compared exactly. An irrational difference is decided with
SymPy's adaptive evaluation of `lhs - rhs` itself, which resolves cancellation
to 60 significant digits of the difference: sin(10^-30) and 10^-30, or e^1000 + 1
and e^1000, are told apart; a difference SymPy cannot resolve from zero at all
(below about 10^-150 of its terms) counts as zero.

The fast passes (`verify.meaning.dual.fast_numbers`) compare P-digit floats
(P = 100, then 400) and claim equality only to 10^-80 relative, for values
between 10^-(P-80) and 10^(P-80), so that a cancellation of terms of size 1
(an absolute error of 10^-P) cannot reach the claimed digits; anything closer,
or tinier, or huger, is `Ambiguous` and decided again with more digits, and
finally exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sympy as sp

from verify.errors import Ambiguous, EvaluationError, Undefined
from verify.meaning.dual import FAST_DIGITS, Dual, Mat, exact_mode, fast_digits

DIGITS = 60
RELATIVE_TOLERANCE = sp.Float("1e-80", FAST_DIGITS)  # fast pass only
TOLERANCE_TEXT = (
    "rational values exactly; irrational values to a relative 1e-80 (100- or 400-digit"
    " floats),"
    " with near ties, tiny or huge values and every failure decided from the exact"
    " difference evaluated to 60 significant digits"
)
CLEAR = sp.Float("1e-25", FAST_DIGITS)  # a float difference smaller than this is re-decided
CLAIMED_DIGITS = 80  # the digits a fast pass claims (RELATIVE_TOLERANCE)


def _fast_bits() -> int:
    """A fast float with fewer bits of precision than this has lost digits."""
    return int(fast_digits() * 3.32) - 32


_WINDOWS: dict[int, tuple[sp.Float, sp.Float]] = {}


def _ordinary(scale: sp.Expr) -> bool:
    """Whether a value is of a size the current fast pass can vouch for."""
    digits = fast_digits()
    if digits not in _WINDOWS:
        margin = digits - CLAIMED_DIGITS
        _WINDOWS[digits] = (sp.Float(f"1e-{margin}", 30), sp.Float(f"1e{margin}", 30))
    low, high = _WINDOWS[digits]
    return bool(low <= scale <= high)


MAXN = 100  # SymPy's default working precision limit, in digits
MAXN_PRECISE = 2000  # for a step without free symbols: one number, decided once
_precision = {"maxn": MAXN}


@contextmanager
def precise(on: bool = True) -> Iterator[None]:
    """Within the block, exact differences may use up to `MAXN_PRECISE` digits, so that
    log(10¹⁰⁰ + 1) and 100 log 10 are told apart."""
    previous = _precision["maxn"]
    _precision["maxn"] = MAXN_PRECISE if on else previous
    try:
        yield
    finally:
        _precision["maxn"] = previous


_NUMBERS: dict[Any, Any] = {}


def number(v: Any) -> sp.Expr:
    """The real number a value stands for: exact if rational, else to `DIGITS`."""
    if isinstance(v, Dual):
        raise EvaluationError("internal: a derivative part escaped its derivative")
    v = sp.sympify(v)
    if v.is_Rational:
        return v
    if not exact_mode() and v.is_Float and v._prec < _fast_bits():
        # A float that lost digits (sin π, a cancellation): it proves nothing.
        raise Ambiguous("a float lost its precision")
    key = (v, exact_mode(), fast_digits(), _precision["maxn"])
    known = _NUMBERS.get(key)
    if known is None:
        if len(_NUMBERS) > 20_000:
            _NUMBERS.clear()
        try:
            known = _numeric(v)
        except Undefined as err:
            known = err
        _NUMBERS[key] = known
    if isinstance(known, Undefined):
        raise known
    if not exact_mode() and known.is_Float and known._prec < _fast_bits():
        raise Ambiguous("a float lost its precision")
    return known


def _evalf(v: sp.Expr, digits: int) -> sp.Expr:
    """`digits` significant digits of v, with SymPy's working precision limited to
    `MAXN` digits (`MAXN_PRECISE` inside `precise`)."""
    return v.evalf(digits, maxn=_precision["maxn"])


def _numeric(v: sp.Expr) -> sp.Expr:
    if v.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise Undefined("not finite")
    if v.is_Rational:
        return v
    n = v if v.is_Float else _evalf(v, fast_digits() if not exact_mode() else DIGITS)
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
    if exact_mode():
        return _sign_of_difference(a, b) == 0
    scale = max(abs(x), abs(y))
    if scale == 0:
        return True
    if not _ordinary(scale):
        raise Ambiguous("a tiny or huge value: decide it exactly")
    gap = abs(x - y)
    if gap <= RELATIVE_TOLERANCE * scale:
        return True
    if gap < CLEAR * scale:
        raise Ambiguous("too close to call with floats")
    return False


def agreeing_ends(left: list[Any], right: list[Any]) -> tuple[int, int]:
    """How many leading and trailing values two lists of factors share (`same`),
    leaving at least one factor on each side between them."""
    room = min(len(left), len(right))
    start = 0
    while start < room - 1 and same(left[start], right[start]):
        start += 1
    end = 0
    while end < room - start - 1 and same(left[-1 - end], right[-1 - end]):
        end += 1
    return start, end


def _sign_of_difference(a: Any, b: Any) -> int:
    """-1, 0 or 1: the sign of the exact a - b, by adaptive evaluation of the difference."""
    difference = sp.sympify(a) - sp.sympify(b)
    if difference == 0:
        return 0
    n = _evalf(difference, DIGITS)
    re, _ = n.as_real_imag()
    if re == 0 or (isinstance(re, sp.Float) and re._prec < 30):
        return 0  # no digit of the difference could be resolved from zero
    if not re.is_number:
        raise Undefined("not a number")
    return 1 if re > 0 else -1


def ordered(x: Any, y: Any, relation: str) -> bool:
    """`x relation y` for two real numbers; raises `Ambiguous` on a float near-tie."""
    a, b = number(x), number(y)
    if a.is_Rational and b.is_Rational:
        sign = int(bool(a > b)) - int(bool(a < b))
    elif exact_mode():
        sign = _sign_of_difference(x, y)
    else:
        scale = max(abs(a), abs(b))
        gap = abs(a - b)
        if not _ordinary(scale) or gap < CLEAR * scale:
            raise Ambiguous("too close to call with floats")
        sign = 1 if a > b else -1
    return {"\\le": sign <= 0, "\\ge": sign >= 0, "<": sign < 0, ">": sign > 0}[relation]


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
        v = sp.Integer(v)
    if isinstance(v, tuple):  # a set of indices (`verify.meaning.subsets`)
        return [show(x) for x in v]
    v = sp.sympify(v)
    if v.is_Rational and (int(v.p).bit_length() > 130 or int(v.q).bit_length() > 130):
        return str(sp.N(v, 12))  # a huge exact number: its leading digits say enough
    if v.is_Integer:
        return int(v)
    if v.is_Rational:
        return str(v)
    try:
        return str(sp.N(v, 12))
    except (TypeError, ValueError):
        return str(v)
