"""Syntax trees back to LaTeX, in two styles that share one set of tables.

- `compact(node)`: short LaTeX for names and messages (`x_{i}`, `|A|`); braces
  that only group are dropped.
- `round_trip(node)`: LaTeX that `parse_latex` reads back as the same tree, so
  an edit of one node (a mutant, a repair) leaves the rest as the page wrote it.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from verify.errors import LatexError
from verify.latex import tree as ast
from verify.latex.commands import FUNCTIONS
from verify.latex.parser import parse_latex

# How a written operator between two factors is printed ("" is juxtaposition).
OPERATORS = {"": " ", "/": "/", "odot": " \\odot ", "*": " * "}
CLOSING = {"(": ")", "[": "]", "\\{": "\\}", "{": "}", "\\lfloor": "\\rfloor",
           "\\lceil": "\\rceil"}  # fmt: skip
CONDITIONS = {"=": " = ", "ne": " \\ne ", "<": " < ", ">": " > ", "le": " \\le ", "ge": " \\ge "}
_COMMAND_ATOMS = {"SUM", "PROD", "NABLA", "PARTIAL", "INFTY"}


def operator(op: str) -> str:
    return OPERATORS.get(op, f" \\{op} ")


def atom(node: ast.Atom) -> str:
    """One token as LaTeX; shared by both styles."""
    text = node.text
    if node.kind in ("NUMBER", "LETTER", "SYMBOL"):
        return text
    if node.kind == "FUNC":
        return f"\\{text}" if text in FUNCTIONS else f"\\operatorname{{{text}}}"
    if node.kind == "OPNAME":
        return f"\\operatorname{{{text}}}"
    if node.kind == "CONST":
        return f"\\text{{{text}}}"
    if node.kind == "TRANSPOSE":
        return text if text.startswith("\\") else "\\" + text
    if node.kind in _COMMAND_ATOMS:
        return "\\" + text
    return text


class Printer:
    """One method per node type; `round_trip` chooses the style."""

    def __init__(self, round_trip: bool) -> None:
        self.round_trip = round_trip

    def print(self, node: ast.Node | None) -> str:
        if node is None:
            return ""
        method = getattr(self, "print_" + type(node).__name__.lower(), None)
        if method is None:
            raise TypeError(f"cannot print {type(node).__name__}")
        text: str = method(node)
        return text

    def print_atom(self, node: ast.Atom) -> str:
        return atom(node)

    def print_scripted(self, node: ast.Scripted) -> str:
        if not self.round_trip:
            out = self.print(node.base)
            if node.sub is not None:
                out += "_{" + self.print(node.sub) + "}"
            if node.sup is not None:
                out += "^{" + self.print(node.sup) + "}"
            return out + "'" * node.primes
        out = self.grouped(node.base, scripted=True)
        if node.sub is not None:
            out += "_" + self.script(node.sub)
        if node.sup is not None:
            out += "^" + self.script(node.sup)
        return out + "'" * node.primes

    def print_sum(self, node: ast.Sum) -> str:
        out = ""
        for n, (sign, term) in enumerate(node.terms):
            text = self.grouped(term, term_level=True)
            if n == 0:
                out = ("-" if sign < 0 else "") + text
            else:
                out += (" - " if sign < 0 else " + ") + text
        return out

    def print_negate(self, node: ast.Negate) -> str:
        return "-" + self.grouped(node.body, term_level=True)

    def print_product(self, node: ast.Product) -> str:
        out = self.grouped(node.factors[0])
        for op, factor in zip(node.ops, node.factors[1:], strict=True):
            out += operator(op) + self.grouped(factor)
        return out

    def print_delimited(self, node: ast.Delimited) -> str:
        inner = self.print(node.items[0]) if node.items else ""
        for n, item in enumerate(node.items[1:]):
            sep = node.separators[n] if n < len(node.separators) else ","
            inner += (" \\| " if sep == "\\|" else f"{sep} ") + self.print(item)
        if node.delimiter == "{" and not self.round_trip:
            return inner
        opening = node.delimiter + (" " if node.delimiter[-1].isalpha() else "")
        return opening + inner + " " * opening.endswith(" ") + CLOSING[node.delimiter]

    def print_bars(self, node: ast.Bars) -> str:
        bar = "\\|" if node.double else "|"
        if self.round_trip:
            return f"\\left{bar} {self.print(node.body)} \\right{bar}"
        return bar + self.print(node.body) + bar

    def print_inner(self, node: ast.Inner) -> str:
        return f"\\langle {self.print(node.left)}, {self.print(node.right)} \\rangle"

    def print_fraction(self, node: ast.Fraction) -> str:
        return f"\\frac{{{self.print(node.numerator)}}}{{{self.print(node.denominator)}}}"

    def print_root(self, node: ast.Root) -> str:
        degree = f"[{self.print(node.degree)}]" if node.degree is not None else ""
        return f"\\sqrt{degree}{{{self.print(node.body)}}}"

    def print_factorial(self, node: ast.Factorial) -> str:
        return self.grouped(node.body) + "!"

    def print_binomial(self, node: ast.Binomial) -> str:
        return f"\\binom{{{self.print(node.top)}}}{{{self.print(node.bottom)}}}"

    def print_indicator(self, node: ast.Indicator) -> str:
        conditions = [(node.left, node.op, node.right), *node.also]
        condition = " \\wedge ".join(
            self.print(left) + CONDITIONS[op] + self.print(right) for left, op, right in conditions
        )
        return f"\\mathbb{{1}}\\{{{condition}\\}}"

    def print_matrixliteral(self, node: ast.MatrixLiteral) -> str:
        rows = " \\\\ ".join(" & ".join(self.print(c) for c in row) for row in node.rows)
        return f"\\begin{{bmatrix}} {rows} \\end{{bmatrix}}"

    def print_limit(self, node: ast.Limit) -> str:
        op = {"=": "=", "sim": " \\sim ", "in": " \\in "}.get(node.op, " \\ne ")
        if self.round_trip and node.op == "=":
            op = " = "
        return self.print(node.left) + op + self.print(node.right)

    def print_sequence(self, node: ast.Sequence) -> str:
        return ", ".join(self.print(i) for i in node.items)

    def print_equation(self, node: ast.Equation) -> str:
        return self.print(node.left) + " = " + self.print(node.right)

    # ------------------------------------------------------------ round trip

    def script(self, node: ast.Node) -> str:
        if not self.round_trip:
            return self.print(node)
        if isinstance(node, ast.Delimited) and node.delimiter == "{":
            return self.print(node)
        if isinstance(node, ast.Atom) and (node.kind != "NUMBER" or len(node.text) == 1):
            return atom(node) + " "  # as written: `x^2`, `A^\top`
        return "{" + self.print(node) + "}"

    def grouped(self, node: ast.Node, scripted: bool = False, term_level: bool = False) -> str:
        """A child that must stay one factor (or one term) is braced when it is not."""
        if not self.round_trip:
            return self.print(node)
        compound = isinstance(node, (ast.Sum, ast.Equation, ast.Limit, ast.Sequence))
        if not term_level:
            compound = compound or isinstance(node, (ast.Negate, ast.Product))
        if scripted:
            compound = compound or isinstance(node, ast.Scripted)
        return "{" + self.print(node) + "}" if compound else self.print(node)


_COMPACT = Printer(round_trip=False)
_ROUND_TRIP = Printer(round_trip=True)


def compact(node: ast.Node | None) -> str:
    """A compact LaTeX rendering of a tree, for names and messages."""
    return _COMPACT.print(node)


def round_trip(node: ast.Node | None) -> str:
    """LaTeX for a tree; `parse_latex(round_trip(t))` gives `t` back (positions aside)."""
    return _ROUND_TRIP.print(node)


def shape_of_tree(node: Any) -> Any:
    """The tree as plain tuples without positions, to compare two trees."""
    if isinstance(node, ast.Node):
        return (type(node).__name__,) + tuple(
            shape_of_tree(getattr(node, f.name)) for f in fields(node) if f.name != "pos"
        )
    if isinstance(node, (list, tuple)):
        return tuple(shape_of_tree(x) for x in node)
    return node


def round_trips(node: ast.Node, equation: bool = False) -> bool:
    """Whether the round-trip printing of `node` parses back to the same tree."""
    try:
        again = parse_latex(round_trip(node), equation=equation)
    except LatexError:
        return False
    return bool(shape_of_tree(again) == shape_of_tree(node))
