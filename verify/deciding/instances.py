"""Random admissible instances: sizes, index values and exact values for symbols.

Values are small exact rationals, drawn so that each declared property holds
by construction (symmetric as B + Bᵀ, positive-definite as B Bᵀ + cI,
orthogonal by the Cayley transform, simplex weights normalised), so a step is
tested only where its hypotheses hold, and is tested at several sizes so that
n = 1 coincidences (AB = BA) cannot pass.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable

import sympy as sp

from verify.deciding.dependence import draw_curves
from verify.deciding.wholes import entrywise_value
from verify.errors import EmptyRange
from verify.meaning.dual import Mat, power
from verify.meaning.terms import Env, Value
from verify.model import Declaration, Kind
from verify.shape import Size

# Sizes used by successive instances: the first has every size 3 (no 1×1 or
# 2×2 coincidence), then 2, then mixed sizes so that n ≠ m, and one with sizes
# up to 4 (four vectors can be independent; m = 1, 2, 3 are not all there is).
SIZE_PLANS: list[Callable[[random.Random], int]] = [
    lambda r: 3,
    lambda r: 2,
    lambda r: r.choice([1, 2, 3]),
    lambda r: r.choice([3, 4]),
    lambda r: 3,
    lambda r: r.choice([1, 2, 3]),
]
# Some instances give undeclared scalars the values where claims break most
# often: 0, ±1, 2, ±1/2.
SPECIAL_PLANS = {5, 9}
SPECIAL_VALUES = [sp.Integer(v) for v in (0, 1, -1, 2)] + [sp.Rational(1, 2), sp.Rational(-1, 2)]
DENOMINATORS = [1, 1, 1, 2, 3, 4, 5, 7, 8, 9, 11, 12]
ZERO_CHANCE = 0.08  # a scalar that may be 0 sometimes is (a^2 > 0 must fail)


def rational(rng: random.Random, positive: bool = False, nonzero: bool = True) -> sp.Rational:
    if not nonzero and not positive and rng.random() < ZERO_CHANCE:
        return sp.Integer(0)
    while True:
        num = rng.randint(1 if positive else -12, 12)
        if num != 0:
            return sp.Rational(num, rng.choice(DENOMINATORS))


def integer(rng: random.Random, positive: bool = False, nonzero: bool = False) -> sp.Integer:
    while True:
        v = rng.randint(1 if positive else -20, 20)
        if v != 0 or not (positive or nonzero):
            return sp.Integer(v)


def _square(rng: random.Random, n: int) -> sp.Matrix:
    return sp.Matrix(n, n, lambda i, j: sp.Integer(rng.randint(-4, 4)))


def matrix_value(rng: random.Random, rows: int, cols: int, props: tuple[str, ...]) -> sp.Matrix:
    """A matrix with the declared properties, exactly."""
    if "orthogonal" in props and rows != cols:  # orthonormal columns: the thin SVD's U
        if rows < cols:
            raise EmptyRange(f"orthonormal columns: {cols} columns need as many rows")
        return matrix_value(rng, rows, rows, props)[:, :cols]
    if "orthogonal" in props:
        skew = sp.Matrix(rows, rows, lambda i, j: 0)
        for i, j in itertools.combinations(range(rows), 2):
            v = sp.Rational(rng.randint(-3, 3), rng.choice([1, 2]))
            skew[i, j], skew[j, i] = v, -v
        eye = sp.eye(rows)
        q = (eye - skew) * (eye + skew).inv()
        if rng.random() < 0.5:
            q[:, 0] = -q[:, 0]
        return q
    if "lower-triangular" in props or "upper-triangular" in props:
        lower = "lower-triangular" in props
        for _ in range(50):
            m = sp.Matrix(rows, rows, lambda i, j: rational(rng, nonzero=False)
                          if (i >= j if lower else i <= j) else sp.Integer(0))  # fmt: skip
            if "invertible" not in props or m.det() != 0:
                return m
        raise ValueError("could not draw an invertible triangular matrix")
    if "diagonal" in props:
        return sp.diag(*[_diagonal_entry(rng, props) for _ in range(rows)])
    if "positive-definite" in props:
        b = _square(rng, rows)
        return b * b.T + sp.eye(rows) * rational(rng, positive=True)
    if "symmetric" in props:
        b = _square(rng, rows)
        return b + b.T + sp.eye(rows) * rng.randint(-2, 2)
    for _ in range(50):
        m = sp.Matrix(rows, cols, lambda i, j: rational(rng, nonzero=False))
        if "invertible" not in props or m.det() != 0:
            return m
    raise ValueError("could not draw an invertible matrix")


def _diagonal_entry(rng: random.Random, props: tuple[str, ...]) -> sp.Expr:
    """An entry of a diagonal matrix: of the declared sign (`nonnegative`: sometimes 0,
    as a singular value may be), else any nonzero number."""
    if "positive-definite" in props or "positive" in props:
        return rational(rng, positive=True)
    if "nonnegative" in props or "negative" in props:
        return scalar_value(rng, props)
    return rational(rng)


def scalar_value(rng: random.Random, props: tuple[str, ...]) -> sp.Expr:
    if "probability" in props:  # strictly between 0 and 1
        return sp.Rational(rng.randint(1, 19), 20)
    if "integer" in props:
        return integer(rng, positive="positive" in props, nonzero="nonzero" in props)
    if "negative" in props:
        return -rational(rng, positive=True)
    if "nonnegative" in props and rng.random() < ZERO_CHANCE:
        return sp.Integer(0)
    positive = "positive" in props or "nonnegative" in props
    return rational(rng, positive=positive, nonzero="nonzero" in props)


Monomial = tuple[sp.Rational, tuple[int, ...]]


def random_function(rng: random.Random) -> Callable[[int, int], Callable[[list[Value]], Value]]:
    """An arbitrary smooth function: a random cubic in its arguments, per arity.

    Returned as `make(arity, derivative)`, a function of a list of scalars;
    `derivative` differentiates that many times in the first argument (g', g'').
    It is evaluated with ordinary arithmetic, so it differentiates through duals.
    """
    made: dict[int, list[Monomial]] = {}

    def monomials(arity: int) -> list[Monomial]:
        if arity not in made:
            terms: list[Monomial] = [(rational(rng), (0,) * arity)]
            for i in range(arity):
                for degree in (1, 2, 3):
                    e = [0] * arity
                    e[i] = degree
                    terms.append((rational(rng), tuple(e)))
            for i, j in itertools.combinations(range(arity), 2):
                e = [0] * arity
                e[i] = e[j] = 1
                terms.append((rational(rng), tuple(e)))
            made[arity] = terms
        return made[arity]

    def make(arity: int, derivative: int) -> Callable[[list[Value]], Value]:
        terms = monomials(arity)
        for _ in range(derivative):
            terms = [(c * e[0], (e[0] - 1, *e[1:])) for c, e in terms if e and e[0] > 0]

        def evaluate(args: list[Value]) -> Value:
            total: Value = sp.Integer(0)
            for coefficient, exponents in terms:
                term: Value = coefficient
                for x, k in zip(args, exponents, strict=True):
                    if k:
                        term = term * power(x, sp.Integer(k))
                total = total + term
            return total

        return evaluate

    return make


def draw(
    rng: random.Random,
    declarations: list[Declaration],
    undeclared: set[str],
    plan: int,
    positive_undeclared: bool,
    distinct_indices: bool,
    minimum_sizes: dict[str, int] | None = None,
    needed: frozenset[str] | None = None,
) -> Env:
    """One instance for plan number `plan`; sizes are at least `minimum_sizes` (so
    that the literal members a pair uses, such as `y^{(2)}`, exist). A symbol that
    cannot exist at the drawn sizes (orthonormal columns in a wide matrix) makes the
    instance inadmissible (`EmptyRange`) if it is `needed` (None: every symbol), and
    is left out otherwise."""
    by_name = {d.base: d for d in declarations}
    size_of = SIZE_PLANS[plan % len(SIZE_PLANS)]
    sizes = {d.base: size_of(rng) for d in declarations if d.kind == Kind.SIZE and not d.indices}
    for name, least in (minimum_sizes or {}).items():
        if name in sizes:
            sizes[name] = max(sizes[name], least)
    _thin(declarations, sizes, plan, needed)
    env = Env(sizes, {}, {}, {}, {})
    indices: dict[str, int] = {}
    taken: dict[tuple[int, int], set[int]] = {}
    for d in declarations:
        if d.kind != Kind.INDEX or d.index_range is None or d.is_random or d.indices:
            continue
        lo, hi = env.size(d.index_range[0]), env.size(d.index_range[1])
        if hi < lo:
            raise EmptyRange(d.key)
        choices = list(range(lo, hi + 1))
        used = taken.setdefault((lo, hi), set())
        free = [c for c in choices if c not in used] if distinct_indices else choices
        value = rng.choice(free or choices)
        used.add(value)
        indices[d.base] = value
    env.indices = indices
    for d in declarations:
        if d.kind in (Kind.SIZE, Kind.INDEX, Kind.IDENTITY) and not (d.is_random or d.indices):
            continue
        if d.kind == Kind.FUNCTION:
            env.functions[d.base] = random_function(rng)
            continue
        if d.kind == Kind.SUBSET:
            continue  # drawn below, with the sizes they are tied to
        if d.indices:
            try:
                env.families[d.base] = _family(rng, d, by_name, env)
            except EmptyRange:
                if needed is None or d.base in needed:
                    raise
        elif d.distribution in ("bernoulli", "categorical"):
            env.values[d.base] = value_of(rng, d, env)
        else:
            special = plan in SPECIAL_PLANS and not positive_undeclared
            if special and d.kind == Kind.SCALAR and not set(d.properties) - {"nonnegative"}:
                env.values[d.base] = (
                    sp.Integer(0)
                    if plan == min(SPECIAL_PLANS)
                    else rng.choice([v for v in SPECIAL_VALUES if v >= 0 or not d.properties])
                )
            elif (
                special
                and d.kind == Kind.VECTOR
                and not d.properties
                and plan == min(SPECIAL_PLANS)
            ):
                env.values[d.base] = Mat.zeros(env.size(d.shape.rows) if d.shape else 1, 1)
            else:
                try:
                    env.values[d.base] = value_of(rng, d, env)
                except EmptyRange:
                    if needed is None or d.base in needed:
                        raise
    draw_subsets(rng, declarations, env)
    draw_curves(rng, declarations, env, matrix_value, lambda r: rational(r, nonzero=False))
    for name in sorted(undeclared):
        if plan in SPECIAL_PLANS and not positive_undeclared:
            env.values[name] = (
                sp.Integer(0) if plan == min(SPECIAL_PLANS) else rng.choice(SPECIAL_VALUES)
            )
        else:
            env.values[name] = rational(rng, positive=positive_undeclared, nonzero=False)
    return env


def draw_subsets(rng: random.Random, declarations: list[Declaration], env: Env) -> None:
    """Each declared subset (each member of a family of them, `\\mathcal{C}_k`) as a
    random set of whole numbers in its range, stored as a sorted tuple; a subset
    tied to a size (`size N_k`) is not empty, and the size is set to its count."""
    by_name = {d.base: d for d in declarations}
    for d in declarations:
        if d.kind != Kind.SUBSET or d.index_range is None:
            continue
        low, high = (env.size(s) for s in d.index_range)
        ranges = []
        for name in d.indices:
            index = by_name[name].index_range
            assert index is not None
            ranges.append(range(env.size(index[0]), env.size(index[1]) + 1))
        members: dict[tuple[int, ...], Value] = {}
        for key in itertools.product(*ranges):
            room = max(high - low + 1, 0)
            if d.count in env.sizes:  # a plain size, drawn with the others
                size = env.sizes[d.count]
            else:
                size = rng.randint(1 if d.count else 0, room)
            if size > room or (d.count and size < 1):
                raise EmptyRange(d.key)
            members[key] = tuple(sorted(rng.sample(range(low, high + 1), size)))
            if d.count in env.families:
                env.families[d.count][key] = sp.Integer(size)
        if d.indices:
            env.families[d.base] = members
        else:
            env.values[d.base] = members[()]


# Plans whose matrices with orthonormal columns are drawn thin (more rows than columns).
THIN_PLANS = {2, 3, 5}


def _thin(
    declarations: list[Declaration], sizes: dict[str, int], plan: int,
    needed: frozenset[str] | None,
) -> None:  # fmt: skip
    """Sizes at which each needed matrix with orthonormal columns (`U: matrix(N, p),
    orthogonal`) exists, and is thin (N > p) at some plans and square at others, so
    that a step true only for a square one (U U^T = I) fails."""
    for d in declarations:
        if not (d.kind == Kind.MATRIX and "orthogonal" in d.properties and d.shape):
            continue
        if d.shape.is_square or (needed is not None and d.base not in needed):
            continue
        rows, cols = d.shape.rows.names(), d.shape.cols.names()
        if len(rows) != 1 or len(cols) != 1 or d.shape.rows != Size.name(next(iter(rows))):
            continue
        if d.shape.cols != Size.name(next(iter(cols))):
            continue
        r, c = next(iter(rows)), next(iter(cols))
        if r not in sizes or c not in sizes:
            continue
        sizes[r] = max(sizes[r], sizes[c])
        if plan % len(SIZE_PLANS) in THIN_PLANS and sizes[r] == sizes[c]:
            sizes[r] += 1


def value_of(rng: random.Random, d: Declaration, env: Env) -> Value:
    if d.distribution in ("bernoulli", "categorical"):
        return outcome(rng, d, env)
    if d.kind == Kind.SCALAR:
        return scalar_value(rng, d.properties)
    if d.kind.is_integer:  # a member of a family of whole numbers
        return _whole_value(rng, d, env)
    assert d.shape is not None
    entrywise = entrywise_value(rng, d, env, scalar_value)  # `vector(m), integer`
    if entrywise is not None:
        return entrywise
    rows, cols = env.dims(d.shape)
    if d.kind == Kind.VECTOR and d.sums_over is not None:  # entries that sum to 1
        weights = [rational(rng, positive=True) for _ in range(rows)]
        return Mat.build(rows, 1, lambda i, j: weights[i] / sum(weights))
    if d.kind == Kind.VECTOR:
        positive = "positive" in d.properties
        if not positive and "nonzero" not in d.properties and rng.random() < ZERO_CHANCE:
            return Mat.zeros(rows, 1)
        while True:
            v = Mat.build(rows, 1, lambda i, j: rational(rng, positive=positive, nonzero=False))
            if "nonzero" not in d.properties or any(x != 0 for x in v):
                return v
    return Mat.from_sympy(matrix_value(rng, rows, cols, d.properties))


SIZE_MEMBERS = (1, 4)  # the members of a family of sizes (`N_k`) are drawn from 1..4


def _whole_value(rng: random.Random, d: Declaration, env: Env) -> Value:
    """A data value in its declared range (`index 0..1`), or a positive whole number."""
    low, high = SIZE_MEMBERS
    if d.kind == Kind.INDEX and d.index_range is not None:
        low, high = (env.size(s) for s in d.index_range)
        if high < low:
            raise EmptyRange(d.key)
    return sp.Integer(rng.randint(low, high))


def _family(
    rng: random.Random, d: Declaration, by_name: dict[str, Declaration], env: Env
) -> dict[tuple[int, ...], Value]:
    ranges = []
    for name in d.indices:
        idx = by_name[name]
        assert idx.index_range is not None
        lo, hi = env.size(idx.index_range[0]), env.size(idx.index_range[1])
        ranges.append(range(lo, hi + 1))
    members: dict[tuple[int, ...], Value] = {
        key: value_of(rng, d, env) for key in itertools.product(*ranges)
    }
    if d.sums_over is not None and d.kind == Kind.SCALAR:
        axis = d.indices.index(d.sums_over)
        for key in members:
            members[key] = rational(rng, positive=True)
        groups: dict[tuple[int, ...], list[tuple[int, ...]]] = {}
        for key in members:
            groups.setdefault(key[:axis] + key[axis + 1 :], []).append(key)
        for keys in groups.values():
            total = sum(members[k] for k in keys)
            for k in keys:
                members[k] = members[k] / total
    return members


def outcome(rng: random.Random, d: Declaration, env: Env) -> Value:
    """A finitely-valued random symbol outside an expectation: any value in its support
    (0 or 1 for a Bernoulli; an index in its range for a Categorical)."""
    if d.distribution == "bernoulli" or d.index_range is None:
        return sp.Integer(rng.choice([0, 1]))
    low, high = (env.size(s) for s in d.index_range)
    if high < low:
        raise EmptyRange(d.key)
    return sp.Integer(rng.randint(low, high))
