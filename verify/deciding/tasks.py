"""What a worker needs to decide one pair, built from the page it stands on.

A `PairTask` is plain data (picklable, no page objects): the pair's sides and
relation, the page's declarations, the definitions in force before it, and
its directives. The runner, the diagnosis, `explain` and the mutation tool
all build tasks here, so they decide exactly what the checker decided.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from verify.model import (
    Declaration,
    Definition,
    Directive,
    Hypothesis,
    Page,
    Pair,
    Relation,
    Span,
)


@dataclass(frozen=True)
class DefinitionSource:
    """A `:=` row in force for a pair: its two sides, order and line."""

    lhs: Span
    rhs: Span
    order: int
    line: int
    conditions: tuple[Hypothesis, ...] = ()  # `where t \le T - 1` on the definition


@dataclass
class PairTask:
    """Everything a worker needs to decide one pair (picklable, no page objects)."""

    file: str
    line: int
    relation: Relation
    lhs: Span
    rhs: Span
    directive: Directive
    declarations: list[Declaration]
    definitions: list[DefinitionSource] = field(default_factory=list)
    wrt: str | None = None
    justification: str = ""
    givens: list[Hypothesis] = field(default_factory=list)  # front matter, then block, then row
    broken: dict[str, str] = field(default_factory=dict)  # symbols whose declaration failed


def definitions_before(page: Page, pair: Pair) -> list[Definition]:
    """The `:=` rows in force at `pair`: those above it on the page."""
    return [d for d in page.definitions if d.index < pair.index]


def task_for(page: Page, pair: Pair, *, directives: bool = True) -> PairTask:
    """The task for one pair of a page. Without `directives`, only `wrt` is kept
    (the mutation tool decides edited pairs as plain steps)."""
    definitions = [
        DefinitionSource(d.lhs, d.rhs, d.index, d.line, d.conditions)
        for d in definitions_before(page, pair)
    ]
    directive = (
        pair.directive if directives
        else Directive(wrt=pair.directive.wrt, conditions=pair.directive.conditions)
    )  # fmt: skip
    return PairTask(
        file=page.file, line=pair.line, relation=pair.relation, lhs=pair.lhs, rhs=pair.rhs,
        directive=directive, declarations=page.declarations, definitions=definitions,
        wrt=pair.directive.wrt or page.wrt, justification=pair.justification if directives else "",
        givens=[*page.given, *pair.directive.given], broken=dict(page.broken),
    )  # fmt: skip
