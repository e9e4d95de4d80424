"""Checking `premise ⟹ v = solution` with 100-digit floats first.

A solution built from transcendental values (Bishop's responsibilities, ratios of
exponentials) is a large exact expression, and evaluating it exactly costs seconds.
With floats, the premise at the solution comes out as rounding noise rather than
zero, so it is judged against the premise's size at another value of the variable:
negligible (below 10^-60 of it) holds, clearly not small (above 10^-20) fails, and
anything between is decided again exactly (`Ambiguous`), as every failure is. The
derivative's rank, which says whether the premise pins the variable down, is told
from its singular values in the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mpmath
import sympy as sp

from verify.deciding.compare import number
from verify.errors import Ambiguous, EvaluationError, Undefined
from verify.meaning.dual import FAST_DIGITS, Mat, fast_numbers

NEGLIGIBLE = sp.Float("1e-60", FAST_DIGITS)
RESIDUAL_TEXT = (
    "; the premise at an irrational solution to 1e-60 of its size at another value of the"
    " variable (100-digit floats)"
)
CLEAR = sp.Float("1e-20", FAST_DIGITS)


def holds_with_floats(check: Callable[[], bool]) -> bool:
    """`check()` with 100-digit floats; False where it fails or cannot tell (the step
    is then decided exactly, as before)."""
    try:
        with fast_numbers():
            return check()
    except (Ambiguous, Undefined, EvaluationError, ZeroDivisionError):
        return False


def negligible(residual: Any, elsewhere: Any) -> bool:
    """Whether the premise's residual at the solution is zero, judged against its size
    `elsewhere` (at another value of the variable); raises `Ambiguous` if unclear."""
    size = max((abs(number(x)) for x in _entries(elsewhere)), default=sp.Integer(0))
    if size == 0:
        raise Ambiguous("no scale to judge the residual by")
    worst = max((abs(number(x)) for x in _entries(residual)), default=sp.Integer(0))
    if worst <= NEGLIGIBLE * size:
        return True
    if worst >= CLEAR * size:
        return False
    raise Ambiguous("the residual is neither negligible nor clearly not zero")


def full_rank(jacobian: sp.Matrix) -> bool:
    """Whether the columns are independent: exactly for rationals, else from the
    singular values at 100 digits; raises `Ambiguous` in the grey zone."""
    if all(getattr(x, "is_Rational", False) for x in jacobian):
        return bool(jacobian.rank() == jacobian.cols)
    if jacobian.rows < jacobian.cols:
        return False
    with mpmath.workdps(FAST_DIGITS):
        matrix = mpmath.matrix([[mpmath.mpf(str(number(x))) for x in jacobian.row(r)]
                                for r in range(jacobian.rows)])  # fmt: skip
        values = mpmath.svd_r(matrix, compute_uv=False)
        largest = max(abs(v) for v in values)
        smallest = min(abs(v) for v in values)
        if largest == 0:
            return False
        ratio = smallest / largest
        if ratio > mpmath.mpf("1e-40"):
            return True
        if ratio < mpmath.mpf("1e-80"):
            return False
    raise Ambiguous("the derivative is nearly singular")


def _entries(value: Any) -> list[Any]:
    return list(value) if isinstance(value, Mat) else [value]
