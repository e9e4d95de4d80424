"""Hypotheses: instances drawn to satisfy a page's `given` equations (contract §3).

After an instance is drawn, each given `L = R` is made to hold by solving it
for one symbol it mentions — a declared symbol, an entry of a declared whole
(`\\alpha_1` in `\\sum_i \\alpha_i y^{(i)} = 0`), a member of a family, or an
undeclared scalar — keeping every other value as drawn. The solve is one
Newton step with an exact Jacobian (dual numbers, as for derivatives), so it
is exact for every given that is affine in the symbol solved for, which is
the case for the results and constraints derivations state (`w = \\sum_i …`,
`LL^T = K + \\sigma^2 I`, `\\eta = \\log\\lambda`); afterwards the given is
evaluated again and must hold exactly. The solved value must also have the
symbol's declared properties. An instance where that fails is not admissible
and another is drawn; a given that no symbol can be solved for is an error.

Givens are solved in the order written, and again until all hold together, so
`w = \\sum_i \\alpha_i y^{(i)} x^{(i)}` stays true when a later constraint moves
an entry of `\\alpha`.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from verify.deciding import counts
from verify.deciding.compare import ordered, same
from verify.deciding.regions import bring_into, redrawer
from verify.errors import EvaluationError, PairError, Undefined, Unsatisfied
from verify.meaning import terms as T
from verify.meaning.dual import Dual, Mat, is_matrix, is_zero, power, slope_of
from verify.meaning.functions import function
from verify.meaning.parts import part_of
from verify.meaning.terms import Env
from verify.meaning.textbook_terms import PartRef
from verify.model import Declaration, Hypothesis, Kind

Slot = tuple[Any, ...]


@dataclass
class Given:
    """A given equation, translated: its two sides as terms; or a region, whose
    sides are related by `relation` (`<`, `>`, `\\le`, `\\ge`: `verify.deciding.regions`)."""

    hypothesis: Hypothesis
    left: T.Term
    right: T.Term
    relation: str = "="

    @property
    def is_region(self) -> bool:
        return self.relation != "="

    @property
    def text(self) -> str:
        return self.hypothesis.text

    def residual(self, env: Env) -> Any:
        try:
            return self.left.value(env) - self.right.value(env)
        except (ZeroDivisionError, TypeError, ValueError) as err:
            raise Unsatisfied(str(err)) from None


@dataclass
class Targets:
    """The symbol each given is solved for, chosen at the first instance that needs it."""

    chosen: dict[int, str] = field(default_factory=dict)  # given number -> its slot's key
    names: dict[int, str] = field(default_factory=dict)  # given number -> the symbol, written


def describe(givens: list[Given]) -> str:
    """`under the given w = …; …`, for the method of a verdict."""
    if not givens:
        return ""
    return " under the given " + "; ".join(g.text for g in givens)


def satisfy(
    givens: list[Given], env: Env, declarations: list[Declaration],
    fixed: frozenset[str] = frozenset(), targets: Targets | None = None, rotation: int = 0,
    rng: random.Random | None = None,
) -> Env:  # fmt: skip
    """`env` changed so that every given holds; raises `Undefined` where this
    instance cannot be made to satisfy them, `PairError` where no instance can.

    Symbols named in `fixed` (the derivation variable) are never solved for.
    `rotation` starts the search for a symbol to solve for at another candidate,
    so that successive instances sample the given's solutions along different
    symbols (`xy = 0` both where x = 0 and where y = 0). A region is entered by
    drawing one of its symbols again with `rng` (without one, it is only checked)."""
    if not givens:
        return env
    targets = targets if targets is not None else Targets()
    targets.chosen.clear()
    by_name = {d.base: d for d in declarations}
    cases = [
        (k, given, values)
        for k, given in enumerate(givens)
        for values in _every_value(given, env, by_name)
    ]
    env, settled, assigned = _assign_definitions(cases, env, by_name, fixed)
    free = counts.free_sizes(declarations)
    for _ in range(len(cases) + 1):
        holding = True
        for n, (k, given, values) in enumerate(cases):
            if n in settled:
                continue
            at = _at(env, values)
            if _holds(given, at):
                continue
            holding = False
            if given.is_region:
                env = _enter(given, env, at, by_name, fixed, cases, rng)
                continue
            count = counts.counted(given.left, given.right, free)
            if count is not None:  # `\\sum_i 1\\{y^{(i)} = 1\\} = m_1`: the size is the count
                env = counts.settle(*count, at, env)
                continue
            key = n if len(cases) > len(givens) else k
            taken = {v for m, v in targets.chosen.items() if m != key}
            # A symbol another given defines is solved for by that given only.
            kept = set(fixed) | {name for m, name in assigned.items() if cases[m][0] != k}
            solved = _solve_one(key, given, at, by_name, (taken, kept), targets, rotation)
            env = Env(env.sizes, env.indices, solved.values, solved.families, env.functions,
                      env.depth, env.symbolic)  # fmt: skip
        if holding:
            return env
    raise Unsatisfied("the givens could not be made to hold together")


def _assign_definitions(
    cases: list[tuple[int, Given, dict[str, int]]], env: Env, by_name: dict[str, Declaration],
    fixed: frozenset[str],
) -> tuple[Env, set[int], dict[int, str]]:  # fmt: skip
    """Givens that define a symbol (`r_j^{(i)} = \\frac{…}{…}`), made to hold by
    assigning the other side's value: exactly true, with no re-evaluation, as long
    as nothing the other side reads is itself assigned. Returns the cases settled
    so (the rest are solved, and every case checked, as usual) and the symbol
    each defining case assigned."""
    assigned: dict[int, str] = {}
    slots: dict[int, Slot] = {}
    for n, (_, given, values) in enumerate(cases):
        if given.is_region:
            continue
        at = _at(env, values)
        for side, other in ((given.left, given.right), (given.right, given.left)):
            slot = _slot_of(side, at) if isinstance(side, T.Ref) else None
            if slot is None or slot[1] in fixed or _mentions(other, slot):
                continue
            solved = at.with_slot(slot, other.value(at))
            problem = _admissible(solved, slot, by_name, given)
            if problem:
                raise Unsatisfied(problem)
            env = Env(env.sizes, env.indices, solved.values, solved.families, env.functions,
                      env.depth, env.symbolic)  # fmt: skip
            assigned[n], slots[n] = slot[1], slot
            break
    # What may still move: the symbols assigned, and any symbol of a given solved later
    # (which may be solved for the very symbol a defining given assigned).
    solved_later = {
        name for n, case in enumerate(cases) if n not in assigned
        for name in _reads(case[1], "")
    }  # fmt: skip
    movable = set(assigned.values()) | solved_later
    # A slot assigned by two cases (a given with a free index whose other side does
    # not depend on it) keeps only the last value: the others must be checked.
    last = {slot: n for n, slot in slots.items()}
    settled = {
        n for n in assigned
        if last[slots[n]] == n and not (_reads(cases[n][1], assigned[n]) & movable)
        and assigned[n] not in solved_later
    }  # fmt: skip
    return env, settled, assigned


def _reads(given: Given, target: str) -> set[str]:
    """The symbols a defining given's value is computed from."""
    names = {t.name for side in (given.left, given.right) for t in side.walk()
             if isinstance(t, T.Ref)}  # fmt: skip
    return names - {target}


def _every_value(given: Given, env: Env, by_name: dict[str, Declaration]) -> list[dict[str, int]]:
    """A given with a free index (`\\sigma_l^2 = e^{\\eta_l}`, l declared and not
    summed over) holds for every value of that index: one case per value."""
    free = sorted(T.free_indices(given.left) | T.free_indices(given.right))
    ranges: list[list[tuple[str, int]]] = []
    for name in free:
        decl = by_name.get(name)
        if decl is None or decl.kind != Kind.INDEX or decl.index_range is None or decl.is_random:
            continue
        lo, hi = (env.size(s) for s in decl.index_range)
        ranges.append([(name, v) for v in range(lo, hi + 1)])
    return [dict(combo) for combo in itertools.product(*ranges)]


def _at(env: Env, values: dict[str, int]) -> Env:
    for name, value in values.items():
        env = env.with_index(name, value)
    return env


def alternatives(
    given: Given, env: Env, declarations: list[Declaration], fixed: frozenset[str],
    rational: bool = False,
) -> list[Env]:  # fmt: skip
    """`env` with the given solved for each symbol it can be solved for, in turn:
    the places where an implication's premise holds, one per symbol (with `rational`,
    only where the linearised given has rational entries: a cheap search)."""
    by_name = {d.base: d for d in declarations}
    found = []
    for _, slot, _ in _candidates(given, env, by_name):
        if slot[1] in fixed:
            continue
        solved = _solve(given, slot, env, rational)
        if solved is not None and _admissible(solved, slot, by_name, given) is None:
            found.append(solved)
    return found


def _holds(given: Given, env: Env) -> bool:
    try:
        if given.is_region:
            return ordered(given.left.value(env), given.right.value(env), given.relation)
        return bool(same(given.residual(env), 0))
    except EvaluationError as err:
        raise Unsatisfied(f"the given {given.text} cannot be evaluated here: {err}") from None
    except (ZeroDivisionError, TypeError, ValueError) as err:
        raise Undefined(str(err)) from None


def _enter(
    given: Given, env: Env, at: Env, by_name: dict[str, Declaration], fixed: frozenset[str],
    cases: list[tuple[int, Given, dict[str, int]]], rng: random.Random | None,
) -> Env:  # fmt: skip
    """`env` brought into the region `given` (at the index values of `at`) by drawing
    one of its symbols again: not the derivation variable, and not a symbol that an
    equation given defines (solving that equation would move it back)."""
    defined = {
        side.name for _, g, _ in cases if not g.is_region
        for side in (g.left, g.right) if isinstance(side, T.Ref)
    }  # fmt: skip
    slots = []
    for _, slot, _ in _candidates(given, at, by_name):
        drawer = redrawer(slot, by_name.get(slot[1]), at)
        if drawer is not None and slot[1] not in fixed and slot[1] not in defined:
            slots.append((slot, drawer))
    moved = bring_into(lambda e: _holds(given, e), slots, at, rng)
    if moved is None:
        raise Unsatisfied(f"the instance is outside the region {given.text}")
    for slot, _ in slots:
        problem = _admissible(moved, slot, by_name, given)
        if problem:
            raise Undefined(problem)
    return Env(env.sizes, env.indices, moved.values, moved.families, env.functions,
               env.depth, env.symbolic)  # fmt: skip


def _solve_one(
    k: int, given: Given, env: Env, by_name: dict[str, Declaration],
    taken: tuple[set[str], set[str]], targets: Targets, rotation: int,
) -> Env:  # fmt: skip
    """Solve one given, for the symbol it was solved for before in this instance,
    or else for the first of its symbols (from `rotation` on) that no other given
    and no `fixed` symbol holds, and whose solution has its declared properties."""
    candidates = _candidates(given, env, by_name)
    if k in targets.chosen:
        slot = next((c[1] for c in candidates if c[0] == targets.chosen[k]), None)
        solved = _solve(given, slot, env) if slot is not None else None
        if solved is None or slot is None:
            raise Unsatisfied(f"the given {given.text} cannot be solved here")
        problem = _admissible(solved, slot, by_name, given)
        if problem:
            raise Unsatisfied(problem)
        return solved
    taken_keys, fixed_names = taken
    if not candidates:
        raise PairError(
            f"the given {given.text} cannot be satisfied: it mentions no symbol that could be"
            " solved for (a declared symbol, an entry of one, or an undeclared scalar)",
            given.hypothesis.line,
        )
    # A given that names one symbol on a side (`r_j = \\frac{…}{…}`) defines it: it
    # is solved for that symbol; others (`xy = 0`) for each symbol in turn.
    start = 0 if _defines(given) else rotation % len(candidates)
    reason = f"the given {given.text} cannot be solved for any one symbol here"
    for key, slot, written in candidates[start:] + candidates[:start]:
        if key in taken_keys or slot[1] in fixed_names:
            continue
        solved = _solve(given, slot, env)
        if solved is None:
            continue
        problem = _admissible(solved, slot, by_name, given)
        if problem:
            reason = problem
            continue
        targets.chosen[k] = key
        targets.names[k] = written
        return solved
    raise Unsatisfied(reason)


def _defines(given: Given) -> bool:
    """Whether one side is a lone symbol that the other side does not mention."""
    for side, other in ((given.left, given.right), (given.right, given.left)):
        if isinstance(side, T.Ref) and not any(
            isinstance(t, T.Ref) and t.name == side.name for t in other.walk()
        ):
            return True
    return False


def _candidates(
    given: Given, env: Env, by_name: dict[str, Declaration]
) -> list[tuple[str, Slot, str]]:
    """(key, slot, written) of each symbol the given could be solved for: a side that
    is one symbol first, then the symbols in the order written."""
    sides = [given.left, given.right]
    alone = [s for s in sides if isinstance(s, T.Ref)]
    refs: list[T.Ref] = []
    for term in [*alone, *sides]:
        for t in term.walk():
            if isinstance(t, T.Ref) and t not in refs:
                refs.append(t)
    found: list[tuple[str, Slot, str]] = []
    for ref in refs:
        decl = by_name.get(ref.name)
        if decl is not None and decl.kind in (Kind.SIZE, Kind.INDEX, Kind.IDENTITY, Kind.FUNCTION,
                                              Kind.SUBSET):  # fmt: skip
            continue
        if decl is None and (ref.family or ref.name not in env.values):
            continue
        for slot in _slots(ref, env):
            key = repr(slot)
            if all(key != f[0] for f in found):
                found.append((key, slot, ref.written or ref.name))
    return found


def _slots(ref: T.Ref, env: Env) -> list[Slot]:
    """The slot a reference names here, then each of its entries (a scalar given
    such as `\\theta^Tu = 2` is solved for one entry of a vector); every slot it
    could name when its indices run over a sum (`\\alpha_i` inside `\\sum_i`)."""
    try:
        slot = ref.slot(env)
        value = env.values.get(ref.name) if slot[0] == "plain" else None
        if not isinstance(value, Mat):
            return [slot]
        return [slot] + [
            ("part", ref.name, (r + 1, c + 1), "entries")
            for r in range(value.rows)
            for c in range(value.cols)
        ]
    except EvaluationError:
        pass
    if isinstance(ref, PartRef):
        whole = env.values.get(ref.name)
        if not isinstance(whole, Mat):
            return []
        if ref.part in ("rows", "diagonal"):
            return [("part", ref.name, (r + 1,), ref.part) for r in range(whole.rows)]
        if ref.part == "columns":
            return [("part", ref.name, (c + 1,), "columns") for c in range(whole.cols)]
        if len(ref.indices) == 1:
            return [("part", ref.name, (r + 1,), "entries") for r in range(whole.rows)]
        return [
            ("part", ref.name, (r + 1, c + 1), "entries")
            for r in range(whole.rows)
            for c in range(whole.cols)
        ]
    if ref.family:
        return [("family", ref.name, key) for key in sorted(env.families.get(ref.name, {}))]
    return []


def value_at(env: Env, slot: Slot) -> Any:
    if slot[0] == "plain":
        return env.values[slot[1]]
    if slot[0] == "family":
        return env.families[slot[1]][slot[2]]
    return part_of(env.values[slot[1]], slot[3], slot[2], slot[1])


def _flat(value: Any) -> list[Any]:
    return list(value) if is_matrix(value) else [value]


def _solve(given: Given, slot: Slot, env: Env, rational: bool = False) -> Env | None:
    """One exact Newton step for the slot; None if the linearised given has no solution
    (`_newton_step`), or if the given does not hold after it (not affine in the slot)."""
    try:
        for side, other in ((given.left, given.right), (given.right, given.left)):
            # `w = …`: a side that is the symbol itself, the other free of it
            if (
                isinstance(side, T.Ref)
                and _slot_of(side, env) == slot
                and not _mentions(other, slot)
            ):
                solved = env.with_slot(slot, other.value(env))
                return solved if _holds(given, solved) else None
        for side, other in ((given.left, given.right), (given.right, given.left)):
            # `\\sigma^2 = e^{\\eta}`: undo exp, log and powers down to the symbol
            if _mentions(side, slot) and not _mentions(other, slot):
                try:
                    isolated = _isolate(side, other.value(env), slot, env)
                except (Undefined, EvaluationError, ZeroDivisionError, TypeError, ValueError):
                    isolated = None
                if isolated is not None:
                    solved = env.with_slot(slot, isolated)
                    if _holds(given, solved):
                        return solved
        start = value_at(env, slot)
        residual = _flat(given.residual(env))
        positions = (
            [(r, c) for r in range(start.rows) for c in range(start.cols)]
            if is_matrix(start) else [None]
        )  # fmt: skip
        if len(positions) < len(residual):
            return None
        tag = env.depth
        columns = []
        for position in positions:
            moved = _perturbed(start, position, tag)
            slope = slope_of(given.residual(env.deeper().with_slot(slot, moved)), tag)
            columns.append(_flat(slope))
        step = _newton_step(sp.Matrix(columns).T, sp.Matrix([-x for x in residual]), rational)
        if step is None:
            return None
        if is_matrix(start):
            value: Any = Mat.build(start.rows, start.cols,
                                   lambda r, c: start[r, c] + step[r * start.cols + c])  # fmt: skip
        else:
            value = start + step[0]
        solved = env.with_slot(slot, value)
        return solved if _holds(given, solved) else None
    except (Undefined, EvaluationError, ZeroDivisionError, TypeError, ValueError):
        return None


def _newton_step(jacobian: sp.Matrix, rhs: sp.Matrix, rational: bool = False) -> sp.Matrix | None:
    """The step that solves the linearised given; None where it has no solution.

    A given with more unknowns than equations (`(B - I)\\mu = 0` solved for the n²
    entries of B), or a singular one, has a space of solutions: the step keeps the
    drawn value along every free direction. Solving such a given for B, not only for
    μ (where an invertible matrix leaves μ = 0 alone), is what samples the premise
    where its matrix is singular. Elimination on exact exponentials and roots is
    costly: without rational entries, only a square system is solved, and none with
    `rational`."""
    exact = all(isinstance(x, sp.Rational) for x in (*jacobian, *rhs))
    if rational and not exact:
        return None
    if jacobian.rows == jacobian.cols and jacobian.det() != 0:
        return jacobian.LUsolve(rhs)
    if not exact:
        return None
    try:
        solution, free = jacobian.gauss_jordan_solve(rhs)
    except ValueError:  # no solution
        return None
    return solution.subs({parameter: 0 for parameter in free})


# Scalar functions undone by their inverse on the way to the symbol solved for.
_INVERSES = {"exp": "log", "log": "exp", "ln": "exp"}


def _isolate(term: T.Term, target: Any, slot: Slot, env: Env) -> Any:
    """The value of the slot that makes the scalar `term` equal `target`, found by
    undoing one operation at a time; None where that is not possible."""
    if is_matrix(target):
        return None
    if isinstance(term, T.Ref) and _slot_of(term, env) == slot:
        return target
    if isinstance(term, T.Apply) and term.function in _INVERSES:
        return _isolate(term.body, function(_INVERSES[term.function], target), slot, env)
    if isinstance(term, T.Power) and not _mentions(term.exponent, slot):
        exponent = term.exponent.value(env)
        if is_zero(exponent) or is_matrix(term.base.value(env)):
            return None
        return _isolate(term.base, power(target, 1 / exponent), slot, env)
    if isinstance(term, T.Add):
        moving = [(sign, t) for sign, t in term.terms if _mentions(t, slot)]
        if len(moving) != 1:
            return None
        sign, inner = moving[0]
        rest = sum((s * t.value(env) for s, t in term.terms if t is not inner), sp.Integer(0))
        return _isolate(inner, (target - rest) * sign, slot, env)
    if isinstance(term, T.Mul) and (term.shape is None or term.shape.is_scalar):
        left, right = _mentions(term.left, slot), _mentions(term.right, slot)
        if left == right:
            return None
        inner, factor = (term.left, term.right) if left else (term.right, term.left)
        scale = factor.value(env)
        if is_matrix(scale) or is_matrix(inner.value(env)) or is_zero(scale):
            return None  # `\\theta^T u`: not undone one scalar at a time
        return _isolate(inner, target / scale, slot, env)
    if isinstance(term, T.Div) and not _mentions(term.denominator, slot):
        return _isolate(term.numerator, target * term.denominator.value(env), slot, env)
    return None


def _slot_of(ref: T.Ref, env: Env) -> Slot | None:
    try:
        return ref.slot(env)
    except EvaluationError:
        return None


def _mentions(term: T.Term, slot: Slot) -> bool:
    return any(isinstance(t, T.Ref) and t.name == slot[1] for t in term.walk())


def _perturbed(start: Any, position: tuple[int, int] | None, tag: int) -> Any:
    if position is None:
        return Dual(start, sp.Integer(1), tag)
    data = [list(row) for row in start.data]
    data[position[0]][position[1]] = Dual(data[position[0]][position[1]], sp.Integer(1), tag)
    return Mat(data)


def _admissible(env: Env, slot: Slot, by_name: dict[str, Declaration], given: Given) -> str | None:
    """Why the solved value lacks a declared property of what was solved for, or None."""
    decl = by_name.get(slot[1])
    if decl is None:
        return None
    value = value_at(env, slot) if slot[0] != "part" else env.values[slot[1]]
    problem = property_problem(decl, value)
    return f"the given {given.text} makes {decl.key} {problem}" if problem else None


def property_problem(decl: Declaration, value: Any) -> str | None:
    """The first declared property that `value` does not have, as words; or None."""
    entries = _flat(value)
    props = set(decl.properties)
    checks = {
        "positive": lambda: all(ordered(x, 0, ">") for x in entries),
        "negative": lambda: all(ordered(x, 0, "<") for x in entries),
        "nonnegative": lambda: all(ordered(x, 0, "\\ge") for x in entries),
        "integer": lambda: all(getattr(sp.sympify(x), "is_Integer", False) for x in entries),
        "probability": lambda: all(ordered(x, 0, ">") and ordered(x, 1, "<") for x in entries),
        "nonzero": lambda: any(not same(x, 0) for x in entries)
        if is_matrix(value) else not same(value, 0),
    }  # fmt: skip
    if is_matrix(value) and decl.kind == Kind.MATRIX:
        checks.update(_matrix_checks(value))
    for prop in sorted(props):
        check = checks.get(prop)
        if check is not None and not check():
            return f"not {prop}"
    return None


def _matrix_checks(m: Mat) -> dict[str, Any]:
    n = m.rows

    def upper_zero() -> bool:
        return all(same(m[r, c], 0) for r in range(n) for c in range(n) if c > r)

    def lower_zero() -> bool:
        return all(same(m[r, c], 0) for r in range(n) for c in range(n) if c < r)

    def positive_definite() -> bool:
        square = sp.Matrix(m.rows, m.cols, lambda r, c: m[r, c])
        return same(m, m.T) and all(ordered(square[:k, :k].det(), 0, ">") for k in range(1, n + 1))

    return {
        "symmetric": lambda: same(m, m.T),
        "positive-definite": positive_definite,
        "invertible": lambda: not same(m.det(), 0),
        "orthogonal": lambda: same(m.T * m, Mat.identity(m.cols)),  # orthonormal columns
        "diagonal": lambda: upper_zero() and lower_zero(),
        "lower-triangular": upper_zero,
        "upper-triangular": lower_zero,
    }
