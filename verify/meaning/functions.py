"""The known functions, as one table: value, derivative, domain and arity.

Every named function the checker evaluates is a row of `FUNCTIONS`: `\\sin`,
`\\arcsin` (also written `\\sin^{-1}`), `\\max`, `n!`, `\\binom{n}{k}`, `⌊x⌋`,
`\\operatorname{sign}` and the rest. A row says

- how to evaluate it exactly at plain numbers;
- its derivative, for functions of one argument (written with `function`, so
  that it may itself be applied to a dual number, for second derivatives);
- its domain: where it has a real value (outside it the instance is redrawn);
- how many arguments it takes, and which function `\\f^{-1}` names, if any.

Functions that jump (floor, sign, the indicator, max at a tie) compare exact
numbers; with the fast floats of a first pass, a comparison too close to call
is `Ambiguous`, so that the instance is decided again with exact values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sympy as sp

from verify.errors import Ambiguous, EvaluationError, Undefined
from verify.meaning.dual import Dual, approximate, exact_mode, plain, reciprocal

Scalar = Any  # a SymPy number (a symbol, in a proof) or a Dual
Check = Callable[[Scalar], str | None]  # None where admissible, else why not

CLOSE = sp.Float("1e-25", 100)  # fast floats closer than this (relative) are re-decided
MAX_WHOLE = 1000  # the largest n in n! and k in binom(n, k)
ONE = sp.Integer(1)


# ------------------------------------------------------------ comparisons


def compare(a: Scalar, b: Scalar) -> int:
    """-1, 0 or 1: the sign of a - b (plain parts only), exact where it matters."""
    x, y = sp.sympify(plain(a)), sp.sympify(plain(b))
    difference = x - y
    if difference.is_Rational:
        return int(sp.sign(difference))
    if not difference.is_number:
        raise EvaluationError("a comparison of symbols")  # a proof gives up; sampling decides
    if not exact_mode():
        value = difference if difference.is_Float else difference.evalf(50)
        if not value.is_real:
            raise Undefined("not a real number")
        if abs(value) < CLOSE * max(abs(x), abs(y), ONE):
            raise Ambiguous("a comparison too close to call with floats")
        return 1 if value > 0 else -1
    re, im = difference.evalf(60).as_real_imag()
    if im != 0 and abs(im) > sp.Float("1e-45") * max(abs(re), ONE):
        raise Undefined("not a real number")
    if re == 0 or (isinstance(re, sp.Float) and re._prec < 30):
        return 0  # no digit of the difference could be told from zero
    return 1 if re > 0 else -1


def whole(x: Scalar, what: str) -> int:
    """`x` as an int, where it is a whole number; undefined elsewhere."""
    if isinstance(x, Dual):
        raise Undefined(f"{what} has no derivative: it is defined at whole numbers only")
    value = sp.sympify(x)
    if not value.is_number:
        raise EvaluationError(f"{what} of a symbol")
    if value.is_Integer:
        return int(value)
    nearest = sp.Integer(round(float(value))) if value.is_finite else None
    if nearest is None or compare(value, nearest) != 0:
        raise Undefined(f"{what} needs a whole number here, got {value}")
    return int(nearest)


# ---------------------------------------------------------------- domains


def _above(low: int, strict: bool, what: str) -> Check:
    def check(x: Scalar) -> str | None:
        c = compare(x, low)
        return None if c > 0 or (c == 0 and not strict) else what

    return check


def _within(low: int, high: int, strict: bool) -> Check:
    def check(x: Scalar) -> str | None:
        a, b = compare(x, low), compare(x, high)
        inside = (a > 0 and b < 0) if strict else (a >= 0 and b <= 0)
        return None if inside else "outside the domain"

    return check


def _beyond(low: int, high: int, strict: bool) -> Check:
    def check(x: Scalar) -> str | None:
        a, b = compare(x, low), compare(x, high)
        outside = (a < 0 or b > 0) if strict else (a <= 0 or b >= 0)
        return None if outside else "outside the domain"

    return check


def _nonzero(of: Callable[[Scalar], Scalar] = lambda x: x) -> Check:
    """Undefined where `of(x)` is 0: a pole (tan where cos x = 0, coth at 0)."""
    return lambda x: None if compare(of(plain(x)), 0) != 0 else "a pole"


# ------------------------------------------------------------ derivatives


def _f(name: str) -> Callable[[Scalar], Scalar]:
    return lambda a: function(name, a)


def _flat(jumps: Callable[[Scalar], bool], what: str) -> Callable[[Scalar], Scalar]:
    """The derivative of a step function: 0, except at a jump, where it has none."""

    def slope(x: Scalar) -> Scalar:
        if jumps(x):
            raise Undefined(f"{what} is not differentiable here")
        return sp.Integer(0)

    return slope


def _at_zero(x: Scalar) -> bool:
    return compare(x, 0) == 0


def _at_whole(x: Scalar) -> bool:
    value = sp.sympify(plain(x))
    return compare(value, _floor(value)) == 0


def _arcsec_slope(a: Scalar) -> Scalar:
    return reciprocal(function("abs", a) * function("sqrt", a * a - ONE))


def _abs_slope(a: Scalar) -> Scalar:
    if _at_zero(a):
        raise Undefined("|x| is not differentiable at 0")
    return function("sign", a)


# ------------------------------------------------------------ evaluations


def _sign(x: Scalar) -> Scalar:
    return sp.Integer(compare(x, 0)) if _number(x) else sp.sign(x)


def _floor(x: Scalar) -> Scalar:
    """⌊x⌋, with the comparison at a whole number decided exactly (not by a float)."""
    value = sp.sympify(x)
    if value.is_Rational or not value.is_number:
        return sp.floor(value)
    below = sp.floor(value)
    if compare(value, below + 1) >= 0:  # a float just under a whole number it equals
        return below + 1
    compare(value, below)  # too close to call with floats: decided again exactly
    return below


def _ceiling(x: Scalar) -> Scalar:
    return -_floor(-sp.sympify(x))


def _number(x: Scalar) -> bool:
    return bool(getattr(x, "is_number", False))


def _factorial(n: Scalar) -> Scalar:
    k = whole(n, "n!")
    if k < 0:
        raise Undefined("n! of a negative number")
    if k > MAX_WHOLE:
        raise EvaluationError(f"{k}! is too large to evaluate")
    return sp.factorial(k)


def _binomial(n: Scalar, k: Scalar) -> Scalar:
    """binom(n, k) = n(n-1)…(n-k+1)/k! for a whole k ≥ 0 (n may be any number)."""
    j = whole(k, "the lower entry of a binomial coefficient")
    if j < 0:
        return sp.Integer(0)
    if j > MAX_WHOLE:
        raise EvaluationError(f"binomial coefficients with k = {j} are too large to evaluate")
    out: Scalar = ONE
    for i in range(j):
        out = out * (n - i)
    return out / sp.factorial(j)


def _extreme(sign: int) -> Callable[..., Scalar]:
    """max (sign 1) or min (-1) of any number of arguments; undefined slope at a tie."""

    def pick(*args: Scalar) -> Scalar:
        best = args[0]
        tied = [best]
        for a in args[1:]:
            c = compare(a, best) * sign
            if c > 0:
                best, tied = a, [a]
            elif c == 0:
                tied.append(a)
        if len(tied) > 1 and any(isinstance(t, Dual) for t in tied):
            raise Undefined("max and min are not differentiable at a tie")
        return best

    return pick


# ------------------------------------------------------------ entry points


def known(name: str) -> KnownFunction | None:
    return FUNCTIONS.get(ALIASES.get(name, name))


def canonical(name: str) -> str:
    return ALIASES.get(name, name)


def function(name: str, x: Scalar) -> Scalar:
    """A known function of one scalar, exact, differentiating through duals."""
    row = known(name)
    if row is None or row.arity != (1, 1):
        raise KeyError(name)
    if isinstance(x, Dual):
        if row.slope is None:
            raise Undefined(f"\\{name} has no derivative")
        return Dual(function(name, x.value), row.slope(x.value) * x.slope, x.tag)
    if row.domain is not None and _number(x):
        problem = row.domain(x)
        if problem is not None:
            raise Undefined(f"\\{name}: {problem}")
    return approximate(row.evaluate(x))


def apply(name: str, args: list[Scalar]) -> Scalar:
    """A known function of any number of scalars (`\\max(a, b, c)`, `\\binom{n}{k}`)."""
    row = known(name)
    if row is None:
        raise KeyError(name)
    least, most = row.arity
    if len(args) < least or (most is not None and len(args) > most):
        raise EvaluationError(f"\\{name} takes {least}..{most or 'any'} arguments")
    if row.duals:
        return approximate(row.evaluate(*args))
    (x,) = args
    return function(name, x)


# ---------------------------------------------------------------- the table


@dataclass(frozen=True)
class KnownFunction:
    """One known function: how to evaluate, differentiate and restrict it."""

    evaluate: Callable[..., Scalar]  # the value at plain numbers
    slope: Callable[[Scalar], Scalar] | None = None  # f'(a), for one argument
    domain: Check | None = None
    domain_text: str = "all real numbers"
    arity: tuple[int, int | None] = (1, 1)  # least and most arguments (None: any number)
    inverse: str | None = None  # the function that `\f^{-1}` names
    duals: bool = False  # evaluated on duals directly (its arithmetic differentiates)


def _row(
    evaluate: Callable[..., Scalar], slope: Callable[[Scalar], Scalar] | None = None,
    domain: Check | None = None, text: str = "all real numbers", inverse: str | None = None,
) -> KnownFunction:  # fmt: skip
    return KnownFunction(evaluate, slope, domain, text, inverse=inverse)


_POSITIVE = _above(0, True, "a logarithm of a non-positive number")
_UNIT = _within(-1, 1, False)

FUNCTIONS: dict[str, KnownFunction] = {
    "exp": _row(sp.exp, _f("exp")),
    "log": _row(sp.log, reciprocal, _POSITIVE, "x > 0"),
    "ln": _row(sp.log, reciprocal, _POSITIVE, "x > 0"),
    "sqrt": _row(
        sp.sqrt,
        lambda a: reciprocal(2 * function("sqrt", a)),
        _above(0, False, "a square root of a negative number"),
        "x ≥ 0",
    ),  # fmt: skip
    "abs": _row(sp.Abs, _abs_slope),
    "sign": _row(_sign, _flat(_at_zero, "sign(x) at 0")),
    "floor": _row(_floor, _flat(_at_whole, "⌊x⌋ at a whole number")),
    "ceil": _row(_ceiling, _flat(_at_whole, "⌈x⌉ at a whole number")),
    "factorial": _row(_factorial, None, None, "whole numbers n ≥ 0"),
    "sin": _row(sp.sin, _f("cos"), inverse="arcsin"),
    "cos": _row(sp.cos, lambda a: -function("sin", a), inverse="arccos"),
    "tan": _row(
        sp.tan, lambda a: ONE + function("tan", a) ** 2, _nonzero(sp.cos), "cos x ≠ 0", "arctan"
    ),  # fmt: skip
    "cot": _row(
        sp.cot, lambda a: -(ONE + function("cot", a) ** 2), _nonzero(sp.sin), "sin x ≠ 0", "arccot"
    ),  # fmt: skip
    "sec": _row(
        sp.sec,
        lambda a: function("sec", a) * function("tan", a),
        _nonzero(sp.cos),
        "cos x ≠ 0",
        "arcsec",
    ),  # fmt: skip
    "csc": _row(
        sp.csc,
        lambda a: -function("csc", a) * function("cot", a),
        _nonzero(sp.sin),
        "sin x ≠ 0",
        "arccsc",
    ),  # fmt: skip
    "arcsin": _row(
        sp.asin, lambda a: reciprocal(function("sqrt", ONE - a * a)), _UNIT, "-1 ≤ x ≤ 1"
    ),  # fmt: skip
    "arccos": _row(
        sp.acos, lambda a: -reciprocal(function("sqrt", ONE - a * a)), _UNIT, "-1 ≤ x ≤ 1"
    ),  # fmt: skip
    "arctan": _row(sp.atan, lambda a: reciprocal(ONE + a * a)),
    "arccot": _row(sp.acot, lambda a: -reciprocal(ONE + a * a), _nonzero(), "x ≠ 0"),
    "arcsec": _row(sp.asec, _arcsec_slope, _beyond(-1, 1, True), "|x| ≥ 1"),
    "arccsc": _row(sp.acsc, lambda a: -_arcsec_slope(a), _beyond(-1, 1, True), "|x| ≥ 1"),
    "sinh": _row(sp.sinh, _f("cosh"), inverse="arsinh"),
    "cosh": _row(sp.cosh, _f("sinh"), inverse="arcosh"),
    "tanh": _row(sp.tanh, lambda a: ONE - function("tanh", a) ** 2, inverse="artanh"),
    "coth": _row(
        sp.coth, lambda a: ONE - function("coth", a) ** 2, _nonzero(), "x ≠ 0", "arcoth"
    ),  # fmt: skip
    "arsinh": _row(sp.asinh, lambda a: reciprocal(function("sqrt", a * a + ONE))),
    "arcosh": _row(
        sp.acosh,
        lambda a: reciprocal(function("sqrt", a * a - ONE)),
        _above(1, False, "outside the domain"),
        "x ≥ 1",
    ),  # fmt: skip
    "artanh": _row(
        sp.atanh, lambda a: reciprocal(ONE - a * a), _within(-1, 1, True), "-1 < x < 1"
    ),  # fmt: skip
    "arcoth": _row(
        sp.acoth, lambda a: reciprocal(ONE - a * a), _beyond(-1, 1, False), "|x| > 1"
    ),  # fmt: skip
    # Of several arguments: evaluated on duals directly, so their arithmetic differentiates.
    "max": KnownFunction(_extreme(1), arity=(1, None), duals=True),
    "min": KnownFunction(_extreme(-1), arity=(1, None), duals=True),
    "binom": KnownFunction(
        _binomial,
        domain_text="n any number, k a whole number (0 for k < 0)",
        arity=(2, 2),
        duals=True,
    ),  # fmt: skip
}

# Other spellings of the same functions (`\operatorname{sgn}`, `\arcsinh`).
ALIASES = {"sgn": "sign", "arcsinh": "arsinh", "arccosh": "arcosh", "arctanh": "artanh",
           "arccoth": "arcoth", "asinh": "arsinh", "acosh": "arcosh", "atanh": "artanh",
           "ceiling": "ceil"}  # fmt: skip
