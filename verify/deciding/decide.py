"""Decide one pair: proved, checked, sampled, failed (with a counterexample), error.

Every relation is first tested at the rows of an instance plan
(`verify.deciding.instances`), exactly; a failure there is final whatever a
symbolic route says (SymPy's calculus has known wrong answers). A row whose
sides are undefined somewhere is drawn again for the symbols under the
undefined part only, so the rest of the row keeps its signs and special
values. Givens (and the premise of an implication between equations) are
made to hold at each instance (`verify.deciding.hypotheses`) before the sides
are compared. Only a pair that survives the instances and is purely scalar is
then offered to SymPy for a proof (`verify.deciding.prove`).
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Iterator
from typing import Any

from verify.deciding.cancel import cancels
from verify.deciding.compare import TOLERANCE_TEXT, precise, same
from verify.deciding.hypotheses import describe as describe_givens
from verify.deciding.hypotheses import satisfy
from verify.deciding.instances import Instance, draw_row, redraw_value
from verify.deciding.method import describe, vacuous_derivatives
from verify.deciding.plans import Plan, Row, names_used, plan_for, salt
from verify.deciding.prove import provable, prove
from verify.deciding.regions import piecewise
from verify.deciding.solutions import RESIDUAL_TEXT
from verify.deciding.tasks import PairTask
from verify.deciding.trial import (
    checked_instance,
    evaluate,
    evaluate_raw,
    names_used_by,
    one_instance,
    undefined_symbols,
)
from verify.deciding.understand import Mode, Understood, refs, understand
from verify.deciding.wholes import part_declaration
from verify.errors import EmptyRange, EvaluationError, PairError, Undefined, Unsatisfied, too_deep
from verify.meaning import terms as T
from verify.meaning.conditions import holds
from verify.meaning.integrate import integrates
from verify.meaning.textbook_terms import PartRef
from verify.model import Relation, Result, Status

__all__ = ["decide", "evaluate", "evaluate_raw", "one_instance", "instances_of", "replay",
           "find_instance", "first_instance", "latex_of_ref"]  # fmt: skip

ATTEMPTS = 8  # draws of one row before it is given up
MIN_INSTANCES = 3


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
        line = err.line or task.line
        result.line, result.column = task.line, err.column if line == task.line else None
        if line != task.line:
            where = f"line {line}" + (f", column {err.column}" if err.column else "")
            result.message = f"{err.message} (at {where})"
    except RecursionError:
        result.status = Status.ERROR
        result.message = too_deep(f"{task.lhs.text} {task.rhs.text}")
    except (EvaluationError, EmptyRange) as err:
        result.status, result.message = Status.ERROR, f"cannot evaluate: {err}"
    except MemoryError:
        result.status, result.message = Status.ERROR, "ran out of memory"
    except Exception as err:  # noqa: BLE001 - a checker bug must not become a traceback
        result.status = Status.ERROR
        result.message = f"internal checker error ({type(err).__name__}: {err}); please report it"
    _expectation(task, result)
    if salt():  # re-seeded instances: a measurement, never a verdict to keep
        result.cacheable = False
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


def instance_seed(task: PairTask, u: Understood) -> str:
    """The seed of a pair's instances: its text, so a verdict never depends on the run."""
    return f"{task.relation}|{task.lhs.text}|{task.rhs.text}|{u.mode.value}"


def _terms(u: Understood) -> list[T.Term]:
    return [u.lhs, u.rhs] + ([u.wrt] if u.wrt else [])


def _given_terms(u: Understood) -> list[T.Term]:
    """The sides of the givens (the premise, for ⟹ between equations; the conclusion
    too, for ⟺): an instance must draw their symbols as well, to solve them."""
    terms = [t for g in u.givens + u.converse for t in (g.left, g.right)]
    return terms + (list(u.premise) if u.premise is not None else [])


def plan_of(task: PairTask, u: Understood) -> Plan:
    """The pair's rows. A step with a function defined piece by piece (`|x|`, `\\max`)
    may hold on some pieces only: it gets as many rows as an inequality."""
    return plan_for(instance_seed(task, u), task.declarations, u.translator.undeclared,
                    _terms(u) + _given_terms(u), inequality=u.mode == Mode.INEQUALITY,
                    solving=u.mode == Mode.IMPLIES, minimum_sizes=u.minimum_sizes,
                    many=piecewise([u.lhs, u.rhs]))  # fmt: skip


def _refuse_vacuous(u: Understood, task: PairTask) -> None:
    """A `const` or `\\propto` step whose sides do not involve the variable says nothing."""
    if u.mode in (Mode.CONST, Mode.PROPTO) and u.wrt is not None:
        if u.wrt.name not in names_used([u.lhs, u.rhs]):
            what = "= const +" if u.mode == Mode.CONST else "\\propto"
            raise PairError(
                f"this step does not involve {latex_of_ref(u.wrt)}, so '{what}' says nothing"
                " about it: give the block its own variable (<!-- verify: wrt <symbol> -->)",
                task.line,
            )


def _run(u: Understood, task: PairTask, result: Result) -> None:
    _refuse_vacuous(u, task)
    cancelled = cancels(task, u, evaluate)  # `N C^{-1}X = 0 ⟹ X = 0`, without solving
    if cancelled is not None:
        result.status, result.method = Status.CHECKED, cancelled[0]
        result.instances, result.tolerance = cancelled[1], TOLERANCE_TEXT
        return
    plan = plan_of(task, u)
    terms = _terms(u)
    symbols = refs(terms)
    used = names_used_by(terms, task.declarations)
    notes: set[str] = set()
    constant = not plan.symbols and not plan.functions and not plan.sizes_used
    passed: list[Instance] = []
    unsatisfied: list[Unsatisfied] = []  # why a given could not be made to hold
    for row in plan.rows[:1] if constant else plan.rows:
        with precise(constant):
            instance, verdict = _try_row(plan, row, u, task, symbols, used, notes, constant,
                                         unsatisfied)  # fmt: skip
        if verdict is not None:
            result.status = Status.FAILED
            result.counterexample = verdict
            result.message = _failure_message(u, verdict)
            result.method = f"counterexample at instance {len(passed) + 1}"
            result.tolerance = TOLERANCE_TEXT
            return
        if instance is not None:
            passed.append(instance)
            result.sizes.append({k: v for k, v in instance.env.sizes.items() if k in used})
    result.instances = len(passed)
    result.tolerance = TOLERANCE_TEXT + (RESIDUAL_TEXT if u.mode == Mode.IMPLIES else "")
    if len(passed) < (1 if constant else MIN_INSTANCES) and unsatisfied and u.givens:
        what = "premise" if u.mode == Mode.ENTAILS else "given"
        raise PairError(
            f"the {what} could not be satisfied: only {len(passed)} instance(s) satisfying it"
            f" could be drawn ({unsatisfied[-1]})",
            task.line,
        )
    if len(passed) < (1 if constant else MIN_INSTANCES):
        raise PairError(
            f"only {len(passed)} admissible instance(s) could be drawn (a side was undefined at"
            " the others: a singular matrix, a log of a non-positive number, ...; or a"
            " `where` condition did not hold)",
            task.line,
        )
    solved = {n for i in passed for n in i.solved}  # values the givens set, not drawn
    stated = [g for g in u.givens if u.mode != Mode.ENTAILS or g is not u.givens[-1]]
    result.method = describe(u, plan, passed, used, notes, constant, solved)
    result.method += describe_givens(stated)
    where = "; ".join(h.text for h in task.directive.conditions)
    result.method += f" where {where}" if where else ""
    if integrates(u.lhs) or integrates(u.rhs):
        result.method = f"exact expectations, {result.method}"
    result.status = Status.SAMPLED if u.mode == Mode.INEQUALITY else Status.CHECKED
    vacuous = vacuous_derivatives(u)
    if vacuous:
        result.message = vacuous
    if u.mode == Mode.EQUAL and provable(u) and prove(u):
        result.status = Status.PROVED
        result.method = f"symbolic: lhs − rhs simplifies to 0; also {result.method}"


def _try_row(
    plan: Plan, row: Row, u: Understood, task: PairTask, symbols: list[T.Ref], used: set[str],
    notes: set[str], constant: bool = False, unsatisfied: list[Unsatisfied] | None = None,
) -> tuple[Instance | None, dict[str, Any] | None]:  # fmt: skip
    """The row's instance (made to satisfy the givens) and its counterexample (None if
    it agrees); (None, None) if no admissible instance of the row could be drawn."""
    attempts: dict[str, int] = {}
    given_names = names_used(_given_terms(u)) & {s.name for s in plan.symbols}
    for attempt in range(ATTEMPTS):
        try:
            instance = draw_row(plan, row, attempts)
        except EmptyRange:
            return None, None
        env = instance.env
        if any(env.indices.get(a) == env.indices.get(b) for a, b in task.directive.distinct):
            attempts["#indices"] = attempts.get("#indices", 0) + 1
            continue
        if not holds(u.conditions, env):  # `where t \le T - 1`: not this instance
            attempts["#indices"] = attempts.get("#indices", 0) + 1
            continue

        other = functools.partial(_second_value, plan, row, u, task, env, attempt)
        rotation = row.number + attempt
        seed = f"{plan.seed}|{row.number}|{attempt}"
        try:
            if constant:
                env = satisfy(u.givens, env, task.declarations, u.fixed, u.targets, rotation,
                              random.Random(f"{seed}|regions"))  # fmt: skip
                verdict = one_instance(u, task, env, other, symbols, used, notes)
            else:
                verdict, env = checked_instance(u, task, env, other, symbols, used, notes,
                                                rotation, seed)  # fmt: skip
        except Unsatisfied as err:
            if unsatisfied is not None:
                unsatisfied.append(err)
            for name in given_names or {s.name for s in plan.symbols}:
                attempts[name] = attempts.get(name, 0) + 1
            if not given_names and not plan.symbols:
                return None, None
            continue
        except Undefined:
            culprits = undefined_symbols(_terms(u), env) or {s.name for s in plan.symbols}
            if not culprits:
                return None, None
            for name in culprits:
                attempts[name] = attempts.get(name, 0) + 1
            continue
        solved = {
            name
            for name, value in env.values.items()
            if name not in instance.env.values or value is not instance.env.values[name]
        }
        solved |= {name for name, members in env.families.items()
                   if members is not instance.env.families.get(name)}  # fmt: skip
        return Instance(env, instance.row, instance.classes, frozenset(solved)), verdict
    return None, None


def _second_value(plan: Plan, row: Row, u: Understood, task: PairTask, env: Any,
                  attempt: int) -> Any:  # fmt: skip
    """Another value of the derivation variable at this instance (const, ∝, ⟹); for
    a part of a declared whole (an entry, a row), a value of that part."""
    assert u.wrt is not None
    declaration = None
    if isinstance(u.wrt, PartRef):
        whole = next((d for d in task.declarations if d.base == u.wrt.name), None)
        declaration = part_declaration(whole, u.wrt.part) if whole is not None else None
    current = u.wrt.value(env)
    for k in range(20):
        value = redraw_value(plan, row, u.wrt.name, env, attempt * 20 + k, declaration)
        if not same(value, current):
            return value
    raise Undefined("could not draw another value")


def replay(task: PairTask, u: Understood) -> Iterator[tuple[Instance, dict[str, Any] | None]]:
    """Every admissible instance `decide` draws for the pair, in order, with its
    counterexample (None where the pair held), going on past a failure."""
    plan = plan_of(task, u)
    terms = _terms(u)
    symbols, used = refs(terms), names_used_by(terms, task.declarations)
    for row in plan.rows:
        instance, verdict = _try_row(plan, row, u, task, symbols, used, set())
        if instance is not None:
            yield instance, verdict


def instances_of(task: PairTask, u: Understood) -> list[tuple[Instance, dict[str, Any] | None]]:
    """Every admissible instance `decide` uses for the pair, in order, with its
    counterexample (None where the pair held); it stops at the first one."""
    out: list[tuple[Instance, dict[str, Any] | None]] = []
    for instance, verdict in replay(task, u):
        out.append((instance, verdict))
        if verdict is not None:
            break
    return out


def find_instance(task: PairTask, u: Understood, counterexample: dict[str, Any]) -> Any:
    """The instance (an `Env`) at which `decide` found `counterexample`, or None."""
    for instance, verdict in instances_of(task, u):
        if verdict is not None:
            same_sides = verdict.get("lhs") == counterexample.get("lhs")
            if same_sides and verdict.get("rhs") == counterexample.get("rhs"):
                return instance.env
            return None
    return None


def first_instance(task: PairTask, u: Understood, rng: Any = None) -> Any:
    """The first instance of the pair's plan (an `Env`) that satisfies the givens,
    for `explain`."""
    plan = plan_of(task, u)
    for row in plan.rows:
        try:
            return satisfy(u.givens, draw_row(plan, row).env, task.declarations, u.fixed,
                           rng=random.Random(f"{plan.seed}|{row.number}|regions"))  # fmt: skip
        except (EmptyRange, Undefined):
            continue
    return None


def latex_of_ref(ref: T.Ref | None) -> str:
    return getattr(ref, "written", None) or (ref.name if ref is not None else "?")


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
        return f"{failed}{where}: lhs = {_short(cx['lhs'])}, rhs = {_short(cx['rhs'])}"
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
