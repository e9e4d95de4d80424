"""Exact random scalars and vectors, in named classes that cover every region.

A *class* names a region of values: `negative`, `zero`, `half`, `small`,
`unit`, ... The instance plans (`verify.deciding.plans`) give every symbol
each of its admissible classes in turn; this module draws one value of a
class, exactly (fractions). Matrices are drawn in `verify.deciding.matrices`.

Wide draws are x/D with D uniform in [4000, 8000) and x uniform in
[-2D, 2D] without 0: no value has a chance above 1/16000 (for any v, at most one x
per D gives x/D = v), which bounds a false pass by Schwartz–Zippel (see
`POINT_CHANCE`); values stay in [-2, 2], so exponentials of sums stay
moderate.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from fractions import Fraction

from verify.errors import VerifyError

Entry = Fraction
Grid = list[list[Fraction]]

DENOMINATORS = (4000, 8000)  # D is uniform in [4000, 8000)
BOUND = 2  # wide values lie in [-2, 2]
POINT_CHANCE = Fraction(1, 2 * BOUND * DENOMINATORS[0])  # the largest chance of one value

ZERO, ONE, HALF, TWO = Fraction(0), Fraction(1), Fraction(1, 2), Fraction(2)


class CannotDraw(VerifyError):
    """No generator for a combination of declared properties (a clear error)."""


# ------------------------------------------------------------------ scalars


class Draws(random.Random):
    """A random stream with the denominator D its wide values share (one per instance:
    given D, every wide value is uniform on its grid, and sums stay over D)."""

    def __init__(self, seed: str, denominator: int | None = None) -> None:
        super().__init__(seed)
        self.denominator = denominator


def _wide(rng: random.Random, sign: int, scale: Fraction = ONE) -> Fraction:
    """x/D, never 0 (zero has its own class); `sign` 0 for either sign."""
    d = getattr(rng, "denominator", None) or rng.randrange(*DENOMINATORS)
    x = rng.randint(1, BOUND * d)
    if sign < 0 or (sign == 0 and rng.random() < 0.5):
        x = -x
    return Fraction(x, d) * scale


def _large(rng: random.Random, sign: int) -> Fraction:
    value = Fraction(rng.randint(8_000, 1_000_000), rng.randrange(1, 1000))
    return -value if sign < 0 or (sign == 0 and rng.random() < 0.5) else value


def _integer(rng: random.Random, sign: int) -> Fraction:
    x = rng.randint(1, 20)
    return Fraction(-x if sign < 0 or (sign == 0 and rng.random() < 0.5) else x)


def _fixed(value: Fraction) -> Callable[[random.Random], Fraction]:
    return lambda rng: value


# name -> (draw, the signs it can produce)
ScalarClass = tuple[Callable[[random.Random], Fraction], frozenset[int]]
ALL, POS, NEG, NIL = frozenset({-1, 0, 1}), frozenset({1}), frozenset({-1}), frozenset({0})
EITHER = frozenset({-1, 1})
SCALAR_CLASSES: dict[str, ScalarClass] = {
    "wide": (lambda r: _wide(r, 0), EITHER),
    "negative": (lambda r: _wide(r, -1), NEG),
    "positive": (lambda r: _wide(r, 1), POS),
    "zero": (_fixed(ZERO), NIL),
    "one": (_fixed(ONE), POS),
    "minus-one": (_fixed(-ONE), NEG),
    "half": (_fixed(HALF), POS),
    "minus-half": (_fixed(-HALF), NEG),
    "two": (_fixed(TWO), POS),
    "small": (lambda r: _wide(r, 0, Fraction(1, 64)), EITHER),
    "small-positive": (lambda r: _wide(r, 1, Fraction(1, 64)), POS),
    "small-negative": (lambda r: _wide(r, -1, Fraction(1, 64)), NEG),
    "large": (lambda r: _large(r, 0), EITHER),
    "large-positive": (lambda r: _large(r, 1), POS),
    "large-negative": (lambda r: _large(r, -1), NEG),
    "integer": (lambda r: _integer(r, 0), EITHER),
    "integer-positive": (lambda r: _integer(r, 1), POS),
    "integer-negative": (lambda r: _integer(r, -1), NEG),
    "minus-two": (_fixed(-TWO), NEG),
    "probability": (lambda r: Fraction(r.randint(1, 1999), 2000), POS),
    "near-one": (lambda r: 1 - Fraction(r.randint(1, 999), 64_000), POS),
}
# The order in which a scalar meets its classes: signs first, then the special values.
REAL_ORDER = ("wide", "negative", "positive", "zero", "one", "minus-one", "half", "minus-half",
              "two", "small", "large", "small-positive", "small-negative", "large-positive",
              "large-negative")  # fmt: skip
INTEGER_ORDER = ("integer", "integer-negative", "integer-positive", "zero", "one", "minus-one",
                 "two", "minus-two")  # fmt: skip
PROBABILITY_ORDER = ("probability", "half", "small-positive", "near-one")
SIGNS = {"positive": POS, "negative": NEG, "nonnegative": frozenset({0, 1}),
         "nonzero": frozenset({-1, 1})}  # fmt: skip
ENTRY_PROPERTIES = {"positive", "negative", "nonnegative", "integer", "probability"}


def scalar_classes(properties: tuple[str, ...]) -> tuple[str, ...]:
    """The classes a scalar with these properties may take, generic one first."""
    order: tuple[str, ...] = REAL_ORDER
    if "probability" in properties:
        order = PROBABILITY_ORDER
    elif "integer" in properties:
        order = INTEGER_ORDER
    allowed = ALL
    for prop, signs in SIGNS.items():
        if prop in properties:
            allowed = allowed & signs
    kept = tuple(c for c in order if SCALAR_CLASSES[c][1] <= allowed)
    if not kept:
        raise CannotDraw(f"no number is {', '.join(properties)}")
    return kept


def draw_scalar(rng: random.Random, cls: str) -> Fraction:
    return SCALAR_CLASSES[cls][0](rng)


def entry_classes(properties: tuple[str, ...]) -> tuple[str, ...]:
    """The classes of one entry of a vector or matrix with these properties."""
    return scalar_classes(tuple(p for p in properties if p in ENTRY_PROPERTIES))


FIXED = {"zero", "one", "minus-one", "half", "minus-half", "two", "minus-two"}


def _special_entry(rng: random.Random, classes: tuple[str, ...]) -> Fraction:
    fixed = [c for c in classes if c in FIXED] or list(classes)
    return draw_scalar(rng, rng.choice(fixed))


def entry(rng: random.Random, classes: tuple[str, ...], region: str) -> Fraction:
    """One entry for a vector or matrix of class `region` (wide, small, special, ...)."""
    if region == "special":
        return _special_entry(rng, classes)
    if region == "small":
        small = [c for c in classes if c.startswith("small")]
        return draw_scalar(rng, small[0] if small else classes[0])
    if region == "large":
        large = [c for c in classes if c.startswith("large")]
        return draw_scalar(rng, large[0] if large else classes[0])
    return draw_scalar(rng, classes[0])


# ------------------------------------------------------------------ vectors


VECTOR_ORDER = ("wide", "zero", "special", "small", "unit", "ones", "large")
# Every entry one value (the first admissible): whichever entry a pair reads, it meets
# an odd integer, a unit, ½ — not only at the entries a random index happens to pick.
ONES = ("one", "minus-one", "half")


def vector_classes(properties: tuple[str, ...]) -> tuple[str, ...]:
    entries = entry_classes(properties)
    zero_ok = "zero" in entries
    out = [c for c in VECTOR_ORDER if zero_ok or c not in ("zero", "unit")]
    if not set(ONES) & set(entries):
        out.remove("ones")
    if "nonzero" in properties:
        out = [c for c in out if c != "zero"]
    return tuple(out)


def draw_vector(rng: random.Random, rows: int, cls: str, properties: tuple[str, ...]) -> Grid:
    entries = entry_classes(properties)
    if cls == "zero":
        return [[ZERO] for _ in range(rows)]
    if cls == "ones":
        same_value = draw_scalar(rng, next(c for c in ONES if c in entries))
        return [[same_value] for _ in range(rows)]
    if cls == "unit":
        hot = rng.randrange(rows)
        return [[draw_scalar(rng, entries[0]) if r == hot else ZERO] for r in range(rows)]
    return [[entry(rng, entries, cls)] for _ in range(rows)]
