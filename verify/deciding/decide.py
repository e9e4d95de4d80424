"""Decide one pair: proved, checked, sampled, failed (with a counterexample), error.

Every relation is first tested at random admissible instances, exactly; a
failure there is final whatever a symbolic route says (SymPy's calculus has
known wrong answers). Only a pair that survives the instances and is purely
scalar is then offered to SymPy for a proof (`verify.deciding.prove`).
"""

from __future__ import annotations

import random
import time
from typing import Any

import sympy as sp

from verify.deciding.cancel import cancels
from verify.deciding.compare import (
    TOLERANCE_TEXT,
    check_defined,
    ordered,
    same,
    show,
)
from verify.deciding.hypotheses import alternatives, satisfy
from verify.deciding.hypotheses import describe as describe_givens
from verify.deciding.instances import draw, rational, value_of
from verify.deciding.prove import provable, prove
from verify.deciding.regions import piecewise
from verify.deciding.solutions import RESIDUAL_TEXT, full_rank, holds_with_floats, negligible
from verify.deciding.tasks import PairTask
from verify.deciding.understand import Mode, Understood, refs, understand
from verify.deciding.wholes import part_declaration
from verify.errors import (
    Ambiguous,
    EmptyRange,
    EvaluationError,
    PairError,
    Undefined,
    Unsatisfied,
)
from verify.meaning import terms as T
from verify.meaning.conditions import holds
from verify.meaning.dual import Dual, Mat, exact_mode, fast_numbers, slope_of
from verify.meaning.integrate import integrates
from verify.meaning.terms import Env
from verify.meaning.textbook_terms import PartRef
from verify.model import Declaration, Kind, Relation, Result, Status

EQUALITY_PLANS = 6
SAMPLE_PLANS = 20
ATTEMPTS = 12


def decide(task: PairTask) -> Result:
    """The verdict on one pair. Never raises: problems become `error` results."""
    start = time.perf_counter()
    result = Result(
        file=task.file, line=task.line, relation=task.relation, lhs=task.lhs.text.strip(),
        rhs=task.rhs.text.strip(), status=Status.ERROR, justification=task.justification,
    )  # fmt: skip
    if task.directive.skip:
        result.status, result.method, result.message = (
            Status.SKIPPED,
            "skip directive",
            (task.directive.skip),
        )
        return result
    try:
        if task.relation == Relation.UNSUPPORTED:
            raise PairError("this relation is not supported (use =, :=, \\propto, \\le, \\ge,"
                            " <, >, \\implies)", task.line)  # fmt: skip
        understood = understand(task)
        result.undeclared = sorted(understood.translator.undeclared)
        _run(understood, task, result)
    except PairError as err:
        # Contract §5: an error pair stands at its right side's row; a fault
        # elsewhere (the left side's row, a given, a definition) is named in words.
        result.status, result.message = Status.ERROR, err.message
        result.line, result.column = task.line, err.column if err.line == task.line else None
        if err.line != task.line:
            where = f"line {err.line}" + (f", column {err.column}" if err.column else "")
            result.message = f"{err.message} (at {where})"
    except RecursionError:
        result.status, result.message = Status.ERROR, "the expression is nested too deeply"
    except (EvaluationError, EmptyRange) as err:
        result.status, result.message = Status.ERROR, f"cannot evaluate: {err}"
    except MemoryError:
        result.status, result.message = Status.ERROR, "ran out of memory"
    except Exception as err:  # noqa: BLE001 - a checker bug must not become a traceback
        result.status = Status.ERROR
        result.message = f"internal checker error ({type(err).__name__}: {err}); please report it"
    _expectation(task, result)
    result.seconds = round(time.perf_counter() - start, 4)
    return result


def _expectation(task: PairTask, result: Result) -> None:
    """Apply `expect-fail`: a failure is expected; a pass is an error."""
    reason = task.directive.expect_fail
    if not reason or result.status == Status.SKIPPED:
        return
    if result.status == Status.FAILED:
        result.status = Status.EXPECTED_FAILURE
        result.message = f"expected failure ({reason}): {result.message}"
    elif result.status.is_verified:
        result.status = Status.ERROR
        result.message = (
            f"marked expect-fail ({reason}) but it verified ({result.method}):"
            " remove the directive or fix the step"
        )


def _names_used(terms: list[T.Term], declarations: list[Declaration]) -> set[str]:
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


def _instance_values(env: Env, refs: list[T.Ref]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for ref in refs:
        if ref.family:
            for key, v in sorted(env.families.get(ref.name, {}).items()):
                values[f"{ref.name}[{','.join(map(str, key))}]"] = show(v)
        elif ref.name in env.values:
            values[ref.name] = show(env.values[ref.name])
    return values


def evaluate(term: T.Term, env: Env) -> Any:
    """A side's value, which must be a real number (or matrix of them) here."""
    try:
        value = evaluate_raw(term, env)
        check_defined(value)
        return value
    except (TypeError, ValueError, AttributeError) as err:
        raise EvaluationError(f"{type(err).__name__}: {err}") from None


def _run(u: Understood, task: PairTask, result: Result) -> None:
    cancelled = cancels(task, u, evaluate)  # `N C^{-1}X = 0 ⟹ X = 0`, without solving
    if cancelled is not None:
        result.status, result.method = Status.CHECKED, cancelled[0]
        result.instances, result.tolerance = cancelled[1], TOLERANCE_TEXT
        return
    symbols = refs([u.lhs, u.rhs] + ([u.wrt] if u.wrt else []))
    used = _names_used([u.lhs, u.rhs] + ([u.wrt] if u.wrt else []), task.declarations)
    passed = 0
    plans = EQUALITY_PLANS
    if u.mode == Mode.INEQUALITY or piecewise([u.lhs, u.rhs]):
        plans = SAMPLE_PLANS  # held piece by piece: try it on more pieces
    unsatisfied: Undefined | None = None  # why a given could not be made to hold
    for plan in range(plans):
        for attempt in range(ATTEMPTS):
            try:
                drawn = draw_instance(task, u, plan, attempt, givens=False)
                if drawn is None:
                    continue
                rng, drawn_env = drawn
                verdict, env = checked_instance(u, task, drawn_env, rng, symbols, used,
                                                rotation=plan + attempt)  # fmt: skip
            except Unsatisfied as err:
                unsatisfied = err if u.givens else None
                continue
            except (Undefined, EmptyRange):
                continue
            if verdict is not None:
                result.status = Status.FAILED
                result.counterexample = verdict
                result.message = _failure_message(u, verdict)
                result.method = f"counterexample at instance {passed + 1}"
                result.tolerance = TOLERANCE_TEXT
                return
            passed += 1
            result.sizes.append({k: v for k, v in env.sizes.items() if k in used})
            break
    result.instances = passed
    result.tolerance = TOLERANCE_TEXT + (RESIDUAL_TEXT if u.mode == Mode.IMPLIES else "")
    if passed < 3 and unsatisfied is not None:
        what = "premise" if u.mode == Mode.ENTAILS else "given"
        raise PairError(
            f"the {what} could not be satisfied: only {passed} instance(s) satisfying it could"
            f" be drawn ({unsatisfied})",
            task.line,
        )
    if passed < 3:
        raise PairError(
            f"only {passed} admissible instance(s) could be drawn (a side was undefined at"
            " the others: a singular matrix, a log of a non-positive number, ...; or a"
            " `where` condition did not hold)",
            task.line,
        )
    size_text = _sizes_text(result.sizes)
    where = "; ".join(h.text for h in task.directive.conditions)
    where = f" where {where}" if where else ""
    if u.mode == Mode.INEQUALITY:
        result.status, result.method = (
            Status.SAMPLED,
            (f"held at {passed} random instances{size_text}{describe_givens(u.givens)}{where}"),
        )
        return
    what = {Mode.EQUAL: "evaluation", Mode.CONST: "difference independent of "
            f"{latex_of_ref(u.wrt)}", Mode.PROPTO: f"ratio independent of {latex_of_ref(u.wrt)}",
            Mode.IMPLIES: "the solution satisfies the premise",
            Mode.ENTAILS: "the conclusion held where the premise holds"
            + (", and the premise where the conclusion holds" if u.converse else ""),
            }[u.mode]  # fmt: skip
    stated = [g for g in u.givens if u.mode != Mode.ENTAILS or g is not u.givens[-1]]
    result.status, result.method = (
        Status.CHECKED,
        f"{what} at {passed} random instances{size_text}{describe_givens(stated)}{where}",
    )
    if integrates(u.lhs) or integrates(u.rhs):
        result.method = f"exact expectations, {result.method}"
    if u.mode == Mode.EQUAL and provable(u):
        if prove(u):
            result.status = Status.PROVED
            result.method = f"symbolic: lhs − rhs simplifies to 0; also {result.method}"


def latex_of_ref(ref: T.Ref | None) -> str:
    return getattr(ref, "written", None) or (ref.name if ref is not None else "?")


def _sizes_text(sizes: list[dict[str, int]]) -> str:
    if not sizes or not sizes[0]:
        return ""
    names = sorted(sizes[0])
    seen = sorted({tuple(s[n] for n in names) for s in sizes})
    shown = "; ".join(", ".join(f"{n}={v}" for n, v in zip(names, combo, strict=True))
                      for combo in seen)  # fmt: skip
    return f" (sizes {shown})"


def instance_seed(task: PairTask, u: Understood) -> str:
    """The seed of a pair's instances: its text, so a verdict never depends on the run."""
    return f"{task.relation}|{task.lhs.text}|{task.rhs.text}|{u.mode.value}"


def draw_instance(
    task: PairTask, u: Understood, plan: int, attempt: int, *, givens: bool = True
) -> tuple[random.Random, Env] | None:
    """Attempt `attempt` at an instance of plan `plan`, as every decision draws it;
    None where a side condition (`where j \\ne l`) does not hold. With `givens`,
    the instance is made to satisfy the givens (exactly)."""
    rng = random.Random(f"{instance_seed(task, u)}|{plan}|{attempt}")
    env = draw(rng, task.declarations, u.translator.undeclared, plan,
               positive_undeclared=attempt % 2 == 1, distinct_indices=plan != 2,
               minimum_sizes=u.minimum_sizes, needed=_needed(u))  # fmt: skip
    if any(env.indices.get(a) == env.indices.get(b) for a, b in task.directive.distinct):
        return None
    if not holds(u.conditions, env):  # `where t \le T - 1`
        return None
    if givens:
        env = satisfy(u.givens, env, task.declarations, u.fixed, u.targets, plan + attempt, rng)
    return rng, env


def _needed(u: Understood) -> frozenset[str]:
    """The symbols a pair reads (its sides, its givens and its derivation variable)."""
    terms = [u.lhs, u.rhs, *(t for g in u.givens + u.converse for t in (g.left, g.right))]
    return frozenset(r.name for r in refs(terms + ([u.wrt] if u.wrt else [])))


def checked_instance(
    u: Understood,
    task: PairTask,
    drawn: Env,
    rng: random.Random,
    refs: list[T.Ref],
    used: set[str],
    rotation: int = 0,
) -> tuple[dict[str, Any] | None, Env]:
    """Try the instance with fast floats; decide failures and near-ties exactly.

    The givens are made to hold in each pass (with floats in the fast one), so
    a failure is always decided at an instance that satisfies them exactly.
    Returns the verdict and the instance it was decided at."""

    def satisfied() -> Env:
        return satisfy(u.givens, drawn, task.declarations, u.fixed, u.targets, rotation)

    state = rng.getstate()
    if u.mode != Mode.IMPLIES:  # solving is checked exactly, with its derivative
        try:
            with fast_numbers():
                env = satisfied()
                verdict = one_instance(u, task, env, rng, refs, used)
            if verdict is None:
                return None, env
        except Ambiguous:
            pass
        rng.setstate(state)
    env = satisfied()
    return one_instance(u, task, env, rng, refs, used), env


def one_instance(
    u: Understood,
    task: PairTask,
    env: Env,
    rng: random.Random,
    refs: list[T.Ref],
    used: set[str] | None = None,
) -> dict[str, Any] | None:
    """None if the instance agrees; else the counterexample. Raises `Undefined`."""
    if used is None:
        used = _names_used([u.lhs, u.rhs] + ([u.wrt] if u.wrt else []), task.declarations)
    base = {"sizes": {k: v for k, v in env.sizes.items() if k in used},
            "indices": {k: v for k, v in env.indices.items() if k in used}}  # fmt: skip
    if u.mode in (Mode.EQUAL, Mode.ENTAILS):
        places = [env]
        if u.mode == Mode.ENTAILS and len(u.givens) == 1:  # the premise, solved for each symbol
            places += alternatives(u.givens[0], env, task.declarations, u.fixed)
        for place in places:
            left, right = evaluate(u.lhs, place), evaluate(u.rhs, place)
            if not same(left, right):
                return {**base, "values": _instance_values(place, refs), "lhs": show(left),
                        "rhs": show(right)}  # fmt: skip
        if u.converse and u.premise is not None:  # `\iff`: the premise where the conclusion holds
            stated = u.givens[:-1]
            other = satisfy(stated + u.converse, env, task.declarations, u.fixed)
            left, right = evaluate(u.premise[0], other), evaluate(u.premise[1], other)
            if not same(left, right):
                return {**base, "values": _instance_values(other, refs), "direction":
                        "the converse: the premise fails where the conclusion holds",
                        "lhs": show(left), "rhs": show(right)}  # fmt: skip
        return None
    if u.mode == Mode.INEQUALITY:
        left, right = evaluate(u.lhs, env), evaluate(u.rhs, env)
        if ordered(left, right, task.relation):
            return None
        return {**base, "values": _instance_values(env, refs), "lhs": show(left),
                "rhs": show(right)}  # fmt: skip
    assert u.wrt is not None
    slot = u.wrt.slot(env)
    other = _redraw(u.wrt, task, env, rng)
    env2 = satisfy(u.givens, env.with_slot(slot, other), task.declarations, u.fixed)
    if u.mode in (Mode.CONST, Mode.PROPTO):
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
        return {**base, "values": _instance_values(env, refs), "lhs": show(l1), "rhs": show(r1),
                "second value of " + u.wrt.name: show(other), "lhs there": show(l2),
                "rhs there": show(r2)}  # fmt: skip
    # implies: substitute the solution into the premise

    def with_floats() -> bool:  # a transcendental solution is costly exactly
        solution = evaluate(u.rhs, env)
        if not same(evaluate(u.rhs, env2), solution):
            return False
        at = satisfy(u.givens, env.with_slot(slot, solution), task.declarations, u.fixed)
        small = negligible(evaluate(u.lhs, at), evaluate(u.lhs, env2))
        return small and _determined(u, env, slot, solution)

    if exact_mode() and holds_with_floats(with_floats):
        return None
    solution = evaluate(u.rhs, env)
    if not same(evaluate(u.rhs, env2), solution):
        raise PairError(f"the solution for {u.wrt.name} depends on {u.wrt.name} itself", task.line)
    residual = evaluate(
        u.lhs, satisfy(u.givens, env.with_slot(slot, solution), task.declarations, u.fixed)
    )
    if same(residual, 0):
        if _determined(u, env, slot, solution):
            return None
        return {**base, "values": _instance_values(env, refs), "solution": show(solution),
                "problem": f"the premise does not determine {u.wrt.name}: its derivative in"
                f" {u.wrt.name} is singular at the solution, so other values satisfy it too"}  # fmt: skip
    return {**base, "values": _instance_values(env, refs), "solution": show(solution),
            "premise lhs − rhs at the solution": show(residual)}  # fmt: skip


def _determined(u: Understood, env: Env, slot: tuple[Any, ...], solution: Any) -> bool:
    """Whether the premise pins the variable down near the solution: the derivative
    of (lhs − rhs) in the variable is injective there (so `0 = 0 ⟹ x = b` fails)."""
    tag = env.depth
    positions = (
        [(r, c) for r in range(solution.rows) for c in range(solution.cols)]
        if isinstance(solution, Mat) else [None]
    )  # fmt: skip
    columns = []
    for position in positions:
        if position is None:
            moved: Any = Dual(solution, sp.Integer(1), tag)
        else:
            data = [list(row) for row in solution.data]
            data[position[0]][position[1]] = Dual(
                data[position[0]][position[1]], sp.Integer(1), tag
            )
            moved = Mat(data)
        slope = slope_of(evaluate_raw(u.lhs, env.deeper().with_slot(slot, moved)), tag)
        columns.append(list(slope) if isinstance(slope, Mat) else [slope])
    return full_rank(sp.Matrix(columns).T)


def evaluate_raw(term: T.Term, env: Env) -> Any:
    """A side's value as computed, derivative parts included."""
    try:
        return term.value(env)
    except (ZeroDivisionError, sp.matrices.exceptions.NonInvertibleMatrixError) as err:
        raise Undefined(str(err)) from None


def _redraw(ref: T.Ref, task: PairTask, env: Env, rng: random.Random) -> Any:
    decl = next((d for d in task.declarations if d.base == ref.name), None)
    if isinstance(ref, PartRef) and decl is not None:
        decl = part_declaration(decl, ref.part)
    for _ in range(20):
        value = value_of(rng, decl, env) if decl is not None else rational(rng)
        if not same(value, ref.value(env)):
            return value
    raise Undefined("could not draw another value")


def _failure_message(u: Understood, cx: dict[str, Any]) -> str:
    sizes = ", ".join(f"{k}={v}" for k, v in cx.get("sizes", {}).items())
    idx = ", ".join(f"{k}={v}" for k, v in cx.get("indices", {}).items())
    where = "; ".join(x for x in (sizes, idx) if x)
    where = f" at {where}" if where else ""
    if u.mode == Mode.IMPLIES:
        if "problem" in cx:
            return f"{cx['problem']}{where}"
        return f"the solution does not satisfy the premise{where}"
    if u.mode == Mode.CONST:
        return f"the difference of the sides changes with {latex_of_ref(u.wrt)}{where}"
    if u.mode == Mode.PROPTO:
        return f"the ratio of the sides changes with {latex_of_ref(u.wrt)}{where}"
    if u.mode == Mode.INEQUALITY:
        return f"the inequality does not hold{where}: lhs = {_short(cx['lhs'])}, rhs = {_short(cx['rhs'])}"
    if u.mode == Mode.ENTAILS:
        failed = cx.get("direction", "the conclusion does not hold where the premise does")
        where = f"{where}: lhs = {_short(cx['lhs'])}, rhs = {_short(cx['rhs'])}"
        return f"{failed}{where}"
    left, right = cx["lhs"], cx["rhs"]
    if isinstance(left, list) and isinstance(right, list):
        entry = _first_difference(left, right)
        if entry is not None:
            place, a, b = entry
            return f"the sides differ{where}, first in entry {place}: lhs has {a}, rhs has {b}"
    return f"the sides differ{where}: lhs = {_short(left)}, rhs = {_short(right)}"


def _first_difference(left: list[Any], right: list[Any]) -> tuple[str, Any, Any] | None:
    """The first entry (1-based) where two shown matrices or vectors differ."""
    for i, (a, b) in enumerate(zip(left, right, strict=False), start=1):
        if isinstance(a, list) and isinstance(b, list):
            for j, (x, y) in enumerate(zip(a, b, strict=False), start=1):
                if x != y:
                    return f"({i}, {j})", x, y
        elif a != b:
            return f"({i})", a, b
    return None


def _short(v: Any) -> str:
    text = str(v)
    return text if len(text) <= 120 else text[:117] + "..."


def first_instance(task: PairTask, u: Understood, rng: random.Random) -> Env | None:
    """The first admissible instance, for `explain`."""
    for plan in range(EQUALITY_PLANS):
        try:
            env = draw(rng, task.declarations, u.translator.undeclared, plan, False, True,
                       minimum_sizes=u.minimum_sizes)  # fmt: skip
            return satisfy(u.givens, env, task.declarations, u.fixed, rng=rng)
        except (EmptyRange, Undefined):
            continue
    return None
