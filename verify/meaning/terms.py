"""Typed terms: what a side means, with its shape, evaluated at an instance.

The translator builds these from the syntax tree and the page's notation;
`decide` evaluates them at random admissible instances (exact SymPy numbers)
or at symbols (for proofs). Shapes are static, written in the page's size
names (`("n", "1")` is a column vector), so a shape error is found once, for
all sizes, before any number is drawn.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

import sympy as sp

from verify.errors import EvaluationError, Undefined
from verify.meaning.dual import (
    Dual,
    Mat,
    approximate,
    is_matrix,
    is_zero,
    plain,
    power,
    slope_of,
)
from verify.meaning.functions import apply, compare, function
from verify.meaning.parts import with_part
from verify.shape import SCALAR, Shape, Size

Value = Any  # a SymPy scalar or a Dual; a `Mat` for every other shape

MAX_TERMS = 400
MAX_POWER = 64


class SmoothFunction(Protocol):
    """The value of a declared `function` at an instance (see `verify.deciding.functions`)."""

    def value(self, args: list[Value], derivative: int, depth: int) -> Value:
        """g(args), or its `derivative`-th derivative in the first argument; dual tags
        from `depth` up are free for it to use."""
        ...


@dataclass
class Env:
    """An instance: sizes, index values, and the value of every symbol."""

    sizes: dict[str, int]
    indices: dict[str, int]
    values: dict[str, Value]
    families: dict[str, dict[tuple[int, ...], Value]]
    functions: dict[str, SmoothFunction]
    depth: int = 0
    symbolic: bool = False

    def size(self, size: Size | str) -> int:
        """The value of a size (`n`, `3`, `n+1`, `n p`) or of an index, here."""
        if isinstance(size, Size):
            return size.evaluate(self.size)
        if size.isdigit():
            return int(size)
        if size in self.indices:
            return self.indices[size]
        if size in self.sizes:
            return self.sizes[size]
        raise EvaluationError(f"size '{size}' has no value")

    def dims(self, shape: Shape) -> tuple[int, int]:
        return shape.evaluate(self.size)

    def with_index(self, name: str, value: int) -> Env:
        return Env(self.sizes, {**self.indices, name: value}, self.values, self.families,
                   self.functions, self.depth, self.symbolic)  # fmt: skip

    def deeper(self) -> Env:
        """The same instance one derivative deeper (a fresh tag for duals)."""
        return Env(self.sizes, self.indices, self.values, self.families, self.functions,
                   self.depth + 1, self.symbolic)  # fmt: skip

    def with_slot(self, slot: tuple[Any, ...], value: Value) -> Env:
        values, families = self.values, self.families
        if slot[0] == "plain":
            values = {**values, slot[1]: value}
        elif slot[0] == "part":  # an entry or a row of a whole (`verify.meaning.textbook`)
            values = {**values, slot[1]: _replace_part(values[slot[1]], slot[2], slot[3], value)}
        else:
            families = {**families, slot[1]: {**families[slot[1]], slot[2]: value}}
        return Env(self.sizes, self.indices, values, families, self.functions,
                   self.depth + 1, self.symbolic)  # fmt: skip


def _replace_part(whole: Value, idx: tuple[int, ...], kind: str, value: Value) -> Value:
    """The whole with its part `idx` (an entry, a row, a column) set to `value`."""
    return with_part(whole, kind, idx, value)


def scalar_of(value: Value) -> Value:
    if isinstance(value, Mat):
        if value.shape != (1, 1):
            raise EvaluationError(f"expected a scalar, got a {value.shape} matrix")
        return value[0, 0]
    return value


@dataclass
class Term:
    shape: Shape | None = field(default=SCALAR, kw_only=True)
    pos: int = field(default=0, kw_only=True)

    def value(self, env: Env) -> Value:
        raise NotImplementedError

    def children(self) -> list[Term]:
        return []

    def walk(self) -> list[Term]:
        out: list[Term] = [self]
        for c in self.children():
            out.extend(c.walk())
        return out


@dataclass
class Number(Term):
    number: Any

    def value(self, env: Env) -> Value:
        return approximate(self.number)


@dataclass
class IndexValue(Term):
    """An index or a size used as a number (`n/2`, `\\sum_i i`)."""

    name: str

    def value(self, env: Env) -> Value:
        return sp.Integer(env.size(self.name))


@dataclass
class SizeValue(Term):
    """A size expression used as a number: a range's bound such as `n+1`."""

    size: Size

    def value(self, env: Env) -> Value:
        return sp.Integer(env.size(self.size))


@dataclass
class Ref(Term):
    """A declared or undeclared symbol; for a family, with its index terms."""

    name: str
    indices: list[Term] = field(default_factory=list)
    family: bool = False
    written: str = ""

    def slot(self, env: Env) -> tuple[Any, ...]:
        if not self.family:
            return ("plain", self.name)
        idx = tuple(int(scalar_of(i.value(env))) for i in self.indices)
        return ("family", self.name, idx)

    def value(self, env: Env) -> Value:
        slot = self.slot(env)
        if slot[0] == "plain":
            if self.name not in env.values:
                raise EvaluationError(f"no value for {self.name}")
            return env.values[self.name]
        members = env.families.get(self.name, {})
        if slot[2] not in members:
            raise EvaluationError(f"{self.name} has no member with index {slot[2]}")
        return members[slot[2]]

    def children(self) -> list[Term]:
        return list(self.indices)


@dataclass
class Add(Term):
    terms: list[tuple[int, Term]]

    def value(self, env: Env) -> Value:
        total: Value = None
        for sign, term in self.terms:
            v = term.value(env)
            if term.shape is None and self.shape not in (None, SCALAR):
                if not is_matrix(v) and is_zero(v):
                    continue
                raise EvaluationError("a non-zero number added to a matrix")
            v = v if sign > 0 else -v
            total = v if total is None else total + v
        if total is None:
            if self.shape in (None, SCALAR):
                return sp.Integer(0)
            return Mat.zeros(*env.dims(self.shape))
        return total

    def children(self) -> list[Term]:
        return [t for _, t in self.terms]


@dataclass
class Mul(Term):
    left: Term
    right: Term

    def value(self, env: Env) -> Value:
        a = self.left.value(env)
        b = self.right.value(env)  # evaluated even after a 0, which must not hide a 1/0
        if not is_matrix(a) and not isinstance(a, Dual) and a == 0:
            return Mat.zeros(*env.dims(self.shape)) if self.shape not in (None, SCALAR) else a
        product = a * b
        if self.shape == SCALAR:
            return scalar_of(product)
        return product

    def children(self) -> list[Term]:
        return [self.left, self.right]


@dataclass
class Hadamard(Term):
    left: Term
    right: Term

    def value(self, env: Env) -> Value:
        a, b = self.left.value(env), self.right.value(env)
        if is_matrix(a):
            return a.multiply_elementwise(b)
        return a * b

    def children(self) -> list[Term]:
        return [self.left, self.right]


@dataclass
class Kronecker(Term):
    """`A \\otimes B`: the block matrix whose block (i, j) is a_ij B."""

    left: Term
    right: Term

    def value(self, env: Env) -> Value:
        a, b = self.left.value(env), self.right.value(env)
        if is_matrix(a) and is_matrix(b):
            return a.kron(b)
        return a * b

    def children(self) -> list[Term]:
        return [self.left, self.right]


@dataclass
class Div(Term):
    numerator: Term
    denominator: Term

    def value(self, env: Env) -> Value:
        d = self.denominator.value(env)
        if is_zero(d):
            raise Undefined("division by zero")
        return self.numerator.value(env) / d

    def children(self) -> list[Term]:
        return [self.numerator, self.denominator]


@dataclass
class Power(Term):
    base: Term
    exponent: Term

    def value(self, env: Env) -> Value:
        b = self.base.value(env)
        e = self.exponent.value(env)
        if is_matrix(b):
            k = plain(e)
            if isinstance(e, Dual) or not (k.is_Integer and abs(int(k)) <= MAX_POWER):
                raise EvaluationError("a matrix power needs a small integer exponent")
            m = b.inv() if int(k) < 0 else b
            out = Mat.identity(b.rows)
            for _ in range(abs(int(k))):
                out = out * m
            return out
        k = plain(e)
        if k.is_Number and abs(k) > 10_000:
            raise EvaluationError(f"exponent {k} is too large to evaluate")
        return power(b, e)

    def children(self) -> list[Term]:
        return [self.base, self.exponent]


@dataclass
class Transpose(Term):
    body: Term

    def value(self, env: Env) -> Value:
        v = self.body.value(env)
        return v.T if is_matrix(v) else v

    def children(self) -> list[Term]:
        return [self.body]


@dataclass
class Inverse(Term):
    body: Term

    def value(self, env: Env) -> Value:
        v = self.body.value(env)
        if is_matrix(v):
            return v.inv()
        if is_zero(v):
            raise Undefined("division by zero")
        return 1 / v

    def children(self) -> list[Term]:
        return [self.body]


@dataclass
class Apply(Term):
    """A named scalar function of one argument: log, exp, sin, ..."""

    function: str
    body: Term

    def value(self, env: Env) -> Value:
        v = self.body.value(env)
        if is_matrix(v) and v.cols == 1:  # entry by entry on a vector
            return v.applyfunc(lambda x: apply_function(self.function, x))
        return apply_function(self.function, v)

    def children(self) -> list[Term]:
        return [self.body]


def apply_function(name: str, v: Value) -> Value:
    if is_matrix(v):
        raise EvaluationError(f"\\{name} of a matrix")
    try:
        return function(name, v)
    except KeyError:
        raise EvaluationError(f"unknown function {name}") from None


@dataclass
class MatrixFunction(Term):
    """det, tr, diag, abs, norm: functions whose meaning depends on the shape."""

    function: str
    body: Term
    order: int = 2

    def value(self, env: Env) -> Value:
        v = self.body.value(env)
        if self.function == "det":
            return v.det() if is_matrix(v) else v
        if self.function == "tr":
            return v.trace() if is_matrix(v) else v
        if self.function == "diag":
            if is_matrix(v):
                if v.cols == 1:
                    n = v.rows
                    return Mat.build(n, n, lambda i, j: v[i, 0] if i == j else sp.Integer(0))
                return Mat.build(min(v.shape), 1, lambda i, j: v[i, i])
            return v
        if self.function == "abs":
            return function("abs", v)
        if self.function == "normsq":
            total_sq: Value = sp.Integer(0)
            for e in list(v) if is_matrix(v) else [v]:
                total_sq = total_sq + e * e
            return total_sq
        if self.function == "norm":
            entries = list(v) if is_matrix(v) else [v]
            if self.order == 1:
                total: Value = sp.Integer(0)
                for e in entries:
                    total = total + function("abs", e)
                return total
            squares: Value = sp.Integer(0)
            for e in entries:
                squares = squares + e * e
            return function("sqrt", squares)
        raise EvaluationError(f"unknown function {self.function}")

    def children(self) -> list[Term]:
        return [self.body]


@dataclass
class Root(Term):
    body: Term
    degree: Term | None = None

    def value(self, env: Env) -> Value:
        v = self.body.value(env)
        if self.degree is None:
            if plain(v).is_negative:
                raise Undefined("the square root of a negative number")
            return function("sqrt", v)
        d = self.degree.value(env)
        if is_zero(d):
            raise Undefined("a 0th root")
        if plain(v).is_negative and plain(d).is_Integer and int(plain(d)) % 2 == 1:
            return -power(-v, 1 / d)
        return power(v, 1 / d)

    def children(self) -> list[Term]:
        return [self.body] + ([self.degree] if self.degree else [])


@dataclass
class Zero(Term):
    """A literal 0 standing for a zero block of a known shape."""

    def value(self, env: Env) -> Value:
        if self.shape in (None, SCALAR):
            return sp.Integer(0)
        return Mat.zeros(*env.dims(self.shape))


@dataclass
class Identity(Term):
    size: Size

    def value(self, env: Env) -> Value:
        return Mat.identity(env.size(self.size))


@dataclass
class MatrixLiteral(Term):
    rows: list[list[Term]]

    def value(self, env: Env) -> Value:
        blocks = [[cell.value(env) for cell in row] for row in self.rows]
        grid = [[c if is_matrix(c) else Mat([[c]]) for c in row] for row in blocks]
        data: list[list[Value]] = []
        for row in grid:
            for r in range(row[0].rows):
                data.append([x for block in row for x in block.data[r]])
        if any(len(r) != len(data[0]) for r in data):
            raise EvaluationError("the blocks of a matrix do not fit together")
        out = Mat(data)
        return out[0, 0] if self.shape == SCALAR else out

    def children(self) -> list[Term]:
        return [c for row in self.rows for c in row]


@dataclass
class Sum(Term):
    """`\\sum` or `\\prod` over an integer range, optionally skipping one value."""

    kind: str
    variable: str
    lower: Term
    upper: Term
    body: Term
    exclude: Term | None = None

    def value(self, env: Env) -> Value:
        lo, hi = _whole(self.lower.value(env)), _whole(self.upper.value(env))
        if hi - lo + 1 > MAX_TERMS:
            raise EvaluationError(
                f"\\{self.kind} over {hi - lo + 1} terms is more than {MAX_TERMS}"
            )
        skip = int(scalar_of(self.exclude.value(env))) if self.exclude is not None else None
        return self.over(env, (k for k in range(lo, hi + 1) if k != skip))

    def over(self, env: Env, values: Iterable[int]) -> Value:
        """The sum (or product) of the body with the variable at each of `values`;
        the empty sum is a zero of the body's shape, the empty product 1."""
        result: Value = None
        for k in values:
            v = self.body.value(env.with_index(self.variable, k))
            if result is None:
                result = v
            else:
                result = result + v if self.kind == "sum" else result * v
        if result is None:
            if self.kind == "prod":
                return sp.Integer(1)
            if self.shape not in (None, SCALAR):
                return Mat.zeros(*env.dims(self.shape))
            return sp.Integer(0)
        return result

    def children(self) -> list[Term]:
        return [self.lower, self.upper, self.body] + ([self.exclude] if self.exclude else [])


@dataclass
class Derivative(Term):
    """`\\nabla_v f`, `\\partial f / \\partial v`: denominator layout, entries independent.

    Evaluated exactly by forward differentiation (`verify.meaning.dual`): entry (r, c)
    is the ε-part of f at v + εE_rc, every other symbol at its instance value.
    """

    variable: Ref
    body: Term

    def value(self, env: Env) -> Value:
        slot = self.variable.slot(env)
        base = self.variable.value(env)
        tag = env.depth
        if tag > 16:
            raise EvaluationError("derivatives nested too deep")
        if not is_matrix(base):
            inner = self.body.value(env.with_slot(slot, Dual(base, sp.Integer(1), tag)))
            return slope_of(inner, tag)
        rows, cols = base.shape
        entries = {}
        for r, c in itertools.product(range(rows), range(cols)):
            data = [list(row) for row in base.data]
            data[r][c] = Dual(data[r][c], sp.Integer(1), tag)
            moved = Mat(data)
            entries[(r, c)] = slope_of(self.body.value(env.with_slot(slot, moved)), tag)
        first = entries[(0, 0)]
        if not is_matrix(first):
            return Mat.build(rows, cols, lambda r, c: entries[(r, c)])
        if cols != 1 or first.cols != 1:
            raise EvaluationError("the derivative of a matrix by a matrix is not supported")
        return Mat.build(rows, first.rows, lambda a, b: entries[(a, 0)][b, 0])

    def children(self) -> list[Term]:
        return [self.variable, self.body]


@dataclass
class FunctionCall(Term):
    """An arbitrary declared function `g(x, y)` (a random smooth one per instance);
    `derivative` primes differentiate it in its first argument (g', g'')."""

    name: str
    args: list[Term]
    derivative: int = 0

    def value(self, env: Env) -> Value:
        make = env.functions.get(self.name)
        if make is None:
            raise EvaluationError(f"no value for the function {self.name}")
        flat: list[Value] = []
        for a in self.args:
            v = a.value(env)
            flat.extend(list(v) if is_matrix(v) else [v])
        return make.value(flat, self.derivative, env.depth)

    def children(self) -> list[Term]:
        return list(self.args)


@dataclass
class Gaussian(Term):
    """`\\mathcal{N}(x; \\mu, \\Sigma)`: the normal density (Σ a variance for scalars)."""

    point: Term
    mean: Term
    covariance: Term

    def value(self, env: Env) -> Value:
        x, mu, cov = (t.value(env) for t in (self.point, self.mean, self.covariance))
        if is_matrix(x):
            d = x - mu
            det = cov.det()
            if is_zero(det):
                raise Undefined("a singular covariance")
            n = x.rows
            quad = scalar_of(d.T * cov.inv() * d)
            scale = power(2 * sp.pi, sp.Rational(-n, 2)) * power(det, sp.Rational(-1, 2))
            return scale * function("exp", -quad / 2)
        if is_zero(cov):
            raise Undefined("a zero variance")
        return power(2 * sp.pi * cov, sp.Rational(-1, 2)) * function(
            "exp", -((x - mu) * (x - mu)) / (2 * cov)
        )

    def children(self) -> list[Term]:
        return [self.point, self.mean, self.covariance]


@dataclass
class Constant(Term):
    """`\\text{const}`: only meaningful as a whole term of a side."""

    def value(self, env: Env) -> Value:
        raise EvaluationError("\\text{const} cannot be evaluated")


@dataclass
class Pointwise(Term):
    """A defined scalar function applied to each entry, or its k-th derivative."""

    slot: str
    body: Term
    arg: Term
    derivative: int = 0

    def value(self, env: Env) -> Value:
        a = self.arg.value(env)
        if is_matrix(a):
            return a.applyfunc(lambda x: self.at(x, env, self.derivative))
        return self.at(a, env, self.derivative)

    def at(self, x: Value, env: Env, order: int) -> Value:
        if order == 0:
            return self.body.value(env.with_slot(("plain", self.slot), x))
        tag = env.depth
        inner = self.at(Dual(x, sp.Integer(1), tag), env.deeper(), order - 1)
        return slope_of(inner, tag)

    def children(self) -> list[Term]:
        return [self.body, self.arg]


def _whole(value: Value) -> int:
    """A limit of a sum or product: it must be a whole number at every instance."""
    v = plain(scalar_of(value))
    if not getattr(v, "is_Integer", False):
        raise EvaluationError(
            f"a limit of a sum or product took the value {v}: declare its symbols as sizes"
            " or indices (for example 'n: size'), so that it is a whole number"
        )
    return int(v)


@dataclass
class Known(Term):
    """A known function of several scalars: `\\max(a, b)`, `\\binom{n}{k}`."""

    function: str
    args: list[Term]

    def value(self, env: Env) -> Value:
        return apply(self.function, [scalar_of(a.value(env)) for a in self.args])

    def children(self) -> list[Term]:
        return list(self.args)


# The relations an indicator may test, by the sign of left - right.
CONDITIONS: dict[str, Callable[[int], bool]] = {
    "=": lambda c: c == 0, "ne": lambda c: c != 0, "<": lambda c: c < 0,
    ">": lambda c: c > 0, "le": lambda c: c <= 0, "ge": lambda c: c >= 0,
}  # fmt: skip


@dataclass
class Indicator(Term):
    """`1\\{a < b\\}`: 1 where the condition holds, else 0 (flat: its slope is 0)."""

    left: Term
    relation: str
    right: Term

    def value(self, env: Env) -> Value:
        a, b = scalar_of(self.left.value(env)), scalar_of(self.right.value(env))
        sign = compare(a, b)
        if sign == 0 and (isinstance(a, Dual) or isinstance(b, Dual)):
            raise Undefined("an indicator is not differentiable where its condition turns")
        return sp.Integer(1 if CONDITIONS[self.relation](sign) else 0)

    def children(self) -> list[Term]:
        return [self.left, self.right]


@dataclass
class Cross(Term):
    """`u \\times v` for two 3-vectors: the cross product."""

    left: Term
    right: Term

    def value(self, env: Env) -> Value:
        u, v = self.left.value(env), self.right.value(env)
        if not (is_matrix(u) and is_matrix(v) and u.shape == v.shape == (3, 1)):
            raise EvaluationError("a cross product needs two vectors of size 3")
        entries = [u[1, 0] * v[2, 0] - u[2, 0] * v[1, 0], u[2, 0] * v[0, 0] - u[0, 0] * v[2, 0],
                   u[0, 0] * v[1, 0] - u[1, 0] * v[0, 0]]  # fmt: skip
        return Mat([[e] for e in entries])

    def children(self) -> list[Term]:
        return [self.left, self.right]


def free_indices(term: Term, bound: frozenset[str] = frozenset()) -> set[str]:
    """Index names a term reads that no sum inside it binds."""
    if isinstance(term, IndexValue):
        return set() if term.name in bound else {term.name}
    if isinstance(term, Sum):
        inner = free_indices(term.body, bound | {term.variable})
        limits = [term.lower, term.upper] + ([term.exclude] if term.exclude else [])
        return inner.union(*(free_indices(t, bound) for t in limits))
    return set().union(*(free_indices(c, bound) for c in term.children()))
