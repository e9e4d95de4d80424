"""Givens that are inequalities: the region a block's steps hold in (`given c_j > \\lambda`,
`given |c_j| \\le \\lambda`, `given \\theta_j > 0`), as subgradient case analyses state them.

An equation given is solved for one symbol (`verify.deciding.hypotheses`); a region
cannot be solved, so an instance is brought into it by drawing one of its symbols
again from that symbol's declared distribution until the inequality holds (rejection
sampling, one symbol at a time, so that the symbols that stand for one case of a
free index move alone). An instance that no redraw brings into the region is not
admissible, and another is drawn; a region that no instance enters is an error, as
for an equation that cannot be satisfied.

A chain `-\\lambda \\le c_j \\le \\lambda` is one region per relation.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from lark import Token

from verify.deciding.instances import declared_value, rational
from verify.deciding.wholes import part_declaration
from verify.errors import LatexError, PairError, Undefined
from verify.latex.tokenizer import tokenize
from verify.meaning import terms as T
from verify.meaning.terms import Env
from verify.model import Declaration, Hypothesis, Span

# The relations a region may use, by the tokenizer's token, as `compare.ordered` names them.
REGION_RELATIONS = {"LT": "<", "GT": ">", "LE": "\\le", "GE": "\\ge"}
_OPENERS = {"LPAREN", "LBRACK", "LBRACE", "LCURLY", "BAR_OPEN", "NORM_OPEN", "LANGLE",
            "BEGIN_MATRIX"}  # fmt: skip
_CLOSERS = {"RPAREN", "RBRACK", "RBRACE", "RCURLY", "BAR_CLOSE", "NORM_CLOSE", "RANGLE",
            "END_MATRIX"}  # fmt: skip
REDRAWS = 40  # draws of one symbol before the instance is given up


def is_region(text: str) -> bool:
    """Whether a given's text relates its sides by `<`, `>`, `\\le` or `\\ge`."""
    try:
        return bool(_relations(tokenize(text)))
    except LatexError:
        return False


def _relations(tokens: list[Token]) -> list[Token]:
    """The relation tokens at the top level (outside brackets, bars and braces)."""
    depth = 0
    found = []
    for token in tokens:
        if token.type in _OPENERS:
            depth += 1
        elif token.type in _CLOSERS:
            depth -= 1
        elif depth == 0 and token.type in REGION_RELATIONS:
            found.append(token)
    return found


def split_region(hypothesis: Hypothesis) -> list[tuple[Span, str, Span]]:
    """(left side, relation, right side) of each link of the region's chain, each side
    a span that keeps its place in the page."""
    text = hypothesis.text
    try:
        relations = _relations(tokenize(text))
    except LatexError as err:
        raise PairError(f"in the given {text}: LaTeX: {err.message}", hypothesis.line,
                        hypothesis.column + err.offset) from None  # fmt: skip
    if any(t.type == "EQUALS" for t in tokenize(text)):
        raise PairError(
            f"in the given {text}: a given is an equation or an inequality, not both;"
            " write them as two givens, separated by ';'",
            hypothesis.line,
        )
    cuts = [(int(t.start_pos or 0), _relation_end(text, int(t.start_pos or 0))) for t in relations]
    pieces: list[tuple[int, int]] = []
    begin = 0
    for start, end in cuts:
        pieces.append((begin, start))
        begin = end
    pieces.append((begin, len(text)))
    spans = [_span(hypothesis, a, b) for a, b in pieces]
    links = []
    for k, token in enumerate(relations):
        links.append((spans[k], REGION_RELATIONS[token.type], spans[k + 1]))
    return links


def _relation_end(text: str, start: int) -> int:
    """The offset just after the relation written at `start` (`<`, `\\le`, `\\geq` …)."""
    if text[start] in "<>":
        return start + 1
    end = start + 1
    while end < len(text) and text[end].isalpha():
        end += 1
    return end


def _span(hypothesis: Hypothesis, a: int, b: int) -> Span:
    piece = hypothesis.text[a:b]
    lead = len(piece) - len(piece.lstrip())
    return Span(piece.strip(), ((hypothesis.line, hypothesis.column + a + lead),))


def redrawer(
    slot: tuple[Any, ...], decl: Declaration | None, env: Env
) -> Callable[[random.Random], Any] | None:
    """How to draw the value of one slot again from its declaration (an undeclared
    scalar: any number); None where a redraw would break what the declaration says
    of the whole (entries that sum to 1, a distribution)."""
    if decl is None:
        return lambda rng: rational(rng)
    if decl.sums_over is not None or decl.is_random:
        return None
    if slot[0] == "part":
        part = part_declaration(decl, slot[3])
        return lambda rng: declared_value(rng, part, env)
    return lambda rng: declared_value(rng, decl, env)


def bring_into(
    holds: Callable[[Any], bool], slots: list[tuple[Any, Callable[[random.Random], Any]]],
    env: Any, rng: random.Random | None,
) -> Any | None:  # fmt: skip
    """`env` with one of `slots` drawn again (each slot with its own way to draw a
    value) until `holds`; None where no slot gets there (or there is no rng)."""
    if rng is None:
        return None
    for slot, draw in slots:
        for _ in range(REDRAWS):
            moved = env.with_slot(slot, draw(rng))
            try:
                if holds(moved):
                    return moved
            except (Undefined, ArithmeticError, ValueError, TypeError):
                continue
    return None


# Functions that are defined piece by piece, and the terms that name them: a step
# that uses one may hold on some pieces only (`\max(c - \lambda, 0)` is the soft
# threshold only where c ≥ 0), so it is tried at as many instances as an inequality.
PIECEWISE = {"abs", "sign", "floor", "ceil", "max", "min"}


def piecewise(terms: list[T.Term]) -> bool:
    """Whether any of the terms uses a function defined piece by piece."""
    for term in terms:
        for t in term.walk():
            if isinstance(t, T.Indicator):
                return True
            if isinstance(t, (T.Apply, T.Known, T.MatrixFunction)) and t.function in PIECEWISE:
                return True
    return False
