"""Exact numbers with derivatives attached, and the small matrices that hold them.

A derivative is evaluated by forward-mode differentiation on dual numbers
a + εb (ε² = 0) whose parts are exact SymPy numbers: d/dt f(v + tE) at t = 0
is the ε-part of f(v + εE). This is exact, like substituting a symbol t and
differentiating, but costs ordinary arithmetic instead of symbolic algebra on
rational functions of t. Each derivative gets its own tag, so nested
derivatives (Hessians, ∂²/∂x∂y) do not confuse their perturbations.

`Mat` is a plain list-of-rows matrix whose entries may be SymPy numbers or
`Dual`s; SymPy's own matrices cannot hold duals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import mpmath
import sympy as sp

from verify.errors import Undefined

Scalar = Any  # a SymPy expression or a Dual

# While an instance is first tried, irrational numbers are carried as 100-digit
# floats (fast), then, if that cannot tell, as 400-digit floats; a failure, or a
# comparison still too close to call, is then decided again with exact SymPy
# values, so floats never decide a verdict alone.
FAST_DIGITS = 100
_mode: dict[str, Any] = {"exact": True, "digits": FAST_DIGITS}


@contextmanager
def fast_numbers(digits: int = FAST_DIGITS) -> Iterator[None]:
    """Carry irrational values as floats of `digits` digits inside this block."""
    previous = dict(_mode)
    _mode["exact"], _mode["digits"] = False, digits
    try:
        yield
    finally:
        _mode.update(previous)


def exact_mode() -> bool:
    return bool(_mode["exact"])


def fast_digits() -> int:
    """The digits of the floats of the current fast pass."""
    return int(_mode["digits"])


def approximate(x: Any) -> Any:
    """In fast mode, an irrational number becomes a float of the pass's digits."""
    if _mode["exact"] or isinstance(x, (Dual, Mat)):
        return x
    if getattr(x, "is_Rational", False) or getattr(x, "is_Float", False):
        return x
    if getattr(x, "is_number", False):
        return x.evalf(_mode["digits"])
    return x


class Dual:
    """value + ε·slope for the derivative tagged `tag`."""

    __slots__ = ("value", "slope", "tag")
    _op_priority = 1000.0  # SymPy's operators defer to ours

    def __init__(self, value: Scalar, slope: Scalar, tag: int) -> None:
        self.value = value
        self.slope = slope
        self.tag = tag

    def __repr__(self) -> str:
        return f"Dual({self.value!r}, {self.slope!r}, tag={self.tag})"

    def __add__(self, other: Scalar) -> Scalar:
        if isinstance(other, Dual):
            if other.tag > self.tag:
                return other + self
            if other.tag == self.tag:
                return Dual(self.value + other.value, self.slope + other.slope, self.tag)
        return Dual(self.value + other, self.slope, self.tag)  # a constant moves no slope

    __radd__ = __add__

    def __neg__(self) -> Dual:
        return Dual(-self.value, -self.slope, self.tag)

    def __sub__(self, other: Scalar) -> Scalar:
        return self + (-other)

    def __rsub__(self, other: Scalar) -> Scalar:
        return (-self) + other

    def __mul__(self, other: Scalar) -> Scalar:
        if isinstance(other, Mat):
            return other.scaled(self)
        if isinstance(other, Dual):
            if other.tag > self.tag:
                return other * self
            if other.tag == self.tag:
                # A zero part adds nothing; multiplying a large expression by 0 would
                # make SymPy ask whether it is infinite, which costs as much as the product.
                slope = _times(self.slope, other.value) + _times(self.value, other.slope)
                return Dual(_times(self.value, other.value), slope, self.tag)
        return Dual(_times(self.value, other), _times(self.slope, other), self.tag)  # a constant

    __rmul__ = __mul__

    def __truediv__(self, other: Scalar) -> Scalar:
        return self * reciprocal(other)

    def __rtruediv__(self, other: Scalar) -> Scalar:
        return other * reciprocal(self)

    def __pow__(self, exponent: Scalar) -> Scalar:
        return power(self, exponent)

    def __rpow__(self, base: Scalar) -> Scalar:
        return power(base, self)


def _times(a: Scalar, b: Scalar) -> Scalar:
    """a·b, exactly 0 at once when either is a literal zero."""
    if _literal_zero(a) or _literal_zero(b):
        return sp.Integer(0)
    return a * b


def _literal_zero(x: Scalar) -> bool:
    return (isinstance(x, int) or getattr(x, "is_Number", False)) and x == 0


def is_zero(x: Scalar) -> bool:
    """Whether the value (not the derivative) is exactly zero."""
    while isinstance(x, Dual):
        x = x.value
    if x is _ZERO:
        return True
    if isinstance(x, sp.Rational):  # SymPy's only rational zero is the singleton
        return False
    return bool(x == 0)


_ZERO = sp.S.Zero


def plain(x: Scalar) -> Scalar:
    """The value with every derivative part dropped."""
    while isinstance(x, Dual):
        x = x.value
    return x


def reciprocal(x: Scalar) -> Scalar:
    if is_zero(x):
        raise Undefined("division by zero")
    if isinstance(x, Dual):
        inv = reciprocal(x.value)
        return Dual(inv, -x.slope * inv * inv, x.tag)
    return sp.Integer(1) / x  # exact even for a Python int (`dual / 2`)


class RealPower(sp.Function):  # type: ignore[misc]
    """b^e for a positive number b, exactly, kept as written and evaluated numerically.

    SymPy's own power of a rational to a rational with a large denominator factors
    the base and builds integers of thousands of digits, and a product of two such
    powers of one base is combined into a third; this one is left alone, and its
    digits (`evalf`) come from mpmath at the precision asked for.
    """

    is_real = True
    is_positive = True

    @classmethod
    def eval(cls, base: sp.Expr, exponent: sp.Expr) -> None:
        return None  # never rewritten

    def _eval_evalf(self, prec: int) -> sp.Float:
        extra = prec + 20
        base, exponent = (sp.Float(a, dps_of(extra)) if a.is_Rational else a.evalf(dps_of(extra))
                          for a in self.args)  # fmt: skip
        with mpmath.workprec(extra):
            value = mpmath.power(base._to_mpmath(extra), exponent._to_mpmath(extra))
        return sp.Float._new(value._mpf_, prec)


def dps_of(bits: int) -> int:
    return int(bits / 3.32) + 1


def power(base: Scalar, exponent: Scalar) -> Scalar:
    from verify.meaning.functions import function  # the table builds on these numbers

    if isinstance(exponent, Dual) and (not isinstance(base, Dual) or exponent.tag >= base.tag):
        # b^e with e perturbed: exp(e log b), valid for b > 0
        if isinstance(base, Dual) or not is_zero(base):
            return function("exp", exponent * function("log", base))
        raise Undefined("0 to a perturbed power")
    if isinstance(base, Dual):
        if is_zero(base.value) and not (plain(exponent).is_Integer and plain(exponent) >= 1):
            raise Undefined("0 to a non-integer power")
        return Dual(
            power(base.value, exponent),
            exponent * power(base.value, exponent - 1) * base.slope,
            base.tag,
        )
    if is_zero(base) and (plain(exponent).is_negative or is_zero(exponent)):
        raise Undefined("0 to a non-positive power")
    if base.is_number and base.is_negative and not (exponent.is_Integer or not exponent.is_number):
        # the principal value of a negative number to a non-integer power is not real
        raise Undefined("a negative number to a fractional power")
    if base.is_number and exponent.is_number and not exponent.is_Integer and base.is_positive:
        if not _mode["exact"]:  # a float power: SymPy's exact one factors the base
            return base.evalf(_mode["digits"]) ** exponent.evalf(_mode["digits"])
        if exponent.is_Rational and (exponent.q > 12 or abs(exponent.p) > 64):
            return RealPower(base, exponent)
    return approximate(base**exponent)


# ---------------------------------------------------------------------- matrices


class Mat:
    """A small dense matrix of exact scalars (SymPy numbers or duals)."""

    __slots__ = ("rows", "cols", "data", "_memo")
    _op_priority = 1000.0

    def __init__(self, data: list[list[Scalar]]) -> None:
        self.data = data
        self.rows = len(data)
        self.cols = len(data[0]) if data else 0
        self._memo: dict[str, Any] = {}  # det and inverse, computed once per matrix

    @classmethod
    def build(cls, rows: int, cols: int, entry: Callable[[int, int], Scalar]) -> Mat:
        return cls([[entry(i, j) for j in range(cols)] for i in range(rows)])

    @classmethod
    def from_sympy(cls, m: sp.MatrixBase) -> Mat:
        return cls([[m[i, j] for j in range(m.cols)] for i in range(m.rows)])

    @classmethod
    def identity(cls, n: int) -> Mat:
        return cls.build(n, n, lambda i, j: sp.Integer(1 if i == j else 0))

    @classmethod
    def zeros(cls, rows: int, cols: int) -> Mat:
        return cls.build(rows, cols, lambda i, j: sp.Integer(0))

    @property
    def shape(self) -> tuple[int, int]:
        return self.rows, self.cols

    def __getitem__(self, key: tuple[int, int]) -> Scalar:
        return self.data[key[0]][key[1]]

    def __iter__(self) -> Iterator[Scalar]:
        for row in self.data:
            yield from row

    def __repr__(self) -> str:
        return f"Mat({self.data!r})"

    def to_sympy(self) -> sp.ImmutableMatrix:
        return sp.ImmutableMatrix(self.data)

    def _check(self, other: Mat, what: str) -> None:
        if self.shape != other.shape:
            raise ValueError(f"{what} of {self.shape} and {other.shape}")

    def __add__(self, other: Any) -> Mat:
        if not isinstance(other, Mat):
            if is_zero(other):
                return self
            raise ValueError("a number added to a matrix")
        self._check(other, "sum")
        return Mat([[a + b for a, b in zip(r, s, strict=True)]
                    for r, s in zip(self.data, other.data, strict=True)])  # fmt: skip

    __radd__ = __add__

    def __neg__(self) -> Mat:
        return Mat([[-a for a in r] for r in self.data])

    def __sub__(self, other: Any) -> Mat:
        return self.__add__(-other)

    def __rsub__(self, other: Any) -> Mat:
        return (-self).__add__(other)

    def scaled(self, c: Scalar) -> Mat:
        return Mat([[c * a for a in r] for r in self.data])

    def __mul__(self, other: Any) -> Mat:
        if not isinstance(other, Mat):
            return self.scaled(other)
        if self.cols != other.rows:
            raise ValueError(f"product of {self.shape} and {other.shape}")
        cols = list(zip(*other.data, strict=True))
        out = []
        for row in self.data:
            out_row = []
            for col in cols:
                total: Scalar = sp.Integer(0)
                for a, b in zip(row, col, strict=True):
                    if (is_zero(a) and not isinstance(a, Dual)) or _literal_zero(b):
                        continue
                    total = total + a * b
                out_row.append(total)
            out.append(out_row)
        return Mat(out)

    def __rmul__(self, other: Any) -> Mat:
        return self.scaled(other)

    def __truediv__(self, other: Any) -> Mat:
        return self.scaled(reciprocal(other))

    @property
    def T(self) -> Mat:  # noqa: N802 - the usual name for a transpose
        return Mat([list(c) for c in zip(*self.data, strict=True)])

    def trace(self) -> Scalar:
        total: Scalar = sp.Integer(0)
        for i in range(min(self.rows, self.cols)):
            total = total + self.data[i][i]
        return total

    def kron(self, other: Mat) -> Mat:
        """The Kronecker product: block (i, j) is self[i, j] · other."""
        return Mat.build(
            self.rows * other.rows, self.cols * other.cols,
            lambda r, c: self.data[r // other.rows][c // other.cols]
            * other.data[r % other.rows][c % other.cols],
        )  # fmt: skip

    def multiply_elementwise(self, other: Mat) -> Mat:
        self._check(other, "Hadamard product")
        return Mat([[a * b for a, b in zip(r, s, strict=True)]
                    for r, s in zip(self.data, other.data, strict=True)])  # fmt: skip

    def applyfunc(self, f: Callable[[Scalar], Scalar]) -> Mat:
        return Mat([[f(a) for a in r] for r in self.data])

    def _eliminate(
        self, augment: Mat | None
    ) -> tuple[list[list[Scalar]], list[list[Scalar]] | None, Scalar]:
        """Gauss-Jordan elimination; returns (reduced, augmented, determinant)."""
        n = self.rows
        a = [list(r) for r in self.data]
        b = [list(r) for r in augment.data] if augment is not None else None
        det: Scalar = sp.Integer(1)
        for col in range(n):
            pivot = next((r for r in range(col, n) if not is_zero(a[r][col])), None)
            if pivot is None:
                return a, None, sp.Integer(0)
            if pivot != col:
                a[col], a[pivot] = a[pivot], a[col]
                if b is not None:
                    b[col], b[pivot] = b[pivot], b[col]
                det = -det
            p = a[col][col]
            det = det * p
            inv = reciprocal(p)
            a[col] = [x * inv for x in a[col]]
            if b is not None:
                b[col] = [x * inv for x in b[col]]
            for r in range(n):
                if r == col or is_zero(a[r][col]) and not isinstance(a[r][col], Dual):
                    continue
                factor = a[r][col]
                a[r] = [x - factor * y for x, y in zip(a[r], a[col], strict=True)]
                if b is not None:
                    b[r] = [x - factor * y for x, y in zip(b[r], b[col], strict=True)]
        return a, b, det

    def det(self) -> Scalar:
        if self.rows != self.cols:
            raise ValueError("determinant of a non-square matrix")
        if "det" not in self._memo:
            _, _, det = self._eliminate(None)
            self._memo["det"] = det
        return self._memo["det"]

    def inv(self) -> Mat:
        if self.rows != self.cols:
            raise ValueError("inverse of a non-square matrix")
        if "inv" not in self._memo:
            _, b, det = self._eliminate(Mat.identity(self.rows))
            if b is None:
                raise Undefined("a singular matrix")
            self._memo.setdefault("det", det)
            self._memo["inv"] = Mat(b)
        inverse: Mat = self._memo["inv"]
        return inverse


def is_matrix(v: Any) -> bool:
    return isinstance(v, Mat)


def slope_of(v: Any, tag: int) -> Any:
    """The ε-part for `tag` of a value (0 where the value does not depend on it)."""
    if isinstance(v, Mat):
        return v.applyfunc(lambda x: slope_of(x, tag))
    if isinstance(v, Dual):
        if v.tag == tag:
            return v.slope
        if v.tag > tag:
            return Dual(slope_of(v.value, tag), slope_of(v.slope, tag), v.tag)
    return sp.Integer(0)
