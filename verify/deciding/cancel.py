"""`P = 0 ⟹ Q = 0` by cancelling factors that are never zero or singular.

Tipping and Bishop set a gradient to zero and multiply by `C/N`:
`N(C^{-1}SC^{-1}W - C^{-1}W) = 0 ⟹ SC^{-1}W = W`. Drawing instances where the
premise holds needs a stationary point of the likelihood, which no exact step
finds. But the premise's side is `N C^{-1}` times `SC^{-1}W - W`, and `N` (a
size) and `C^{-1}` (an inverse) cannot be zero or singular wherever they are
defined; so the premise says `SC^{-1}W - W = 0`, which is the conclusion.

This module checks exactly that, at random instances (the premise need not hold
there): multiplied out, every term of the premise's non-zero side shares a
scalar factor and a left (or right) matrix factor that are invertible for every
admissible value; with them cancelled, what remains equals the conclusion's
lhs − rhs (or its negative) at every instance. Then premise ⟹ conclusion. A
factor that merely happens to be invertible at the instances drawn (a declared
matrix without `invertible`) is never cancelled: `Bx = 0 ⟹ x = 0` is false.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import sympy as sp

from verify.deciding.compare import same
from verify.deciding.hypotheses import satisfy
from verify.deciding.instances import draw
from verify.deciding.tasks import PairTask
from verify.deciding.understand import Mode, Understood
from verify.errors import EmptyRange, EvaluationError, Undefined
from verify.meaning import terms as T
from verify.meaning.dual import Mat, is_matrix, is_zero
from verify.model import Declaration, Kind
from verify.shape import SCALAR

Product = tuple[int, list[T.Term]]  # a sign and the factors of one term, in order
MAX_PRODUCTS = 64
INSTANCES = 6
ATTEMPTS = 8
# Declared properties that make a symbol invertible at every admissible value.
INVERTIBLE = {
    Kind.SCALAR: {"positive", "negative", "nonzero"},
    Kind.MATRIX: {"invertible", "positive-definite", "orthogonal"},
}


def cancels(
    task: PairTask, u: Understood, evaluate: Callable[[T.Term, T.Env], Any]
) -> tuple[str, int] | None:
    """The method text and the number of instances, if the conclusion is the premise
    with never-singular factors cancelled at every instance drawn; None if that
    cannot be shown."""
    if u.mode != Mode.ENTAILS or u.converse or not u.givens:
        return None
    premise = u.givens[-1]
    side = _nonzero_side(premise.left, premise.right)
    if side is None:
        return None
    products = _expand(side)
    declarations = {d.base: d for d in task.declarations}
    if products is None or not products:
        return None
    passed = 0
    for plan in range(INSTANCES):
        for attempt in range(ATTEMPTS):
            rng = random.Random(f"cancel|{task.lhs.text}|{task.rhs.text}|{plan}|{attempt}")
            try:
                env = draw(rng, task.declarations, u.translator.undeclared, plan,
                           positive_undeclared=attempt % 2 == 1, distinct_indices=plan != 2,
                           minimum_sizes=u.minimum_sizes)  # fmt: skip
                env = satisfy(u.givens[:-1], env, task.declarations, u.fixed)
                reduced = _reduced(products, env, declarations)
                if reduced is None:
                    return None
                conclusion = evaluate(u.lhs, env) - evaluate(u.rhs, env)
            except (Undefined, EmptyRange, EvaluationError, ZeroDivisionError):
                continue
            if not (same(conclusion, reduced) or same(conclusion, -reduced)):
                return None
            passed += 1
            break
    if passed < 3:
        return None
    method = (
        "the conclusion is the premise with factors cancelled that are never zero or"
        f" singular, at {passed} random instances"
    )
    return method, passed


def _nonzero_side(left: T.Term, right: T.Term) -> T.Term | None:
    """The side of `X = 0` (or `0 = X`) that is not the zero."""
    for side, other in ((left, right), (right, left)):
        if _zero(other):
            return side
    return None


def _zero(term: T.Term) -> bool:
    return isinstance(term, T.Zero) or (isinstance(term, T.Number) and term.number == 0)


def _expand(term: T.Term) -> list[Product] | None:
    """The term as a signed sum of products of factors; None past `MAX_PRODUCTS`."""
    if isinstance(term, T.Add):
        out: list[Product] = []
        for sign, part in term.terms:
            inner = _expand(part)
            if inner is None:
                return None
            out.extend((sign * s, factors) for s, factors in inner)
        return out if len(out) <= MAX_PRODUCTS else None
    if isinstance(term, T.Mul):
        left, right = _expand(term.left), _expand(term.right)
        if left is None or right is None or len(left) * len(right) > MAX_PRODUCTS:
            return None
        return [(a * b, f + g) for a, f in left for b, g in right]
    return [(1, [term])]


def _reduced(
    products: list[Product], env: T.Env, declarations: dict[str, Declaration]
) -> Any | None:
    """Σ ± products with the common never-singular factors cancelled, at `env`;
    None if no factor is common to every product (nothing to cancel)."""
    scalars: list[list[tuple[T.Term, Any]]] = []
    matrices: list[list[tuple[T.Term, Any]]] = []
    for _, factors in products:
        values = [(f, f.value(env)) for f in factors]
        scalars.append([(f, v) for f, v in values if not is_matrix(v)])
        matrices.append([(f, v) for f, v in values if is_matrix(v)])
    cancelled = 0
    common = [(f, v) for f, v in scalars[0] if _invertible(f, declarations) and not is_zero(v)]
    for _, shared in common:  # cancelled by value: each row's factor equals `shared` here
        if all(any(same(v, shared) for _, v in row) for row in scalars[1:]):
            for row in scalars:
                row.pop(next(k for k, (_, v) in enumerate(row) if same(v, shared)))
            cancelled += 1
    for end in (0, -1):  # a common left factor, then a common right one
        while all(matrices) and _common(matrices, end, declarations):
            for row in matrices:
                row.pop(end)
            cancelled += 1
    if not cancelled:
        return None
    total: Any = None
    for (sign, _), row_s, row_m in zip(products, scalars, matrices, strict=True):
        coefficient: Any = sp.Integer(sign)
        for _, v in row_s:
            coefficient = coefficient * v
        value: Any = coefficient
        for k, (_, v) in enumerate(row_m):
            value = v.scaled(coefficient) if k == 0 else value * v
        total = value if total is None else total + value
    return total


def _common(
    rows: list[list[tuple[T.Term, Any]]], end: int, declarations: dict[str, Declaration]
) -> bool:
    term, value = rows[0][end]
    if not (isinstance(value, Mat) and value.rows == value.cols and not is_zero(value.det())):
        return False
    if not _invertible(term, declarations):
        return False
    return all(same(row[end][1], value) for row in rows[1:])


def _invertible(term: T.Term, declarations: dict[str, Declaration]) -> bool:
    """Whether a factor is invertible (non-zero, for a scalar) at every admissible value."""
    if isinstance(term, T.Number):
        return bool(term.number != 0)
    if isinstance(term, T.Identity):
        return True
    if isinstance(term, T.Inverse):
        return True  # defined only where its body is invertible, and then invertible
    if isinstance(term, T.IndexValue):  # a size is a positive integer
        decl = declarations.get(term.name)
        return decl is not None and decl.kind == Kind.SIZE
    if isinstance(term, (T.Transpose, T.Power)):
        body = term.body if isinstance(term, T.Transpose) else term.base
        return _invertible(body, declarations)
    if isinstance(term, T.Mul):
        return _invertible(term.left, declarations) and _invertible(term.right, declarations)
    if isinstance(term, T.Apply) and term.function == "exp":
        return True
    if isinstance(term, T.Ref):
        decl = declarations.get(term.name)
        if decl is None or term.shape not in (SCALAR, None) and decl.kind != Kind.MATRIX:
            return False
        return bool(set(decl.properties) & INVERTIBLE.get(decl.kind, set()))
    return False
