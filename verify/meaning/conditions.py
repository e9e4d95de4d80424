"""Side conditions: `<!-- verify: where t \\le T - 1 -->` (contract §3, `where`).

A condition on a step keeps only the instances where it holds, as `where j \\ne l`
does; a condition on a definition says where the defined name has a meaning
(`\\xi_t(i, j) :=` for t ≤ T - 1, the step of a recursion). Each is one
comparison between index or size expressions, read as an indicator
`1\\{left op right\\}`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from verify.errors import EvaluationError, LatexError, PairError
from verify.latex import tree as ast
from verify.latex.parser import parse_latex
from verify.meaning import terms as T
from verify.model import Hypothesis

if TYPE_CHECKING:
    from verify.meaning.scope import Reader, Scope

# How each comparison is written, and its name in `terms.CONDITIONS`.
COMPARISONS = {
    "\\le": "le", "\\leq": "le", "\\ge": "ge", "\\geq": "ge", "\\ne": "ne", "\\neq": "ne",
    "<": "<", ">": ">", "=": "=",
}  # fmt: skip
_COMPARISON = re.compile(r"\\(?:leq?|geq?|neq?)(?![A-Za-z])|<|>|(?<![\\:])=")


@dataclass(frozen=True)
class Condition:
    """One comparison, parsed: `t \\le T - 1` as its two sides and `le`."""

    left: ast.Node
    relation: str
    right: ast.Node
    written: str


def parse_condition(stated: Hypothesis) -> Condition:
    """The comparison written in a `where` directive; `PairError` at its line."""
    found = list(_COMPARISON.finditer(stated.text))
    if len(found) != 1:
        raise PairError(f"where {stated.text}: write one comparison, such as t \\le T - 1",
                        stated.line, stated.column)  # fmt: skip
    match = found[0]
    try:
        left = parse_latex(stated.text[: match.start()])
        right = parse_latex(stated.text[match.end() :])
    except LatexError as err:
        raise PairError(f"where {stated.text}: LaTeX: {err.message}", stated.line,
                        stated.column) from None  # fmt: skip
    return Condition(left, COMPARISONS[match.group()], right, stated.text)


def condition_term(reader: Reader, condition: Condition, scope: Scope) -> T.Indicator:
    """The condition as an indicator, read in `scope` (a definition's placeholders)."""
    left = reader.index(condition.left, scope)
    right = reader.index(condition.right, scope)
    return T.Indicator(left, condition.relation, right, pos=left.pos)


def holds(conditions: list[T.Indicator], env: T.Env) -> bool:
    """Whether every condition holds at this instance."""
    return all(T.scalar_of(c.value(env)) == 1 for c in conditions)


@dataclass
class Guarded(T.Term):
    """A defined name used where its definition applies only under conditions
    (`\\xi_t(i, j)` for t ≤ T - 1): its body where they hold, an error elsewhere."""

    body: T.Term
    conditions: list[T.Indicator]
    written: str = ""
    where: str = ""

    def value(self, env: T.Env) -> T.Value:
        if not holds(self.conditions, env):
            raise EvaluationError(
                f"{self.written} is used where its definition does not apply (it is defined"
                f" where {self.where}): state that condition on the step, as"
                f" <!-- verify: where {self.where} -->"
            )
        return self.body.value(env)

    def children(self) -> list[T.Term]:
        return [self.body, *self.conditions]
