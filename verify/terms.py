"""Typed terms: what a side means, with its shape, evaluated at an instance.

The translator builds these from the syntax tree and the page's notation;
`decide` evaluates them at random admissible instances (exact SymPy numbers)
or at symbols (for proofs). Shapes are static, written in the page's size
names (`("n", "1")` is a column vector), so a shape error is found once, for
all sizes, before any number is drawn.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

Shape = tuple[str, str]
SCALAR: Shape = ("1", "1")
Value = Any  # a SymPy scalar expression, or an ImmutableMatrix for other shapes


class TranslateError(Exception):
    """A meaning problem (unknown symbol, shape mismatch), at an offset in a side."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


class Undefined(Exception):
    """A side has no real value at this instance (a singular matrix, log of 0 ...)."""


class EvaluationError(Exception):
    """The side cannot be evaluated at all (an index out of range, a huge sum)."""


MAX_TERMS = 400
MAX_POWER = 64


def show_shape(shape: Shape | None) -> str:
    if shape is None:
        return "any shape"
    if shape == SCALAR:
        return "scalar"
    if shape[1] == "1":
        return f"vector({shape[0]})"
    return f"matrix({shape[0]}, {shape[1]})"


@dataclass
class Env:
    """An instance: sizes, index values, and the value of every symbol."""

    sizes: dict[str, int]
    indices: dict[str, int]
    values: dict[str, Value]
    families: dict[str, dict[tuple[int, ...], Value]]
    functions: dict[str, Callable[[int], sp.Lambda]]
    depth: int = 0
    symbolic: bool = False

    def size(self, expr: str) -> int:
        """Evaluate a size expression such as `n`, `3` or `n+1`."""
        for op in ("+", "-"):
            if op in expr[1:]:
                left, right = expr.rsplit(op, 1)
                a, b = self.size(left), self.size(right)
                return a + b if op == "+" else a - b
        if expr.isdigit():
            return int(expr)
        if expr in self.indices:
            return self.indices[expr]
        if expr in self.sizes:
            return self.sizes[expr]
        raise EvaluationError(f"size '{expr}' has no value")

    def with_index(self, name: str, value: int) -> Env:
        return Env(self.sizes, {**self.indices, name: value}, self.values, self.families,
                   self.functions, self.depth, self.symbolic)  # fmt: skip

    def with_slot(self, slot: tuple[Any, ...], value: Value) -> Env:
        values, families = self.values, self.families
        if slot[0] == "plain":
            values = {**values, slot[1]: value}
        else:
            families = {**families, slot[1]: {**families[slot[1]], slot[2]: value}}
        return Env(self.sizes, self.indices, values, families, self.functions,
                   self.depth + 1, self.symbolic)  # fmt: skip


def scalar_of(value: Value) -> Value:
    if isinstance(value, sp.MatrixBase):
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
        return self.number


@dataclass
class IndexValue(Term):
    """An index or a size used as a number (`n/2`, `\\sum_i i`)."""

    name: str

    def value(self, env: Env) -> Value:
        return sp.Integer(env.size(self.name))


@dataclass
class Ref(Term):
    """A declared or undeclared symbol; for a family, with its index terms."""

    name: str
    indices: list[Term] = field(default_factory=list)
    family: bool = False

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
                if v == 0:
                    continue
                raise EvaluationError("a non-zero number added to a matrix")
            v = v if sign > 0 else -v
            total = v if total is None else total + v
        if total is None:
            return sp.zeros(*_dims(self.shape, env)) if self.shape else sp.Integer(0)
        return total

    def children(self) -> list[Term]:
        return [t for _, t in self.terms]


def _dims(shape: Shape | None, env: Env) -> tuple[int, int]:
    assert shape is not None
    return env.size(shape[0]), env.size(shape[1])


@dataclass
class Mul(Term):
    left: Term
    right: Term

    def value(self, env: Env) -> Value:
        a = self.left.value(env)
        if a == 0 and not isinstance(a, sp.MatrixBase):
            return sp.zeros(*_dims(self.shape, env)) if self.shape not in (None, SCALAR) else a
        b = self.right.value(env)
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
        if isinstance(a, sp.MatrixBase):
            return a.multiply_elementwise(b)
        return a * b

    def children(self) -> list[Term]:
        return [self.left, self.right]


@dataclass
class Div(Term):
    numerator: Term
    denominator: Term

    def value(self, env: Env) -> Value:
        d = self.denominator.value(env)
        if d == 0:
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
        if isinstance(b, sp.MatrixBase):
            if not (e.is_Integer and abs(int(e)) <= MAX_POWER):
                raise EvaluationError("a matrix power needs a small integer exponent")
            if int(e) < 0:
                return _inverse(b) ** (-int(e))
            return b ** int(e)
        if e.is_Number and abs(e) > 10_000:
            raise EvaluationError(f"exponent {e} is too large to evaluate")
        if b == 0 and (e.is_negative or e == 0):
            raise Undefined("0 to a non-positive power")
        return b**e

    def children(self) -> list[Term]:
        return [self.base, self.exponent]


@dataclass
class Transpose(Term):
    body: Term

    def value(self, env: Env) -> Value:
        v = self.body.value(env)
        return v.T if isinstance(v, sp.MatrixBase) else v

    def children(self) -> list[Term]:
        return [self.body]


def _inverse(m: sp.MatrixBase) -> sp.MatrixBase:
    if m.free_symbols:
        d = m.det()
        if d == 0:
            raise Undefined("a singular matrix")
        return m.adjugate() / d
    if m.det() == 0:
        raise Undefined("a singular matrix")
    return m.inv()


@dataclass
class Inverse(Term):
    body: Term

    def value(self, env: Env) -> Value:
        v = self.body.value(env)
        if isinstance(v, sp.MatrixBase):
            return sp.ImmutableMatrix(_inverse(v))
        if v == 0:
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
        return apply_function(self.function, v)

    def children(self) -> list[Term]:
        return [self.body]


def apply_function(name: str, v: Value) -> Value:
    if isinstance(v, sp.MatrixBase):
        raise EvaluationError(f"\\{name} of a matrix")
    if name in ("log", "ln"):
        if v == 0:
            raise Undefined("log of 0")
        return sp.log(v)
    simple: dict[str, Callable[[Any], Any]] = {
        "exp": sp.exp, "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "cot": sp.cot,
        "sec": sp.sec, "csc": sp.csc, "arcsin": sp.asin, "arccos": sp.acos,
        "arctan": sp.atan, "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh,
        "coth": sp.coth, "abs": sp.Abs, "sqrt": sp.sqrt,
    }  # fmt: skip
    if name in simple:
        return simple[name](v)
    raise EvaluationError(f"unknown function {name}")


@dataclass
class MatrixFunction(Term):
    """det, tr, diag, abs, norm: functions whose meaning depends on the shape."""

    function: str
    body: Term
    order: int = 2

    def value(self, env: Env) -> Value:
        v = self.body.value(env)
        if self.function == "det":
            return v.det() if isinstance(v, sp.MatrixBase) else v
        if self.function == "tr":
            return v.trace() if isinstance(v, sp.MatrixBase) else v
        if self.function == "diag":
            if isinstance(v, sp.MatrixBase):
                if v.shape[1] == 1:
                    return sp.ImmutableMatrix(sp.diag(*list(v)))
                return sp.ImmutableMatrix([v[i, i] for i in range(min(v.shape))])
            return v
        if self.function == "abs":
            return sp.Abs(v)
        if self.function == "norm":
            entries = list(v) if isinstance(v, sp.MatrixBase) else [v]
            if self.order == 1:
                return sum((sp.Abs(e) for e in entries), sp.Integer(0))
            return sp.sqrt(sum((e * e for e in entries), sp.Integer(0)))
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
            return sp.sqrt(v)
        d = self.degree.value(env)
        if d == 0:
            raise Undefined("a 0th root")
        if v.is_negative and d.is_Integer and int(d) % 2 == 1:
            return -((-v) ** (1 / d))
        return v ** (1 / d)

    def children(self) -> list[Term]:
        return [self.body] + ([self.degree] if self.degree else [])


@dataclass
class Identity(Term):
    size: str

    def value(self, env: Env) -> Value:
        return sp.ImmutableMatrix(sp.eye(env.size(self.size)))


@dataclass
class MatrixLiteral(Term):
    rows: list[list[Term]]

    def value(self, env: Env) -> Value:
        blocks = [[cell.value(env) for cell in row] for row in self.rows]
        if all(not isinstance(c, sp.MatrixBase) for row in blocks for c in row):
            return sp.ImmutableMatrix(blocks)
        grid = [
            [c if isinstance(c, sp.MatrixBase) else sp.ImmutableMatrix([[c]]) for c in row]
            for row in blocks
        ]
        return sp.ImmutableMatrix(sp.BlockMatrix(grid).as_explicit())

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
        lo = int(scalar_of(self.lower.value(env)))
        hi = int(scalar_of(self.upper.value(env)))
        if hi - lo + 1 > MAX_TERMS:
            raise EvaluationError(
                f"\\{self.kind} over {hi - lo + 1} terms is more than {MAX_TERMS}"
            )
        skip = int(scalar_of(self.exclude.value(env))) if self.exclude is not None else None
        result: Value = None
        for k in range(lo, hi + 1):
            if k == skip:
                continue
            v = self.body.value(env.with_index(self.variable, k))
            if result is None:
                result = v
            else:
                result = result + v if self.kind == "sum" else result * v
        if result is None:
            if self.kind == "prod":
                return sp.Integer(1)
            if self.shape not in (None, SCALAR):
                return sp.ImmutableMatrix(sp.zeros(*_dims(self.shape, env)))
            return sp.Integer(0)
        return result

    def children(self) -> list[Term]:
        return [self.lower, self.upper, self.body] + ([self.exclude] if self.exclude else [])


_DIRECTIONS = [sp.Symbol(f"t{k}", real=True) for k in range(8)]


@dataclass
class Derivative(Term):
    """`\\nabla_v f`, `\\partial f / \\partial v`: denominator layout, entries independent.

    Evaluated exactly: each entry is d/dt f(v + t E) at t = 0, with v's other
    entries and every other symbol at their instance values.
    """

    variable: Ref
    body: Term

    def value(self, env: Env) -> Value:
        slot = self.variable.slot(env)
        base = self.variable.value(env)
        if env.depth >= len(_DIRECTIONS):
            raise EvaluationError("derivatives nested too deep")
        t = _DIRECTIONS[env.depth]
        if not isinstance(base, sp.MatrixBase):
            inner = self.body.value(env.with_slot(slot, base + t))
            return _at_zero(inner, t)
        rows, cols = base.shape
        entries = {}
        for r, c in itertools.product(range(rows), range(cols)):
            direction = sp.zeros(rows, cols)
            direction[r, c] = 1
            moved = sp.ImmutableMatrix(base + t * direction)
            entries[(r, c)] = _at_zero(self.body.value(env.with_slot(slot, moved)), t)
        first = entries[(0, 0)]
        if not isinstance(first, sp.MatrixBase):
            return sp.ImmutableMatrix(rows, cols, lambda r, c: entries[(r, c)])
        if cols != 1 or first.shape[1] != 1:
            raise EvaluationError("the derivative of a matrix by a matrix is not supported")
        out = first.shape[0]
        return sp.ImmutableMatrix(rows, out, lambda a, b: entries[(a, 0)][b, 0])

    def children(self) -> list[Term]:
        return [self.variable, self.body]


def _at_zero(value: Value, t: sp.Symbol) -> Value:
    if isinstance(value, sp.MatrixBase):
        return sp.ImmutableMatrix(value.applyfunc(lambda e: _at_zero(e, t)))
    d = sp.diff(value, t)
    return d.subs(t, 0) if d.has(t) else d


@dataclass
class FunctionCall(Term):
    """An arbitrary declared function `g(x, y)` (a random smooth one per instance)."""

    name: str
    args: list[Term]
    derivative: int = 0

    def value(self, env: Env) -> Value:
        function = env.functions.get(self.name)
        if function is None:
            raise EvaluationError(f"no value for the function {self.name}")
        flat: list[Value] = []
        for a in self.args:
            v = a.value(env)
            flat.extend(list(v) if isinstance(v, sp.MatrixBase) else [v])
        lam = function(len(flat))
        variables = lam.variables
        body = lam.expr
        for _ in range(self.derivative):
            body = sp.diff(body, variables[0])
        return body.subs(dict(zip(variables, flat, strict=True)), simultaneous=True)

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
        if isinstance(x, sp.MatrixBase):
            d = x - mu
            det = cov.det()
            if det == 0:
                raise Undefined("a singular covariance")
            n = x.shape[0]
            quad = scalar_of(d.T * _inverse(cov) * d)
            return (2 * sp.pi) ** sp.Rational(-n, 2) * det ** sp.Rational(-1, 2) * sp.exp(-quad / 2)
        if cov == 0:
            raise Undefined("a zero variance")
        return (2 * sp.pi * cov) ** sp.Rational(-1, 2) * sp.exp(-((x - mu) ** 2) / (2 * cov))

    def children(self) -> list[Term]:
        return [self.point, self.mean, self.covariance]


@dataclass
class Constant(Term):
    """`\\text{const}`: only meaningful as a whole term of a side."""

    def value(self, env: Env) -> Value:
        raise EvaluationError("\\text{const} cannot be evaluated")
