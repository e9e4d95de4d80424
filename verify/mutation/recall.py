"""How often a repair gives back what was meant, and what the search costs.

`python -m verify.mutation.recall [PATHS] [--sample N] [--seed S] [--json FILE]`:

- Mutants: the passing steps of PATHS are mutated (`verify.mutation.mutants`,
  the mutation tool's own edits); each mutant the checker fails is handed to
  the repair search as a failed step, and the question is whether the step
  as written on the page comes back among the first three repairs.
- Slips: the `expect-fail` steps of `--slips` pages (deliberate mistakes),
  each with its repairs; the intended fix is the page's next step that
  restates the wrong step's left side (a common-mistakes page shows the
  mistake, then the correct step), when there is one.

A repair "gives back" a step when both corrected sides read as the same tree
as the step's sides, up to spacing and the spelling of a transpose.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from verify.deciding.decide import decide
from verify.deciding.tasks import PairTask, task_for
from verify.errors import LatexError
from verify.latex.parser import parse_latex
from verify.latex.printer import compact
from verify.model import Pair, Status
from verify.mutation.mutate import _run_all, mutants_of, passing_pairs, sample
from verify.mutation.repair import find_repairs
from verify.reading.markdown import extract_page
from verify.running.check import CheckOptions, find_pages

TOP = 3
_TRANSPOSE = re.compile(r"\^\{(?:\\top|\\intercal|\\mathsf\{T\}|\\mathrm\{T\})\}")


def normal(text: str, equation: bool = False) -> str:
    """A side as a tree would print it, without spacing or transpose spelling."""
    try:
        printed = compact(parse_latex(text, equation=equation))
    except (LatexError, RecursionError):
        printed = text
    return _TRANSPOSE.sub("^{T}", re.sub(r"\s+", "", printed))


def _rank(task: PairTask, repairs: list[dict[str, Any]], lhs: str, rhs: str) -> int | None:
    """1-based rank of the first repair that gives back `lhs` and `rhs`, or None."""
    equation = task.relation.is_implication
    want = (normal(lhs, equation), normal(rhs, equation))
    for n, repair in enumerate(repairs, start=1):
        sides = {"lhs": task.lhs.text, "rhs": task.rhs.text}
        notation = False
        for change in [repair, *repair.get("also", [])]:
            if change["side"] in sides:
                sides[change["side"]] = change["latex"]
            notation = notation or change["side"] == "notation"
        if (
            not notation
            and (normal(sides["lhs"], equation), normal(sides["rhs"], equation)) == want
        ):
            return n
    return None


def _search(task: PairTask) -> dict[str, Any]:
    """In a worker: decide the step; if it fails, search for its repairs."""
    start = time.perf_counter()
    result = decide(task)
    decided = time.perf_counter() - start
    if result.status != Status.FAILED:
        return {"status": result.status.value, "decide": decided}
    cpu = time.process_time()
    search = find_repairs(task)
    return {
        "status": result.status.value, "decide": decided, "search": search.seconds,
        "cpu": time.process_time() - cpu,
        "decided": search.decided, "rejected": search.rejected, "stopped": search.stopped,
        "repairs": [r.to_json() for r in search.repairs],
    }  # fmt: skip


@dataclass
class Case:
    """One failed step given to the search, and what came back."""

    file: str
    line: int
    kind: str
    wrong: str
    meant: str
    answer: dict[str, Any] = field(default_factory=dict)
    rank: int | None = None

    def summary(self) -> dict[str, Any]:
        repairs = self.answer.get("repairs", [])
        return {
            "file": self.file, "line": self.line, "kind": self.kind, "wrong": self.wrong,
            "meant": self.meant, "rank": self.rank, "repairs": len(repairs),
            "first": [_describe(r) for r in repairs[:TOP]],
            "seconds": self.answer.get("search"), "stopped": self.answer.get("stopped", ""),
        }  # fmt: skip


def _describe(repair: dict[str, Any]) -> str:
    return " and ".join(f"{c['side']}: {c['from']} -> {c['to']}"
                        for c in [repair, *repair.get("also", [])])  # fmt: skip


def mutant_cases(paths: Sequence[str | Path], size: int | None, seed: int, workers: int,
                 timeout: float) -> list[Case]:  # fmt: skip
    """Mutants of the passing steps that the checker fails, with their repairs."""
    tasks = passing_pairs(paths, CheckOptions(timeout=timeout, workers=workers, cache_dir=None))
    chosen = sample([m for t in tasks for m in mutants_of(t)], size, seed)
    answers = _run_all(_search, [m.task for m in chosen], workers, timeout * 3, "mutants")
    cases = []
    for m, answer in zip(chosen, answers, strict=True):
        if answer is None or answer.get("status") != Status.FAILED.value:
            continue
        original = m.task.rhs.text if m.side == "lhs" else m.task.lhs.text
        lhs, rhs = (m.original, original) if m.side == "lhs" else (original, m.original)
        case = Case(m.file, m.line, m.kind, m.text, f"{lhs}  {m.relation}  {rhs}", answer)
        case.rank = _rank(m.task, answer.get("repairs", []), lhs, rhs)
        cases.append(case)
    return cases


def slip_cases(paths: Sequence[str | Path], workers: int, timeout: float) -> list[Case]:
    """The expect-fail steps of pages that the checker fails, with their repairs and
    the page's correct step."""
    from dataclasses import replace

    from verify.model import Directive

    found: list[tuple[PairTask, list[tuple[str, str]]]] = []
    for path in find_pages(paths):
        page = extract_page(str(path), path.read_text(encoding="utf-8"))
        for pair in page.pairs:
            if pair.directive.expect_fail:
                task = task_for(page, pair)
                found.append((replace(task, directive=Directive(wrt=task.wrt)),
                              _meant(page.pairs, pair)))  # fmt: skip
    answers = _run_all(_search, [t for t, _ in found], workers, timeout * 3, "slips")
    cases = []
    for (task, meant), answer in zip(found, answers, strict=True):
        if answer is None or answer.get("status") != Status.FAILED.value:
            continue  # not a failed step here (a known soundness gap, an error)
        wrong = f"{task.lhs.text.strip()}  {task.relation}  {task.rhs.text.strip()}"
        shown = " or ".join(f"{lhs.strip()}  {task.relation}  {rhs.strip()}" for lhs, rhs in meant)
        case = Case(task.file, task.line, "slip", wrong, shown, answer)
        ranks = [_rank(task, answer.get("repairs", []), lhs, rhs) for lhs, rhs in meant]
        case.rank = min((r for r in ranks if r is not None), default=None)
        cases.append(case)
    return cases


def _meant(pairs: list[Pair], wrong: Pair) -> list[tuple[str, str]]:
    """The correct steps a page gives after a wrong one: the first later chain that
    starts from the same left side, the wrong step's left side against each of its
    right sides (`a = b = c` means `a = b` and `a = c`)."""
    equation = wrong.relation.is_implication
    start = normal(wrong.lhs.text, equation)
    later = [p for p in pairs if p.index > wrong.index and not p.directive.expect_fail]
    for k, pair in enumerate(later):
        if normal(pair.lhs.text, equation) != start:
            continue
        chain = [pair]
        for following in later[k + 1 :]:
            if following.lhs is not chain[-1].rhs and following.lhs != chain[-1].rhs:
                break
            chain.append(following)
        return [(wrong.lhs.text, p.rhs.text) for p in chain if p.relation == wrong.relation]
    return []


def _share(cases: list[Case], top: int) -> float:
    return sum(c.rank is not None and c.rank <= top for c in cases) / len(cases) if cases else 0.0


def _seconds(cases: list[Case]) -> dict[str, float]:
    """The search's time per failed step on the clock and in processor time (median,
    95th percentile, maximum), and the median time of the step's own decision."""
    out: dict[str, float] = {}
    for key, name in (("search", "clock"), ("cpu", "cpu"), ("decide", "decide")):
        times = sorted(c.answer[key] for c in cases if key in c.answer)
        if times:
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            out |= {f"{name}_median": round(statistics.median(times), 3),
                    f"{name}_p95": round(p95, 3), f"{name}_max": round(times[-1], 3)}  # fmt: skip
    return out


def outcome(mutants: list[Case], slips: list[Case]) -> dict[str, Any]:
    by_kind: dict[str, Counter[str]] = {}
    for c in mutants:
        row = by_kind.setdefault(c.kind, Counter())
        row["failed"] += 1
        row["top1"] += c.rank == 1
        row["top3"] += c.rank is not None and c.rank <= TOP
        row["any repair"] += bool(c.answer.get("repairs"))
    return {
        "mutants": {"failed": len(mutants), "top1": round(_share(mutants, 1), 4),
                    "top3": round(_share(mutants, TOP), 4),
                    "any_repair": round(sum(bool(c.answer.get("repairs")) for c in mutants)
                                        / max(1, len(mutants)), 4),
                    "by_kind": {k: dict(v) for k, v in sorted(by_kind.items())},
                    "seconds": _seconds(mutants)},
        "slips": {"steps": len(slips), "with_meant": sum(bool(c.meant) for c in slips),
                  "top3": sum(c.rank is not None and c.rank <= TOP for c in slips),
                  "any_repair": sum(bool(c.answer.get("repairs")) for c in slips),
                  "seconds": _seconds(slips), "cases": [c.summary() for c in slips]},
        "misses": [c.summary() for c in mutants if c.rank is None or c.rank > TOP],
    }  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m verify.mutation.recall", description=__doc__.split("\n")[0]
    )
    parser.add_argument("paths", nargs="*", default=["docs"], help="pages to mutate (docs/)")
    parser.add_argument("--slips", nargs="*", default=[], help="pages with expect-fail steps")
    parser.add_argument("--sample", type=int, default=None, help="at most N mutants")
    parser.add_argument("--seed", type=int, default=0, help="seed for the sample (0)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (2)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per step (10)")
    parser.add_argument("--json", metavar="FILE", help="write the outcome as JSON")
    args = parser.parse_args(argv)
    mutants = mutant_cases(args.paths, args.sample, args.seed, args.workers, args.timeout)
    slips = slip_cases(args.slips, args.workers, args.timeout) if args.slips else []
    data = outcome(mutants, slips)
    m = data["mutants"]
    print(f"{m['failed']} failed mutants: original among the first {TOP} repairs for"
          f" {m['top3']:.1%} (first: {m['top1']:.1%}); some repair for {m['any_repair']:.1%};"
          f" search seconds {m['seconds']}")  # fmt: skip
    for kind, row in m["by_kind"].items():
        print(f"  {kind:<12} {row.get('top3', 0):>4} of {row['failed']:>4} in the first {TOP}")
    if slips:
        s = data["slips"]
        print(f"{s['steps']} slips: a repair for {s['any_repair']}; the page's correct step among"
              f" the first {TOP} for {s['top3']} of {s['with_meant']}; seconds {s['seconds']}")  # fmt: skip
        for case in s["cases"]:
            print(f"  {case['file']}:{case['line']} rank {case['rank']}: {case['first']}")
    if args.json:
        Path(args.json).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n",
                                   encoding="utf-8")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
