"""Drawing one instance of a planned row: sizes, index values, and a value for each symbol.

`draw_row` draws the instance of one row of a plan (`verify.deciding.plans`).
Each symbol has its own random stream per row and attempt, so drawing again
the symbols under an undefined subexpression (`attempts`) leaves every other
value of the row as it was. Steps that work on a drawn instance (such as
hypotheses that must hold) belong after `draw_row`, on the `Instance` it
returns.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from verify.deciding.dependence import draw_curves
from verify.deciding.functions import RandomFunction
from verify.deciding.matrices import draw_matrix, holds
from verify.deciding.plans import (
    FALLBACK_AFTER,
    SMALLEST_LARGEST_SIZE,
    Plan,
    Row,
    Symbol,
    classes_of,
    drawn,
)
from verify.deciding.values import (
    DENOMINATORS,
    FIXED,
    SCALAR_CLASSES,
    CannotDraw,
    Draws,
    Grid,
    draw_scalar,
    draw_vector,
    scalar_classes,
)
from verify.errors import EmptyRange, PairError
from verify.meaning.dual import Mat
from verify.meaning.terms import Env, Value
from verify.model import Declaration, Kind
from verify.shape import Size


@dataclass
class Instance:
    """A drawn instance: the values, and the class each symbol's value came from."""

    env: Env
    row: Row
    classes: dict[str, str]
    solved: frozenset[str] = frozenset()  # symbols a given set (their class is not theirs)


def _stream(plan: Plan, row: Row, what: str, attempt: int) -> Draws:
    denominator = random.Random(f"{plan.seed}|{row.number}|#denominator").randrange(*DENOMINATORS)
    return Draws(f"{plan.seed}|{row.number}|{what}|{attempt}", denominator)


def class_at(symbol: Symbol, wanted: str, attempt: int) -> str:
    """The class of a symbol's value at its `attempt`-th draw in a row: its row class,
    then its generic class, then (for what is still undefined) positive values."""
    if attempt == 0 or (attempt < FALLBACK_AFTER and wanted not in FIXED_CLASSES):
        return wanted
    if attempt <= FALLBACK_AFTER + 1 or symbol.kind == Kind.MATRIX:
        return symbol.classes[0]
    positive = [c for c in symbol.classes if c in ("positive", "small-positive")]
    if symbol.kind == Kind.VECTOR and "positive" in scalar_classes(_entry_props(symbol)):
        return "positive-entries"
    return positive[0] if positive else symbol.classes[0]


# Classes of one value only: drawing one again gives the same value.
FIXED_CLASSES = FIXED | {"identity", "minus-identity", "uniform", "ones"}


def _entry_props(symbol: Symbol) -> tuple[str, ...]:
    return tuple(p for p in symbol.properties if p not in ("nonzero",))


def draw_row(plan: Plan, row: Row, attempts: dict[str, int] | None = None) -> Instance:
    """The instance of `row`; `attempts[name]` > 0 re-draws that symbol (and
    `attempts["#indices"]` the index values). Raises `EmptyRange` when an index
    range is empty at the row's sizes, `PairError` for an undrawable declaration."""
    attempts = attempts or {}
    sizes = _sizes(plan, row)
    _thin(
        plan.declarations, sizes, row.number, plan.needed or frozenset(s.name for s in plan.symbols)
    )
    env = Env(sizes, {}, {}, {}, {})
    env.indices = _indices(plan, row, env, attempts.get("#indices", 0))
    classes: dict[str, str] = {}
    for symbol in plan.symbols:
        attempt = attempts.get(symbol.name, 0)
        cls = class_at(symbol, row.cls(symbol.name), attempt)
        rng = _stream(plan, row, symbol.name, attempt)
        classes[symbol.name] = cls
        try:
            if symbol.family:
                env.families[symbol.name] = _family(rng, symbol, row, cls, attempt, env, plan)
            else:
                env.values[symbol.name] = value_of(rng, symbol, cls, env)
        except CannotDraw as err:
            raise PairError(f"{symbol.name}: {err.message}", 0) from None
        except EmptyRange:  # cannot exist at these sizes (orthonormal columns in a wide matrix)
            if symbol.name not in plan.optional:
                raise
    for name in plan.functions:
        env.functions[name] = RandomFunction(_stream(plan, row, name, attempts.get(name, 0)))
    subsets = [d for d in plan.declarations if d.base in plan.subsets]
    draw_subsets(_stream(plan, row, "#subsets", attempts.get("#indices", 0)), subsets, env,
                 plan.declarations)  # fmt: skip
    draw_curves(_stream(plan, row, "#curves", 0), plan.declarations, env, matrix_value,
                lambda r: rational(r, nonzero=False))  # fmt: skip
    return Instance(env, row, classes)


def _sizes(plan: Plan, row: Row) -> dict[str, int]:
    """The row's sizes, each at least its `plan.minimum_sizes` (so that the literal
    members a pair uses, such as `y^{(2)}`, exist)."""
    sizes = _row_sizes(plan, row)
    for name, least in plan.minimum_sizes.items():
        if name in sizes:
            sizes[name] = max(sizes[name], least)
    return sizes


def _row_sizes(plan: Plan, row: Row) -> dict[str, int]:
    """The row's planned sizes; unequal sizes come from 1 to 3 (every larger size has
    its own row: most of the cost is there)."""
    names = [d.base for d in plan.declarations if d.kind == Kind.SIZE and not d.indices]
    if isinstance(row.sizes, tuple):
        dimension, count = row.sizes
        return {name: dimension if name in plan.dimensions else count for name in names}
    if row.sizes is not None:
        return dict.fromkeys(names, row.sizes)
    rng = _stream(plan, row, "#sizes", 0)
    values = [1, 2, 3]
    rng.shuffle(values)
    return {name: values[k % len(values)] for k, name in enumerate(names)}


# Rows (by number, modulo 6) whose matrices with orthonormal columns are drawn thin.
THIN_PLANS = {2, 3, 5}


def _thin(
    declarations: list[Declaration], sizes: dict[str, int], number: int, needed: frozenset[str]
) -> None:
    """Sizes at which each needed matrix with orthonormal columns (`U: matrix(N, p),
    orthogonal`) exists, and is thin (N > p) at some rows and square at others, so
    that a step true only for a square one (U U^T = I) fails."""
    for d in declarations:
        if not (d.kind == Kind.MATRIX and "orthogonal" in d.properties and d.shape):
            continue
        if d.shape.is_square or d.base not in needed:
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
        if number % 6 in THIN_PLANS and sizes[r] == sizes[c]:
            sizes[r] += 1


def draw_subsets(
    rng: random.Random, declarations: list[Declaration], env: Env,
    context: list[Declaration] | None = None,
) -> None:  # fmt: skip
    """Each declared subset among `declarations` (each member of a family of them,
    `\\mathcal{C}_k`) as a random set of whole numbers in its range, stored as a sorted
    tuple; a subset tied to a size (`size N_k`) is not empty, and the size is set to
    its count. `context` holds the other declarations (the indices), if apart."""
    by_name = {d.base: d for d in (context or declarations)}
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


def _indices(plan: Plan, row: Row, env: Env, attempt: int) -> dict[str, int]:
    """Index values: distinct letters take distinct values where the row says so, and
    the ends of each range turn up as often as the middle."""
    rng = _stream(plan, row, "#indices", attempt)
    values: dict[str, int] = {}
    taken: dict[tuple[int, int], set[int]] = {}
    env.indices = values
    for d in plan.declarations:
        if d.kind != Kind.INDEX or d.index_range is None or d.is_random or d.indices:
            continue
        lo, hi = env.size(d.index_range[0]), env.size(d.index_range[1])
        if hi < lo:
            raise EmptyRange(d.key)
        choices = list(range(lo, hi + 1))
        used = taken.setdefault((lo, hi), set())
        free = [c for c in choices if c not in used] if row.distinct else choices
        pool = free or choices
        pick = rng.random()
        value = pool[0] if pick < 0.25 else pool[-1] if pick < 0.5 else rng.choice(pool)
        used.add(value)
        values[d.base] = value
    return values


def exact(x: Fraction) -> sp.Rational:
    return sp.Rational(x.numerator, x.denominator)


def to_mat(grid: Grid) -> Mat:
    return Mat([[exact(x) for x in row] for row in grid])


def value_of(rng: random.Random, symbol: Symbol, cls: str, env: Env) -> Value:
    """One value of a (non-family) symbol, of class `cls`, at the sizes of `env`."""
    d = symbol.declaration
    if d is not None and d.distribution in FINITE_DISTRIBUTIONS:
        return outcome(rng, d, env)
    if symbol.kind.is_integer:  # a member of a family of whole numbers
        assert d is not None
        return _whole_value(rng, d, env)
    if symbol.kind == Kind.SCALAR:
        if cls not in SCALAR_CLASSES:  # a weight's class names the family, not a member
            cls = "positive"
        return exact(draw_scalar(rng, cls))
    assert d is not None and d.shape is not None
    rows, cols = env.dims(d.shape)
    if symbol.kind == Kind.VECTOR and d.sums_over is not None:  # entries that sum to 1
        special = rng.randrange(rows)
        weights = [_weight(rng, cls, k == special) for k in range(rows)]
        return Mat.build(rows, 1, lambda i, j: weights[i] / sum(weights))
    if symbol.kind == Kind.VECTOR:
        props = _entry_props(symbol)
        if cls == "positive-entries":
            return to_mat([[draw_scalar(rng, "positive")] for _ in range(rows)])
        for _ in range(20):
            grid = draw_vector(rng, rows, cls, props)
            if holds(grid, d.properties):
                return to_mat(grid)
        return to_mat(draw_vector(rng, rows, symbol.classes[0], props))
    try:
        return to_mat(draw_matrix(rng, rows, cols, cls, d.properties))
    except CannotDraw:
        if cls == symbol.classes[0]:
            raise
        return to_mat(draw_matrix(rng, rows, cols, symbol.classes[0], d.properties))


SIZE_MEMBERS = (1, 4)  # the members of a family of sizes (`N_k`) are drawn from 1..4


def _whole_value(rng: random.Random, d: Declaration, env: Env) -> Value:
    """A data value in its declared range (`index 0..1`), or a positive whole number."""
    low, high = SIZE_MEMBERS
    if d.kind == Kind.INDEX and d.index_range is not None:
        low, high = (env.size(s) for s in d.index_range)
        if high < low:
            raise EmptyRange(d.key)
    return sp.Integer(rng.randint(low, high))


def rational(rng: random.Random, positive: bool = False, nonzero: bool = True) -> sp.Rational:
    """One wide exact number (for a region's redraw, a curve's direction); `nonzero`
    False lets 0 come up now and then."""
    if not nonzero and rng.random() < 0.1:
        return sp.Integer(0)
    return exact(draw_scalar(rng, "positive" if positive else "wide"))


def matrix_value(rng: random.Random, rows: int, cols: int, props: tuple[str, ...]) -> sp.Matrix:
    """A wide matrix with the declared properties, exactly (`EmptyRange` for
    orthonormal columns that cannot exist at these sizes)."""
    return to_mat(draw_matrix(rng, rows, cols, "wide", props)).to_sympy()


def declared_value(rng: random.Random, d: Declaration, env: Env) -> Value:
    """A wide value of a declared symbol (not a family), from its declaration alone."""
    classes = classes_of(d)
    return value_of(rng, Symbol(d.base, d, classes), classes[0], env)


def _family(rng: random.Random, symbol: Symbol, row: Row, cls: str, attempt: int, env: Env,
            plan: Plan) -> dict[tuple[int, ...], Value]:  # fmt: skip
    """Every member of a family: in a covering row, every other member takes the next
    class of the cycle, the rest the generic class. Weights that sum to 1 are whole
    numbers scaled to sum 1 (small denominators keep their powers cheap); a member of
    a small class is then a weight near 0 beside the others."""
    d = symbol.declaration
    assert d is not None
    by_name = {x.base: x for x in plan.declarations}
    ranges = []
    for name in d.indices:
        index_range = by_name[name].index_range
        assert index_range is not None
        ranges.append(range(env.size(index_range[0]), env.size(index_range[1]) + 1))
    keys = list(itertools.product(*ranges))
    weights = d.sums_over is not None and d.kind == Kind.SCALAR
    members: dict[tuple[int, ...], Value] = {}
    others = symbol.classes[1:] or symbol.classes
    start = others.index(cls) if cls in others else 0
    # the member that stands out, shared by every weight family of the row
    special = _stream(plan, row, "#weights", attempt).randrange(len(keys)) if keys else 0
    for q, key in enumerate(keys):
        if weights:
            members[key] = _weight(rng, cls, q == special)
            continue
        member_cls = cls
        if not row.wide and attempt == 0:
            member_cls = others[(start + q // 2) % len(others)] if q % 2 == 0 else symbol.classes[0]
        members[key] = value_of(rng, symbol, member_cls, env)
    if weights:
        assert d.sums_over is not None
        axis = d.indices.index(d.sums_over)
        groups: dict[tuple[int, ...], list[tuple[int, ...]]] = {}
        for key in keys:
            groups.setdefault(key[:axis] + key[axis + 1 :], []).append(key)
        for group in groups.values():
            total = sum(members[k] for k in group)
            for k in group:
                members[k] = members[k] / total
    return members


def _weight(rng: random.Random, cls: str, special: bool) -> Value:
    """A weight before scaling to sum 1: whole numbers keep the scaled ones simple."""
    if cls == "uniform":
        return sp.Integer(1)
    if cls == "dominant":
        return sp.Integer(10_000 if special else rng.randint(1, 9))
    if cls == "tiny-member":
        return sp.Integer(1 if special else rng.randint(1_000, 9_999))
    return sp.Integer(rng.randint(1, 999))


def redraw_value(plan: Plan, row: Row, symbol_name: str, env: Env, attempt: int,
                 declaration: Declaration | None = None) -> Value:  # fmt: skip
    """Another value of one (non-family) symbol, for `const` and `\\propto`: a wide draw;
    `declaration` stands for the symbol's own (a part of a declared whole)."""
    symbol = next((s for s in plan.symbols if s.name == symbol_name), None)
    if declaration is not None:
        symbol = Symbol(symbol_name, declaration, classes_of(declaration))
    if symbol is None:
        symbol = Symbol(symbol_name, None, classes_of(None))
    rng = _stream(plan, row, f"{symbol_name}#again", attempt)
    return value_of(rng, symbol, symbol.classes[0], env)


# ------------------------------------------------------- a single instance


# Sizes of the instances `draw` gives, in turn: mostly small, the largest now and then.
TOOL_SIZES: list[int | None] = [3, 2, 1, 4, None, 3, 2, 4, 1, 5, 3, None]


def draw(
    rng: random.Random,
    declarations: list[Declaration],
    undeclared: set[str],
    plan: int,
    positive_undeclared: bool = False,
    distinct_indices: bool = True,
    minimum_sizes: dict[str, int] | None = None,
    needed: frozenset[str] | None = None,
) -> Env:
    """An instance of every declared symbol, for tools that draw their own (the mutation
    tool's stronger check): the `plan`-th class of each, in turn. A symbol that cannot
    exist at the drawn sizes (orthonormal columns in a wide matrix) makes the instance
    inadmissible (`EmptyRange`) if it is `needed` (None: every symbol), and is left out
    otherwise."""
    seed = str(rng.random())
    symbols = [Symbol(d.base, d, classes_of(d)) for d in declarations if drawn(d)] + [
        Symbol(n, None, classes_of(None)) for n in sorted(undeclared)
    ]
    chosen = {}
    for position, s in enumerate(symbols):
        classes = s.classes
        if positive_undeclared and s.declaration is None:
            classes = ("positive", "one", "half", "two", "small-positive")
        chosen[s.name] = classes[(plan + position) % len(classes)]
    functions = [d.base for d in declarations if d.kind == Kind.FUNCTION]
    names = {s.name for s in symbols}
    single = Plan(seed, declarations, symbols, functions, [], SMALLEST_LARGEST_SIZE, 0, "cover",
                  minimum_sizes=dict(minimum_sizes or {}),
                  subsets=frozenset(d.base for d in declarations if d.kind == Kind.SUBSET),
                  optional=frozenset(names - needed) if needed is not None else frozenset(),
                  needed=needed if needed is not None else frozenset(names))  # fmt: skip
    row = Row(plan, TOOL_SIZES[plan % len(TOOL_SIZES)], tuple(chosen.items()), wide=plan == 0,
              distinct=distinct_indices)  # fmt: skip
    return draw_row(single, row).env


FINITE_DISTRIBUTIONS = ("bernoulli", "categorical")


def outcome(rng: random.Random, d: Declaration, env: Env) -> Value:
    """A finitely-valued random symbol outside an expectation: any value in its support
    (0 or 1 for a Bernoulli; an index in its range for a Categorical)."""
    if d.distribution == "bernoulli" or d.index_range is None:
        return sp.Integer(rng.choice([0, 1]))
    low, high = (env.size(s) for s in d.index_range)
    if high < low:
        raise EmptyRange(d.key)
    return sp.Integer(rng.randint(low, high))
