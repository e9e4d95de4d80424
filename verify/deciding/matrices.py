"""Exact random matrices with every declared property at once, in named classes.

Classes: `wide`, `singular` (rank n - 1), `rank-one`, `zero`, `zero-diagonal`,
`special` (entries from 0, ±1, ±1/2, 2), `identity`, `reflection`,
`permutation`, ... Structured values are built from wide draws (B Bᵀ + cI for
positive-definite, the Cayley transform for orthogonal, Q diag(±1) Qᵀ for a
symmetric orthogonal matrix, diag(±1) for a diagonal orthogonal one) and every
value is checked against every declared property before it is used: a
combination that cannot be drawn is a clear error (`CannotDraw`), never a
silently wrong instance.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from fractions import Fraction

from verify.deciding.values import (
    ENTRY_PROPERTIES,
    NEG,
    ONE,
    POS,
    SCALAR_CLASSES,
    ZERO,
    CannotDraw,
    Grid,
    draw_scalar,
    entry,
    entry_classes,
    scalar_classes,
)
from verify.errors import EmptyRange


def _identity(n: int) -> Grid:
    return [[ONE if i == j else ZERO for j in range(n)] for i in range(n)]


def _matmul(a: Grid, b: Grid) -> Grid:
    columns = list(zip(*b, strict=True))
    return [[sum((x * y for x, y in zip(row, col, strict=True)), ZERO) for col in columns]
            for row in a]  # fmt: skip


def _transpose(a: Grid) -> Grid:
    return [list(c) for c in zip(*a, strict=True)]


def _add(a: Grid, b: Grid) -> Grid:
    return [[x + y for x, y in zip(r, s, strict=True)] for r, s in zip(a, b, strict=True)]


def _scaled(a: Grid, c: Fraction) -> Grid:
    return [[c * x for x in r] for r in a]


def _solve(a: Grid, b: Grid) -> Grid | None:
    """a⁻¹ b by Gauss–Jordan elimination, or None if a is singular."""
    n = len(a)
    m = [list(r) + list(s) for r, s in zip(a, b, strict=True)]
    for col in range(n):
        pivot = next((r for r in range(col, n) if m[r][col] != 0), None)
        if pivot is None:
            return None
        m[col], m[pivot] = m[pivot], m[col]
        inv = 1 / m[col][col]
        m[col] = [x * inv for x in m[col]]
        for r in range(n):
            if r != col and m[r][col] != 0:
                f = m[r][col]
                m[r] = [x - f * y for x, y in zip(m[r], m[col], strict=True)]
    return [row[n:] for row in m]


def determinant(a: Grid) -> Fraction:
    m = [list(r) for r in a]
    n, det = len(m), ONE
    for col in range(n):
        pivot = next((r for r in range(col, n) if m[r][col] != 0), None)
        if pivot is None:
            return ZERO
        if pivot != col:
            m[col], m[pivot] = m[pivot], m[col]
            det = -det
        det *= m[col][col]
        for r in range(col + 1, n):
            if m[r][col] != 0:
                f = m[r][col] / m[col][col]
                m[r] = [x - f * y for x, y in zip(m[r], m[col], strict=True)]
    return det


def _grid(rng: random.Random, rows: int, cols: int, entries: tuple[str, ...],
          region: str = "wide") -> Grid:  # fmt: skip
    return [[entry(rng, entries, region) for _ in range(cols)] for _ in range(rows)]


def _rank_deficient(rng: random.Random, rows: int, cols: int, rank: int,
                    entries: tuple[str, ...]) -> Grid:  # fmt: skip
    """U Vᵀ with U, V of `rank` columns: rank at most `rank` (entries of one sign stay so)."""
    if rank <= 0:
        return [[ZERO] * cols for _ in range(rows)]
    u = _grid(rng, rows, rank, entries)
    v = _grid(rng, cols, rank, entries)
    out = _matmul(u, _transpose(v))
    if entries[0] == "negative":  # a product of negatives is positive: turn it back
        out = _scaled(out, -ONE)
    return out


def _symmetrize(a: Grid) -> Grid:
    n = len(a)
    return [[a[min(i, j)][max(i, j)] for j in range(n)] for i in range(n)]


def _orthogonal(rng: random.Random, n: int) -> Grid:
    """A rotation by the Cayley transform (I - K)(I + K)⁻¹ of a random skew K, exact."""
    k = [[ZERO] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            v = Fraction(rng.randint(-6, 6), rng.randint(1, 4))
            k[i][j], k[j][i] = v, -v
    eye = _identity(n)
    minus = _add(eye, _scaled(k, -ONE))
    inverse = _solve(_add(eye, k), eye)
    assert inverse is not None  # I + K is invertible for every skew K
    return _matmul(minus, inverse)


def _signs(rng: random.Random, n: int, forced: Fraction | None = None) -> list[Fraction]:
    signs = [ONE if rng.random() < 0.5 else -ONE for _ in range(n)]
    if forced is not None and n:
        signs[rng.randrange(n)] = forced  # at least one -1 (a reflection) or +1
    return signs


def _diagonal(values: list[Fraction]) -> Grid:
    n = len(values)
    return [[values[i] if i == j else ZERO for j in range(n)] for i in range(n)]


def _permutation(rng: random.Random, n: int, signed: bool) -> Grid:
    order = list(range(n))
    rng.shuffle(order)
    signs = _signs(rng, n) if signed else [ONE] * n
    return [[signs[i] if order[i] == j else ZERO for j in range(n)] for i in range(n)]


def _triangular(a: Grid, lower: bool) -> Grid:
    n = len(a)
    return [[a[i][j] if (j <= i if lower else j >= i) else ZERO for j in range(len(a[0]))]
            for i in range(n)]  # fmt: skip


def structure(properties: tuple[str, ...]) -> str:
    """The structural family a set of matrix properties asks for."""
    props = set(properties)
    if "positive-definite" in props:
        props.add("symmetric")
    lower, upper = "lower-triangular" in props, "upper-triangular" in props
    if (lower and upper) or ((lower or upper) and "symmetric" in props):
        props.add("diagonal")
    if "orthogonal" in props:
        if "positive-definite" in props:
            return "identity"
        if "diagonal" in props or lower or upper:
            return "orthogonal-diagonal"
        return "orthogonal-symmetric" if "symmetric" in props else "orthogonal"
    if "diagonal" in props:
        return "diagonal"
    if "positive-definite" in props:
        return "positive-definite"
    if "symmetric" in props:
        return "symmetric"
    if lower:
        return "lower-triangular"
    if upper:
        return "upper-triangular"
    return "general"


SINGULAR = ("singular", "rank-one", "zero", "zero-diagonal")
MATRIX_ORDER: dict[str, tuple[str, ...]] = {
    "general": ("wide", "singular", "special", "rank-one", "zero-diagonal", "zero"),
    "symmetric": ("wide", "singular", "special", "rank-one", "zero-diagonal", "zero"),
    "positive-definite": ("wide", "identity", "special"),
    "diagonal": ("wide", "zero-diagonal", "special", "identity", "zero"),
    "lower-triangular": ("wide", "zero-diagonal", "special", "zero"),
    "upper-triangular": ("wide", "zero-diagonal", "special", "zero"),
    "orthogonal": ("wide", "reflection", "permutation", "identity"),
    "orthogonal-symmetric": ("wide", "reflection", "identity", "minus-identity"),
    "orthogonal-diagonal": ("wide", "identity", "minus-identity"),
    "identity": ("identity",),
}


def matrix_classes(properties: tuple[str, ...]) -> tuple[str, ...]:
    kind = structure(properties)
    classes = MATRIX_ORDER[kind]
    if {"invertible", "positive-definite"} & set(properties):
        classes = tuple(c for c in classes if c not in SINGULAR)
    elif "nonzero" in properties:
        classes = tuple(c for c in classes if c != "zero")
    entries = entry_classes(properties)
    if "zero" not in entries:  # entries may not be 0 (positive, ...)
        classes = tuple(c for c in classes if c not in ("zero", "zero-diagonal"))
    return classes


def draw_matrix(rng: random.Random, rows: int, cols: int, cls: str,
                properties: tuple[str, ...]) -> Grid:  # fmt: skip
    """A matrix of class `cls` with the declared properties, checked; `CannotDraw` if
    no value of that class has them (the caller falls back to the generic class).
    An orthogonal matrix that is not square has orthonormal columns (the thin SVD's
    U): the first columns of a square one; `EmptyRange` if it is wide."""
    if "orthogonal" in properties and rows != cols:
        if rows < cols:
            raise EmptyRange(f"orthonormal columns: {cols} columns need as many rows")
        return [row[:cols] for row in draw_matrix(rng, rows, rows, cls, properties)]
    kind = structure(properties)
    for _ in range(8):
        value = _matrix(rng, rows, cols, cls, kind, entry_classes(properties), properties)
        if holds(value, properties):
            return value
    raise CannotDraw(
        f"cannot draw a {rows}×{cols} matrix that is {', '.join(properties)} ({cls} values)"
    )


def _matrix(rng: random.Random, rows: int, cols: int, cls: str, kind: str,
            entries: tuple[str, ...], properties: tuple[str, ...]) -> Grid:  # fmt: skip
    n = rows
    if cls == "identity":
        return _identity(n)
    if cls == "minus-identity":
        return _scaled(_identity(n), -ONE)
    if cls == "zero":
        return [[ZERO] * cols for _ in range(rows)]
    if kind.startswith("orthogonal") or kind == "identity":
        return _orthogonal_matrix(rng, n, cls, kind, entries)
    region = cls if cls in ("special", "small", "large") else "wide"
    if kind == "positive-definite":
        b = _grid(rng, n, n, entries, region)
        positive = next((x for x in entries if SCALAR_CLASSES[x][1] <= POS), "positive")
        c = Fraction(1, 2) if cls == "special" else draw_scalar(rng, positive)
        return _add(_matmul(b, _transpose(b)), _scaled(_identity(n), c))
    if kind == "diagonal":  # the diagonal of a positive-definite matrix is positive
        own = tuple(p for p in properties if p in ENTRY_PROPERTIES)
        if "positive-definite" in properties:
            own += ("positive",)
        if "invertible" in properties:
            own += ("nonzero",)
        values = [entry(rng, scalar_classes(own), region) for _ in range(n)]
        if cls == "zero-diagonal":
            values[rng.randrange(n)] = ZERO
        return _diagonal(values)
    if cls in ("singular", "rank-one"):
        rank = min(rows, cols) - 1 if cls == "singular" else 1
        value = _rank_deficient(rng, rows, cols, rank, entries)
    else:
        value = _grid(rng, rows, cols, entries, region)
    if kind == "symmetric":
        value = _symmetrize(value) if cls not in ("singular", "rank-one") else _sym_rank(
            rng, n, n - 1 if cls == "singular" else 1, entries)  # fmt: skip
    if kind in ("lower-triangular", "upper-triangular"):
        value = _triangular(value, kind == "lower-triangular")
    if cls == "zero-diagonal":
        for i in range(min(rows, cols)):
            if kind != "general" or rng.random() < 0.5 or i == 0:
                value[i][i] = ZERO
        if kind == "symmetric":
            value = _symmetrize(value)
    return value


def _sym_rank(rng: random.Random, n: int, rank: int, entries: tuple[str, ...]) -> Grid:
    """B D Bᵀ with D diagonal of `rank` nonzero (either-sign) entries: symmetric, singular."""
    b = _grid(rng, n, n, entries)
    d = [draw_scalar(rng, entries[0]) if i < rank else ZERO for i in range(n)]
    return _matmul(_matmul(b, _diagonal(d)), _transpose(b))


def _orthogonal_matrix(rng: random.Random, n: int, cls: str, kind: str,
                       entries: tuple[str, ...]) -> Grid:  # fmt: skip
    signed = any(SCALAR_CLASSES[c][1] & NEG for c in entries)  # entries may be negative
    if kind == "identity":
        return _identity(n)
    if kind == "orthogonal-diagonal":  # the diagonal orthogonal matrices: diag(±1)
        return _diagonal(_signs(rng, n, -ONE)) if signed else _identity(n)
    if entries[0].startswith("integer") or not signed or cls == "permutation":
        return _permutation(rng, n, signed)  # the orthogonal matrices of whole numbers
    q = _orthogonal(rng, n)
    if kind == "orthogonal-symmetric":
        # Q D Qᵀ with D = diag(±1): every symmetric orthogonal matrix has this form;
        # a reflection (Householder) has exactly one -1.
        d = [ONE] * n if cls == "reflection" else _signs(rng, n)
        d[0] = -ONE if cls == "reflection" else d[0]
        return _matmul(_matmul(q, _diagonal(d)), _transpose(q))
    if cls == "reflection":  # determinant -1
        return [[(-x if j == 0 else x) for j, x in enumerate(row)] for row in q]
    return q


# ---------------------------------------------------------------- properties


def _positive_pivots(a: Grid) -> bool:
    """Whether a symmetric matrix is positive-definite: elimination without row swaps
    meets only positive pivots (the ratios of its leading principal minors)."""
    m = [list(r) for r in a]
    n = len(m)
    for col in range(n):
        if m[col][col] <= 0:
            return False
        for r in range(col + 1, n):
            if m[r][col] != 0:
                f = m[r][col] / m[col][col]
                m[r] = [x - f * y for x, y in zip(m[r], m[col], strict=True)]
    return True


def _entries(a: Grid) -> list[Fraction]:
    return [x for row in a for x in row]


MATRIX_CHECKS: dict[str, Callable[[Grid], bool]] = {
    "symmetric": lambda a: a == _transpose(a),
    "positive-definite": lambda a: a == _transpose(a) and _positive_pivots(a),
    "invertible": lambda a: len(a) == len(a[0]) and determinant(a) != 0,
    "orthogonal": lambda a: _matmul(_transpose(a), a) == _identity(len(a[0])),
    "diagonal": lambda a: all(x == 0 for i, r in enumerate(a) for j, x in enumerate(r) if i != j),
    "lower-triangular": lambda a: all(x == 0 for i, r in enumerate(a) for j, x in enumerate(r)
                                      if j > i),
    "upper-triangular": lambda a: all(x == 0 for i, r in enumerate(a) for j, x in enumerate(r)
                                      if j < i),
    "nonzero": lambda a: any(x != 0 for x in _entries(a)),
    "positive": lambda a: all(x > 0 for x in _entries(a)),
    "negative": lambda a: all(x < 0 for x in _entries(a)),
    "nonnegative": lambda a: all(x >= 0 for x in _entries(a)),
    "integer": lambda a: all(x.denominator == 1 for x in _entries(a)),
    "probability": lambda a: all(0 < x < 1 for x in _entries(a)),
}  # fmt: skip


def holds(value: Grid, properties: tuple[str, ...]) -> bool:
    """Whether a drawn vector or matrix has every declared property (unknown words pass:
    the notation reader rejects them before anything is drawn)."""
    return all(MATRIX_CHECKS[p](value) for p in properties if p in MATRIX_CHECKS)
