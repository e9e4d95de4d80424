"""Syntax tree + the page's notation -> typed terms (`verify.terms`).

Here LaTeX gets its meaning: which `x^{(i)}` is a family member and which
superscript a power, that `|A|` is a determinant for a matrix and an absolute
value for a number, that `\\sum` and `\\nabla` reach to the end of their
product term, and which shapes may be added or multiplied. Every problem is a
`TranslateError` at an offset into the side's text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from verify import parse as ast
from verify import terms as T
from verify.model import Declaration
from verify.terms import SCALAR, Shape, TranslateError, show_shape

OPERATOR_HEADS = ("SUM", "PROD", "NABLA")
MATRIX_FUNCTIONS = {"det", "tr", "diag"}
TRANSPOSE_MARKS = {"T", "\\mathrm{T}", "\\mathsf{T}", "top", "intercal", "\\top"}


@dataclass
class DefinitionInfo:
    """A `:=` definition: a name with index placeholders and parameters."""

    base: str
    subscripts: list[str]
    superscripts: list[str]
    params: list[str]
    body: ast.Node
    order: int
    line: int


@dataclass
class Scope:
    """What names mean locally: bound sum variables, placeholders, parameters."""

    bound: frozenset[str] = frozenset()
    indices: dict[str, T.Term] = field(default_factory=dict)
    params: dict[str, T.Term] = field(default_factory=dict)
    in_index: bool = False

    def binding(self, name: str) -> Scope:
        indices = {k: v for k, v in self.indices.items() if k != name}
        params = {k: v for k, v in self.params.items() if k != name}
        return Scope(self.bound | {name}, indices, params, self.in_index)


def latex_of(node: ast.Node | None) -> str:
    """A compact LaTeX rendering of a tree, for names and messages."""
    if node is None:
        return ""
    if isinstance(node, ast.Atom):
        if node.kind in ("FUNC", "OPNAME"):
            return f"\\operatorname{{{node.text}}}" if node.kind == "OPNAME" else f"\\{node.text}"
        if node.kind in ("SUM", "PROD", "NABLA", "PARTIAL", "INFTY"):
            return "\\" + node.text
        if node.kind == "TRANSPOSE":
            return node.text if node.text.startswith("\\") else "\\" + node.text
        if node.kind == "CONST":
            return "\\text{const}"
        return node.text
    if isinstance(node, ast.Scripted):
        out = latex_of(node.base)
        if node.sub is not None:
            out += "_{" + latex_of(node.sub) + "}"
        if node.sup is not None:
            out += "^{" + latex_of(node.sup) + "}"
        return out + "'" * node.primes
    if isinstance(node, ast.Delimited):
        inner = ", ".join(latex_of(i) for i in node.items)
        close = {"(": ")", "[": "]", "\\{": "\\}", "{": "}"}[node.delimiter]
        if node.delimiter == "{":
            return inner
        return node.delimiter + inner + close
    if isinstance(node, ast.Sum):
        out = ""
        for n, (sign, term) in enumerate(node.terms):
            text = latex_of(term)
            out += (" - " if sign < 0 else (" + " if n else "")) + text
        return out
    if isinstance(node, ast.Negate):
        return "-" + latex_of(node.body)
    if isinstance(node, ast.Product):
        parts = [latex_of(node.factors[0])]
        for op, f in zip(node.ops, node.factors[1:], strict=True):
            sep = {"": " ", "/": "/", "odot": " \\odot "}.get(op, f" \\{op} ")
            parts.append(sep + latex_of(f))
        return "".join(parts)
    if isinstance(node, ast.Fraction):
        return f"\\frac{{{latex_of(node.numerator)}}}{{{latex_of(node.denominator)}}}"
    if isinstance(node, ast.Bars):
        bar = "\\|" if node.double else "|"
        return bar + latex_of(node.body) + bar
    if isinstance(node, ast.Root):
        deg = f"[{latex_of(node.degree)}]" if node.degree else ""
        return f"\\sqrt{deg}{{{latex_of(node.body)}}}"
    if isinstance(node, ast.Inner):
        return f"\\langle {latex_of(node.left)}, {latex_of(node.right)} \\rangle"
    if isinstance(node, ast.Limit):
        op = "=" if node.op == "=" else " \\ne "
        return latex_of(node.left) + op + latex_of(node.right)
    if isinstance(node, ast.Sequence):
        return ", ".join(latex_of(i) for i in node.items)
    if isinstance(node, ast.Equation):
        return latex_of(node.left) + " = " + latex_of(node.right)
    if isinstance(node, ast.MatrixLiteral):
        rows = " \\\\ ".join(" & ".join(latex_of(c) for c in row) for row in node.rows)
        return f"\\begin{{bmatrix}} {rows} \\end{{bmatrix}}"
    return "?"


def _unwrap(node: ast.Node | None) -> ast.Node | None:
    """`{x}` -> `x` (braces only group)."""
    while isinstance(node, ast.Delimited) and node.delimiter == "{" and len(node.items) == 1:
        node = node.items[0]
    return node


def _symbol_name(node: ast.Node | None) -> str | None:
    node = _unwrap(node)
    if isinstance(node, ast.Atom) and node.kind in ("LETTER", "SYMBOL"):
        return node.text
    return None


def _is_transpose(node: ast.Node | None) -> bool:
    node = _unwrap(node)
    if isinstance(node, ast.Atom):
        return (
            node.kind == "TRANSPOSE"
            or (node.kind == "LETTER" and node.text == "T")
            or (node.kind == "SYMBOL" and node.text in TRANSPOSE_MARKS)
        )
    return False


def _is_minus(node: ast.Node | None, value: str) -> bool:
    node = _unwrap(node)
    if isinstance(node, ast.Negate):
        body = _unwrap(node.body)
        if value == "T":
            return _is_transpose(body)
        return isinstance(body, ast.Atom) and body.kind == "NUMBER" and body.text == value
    return False


def _index_items(node: ast.Node | None, expected: int) -> list[ast.Node]:
    """The index expressions of a script, for a pattern expecting `expected`."""
    node = _unwrap(node)
    if node is None:
        return []
    if isinstance(node, ast.Delimited) and node.delimiter == "(":
        return (
            _index_items(ast.Delimited(node.items, [], "{"), expected)
            if len(node.items) == 1
            else list(node.items)
        )
    if isinstance(node, ast.Sequence):
        return list(node.items)
    if expected > 1 and isinstance(node, ast.Product) and len(node.factors) == expected:
        return list(node.factors)
    return [node]


def _parenthesized(node: ast.Node | None) -> bool:
    node = _unwrap(node)
    return isinstance(node, ast.Delimited) and node.delimiter == "("


class Translator:
    """Turns the trees of one pair into terms, with the page's notation."""

    def __init__(
        self,
        declarations: list[Declaration],
        definitions: list[DefinitionInfo] | None = None,
    ) -> None:
        self.declarations = {d.base: d for d in declarations}
        self.definitions: dict[str, DefinitionInfo] = {}
        for d in sorted(definitions or [], key=lambda d: d.order):
            self.definitions[d.base] = d
        self.undeclared: set[str] = set()
        self.functions_used: set[str] = set()
        self.depth = 0
        self.placeholders = 0

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
            if left.shape != right.shape or (left.shape and left.shape[1] != "1"):
                raise TranslateError(
                    f"⟨a, b⟩ needs two vectors of one size, got {show_shape(left.shape)}"
                    f" and {show_shape(right.shape)}",
                    node.pos,
                )
            return T.Mul(T.Transpose(left, shape=_swap(left.shape), pos=node.pos), right,
                         shape=SCALAR, pos=node.pos)  # fmt: skip
        if isinstance(node, ast.Fraction):
            return self.fraction(node, scope)
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
        raise TranslateError(f"'{latex_of(node)}' is not an expression here", node.pos)

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
            raise TranslateError(f"a subscript on '{latex_of(base)}'", node.pos)
        term = self.translate(base, scope)
        return self.superscript(term, node.sup, node.primes, scope, node.pos)

    def symbol(
        self, name: str, sub: ast.Node | None, sup: ast.Node | None, primes: int, pos: int,
        scope: Scope,
    ) -> T.Term:  # fmt: skip
        if name in scope.params:
            if sub is not None:
                raise TranslateError(f"the parameter {name} takes no subscript", pos)
            return self.superscript(scope.params[name], sup, primes, scope, pos)
        if name in scope.indices and sub is None:
            return self.superscript(scope.indices[name], sup, primes, scope, pos)
        decl = self.declarations.get(name)
        if name in scope.bound or (decl and decl.kind in ("size", "index") and sub is None):
            term: T.Term = T.IndexValue(name, pos=pos)
            return self.superscript(term, sup, primes, scope, pos)
        if name in self.definitions:
            definition = self.definitions[name]
            if definition.params:
                raise TranslateError(
                    f"{name} is defined as a function of {', '.join(definition.params)}:"
                    " give its arguments",
                    pos,
                )
            term, sup = self.expand(definition, sub, sup, [], scope, pos)
            return self.superscript(term, sup, primes, scope, pos)
        if decl is not None:
            if decl.kind == "function":
                raise TranslateError(f"the function {name} needs arguments, as in {name}(x)", pos)
            if decl.kind == "identity":
                term = T.Identity(decl.shape[0] if decl.shape else "1", shape=decl.shape, pos=pos)
                return self.superscript(term, sup, primes, scope, pos)
            term, sup = self.member(decl, sub, sup, scope, pos)
            return self.superscript(term, sup, primes, scope, pos)
        return self.undeclared_symbol(name, sub, sup, primes, pos, scope)

    def undeclared_symbol(
        self, name: str, sub: ast.Node | None, sup: ast.Node | None, primes: int, pos: int,
        scope: Scope,
    ) -> T.Term:  # fmt: skip
        if scope.in_index:
            raise TranslateError(
                f"'{name}' is used as an index but is not declared (e.g. '{name}: index 1..m')",
                pos,
            )
        if name == "e" and sub is None and primes == 0:
            if sup is None:
                return T.Number(sp.E, pos=pos)
            return T.Apply("exp", self.scalar(self.translate(sup, scope), "an exponent"), pos=pos)
        if name == "\\pi" and sub is None:
            return self.superscript(T.Number(sp.pi, pos=pos), sup, primes, scope, pos)
        if _parenthesized(sup):
            raise TranslateError(
                f"{name}^{{{latex_of(_unwrap(sup))}}}: declare the family, e.g."
                f" '{name}^{{(i)}}: vector(n)'",
                pos,
            )
        full = name
        if sub is not None:
            text = latex_of(_unwrap(sub))
            for atom in _atoms(sub):
                known = self.declarations.get(atom)
                if (
                    atom in scope.bound
                    or atom in scope.indices
                    or (known is not None and known.kind in ("index", "size"))
                ):
                    raise TranslateError(
                        f"{name}_{{{text}}} depends on the index {atom}, but {name} is not"
                        f" declared: declare it, e.g. '{name}_{atom}: scalar'",
                        pos,
                    )
            full = f"{name}_{{{text}}}"
        if primes:
            full += "'" * primes
            primes = 0
        self.undeclared.add(full)
        return self.superscript(T.Ref(full, shape=SCALAR, pos=pos), sup, 0, scope, pos)

    def member(
        self, decl: Declaration, sub: ast.Node | None, sup: ast.Node | None, scope: Scope,
        pos: int,
    ) -> tuple[T.Term, ast.Node | None]:  # fmt: skip
        """A declared symbol with its indices; returns the remaining superscript."""
        written = decl.base + (f"_{{{latex_of(_unwrap(sub))}}}" if sub is not None else "")
        if decl.superscripts and sup is not None:
            written += f"^{{{latex_of(_unwrap(sup))}}}"
        problem = None
        if decl.subscripts and sub is None:
            problem = "missing the subscript index"
        elif sub is not None and not decl.subscripts:
            problem = f"{decl.base} takes no subscript"
        elif decl.superscripts and sup is None:
            problem = "missing the superscript index"
        if problem:
            raise TranslateError(f"'{written}' does not match '{decl.key}': {problem}", pos)
        index_nodes: list[ast.Node] = []
        if decl.subscripts:
            items = _index_items(sub, len(decl.subscripts))
            if len(items) != len(decl.subscripts):
                raise TranslateError(
                    f"'{written}' does not match '{decl.key}': expected"
                    f" {len(decl.subscripts)} subscript index(es)",
                    pos,
                )
            index_nodes.extend(items)
        remaining = sup
        if decl.superscripts:
            items = _index_items(sup, len(decl.superscripts))
            if len(items) != len(decl.superscripts):
                raise TranslateError(
                    f"'{written}' does not match '{decl.key}': expected"
                    f" {len(decl.superscripts)} superscript index(es)",
                    pos,
                )
            index_nodes.extend(items)
            remaining = None
        indices = [self.index(n, scope) for n in index_nodes]
        shape = decl.shape if decl.kind in ("vector", "matrix") else SCALAR
        return T.Ref(decl.base, indices, family=bool(decl.indices), shape=shape, pos=pos), remaining

    def index(self, node: ast.Node, scope: Scope) -> T.Term:
        term = self.translate(node, Scope(scope.bound, scope.indices, scope.params, True))
        if term.shape not in (SCALAR, None):
            raise TranslateError("an index must be a number", node.pos)
        return term

    def expand(
        self, definition: DefinitionInfo, sub: ast.Node | None, sup: ast.Node | None,
        args: list[T.Term], scope: Scope, pos: int,
    ) -> tuple[T.Term, ast.Node | None]:  # fmt: skip
        """A defined name used at `pos`: its body, with placeholders and parameters bound."""
        inner = Scope(frozenset(), {}, {}, False)
        subs = _index_items(sub, len(definition.subscripts)) if definition.subscripts else []
        if len(subs) != len(definition.subscripts) or (sub is not None and not subs):
            raise TranslateError(
                f"{definition.base} is defined with {len(definition.subscripts)} subscript"
                " index(es)",
                pos,
            )
        sups: list[ast.Node] = []
        remaining = sup
        if definition.superscripts:
            sups = _index_items(sup, len(definition.superscripts))
            if len(sups) != len(definition.superscripts):
                raise TranslateError(
                    f"{definition.base} is defined with {len(definition.superscripts)}"
                    " superscript index(es)",
                    pos,
                )
            remaining = None
        for name, node in zip(definition.subscripts + definition.superscripts, subs + sups,
                              strict=True):  # fmt: skip
            inner.indices[name] = self.index(node, scope)
        if len(args) != len(definition.params):
            raise TranslateError(
                f"{definition.base} takes {len(definition.params)} argument(s), got {len(args)}",
                pos,
            )
        inner.params = dict(zip(definition.params, args, strict=True))
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
        return body, remaining

    # ------------------------------------------------------------- operations

    def superscript(
        self, term: T.Term, sup: ast.Node | None, primes: int, scope: Scope, pos: int
    ) -> T.Term:
        for _ in range(primes):
            term = T.Transpose(term, shape=_swap(term.shape), pos=pos)
        if sup is None:
            return term
        if _is_transpose(sup):
            return T.Transpose(term, shape=_swap(term.shape), pos=pos)
        if _is_minus(sup, "T"):
            self.square(term, "an inverse", pos)
            inv = T.Inverse(term, shape=term.shape, pos=pos)
            return T.Transpose(inv, shape=_swap(term.shape), pos=pos)
        if term.shape not in (SCALAR, None):
            if _is_minus(sup, "1"):
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

    def square(self, term: T.Term, what: str, pos: int) -> None:
        if term.shape is not None and term.shape[0] != term.shape[1]:
            raise TranslateError(f"{what} needs a square matrix, got {show_shape(term.shape)}", pos)

    def scalar(self, term: T.Term, what: str) -> T.Term:
        if term.shape not in (SCALAR, None):
            raise TranslateError(f"{what} must be a scalar, got {show_shape(term.shape)}", term.pos)
        return term

    def add(self, items: list[tuple[int, T.Term]], pos: int) -> T.Term:
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
        a, b = left.shape, right.shape
        if op == "/":
            self.scalar(right, "a denominator")
            return T.Div(left, right, shape=a if a is not None else SCALAR, pos=pos)
        if op == "odot":
            if a != b:
                raise TranslateError(
                    f"⊙ needs two of one shape, got {show_shape(a)} and {show_shape(b)}", pos
                )
            return T.Hadamard(left, right, shape=a, pos=pos)
        if (
            op in ("cdot", "times", "*", "ast")
            and a == b
            and a is not None
            and a != SCALAR
            and (a[1] == "1")
        ):
            trans = T.Transpose(left, shape=_swap(a), pos=pos)
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
        if a[1] != b[0]:
            raise TranslateError(
                f"cannot multiply a {show_shape(a)} ({a[0]}×{a[1]}) by a {show_shape(b)}"
                f" ({b[0]}×{b[1]})",
                right.pos,
            )
        shape = (a[0], b[1])
        return T.Mul(left, right, shape=SCALAR if shape == ("1", "1") else shape, pos=pos)

    def bars(self, node: ast.Bars, sub: ast.Node | None, scope: Scope) -> T.Term:
        body = self.translate(node.body, scope)
        if node.double:
            order = 2
            if sub is not None:
                text = latex_of(_unwrap(sub))
                if text not in ("1", "2"):
                    raise TranslateError(f"the norm ‖·‖_{text} is not supported", node.pos)
                order = int(text)
            if body.shape is not None and body.shape != SCALAR and body.shape[1] != "1":
                raise TranslateError(
                    f"‖·‖ is defined here for vectors, got {show_shape(body.shape)}", node.pos
                )
            return T.MatrixFunction("norm", body, order, pos=node.pos)
        if body.shape in (SCALAR, None):
            return T.MatrixFunction("abs", body, pos=node.pos)
        self.square(body, "a determinant |A|", node.pos)
        return T.MatrixFunction("det", body, pos=node.pos)

    def matrix_literal(self, node: ast.MatrixLiteral, scope: Scope) -> T.Term:
        rows = [[self.translate(c, scope) for c in row] for row in node.rows]
        width = len(rows[0])
        if any(len(r) != width for r in rows):
            raise TranslateError("the rows of a matrix must have the same length", node.pos)
        heights = []
        for r in rows:
            hs = {c.shape[0] for c in r if c.shape is not None}
            if len(hs) > 1:
                raise TranslateError("blocks in one row must have the same height", node.pos)
            heights.append(hs.pop() if hs else "1")
        widths = []
        for k in range(width):
            ws = {s[1] for s in (r[k].shape for r in rows) if s is not None}
            if len(ws) > 1:
                raise TranslateError("blocks in one column must have the same width", node.pos)
            widths.append(ws.pop() if ws else "1")
        shape = (_size_sum(heights), _size_sum(widths))
        return T.MatrixLiteral(rows, shape=SCALAR if shape == ("1", "1") else shape, pos=node.pos)

    # ---------------------------------------------------------------- products

    def product(self, factors: list[ast.Node], ops: list[str], scope: Scope, pos: int) -> T.Term:
        items: list[tuple[str, T.Term]] = []
        k = 0
        while k < len(factors):
            node = factors[k]
            op = ops[k - 1] if k > 0 else ""
            head, base = _head(node)
            if (
                head in OPERATOR_HEADS
                or self.derivative_operator(node)
                or (head == "PARTIAL" and isinstance(node, ast.Scripted) and node.sub is not None)
            ):
                rest = factors[k + 1 :]
                if not rest:
                    raise TranslateError(f"'{latex_of(node)}' has nothing to act on", node.pos)
                if head in ("SUM", "PROD") and isinstance(node, ast.Scripted):
                    items.append((op, self.big_operator(node, head, rest, ops[k + 1 :], scope)))
                    break
                if head in ("SUM", "PROD"):
                    raise TranslateError(f"write \\{head.lower()}_{{i=1}}^{{m}}", node.pos)
                body = self.product(rest, ops[k + 1 :], scope, rest[0].pos)
                items.append((op, self.operator(node, body, scope)))
                break
            if head in ("FUNC",):
                term, k = self.function_application(factors, ops, k, scope)
                items.append((op, term))
                continue
            callable_name = self.callable_name(node, scope)
            if callable_name is not None:
                term, k = self.call(callable_name, factors, k, scope)
                items.append((op, term))
                continue
            items.append((op, self.translate(node, scope)))
            k += 1
        result = items[0][1]
        for op, term in items[1:]:
            result = self.multiply(result, term, op, term.pos)
        return result

    def derivative_operator(self, node: ast.Node) -> bool:
        """Whether `node` is `\\frac{\\partial}{\\partial x}` or `\\frac{d}{dx}` (no body)."""
        if not isinstance(node, ast.Fraction):
            return False
        parsed = self.derivative_parts(node)
        return parsed is not None and parsed[0] is None

    def derivative_parts(self, node: ast.Fraction) -> tuple[ast.Node | None, list[ast.Node]] | None:
        """(body or None, variables) if the fraction is a derivative, else None."""
        num = _unwrap(node.numerator) or node.numerator
        den = _unwrap(node.denominator) or node.denominator
        num_items = num.factors if isinstance(num, ast.Product) else [num]
        den_items = den.factors if isinstance(den, ast.Product) else [den]
        marker = _marker(num_items[0]) if num_items else None
        if marker is None or (marker == "d" and "d" in self.declarations):
            return None
        order = _marker_order(num_items[0])
        variables: list[ast.Node] = []
        k = 0
        while k < len(den_items):
            if _marker(den_items[k]) != marker or k + 1 >= len(den_items):
                return None
            var = den_items[k + 1]
            power = 1
            if isinstance(var, ast.Scripted) and var.sup is not None and _symbol_name(var.base):
                text = latex_of(_unwrap(var.sup))
                if text.isdigit():
                    power = int(text)
                    var = ast.Scripted(var.base, var.sub, None, var.primes, pos=var.pos)
            variables.extend([var] * power)
            k += 2
        if not variables or len(variables) != order:
            if variables and order != len(variables):
                raise TranslateError(
                    f"the derivative's order ({order}) does not match its denominator"
                    f" ({len(variables)} variable(s))",
                    node.pos,
                )
            return None
        body_nodes = num_items[1:]
        if not body_nodes:
            return None, variables
        ops = num.ops[1:] if isinstance(num, ast.Product) else []
        body = (
            body_nodes[0]
            if len(body_nodes) == 1
            else ast.Product(body_nodes, ops, pos=body_nodes[0].pos)
        )
        return body, variables

    def operator(self, node: ast.Node, body: T.Term, scope: Scope) -> T.Term:
        """Apply `\\sum`, `\\prod`, `\\nabla` or a derivative operator to its body."""
        if isinstance(node, ast.Fraction):
            parts = self.derivative_parts(node)
            assert parts is not None
            return self.differentiate(body, parts[1], scope, node.pos)
        head, base = _head(node)
        sub = node.sub if isinstance(node, ast.Scripted) else None
        sup = node.sup if isinstance(node, ast.Scripted) else None
        if head == "PARTIAL":
            if sub is None:
                raise TranslateError("write ∂ with its variable: \\partial_x f", node.pos)
            order = _marker_order(node)
            return self.differentiate(body, [sub] * order, scope, node.pos)
        if head == "NABLA":
            if sub is None:
                raise TranslateError("write the variable of ∇ as a subscript: \\nabla_x", node.pos)
            order = 1
            if sup is not None:
                text = latex_of(_unwrap(sup))
                if text != "2":
                    raise TranslateError("only ∇ and ∇² are supported", node.pos)
                order = 2
            return self.differentiate(body, [sub] * order, scope, node.pos)
        raise TranslateError("internal: unknown operator", node.pos)

    def differentiate(
        self, body: T.Term, variables: list[ast.Node], scope: Scope, pos: int
    ) -> T.Term:
        for var_node in reversed(variables):
            var = self.translate(_unwrap(var_node) or var_node, scope)
            if not isinstance(var, T.Ref):
                raise TranslateError(
                    f"can only differentiate with respect to a symbol, not"
                    f" '{latex_of(_unwrap(var_node))}'",
                    var_node.pos,
                )
            if body.shape in (SCALAR, None):
                shape = var.shape
            elif var.shape == SCALAR:
                shape = body.shape
            elif (
                body.shape is not None
                and body.shape[1] == "1"
                and var.shape
                and (var.shape[1] == "1")
            ):
                shape = (var.shape[0], body.shape[0])
            else:
                raise TranslateError(
                    f"the derivative of a {show_shape(body.shape)} by a {show_shape(var.shape)}"
                    " is not supported",
                    pos,
                )
            body = T.Derivative(var, body, shape=shape, pos=pos)
        return body

    def big_operator(
        self, node: ast.Scripted, head: str, rest: list[ast.Node], ops: list[str], scope: Scope
    ) -> T.Term:
        var, lower, upper, excluded = self.sum_operator(node, head, scope)
        body = self.product(rest, ops, scope.binding(var), rest[0].pos)
        if head == "PROD":
            self.scalar(body, "the body of a product")
        return T.Sum("sum" if head == "SUM" else "prod", var, lower, upper, body, excluded,
                     shape=body.shape, pos=node.pos)  # fmt: skip

    def sum_operator(
        self, node: ast.Scripted, head: str, scope: Scope
    ) -> tuple[str, T.Term, T.Term, T.Term | None]:
        """(variable, lower, upper, excluded) of `\\sum_{i=1}^{m}` or `\\sum_{j \\ne l}`."""
        sub = _unwrap(node.sub)
        excluded = None
        if isinstance(sub, ast.Limit):
            var = _symbol_name(sub.left)
            if var is None:
                raise TranslateError("the summation variable must be a letter", sub.pos)
            if sub.op == "=":
                lower: T.Term | None = self.index(sub.right, scope)
            else:
                lower = None
                excluded = self.index(sub.right, scope)
        else:
            var = _symbol_name(sub)
            if var is None:
                raise TranslateError(f"write \\{head.lower()}_{{i=1}}^{{m}}", node.pos)
            lower = None
        upper = self.index(node.sup, scope) if node.sup is not None else None
        decl = self.declarations.get(var)
        if lower is None or upper is None:
            if decl is None or decl.index_range is None:
                raise TranslateError(
                    f"the range of {var} is not given: write limits, or declare"
                    f" '{var}: index 1..m'",
                    node.pos,
                )
            lo, hi = decl.index_range
            lower = lower or _size_term(lo, node.pos)
            upper = upper or _size_term(hi, node.pos)
        return var, lower, upper, excluded

    # ------------------------------------------------------------- functions

    def function_application(
        self, factors: list[ast.Node], ops: list[str], k: int, scope: Scope
    ) -> tuple[T.Term, int]:
        node = factors[k]
        _, base = _head(node)
        assert isinstance(base, ast.Atom)
        name = base.text
        sup = node.sup if isinstance(node, ast.Scripted) else None
        log_base = None
        if isinstance(node, ast.Scripted) and node.sub is not None:
            if name != "log":
                raise TranslateError(f"\\{name} takes no subscript here", node.pos)
            log_base = self.scalar(self.translate(node.sub, scope), "the base of a logarithm")
        if k + 1 >= len(factors):
            raise TranslateError(f"\\{name} needs an argument", node.pos)
        nxt = factors[k + 1]
        after_sup = None
        if isinstance(nxt, ast.Delimited) and nxt.delimiter == "(":
            arg = self.translate(nxt, scope)
            end = k + 2
        elif (
            isinstance(nxt, ast.Scripted) and isinstance(nxt.base, ast.Delimited)
            and nxt.base.delimiter == "(" and nxt.sub is None
        ):  # fmt: skip
            arg = self.translate(nxt.base, scope)
            after_sup = nxt.sup
            end = k + 2
        elif _head(nxt)[0] in OPERATOR_HEADS or self.derivative_operator(nxt):
            arg = self.product(factors[k + 1 :], ops[k + 1 :], scope, nxt.pos)
            end = len(factors)
        elif _head(nxt)[0] == "FUNC":
            arg, end = self.function_application(factors, ops, k + 1, scope)
        elif (callee := self.callable_name(nxt, scope)) is not None:
            arg, end = self.call(callee, factors, k + 1, scope)
        else:
            end = k + 2
            while (
                _simple(nxt) and end < len(factors) and ops[end - 1] == "" and _simple(factors[end])
            ):
                end += 1
            arg = self.product(factors[k + 1 : end], ops[k + 1 : end - 1], scope, nxt.pos)
        if name in MATRIX_FUNCTIONS:
            if name == "diag":
                if arg.shape in (SCALAR, None):
                    shape: Shape | None = SCALAR
                elif arg.shape[1] == "1":
                    shape = (arg.shape[0], arg.shape[0])
                else:
                    self.square(arg, "diag", node.pos)
                    shape = (arg.shape[0], "1")
            else:
                self.square(arg, f"\\{name}", node.pos)
                shape = SCALAR
            term: T.Term = T.MatrixFunction(name, arg, shape=shape, pos=node.pos)
        else:
            self.scalar(arg, f"the argument of \\{name}")
            term = T.Apply(name, arg, pos=node.pos)
            if log_base is not None:
                term = T.Div(term, T.Apply("log", log_base, pos=node.pos), pos=node.pos)
        if sup is not None:
            term = self.superscript(term, sup, 0, scope, node.pos)
        if after_sup is not None:
            term = self.superscript(term, after_sup, 0, scope, node.pos)
        return term, end

    def callable_name(self, node: ast.Node, scope: Scope) -> str | None:
        """The name of a function being applied (`g`, `f_j^{(i)}`, `\\mathcal{N}`)."""
        base = node.base if isinstance(node, ast.Scripted) else node
        if not isinstance(base, ast.Atom):
            return None
        if base.kind == "OPNAME":
            return f"\\operatorname{{{base.text}}}"
        if base.kind not in ("LETTER", "SYMBOL") or base.text in scope.params:
            return None
        name = base.text
        definition = self.definitions.get(name)
        if definition is not None:
            return name if definition.params else None
        decl = self.declarations.get(name)
        if decl is not None:
            return name if decl.kind == "function" else None
        if name == "\\mathcal{N}":
            return name
        return None

    def call(self, name: str, factors: list[ast.Node], k: int, scope: Scope) -> tuple[T.Term, int]:
        node = factors[k]
        if k + 1 >= len(factors):
            raise TranslateError(f"{name} needs its arguments in parentheses", node.pos)
        nxt = factors[k + 1]
        after_sup = None
        if (
            isinstance(nxt, ast.Scripted)
            and isinstance(nxt.base, ast.Delimited)
            and (nxt.base.delimiter == "(" and nxt.sub is None)
        ):
            after_sup = nxt.sup
            nxt = nxt.base
        if not (isinstance(nxt, ast.Delimited) and nxt.delimiter == "("):
            raise TranslateError(f"{name} needs its arguments in parentheses", node.pos)
        args = [self.translate(a, scope) for a in nxt.items]
        sub = node.sub if isinstance(node, ast.Scripted) else None
        sup = node.sup if isinstance(node, ast.Scripted) else None
        primes = node.primes if isinstance(node, ast.Scripted) else 0
        if name in self.definitions:
            definition = self.definitions[name]
            pointwise = len(definition.params) == 1 and (
                primes or args[0].shape not in (SCALAR, None)
            )
            expanded: T.Term | None = None
            if not pointwise or not primes:
                try:
                    expanded, rest_sup = self.expand(definition, sub, sup, args, scope, node.pos)
                except TranslateError:
                    if not pointwise:
                        raise
            if expanded is None:
                expanded, rest_sup = self.pointwise(definition, sub, sup, args[0], primes, scope,
                                                    node.pos)  # fmt: skip
            term = self.superscript(expanded, rest_sup, 0, scope, node.pos)
        elif name == "\\mathcal{N}":
            if len(args) != 3 or nxt.separators[:1] not in ([";"], [","]):
                raise TranslateError("write the normal density as \\mathcal{N}(x; \\mu, \\Sigma)",
                                     node.pos)  # fmt: skip
            x, mu, cov = args
            if x.shape != mu.shape or (
                x.shape not in (SCALAR, None)
                and (
                    cov.shape != (x.shape[0], x.shape[0])  # type: ignore[index]
                )
            ):
                raise TranslateError(
                    f"\\mathcal{{N}}: shapes {show_shape(x.shape)}, {show_shape(mu.shape)},"
                    f" {show_shape(cov.shape)} do not fit (x, mean, covariance)",
                    node.pos,
                )
            term = T.Gaussian(x, mu, cov, pos=node.pos)
            term = self.superscript(term, sup, 0, scope, node.pos)
        else:
            decl = self.declarations.get(name)
            if decl is None:
                raise TranslateError(
                    f"unknown function {name}: declare it ('{name}: function') or define it",
                    node.pos,
                )
            if sub is not None:
                raise TranslateError(f"the function {name} takes no subscript", node.pos)
            for a in args:
                if a.shape not in (SCALAR, None) and a.shape[1] != "1":
                    raise TranslateError(f"{name} takes scalars and vectors", a.pos)
            self.functions_used.add(name)
            term = T.FunctionCall(name, args, primes, pos=node.pos)
            term = self.superscript(term, sup, 0, scope, node.pos)
        if after_sup is not None:
            term = self.superscript(term, after_sup, 0, scope, node.pos)
        return term, k + 2

    def pointwise(
        self, definition: DefinitionInfo, sub: ast.Node | None, sup: ast.Node | None,
        arg: T.Term, primes: int, scope: Scope, pos: int,
    ) -> tuple[T.Term, ast.Node | None]:  # fmt: skip
        """A scalar function applied entry by entry (σ(z) for a vector z), or its
        derivative σ'(z): the body is read once with a scalar placeholder."""
        self.placeholders += 1
        slot = f"\\arg{self.placeholders}"
        placeholder = T.Ref(slot, shape=SCALAR, pos=pos)
        body, rest = self.expand(definition, sub, sup, [placeholder], scope, pos)
        if body.shape not in (SCALAR, None):
            raise TranslateError(
                f"{definition.base} is not a scalar function, so it cannot be applied entry by"
                " entry or differentiated with a prime",
                pos,
            )
        shape = arg.shape if arg.shape is not None else SCALAR
        return T.Pointwise(slot, body, arg, primes, shape=shape, pos=pos), rest

    def fraction(self, node: ast.Fraction, scope: Scope) -> T.Term:
        parts = self.derivative_parts(node)
        if parts is not None:
            body_node, variables = parts
            if body_node is None:
                raise TranslateError("this derivative operator has nothing to act on", node.pos)
            return self.differentiate(self.translate(body_node, scope), variables, scope, node.pos)
        num = self.translate(node.numerator, scope)
        den = self.scalar(self.translate(node.denominator, scope), "a denominator")
        return T.Div(num, den, shape=num.shape if num.shape is not None else SCALAR, pos=node.pos)


# ------------------------------------------------------------------------- helpers


def _swap(shape: Shape | None) -> Shape | None:
    return None if shape is None else (shape[1], shape[0])


def _size_sum(parts: list[str]) -> str:
    numbers = sum(int(p) for p in parts if p.isdigit())
    names = [p for p in parts if not p.isdigit()]
    out = "+".join(names)
    if numbers:
        out = f"{out}+{numbers}" if out else str(numbers)
    return out


def _size_term(text: str, pos: int) -> T.Term:
    if text.isdigit():
        return T.Number(sp.Integer(int(text)), pos=pos)
    return T.IndexValue(text, pos=pos)


def _head(node: ast.Node) -> tuple[str | None, ast.Node]:
    base = node.base if isinstance(node, ast.Scripted) else node
    if isinstance(base, ast.Atom):
        return base.kind, base
    return None, base


def _marker(node: ast.Node) -> str | None:
    base = node.base if isinstance(node, ast.Scripted) else node
    if isinstance(base, ast.Atom):
        if base.kind == "PARTIAL":
            return "partial"
        if base.kind == "LETTER" and base.text == "d":
            return "d"
    return None


def _marker_order(node: ast.Node) -> int:
    if isinstance(node, ast.Scripted) and node.sup is not None:
        text = latex_of(_unwrap(node.sup))
        if text.isdigit():
            return int(text)
    return 1


def _simple(node: ast.Node) -> bool:
    """A factor that a bare `\\log` or `\\sin` still takes as part of its argument."""
    base = node.base if isinstance(node, ast.Scripted) else node
    return isinstance(base, ast.Atom) and base.kind in ("NUMBER", "LETTER", "SYMBOL")


def _atoms(node: ast.Node | None) -> list[str]:
    node = _unwrap(node)
    if node is None:
        return []
    if isinstance(node, ast.Atom):
        return [node.text]
    out: list[str] = []
    for value in vars(node).values():
        if isinstance(value, ast.Node):
            out.extend(_atoms(value))
        elif isinstance(value, list):
            for v in value:
                if isinstance(v, ast.Node):
                    out.extend(_atoms(v))
                elif isinstance(v, tuple):
                    for x in v:
                        if isinstance(x, ast.Node):
                            out.extend(_atoms(x))
    return out
