"""One pair at one instance: agree, or a counterexample; and what was undefined.

`checked_instance` tries the instance with fast floats first and decides
failures and near ties exactly; the givens are made to hold in each pass
(with floats in the fast ones), so a failure is always decided at an instance
that satisfies them exactly. When a side has no real value at an
instance (`Undefined`), `undefined_symbols` finds the smallest subexpression
without a value and the symbols in it, so that only those are drawn again.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import sympy as sp

from verify.deciding import solving
from verify.deciding.compare import check_defined, ordered, same, show
from verify.deciding.hypotheses import alternatives, satisfy
from verify.deciding.plans import names_used
from verify.deciding.tasks import PairTask
from verify.deciding.understand import Mode, Understood
from verify.errors import Ambiguous, EvaluationError, Undefined
from verify.meaning import terms as T
from verify.meaning.dual import Mat, fast_numbers
from verify.meaning.terms import Env
from verify.model import Declaration, Kind

Other = Callable[[], Any]  # a second value of the derivation variable
FAST_PASSES = (100, 400)  # digits of the float passes tried before exact values


def evaluate(term: T.Term, env: Env) -> Any:
    """A side's value, which must be a real number (or matrix of them) here."""
    try:
        value = evaluate_raw(term, env)
        check_defined(value)
        return value
    except (TypeError, ValueError, AttributeError) as err:
        raise EvaluationError(f"{type(err).__name__}: {err}") from None


def evaluate_raw(term: T.Term, env: Env) -> Any:
    """A side's value as computed, derivative parts included."""
    try:
        return term.value(env)
    except (ZeroDivisionError, sp.matrices.exceptions.NonInvertibleMatrixError) as err:
        raise Undefined(str(err)) from None


def names_used_by(terms: list[T.Term], declarations: list[Declaration]) -> set[str]:
    """Sizes and indices that the sides depend on, for a short counterexample."""
    names: set[str] = set()
    bound: set[str] = set()
    by_name = {d.base: d for d in declarations}
    for term in terms:
        for t in term.walk():
            if isinstance(t, T.Sum):
                bound.add(t.variable)
            if isinstance(t, T.IndexValue):
                names.add(t.name)
            if isinstance(t, T.SizeValue):
                names.update(t.size.names())
            if t.shape is not None:
                names.update(t.shape.names())
            if isinstance(t, T.Ref) and t.name in by_name:
                d = by_name[t.name]
                names.update(d.shape.names() if d.shape else ())
                for idx in d.indices:
                    rng = by_name[idx].index_range if idx in by_name else None
                    names.update(n for size in rng or () for n in size.names())
    return names - (bound - {d.base for d in declarations if d.kind == Kind.SIZE})


def instance_values(env: Env, refs: list[T.Ref]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for ref in refs:
        if ref.family:
            for key, v in sorted(env.families.get(ref.name, {}).items()):
                values[f"{ref.name}[{','.join(map(str, key))}]"] = show(v)
        elif ref.name in env.values:
            values[ref.name] = show(env.values[ref.name])
    return values


def checked_instance(
    u: Understood, task: PairTask, drawn: Env, other: Other, refs: list[T.Ref], used: set[str],
    notes: set[str], rotation: int = 0, seed: str = "",
) -> tuple[dict[str, Any] | None, Env]:  # fmt: skip
    """Try the instance with 100-digit floats, then 400-digit ones where those cannot
    tell (a tiny or huge value, a near tie); decide failures and what is still
    ambiguous exactly. Returns the verdict and the instance (the drawn one made to
    satisfy the givens) it was decided at. `seed` seeds the redraws that bring the
    instance into a region given, the same in every pass."""

    def satisfied() -> Env:
        return satisfy(u.givens, drawn, task.declarations, u.fixed, u.targets, rotation,
                       random.Random(f"{seed}|regions"))  # fmt: skip

    if u.mode != Mode.IMPLIES:  # solving is exact throughout
        for digits in FAST_PASSES:
            try:
                with fast_numbers(digits):
                    env = satisfied()
                    verdict = one_instance(u, task, env, other, refs, used, notes)
                if verdict is None:
                    return None, env
                break  # a difference: decided exactly
            except Ambiguous:
                continue
    env = satisfied()
    return one_instance(u, task, env, other, refs, used, notes), env


def one_instance(
    u: Understood, task: PairTask, env: Env, other: Other | Any, refs: list[T.Ref],
    used: set[str] | None = None, notes: set[str] | None = None,
) -> dict[str, Any] | None:  # fmt: skip
    """None if the instance agrees; else the counterexample. Raises `Undefined`.

    `other` gives a second value of the derivation variable (for const, ∝, ⟹);
    a `random.Random` is accepted too, for callers that draw their own instances."""
    if used is None:
        used = names_used_by([u.lhs, u.rhs] + ([u.wrt] if u.wrt else []), task.declarations)
    if not callable(other):
        other = _second_value(u, task, env, other)
    base = {"sizes": {k: v for k, v in env.sizes.items() if k in used},
            "indices": {k: v for k, v in env.indices.items() if k in used}}  # fmt: skip
    if u.mode == Mode.ENTAILS:
        return _entails(u, task, env, refs, base)
    if u.mode in (Mode.EQUAL, Mode.INEQUALITY):
        left, right = evaluate(u.lhs, env), evaluate(u.rhs, env)
        agree = same(left, right) if u.mode == Mode.EQUAL else ordered(left, right, task.relation)
        if agree:
            return None
        return {**base, "values": instance_values(env, refs), "lhs": show(left),
                "rhs": show(right)}  # fmt: skip
    assert u.wrt is not None

    def settled(moved: Env) -> Env:  # the givens made to hold again where v moved
        return satisfy(u.givens, moved, task.declarations, u.fixed)

    if u.mode == Mode.IMPLIES:
        decl = next((d for d in task.declarations if d.base == u.wrt.name), None)
        second = other()  # drawn from the instance's seeds: the same value at every call
        found = solving.check(u, env, evaluate, evaluate_raw, decl, second, notes or set(),
                              settled)  # fmt: skip
        if found is None and not u.givens and not u.conditions:
            return _elsewhere(u, task, env, second, refs, base)
        return None if found is None else {**base, "values": instance_values(env, refs), **found}
    second = other()
    env2 = settled(env.with_slot(u.wrt.slot(env), second))
    l1, r1 = evaluate(u.lhs, env), evaluate(u.rhs, env)
    l2, r2 = evaluate(u.lhs, env2), evaluate(u.rhs, env2)
    if u.mode == Mode.CONST:
        ok = same(l1 - r1, l2 - r2)
    else:
        if same(r1, 0) or same(r2, 0):
            raise Undefined("a side is zero")
        ok = same(l1 * r2, l2 * r1)
    if ok:
        return None
    return {**base, "values": instance_values(env, refs), "lhs": show(l1), "rhs": show(r1),
            "second value of " + u.wrt.name: show(second), "lhs there": show(l2),
            "rhs there": show(r2)}  # fmt: skip


def _elsewhere(u: Understood, task: PairTask, env: Env, second: Any, refs: list[T.Ref],
               base: dict[str, Any]) -> dict[str, Any] | None:  # fmt: skip
    """`premise ⟹ v = expr` where the premise is made to hold at a second value of v,
    by solving it for each other symbol in turn: the conclusion must give that value.
    At a drawn instance the premise's matrix is almost surely invertible, so only here
    is a premise caught that determines v for most values of the others but not all
    (`m\\Sigma^{-1}(B\\mu - \\mu) = 0` at a nonzero μ, solved for B: B has the
    eigenvalue 1, and the conclusion μ = 0 is wrong there)."""
    assert u.wrt is not None and u.implied is not None
    moved = env.with_slot(u.wrt.slot(env), second)
    for place in alternatives(u.implied, moved, task.declarations, u.fixed, rational=True):
        try:
            solution = solving.shaped_like(evaluate(u.rhs, place), second)
        except (Undefined, ZeroDivisionError):  # the conclusion says nothing there
            continue
        if not same(solution, second):
            name = u.wrt.written or u.wrt.name
            return {**base, "values": instance_values(place, refs), "solution": show(solution),
                    "another solution": show(second),
                    "problem": f"the premise does not determine {name}: with the other symbols"
                    f" moved to satisfy it at {name} = {show(second)}, the conclusion gives"
                    f" {show(solution)}"}  # fmt: skip
    return None


def _entails(u: Understood, task: PairTask, env: Env, refs: list[T.Ref],
             base: dict[str, Any]) -> dict[str, Any] | None:  # fmt: skip
    """`premise ⟹ conclusion` between equations: the conclusion at the instance (the
    premise holds there) and at the premise solved for each of its other symbols; for
    `\\iff`, the premise where the conclusion is made to hold."""
    places = [env]
    if len(u.givens) == 1:  # the premise, solved for each symbol
        places += alternatives(u.givens[0], env, task.declarations, u.fixed)
    for place in places:
        left, right = evaluate(u.lhs, place), evaluate(u.rhs, place)
        if not same(left, right):
            return {**base, "values": instance_values(place, refs), "lhs": show(left),
                    "rhs": show(right)}  # fmt: skip
    if u.converse and u.premise is not None:
        other = satisfy(u.givens[:-1] + u.converse, env, task.declarations, u.fixed)
        left, right = evaluate(u.premise[0], other), evaluate(u.premise[1], other)
        if not same(left, right):
            return {**base, "values": instance_values(other, refs), "direction":
                    "the converse: the premise fails where the conclusion holds",
                    "lhs": show(left), "rhs": show(right)}  # fmt: skip
    return None


def _second_value(u: Understood, task: PairTask, env: Env, rng: Any) -> Other:
    """A second value of the variable from a caller's `random.Random`."""
    from verify.deciding.instances import value_of
    from verify.deciding.plans import Symbol, classes_of

    def draw() -> Any:
        if u.wrt is None:
            return None
        decl = next((d for d in task.declarations if d.base == u.wrt.name), None)
        symbol = Symbol(u.wrt.name, decl, classes_of(decl))
        current = u.wrt.value(env)
        for _ in range(20):
            value = value_of(rng, symbol, symbol.classes[0], env)
            if not same(value, current):
                return value
        raise Undefined("could not draw another value")

    return draw


def undefined_symbols(terms: list[T.Term], env: Env) -> set[str]:
    """The symbols of the smallest subexpression that has no real value at `env`
    (empty if none is found: the sides are defined, the trouble is elsewhere)."""
    for term in terms:
        found = _culprit(term, env)
        if found is not None:
            return names_used([found])
    return set()


def _culprit(term: T.Term, env: Env) -> T.Term | None:
    for child in term.children():
        found = _culprit(child, env)
        if found is not None:
            return found
    try:
        value = term.value(env)
        for x in list(value) if isinstance(value, Mat) else [value]:
            check_defined(x)
    except (Undefined, ZeroDivisionError):
        return term
    except Exception:  # noqa: BLE001 - a part that cannot stand alone (a bound index)
        return None
    return None
