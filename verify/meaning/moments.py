"""Exact expectations of SymPy expressions over independent Gaussian blocks.

A side's body under `\\mathbb{E}` is evaluated with a fresh SymPy symbol for each
entry of each Gaussian it integrates; what comes back is a sum of terms, each a
coefficient times a monomial in those symbols times, perhaps, e^{aᵀz + c}. Such
a term has an exact expectation:

- a monomial's moment follows from Isserlis' theorem, computed by the Gaussian
  integration-by-parts recursion E[z_i g(z)] = μ_i E[g] + Σ_j Σ_ij E[∂_j g],
  which needs no enumeration of pairings and works for a non-zero mean;
- a factor e^{aᵀz} tilts the Gaussian: E[p(z) e^{aᵀz}] = e^{aᵀμ + aᵀΣa/2}
  E[p(z')] with z' ~ N(μ + Σa, Σ) (the moment generating function when p = 1).

Anything else that involves a Gaussian symbol (a logarithm, a square root, a
quotient, e^{quadratic}) is `Unsupported`, naming the offending factor: the
caller reports it as an error, never as a pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sympy as sp

from verify.errors import EvaluationError
from verify.meaning.polynomial import polynomial_terms

MAX_DEGREE = 8  # the contract promises 4; higher degrees cost more than they are used


class Unsupported(EvaluationError):
    """A function of a Gaussian symbol whose expectation is not computed exactly."""


@dataclass
class GaussianBlock:
    """One Gaussian random value: its entries' symbols, mean and covariance."""

    symbols: list[sp.Symbol]
    mean: list[Any]
    covariance: list[list[Any]]


@dataclass
class _Joint:
    """The blocks as one Gaussian with a block-diagonal covariance (independence)."""

    index: dict[sp.Symbol, int]
    mean: list[Any]
    neighbours: list[list[tuple[int, Any]]]  # row i: the (j, Σ_ij) with Σ_ij ≠ 0


def _joint(blocks: Sequence[GaussianBlock]) -> _Joint:
    index: dict[sp.Symbol, int] = {}
    mean: list[Any] = []
    neighbours: list[list[tuple[int, Any]]] = []
    for block in blocks:
        start = len(mean)
        for k, symbol in enumerate(block.symbols):
            index[symbol] = start + k
            mean.append(block.mean[k])
            row = block.covariance[k]
            neighbours.append([(start + j, s) for j, s in enumerate(row) if s != 0])
    return _Joint(index, mean, neighbours)


def gaussian_expectation(expr: Any, blocks: Sequence[GaussianBlock], what: str) -> Any:
    """E[expr] over the blocks' symbols, exactly; other symbols are constants.

    `what` names the integrated symbols in messages (`z`, `x and y`)."""
    joint = _joint(blocks)
    if not joint.index:
        return expr
    terms = polynomial_terms(expr, joint.index, MAX_DEGREE)
    if terms is not None:  # no e^{…}: Isserlis alone, multiplied out without `expand`
        table = _Moments.tilted(joint, [sp.Integer(0)] * len(joint.mean))
        return sp.Add(*(c * table.moment(powers) for powers, c in terms.items()))
    randoms = set(joint.index)
    expanded = sp.expand(sp.sympify(expr))
    moments: dict[tuple[Any, ...], _Moments] = {}
    total: Any = sp.Integer(0)
    for term in sp.Add.make_args(expanded):
        if not (term.free_symbols & randoms):
            total += term
            continue
        coefficient, powers, slope, offset = _split(term, joint, what)
        key = tuple(slope)
        if key not in moments:
            moments[key] = _Moments.tilted(joint, slope)
        table = moments[key]
        total += coefficient * sp.exp(offset) * table.scale * table.moment(powers)
    return total


def _split(term: Any, joint: _Joint, what: str) -> tuple[Any, tuple[int, ...], list[Any], Any]:
    """A term as coefficient · ∏ z_i^{k_i} · e^{aᵀz + c}: (coefficient, k, a, c)."""
    coefficient: Any = sp.Integer(1)
    powers = [0] * len(joint.mean)
    slope: list[Any] = [sp.Integer(0)] * len(joint.mean)
    offset: Any = sp.Integer(0)
    randoms = set(joint.index)
    for factor in sp.Mul.make_args(term):
        if not (factor.free_symbols & randoms):
            coefficient *= factor
        elif factor in joint.index:
            powers[joint.index[factor]] += 1
        elif (
            factor.is_Pow and factor.base in joint.index and factor.exp.is_Integer
            and factor.exp > 0
        ):  # fmt: skip
            powers[joint.index[factor.base]] += int(factor.exp)
        elif isinstance(factor, sp.exp):
            argument = factor.args[0]
            generators = list(joint.index)
            linear = sp.Poly(argument, *generators) if argument.is_polynomial(*generators) else None
            if linear is None or linear.total_degree() > 1:
                raise Unsupported(f"e^{{…}} of a non-linear function of the Gaussian {what}")
            for symbol, k in joint.index.items():
                slope[k] += linear.coeff_monomial(symbol)
            offset += linear.coeff_monomial(1)
        else:
            raise Unsupported(f"{_describe(factor)} of the Gaussian {what}")
    degree = sum(powers)
    if degree > MAX_DEGREE:
        raise Unsupported(f"a polynomial of degree {degree} in {what}")
    return coefficient, tuple(powers), slope, offset


def _describe(factor: Any) -> str:
    """How a message names an unsupported factor: `log(…)`, `a quotient`, `√(…)`."""
    if factor.is_Pow:
        exponent = factor.exp
        if exponent.is_Rational and not exponent.is_Integer:
            return "a root or fractional power"
        if exponent.is_negative:
            return "a quotient (1/…)"
        return "a power with a non-integer exponent"
    name = getattr(factor.func, "__name__", str(factor.func))
    return f"{name}(…)"


class _Moments:
    """Raw moments E[∏ z_i^{k_i}] of one (possibly tilted) joint Gaussian, memoised."""

    def __init__(self, mean: list[Any], neighbours: list[list[tuple[int, Any]]],
                 scale: Any) -> None:  # fmt: skip
        self.mean = mean
        self.neighbours = neighbours
        self.scale = scale  # e^{aᵀμ + aᵀΣa/2}: what the tilt multiplies by
        self.memo: dict[tuple[int, ...], Any] = {}

    @classmethod
    def tilted(cls, joint: _Joint, slope: list[Any]) -> _Moments:
        """The Gaussian tilted by e^{aᵀz}: mean μ + Σa, and the factor it brings."""
        if all(a == 0 for a in slope):
            return cls(joint.mean, joint.neighbours, sp.Integer(1))
        shift = [sum((s * slope[j] for j, s in row), sp.Integer(0)) for row in joint.neighbours]
        mean = [m + d for m, d in zip(joint.mean, shift, strict=True)]
        exponent = sum((a * m for a, m in zip(slope, joint.mean, strict=True)), sp.Integer(0))
        exponent += sum((a * d for a, d in zip(slope, shift, strict=True)), sp.Integer(0)) / 2
        return cls(mean, joint.neighbours, sp.exp(exponent))

    def moment(self, powers: tuple[int, ...]) -> Any:
        """E[∏ z_i^{k_i}] by E[z_i g] = μ_i E[g] + Σ_j Σ_ij E[∂g/∂z_j]."""
        if powers in self.memo:
            return self.memo[powers]
        first = next((i for i, k in enumerate(powers) if k), None)
        if first is None:
            return sp.Integer(1)
        rest = list(powers)
        rest[first] -= 1
        value = self.mean[first] * self.moment(tuple(rest))
        for j, s in self.neighbours[first]:
            if rest[j]:
                lower = list(rest)
                lower[j] -= 1
                value += s * rest[j] * self.moment(tuple(lower))
        self.memo[powers] = value
        return value
