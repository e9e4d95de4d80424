"""Understand a pair: parse both sides and translate them with the page's notation.

The result, `Understood`, holds the typed terms and how the pair is to be
decided (equality, up to a constant, proportionality, an inequality, or an
implication solved for a variable). Problems become `PairError`s at their
place in the page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol

import sympy as sp

from verify.deciding.hypotheses import Given, Targets
from verify.deciding.regions import is_region, split_region
from verify.deciding.tasks import DefinitionSource, PairTask
from verify.errors import LatexError, PairError, TranslateError, too_deep
from verify.latex import tree as ast
from verify.latex.parser import parse_latex
from verify.latex.printer import compact
from verify.latex.syntax import atoms, unwrap
from verify.latex.syntax import symbol_name as _name
from verify.meaning import cases, textbook, twins
from verify.meaning import terms as T
from verify.meaning.conditions import condition_term, parse_condition
from verify.meaning.scope import DefinitionInfo, Scope
from verify.meaning.templated import with_template
from verify.meaning.translate import Translator
from verify.model import (
    Declaration,
    Definition,
    Hypothesis,
    Kind,
    Page,
    Relation,
    Result,
    Span,
    Status,
)
from verify.reading.notation import canonical_script
from verify.shape import SCALAR, show_shape


class Mode(Enum):
    """How a pair is decided, from its relation and its sides."""

    EQUAL = "equal"  # both sides equal at every instance
    CONST = "const"  # equal up to a term free of the derivation variable
    PROPTO = "propto"  # the ratio is free of the derivation variable
    INEQUALITY = "inequality"  # held at every sampled instance
    IMPLIES = "implies"  # the solution satisfies the premise, which determines it
    ENTAILS = "entails"  # the conclusion holds wherever the premise is made to hold


def _located(span: Span, offset: int, message: str) -> PairError:
    line, col = span.position(offset)
    return PairError(message, line, col)


def parse_side(span: Span, equation: bool = False) -> ast.Node:
    try:
        return parse_latex(span.text, equation=equation)
    except LatexError as err:
        raise _located(span, err.offset, f"LaTeX: {err.message}") from None
    except RecursionError:
        raise _located(span, 0, f"LaTeX: {too_deep(span.text)}") from None


def definition_infos(
    sources: list[DefinitionSource], indices: set[str] | None = None,
    families: set[str] | None = None, placeholders: set[str] | None = None,
) -> list[DefinitionInfo]:  # fmt: skip
    """Parse the definitions in force; a broken one is reported on its own row.
    `placeholders`: the indices a templated name may run over (`\\gamma(z_{nk})`);
    by default all of `indices`. A name defined by several rows is defined by cases
    (`F_1 := …`, `F_{t+1} := …`): its scripts are cases, never a template."""
    inside = placeholders if placeholders is not None else indices or set()
    parsed = []
    for source in sources:
        try:
            parsed.append((parse_definition(source, indices, families), parse_side(source.lhs)))
        except PairError:
            continue
    rows = Counter(info.family for info, _ in parsed if info.family)
    infos = []
    for info, lhs in parsed:
        if rows[info.family] > 1:
            infos.append(info)
        else:
            named = _named_value(lhs, families or set(), info.body)
            infos.append(with_template(info, lhs, inside, named))
    return infos


def broken_definitions(
    sources: list[DefinitionSource], indices: set[str] | None = None,
    families: set[str] | None = None,
) -> dict[str, str]:  # fmt: skip
    """The names of `:=` rows that cannot be read (their left side can), and why:
    a later step that uses one is told so, instead of reading it as a new letter."""
    broken: dict[str, str] = {}
    for source in sources:
        try:
            parse_definition(source, indices, families)
        except PairError as err:
            try:
                lhs = parse_side(source.lhs)
                name = _defined_name(lhs, source, indices or set(), families or set())
            except PairError:
                continue
            broken[name] = f"its definition on line {source.line} could not be read ({err.message})"
    return broken


def definition_problems(page: Page) -> list[Result]:
    """`:=` rows that cannot be read, or that give a name in use a second meaning,
    each an error at its own line."""
    indices, families = _index_names(page.declarations)
    found: list[Result] = []
    meanings = {d.base: f"declared on line {d.line}" for d in page.declarations}
    defined: dict[str, DefinitionInfo] = {}
    for d in page.definitions:
        try:
            source = DefinitionSource(d.lhs, d.rhs, d.index, d.line, d.conditions)
            info = parse_definition(source, indices, families)
            if info.base in defined and twins.distinct(defined[info.base], info):
                continue  # `h_{nk} := …` after `h_k := …`: told apart by the subscripts
            defined.setdefault(info.base, info)
            _redefinition(info, meanings, page, d)
        except PairError as err:
            found.append(Result(
                file=page.file, line=err.line, column=err.column, relation=Relation.DEFINE,
                lhs=d.lhs.text.strip(), rhs=d.rhs.text.strip(), status=Status.ERROR,
                method="definition", message=f"definition: {err.message}",
            ))  # fmt: skip
    return found


def _redefinition(
    info: DefinitionInfo, meanings: dict[str, str], page: Page, definition: Definition
) -> None:
    """A definition gives a new name its meaning; a name already in use (declared,
    defined before, used in an earlier step, or in its own body) is an error."""
    where = meanings.get(info.base)
    if (
        where is not None
        and where.startswith("declared")
        and twins.defined_beside(info, page.declarations)
    ):
        where = None  # Bishop's N_k beside the size N: a family beside a plain symbol
    plain = not (info.subscripts or info.superscripts) and "_" not in info.base
    if where is None and plain and info.base in atoms(info.body):
        where = "used in its own definition"
    if where is None and plain:
        for pair in page.pairs:
            equation = pair.relation.is_implication
            if pair.index < definition.index and any(
                info.base in _names_in(side, equation) for side in (pair.lhs, pair.rhs)
            ):
                where = f"used on line {pair.line}"
                break
    if where is not None:
        raise _located(
            definition.lhs, 0,
            f"{info.base} already has a meaning on this page ({where}): give the new"
            f" quantity a new name, such as {info.base}_{{\\text{{new}}}}",
        )  # fmt: skip
    meanings[info.base] = f"defined on line {definition.line}"


def _names_in(span: Span, equation: bool) -> list[str]:
    try:
        return atoms(parse_latex(span.text, equation=equation))
    except (LatexError, RecursionError):
        return []


def parse_definition(
    source: DefinitionSource, indices: set[str] | None = None, families: set[str] | None = None
) -> DefinitionInfo:
    """`f_j^{(i)}(x, y) := body`: name, index placeholders, parameters and body.

    Scripts that are not declared indices are part of the name (`J_\\lambda`,
    `\\ell_1`), as in the `symbols:` front matter. `families` are the declared
    families (`O` of `O_t`), which no parameter can be."""
    indices = indices or set()
    lhs = parse_side(source.lhs)
    body = parse_side(source.rhs)
    params: list[str] = []
    head = lhs
    if _named_value(
        lhs, families or set(), body
    ):  # `\\mathbb{V}[f_*] := …`, `P(O | \\lambda) := …`
        return DefinitionInfo(_value_name(lhs), [], [], [], body, source.order, source.line)
    if isinstance(lhs, ast.Product) and len(lhs.factors) == 2:
        head, args = lhs.factors
        if not (isinstance(args, ast.Delimited) and args.delimiter == "("):
            raise _located(source.lhs, lhs.pos, "the left of ':=' must be a name or f(x, …)")
        for a in args.items:
            name = _name(a)
            if name is None:
                raise _located(source.lhs, a.pos, "a parameter must be a plain symbol")
            params.append(name)
    name, subs, sups, family, case = _defined_head(head, lhs, source, indices)
    conditions = [parse_condition(c) for c in source.conditions]
    return DefinitionInfo(name, subs, sups, params, body, source.order, source.line,
                          conditions, family=family, case=case)  # fmt: skip


def _defined_head(
    head: ast.Node, lhs: ast.Node, source: DefinitionSource, indices: set[str]
) -> tuple[str, list[str], list[str], str, ast.Node | None]:
    """The defined name (with its literal scripts), its index placeholders, the letter
    it shares with other cases of its definition, and the script that tells its case
    apart (`\\alpha_{t+1}`, `\\beta_T`, `x^{(0)}`), where that is not a placeholder."""
    subs: list[str] = []
    sups: list[str] = []
    literal = ""
    case = None
    if isinstance(head, ast.Scripted):
        subs, sub_text = _script(head.sub, indices)
        sups, sup_text = _script(head.sup, indices)
        literal = (f"_{{{sub_text}}}" if sub_text else "") + (
            f"^{{{sup_text}}}" if sup_text else ""
        )
        if sub_text and head.sup is None:  # `\alpha_{t+1}`, `\beta_T`
            case = head.sub
        elif sup_text and head.sub is None:  # `x^{(0)}`
            case = head.sup
        head = head.base
    base = _name(head) if isinstance(head, ast.Atom) else None
    if base is None and isinstance(head, ast.Atom) and head.kind == "OPNAME":
        base = f"\\operatorname{{{head.text}}}"
    if base is None:
        raise _located(source.lhs, lhs.pos, "the left of ':=' must be a name or f(x, …)")
    return base + literal, subs, sups, base, case


def _named_value(lhs: ast.Node, families: set[str], body: ast.Node | None) -> bool:
    """`\\mathbb{V}[f_*]`, `\\mathcal{L}(\\theta, \\phi; x^{(i)})`: a head applied to
    brackets that are not a list of plain parameters names one value (R&W's
    predictive variance), not a function. So does a head applied to a declared
    family written whole that the body does not use as a parameter, Rabiner's
    `P(O | \\lambda)` with `O_t` declared (but `h(x) := \\sigma(\\theta^T x)` beside
    `x^{(i)}` is a function of x)."""
    if not (isinstance(lhs, ast.Product) and len(lhs.factors) == 2 and lhs.ops == [""]):
        return False
    head, args = lhs.factors
    if not isinstance(args, ast.Delimited) or args.delimiter not in ("(", "["):
        return False
    base = head.base if isinstance(head, ast.Scripted) else head
    if not (isinstance(base, ast.Atom) and base.kind in ("LETTER", "SYMBOL")):
        return False
    used = set(atoms(body)) if body is not None else set()
    if any(_name(a) in families and _name(a) not in used for a in args.items):
        return True
    return args.delimiter == "[" or any(_name(a) is None for a in args.items)


def _value_name(node: ast.Node) -> str:
    """How a named value is looked up: its LaTeX without spaces."""
    return canonical_script(compact(node))


def _defined_name(
    lhs: ast.Node, source: DefinitionSource, indices: set[str], families: set[str]
) -> str:
    """The name a `:=` row defines, from its left side (and its body, if it parses)."""
    try:
        body: ast.Node | None = parse_side(source.rhs)
    except PairError:
        body = None
    if _named_value(lhs, families, body):
        return _value_name(lhs)
    head = lhs.factors[0] if isinstance(lhs, ast.Product) and len(lhs.factors) == 2 else lhs
    return _defined_head(head, lhs, source, indices)[0]


def _index_names(declarations: list[Declaration]) -> tuple[set[str], set[str]]:
    """The declared indices (placeholders of definitions), and the declared families."""
    indices = {d.base for d in declarations if d.kind == Kind.INDEX and not d.indices}
    return indices, {d.base for d in declarations if d.indices}


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
    return [], canonical_script(compact(unwrap(node)))


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
    mode: Mode
    wrt: T.Ref | None = None
    givens: list[Given] = field(default_factory=list)  # stated, then (ENTAILS) the premise
    converse: list[Given] = field(default_factory=list)  # `\iff`: the conclusion, as a given
    premise: tuple[T.Term, T.Term] | None = None  # `\iff`: checked where the converse holds
    # IMPLIES: the premise as a given, made to hold at a second value of the variable
    implied: Given | None = None
    minimum_sizes: dict[str, int] = field(default_factory=dict)  # for literal members
    targets: Targets = field(default_factory=Targets)  # what each given was solved for
    conditions: list[T.Indicator] = field(default_factory=list)  # `where t \le T - 1`

    @property
    def fixed(self) -> frozenset[str]:
        """Symbols a given must not be solved for: the derivation variable."""
        return frozenset([self.wrt.name] if self.wrt is not None else [])


def definitions_in_force(task: PairTask) -> list[DefinitionInfo]:
    """The definitions a step may use, read with the page's indices and families."""
    indices, families = _index_names(task.declarations)
    return definition_infos(task.definitions, indices, families, placeholder_indices(task))


def placeholder_indices(task: PairTask) -> set[str]:
    """The indices a name may have inside its brackets or scripts: declared plain
    indices, not the letters of data values (`o^{(i)}: index 0..1` in `p(o = 1)`)."""
    return {d.base for d in task.declarations if d.kind == Kind.INDEX and not d.indices}


def understand(task: PairTask) -> Understood:
    """Parse and translate both sides; raise `PairError` with the place."""
    indices, families = _index_names(task.declarations)
    definitions = definitions_in_force(task)
    broken = {**task.broken, **broken_definitions(task.definitions, indices, families)}
    translator = Translator(task.declarations, definitions, broken)
    implication = task.relation.is_implication
    lhs_node = parse_side(task.lhs, equation=implication)
    rhs_node = parse_side(task.rhs, equation=implication)

    def tr(node: ast.Node, span: Span, sized: bool = True) -> T.Term:
        try:
            term = translator.translate(node)
        except TranslateError as err:
            raise _located(span, err.offset, err.message) from None
        except RecursionError:
            raise _located(span, 0, too_deep(span.text)) from None
        if sized:
            _sized(term, span)
        return term

    givens = [g for h in task.givens for g in _given(h, tr)]
    conditions = [_condition(h, translator) for h in task.directive.conditions]
    understood = _understand_sides(task, lhs_node, rhs_node, tr, translator)
    understood.conditions = conditions
    sides = [understood.lhs, understood.rhs] + ([understood.wrt] if understood.wrt else [])
    understood.givens = _connected(givens, sides) + understood.givens
    every = [understood.lhs, understood.rhs] + [
        t for g in understood.givens for t in (g.left, g.right)
    ]
    understood.minimum_sizes = textbook.literal_minimums(every, translator.declarations)
    for name, size in cases.minimum_sizes(every, translator.declarations).items():  # `m_2`
        understood.minimum_sizes[name] = max(understood.minimum_sizes.get(name, 1), size)
    return understood


def _connected(givens: list[Given], sides: list[T.Term]) -> list[Given]:
    """The givens that bear on the step: those that share a symbol with it, or with
    a given that does. Solving the others moves only symbols the step never reads."""
    names = {t.name for side in sides for t in side.walk() if isinstance(t, T.Ref)}
    kept: list[Given] = []
    changed = True
    while changed:
        changed = False
        for given in givens:
            mentioned = {
                t.name for side in (given.left, given.right) for t in side.walk()
                if isinstance(t, T.Ref)
            }  # fmt: skip
            if given not in kept and mentioned & names:
                kept.append(given)
                names |= mentioned
                changed = True
    return [g for g in givens if g in kept]


def _condition(stated: Hypothesis, translator: Translator) -> T.Indicator:
    """A `where` condition of the step, as an indicator (its errors say which)."""
    try:
        return condition_term(translator, parse_condition(stated), Scope())
    except TranslateError as err:
        raise PairError(f"in the condition 'where {stated.text}': {err.message}", stated.line,
                        stated.column) from None  # fmt: skip


def _given(hypothesis: Hypothesis, tr: Callable[[ast.Node, Span], T.Term]) -> list[Given]:
    """A stated equation, translated like a step (its errors say which given); a
    region (`c_j > \\lambda`, `-1 \\le x \\le 1`), one given per relation."""
    if is_region(hypothesis.text):
        return _region(hypothesis, tr)
    span = hypothesis.span
    try:
        node = parse_side(span, equation=True)
        assert isinstance(node, ast.Equation)
        left, right = tr(node.left, span), tr(node.right, span)
        _same_shape(left, right, span)
    except PairError as err:
        raise PairError(f"in the given {hypothesis.text}: {err.message}", err.line,
                        err.column) from None  # fmt: skip
    return [Given(hypothesis, left, right)]


def _region(hypothesis: Hypothesis, tr: Callable[[ast.Node, Span], T.Term]) -> list[Given]:
    found = []
    for left_span, relation, right_span in split_region(hypothesis):
        try:
            left = tr(parse_side(left_span), left_span)
            right = tr(parse_side(right_span), right_span)
            for side in (left, right):
                if side.shape not in (SCALAR, None):
                    raise _located(left_span, 0, "an inequality compares two scalars")
        except PairError as err:
            raise PairError(f"in the given {hypothesis.text}: {err.message}", err.line,
                            err.column) from None  # fmt: skip
        found.append(Given(hypothesis, left, right, relation))
    return found


class _Translate(Protocol):
    """How `understand` reads one side: translated, and its `\\mathbf{1}` sized
    unless `sized` is false (then the caller sizes it from the other side)."""

    def __call__(self, node: ast.Node, span: Span, sized: bool = True) -> T.Term: ...


def _understand_sides(
    task: PairTask, lhs_node: ast.Node, rhs_node: ast.Node, tr: _Translate,
    translator: Translator,
) -> Understood:  # fmt: skip
    if task.relation.is_implication:
        assert isinstance(lhs_node, ast.Equation) and isinstance(rhs_node, ast.Equation)
        premise_l, premise_r = tr(lhs_node.left, task.lhs), tr(lhs_node.right, task.lhs)
        _same_shape(premise_l, premise_r, task.lhs)
        target = tr(rhs_node.left, task.rhs)
        solution = tr(rhs_node.right, task.rhs)
        _same_shape(target, solution, task.rhs)
        if not isinstance(target, T.Ref):  # an equation, not `v = expr`: (contract §3)
            return _entailment(task, (premise_l, premise_r), (target, solution), translator)
        premise = T.Add([(1, premise_l), (-1, premise_r)], shape=premise_l.shape or SCALAR)
        understood = Understood(premise, solution, translator, Mode.IMPLIES, target)
        understood.implied = _premise_given(task, premise, T.Zero(shape=premise.shape))
        return understood
    lhs = tr(lhs_node, task.lhs, False)
    rhs = tr(rhs_node, task.rhs, False)
    textbook.size_ones_across(lhs, rhs)  # `\nabla_x\mu = \frac{1}{H}\mathbf{1}`
    _sized(lhs, task.lhs)
    _sized(rhs, task.rhs)
    mode = {Relation.EQUAL: Mode.EQUAL, Relation.PROPTO: Mode.PROPTO}.get(
        task.relation, Mode.INEQUALITY
    )
    if task.relation == Relation.EQUAL and (_has_const(lhs) or _has_const(rhs)):
        mode = Mode.CONST
        if _has_const(lhs):
            lhs = _drop_const(lhs, task.lhs)
        if _has_const(rhs):
            rhs = _drop_const(rhs, task.rhs)
    elif _has_const(lhs) or _has_const(rhs):
        raise _located(task.rhs, 0, "\\text{const} is only meaningful in '= \\text{const} + …'")
    _same_shape(lhs, rhs, task.rhs)
    if mode == Mode.INEQUALITY and (
        lhs.shape not in (SCALAR, None) or rhs.shape not in (SCALAR, None)
    ):
        raise _located(task.rhs, 0, "an inequality compares two scalars")
    if mode == Mode.PROPTO and (lhs.shape not in (SCALAR, None) or rhs.shape not in (SCALAR, None)):
        raise _located(task.rhs, 0, "\\propto compares two scalars (densities, likelihoods)")
    wrt = None
    if mode in (Mode.CONST, Mode.PROPTO):
        if not task.wrt:
            raise _located(
                task.rhs, 0,
                f"'{task.relation if mode == Mode.PROPTO else '= const +'}' needs the derivation"
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


def _entailment(
    task: PairTask, premise: tuple[T.Term, T.Term], conclusion: tuple[T.Term, T.Term],
    translator: Translator,
) -> Understood:  # fmt: skip
    """`premise ⟹ conclusion` between equations: the conclusion must hold at instances
    drawn to satisfy the premise (solved like a given); `\\iff` also the converse."""
    understood = Understood(conclusion[0], conclusion[1], translator, Mode.ENTAILS,
                            givens=[_premise_given(task, *premise)])  # fmt: skip
    if task.relation == Relation.IFF:
        line, column = task.rhs.position(0)
        written = " ".join(task.rhs.text.split())
        understood.converse = [Given(Hypothesis(written, line, column), *conclusion)]
        understood.premise = premise
    return understood


def _premise_given(task: PairTask, left: T.Term, right: T.Term) -> Given:
    """An implication's premise (its left side) as a given, named as written."""
    line, column = task.lhs.position(0)
    return Given(Hypothesis(" ".join(task.lhs.text.split()), line, column), left, right)


def _sized(term: T.Term, span: Span) -> None:
    unsized = textbook.unsized_ones(term)
    if unsized is not None:
        raise _located(span, unsized.pos, "the size of \\mathbf{1} is not fixed by what it"
                       " multiplies or is added to here: write \\mathbf{1}_m (m a declared"
                       " size)")  # fmt: skip


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
        "mode": u.mode.value,
    }


def refs(terms: list[T.Term]) -> list[T.Ref]:
    """Every symbol the terms refer to, once each, in order of appearance."""
    seen: dict[str, T.Ref] = {}
    for term in terms:
        for t in term.walk():
            if isinstance(t, T.Ref):
                seen.setdefault(t.name, t)
    return list(seen.values())
