"""Syntax tree + the page's notation -> typed terms (`verify.meaning.terms`).

Here LaTeX gets its meaning: which `x^{(i)}` is a family member and which
superscript a power, that `|A|` is a determinant for a matrix and an absolute
value for a number, that `\\sum` and `\\nabla` reach to the end of their
product term, and which shapes may be added or multiplied. Every problem is a
`TranslateError` at an offset into the side's text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import sympy as sp

from verify.errors import TranslateError
from verify.latex import tree as ast
from verify.latex.printer import compact
from verify.latex.syntax import (
    atoms,
    index_items,
    is_minus,
    is_transpose,
    parenthesized,
    unwrap,
)
from verify.meaning import dependence, templated, textbook, twins, zeros
from verify.meaning import terms as T
from verify.meaning.cases import case_families, case_member
from verify.meaning.conditions import Guarded, condition_term
from verify.meaning.known import KNOWN_SYNTAX, ROUNDINGS, known_syntax
from verify.meaning.operators import OPERATOR_HEADS, OperatorReader
from verify.meaning.scope import DefinitionInfo, Literal, Scope
from verify.model import Declaration, Kind, Part
from verify.reading import conditioned
from verify.reading.notation import canonical_script
from verify.shape import SCALAR, Shape, Size, show_shape, total

__all__ = ["DefinitionInfo", "Scope", "Translator"]


class Translator:
    """Turns the trees of one pair into terms, with the page's notation.

    Products, big operators, derivatives and calls are read by an
    `OperatorReader` that calls back into this translator (`scope.Reader`).
    """

    def __init__(
        self,
        declarations: list[Declaration],
        definitions: list[DefinitionInfo] | None = None,
        broken: dict[str, str] | None = None,
    ) -> None:
        self.declarations = {d.base: d for d in declarations}
        self.parts: dict[str, list[tuple[Part, Declaration]]] = {}
        for whole in declarations:
            for part in whole.parts:
                self.parts.setdefault(part.base, []).append((part, whole))
        # one letter, two meanings that the scripts tell apart (`verify.meaning.twins`)
        self.definitions, self.definition_twins = twins.twin_definitions(definitions or [])
        # recursions, written as their cases (`m_0`, `m_t`; `\alpha_1`, `\alpha_{t+1}`):
        # each is one `cases.CaseFamily`, whose cases leave the plain definitions
        ordered = sorted(self.definitions.values(), key=lambda d: d.order)
        self.cases = case_families(ordered, self.declarations)
        for family in self.cases.values():
            for info in family.infos:
                if self.definitions.get(info.base) is info:
                    del self.definitions[info.base]
        self.family_twins: dict[str, list[Declaration]] = {}
        self.conditioned: dict[tuple[str, str], Declaration] = {}
        for d in declarations:
            if d.letter:
                self.family_twins.setdefault(d.letter, []).append(d)
            named = conditioned.parts_of(d.base) if d.subscripts else None
            if named is not None:
                self.conditioned[named] = d
        # Names the page cannot use: a broken `symbols:` entry or `:=` row, and why.
        self.broken: dict[str, str] = dict(broken or {})
        self.undeclared: set[str] = set()
        self.functions_used: set[str] = set()
        self.depth = 0
        self.placeholders = 0
        self.operators = OperatorReader(self)

    def fresh_placeholder(self) -> str:
        """A name for the scalar slot of a function applied entry by entry."""
        self.placeholders += 1
        return f"\\arg{self.placeholders}"

    def product(self, factors: list[ast.Node], ops: list[str], scope: Scope, pos: int) -> T.Term:
        return self.operators.product(factors, ops, scope, pos)

    # ------------------------------------------------------------------ entry

    def translate(self, node: ast.Node, scope: Scope | None = None) -> T.Term:
        self.depth += 1
        try:
            if self.depth > 200:
                raise TranslateError("the expression is nested too deeply", node.pos)
            return self._translate(node, scope or Scope())
        finally:
            self.depth -= 1

    def _translate(self, node: ast.Node, scope: Scope) -> T.Term:
        if isinstance(node, ast.Atom):
            return self.atom(node, scope)
        if isinstance(node, ast.Scripted):
            return self.scripted(node, scope)
        if isinstance(node, ast.Sum):
            return self.add([(s, self.translate(t, scope)) for s, t in node.terms], node.pos)
        if isinstance(node, ast.Negate):
            body = self.translate(node.body, scope)
            return T.Add([(-1, body)], shape=body.shape, pos=node.pos)
        if isinstance(node, ast.Product):
            return self.product(node.factors, node.ops, scope, node.pos)
        if isinstance(node, KNOWN_SYNTAX) or (
            isinstance(node, ast.Delimited) and node.delimiter in ROUNDINGS
        ):
            return known_syntax(self, node, scope)
        if isinstance(node, ast.Delimited):
            if len(node.items) != 1:
                raise TranslateError(
                    "a list in parentheses is only allowed as the arguments of a function",
                    node.pos,
                )
            return self.translate(node.items[0], scope)
        if isinstance(node, ast.Bars):
            return self.bars(node, None, scope)
        if isinstance(node, ast.Inner):
            left, right = self.translate(node.left, scope), self.translate(node.right, scope)
            if left.shape != right.shape or (left.shape and not left.shape.is_column):
                raise TranslateError(
                    f"⟨a, b⟩ needs two vectors of one size, got {show_shape(left.shape)}"
                    f" and {show_shape(right.shape)}",
                    node.pos,
                )
            return T.Mul(T.Transpose(left, shape=_transposed(left.shape), pos=node.pos), right,
                         shape=SCALAR, pos=node.pos)  # fmt: skip
        if isinstance(node, ast.Fraction):
            return self.operators.fraction(node, scope)
        if isinstance(node, ast.Root):
            body = self.scalar(self.translate(node.body, scope), "a root")
            degree = (
                self.scalar(self.translate(node.degree, scope), "a root's degree")
                if (node.degree)
                else None
            )
            return T.Root(body, degree, pos=node.pos)
        if isinstance(node, ast.MatrixLiteral):
            return self.matrix_literal(node, scope)
        if isinstance(node, ast.Limit) and node.op == "=":
            raise TranslateError(
                f"'{compact(node)}': an '=' inside brackets belongs to the name of a value"
                " defined with := (as in p(x \\mid y = 1) := …), and none is defined so here",
                node.pos,
            )
        raise TranslateError(f"'{compact(node)}' is not an expression here", node.pos)

    # ------------------------------------------------------------------ atoms

    def atom(self, node: ast.Atom, scope: Scope) -> T.Term:
        if node.kind == "NUMBER":
            value = sp.Rational(node.text)
            return T.Number(value, shape=None if value == 0 else SCALAR, pos=node.pos)
        if node.kind in ("LETTER", "SYMBOL"):
            return self.symbol(node.text, None, None, 0, node.pos, scope)
        if node.kind == "CONST":
            return T.Constant(pos=node.pos)
        if node.kind == "INFTY":
            raise TranslateError("∞ cannot be evaluated", node.pos)
        if node.kind in ("FUNC", "OPNAME", "SUM", "PROD", "NABLA", "PARTIAL"):
            return self.product([node], [], scope, node.pos)
        if node.kind == "TRANSPOSE":
            raise TranslateError("a transpose mark must be a superscript", node.pos)
        raise TranslateError(f"unexpected '{node.text}'", node.pos)

    def scripted(self, node: ast.Scripted, scope: Scope) -> T.Term:
        base = node.base
        if isinstance(base, ast.Atom) and base.kind in ("LETTER", "SYMBOL"):
            return self.symbol(base.text, node.sub, node.sup, node.primes, node.pos, scope)
        if isinstance(base, ast.Atom) and base.kind in ("FUNC", "OPNAME", *OPERATOR_HEADS):
            return self.product([node], [], scope, node.pos)
        if isinstance(base, ast.Bars):
            if node.sub is not None and not base.double:
                raise TranslateError("a subscript on |…| is not supported", node.pos)
            term = self.bars(base, node.sub, scope)
            return self.superscript(term, node.sup, node.primes, scope, node.pos)
        if node.sub is not None:
            if isinstance(base, ast.Delimited) and base.delimiter == "(":
                body = self.translate(base, scope)
                entry = textbook.expression_entry(self, body, node.sub, scope, node.pos)
                return self.superscript(entry, node.sup, node.primes, scope, node.pos)
            raise TranslateError(f"a subscript on '{compact(base)}'", node.pos)
        term = self.translate(base, scope)
        return self.superscript(term, node.sup, node.primes, scope, node.pos)

    def symbol(
        self, name: str, sub: ast.Node | None, sup: ast.Node | None, primes: int, pos: int,
        scope: Scope,
    ) -> T.Term:  # fmt: skip
        if primes and name + "'" * primes in self.declarations:
            name, primes = name + "'" * primes, 0  # `x'` declared as a symbol of its own
        name = self.twin(name, sub, sup, pos)
        if name in self.family_twins:  # `z^{i}` beside `z` and `z^{(i)}`
            twins.refuse_bare_index(self.family_twins[name], name, sup, pos,
                                    lambda n: self.is_index(n, scope))  # fmt: skip
        member = twins.conditioned_family(self.conditioned, name, sub, pos)
        if member is not None:  # `\phi_{l|y=1}`: member l of the family `\phi_{j|y=1}`
            found, sup = self.member(member[0], member[1], sup, scope, pos)
            return self.superscript(found, sup, primes, scope, pos, name=name)
        if name in scope.params:
            if sub is not None:
                # `\\alpha_i` in the body of `f(\\alpha) := …`, `\\alpha` declared with
                # `entries \\alpha_i`: entry i of the argument
                if any(whole.base == name for _, whole in self.parts.get(name, [])):
                    entry = textbook.expression_entry(self, scope.params[name], sub, scope, pos)
                    return self.superscript(entry, sup, primes, scope, pos)
                raise TranslateError(f"the parameter {name} takes no subscript", pos)
            return self.superscript(scope.params[name], sup, primes, scope, pos, name=name)
        if name in scope.indices and sub is None:
            return self.superscript(scope.indices[name], sup, primes, scope, pos, name=name)
        templated_name = templated.read(self, name, sub, sup, scope, pos)
        if templated_name is not None:  # `\\mu_{z^{(i)}|x^{(i)}}`: indices inside a script
            return self.superscript(templated_name[0], templated_name[1], primes, scope, pos,
                                    name=name)  # fmt: skip
        literal = self.literal(name, sub, sup)
        if literal is None and name in self.cases:  # `m_{t-1}`, `x^{(t-1)}`: by cases
            family = self.cases[name]
            script, rest = (sub, sup) if family.script == "_" else (sup, None)
            if script is not None and (family.script == "_" or sub is None):
                written = (f"{name}_{{{compact(unwrap(script))}}}" if family.script == "_"
                           else f"{name}^{{{compact(script)}}}")  # fmt: skip
                case = case_member(self, family, script, [], scope, written, pos)
                return self.superscript(case, rest, primes, scope, pos, name=name)
        rest = textbook.split_transpose(sup) if literal is None else None
        if rest is not None and not self.is_integer_name("T"):
            # `x^{(i)T}`, `w^{*T}`: the name's script, then a transpose
            named = self.symbol(name, sub, rest, 0, pos, scope)
            named = T.Transpose(named, shape=_transposed(named.shape), pos=pos)
            return self.superscript(named, None, primes, scope, pos)
        self.check_usable(name, sub, sup, literal, pos)
        if literal is not None:
            name, sub, sup = literal
        decl = self.declarations.get(name)
        if name in scope.bound or (
            decl and decl.kind.is_integer and sub is None and not decl.is_random
            and not decl.indices
        ):  # fmt: skip
            # a random index (`c: index 1..k, random Categorical(\phi)`) is a value
            term: T.Term = T.IndexValue(name, pos=pos)
            return self.superscript(term, sup, primes, scope, pos, name=name)
        if literal is None:
            for part, whole in self.parts.get(name, []):
                if textbook.part_pattern_fits(part, sub, sup):
                    term, sup = textbook.read_part(self, part, whole, sub, sup, scope, pos)
                    return self.superscript(term, sup, primes, scope, pos, name=name)
        if name in self.definitions and not twins.plain_reading(
            self.definitions[name], self.declarations, sub, sup
        ):
            definition = self.definitions[name]
            if definition.params:
                raise TranslateError(
                    f"{name} is defined as a function of {', '.join(definition.params)}:"
                    " give its arguments",
                    pos,
                )
            if sub is None and definition.subscripts and not definition.superscripts:
                term = textbook.tabulate(self, definition, pos)  # `K` after `K_{ij} := …`
                return self.superscript(term, sup, primes, scope, pos)
            term, sup = self.expand(definition, sub, sup, [], scope, pos)
            return self.superscript(term, sup, primes, scope, pos, name=name)
        if decl is not None:
            if decl.kind == Kind.SUBSET:
                raise TranslateError(
                    f"{name} is a set of indices: it is the range of a sum, as in"
                    f" \\sum_{{n \\in {decl.key}}}",
                    pos,
                )
            if decl.kind == Kind.FUNCTION:
                raise TranslateError(f"the function {name} needs arguments, as in {name}(x)", pos)
            if decl.kind == Kind.IDENTITY:
                size = decl.shape.rows if decl.shape else Size.number(1)
                if sub is not None:
                    size = self.identity_size(decl, sub, pos)
                term = T.Identity(size, shape=Shape(size, size), pos=pos)
                return self.superscript(term, sup, primes, scope, pos, name=name)
            if decl.kind == Kind.MATRIX and sub is not None and not decl.indices:
                term = textbook.matrix_entry(self, decl, sub, scope, pos)  # `A_{ij}`
                return self.superscript(term, sup, primes, scope, pos, name=name)
            if name == "\\pi" and sub is None and decl.subscripts:  # 2\pi beside \pi_k
                return self.superscript(T.Number(sp.pi, pos=pos), sup, primes, scope, pos)
            term, sup = self.member(decl, sub, sup, scope, pos)
            return self.superscript(term, sup, primes, scope, pos, name=name)
        return self.undeclared_symbol(name, sub, sup, primes, pos, scope)

    def twin(self, name: str, sub: ast.Node | None, sup: ast.Node | None, pos: int) -> str:
        """The name of the family or definition a shared letter stands for here; a
        declared literal name (`m_1` beside the family `m_j`) is read as such first."""
        if (name in self.family_twins or name in self.definition_twins) and self.literal(
            name, sub, sup
        ) is not None:
            return name
        if name in self.family_twins:
            family = twins.family_named(self.family_twins[name], sub, sup)
            if family is not None:
                return family.base
        if name in self.definition_twins:
            return twins.definition_named(self.definition_twins[name], sub, pos) or name
        return name

    def is_integer_name(self, name: str) -> bool:
        decl = self.declarations.get(name)
        return decl is not None and decl.kind.is_integer

    def check_usable(
        self, name: str, sub: ast.Node | None, sup: ast.Node | None, literal: Literal | None,
        pos: int,
    ) -> None:  # fmt: skip
        """A name whose declaration or definition failed is an error that says so."""
        if not self.broken:
            return
        names = [literal[0]] if literal is not None else []
        if sub is not None:
            names.append(f"{name}_{{{canonical_script(compact(unwrap(sub)))}}}")
        if sup is not None:
            names.append(f"{name}^{{{canonical_script(compact(unwrap(sup)))}}}")
        names.append(name)
        for candidate in names:
            if candidate in self.broken and candidate not in self.declarations:
                raise TranslateError(
                    f"{candidate} cannot be used here: {self.broken[candidate]}; fix that first",
                    pos,
                )

    def literal(self, name: str, sub: ast.Node | None, sup: ast.Node | None) -> Literal | None:
        """A declared symbol whose scripts are part of its name (`W_1`, `I_p`)."""
        sub_text = canonical_script(compact(unwrap(sub))) if sub is not None else None
        sup_text = canonical_script(compact(unwrap(sup))) if sup is not None else None
        candidates: list[Literal] = []
        if sub_text is not None and sup_text is not None:
            candidates.append((f"{name}_{{{sub_text}}}^{{{sup_text}}}", None, None))
        if sub_text is not None:
            candidates.append((f"{name}_{{{sub_text}}}", None, sup))
        if sup_text is not None:
            candidates.append((f"{name}^{{{sup_text}}}", sub, None))
        for candidate in candidates:
            if candidate[0] in self.declarations or candidate[0] in self.definitions:
                return candidate
        return None

    def undeclared_symbol(
        self, name: str, sub: ast.Node | None, sup: ast.Node | None, primes: int, pos: int,
        scope: Scope,
    ) -> T.Term:  # fmt: skip
        if name in ("|", "*"):  # from a script, where `\\mu_{t|t-1}` and `\\phi_*` are names
            raise TranslateError(
                f"'{name}' in a script is read as part of a symbol's name (as in \\mu_{{t|t-1}},"
                " \\phi_*), but no declared symbol is written so here: declare it, or write"
                " an absolute value or product outside the script",
                pos,
            )
        if scope.in_index:
            raise TranslateError(
                f"'{name}' is used as an index but is not declared (e.g. '{name}: index 1..m')",
                pos,
            )
        if name in zeros.BOLD_ZEROS:
            return self.superscript(zeros.bold_zero(name, sub, self.declarations, pos), sup,
                                    primes, scope, pos)  # fmt: skip
        if name == textbook.ONES:
            return self.superscript(textbook.ones(sub, self.declarations, pos), sup, primes,
                                    scope, pos)  # fmt: skip
        if name == "\\delta":
            term = textbook.delta(self, sub, scope, pos, lambda n: self.is_index(n, scope))
            if term is not None:
                return self.superscript(term, sup, primes, scope, pos)
        if name == "e" and sub is None and primes == 0:
            if sup is None:
                return T.Number(sp.E, pos=pos)
            exponent = self.translate(sup, scope)
            return T.Apply("exp", self.entrywise(exponent, "an exponent"), shape=exponent.shape
                           or SCALAR, pos=pos)  # fmt: skip
        if re.fullmatch(r"\\math(?:rm|sf)\{[A-Za-z]{2,}\}", name):
            raise TranslateError(
                f"{name} is not declared: declare it (e.g. '{name}: scalar') or define it with :=",
                pos,
            )
        if name == "\\pi" and sub is None:
            return self.superscript(T.Number(sp.pi, pos=pos), sup, primes, scope, pos, name=name)
        if parenthesized(sup):
            raise TranslateError(
                f"{name}^{{{compact(unwrap(sup))}}}: declare the family, e.g."
                f" '{name}^{{(i)}}: vector(n)'",
                pos,
            )
        full = name
        if sub is not None:
            text = compact(unwrap(sub))
            for atom in atoms(sub):
                known = self.declarations.get(atom)
                if (
                    atom in scope.bound
                    or atom in scope.indices
                    or (known is not None and known.kind.is_integer)
                ):
                    raise TranslateError(
                        f"{name}_{{{text}}} depends on the index {atom}, but {name} is not"
                        f" declared: declare it, e.g. '{name}_{atom}: scalar'",
                        pos,
                    )
            full = f"{name}_{{{text}}}"
        if primes or (is_transpose(sup) and not self.power_letter(sup, scope)):
            mark = "'" * primes if primes else f"^{{{compact(unwrap(sup))}}}"
            raise TranslateError(
                f"{full}{mark}: {full} is not declared, so it is a real scalar, and a prime or"
                f" transpose on it is another variable, a derivative or a no-op: declare {full}"
                f" (as a vector or matrix to transpose it, e.g. '{full}: vector(n)'), or declare"
                f" {full}{mark} as a symbol of its own",
                pos,
            )
        self.undeclared.add(full)
        return self.superscript(T.Ref(full, shape=SCALAR, pos=pos), sup, 0, scope, pos)

    def is_index(self, node: ast.Node, scope: Scope) -> bool:
        """A whole number, a declared index, or a bound or placeholder index."""
        node = unwrap(node) or node
        if isinstance(node, ast.Atom) and node.kind == "NUMBER":
            return node.text.isdigit()
        name = node.text if isinstance(node, ast.Atom) else None
        if name is None:
            return False
        decl = self.declarations.get(name)
        return (
            name in scope.bound
            or name in scope.indices
            or (decl is not None and decl.kind == Kind.INDEX)
        )

    def member(
        self, decl: Declaration, sub: ast.Node | None, sup: ast.Node | None, scope: Scope,
        pos: int,
    ) -> tuple[T.Term, ast.Node | None]:  # fmt: skip
        """A declared symbol with its indices; returns the remaining superscript."""
        written = decl.base + (f"_{{{compact(unwrap(sub))}}}" if sub is not None else "")
        if decl.superscripts and sup is not None:
            written += f"^{{{compact(unwrap(sup))}}}"
        problem = None
        if decl.subscripts and sub is None:
            problem = "missing the subscript index"
        elif sub is not None and not decl.indices and decl.kind == Kind.VECTOR:
            script = compact(unwrap(sub))
            index = script if script.isalpha() else "i"
            problem = (
                f"{decl.base} takes no subscript. If {written} is an entry of {decl.base},"
                f" declare '{decl.key}: {decl.describe_kind()}, entries {decl.base}_{index}'"
                f" (with {index} a declared index)"
            )
        elif sub is not None and not decl.subscripts:
            problem = f"{decl.base} takes no subscript"
        elif decl.superscripts and sup is None:
            problem = "missing the superscript index"
        if problem:
            raise TranslateError(f"'{written}' does not match '{decl.key}': {problem}", pos)

        def indices_of(
            script: ast.Node | None, placeholders: tuple[str, ...], where: str
        ) -> list[ast.Node]:
            items = index_items(script, len(placeholders))
            if len(items) != len(placeholders):
                raise TranslateError(
                    f"'{written}' does not match '{decl.key}': expected"
                    f" {len(placeholders)} {where} index(es)",
                    pos,
                )
            return items

        index_nodes: list[ast.Node] = []
        if decl.subscripts:
            index_nodes.extend(indices_of(sub, decl.subscripts, "subscript"))
        remaining = sup
        if decl.superscripts:
            index_nodes.extend(indices_of(sup, decl.superscripts, "superscript"))
            remaining = None
        indices = [self.index(n, scope) for n in index_nodes]
        shape = decl.shape if decl.kind in (Kind.VECTOR, Kind.MATRIX) else SCALAR
        ref = T.Ref(decl.base, indices, family=bool(decl.indices), shape=shape, pos=pos)
        return dependence.dependent(ref, decl), remaining

    def index(self, node: ast.Node, scope: Scope) -> T.Term:
        term = self.translate(node, Scope(scope.bound, scope.indices, scope.params, True,
                                          scope.avoid))  # fmt: skip
        if term.shape not in (SCALAR, None):
            raise TranslateError("an index must be a number", node.pos)
        return term

    def expand(
        self, definition: DefinitionInfo, sub: ast.Node | None, sup: ast.Node | None,
        args: list[T.Term], scope: Scope, pos: int,
    ) -> tuple[T.Term, ast.Node | None]:  # fmt: skip
        """A defined name used at `pos`: its body, with placeholders and parameters bound."""
        inner = Scope(frozenset(), {}, {}, False)
        subs = index_items(sub, len(definition.subscripts)) if definition.subscripts else []
        if len(subs) != len(definition.subscripts) or (sub is not None and not subs):
            raise TranslateError(
                f"{definition.base} is defined with {len(definition.subscripts)} subscript"
                " index(es)",
                pos,
            )
        sups: list[ast.Node] = []
        remaining = sup
        if definition.superscripts:
            sups = index_items(sup, len(definition.superscripts))
            if len(sups) != len(definition.superscripts):
                raise TranslateError(
                    f"{definition.base} is defined with {len(definition.superscripts)}"
                    " superscript index(es)",
                    pos,
                )
            remaining = None
        index_terms = [self.index(node, scope) for node in subs + sups]
        for name, term in zip(definition.subscripts + definition.superscripts, index_terms,
                              strict=True):  # fmt: skip
            inner.indices[name] = term
        if len(args) != len(definition.params):
            raise TranslateError(
                f"{definition.base} takes {len(definition.params)} argument(s), got {len(args)}",
                pos,
            )
        inner.params = dict(zip(definition.params, args, strict=True))
        inner.avoid = frozenset(
            t.name for term in [*inner.indices.values(), *args] for t in term.walk()
            if isinstance(t, T.IndexValue)
        )  # fmt: skip
        if self.depth > 150:
            raise TranslateError(f"the definition of {definition.base} refers to itself", pos)
        saved = self.definitions
        self.definitions = {k: v for k, v in saved.items() if v.order < definition.order}
        try:
            body = self.translate(definition.body, inner)
        except TranslateError as err:
            raise TranslateError(
                f"in the definition of {definition.base} (line {definition.line}): {err.message}",
                pos,
            ) from None
        finally:
            self.definitions = saved
        if definition.conditions:  # `\xi_t(i, j) :=` where t \le T - 1
            written = definition.base + "".join(
                f"{mark}{{{compact(unwrap(node))}}}" for mark, node in (("_", sub), ("^", sup))
                if node is not None
            )  # fmt: skip
            body = self.guarded(definition, body, inner, written, pos)
        return body, remaining

    def guarded(
        self, definition: DefinitionInfo, body: T.Term, inner: Scope, written: str, pos: int
    ) -> T.Term:
        """The body of a definition stated under conditions, which must hold where used."""
        try:
            conditions = [condition_term(self, c, inner) for c in definition.conditions]
        except TranslateError as err:
            raise TranslateError(
                f"in the condition of {definition.base} (line {definition.line}): {err.message}",
                pos,
            ) from None
        where = ", ".join(c.written for c in definition.conditions)
        return Guarded(body, conditions, written, where, shape=body.shape, pos=pos)

    # ------------------------------------------------------------- operations

    def superscript(
        self, term: T.Term, sup: ast.Node | None, primes: int, scope: Scope, pos: int,
        *, name: str = "",
    ) -> T.Term:  # fmt: skip
        if primes:
            term = self.prime(term, primes, pos, name)
        if sup is None:
            return term
        if (is_transpose(sup) or is_minus(sup, "T")) and self.power_letter(sup, scope):
            if term.shape not in (SCALAR, None):
                raise TranslateError(
                    f"^{{{compact(unwrap(sup))}}} on a {show_shape(term.shape)}: T is a declared"
                    " number here, so this is the transpose or the power T: write ^\\top for the"
                    " transpose (^{-\\top} with the inverse)",
                    pos,
                )
            exponent = self.scalar(self.translate(sup, scope), "an exponent")
            return T.Power(term, exponent, pos=pos)  # β^T with T a horizon: a power
        if is_transpose(sup):
            return T.Transpose(term, shape=_transposed(term.shape), pos=pos)
        if is_minus(sup, "T"):
            self.square(term, "an inverse", pos)
            inv = T.Inverse(term, shape=term.shape, pos=pos)
            return T.Transpose(inv, shape=_transposed(term.shape), pos=pos)
        if term.shape not in (SCALAR, None):
            if is_minus(sup, "1"):
                self.square(term, "an inverse", pos)
                return T.Inverse(term, shape=term.shape, pos=pos)
            exponent = self.translate(sup, scope)
            self.square(term, "a power", pos)
            return T.Power(term, exponent, shape=term.shape, pos=pos)
        exponent = self.scalar(self.translate(sup, scope), "an exponent")
        if (
            isinstance(term, T.MatrixFunction) and term.function == "norm" and term.order == 2
            and isinstance(exponent, T.Number) and exponent.number == 2
        ):  # fmt: skip
            # ‖v‖² is a sum of squares: no square root, so it is smooth at v = 0
            return T.MatrixFunction("normsq", term.body, pos=pos)
        return T.Power(term, exponent, pos=pos)

    def power_letter(self, sup: ast.Node | None, scope: Scope) -> bool:
        """Whether a superscript `T` (or `-T`) is a number: a declared size, index or
        scalar named T, or a bound name T. Then `β^T` is a power, not a transpose."""
        node = unwrap(sup)
        if isinstance(node, ast.Negate):
            node = unwrap(node.body)
        if not (isinstance(node, ast.Atom) and node.kind == "LETTER" and node.text == "T"):
            return False
        decl = self.declarations.get("T")
        numeric = decl is not None and (decl.kind.is_integer or decl.kind == Kind.SCALAR)
        return numeric or "T" in scope.bound or "T" in scope.indices or "T" in scope.params

    def prime(self, term: T.Term, primes: int, pos: int, name: str = "") -> T.Term:
        """`A'` transposes a vector or matrix (or a scalar made of them, `(x^T y)'`).
        On a scalar it could be another variable or a derivative: an error."""
        if term.shape in (SCALAR, None) and all(t.shape in (SCALAR, None) for t in term.walk()):
            written = (name or "x") + "'" * primes
            raise TranslateError(
                f"{name + chr(39) * primes + ': ' if name else ''}a prime on a scalar reads as"
                f" another variable or as a derivative: declare '{written}: scalar' for a symbol"
                f" of its own, or declare the function ('{name or 'f'}: function') and write"
                f" {name or 'f'}'(x) for its derivative",
                pos,
            )
        for _ in range(primes):
            term = T.Transpose(term, shape=_transposed(term.shape), pos=pos)
        return term

    def square(self, term: T.Term, what: str, pos: int) -> None:
        if term.shape is not None and not term.shape.is_square:
            raise TranslateError(f"{what} needs a square matrix, got {show_shape(term.shape)}", pos)

    def entrywise(self, term: T.Term, what: str) -> T.Term:
        """A scalar, or a vector for a function applied entry by entry (e^{-z})."""
        if term.shape in (SCALAR, None) or term.shape.is_column:
            return term
        raise TranslateError(
            f"{what} must be a scalar or a vector, got {show_shape(term.shape)}", term.pos
        )

    def scalar(self, term: T.Term, what: str) -> T.Term:
        if term.shape not in (SCALAR, None):
            raise TranslateError(f"{what} must be a scalar, got {show_shape(term.shape)}", term.pos)
        return term

    def add(self, items: list[tuple[int, T.Term]], pos: int) -> T.Term:
        textbook.size_ones_in_sum(items)
        shape: Shape | None = None
        for _, term in items:
            if isinstance(term, T.Constant):
                continue
            if term.shape is None:
                continue
            if shape is None:
                shape = term.shape
            elif term.shape != shape:
                raise TranslateError(
                    f"cannot add a {show_shape(shape)} and a {show_shape(term.shape)}", term.pos
                )
        if all(t.shape is None for _, t in items):
            shape = None
        return (
            T.Add(items, shape=shape if shape is not None else SCALAR, pos=pos)
            if any(t.shape is not None for _, t in items)
            else T.Add(items, shape=None, pos=pos)
        )

    def multiply(self, left: T.Term, right: T.Term, op: str, pos: int) -> T.Term:
        """Two factors with the operator written between them ("" when side by side)."""
        textbook.size_ones_in_product(left, right)
        product = PRODUCTS.get(op, Translator.matrix_product)
        return product(self, left, right, op, pos)

    def solve(self, left: T.Term, right: T.Term, op: str, pos: int) -> T.Term:
        """`A \\backslash b` (as R&W and MATLAB write it): A^{-1} b."""
        return textbook.solve(left, right, pos)

    def divide(self, left: T.Term, right: T.Term, op: str, pos: int) -> T.Term:
        self.scalar(right, "a denominator")
        return T.Div(left, right, shape=left.shape if left.shape is not None else SCALAR, pos=pos)

    def hadamard(self, left: T.Term, right: T.Term, op: str, pos: int) -> T.Term:
        a, b = left.shape, right.shape
        if a != b:
            raise TranslateError(
                f"⊙ needs two of one shape, got {show_shape(a)} and {show_shape(b)}", pos
            )
        return T.Hadamard(left, right, shape=a, pos=pos)

    def kronecker(self, left: T.Term, right: T.Term, op: str, pos: int) -> T.Term:
        """`A \\otimes B`: the block matrix of a_ij B, of size (rows·rows) × (cols·cols)."""
        a, b = left.shape or SCALAR, right.shape or SCALAR
        shape = Shape(a.rows * b.rows, a.cols * b.cols)
        return T.Kronecker(left, right, shape=shape, pos=pos)

    def matrix_product(self, left: T.Term, right: T.Term, op: str, pos: int) -> T.Term:
        """Side by side, `\\cdot`, `\\times`, `*`: the matrix product; `\\cdot` between two
        vectors is their dot product, `\\times` and `*` between two vectors see
        `VECTOR_PRODUCTS`."""
        a, b = left.shape, right.shape
        if op in VECTOR_PRODUCTS and _vector(a) and _vector(b):
            return VECTOR_PRODUCTS[op](self, left, right, op, pos)
        if op == "cdot" and a == b and a is not None and a != SCALAR and a.is_column:
            trans = T.Transpose(left, shape=_transposed(a), pos=pos)
            return T.Mul(trans, right, shape=SCALAR, pos=pos)
        if a in (SCALAR, None):
            shape = b if a == SCALAR or b not in (SCALAR, None) else None
            if a is None and b is None:
                shape = None
            return T.Mul(left, right, shape=shape if shape is not None else (b or SCALAR)
                         if a == SCALAR else shape, pos=pos)  # fmt: skip
        if b in (SCALAR, None):
            return T.Mul(left, right, shape=a, pos=pos)
        assert a is not None and b is not None
        if a.cols != b.rows:
            raise TranslateError(
                f"cannot multiply a {show_shape(a)} ({a.rows}×{a.cols}) by a {show_shape(b)}"
                f" ({b.rows}×{b.cols})",
                right.pos,
            )
        return T.Mul(left, right, shape=Shape(a.rows, b.cols), pos=pos)

    def cross(self, left: T.Term, right: T.Term, op: str, pos: int) -> T.Term:
        """`u \\times v`: the cross product of two 3-vectors; between other vectors, an error."""
        three = Shape.of(Size.number(3), 1)
        if left.shape == three and right.shape == three:
            return T.Cross(left, right, shape=three, pos=pos)
        raise TranslateError(
            f"\\times between a {show_shape(left.shape)} and a {show_shape(right.shape)}: a cross"
            " product is defined for two vectors of size 3 only (declare them vector(3)); for"
            " the dot product write u^T v or u \\cdot v",
            pos,
        )

    def star(self, left: T.Term, right: T.Term, op: str, pos: int) -> T.Term:
        """`u * v` between two vectors: a dot product or an entrywise product? An error."""
        raise TranslateError(
            f"* between a {show_shape(left.shape)} and a {show_shape(right.shape)} reads as a"
            " dot product or as an entrywise product: write u^T v (or u \\cdot v) for the dot"
            " product, u \\odot v for the entrywise one",
            pos,
        )

    def bars(self, node: ast.Bars, sub: ast.Node | None, scope: Scope) -> T.Term:
        body = self.translate(node.body, scope)
        if node.double:
            order = 2
            if sub is not None:
                text = compact(unwrap(sub))
                if text not in ("1", "2"):
                    raise TranslateError(f"the norm ‖·‖_{text} is not supported", node.pos)
                order = int(text)
            if body.shape is not None and not body.shape.is_column:
                raise TranslateError(
                    f"‖·‖ is defined here for vectors, got {show_shape(body.shape)}", node.pos
                )
            return T.MatrixFunction("norm", body, order, pos=node.pos)
        if body.shape in (SCALAR, None):
            return T.MatrixFunction("abs", body, pos=node.pos)
        self.square(body, "a determinant |A|", node.pos)
        return T.MatrixFunction("det", body, pos=node.pos)

    def identity_size(self, decl: Declaration, sub: ast.Node, pos: int) -> Size:
        """`I_m`: an identity whose size is written as its subscript."""
        text = compact(unwrap(sub))
        known = self.declarations.get(text)
        if text.isdigit():
            return Size.number(int(text))
        if known is not None and known.kind == Kind.SIZE:
            return Size.name(text)
        raise TranslateError(
            f"'{decl.base}_{{{text}}}': the subscript of an identity must be a declared size"
            " or a number",
            pos,
        )

    def matrix_literal(self, node: ast.MatrixLiteral, scope: Scope) -> T.Term:
        rows = [[self.translate(c, scope) for c in row] for row in node.rows]
        width = len(rows[0])
        if any(len(r) != width for r in rows):
            raise TranslateError("the rows of a matrix must have the same length", node.pos)
        one = Size.number(1)
        heights: list[Size] = []
        for r in rows:
            hs = {c.shape.rows for c in r if c.shape is not None}
            if len(hs) > 1:
                raise TranslateError("blocks in one row must have the same height", node.pos)
            heights.append(hs.pop() if hs else one)
        widths: list[Size] = []
        for k in range(width):
            ws = {s.cols for s in (r[k].shape for r in rows) if s is not None}
            if len(ws) > 1:
                raise TranslateError("blocks in one column must have the same width", node.pos)
            widths.append(ws.pop() if ws else one)
        for r, height in zip(rows, heights, strict=True):
            for k, cell in enumerate(r):
                if cell.shape is None:  # a literal 0: a zero block of the size around it
                    r[k] = T.Zero(shape=Shape(height, widths[k]), pos=cell.pos)
        shape = Shape(total(heights), total(widths))
        return T.MatrixLiteral(rows, shape=shape, pos=node.pos)


ProductReader = Callable[[Translator, T.Term, T.Term, str, int], T.Term]
# Written operators with a meaning of their own; any other is the matrix product.
PRODUCTS: dict[str, ProductReader] = {
    "/": Translator.divide,
    "odot": Translator.hadamard,
    "otimes": Translator.kronecker,
    "backslash": Translator.solve,
}


# Written operators whose meaning between two vectors is their own (or ambiguous).
VECTOR_PRODUCTS: dict[str, ProductReader] = {
    "times": Translator.cross,
    "*": Translator.star,
    "ast": Translator.star,
}


def _vector(shape: Shape | None) -> bool:
    return shape is not None and shape != SCALAR and shape.is_column


def _transposed(shape: Shape | None) -> Shape | None:
    return None if shape is None else shape.transposed()
