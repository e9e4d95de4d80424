"""Instance plans that cover every region, and the drawing of one instance from a plan.

A `Plan` is a list of `Row`s, fixed before anything is evaluated. A row says
the sizes and, for every symbol the pair uses, the *class* of its value
(`verify.deciding.values`: negative, zero, ±1, ±1/2, 2, singular, rank-one,
reflection, ...). The rows are laid out so that

- the first rows draw every value wide (the Schwartz–Zippel rows);
- then every symbol meets each of its admissible classes in turn, shifted
  from symbol to symbol so that classes meet in different combinations;
  a cheap scalar pair whose sides are not rational functions (roots, powers,
  |x|, logs) gets instead every *pair* of classes for every pair of scalars
  (an orthogonal array over GF(8), 64 rows);
- sizes run from 1 to the largest size, at least 5 and more than half the
  degree of the sides in their matrices (an identity of degree d that holds
  for all k×k matrices with 2k ≤ d, such as the standard polynomial, needs a
  larger size to fail), with rows where the sizes differ from one another.

`draw_row` draws one instance of a row. Each symbol has its own random
stream per row and attempt, so re-drawing the symbols under an undefined
subexpression (`redraw`) leaves every other value of the row as it was.
Steps that work on a drawn instance (such as hypotheses that must hold)
belong after `draw_row`, on the `Instance` it returns.
"""

from __future__ import annotations

import itertools
import os
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

import sympy as sp

from verify.deciding.functions import RandomFunction
from verify.deciding.values import (
    DENOMINATORS,
    SCALAR_CLASSES,
    CannotDraw,
    Draws,
    Grid,
    draw_matrix,
    draw_scalar,
    draw_vector,
    holds,
    matrix_classes,
    scalar_classes,
    vector_classes,
)
from verify.errors import EmptyRange, PairError
from verify.meaning import terms as T
from verify.meaning.dual import Mat
from verify.meaning.terms import Env, Value
from verify.model import Declaration, Kind
from verify.shape import SCALAR

SALT_VARIABLE = "VERIFY_SEED_SALT"  # re-seeds every instance (a measurement knob only)
WIDE_ROWS = 3
INEQUALITY_ROWS = 24
CHEAP_WIDE_ROWS = 6
SMALLEST_LARGEST_SIZE = 5
LARGEST_SIZE_CAP = 8
FALLBACK_AFTER = 2  # attempts in a row's own class before the generic class
# Weights that sum to 1, family by family: all equal, one dominant, one near 0.
WEIGHT_CLASSES = ("wide", "uniform", "dominant", "tiny-member")
# Magnitude classes: for inequalities only (an equality is decided at other values).
MAGNITUDE_CLASSES = ("small", "large", "small-positive", "small-negative", "large-positive",
                     "large-negative")  # fmt: skip


def salt() -> str:
    return os.environ.get(SALT_VARIABLE, "")


# -------------------------------------------------------------------- symbols


@dataclass(frozen=True)
class Symbol:
    """A symbol the pair uses and the classes its value can take (generic first)."""

    name: str
    declaration: Declaration | None  # None: an undeclared letter, a real scalar
    classes: tuple[str, ...]

    @property
    def kind(self) -> Kind:
        return self.declaration.kind if self.declaration else Kind.SCALAR

    @property
    def properties(self) -> tuple[str, ...]:
        return self.declaration.properties if self.declaration else ()

    @property
    def family(self) -> bool:
        return bool(self.declaration and self.declaration.indices)

    @property
    def is_scalar(self) -> bool:
        return self.kind == Kind.SCALAR and not self.family


def classes_of(declaration: Declaration | None) -> tuple[str, ...]:
    if declaration is None:
        return scalar_classes(())
    props = declaration.properties
    if declaration.kind == Kind.SCALAR:
        if declaration.sums_over is not None:
            return WEIGHT_CLASSES
        return scalar_classes(props)
    if declaration.kind == Kind.VECTOR:
        return vector_classes(props)
    if declaration.kind == Kind.MATRIX:
        return matrix_classes(props)
    return ("wide",)


def _classes_or_error(declaration: Declaration) -> tuple[str, ...]:
    try:
        return classes_of(declaration)
    except CannotDraw as err:
        raise PairError(f"{declaration.key}: {err.message}", 0) from None


def names_used(terms: Iterable[T.Term]) -> set[str]:
    """Every symbol and function a term refers to (what an instance must give a value)."""
    names: set[str] = set()
    for term in terms:
        for t in term.walk():
            if isinstance(t, (T.Ref, T.FunctionCall)):
                names.add(t.name)
            names.update(getattr(t, "symbol_names", ()))  # terms that look symbols up
    return names


# ----------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Row:
    """One planned instance: its sizes (None: drawn, unequal) and each symbol's class."""

    number: int
    sizes: int | None
    classes: tuple[tuple[str, str], ...]
    wide: bool
    distinct: bool
    shift: int = 0  # for families: members take classes from here on

    def cls(self, name: str) -> str:
        return dict(self.classes)[name]


@dataclass
class Plan:
    seed: str
    declarations: list[Declaration]
    symbols: list[Symbol]
    functions: list[str]
    rows: list[Row]
    largest: int
    degree: int
    design: str  # "cover" or "pairwise"
    sizes_used: bool = False
    extra: dict[str, object] = field(default_factory=dict)


def plan_for(
    seed: str,
    declarations: list[Declaration],
    undeclared: set[str],
    terms: list[T.Term],
    *,
    inequality: bool = False,
    solving: bool = False,
) -> Plan:
    """The rows for a pair whose sides (and variable) are `terms`."""
    by_name = {d.base: d for d in declarations}
    used = names_used(terms)
    symbols = [
        Symbol(d.base, d, _classes_or_error(d))
        for d in declarations
        if d.base in used and d.kind not in (Kind.SIZE, Kind.INDEX, Kind.IDENTITY, Kind.FUNCTION)
    ]
    symbols += [Symbol(n, None, classes_of(None)) for n in sorted(undeclared & used)]
    rational_sides = all(rational(t) for t in terms)
    # Magnitudes matter to inequalities only; huge values would only test how far exp and
    # cosh can cancel, so they are kept for rational sides.
    symbols = [Symbol(s.name, s.declaration, tuple(
        c for c in s.classes
        if (inequality or c not in MAGNITUDE_CLASSES) and (rational_sides or "large" not in c)
    )) for s in symbols]  # fmt: skip
    functions = sorted(n for n in used if n in by_name and by_name[n].kind == Kind.FUNCTION)
    degree = sum_degree(terms)
    fixed = max((fixed_dimension(s.declaration) for s in symbols if s.declaration), default=0)
    largest = min(LARGEST_SIZE_CAP, max(SMALLEST_LARGEST_SIZE, degree // 2 + 1, fixed + 1))
    cheap = all(s.is_scalar for s in symbols) and not any(
        isinstance(t, (T.Sum, T.IndexValue, T.SizeValue)) for term in terms for t in term.walk()
    )
    scalars = [s for s in symbols if len(s.classes) > 1]
    wide = CHEAP_WIDE_ROWS if cheap or inequality else WIDE_ROWS
    design = "cover"
    if solving:
        wide, cover = 2, 6
    else:
        cover = max([len(s.classes) - 1 for s in symbols] + [len(_size_schedule(largest)) - wide])
        if inequality:  # sampled only: twice round the classes, and never fewer rows
            cover = max(2 * cover, INEQUALITY_ROWS - wide)
    rows = [_row(n, symbols, largest, None) for n in range(wide)]
    if cheap and not solving and 2 <= len(scalars) <= 9 and not rational_sides:
        design = "pairwise"
        for n, levels in enumerate(_orthogonal_array(len(scalars))):
            chosen = {s.name: s.classes[1:][level % (len(s.classes) - 1)]
                      for s, level in zip(scalars, levels, strict=False)}  # fmt: skip
            rows.append(_row(wide + n, symbols, largest, chosen))
    else:
        for k in range(cover):
            chosen = {s.name: _cycle(seed, s, k, position) for position, s in enumerate(symbols)
                      if len(s.classes) > 1}  # fmt: skip
            rows.append(_row(wide + k, symbols, largest, chosen))
    sizes_used = any(
        isinstance(t, (T.Sum, T.IndexValue, T.SizeValue))
        or (t.shape is not None and t.shape.names())
        for term in terms for t in term.walk()
    ) or any(s.family or s.kind in (Kind.VECTOR, Kind.MATRIX) for s in symbols)  # fmt: skip
    return Plan(f"{seed}|{salt()}", declarations, symbols, functions, rows, largest, degree,
                design, sizes_used)  # fmt: skip


def _cycle(seed: str, symbol: Symbol, k: int, position: int) -> str:
    """The class of a symbol in covering row k: every run of L rows (L its number of
    non-generic classes) meets each class once, in an order shuffled run by run so
    that the classes of different symbols meet in ever new combinations. Weights that
    sum to 1 share one order (uniform together: Q = φ)."""
    classes = list(symbol.classes[1:])
    run, place = divmod(k, len(classes))
    weights = symbol.classes == WEIGHT_CLASSES
    if run == 0:
        return classes[(place + (0 if weights else position)) % len(classes)]
    random.Random(f"{seed}|{'#weights' if weights else symbol.name}|{run}").shuffle(classes)
    return classes[place]


def _size_schedule(largest: int) -> list[int | None]:
    """Sizes row by row: 3, the largest, unequal, then 1, 2, 4, ... up to the largest."""
    first: list[int | None] = [3, largest, None, 1, 2]
    return first + [s for s in range(4, largest + 1) if s not in first]


# Then small sizes (every size above 3 has had its row): most of the cost is there.
_LATER: list[int | None] = [3, 2, None, 1, 3, 2]


def _row(n: int, symbols: list[Symbol], largest: int, chosen: dict[str, str] | None) -> Row:
    schedule = _size_schedule(largest)
    sizes = schedule[n] if n < len(schedule) else _LATER[(n - len(schedule)) % len(_LATER)]
    if sizes is not None:
        sizes = min(sizes, largest)
    classes = tuple((s.name, (chosen or {}).get(s.name, s.classes[0])) for s in symbols)
    return Row(n, sizes, classes, wide=chosen is None, distinct=n % 4 != 3, shift=n)


def _gf8_times(a: int, b: int) -> int:
    """Multiplication in GF(8) = GF(2)[x]/(x³ + x + 1)."""
    out = 0
    for bit in range(3):
        if b >> bit & 1:
            out ^= a << bit
    for bit in (4, 3):
        if out >> bit & 1:
            out ^= 0b1011 << (bit - 3)
    return out


def _orthogonal_array(factors: int) -> list[list[int]]:
    """64 rows of levels 0..7 for up to 9 factors in which every two factors take every
    pair of levels (rows (a, b) ∈ GF(8)²; factor j < 8 has level a + j·b, factor 8 has b)."""
    rows = []
    for a, b in itertools.product(range(8), repeat=2):
        levels = [a ^ _gf8_times(j, b) for j in range(8)] + [b]
        rows.append(levels[:factors])
    return rows


# ------------------------------------------------------------ term measures


def fixed_dimension(declaration: Declaration) -> int:
    """The largest whole number written in a declared shape (`matrix(n, 6)`: 6)."""
    if declaration.shape is None:
        return 0
    sizes = (declaration.shape.rows, declaration.shape.cols)
    return max((c for size in sizes for monomial, c in size.terms if not monomial), default=0)


def sum_degree(terms: list[T.Term]) -> int:
    return max((degree(t) for t in terms), default=0)


def degree(term: T.Term) -> int:
    """The length of the longest product of vectors and matrices in a term: a word of
    d matrices can satisfy an identity at every size k with 2k ≤ d (the standard
    polynomial, Amitsur–Levitzki), so sizes must go above d/2. Scalar factors
    commute and do not lengthen a word."""
    if isinstance(term, T.Ref):
        return 0 if term.shape in (None, SCALAR) else 1
    if isinstance(term, (T.Mul, T.Kronecker, T.Hadamard)):
        left, right = degree(term.left), degree(term.right)
        if _is_array(term.left) and _is_array(term.right):
            return left + right
        return max(left, right)
    if (
        isinstance(term, T.MatrixFunction)
        and term.function == "det"
        and isinstance(term.body, T.MatrixLiteral)
    ):
        # the determinant of a k × k array of entries of degree e has degree k·e
        cells = [degree(c) for row in term.body.rows for c in row]
        return len(term.body.rows) * max(cells + [1])
    if isinstance(term, T.Power) and _is_array(term.base):
        k = term.exponent.number if isinstance(term.exponent, T.Number) else None
        if k is not None and getattr(k, "is_Integer", False):
            return degree(term.base) * min(abs(int(k)), 64)
    return max((degree(c) for c in term.children()), default=0)


def _is_array(term: T.Term) -> bool:
    return term.shape not in (None, SCALAR)


RATIONAL_FUNCTIONS = {"det", "tr", "diag", "normsq"}


def rational(term: T.Term) -> bool:
    """Whether a term is a rational function of its symbols' entries (no roots,
    non-integer powers, |x|, logs, declared functions): signs matter only elsewhere."""
    for t in term.walk():
        if isinstance(t, (T.Apply, T.Root, T.FunctionCall, T.Gaussian, T.Pointwise)):
            return False
        if isinstance(t, T.MatrixFunction) and t.function not in RATIONAL_FUNCTIONS:
            return False
        if isinstance(t, T.Power) and not (
            isinstance(t.exponent, T.Number) and getattr(t.exponent.number, "is_Integer", False)
        ):
            return False
        if type(t).__module__ != T.__name__:
            return False
    return True


# ------------------------------------------------------------------ drawing


@dataclass
class Instance:
    """A drawn instance: the values, and the class each symbol's value came from."""

    env: Env
    row: Row
    classes: dict[str, str]


def _stream(plan: Plan, row: Row, what: str, attempt: int) -> Draws:
    denominator = random.Random(f"{plan.seed}|{row.number}|#denominator").randrange(*DENOMINATORS)
    return Draws(f"{plan.seed}|{row.number}|{what}|{attempt}", denominator)


def class_at(symbol: Symbol, wanted: str, attempt: int) -> str:
    """The class of a symbol's value at its `attempt`-th draw in a row: its row class,
    then its generic class, then (for what is still undefined) positive values."""
    if attempt == 0 or (attempt < FALLBACK_AFTER and wanted in _RANDOM_CLASSES):
        return wanted
    if attempt <= FALLBACK_AFTER + 1 or symbol.kind == Kind.MATRIX:
        return symbol.classes[0]
    positive = [c for c in symbol.classes if c in ("positive", "small-positive")]
    if symbol.kind == Kind.VECTOR and "positive" in scalar_classes(_entry_props(symbol)):
        return "positive-entries"
    return positive[0] if positive else symbol.classes[0]


_RANDOM_CLASSES = {"wide", "negative", "positive", "small", "large", "small-positive",
                   "small-negative", "large-positive", "large-negative", "integer",
                   "integer-positive", "integer-negative", "probability", "near-one", "singular",
                   "rank-one", "special", "zero-diagonal", "unit", "reflection", "permutation"}  # fmt: skip


def _entry_props(symbol: Symbol) -> tuple[str, ...]:
    return tuple(p for p in symbol.properties if p not in ("nonzero",))


def draw_row(plan: Plan, row: Row, attempts: dict[str, int] | None = None) -> Instance:
    """The instance of `row`; `attempts[name]` > 0 re-draws that symbol (and
    `attempts["#indices"]` the index values). Raises `EmptyRange` when an index
    range is empty at the row's sizes, `PairError` for an undrawable declaration."""
    attempts = attempts or {}
    sizes = _sizes(plan, row)
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
    for name in plan.functions:
        env.functions[name] = RandomFunction(_stream(plan, row, name, attempts.get(name, 0)))
    return Instance(env, row, classes)


def _sizes(plan: Plan, row: Row) -> dict[str, int]:
    """The row's sizes; unequal sizes come from 1 to 4 in the first such row, from 1 to
    3 later (the largest size has its own row: most of the cost is there)."""
    names = [d.base for d in plan.declarations if d.kind == Kind.SIZE]
    if row.sizes is not None:
        return dict.fromkeys(names, row.sizes)
    rng = _stream(plan, row, "#sizes", 0)
    values = list(range(1, (4 if row.number < WIDE_ROWS else 3) + 1))
    rng.shuffle(values)
    return {name: values[k % len(values)] for k, name in enumerate(names)}


def _indices(plan: Plan, row: Row, env: Env, attempt: int) -> dict[str, int]:
    """Index values: distinct letters take distinct values where the row says so, and
    the ends of each range turn up as often as the middle."""
    rng = _stream(plan, row, "#indices", attempt)
    values: dict[str, int] = {}
    taken: dict[tuple[int, int], set[int]] = {}
    env.indices = values
    for d in plan.declarations:
        if d.kind != Kind.INDEX or d.index_range is None:
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
    if symbol.kind == Kind.SCALAR:
        if cls not in SCALAR_CLASSES:  # a weight's class names the family, not a member
            cls = "positive"
        return exact(draw_scalar(rng, cls))
    assert d is not None and d.shape is not None
    rows, cols = env.dims(d.shape)
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


def redraw_value(plan: Plan, row: Row, symbol_name: str, env: Env, attempt: int) -> Value:
    """Another value of one (non-family) symbol, for `const` and `\\propto`: a wide draw."""
    symbol = next((s for s in plan.symbols if s.name == symbol_name), None)
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
) -> Env:
    """An instance of every declared symbol (for tools that need one: the mutation
    tool's stronger check, `explain`): the `plan`-th class of each, in turn."""
    seed = str(rng.random())
    symbols = [
        Symbol(d.base, d, classes_of(d))
        for d in declarations
        if d.kind not in (Kind.SIZE, Kind.INDEX, Kind.IDENTITY, Kind.FUNCTION)
    ] + [Symbol(n, None, classes_of(None)) for n in sorted(undeclared)]
    chosen = {}
    for position, s in enumerate(symbols):
        classes = s.classes
        if positive_undeclared and s.declaration is None:
            classes = ("positive", "one", "half", "two", "small-positive")
        chosen[s.name] = classes[(plan + position) % len(classes)]
    functions = [d.base for d in declarations if d.kind == Kind.FUNCTION]
    single = Plan(seed, declarations, symbols, functions, [], SMALLEST_LARGEST_SIZE, 0, "cover")
    row = Row(plan, TOOL_SIZES[plan % len(TOOL_SIZES)], tuple(chosen.items()), wide=plan == 0,
              distinct=distinct_indices, shift=plan)  # fmt: skip
    return draw_row(single, row).env
