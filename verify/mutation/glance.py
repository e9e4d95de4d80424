"""Where a failed step failed, kept to judge its candidate repairs.

The repair search decides many edited steps; most are as wrong as the step
itself. `Witness` replays the original decision to a little past the first
instance where it failed, keeping each instance and whether the step failed
there. A candidate whose sides differ at one of them is rejected before
`decide` is asked (it could never pass), and a candidate that `decide`
verified must still hold wherever the step failed: an edited step is drawn
from a seed of its own text, so a step that is false only at rare values could
otherwise pass on a lucky seed, a verdict no repair may rest on. Both only
ever take candidates away: a repair is shown only when `decide` verified it.
At the failing instance it also narrows the two sides to the parts that differ
(`suspects`), where the search looks first.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from verify.deciding.compare import agreeing_ends, ordered, same
from verify.deciding.decide import evaluate, one_instance, replay
from verify.deciding.tasks import PairTask
from verify.deciding.understand import (
    Mode,
    Understood,
    definitions_in_force,
    refs,
    understand,
)
from verify.errors import LatexError, OutOfTime, TranslateError, Undefined
from verify.latex import tree as ast
from verify.latex.parser import parse_latex
from verify.latex.paths import Path
from verify.meaning.dual import Mat, fast_numbers
from verify.meaning.scope import DefinitionInfo
from verify.meaning.terms import Env, scalar_of
from verify.meaning.translate import Translator
from verify.model import Span

SIDES = ("lhs", "rhs")
MORE_PLANS = 2  # instances drawn past the first where the step fails


class Witness:
    """The instances of a failed step, one per plan as `decide` draws them."""

    def __init__(self, task: PairTask) -> None:
        self.task = task
        self.definitions = definitions_of(task)
        self.failing: list[tuple[Env, Any]] = []  # instances and their random states
        self.passing: list[Env] = []
        self.first = 0  # the instances drawn before the first failing one
        self.envs: list[Env] = []  # where both sides' values are known
        self.values: dict[str, list[Any]] = {name: [] for name in SIDES}
        self.mode: Mode | None = None
        self.understood: Understood | None = None
        try:
            u = understand(task)
        except OutOfTime:
            raise
        except Exception:  # noqa: BLE001 - a step that is not understood has no instances
            return
        self.mode, self.understood = u.mode, u
        self._replay(u)
        if u.mode in (Mode.EQUAL, Mode.INEQUALITY):
            self._values(u)

    def _replay(self, u: Understood) -> None:
        """Draw the instances exactly as `decide` does (its plan's rows, made to satisfy
        the givens), to `MORE_PLANS` past the first that fails (each instance of an
        inequality's can cost as much as a step)."""
        instances = replay(self.task, u)
        while not (
            self.failing and len(self.failing) + len(self.passing) > self.first + MORE_PLANS
        ):
            try:
                instance, verdict = next(instances)
            except StopIteration:
                return
            except OutOfTime:
                raise
            except Exception:  # noqa: BLE001 - a plan that cannot be drawn has no instances
                return
            env = instance.env
            if verdict is None:
                self.passing.append(env)
            else:  # a second value of the variable for an edited step comes from here
                state = random.Random(f"glance|{instance.row.number}").getstate()
                self.first = self.first if self.failing else len(self.passing)
                self.failing.append((env, state))

    def _values(self, u: Understood) -> None:
        """Both sides' values at each instance: where the step failed first, the
        smallest sizes first (a gradient by a matrix costs the more, the larger)."""
        failing = sorted((env for env, _ in self.failing), key=_weight)
        with fast_numbers():
            for env in failing + sorted(self.passing, key=_weight):
                try:
                    left, right = evaluate(u.lhs, env), evaluate(u.rhs, env)
                except OutOfTime:
                    raise
                except Exception:  # noqa: BLE001 - undefined at this instance
                    continue
                self.envs.append(env)
                self.values["lhs"].append(left)
                self.values["rhs"].append(right)

    def rejects(self, edited: PairTask) -> bool:
        """Whether the edited sides of an `=` step differ (or of an inequality, are
        out of order) at one of the instances; only for side edits, since a
        property changes what an instance may be."""
        if not self.envs or edited.declarations is not self.task.declarations:
            return False
        translator = Translator(self.task.declarations, self.definitions)
        terms = {}
        try:
            for name in SIDES:
                span: Span = getattr(edited, name)
                if span.text != getattr(self.task, name).text:
                    terms[name] = translator.translate(parse_latex(span.text))
        except (LatexError, TranslateError):
            return True  # `decide` would report an error
        except OutOfTime:
            raise
        except Exception:  # noqa: BLE001 - let `decide` say what it is
            return False
        with fast_numbers():
            for k, env in enumerate(self.envs):
                try:
                    left, right = (evaluate(terms[n], env) if n in terms else self.values[n][k]
                                   for n in SIDES)  # fmt: skip
                    if not self._holds(left, right, edited):
                        return True
                except OutOfTime:
                    raise
                except Exception:  # noqa: BLE001 - undefined here, or too close to tell
                    continue
        return False

    def suspects(self, trees: dict[str, ast.Node]) -> dict[str, list[Path]] | None:
        """The parts of each side of an `=` step where the slip likely is: narrowed,
        where the step failed, past the terms that cancel against a term of the
        other side and the leading and trailing factors that agree. None when
        nothing narrows (or the sides cannot be split)."""
        u = self.understood
        if u is None or self.mode != Mode.EQUAL or not self.failing or set(trees) != set(SIDES):
            return None
        env = self.failing[0][0]

        def value(node: ast.Node) -> Any:
            found = evaluate(u.translator.translate(node), env)
            return scalar_of(found) if getattr(found, "shape", None) == (1, 1) else found

        try:
            with fast_numbers():
                left, right = _narrow(value, ((), trees["lhs"]), ((), trees["rhs"]))
        except OutOfTime:
            raise
        except Exception:  # noqa: BLE001 - a part that does not stand alone: no focus
            return None
        return None if left == [()] and right == [()] else {"lhs": left, "rhs": right}

    def _holds(self, left: Any, right: Any, edited: PairTask) -> bool:
        if self.mode == Mode.INEQUALITY:
            return ordered(left, right, edited.relation)
        return same(left, right)

    def where_it_failed(self, edited: PairTask) -> bool | None:
        """Whether a verified candidate also holds at each instance where the step
        failed (exactly, as `decide` compares); None when no such instance has
        the properties that the repair adds, so that none can be asked."""
        try:
            u = understand(edited)
        except OutOfTime:
            raise
        except Exception:  # noqa: BLE001 - `decide` understood it; be safe all the same
            return False
        symbols = refs([u.lhs, u.rhs] + ([u.wrt] if u.wrt else []))
        asked = False
        for env, state in self.failing:
            if not self._admissible(env, edited):
                continue
            rng = random.Random()
            rng.setstate(state)
            try:
                if one_instance(u, edited, env, rng, symbols, set()) is not None:
                    return False
            except Undefined:
                continue  # undefined there: the instance says nothing
            except OutOfTime:
                raise
            except Exception:  # noqa: BLE001 - cannot be evaluated there: no repair to show
                return False
            asked = True
        return True if asked else None

    def _admissible(self, env: Env, edited: PairTask) -> bool:
        """Whether the instance has every property the edited notation adds."""
        before = {d.base: set(d.properties) for d in self.task.declarations}
        for d in edited.declarations:
            for prop in set(d.properties) - before.get(d.base, set()):
                holds = PROPERTY_HOLDS.get(prop)
                values = [env.values[d.base]] if d.base in env.values else []
                values += list(env.families.get(d.base, {}).values())
                if holds is None or not values or not all(holds(v) for v in values):
                    return False
        return True


def _symmetric(value: Any) -> bool:
    if not isinstance(value, Mat):
        return False
    data = value.data
    return all(data[i][j] == data[j][i] for i in range(len(data)) for j in range(i))


def _positive(value: Any) -> bool:
    return not isinstance(value, Mat) and bool(getattr(value, "is_positive", False))


# Whether a drawn value has a property a repair may add (`verify.mutation.fixes`).
PROPERTY_HOLDS: dict[str, Callable[[Any], bool]] = {
    "symmetric": _symmetric,
    "positive": _positive,
}


Part = tuple[Path, ast.Node]


def _weight(env: Env) -> int:
    """How costly an instance is to evaluate at: the sum of its sizes (stable order)."""
    return sum(env.sizes.values())


def _narrow(
    value: Callable[[ast.Node], Any], left: Part, right: Part
) -> tuple[list[Path], list[Path]]:
    """Paths of the parts of two sides that differ, once equal terms and equal outer
    factors are set aside (as `verify.reporting.difference` narrows, by path)."""
    lterms, rterms = _terms(*left), _terms(*right)
    if len(lterms) > 1 or len(rterms) > 1:
        lvalues = [(p, n, value(n) if sign > 0 else -value(n)) for p, sign, n in lterms]
        rvalues = [(p, n, value(n) if sign > 0 else -value(n)) for p, sign, n in rterms]
        for item in list(lvalues):
            match = next((other for other in rvalues if same(item[2], other[2])), None)
            if match is not None:
                lvalues.remove(item)
                rvalues.remove(match)
        if len(lvalues) == len(lterms) and len(rvalues) == len(rterms):
            return [left[0]], [right[0]]
        if len(lvalues) == 1 and len(rvalues) == 1:
            return _narrow(value, lvalues[0][:2], rvalues[0][:2])
        return [p for p, _, _ in lvalues], [p for p, _, _ in rvalues]
    lfactors, rfactors = _factors(*left), _factors(*right)
    if len(lfactors) > 1 or len(rfactors) > 1:
        try:
            lvalues = [value(n) for _, n in lfactors]
            rvalues = [value(n) for _, n in rfactors]
        except OutOfTime:
            raise
        except Exception:  # noqa: BLE001 - an operator binds the rest: no split here
            return [left[0]], [right[0]]
        start, end = agreeing_ends(lvalues, rvalues)
        lkept, rkept = lfactors[start : len(lfactors) - end], rfactors[start : len(rfactors) - end]
        if start or end:
            if len(lkept) == 1 and len(rkept) == 1:
                return _narrow(value, lkept[0], rkept[0])
            return [p for p, _ in lkept], [p for p, _ in rkept]
    return [left[0]], [right[0]]


def _terms(path: Path, tree: ast.Node, sign: int = 1) -> list[tuple[Path, int, ast.Node]]:
    """The terms of a side (or part), each with its path and sign."""
    if isinstance(tree, ast.Delimited) and tree.delimiter in "({" and len(tree.items) == 1:
        return _terms(path + (("items", 0, -1),), tree.items[0], sign)
    if isinstance(tree, ast.Negate):
        return _terms(path + (("body", -1, -1),), tree.body, -sign)
    if isinstance(tree, ast.Sum):
        return [
            (path + (("terms", k, 1),), sign * s, term) for k, (s, term) in enumerate(tree.terms)
        ]
    return [(path, sign, tree)]


def _factors(path: Path, tree: ast.Node) -> list[Part]:
    """The factors of a plain product (an operator such as a sum binds the rest: no split)."""
    if isinstance(tree, ast.Delimited) and tree.delimiter in "({" and len(tree.items) == 1:
        return _factors(path + (("items", 0, -1),), tree.items[0])
    if isinstance(tree, ast.Product) and all(op in ("", "cdot", "times") for op in tree.ops):
        return [(path + (("factors", k, -1),), f) for k, f in enumerate(tree.factors)]
    return [(path, tree)]


def definitions_of(task: PairTask) -> list[DefinitionInfo]:
    """The definitions in force, read as `understand` reads them (with the page's
    index names, so that `p_l := …` defines a family, not a name `p_{l}`)."""
    return definitions_in_force(task)
