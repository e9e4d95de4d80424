"""Understand a pair: parse both sides and translate them with the page's notation.

The result, `Understood`, holds the typed terms and how the pair is to be
decided (equality, up to a constant, proportionality, an inequality, or an
implication solved for a variable). Problems become `PairError`s at their
place in the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from verify.latex import parser as ast
from verify.latex.parser import LatexError, parse_latex
from verify.latex.syntax import latex_of, unwrap
from verify.latex.syntax import symbol_name as _name
from verify.meaning import terms as T
from verify.meaning.terms import SCALAR, TranslateError, show_shape
from verify.meaning.translate import DefinitionInfo, Translator
from verify.model import Declaration, Directive, Span
from verify.reading.notation import canonical_script


@dataclass
class DefinitionSource:
    lhs: Span
    rhs: Span
    order: int
    line: int


@dataclass
class PairTask:
    """Everything a worker needs to decide one pair (picklable, no page objects)."""

    file: str
    line: int
    relation: str
    lhs: Span
    rhs: Span
    directive: Directive
    declarations: list[Declaration]
    definitions: list[DefinitionSource] = field(default_factory=list)
    wrt: str | None = None
    justification: str = ""


class PairError(Exception):
    """Stops the decision with an `error` at a place in the page."""

    def __init__(self, message: str, line: int, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def _located(span: Span, offset: int, message: str) -> PairError:
    line, col = span.position(offset)
    return PairError(message, line, col)


def parse_side(span: Span, equation: bool = False) -> ast.Node:
    try:
        return parse_latex(span.text, equation=equation)
    except LatexError as err:
        raise _located(span, err.offset, f"LaTeX: {err.message}") from None
    except RecursionError:
        raise _located(span, 0, "LaTeX: nested too deeply") from None


def definition_infos(
    sources: list[DefinitionSource], indices: set[str] | None = None
) -> list[DefinitionInfo]:
    """Parse the definitions in force; a broken one is reported on its own row."""
    infos = []
    for source in sources:
        try:
            infos.append(parse_definition(source, indices))
        except PairError:
            continue
    return infos


def parse_definition(source: DefinitionSource, indices: set[str] | None = None) -> DefinitionInfo:
    """`f_j^{(i)}(x, y) := body`: name, index placeholders, parameters and body.

    Scripts that are not declared indices are part of the name (`J_\\lambda`,
    `\\ell_1`), as in the `symbols:` front matter."""
    indices = indices or set()
    lhs = parse_side(source.lhs)
    body = parse_side(source.rhs)
    params: list[str] = []
    head = lhs
    if isinstance(lhs, ast.Product) and len(lhs.factors) == 2:
        head, args = lhs.factors
        if not (isinstance(args, ast.Delimited) and args.delimiter == "("):
            raise _located(source.lhs, lhs.pos, "the left of ':=' must be a name or f(x, …)")
        for a in args.items:
            name = _name(a)
            if name is None:
                raise _located(source.lhs, a.pos, "a parameter must be a plain symbol")
            params.append(name)
    subs: list[str] = []
    sups: list[str] = []
    literal = ""
    if isinstance(head, ast.Scripted):
        subs, sub_text = _script(head.sub, indices)
        sups, sup_text = _script(head.sup, indices)
        literal = (f"_{{{sub_text}}}" if sub_text else "") + (
            f"^{{{sup_text}}}" if sup_text else ""
        )
        head = head.base
    base = _name(head) if isinstance(head, ast.Atom) else None
    if base is None and isinstance(head, ast.Atom) and head.kind == "OPNAME":
        base = f"\\operatorname{{{head.text}}}"
    if base is None:
        raise _located(source.lhs, lhs.pos, "the left of ':=' must be a name or f(x, …)")
    return DefinitionInfo(base + literal, subs, sups, params, body, source.order, source.line)


def _script(node: ast.Node | None, indices: set[str]) -> tuple[list[str], str]:
    """(placeholders, "") for a script of declared indices, else ([], its literal text)."""
    if node is None:
        return [], ""
    try:
        names = _placeholders(node)
    except PairError:
        names = []
    if names and all(n in indices for n in names):
        return names, ""
    return [], canonical_script(latex_of(unwrap(node)))


def _placeholders(node: ast.Node | None) -> list[str]:
    if node is None:
        return []
    while isinstance(node, ast.Delimited) and len(node.items) == 1:
        node = node.items[0]
    items = (
        node.items
        if isinstance(node, ast.Sequence)
        else (node.factors if isinstance(node, ast.Product) else [node])
    )
    names = []
    for item in items:
        name = _name(item)
        if name is None:
            raise PairError("an index placeholder must be a letter", 0)
        names.append(name)
    return names


@dataclass
class Understood:
    """What the checker made of a pair: the terms and what they refer to."""

    lhs: T.Term
    rhs: T.Term
    translator: Translator
    mode: str
    wrt: T.Ref | None = None


def understand(task: PairTask) -> Understood:
    """Parse and translate both sides; raise `PairError` with the place."""
    indices = {d.base for d in task.declarations if d.kind == "index"}
    definitions = definition_infos(task.definitions, indices)
    translator = Translator(task.declarations, definitions)
    implication = task.relation in ("\\implies", "\\iff")
    lhs_node = parse_side(task.lhs, equation=implication)
    rhs_node = parse_side(task.rhs, equation=implication)

    def tr(node: ast.Node, span: Span) -> T.Term:
        try:
            return translator.translate(node)
        except TranslateError as err:
            raise _located(span, err.offset, err.message) from None
        except RecursionError:
            raise _located(span, 0, "the expression is nested too deeply") from None

    if implication:
        assert isinstance(lhs_node, ast.Equation) and isinstance(rhs_node, ast.Equation)
        premise_l, premise_r = tr(lhs_node.left, task.lhs), tr(lhs_node.right, task.lhs)
        _same_shape(premise_l, premise_r, task.lhs)
        target = tr(rhs_node.left, task.rhs)
        solution = tr(rhs_node.right, task.rhs)
        if not isinstance(target, T.Ref):
            raise _located(task.rhs, 0, "the conclusion must be 'symbol = expression'")
        _same_shape(target, solution, task.rhs)
        premise = T.Add([(1, premise_l), (-1, premise_r)], shape=premise_l.shape or SCALAR)
        return Understood(premise, solution, translator, "implies", target)
    lhs = tr(lhs_node, task.lhs)
    rhs = tr(rhs_node, task.rhs)
    mode = {"=": "equal", "\\propto": "propto"}.get(task.relation, "inequality")
    if task.relation == "=" and (_has_const(lhs) or _has_const(rhs)):
        mode = "const"
        if _has_const(lhs):
            lhs = _drop_const(lhs, task.lhs)
        if _has_const(rhs):
            rhs = _drop_const(rhs, task.rhs)
    elif _has_const(lhs) or _has_const(rhs):
        raise _located(task.rhs, 0, "\\text{const} is only meaningful in '= \\text{const} + …'")
    _same_shape(lhs, rhs, task.rhs)
    if mode == "inequality" and (
        lhs.shape not in (SCALAR, None) or rhs.shape not in (SCALAR, None)
    ):
        raise _located(task.rhs, 0, "an inequality compares two scalars")
    if mode == "propto" and (lhs.shape not in (SCALAR, None) or rhs.shape not in (SCALAR, None)):
        raise _located(task.rhs, 0, "\\propto compares two scalars (densities, likelihoods)")
    wrt = None
    if mode in ("const", "propto"):
        if not task.wrt:
            raise _located(
                task.rhs, 0,
                f"'{task.relation if mode == 'propto' else '= const +'}' needs the derivation"
                " variable: add 'wrt: <symbol>' to the front matter or"
                " <!-- verify: wrt <symbol> --> before the block",
            )  # fmt: skip
        wrt_span = Span(task.wrt, ((task.line, 1),))
        wrt_term = tr(parse_side(wrt_span), wrt_span)
        if not isinstance(wrt_term, T.Ref):
            raise PairError(f"wrt '{task.wrt}' is not a symbol", task.line)
        wrt = wrt_term
        wrt.written = task.wrt.strip()
    return Understood(lhs, rhs, translator, mode, wrt)


def _same_shape(a: T.Term, b: T.Term, span: Span) -> None:
    if a.shape is not None and b.shape is not None and a.shape != b.shape:
        raise _located(
            span, 0,
            f"the two sides have different shapes: {show_shape(a.shape)} and"
            f" {show_shape(b.shape)}",
        )  # fmt: skip


def _has_const(term: T.Term) -> bool:
    return isinstance(term, T.Constant) or (
        isinstance(term, T.Add) and any(isinstance(t, T.Constant) for _, t in term.terms)
    )


def _drop_const(term: T.Term, span: Span) -> T.Term:
    if isinstance(term, T.Constant):
        return T.Number(sp.Integer(0), shape=None)
    assert isinstance(term, T.Add)
    for _, t in term.terms:
        if not isinstance(t, T.Constant) and any(isinstance(x, T.Constant) for x in t.walk()):
            raise _located(span, t.pos, "\\text{const} must be a whole term of the side")
    kept = [(s, t) for s, t in term.terms if not isinstance(t, T.Constant)]
    if not kept:
        return T.Number(sp.Integer(0), shape=None)
    shape = next((t.shape for _, t in kept if t.shape is not None), None)
    return T.Add(kept, shape=shape)


def describe(u: Understood) -> dict[str, Any]:
    """For `explain`: each side's shape and the symbols it uses."""
    return {
        "lhs shape": show_shape(u.lhs.shape),
        "rhs shape": show_shape(u.rhs.shape),
        "symbols": sorted({r.name for r in refs([u.lhs, u.rhs])}),
        "undeclared scalars": sorted(u.translator.undeclared),
        "mode": u.mode,
    }


def refs(terms: list[T.Term]) -> list[T.Ref]:
    """Every symbol the terms refer to, once each, in order of appearance."""
    seen: dict[str, T.Ref] = {}
    for term in terms:
        for t in term.walk():
            if isinstance(t, T.Ref):
                seen.setdefault(t.name, t)
    return list(seen.values())
