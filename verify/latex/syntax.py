"""Small questions about LaTeX syntax trees, shared by the translator's parts.

Which node is a bare symbol, a transpose mark, an index list, a derivative's
`d` or `\\partial`. (Printing a tree is `verify.latex.printer`.)
"""

from __future__ import annotations

from verify.latex import tree as ast
from verify.latex.printer import compact

TRANSPOSE_MARKS = {"T", "\\mathrm{T}", "\\mathsf{T}", "top", "intercal", "\\top"}


def unwrap(node: ast.Node | None) -> ast.Node | None:
    """`{x}` -> `x` (braces only group)."""
    while isinstance(node, ast.Delimited) and node.delimiter == "{" and len(node.items) == 1:
        node = node.items[0]
    return node


def symbol_name(node: ast.Node | None) -> str | None:
    node = unwrap(node)
    if isinstance(node, ast.Atom) and node.kind in ("LETTER", "SYMBOL"):
        return node.text
    return None


def variable_name(node: ast.Node | None) -> str | None:
    """A bound variable's name: a letter or symbol, perhaps primed (`s'`)."""
    node = unwrap(node)
    if isinstance(node, ast.Scripted) and node.sub is None and node.sup is None and node.primes:
        base = symbol_name(node.base)
        return base + "'" * node.primes if base is not None else None
    return symbol_name(node)


def is_transpose(node: ast.Node | None) -> bool:
    node = unwrap(node)
    if isinstance(node, ast.Atom):
        return (
            node.kind == "TRANSPOSE"
            or (node.kind == "LETTER" and node.text == "T")
            or (node.kind == "SYMBOL" and node.text in TRANSPOSE_MARKS)
        )
    return False


def is_minus(node: ast.Node | None, value: str) -> bool:
    node = unwrap(node)
    if isinstance(node, ast.Negate):
        body = unwrap(node.body)
        if value == "T":
            return is_transpose(body)
        return isinstance(body, ast.Atom) and body.kind == "NUMBER" and body.text == value
    return False


def index_items(node: ast.Node | None, expected: int) -> list[ast.Node]:
    """The index expressions of a script, for a pattern expecting `expected`."""
    node = unwrap(node)
    if node is None:
        return []
    if isinstance(node, ast.Delimited) and node.delimiter == "(":
        return (
            index_items(ast.Delimited(node.items, [], "{"), expected)
            if len(node.items) == 1
            else list(node.items)
        )
    if isinstance(node, ast.Sequence):
        return list(node.items)
    if expected > 1 and isinstance(node, ast.Product) and len(node.factors) == expected:
        return list(node.factors)
    return [node]


def parenthesized(node: ast.Node | None) -> bool:
    node = unwrap(node)
    return isinstance(node, ast.Delimited) and node.delimiter == "("


def head_kind(node: ast.Node) -> tuple[str | None, ast.Node]:
    base = node.base if isinstance(node, ast.Scripted) else node
    if isinstance(base, ast.Atom):
        return base.kind, base
    return None, base


def derivative_marker(node: ast.Node) -> str | None:
    base = node.base if isinstance(node, ast.Scripted) else node
    if isinstance(base, ast.Atom):
        if base.kind == "PARTIAL":
            return "partial"
        if base.kind == "LETTER" and base.text == "d":
            return "d"
    return None


def derivative_order(node: ast.Node) -> int:
    if isinstance(node, ast.Scripted) and node.sup is not None:
        text = compact(unwrap(node.sup))
        if text.isdigit():
            return int(text)
    return 1


def simple(node: ast.Node) -> bool:
    """A factor that a bare `\\log` or `\\sin` still takes as part of its argument."""
    base = node.base if isinstance(node, ast.Scripted) else node
    return isinstance(base, ast.Atom) and base.kind in ("NUMBER", "LETTER", "SYMBOL")


def atoms(node: ast.Node | None) -> list[str]:
    node = unwrap(node)
    if node is None:
        return []
    if isinstance(node, ast.Atom):
        return [node.text]
    out: list[str] = []
    for value in vars(node).values():
        if isinstance(value, ast.Node):
            out.extend(atoms(value))
        elif isinstance(value, list):
            for v in value:
                if isinstance(v, ast.Node):
                    out.extend(atoms(v))
                elif isinstance(v, tuple):
                    for x in v:
                        if isinstance(x, ast.Node):
                            out.extend(atoms(x))
    return out
