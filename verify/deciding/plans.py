"""Instance plans that cover every region: which instances a pair gets, before any is drawn.

A `Plan` is a list of `Row`s, fixed before anything is evaluated. A row says
the sizes and, for every symbol the pair uses, the *class* of its value
(`verify.deciding.values`: negative, zero, ±1, ±1/2, 2, singular, rank-one,
reflection, ...). The rows are laid out so that

- the first rows draw every value wide (the Schwartz–Zippel rows);
- then every symbol meets each of its admissible classes in turn, in an
  order shuffled run by run so that classes of different symbols meet in
  ever new combinations; a cheap scalar pair whose sides are not rational
  functions (roots, powers, |x|, logs) gets instead every *pair* of classes
  for every pair of scalars (an orthogonal array over GF(8), 64 rows);
- sizes run from 1 to the largest size, at least 5 and more than half the
  longest product of matrices in the sides (an identity of degree d can hold
  for all k×k matrices with 2k ≤ d, such as the standard polynomial), and
  more than any fixed dimension of the notation, with rows where the sizes
  differ from one another.

`verify.deciding.instances` draws the instance of a row.
"""

from __future__ import annotations

import itertools
import os
import random
from collections.abc import Iterable
from dataclasses import dataclass, field

from verify.deciding.matrices import matrix_classes
from verify.deciding.values import CannotDraw, scalar_classes, vector_classes
from verify.errors import PairError
from verify.meaning import terms as T
from verify.model import Declaration, Kind
from verify.shape import SCALAR

SALT_VARIABLE = "VERIFY_SEED_SALT"  # re-seeds every instance (a measurement knob only)
WIDE_ROWS = 3
INEQUALITY_ROWS = 48
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
    if declaration.distribution in ("bernoulli", "categorical"):
        return ("outcome",)  # a value in the support, outside an expectation
    if declaration.kind == Kind.VECTOR and declaration.sums_over is not None:
        return WEIGHT_CLASSES
    if declaration.kind == Kind.SCALAR:
        if declaration.sums_over is not None:
            return WEIGHT_CLASSES
        return scalar_classes(props)
    if declaration.kind == Kind.VECTOR:
        return vector_classes(props)
    if declaration.kind == Kind.MATRIX:
        return matrix_classes(props)
    if declaration.kind.is_integer:
        return ("whole",)  # a member of a family of sizes or indices
    return ("wide",)


def drawn(declaration: Declaration) -> bool:
    """Whether an instance gives the declared symbol a value of its own (a random
    index, such as a Categorical class, is a value, and so is each member of a family
    of sizes or indices, `N_k`; other indices are not; subsets are drawn apart)."""
    if declaration.kind == Kind.SUBSET:
        return False
    plain = (Kind.SIZE, Kind.INDEX, Kind.IDENTITY, Kind.FUNCTION)
    return declaration.kind not in plain or declaration.is_random or bool(declaration.indices)


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
    """One planned instance: its sizes and each symbol's class. Sizes: one number for
    all, None for unequal ones drawn at random, or (d, c): d for the dimensions of
    vectors and matrices, c for the sizes that only count (the m of `index 1..m`)."""

    number: int
    sizes: int | None | tuple[int, int]
    classes: tuple[tuple[str, str], ...]
    wide: bool
    distinct: bool

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
    dimensions: frozenset[str] = frozenset()  # sizes in the shapes of vectors and matrices
    minimum_sizes: dict[str, int] = field(default_factory=dict)  # for literal members
    subsets: frozenset[str] = frozenset()  # declared subsets the pair uses (drawn apart)
    optional: frozenset[str] = frozenset()  # symbols left out where they cannot exist
    needed: frozenset[str] = frozenset()  # symbols whose sizes must let them exist (all if empty)


def plan_for(
    seed: str,
    declarations: list[Declaration],
    undeclared: set[str],
    terms: list[T.Term],
    *,
    inequality: bool = False,
    solving: bool = False,
    minimum_sizes: dict[str, int] | None = None,
    many: bool = False,
) -> Plan:
    """The rows for a pair whose sides (and variable, and givens) are `terms`; `many`
    gives an equality as many rows as an inequality (a piecewise function)."""
    by_name = {d.base: d for d in declarations}
    used = names_used(terms)
    symbols = [
        Symbol(d.base, d, _classes_or_error(d)) for d in declarations if d.base in used and drawn(d)
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
        if inequality or many:  # twice round the classes, and never fewer rows
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
    dimensions = frozenset(
        n
        for s in symbols
        if s.declaration and s.declaration.shape
        for n in s.declaration.shape.names()
    ) | {n for term in terms for t in term.walk() if t.shape is not None for n in t.shape.names()}
    # A subset the pair uses, or whose count it uses (`N_k \\le N` for a class of size N_k).
    subsets = frozenset(
        d.base for d in declarations
        if d.kind == Kind.SUBSET and (d.base in used or (d.count and d.count in used))
    )  # fmt: skip
    return Plan(f"{seed}|{salt()}", declarations, symbols, functions, rows, largest, degree,
                design, sizes_used, dimensions, dict(minimum_sizes or {}), subsets)  # fmt: skip


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


Sizes = int | None | tuple[int, int]


def _size_schedule(largest: int) -> list[Sizes]:
    """Sizes row by row: 3; the largest for dimensions, with 3 points, components, …;
    unequal; 1, 2, 4, … below the largest; then 2 for dimensions with the largest count.
    Every size reaches the largest, but never together with the others (the cost of
    a step grows with their product)."""
    first: list[Sizes] = [3, (largest, 3), None, 1, 2]
    return first + list(range(4, largest)) + [(2, largest)]


# Then small sizes (every size above 3 has had its row): most of the cost is there.
_LATER: list[Sizes] = [3, 2, None, 1, 3, 2]


def _row(n: int, symbols: list[Symbol], largest: int, chosen: dict[str, str] | None) -> Row:
    schedule = _size_schedule(largest)
    sizes = schedule[n] if n < len(schedule) else _LATER[(n - len(schedule)) % len(_LATER)]
    classes = tuple((s.name, (chosen or {}).get(s.name, s.classes[0])) for s in symbols)
    return Row(n, sizes, classes, wide=chosen is None, distinct=n % 4 != 3)


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
