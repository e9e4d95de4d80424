"""Mutation testing: small wrong edits to passing pairs must come back failed.

`python -m verify.mutation.mutate [PATHS] [--sample N] [--seed S] [--json FILE]` checks
the pages, takes every pair that passes, and makes wrong edits to one side
(`verify.mutation.mutants`). Each mutant goes through the checker's own `decide`, in
worker processes with a time limit. A mutant that fails (or errors) is
killed. A mutant that passes is put to a stronger test: the checker's own plans
at fresh seeds (they honour the page's givens and `where` conditions), then, for
a step without either, many bare draws compared with no tolerance, and SymPy
for scalar pairs. If that finds a difference, the checker passed a false pair:
a bug, and the command exits 1. If not, the mutant is listed as equivalent, with
the reason.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from verify.deciding.decide import decide
from verify.deciding.tasks import PairTask, task_for
from verify.deciding.understand import Mode, Understood, definition_infos
from verify.errors import LatexError, OutOfTime
from verify.latex.parser import parse_latex
from verify.latex.printer import round_trip, round_trips
from verify.limits import limit_memory, time_limit
from verify.model import Page, Pair, Relation, Span, Status
from verify.mutation.mutants import KINDS, context_for, edits
from verify.running.check import CheckOptions, check_paths

STRONG_INSTANCES = 60
FRESH_SEEDS = 4
BARE_SECONDS = 30.0


@dataclass
class Mutant:
    """One wrong edit of one side of one passing pair."""

    file: str
    line: int
    relation: str
    side: str
    kind: str
    description: str
    original: str
    text: str
    task: PairTask = field(repr=False)
    under: str | None = None
    verdict: str = ""  # killed-failed, killed-error, killed-timeout, equivalent, survived
    status: str = ""
    message: str = ""
    reason: str = ""

    def summary(self) -> dict[str, Any]:
        return {
            "file": self.file, "line": self.line, "relation": self.relation, "side": self.side,
            "kind": self.kind, "edit": self.description, "original": self.original,
            "mutant": self.text, "under": self.under, "verdict": self.verdict, "status": self.status,
            "message": self.message, "reason": self.reason,
        }  # fmt: skip


# ------------------------------------------------------------------ collecting


def mutation_task(page: Page, pair: Pair) -> PairTask:
    """What `decide` needs for one pair of a page (directives other than wrt dropped)."""
    return task_for(page, pair, directives=False)


def passing_pairs(paths: Sequence[str | Path], options: CheckOptions) -> list[PairTask]:
    """The pairs the checker passes (not skipped, not expect-fail)."""
    tasks = []
    from verify.reading.markdown import extract_page

    for report in check_paths(paths, options):
        # a page that came whole from the cache has no pairs: read it again
        page = extract_page(report.page.file, Path(report.page.file).read_text(encoding="utf-8"))
        for pair in page.pairs:
            result = report.verdicts.get(pair.id)
            if result and result.status.is_verified and not pair.directive.expect_fail:
                tasks.append(mutation_task(page, pair))
    return tasks


def mutants_of(task: PairTask) -> list[Mutant]:
    """Every wrong edit of either side of a pair, without duplicates."""
    implication = task.relation.is_implication
    definitions = definition_infos(task.definitions)
    out: list[Mutant] = []
    for side in ("lhs", "rhs"):
        span: Span = getattr(task, side)
        try:
            tree = parse_latex(span.text, equation=implication)
        except (LatexError, RecursionError):
            continue
        if not round_trips(tree, implication):
            continue
        ctx = context_for(tree, task.declarations, definitions)
        seen = {round_trip(tree)}
        for edit in edits(tree, ctx):
            text = round_trip(edit.tree)
            if text in seen:
                continue
            seen.add(text)
            new_span = Span(text, span.line_starts[:1])
            mutated = replace(task, lhs=new_span) if side == "lhs" else replace(task, rhs=new_span)
            out.append(Mutant(task.file, task.line, task.relation, side, edit.kind,
                              edit.description, span.text.strip(), text, mutated,
                              edit.under))  # fmt: skip
    return out


def sample(mutants: list[Mutant], size: int | None, seed: int) -> list[Mutant]:
    """`size` mutants, spread over the kinds of edit, chosen by `seed`."""
    if size is None or size >= len(mutants):
        return mutants
    rng = random.Random(seed)
    by_kind: dict[str, list[Mutant]] = {}
    for m in mutants:
        by_kind.setdefault(m.kind, []).append(m)
    for group in by_kind.values():
        rng.shuffle(group)
    chosen: list[Mutant] = []
    while len(chosen) < size:
        for kind in KINDS:
            if by_kind.get(kind) and len(chosen) < size:
                chosen.append(by_kind[kind].pop())
    order = {id(m): n for n, m in enumerate(mutants)}
    return sorted(chosen, key=lambda m: order[id(m)])


# --------------------------------------------------------------------- workers


def _decide(task: PairTask) -> tuple[str, str]:
    result = decide(task)
    return result.status.value, result.message


def _run_all(function: Any, tasks: list[Any], workers: int, timeout: float,
             label: str = "") -> list[Any]:  # fmt: skip
    """`function(task)` for each task in worker processes; None for a time-out."""
    from pebble import ProcessPool

    if not tasks:
        return []
    out: list[Any] = []
    step = max(1, len(tasks) // 10)
    with ProcessPool(max_workers=workers, initializer=limit_memory) as pool:
        futures = [pool.schedule(function, args=(t,), timeout=timeout) for t in tasks]
        for n, future in enumerate(futures, start=1):
            if label and (n % step == 0 or n == len(tasks)):
                print(f"  {label}: {n}/{len(tasks)}", file=sys.stderr, flush=True)
            try:
                out.append(future.result())
            except FutureTimeout:
                out.append(None)
            except Exception as err:  # noqa: BLE001 - a worker that died
                out.append(("error", f"worker stopped: {type(err).__name__}: {err}"))
    return out


# ----------------------------------------------------------- the stronger check


def strictly_equal(a: Any, b: Any) -> bool:
    """Equal with no tolerance: the difference, evaluated adaptively, is zero."""
    import sympy as sp

    shape_a, shape_b = getattr(a, "shape", None), getattr(b, "shape", None)
    if shape_a is not None or shape_b is not None:  # matrices: entry by entry
        if shape_a is None:
            a, b, shape_a, shape_b = b, a, shape_b, shape_a
        if shape_b is None:
            return all(strictly_equal(x, b) for x in a) if b == 0 else False
        return shape_a == shape_b and all(strictly_equal(x, y) for x, y in zip(a, b, strict=True))
    difference = sp.sympify(a) - sp.sympify(b)  # SymPy values, never page text
    if difference == 0:
        return True
    if difference.is_Rational:
        return False
    value = difference.evalf(60, maxn=400)
    if value == 0:
        return True
    # A difference SymPy cannot tell from zero comes back with (almost) no
    # precision; a real one, however small, with all its digits.
    return isinstance(value, sp.Float) and value._prec < 30


def fresh_seeds(task: PairTask, mode: str) -> dict[str, Any]:
    """The checker's own decision at `FRESH_SEEDS` other seeds: its plans honour the
    page's givens, `where` conditions and definitions, which a bare draw does not."""
    from verify.deciding.plans import SALT_VARIABLE

    answer: dict[str, Any] = {"mode": mode, "cx": None}
    before, instances = os.environ.get(SALT_VARIABLE), 0
    try:
        for n in range(1, FRESH_SEEDS + 1):
            os.environ[SALT_VARIABLE] = f"{before or ''}|strong-{n}"
            result = decide(task)
            if result.status in (Status.FAILED, Status.EXPECTED_FAILURE):
                evidence = f"fails at fresh seed {n} ({result.method})"
                return {**answer, "holds": False, "evidence": evidence,
                        "cx": result.counterexample}  # fmt: skip
            if result.status not in (Status.PROVED, Status.CHECKED, Status.SAMPLED):
                evidence = f"at fresh seed {n}: {result.status.value}: {result.message}"
                return {**answer, "holds": None, "evidence": evidence}
            instances += result.instances
    finally:
        if before is None:
            os.environ.pop(SALT_VARIABLE, None)
        else:
            os.environ[SALT_VARIABLE] = before
    evidence = f"held at {instances} instances of the checker's plans at {FRESH_SEEDS} fresh seeds"
    return {**answer, "holds": True, "evidence": evidence}


def strong_check(task: PairTask) -> dict[str, Any]:
    """Is the pair still true? The checker's plans at fresh seeds; then, for a step
    with no givens or conditions, many bare draws with no tolerance, and SymPy.

    Returns `holds` (True, False, or None when it cannot tell), the evidence,
    a counterexample if one was found, and the checker's mode for the pair.
    """
    from verify.deciding.understand import understand

    u = understand(task)
    fresh = fresh_seeds(task, u.mode.value)
    if fresh["holds"] is not True or u.givens or u.conditions or u.premise is not None:
        return fresh
    try:
        with time_limit(BARE_SECONDS):
            return bare_draws(task, u)
    except OutOfTime:
        return {**fresh, "evidence": f"{fresh['evidence']}; bare draws ran out of time"}


def bare_draws(task: PairTask, u: Understood) -> dict[str, Any]:
    """Many instances drawn outside the plans, compared with no tolerance; SymPy."""
    from verify.deciding.compare import show
    from verify.deciding.decide import evaluate, one_instance
    from verify.deciding.instances import draw
    from verify.deciding.prove import provable, prove
    from verify.deciding.understand import refs
    from verify.errors import EmptyRange, EvaluationError, PairError, Undefined

    symbols = refs([u.lhs, u.rhs] + ([u.wrt] if u.wrt else []))
    passed, sizes = 0, set()
    answer: dict[str, Any] = {"mode": u.mode.value, "cx": None}
    for k in range(STRONG_INSTANCES * 4):
        if passed >= STRONG_INSTANCES:
            break
        rng = random.Random(f"mutate|{k}|{task.relation}|{task.lhs.text}|{task.rhs.text}")
        try:
            env = draw(rng, task.declarations, u.translator.undeclared, k,
                       positive_undeclared=k % 2 == 1, distinct_indices=k % 3 != 2)  # fmt: skip
            if u.mode == Mode.EQUAL:
                left, right = evaluate(u.lhs, env), evaluate(u.rhs, env)
                differs = not strictly_equal(left, right)
                cx = {"lhs": show(left), "rhs": show(right)} if differs else None
            else:
                cx = one_instance(u, task, env, rng, symbols)
        except (Undefined, EmptyRange, ZeroDivisionError):
            continue
        except (EvaluationError, PairError) as err:
            return {**answer, "holds": None, "evidence": f"cannot be evaluated ({err})"}
        if cx is not None:
            cx = {"sizes": dict(env.sizes), "indices": dict(env.indices), **cx}
            evidence = f"differs at a fresh instance (after {passed} that agreed)"
            return {**answer, "holds": False, "evidence": evidence, "cx": cx}
        passed += 1
        sizes.add(tuple(sorted(env.sizes.items())))
    if passed < 3:
        return {**answer, "holds": None, "evidence": f"only {passed} fresh instances"}
    size_text = "; ".join(", ".join(f"{k}={v}" for k, v in s) for s in sorted(sizes) if s)
    evidence = f"held at {passed} fresh instances" + (f" (sizes {size_text})" if size_text else "")
    if u.mode == Mode.EQUAL and provable(u):
        evidence += "; SymPy proves lhs − rhs = 0" if prove(u) else "; no SymPy proof"
    return {**answer, "holds": True, "evidence": evidence}


def _strong(task: PairTask) -> dict[str, Any]:
    try:
        return strong_check(task)
    except Exception as err:  # noqa: BLE001 - report, do not crash the run
        message = getattr(err, "message", str(err))
        return {"holds": None, "evidence": f"stronger check: {type(err).__name__}: {message}",
                "cx": None, "mode": ""}  # fmt: skip


REASONS = {
    "sign": "the term whose sign was flipped is zero",
    "drop": "the dropped term is zero",
    "coefficient": "the changed number does not change the value",
    "exponent": "the changed exponent does not change the value",
    "transpose": "the transposed value is symmetric (or 1×1)",
    "inverse": "the inverted value is its own inverse",
    "index": "the side does not depend on the changed index",
    "swap": "the two factors commute",
}
UNDER_REASONS = "inside det or tr (det Mᵀ = det M, tr Mᵀ = tr M, det AB = det BA, tr AB = tr BA)"
MODE_REASONS = {
    "equal": "the side's value is unchanged",
    "const": "the edit changes the side only by a term free of the derivation variable",
    "propto": "the edit changes the side only by a factor free of the derivation variable",
    "inequality": "the edited inequality still holds",
    "implies": "the solution still satisfies the premise",
}


def _unchanged_task(m: Mutant) -> PairTask:
    """The original side against the mutated side, as an equation."""
    original: Span = getattr(m.task, m.side)
    original = Span(m.original, original.line_starts[:1])
    return replace(m.task, relation=Relation.EQUAL, lhs=original,
                   rhs=Span(m.text, original.line_starts))  # fmt: skip


# ------------------------------------------------------------------------- run


@dataclass
class Outcome:
    pairs: int
    mutants: list[Mutant]
    seconds: float

    @property
    def counts(self) -> Counter[str]:
        return Counter(m.verdict for m in self.mutants)

    @property
    def killed(self) -> int:
        return sum(n for v, n in self.counts.items() if v.startswith("killed"))

    @property
    def survived(self) -> list[Mutant]:
        return [m for m in self.mutants if m.verdict == "survived"]

    @property
    def equivalent(self) -> list[Mutant]:
        return [m for m in self.mutants if m.verdict == "equivalent"]

    @property
    def kill_rate(self) -> float:
        relevant = self.killed + len(self.survived)
        return 1.0 if relevant == 0 else self.killed / relevant

    def to_json(self) -> dict[str, Any]:
        by_kind: dict[str, dict[str, int]] = {}
        for m in self.mutants:
            by_kind.setdefault(m.kind, Counter())[m.verdict] += 1
        return {
            "pairs": self.pairs, "mutants": len(self.mutants), "killed": self.killed,
            "equivalent": len(self.equivalent), "survived": len(self.survived),
            "kill_rate": round(self.kill_rate, 6), "verdicts": dict(sorted(self.counts.items())),
            "by_kind": {k: dict(sorted(v.items())) for k, v in sorted(by_kind.items())},
            "seconds": round(self.seconds, 1),
            "survivors": [m.summary() for m in self.survived],
            "equivalents": [m.summary() for m in self.equivalent],
            "killed_mutants": [m.summary() for m in self.mutants
                               if m.verdict.startswith("killed")],
        }  # fmt: skip


def run_mutants(mutants: list[Mutant], workers: int, timeout: float) -> None:
    """Decide every mutant; put each survivor to the stronger check."""
    answers = _run_all(_decide, [m.task for m in mutants], workers, timeout, "mutants decided")
    survivors = []
    for m, answer in zip(mutants, answers, strict=True):
        if answer is None:
            m.verdict, m.status, m.message = "killed-timeout", "error", "time limit"
            continue
        m.status, m.message = answer
        if m.status in (Status.FAILED.value, Status.EXPECTED_FAILURE.value):
            m.verdict = "killed-failed"
        elif m.status == Status.ERROR.value:
            m.verdict = "killed-error"
        else:
            survivors.append(m)
    strong_timeout = timeout * FRESH_SEEDS + BARE_SECONDS + timeout
    checks = _run_all(_strong, [m.task for m in survivors], workers, strong_timeout,
                      "survivors re-checked")  # fmt: skip
    plain = [m for m in survivors if m.relation not in ("\\implies", "\\iff")]
    unchanged = dict(zip(map(id, plain), _run_all(_strong, [_unchanged_task(m) for m in plain],
                                                  workers, strong_timeout), strict=True))  # fmt: skip
    for m, check in zip(survivors, checks, strict=True):
        if check is None or check["holds"] is None:
            m.verdict = "survived"
            m.reason = "inconclusive: " + (check["evidence"] if check else "out of time")
            continue
        if not check["holds"]:
            m.verdict = "survived"
            cx = json.dumps(check["cx"], ensure_ascii=False)
            m.reason = f"NOT equivalent: {check['evidence']}: {cx[:400]}"
            continue
        m.verdict = "equivalent"
        same_value = unchanged.get(id(m))
        if same_value is not None and same_value["holds"] and check["mode"] == "equal":
            why = UNDER_REASONS if m.under and m.kind in ("transpose", "swap") else REASONS[m.kind]
            m.reason = f"{why}: {check['evidence']}"
        else:
            why = MODE_REASONS.get(check["mode"], "the pair still holds")
            m.reason = f"{why}: {check['evidence']}"


def mutate(paths: Sequence[str | Path], size: int | None = None, seed: int = 0,
           workers: int | None = None, timeout: float = 10.0,
           cache_dir: Path | None = None) -> Outcome:  # fmt: skip
    """Check `paths`, mutate the passing pairs, and decide every mutant."""
    start = time.perf_counter()
    workers = workers or os.cpu_count() or 1
    options = CheckOptions(timeout=timeout, workers=workers, cache_dir=cache_dir)
    tasks = passing_pairs(paths, options)
    every = [m for t in tasks for m in mutants_of(t)]
    chosen = sample(every, size, seed)
    run_mutants(chosen, workers, timeout)
    return Outcome(len(tasks), chosen, time.perf_counter() - start)


# --------------------------------------------------------------- command line


def print_outcome(outcome: Outcome) -> None:
    data = outcome.to_json()
    print(f"{data['pairs']} passing pairs, {data['mutants']} mutants in {data['seconds']} s")
    kinds = sorted(data["by_kind"])
    verdicts = ["killed-failed", "killed-error", "killed-timeout", "equivalent", "survived"]
    print(f"  {'edit':<12}" + "".join(f"{v:>16}" for v in verdicts))
    for kind in kinds:
        row = data["by_kind"][kind]
        print(f"  {kind:<12}" + "".join(f"{row.get(v, 0):>16}" for v in verdicts))
    rate = f"{outcome.kill_rate:.2%}" if outcome.survived else "100%"
    print(f"kill rate {rate} of {outcome.killed + len(outcome.survived)}"
          f" non-equivalent mutants; {len(outcome.equivalent)} equivalent")  # fmt: skip
    for title, group in (("equivalent", outcome.equivalent), ("SURVIVED", outcome.survived)):
        for m in group:
            print(f"{title}: {m.file}:{m.line} {m.side} [{m.kind}: {m.description}]")
            print(f"    {m.original}  ->  {m.text}")
            print(f"    {m.reason}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m verify.mutation.mutate", description=__doc__.split("\n")[0]
    )
    parser.add_argument("paths", nargs="*", default=["docs"], help="pages or folders (docs/)")
    parser.add_argument("--sample", type=int, default=None, help="decide only N mutants")
    parser.add_argument("--seed", type=int, default=0, help="seed for the sample (0)")
    parser.add_argument("--json", metavar="FILE", help="write the outcome as JSON")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (all cores)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per mutant (10)")
    args = parser.parse_args(argv)
    outcome = mutate(args.paths or ["docs"], args.sample, args.seed, args.workers, args.timeout)
    print_outcome(outcome)
    if args.json:
        Path(args.json).write_text(json.dumps(outcome.to_json(), indent=2, ensure_ascii=False)
                                   + "\n", encoding="utf-8")  # fmt: skip
    return 1 if outcome.survived else 0
