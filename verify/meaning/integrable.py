"""Which functions of a Gaussian an expectation may integrate, decided from the terms.

The exact computation (`verify.meaning.moments`) sees what the body evaluates to
after SymPy has simplified it, and SymPy simplifies by complex-number rules:
e^{\\log x} becomes x, x/x becomes 1, (√x)² becomes x. For a Gaussian x those
integrands are undefined (or not what is written) where x ≤ 0 or x = 0, so the
body is checked as written first: a Gaussian may pass only through operations
that keep a polynomial a polynomial (sums, products, whole powers, transposes,
traces, determinants), through `exp` (whose argument must turn out linear), and
through `\\log \\mathcal{N}(x; \\mu, \\Sigma)`, read as the quadratic it is. An
arbitrary declared function `g(x)` is refused too: instances draw it as a
cubic, and an expectation true for every cubic is not true for every g.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from verify.meaning import terms as T
from verify.meaning.cases import CaseRef
from verify.meaning.integrate import Divergence, Expectation, LogDensity
from verify.shape import SCALAR

# Terms through which a polynomial in the random symbols stays a polynomial.
POLYNOMIAL = (
    T.Add, T.Mul, T.Hadamard, T.Kronecker, T.Transpose, T.Sum, T.MatrixLiteral,
    T.Ref, T.Number, T.IndexValue, T.SizeValue, T.Zero, T.Identity, T.Derivative,
    LogDensity, Expectation, CaseRef,
)  # fmt: skip
WHAT = {
    T.Div: "a quotient", T.Inverse: "an inverse", T.Root: "a root",
    T.FunctionCall: "an arbitrary function", T.Gaussian: "the density 𝒩(…) (only its logarithm is read)",
}  # fmt: skip


def obstacle(term: T.Term, randoms: set[str]) -> tuple[T.Term, str] | None:
    """The first part of `term` that applies a non-polynomial function to a symbol in
    `randoms`, with its description; None if there is none."""
    if isinstance(term, Divergence) or not _uses(term, randoms):
        return None
    if isinstance(term, T.Ref) and any(_uses(i, randoms) for i in term.indices):
        return term, "an index that is a function"
    if isinstance(term, T.Pointwise):
        if _uses(term.arg, randoms):
            return obstacle(term.body, randoms | {term.slot}) or obstacle(term.arg, randoms)
        return obstacle(term.body, randoms)
    if isinstance(term, T.Apply) and term.function != "exp" and _uses(term.body, randoms):
        return term, f"\\{term.function}"
    if isinstance(term, T.MatrixFunction) and term.function not in ("tr", "det", "diag",
                                                                     "normsq"):  # fmt: skip
        return term, "an absolute value or norm"
    if isinstance(term, T.Power) and _uses(term.base, randoms):
        exponent = term.exponent
        number: Any = exponent.number if isinstance(exponent, T.Number) else None
        if not (getattr(number, "is_Integer", False) and number >= 0):
            return term, "a power whose exponent is not a fixed whole number"
    elif isinstance(term, T.Power) and _uses(term.exponent, randoms):
        return term, "a power with a random exponent"
    elif isinstance(term, T.Div) and not _uses(term.denominator, randoms):
        return obstacle(term.numerator, randoms)
    elif not isinstance(term, (*POLYNOMIAL, T.Apply, T.MatrixFunction, T.Power)):
        return term, WHAT.get(type(term), f"'{type(term).__name__}'")
    if isinstance(term, CaseRef):  # `m_t := \beta m_{t-1} + …`: every case's body
        return _case_obstacle(term, randoms)
    for child in term.children():
        found = obstacle(child, randoms)
        if found is not None:
            return found
    return None


def _case_obstacle(term: CaseRef, randoms: set[str]) -> tuple[T.Term, str] | None:
    """The first obstacle in the index terms of a member of a recursion, or in any of
    its cases' bodies (each looked at once, though they use the recursion again)."""
    family = term.family
    if family.walking:
        return None
    family.walking = True
    try:
        for child in [*term.children(), *(c.body for c in family.cases)]:
            found = obstacle(child, randoms)
            if found is not None:
                return found
    finally:
        family.walking = False
    return None


def _uses(term: T.Term, randoms: set[str]) -> bool:
    return any(isinstance(t, T.Ref) and t.name in randoms for t in term.walk())


def densities(term: T.Term) -> T.Term:
    """Every `\\log \\mathcal{N}(x; \\mu, \\Sigma)` as the log-density it is (exact
    wherever the density is defined), so that its expectation is a polynomial's."""
    if (
        isinstance(term, T.Apply) and term.function in ("log", "ln")
        and isinstance(term.body, T.Gaussian)
    ):  # fmt: skip
        g = term.body
        return LogDensity(densities(g.point), densities(g.mean), densities(g.covariance),
                          shape=SCALAR, pos=term.pos)  # fmt: skip
    changes: dict[str, Any] = {}
    for f in fields(term):
        value = getattr(term, f.name)
        new = _rewrite(value)
        if new is not value:
            changes[f.name] = new
    return replace(term, **changes) if changes else term


def _rewrite(value: Any) -> Any:
    if isinstance(value, T.Term):
        return densities(value)
    if isinstance(value, list):
        items = [_rewrite(v) for v in value]
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], T.Term):
        new = densities(value[1])
        return (value[0], new) if new is not value[1] else value
    return value
