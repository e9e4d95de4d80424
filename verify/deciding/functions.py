"""Random smooth functions for a symbol declared `function`.

A polynomial would let every identity that holds for polynomials of its
degree pass (a truncated Taylor series, a finite difference), so a declared
function is, at each instance, a fresh random mixture of an exponential, a
sine, a rational bump 1/(1 + L²) and a product e^L cos L' of random affine
forms L of its arguments: no finite Taylor polynomial and no finite
difference of it vanishes. It is evaluated with the exact functions of
`verify.meaning.dual`, so its values are exact (or 100-digit floats in the
fast pass) and derivatives (`g'`, `\\frac{d}{dx} g(x)`) go through dual numbers.
"""

from __future__ import annotations

import random
from fractions import Fraction

import sympy as sp

from verify.meaning.dual import Dual, reciprocal, slope_of
from verify.meaning.functions import function
from verify.meaning.terms import Value

FORMS = 5  # affine forms per arity: exp, sin, the bump, and exp · cos


def _rational(rng: random.Random, low: int, high: int, denominators: int = 7) -> sp.Rational:
    while True:
        x = Fraction(rng.randint(low, high), rng.randint(1, denominators))
        if x != 0:
            return sp.Rational(x.numerator, x.denominator)


class RandomFunction:
    """g(x₁, …, x_k) = c₀ + c₁e^{L₁} + c₂ sin L₂ + c₃/(1 + L₃²) + c₄ e^{L₄} cos L₅.

    Each L is an affine form with random rational coefficients, scaled by 1/k so
    that its value stays moderate; the coefficients are drawn per arity, once.
    """

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._made: dict[int, tuple[list[sp.Rational], list[list[sp.Rational]]]] = {}

    def _parameters(self, arity: int) -> tuple[list[sp.Rational], list[list[sp.Rational]]]:
        if arity not in self._made:
            rng = self._rng
            weights = [_rational(rng, -9, 9) for _ in range(FORMS)]
            forms = [
                [_rational(rng, -6, 6) / (3 * arity) for _ in range(arity)]
                + [_rational(rng, -4, 4)]
                for _ in range(FORMS)
            ]
            self._made[arity] = (weights, forms)
        return self._made[arity]

    def value(self, args: list[Value], derivative: int, depth: int) -> Value:
        """g at `args`, or its `derivative`-th derivative in the first argument; dual
        tags from `depth` up are free for the derivatives taken here."""
        if derivative == 0:
            return self._at(args)
        moved = [Dual(args[0], sp.Integer(1), depth), *args[1:]]
        return slope_of(self.value(moved, derivative - 1, depth + 1), depth)

    def _at(self, args: list[Value]) -> Value:
        weights, forms = self._parameters(len(args))
        affine: list[Value] = []
        for form in forms:
            form_value: Value = form[-1]
            for coefficient, x in zip(form, args, strict=False):
                form_value = form_value + coefficient * x
            affine.append(form_value)
        one = sp.Integer(1)
        parts: list[Value] = [
            weights[0] * function("exp", affine[0]),
            weights[1] * function("sin", affine[1]),
            weights[2] * reciprocal(one + affine[2] * affine[2]),
            weights[3] * function("exp", affine[3]) * function("cos", affine[4]),
        ]
        value: Value = weights[4]
        for part in parts:
            value = value + part
        return value
