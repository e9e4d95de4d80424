"""Where the two sides of a failed step first differ: the smallest parts that disagree.

Starting from the two sides at the counterexample, it repeatedly cancels what
agrees — terms of a sum with equal values, equal leading or trailing factors of
a product, the common exponent of two powers — and stops when nothing more
cancels. A split is used only if its parts, put back together, give the value
of the whole, so an expression the split does not understand (an operator, a
function call) simply ends the search there. Only `=` steps are narrowed.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from verify.deciding.compare import agreeing_ends, same, show
from verify.deciding.decide import evaluate, find_instance
from verify.deciding.tasks import PairTask, task_for
from verify.deciding.understand import Mode, Understood, parse_side, understand
from verify.latex import tree as ast
from verify.latex.printer import compact
from verify.meaning.terms import Env, scalar_of
from verify.model import Page, Pair, Relation

MAX_GROUP = 10
Part = tuple[str, Any]  # LaTeX of a part of a side, and its shown value


def failing_instance(u: Understood, task: PairTask, counterexample: dict[str, Any]) -> Env | None:
    """The instance at which `decide` found `counterexample`, drawn again the same way."""
    env: Env | None = find_instance(task, u, counterexample)
    return env


def first_difference(
    page: Page, pair: Pair, counterexample: dict[str, Any]
) -> tuple[Part, Part] | None:
    """The smallest differing parts of a failed `=` pair, or None if only the whole sides."""
    if pair.relation != Relation.EQUAL:
        return None
    task = task_for(page, pair)
    u = understand(task)
    if u.mode != Mode.EQUAL:
        return None
    env = failing_instance(u, task, counterexample)
    if env is None:
        return None
    narrowing = _Narrowing(u, env)
    found = narrowing.narrow(parse_side(pair.lhs), parse_side(pair.rhs))
    if found is None:
        return None
    (left, lv), (right, rv) = found
    return (left, show(lv)), (right, show(rv))


@dataclass
class _Narrowing:
    u: Understood
    env: Env

    def value(self, node: ast.Node) -> Any:
        value = evaluate(self.u.translator.translate(node), self.env)
        return scalar_of(value) if getattr(value, "shape", None) == (1, 1) else value

    def narrow(self, left: ast.Node, right: ast.Node) -> tuple[Part, Part] | None:
        """Smaller differing parts of `left` and `right`, or None if they cannot be split."""
        left, right = _ungroup(left), _ungroup(right)
        try:
            if isinstance(left, (ast.Sum, ast.Negate)) or isinstance(right, (ast.Sum, ast.Negate)):
                return self.sums(left, right)
            if isinstance(left, ast.Product) or isinstance(right, ast.Product):
                return self.products(left, right)
            if isinstance(left, ast.Scripted) and isinstance(right, ast.Scripted):
                return self.powers(left, right)
        except Exception:  # noqa: BLE001 - a part the split does not understand ends it
            return None
        return None

    def deeper(self, left: ast.Node, right: ast.Node) -> tuple[Part, Part]:
        """`left` and `right` differ; narrow them further if possible."""
        found = self.narrow(left, right)
        if found is not None:
            return found
        left, right = _ungroup(left), _ungroup(right)
        return (compact(left), self.value(left)), (compact(right), self.value(right))

    def sums(self, left: ast.Node, right: ast.Node) -> tuple[Part, Part] | None:
        lterms, rterms = _terms(left), _terms(right)
        lvalues = [self.signed(s, t) for s, t in lterms]
        rvalues = [self.signed(s, t) for s, t in rterms]
        if not (_adds_up(lvalues, self.value(left)) and _adds_up(rvalues, self.value(right))):
            return None
        kept_left, unmatched = _cancel(lvalues, rvalues)
        if len(kept_left) == len(lterms) and len(unmatched) == len(rterms):
            return None  # nothing cancels
        if not kept_left and not unmatched:
            return None
        if len(kept_left) == 1 and len(unmatched) == 1:
            (ls, ln), (rs, rn) = lterms[kept_left[0]], rterms[unmatched[0]]
            if ls == rs:
                return self.deeper(ln, rn)
        return (
            (_join([lterms[i] for i in kept_left]), _total([lvalues[i] for i in kept_left])),
            (_join([rterms[j] for j in unmatched]), _total([rvalues[j] for j in unmatched])),
        )

    def signed(self, sign: int, node: ast.Node) -> Any:
        value = self.value(node)
        return value if sign > 0 else -value

    def products(self, left: ast.Node, right: ast.Node) -> tuple[Part, Part] | None:
        lf, rf = _factors(left), _factors(right)
        if lf is None or rf is None:
            return None
        lvalues = [self.value(f) for f in lf[0]]
        rvalues = [self.value(f) for f in rf[0]]
        if not (_multiplies(lvalues, self.value(left)) and _multiplies(rvalues, self.value(right))):
            return None
        start, end = agreeing_ends(lvalues, rvalues)
        if start == 0 and end == 0:
            return None
        return self.deeper(_sub_product(lf, start, end), _sub_product(rf, start, end))

    def powers(self, left: ast.Scripted, right: ast.Scripted) -> tuple[Part, Part] | None:
        same_script = compact(left.sup) == compact(right.sup) and left.primes == right.primes
        if left.sub is not None or right.sub is not None or not same_script:
            return None
        if isinstance(left.base, ast.Atom) or isinstance(right.base, ast.Atom):
            return None  # a symbol's superscript may be an index, not a power
        if same(self.value(left.base), self.value(right.base)):
            return None
        return self.deeper(left.base, right.base)


def _cancel(lvalues: list[Any], rvalues: list[Any]) -> tuple[list[int], list[int]]:
    """Indices of the terms left once equal terms, then equal groups of terms, cancel."""
    left, right = list(range(len(lvalues))), list(range(len(rvalues)))
    for i in list(left):
        j = next((j for j in right if same(lvalues[i], rvalues[j])), None)
        if j is not None:
            left.remove(i)
            right.remove(j)
    for one, many, values, others in (
        (left, right, lvalues, rvalues),
        (right, left, rvalues, lvalues),
    ):
        for i in list(one):
            group = _group_summing_to(values[i], many, others)
            if group:
                one.remove(i)
                for j in group:
                    many.remove(j)
    return left, right


def _group_summing_to(target: Any, candidates: list[int], values: list[Any]) -> list[int] | None:
    """Two or more of `candidates` whose values add up to `target` (few terms only)."""
    if len(candidates) > MAX_GROUP:
        return None
    for size in range(2, len(candidates) + 1):
        for group in itertools.combinations(candidates, size):
            if same(_total([values[j] for j in group]), target):
                return list(group)
    return None


def _ungroup(node: ast.Node) -> ast.Node:
    while isinstance(node, ast.Delimited) and len(node.items) == 1 and node.delimiter in "({[":
        node = node.items[0]
    return node


def _terms(node: ast.Node) -> list[tuple[int, ast.Node]]:
    if isinstance(node, ast.Sum):
        return list(node.terms)
    if isinstance(node, ast.Negate):
        return [(-s, t) for s, t in _terms(_ungroup(node.body))]
    return [(1, node)]


def _adds_up(values: list[Any], whole: Any) -> bool:
    return bool(same(_total(values), whole))


def _total(values: list[Any]) -> Any:
    total: Any = None
    for v in values:
        total = v if total is None else total + v
    return 0 if total is None else total


def _join(terms: list[tuple[int, ast.Node]]) -> str:
    if not terms:
        return "0"
    text = ""
    for n, (sign, node) in enumerate(terms):
        part = compact(node)
        if isinstance(_ungroup(node), ast.Sum):
            part = f"({part})"
        text += ("-" if n == 0 else " - ") if sign < 0 else ("" if n == 0 else " + ")
        text += part
    return text


def _factors(node: ast.Node) -> tuple[list[ast.Node], list[str]] | None:
    if isinstance(node, ast.Product):
        if any(op not in ("", "cdot", "times") for op in node.ops):
            return None
        return list(node.factors), list(node.ops)
    return [node], []


def _multiplies(values: list[Any], whole: Any) -> bool:
    product = values[0]
    for v in values[1:]:
        try:
            product = product * v
        except (TypeError, ValueError):
            product = scalar_of(product) * scalar_of(v)
    return bool(same(product, whole))


def _sub_product(parts: tuple[list[ast.Node], list[str]], start: int, end: int) -> ast.Node:
    factors, ops = parts
    kept = factors[start : len(factors) - end]
    if len(kept) == 1:
        return kept[0]
    return ast.Product(kept, ops[start : start + len(kept) - 1], pos=kept[0].pos)
