"""Repairs: the small edits after which a failed step verifies (contract §5 `repairs`).

A repair is a mutation that turns a failure into a pass. The search takes the
fixes of both sides and of the notation (`verify.mutation.fixes`), and tries
each alone and then two at a time, cheapest first, each edited step decided by
the checker's own `decide` exactly like a step on a page. Only a step that
comes back proved, checked or sampled, and that also holds where the original
step failed (`verify.mutation.glance`), is a repair; nothing else is shown.

Cheapest means likeliest: each kind of fix has a cost, a fix on the left side
(usually the line before, already checked) costs a little more, and so does a
fix inside a part of the sides that agrees where the step failed. The order
depends only on the step, so a search cut short (by its counts or its time)
returns the first repairs of the full one. After the first repair it looks a
little further for others as likely, up to `MAX_REPAIRS`.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from verify.deciding.decide import decide
from verify.deciding.tasks import PairTask
from verify.errors import LatexError, OutOfTime
from verify.latex import tree as ast
from verify.latex.parser import parse_latex
from verify.latex.paths import Path
from verify.latex.printer import round_trips
from verify.limits import time_limit
from verify.model import Change, Directive, Repair, Result, Span, Status
from verify.mutation.fixes import Fix, property_fixes, side_fixes, with_property
from verify.mutation.glance import Witness, definitions_of
from verify.mutation.mutants import context_for
from verify.mutation.mutate import strong_check
from verify.mutation.surgery import apply, names_in, node_at, powers_in, readable

SECONDS = 3.0  # the search's own processor time, on top of the step's decision
WALL = 3.0  # and at most this many times as much on the clock
CLOCK = "time limit on the clock"
MAX_DECIDED = 60  # edited steps decided, at most
MAX_GLANCED = 300  # edited steps rejected at a first look, at most
SLACK = 1.0  # once a repair is found, only candidates at most this much dearer
AFTER_FIRST = 1.0  # and for at most this many more seconds (processor time)
PAIR = 1.0  # what combining two fixes costs on top of theirs: every single first
ASIDE = 1.0  # what a fix costs more inside a term that cancels where the step failed
MAX_REPAIRS = 3
MARGIN = 0.5  # seconds kept free of the worker's time limit
SIDES = ("lhs", "rhs")
REJECTED = "rejected"  # a candidate whose sides differ at an instance of the step
REFUTED = "refuted"  # verified, but false where the step failed
VERIFIED = {s.value for s in Status if s.is_verified}
# Kinds that, done to both sides, leave the step as it was (or make it vacuous).
BOTH_SIDES = {"sign", "factor", "drop", "exponent", "coefficient"}


@dataclass
class Tried:
    """One candidate the search decided: for `verify explain`."""

    fixes: tuple[Fix, ...]
    lhs: str
    rhs: str
    status: str
    seconds: float


@dataclass
class Search:
    """What a search did: the repairs, and every candidate it decided."""

    repairs: list[Repair] = field(default_factory=list)
    tried: list[Tried] = field(default_factory=list)
    fixes: int = 0  # single fixes there were to try (and pairs of them)
    decided: int = 0
    rejected: int = 0
    stopped: str = ""  # why it ended early, if it did
    seconds: float = 0.0

    def record(self, tried: Tried) -> None:
        self.tried.append(tried)
        if tried.status == REJECTED:
            self.rejected += 1
        else:
            self.decided += 1


@dataclass
class _Side:
    tree: ast.Node
    span: Span


def find_repairs(
    task: PairTask, seconds: float = SECONDS, limit: int = MAX_DECIDED, wall: float | None = None
) -> Search:
    """Search for repairs of a failed step; never raises, never shows what does not verify.

    `seconds` is processor time, so that what is found does not depend on how busy
    the machine is; `wall` (by default `WALL` times as much) bounds the time on
    the clock, for the worker's own time limit. A search cut by it says so."""
    search = Search()
    start = time.perf_counter()
    wall = seconds * WALL if wall is None else wall
    try:
        with time_limit(wall):
            clock = (time.process_time() + seconds, time.perf_counter() + wall)
            _search(task, search, clock, limit)
    except OutOfTime:
        search.stopped = f"{CLOCK}: {wall:.3g} s"
    except RecursionError:
        search.stopped = "the step is nested too deeply to edit"
    search.seconds = round(time.perf_counter() - start, 4)
    return search


def decide_and_repair(task: PairTask, timeout: float) -> Result:
    """`decide`, and for a failed step (expected or not) the repairs, in what is left
    of the worker's `timeout`. Repairs cut short by the clock (a busy machine)
    are an answer about this run: the verdict is then not cached."""
    start = time.perf_counter()
    result = decide(task)
    if result.status in (Status.FAILED, Status.EXPECTED_FAILURE):
        wall = timeout - (time.perf_counter() - start) - MARGIN
        if wall > MARGIN:
            search = find_repairs(task, SECONDS, wall=min(wall, SECONDS * WALL))
            result.repairs = search.repairs
            result.cacheable = result.cacheable and not search.stopped.startswith(CLOCK)
    return result


def _sides(task: PairTask) -> dict[str, _Side]:
    equation = task.relation.is_implication
    sides = {}
    for name in SIDES:
        span: Span = getattr(task, name)
        try:
            tree = parse_latex(span.text, equation=equation)
        except LatexError:
            continue
        if round_trips(tree, equation):
            sides[name] = _Side(tree, span)
    return sides


def all_fixes(task: PairTask, sides: dict[str, _Side],
              suspects: dict[str, list[Path]] | None = None) -> list[Fix]:  # fmt: skip
    """Every single fix of the step, cheapest first (ties in the order found). With
    `suspects`, a fix inside a term that cancels where the step failed costs more."""
    definitions = definitions_of(task)
    fixes: list[Fix] = []
    names: set[str] = set()
    powers = powers_in([side.tree for side in sides.values()], task.declarations)
    for name, side in sides.items():
        ctx = context_for(side.tree, task.declarations, definitions)
        fixes.extend(side_fixes(side.tree, name, ctx, powers))
        names |= names_in(side.tree)
    if suspects is not None:
        fixes = [f if _suspect(f, suspects) else replace(f, cost=f.cost + ASIDE) for f in fixes]
    fixes.extend(property_fixes(names, task.declarations))
    order = {id(f): n for n, f in enumerate(fixes)}
    return sorted(fixes, key=lambda f: (f.cost, order[id(f)]))


def _suspect(fix: Fix, suspects: dict[str, list[Path]]) -> bool:
    """Whether a fix edits the whole side or a term that did not cancel."""
    return any(
        not path or any(path[: len(term)] == term for term in suspects.get(fix.side, []))
        for path, _ in fix.edits
    )


def candidates(fixes: list[Fix]) -> Iterator[tuple[int, ...]]:
    """Single fixes and pairs of them, by total cost (a heap over sorted costs)."""
    heap: list[tuple[float, int, tuple[int, ...]]] = []
    for i, fix in enumerate(fixes):
        heap.append((fix.cost, 1, (i,)))
        if i + 1 < len(fixes):
            heap.append((fix.cost + fixes[i + 1].cost + PAIR, 2, (i, i + 1)))
    heapq.heapify(heap)
    while heap:
        cost, size, chosen = heapq.heappop(heap)
        yield chosen
        if size == 2 and chosen[1] + 1 < len(fixes):
            i, j = chosen[0], chosen[1] + 1
            heapq.heappush(heap, (fixes[i].cost + fixes[j].cost + PAIR, 2, (i, j)))


def _conflict(fixes: tuple[Fix, ...]) -> bool:
    """Two fixes that edit the same node, that do one thing to both sides (which
    leaves the relation as it was), or a property with an edit: instances drawn
    for the new notation must be decided afresh, so only two properties pair."""
    a, b = fixes
    if a.side == "notation" or b.side == "notation":  # two properties, or none
        return a.side != b.side or a.symbol == b.symbol
    if a.side != b.side:
        return a.kind == b.kind and (
            a.kind in BOTH_SIDES or (a.before, a.after) == (b.before, b.after)
        )
    paths = [p for p, _ in a.edits]
    return any(p in paths for p, _ in b.edits)


def _search(task: PairTask, search: Search, deadline: tuple[float, float], limit: int) -> None:
    run = _Run(task, search, deadline, limit)
    for chosen in candidates(run.fixes):
        if search.repairs and run.cost(chosen) > run.best + SLACK:
            break
        if not run.going():
            return
        run.attempt(chosen)
    # A property the notation may lack explains a failure in another way than an
    # edit does: each is tried on its own even when an edit was cheaper.
    for i, fix in enumerate(run.fixes):
        if fix.side == "notation" and (i,) not in run.done and run.going():
            run.attempt((i,))


class _Run:
    """The state of one search: what was tried, what repaired, what is left."""

    def __init__(
        self, task: PairTask, search: Search, deadline: tuple[float, float], limit: int
    ) -> None:
        self.search, self.limit = search, limit
        self.deadline, self.wall = deadline  # processor time, and time on the clock
        self.sides = _sides(task)
        self.witness = Witness(task)
        suspects = self.witness.suspects({n: side.tree for n, side in self.sides.items()})
        self.fixes = all_fixes(task, self.sides, suspects)
        search.fixes = len(self.fixes)
        self.plain = replace(task, directive=Directive(wrt=task.directive.wrt,
                                                       distinct=task.directive.distinct))  # fmt: skip
        self.written = {n: readable(self.sides[n].tree) if n in self.sides else "" for n in SIDES}
        self.seen: set[tuple[str, ...]] = {(self.written["lhs"], self.written["rhs"])}
        self.done: set[tuple[int, ...]] = set()
        self.best = 0.0  # the cost of the first repair found
        self.repaired: set[int] = set()  # single fixes that are repairs on their own
        self.trivial: set[int] = set()  # single fixes that make the two sides the same text

    def cost(self, chosen: tuple[int, ...]) -> float:
        return sum(self.fixes[i].cost for i in chosen) + PAIR * (len(chosen) - 1)

    def going(self) -> bool:
        """Whether the search may try another candidate; if not, says why in `stopped`."""
        search = self.search
        if len(search.repairs) >= MAX_REPAIRS:
            return False
        if search.decided >= self.limit or search.rejected >= MAX_GLANCED:
            search.stopped = f"{search.decided} decided and {search.rejected} rejected"
            return False
        if time.process_time() > self.deadline:
            search.stopped = "processor time budget spent"
            return False
        if time.perf_counter() > self.wall:  # its alarm went off inside `decide`
            search.stopped = CLOCK
            return False
        return True

    def attempt(self, chosen: tuple[int, ...]) -> None:
        """Decide the step with these fixes made, unless it is known or pointless."""
        self.done.add(chosen)
        group = tuple(self.fixes[i] for i in chosen)
        if len(chosen) > 1 and ((self.repaired | self.trivial) & set(chosen) or _conflict(group)):
            return
        edited = _edited(self.plain, self.sides, group)
        changed = {f.side for f in group}
        texts = tuple(getattr(edited, n).text if n in changed else self.written[n] for n in SIDES)
        key = texts + tuple(sorted(f.after for f in group if f.side == "notation"))
        if _same_text(*texts):  # both sides alike: no pair with this fix is a repair
            self.trivial |= set(chosen)
            if len(chosen) > 1:
                return
        if key in self.seen:
            return
        self.seen.add(key)
        began = time.perf_counter()
        status = REJECTED if self.witness.rejects(edited) else decide(edited).status.value
        if status in VERIFIED and not _confirmed(self.witness, edited):
            status = REFUTED
        self.search.record(Tried(group, edited.lhs.text, edited.rhs.text, status,
                                 round(time.perf_counter() - began, 4)))  # fmt: skip
        if status in VERIFIED:
            if not self.search.repairs:  # the first: a little more time for a few others
                self.best = self.cost(chosen)
                self.deadline = min(self.deadline, time.process_time() + AFTER_FIRST)
            self.search.repairs.append(_repair(group, self.sides, edited, Status(status)))
            if len(chosen) == 1:
                self.repaired.add(chosen[0])


def _confirmed(witness: Witness, edited: PairTask) -> bool:
    """A verified candidate must hold where the step failed; where no failing
    instance can be asked (a property the repair adds rules them all out), it
    must pass the mutation tool's stronger check at many fresh instances."""
    held = witness.where_it_failed(edited)
    if held is not None:
        return held
    return bool(strong_check(edited)["holds"] is True)


def _same_text(a: str, b: str) -> bool:
    return "".join(a.split()) == "".join(b.split())


def _edited(task: PairTask, sides: dict[str, _Side], group: tuple[Fix, ...]) -> PairTask:
    """The step with the fixes made: sides as text, declarations with added properties."""
    changes: dict[str, str] = {}
    for name, side in sides.items():
        edits = [e for fix in group if fix.side == name for e in fix.edits]
        if edits:
            changes[name] = readable(apply(side.tree, edits))
    edited = task
    if "lhs" in changes:
        edited = replace(edited, lhs=Span(changes["lhs"], task.lhs.line_starts[:1]))
    if "rhs" in changes:
        edited = replace(edited, rhs=Span(changes["rhs"], task.rhs.line_starts[:1]))
    for fix in group:
        if fix.side == "notation":
            edited = replace(edited, declarations=with_property(edited.declarations, fix))
    return edited


def _repair(group: tuple[Fix, ...], sides: dict[str, _Side], edited: PairTask,
            status: Status) -> Repair:  # fmt: skip
    """The changes a reader is shown, each at its place in the page."""
    changes = []
    for k, fix in enumerate(group):
        if fix.side == "notation":
            line = next((d.line for d in edited.declarations if d.base == fix.symbol), 0)
            changes.append(Change("notation", line, None, fix.before, fix.after, fix.after,
                                  fix.kind))  # fmt: skip
            continue
        side = sides[fix.side]
        after = fix.after
        others = [(n, g) for n, g in enumerate(group) if n != k and g.side == fix.side]
        if any(_inside(fix.shown, g.shown) and (g.shown != fix.shown or n < k)
               for n, g in others):  # fmt: skip
            continue  # shown as part of the other fix
        if others and any(_inside(g.shown, fix.shown) for _, g in others):
            final = apply(side.tree, [e for g in group if g.side == fix.side for e in g.edits])
            after = readable(node_at(final, fix.shown))
        line, column = side.span.position(node_at(side.tree, fix.shown).pos)
        latex: str = getattr(edited, fix.side).text
        changes.append(Change(fix.side, line, column, fix.before, after, latex, fix.kind,
                              fix.places))  # fmt: skip
    return Repair(tuple(changes), status)


def _inside(path: tuple[object, ...], outer: tuple[object, ...]) -> bool:
    """Whether `path` is `outer` or below it."""
    return path[: len(outer)] == outer
