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

from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from verify.deciding.compare import ordered, same
from verify.errors import EvaluationError, PairError, Undefined
from verify.meaning import terms as T
from verify.meaning.dual import Dual, Mat, is_matrix, slope_of
from verify.meaning.terms import Env
from verify.meaning.textbook_terms import PartRef
from verify.model import Declaration, Hypothesis, Kind

Slot = tuple[Any, ...]


@dataclass
class Given:
    """A given equation, translated: its two sides as terms."""

    hypothesis: Hypothesis
    left: T.Term
    right: T.Term

    @property
    def text(self) -> str:
        return self.hypothesis.text

    def residual(self, env: Env) -> Any:
        try:
            return self.left.value(env) - self.right.value(env)
        except (ZeroDivisionError, TypeError, ValueError) as err:
            raise Undefined(str(err)) from None


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
) -> Env:  # fmt: skip
    """`env` changed so that every given holds; raises `Undefined` where this
    instance cannot be made to satisfy them, `PairError` where no instance can.

    Symbols named in `fixed` (the derivation variable) are never solved for.
    `rotation` starts the search for a symbol to solve for at another candidate,
    so that successive instances sample the given's solutions along different
    symbols (`xy = 0` both where x = 0 and where y = 0)."""
    if not givens:
        return env
    targets = targets if targets is not None else Targets()
    targets.chosen.clear()
    by_name = {d.base: d for d in declarations}
    for _ in range(len(givens) + 1):
        holding = True
        for k, given in enumerate(givens):
            if _holds(given, env):
                continue
            holding = False
            taken = {v for n, v in targets.chosen.items() if n != k}
            env = _solve_one(k, given, env, by_name, (taken, set(fixed)), targets, rotation)
        if holding:
            return env
    raise Undefined("the givens could not be made to hold together")


def alternatives(
    given: Given, env: Env, declarations: list[Declaration], fixed: frozenset[str]
) -> list[Env]:
    """`env` with the given solved for each symbol it can be solved for, in turn:
    the places where an implication's premise holds, one per symbol."""
    by_name = {d.base: d for d in declarations}
    found = []
    for _, slot, _ in _candidates(given, env, by_name):
        if slot[1] in fixed:
            continue
        solved = _solve(given, slot, env)
        if solved is not None and _admissible(solved, slot, by_name, given) is None:
            found.append(solved)
    return found


def _holds(given: Given, env: Env) -> bool:
    try:
        return bool(same(given.residual(env), 0))
    except EvaluationError as err:
        raise Undefined(f"the given {given.text} cannot be evaluated here: {err}") from None


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
            raise Undefined(f"the given {given.text} cannot be solved here")
        problem = _admissible(solved, slot, by_name, given)
        if problem:
            raise Undefined(problem)
        return solved
    taken_keys, fixed_names = taken
    if not candidates:
        raise PairError(
            f"the given {given.text} cannot be satisfied: it mentions no symbol that could be"
            " solved for (a declared symbol, an entry of one, or an undeclared scalar)",
            given.hypothesis.line,
        )
    start = rotation % len(candidates)
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
    raise Undefined(reason)


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
        if decl is not None and decl.kind in (Kind.SIZE, Kind.INDEX, Kind.IDENTITY, Kind.FUNCTION):
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
        if ref.part == "rows":
            return [("part", ref.name, (r + 1,), "rows") for r in range(whole.rows)]
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
    whole = env.values[slot[1]]
    idx = slot[2]
    if slot[3] == "rows":
        return Mat([[x] for x in whole.data[idx[0] - 1]])
    return whole[idx[0] - 1, (idx[1] if len(idx) > 1 else 1) - 1] if is_matrix(whole) else whole


def _flat(value: Any) -> list[Any]:
    return list(value) if is_matrix(value) else [value]


def _solve(given: Given, slot: Slot, env: Env) -> Env | None:
    """One exact Newton step for the slot; None if the Jacobian is not square and
    invertible, or if the given does not hold after it (not affine in the slot)."""
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
        start = value_at(env, slot)
        residual = _flat(given.residual(env))
        positions = (
            [(r, c) for r in range(start.rows) for c in range(start.cols)]
            if is_matrix(start) else [None]
        )  # fmt: skip
        if len(positions) != len(residual):
            return None
        tag = env.depth
        columns = []
        for position in positions:
            moved = _perturbed(start, position, tag)
            slope = slope_of(given.residual(env.deeper().with_slot(slot, moved)), tag)
            columns.append(_flat(slope))
        jacobian = sp.Matrix(columns).T
        if jacobian.det() == 0:
            return None
        step = jacobian.LUsolve(sp.Matrix([-x for x in residual]))
        if is_matrix(start):
            value: Any = Mat.build(start.rows, start.cols,
                                   lambda r, c: start[r, c] + step[r * start.cols + c])  # fmt: skip
        else:
            value = start + step[0]
        solved = env.with_slot(slot, value)
        return solved if _holds(given, solved) else None
    except (Undefined, EvaluationError, ZeroDivisionError, TypeError, ValueError):
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
        "orthogonal": lambda: same(m.T * m, Mat.identity(n)),
        "diagonal": lambda: upper_zero() and lower_zero(),
        "lower-triangular": upper_zero,
        "upper-triangular": lower_zero,
    }
