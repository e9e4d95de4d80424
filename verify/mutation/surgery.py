"""Surgery on a side's syntax tree: paths, edits that compose, and readable LaTeX.

A path names a node by the steps from the root (`verify.latex.paths`). A transform makes a new node from the one at a path; `apply` makes a
list of them on a copy of the tree, the deepest first, so that two edits
compose: the outer one acts on what the inner one left. `readable` writes the
result as LaTeX that reads back as the same tokens.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator

from verify.errors import LatexError
from verify.latex import tree as ast
from verify.latex.paths import Path, children, node_at, put
from verify.latex.printer import round_trip
from verify.latex.syntax import is_minus, is_transpose, symbol_name, unwrap
from verify.latex.tokenizer import tokenize
from verify.model import Declaration

Transform = Callable[[ast.Node], ast.Node]
BINDERS = ("SUM", "PROD")  # big operators whose subscript binds an index

# ------------------------------------------------------------------ the tree


def apply(tree: ast.Node, edits: list[tuple[Path, Transform]]) -> ast.Node:
    """A copy of `tree` with every edit made, the deepest first."""
    root = copy.deepcopy(tree)
    for path, transform in sorted(edits, key=lambda e: -len(e[0])):
        root = put(root, path, transform(node_at(root, path)))
    return root


_LOOSE = re.compile(r"\s+(?=[\^_)\]},])|(?<=[(\[{])\s+")


def readable(node: ast.Node) -> str:
    r"""LaTeX of a node as a reader would write it: `\mu_l^T(x - y)`, not `\mu_l ^T (x - y )`.

    Spaces go only where the tokens stay the same, so the text reads back as the tree.
    """
    text = round_trip(node).strip()
    tidy = _LOOSE.sub("", re.sub(r"\s+", " ", text))
    try:
        same = _tokens(tidy) == _tokens(text)
    except LatexError:
        same = False
    return tidy if same else text


def _tokens(text: str) -> list[tuple[str, str]]:
    return [(t.type, str(t)) for t in tokenize(text)]


# ---------------------------------------------------------------- transforms


def constant(new: ast.Node) -> Transform:
    return lambda _old: copy.deepcopy(new)


def changed(**changes: ast.Node | int | None) -> Transform:
    def transform(node: ast.Node) -> ast.Node:
        new = copy.copy(node)
        for key, value in changes.items():
            setattr(new, key, copy.deepcopy(value))
        return new

    return transform


def grouped(node: ast.Node) -> ast.Node:
    if isinstance(node, (ast.Sum, ast.Negate)):
        return ast.Delimited([node], [], "(")
    return node


def scaled(factor: ast.Node) -> Transform:
    def transform(node: ast.Node) -> ast.Node:
        if isinstance(node, ast.Product):
            return ast.Product([copy.deepcopy(factor), *node.factors], ["", *node.ops])
        return ast.Product([copy.deepcopy(factor), grouped(node)], [""])

    return transform


def transposed(mark: ast.Node) -> Transform:
    def transform(node: ast.Node) -> ast.Node:
        inner = node if paren(node) else ast.Delimited([node], [], "(")
        return ast.Scripted(inner, None, copy.deepcopy(mark))

    return transform


def with_sup(sup: ast.Node) -> Transform:
    def transform(node: ast.Node) -> ast.Node:
        if isinstance(node, ast.Scripted):
            return changed(sup=sup)(node)
        return ast.Scripted(node, None, copy.deepcopy(sup))

    return transform


def flip_term(k: int) -> Transform:
    def transform(node: ast.Node) -> ast.Node:
        assert isinstance(node, ast.Sum)
        terms = list(node.terms)
        terms[k] = (-terms[k][0], terms[k][1])
        return ast.Sum(terms)

    return transform


def drop_term(k: int) -> Transform:
    def transform(node: ast.Node) -> ast.Node:
        assert isinstance(node, ast.Sum)
        rest = [t for n, t in enumerate(node.terms) if n != k]
        if rest[0][0] < 0:
            rest[0] = (1, ast.Negate(rest[0][1]))
        return ast.Sum(rest) if len(rest) > 1 else rest[0][1]

    return transform


def reordered(order: list[int]) -> Transform:
    def transform(node: ast.Node) -> ast.Node:
        assert isinstance(node, ast.Product)
        return ast.Product([node.factors[k] for k in order], list(node.ops))

    return transform


def drop_factor(k: int) -> Transform:
    def transform(node: ast.Node) -> ast.Node:
        assert isinstance(node, ast.Product)
        factors = [f for n, f in enumerate(node.factors) if n != k]
        ops = [o for n, o in enumerate(node.ops) if n != max(0, k - 1)]
        return factors[0] if len(factors) == 1 else ast.Product(factors, ops)

    return transform


def negated(node: ast.Node) -> ast.Node:
    """`-(a + b)`: a side's sign flipped, in parentheses where braces would hide it."""
    return ast.Negate(grouped(node) if isinstance(node, ast.Sum) else node)


def drop_minus(node: ast.Node) -> ast.Node:
    assert isinstance(node, ast.Negate)
    return node.body


# ------------------------------------------------------------------- helpers


def paren(node: ast.Node | None) -> bool:
    return isinstance(node, ast.Delimited) and node.delimiter == "(" and len(node.items) == 1


def number(text: str) -> ast.Atom:
    return ast.Atom("NUMBER", text)


HALF = ast.Fraction(number("1"), number("2"))


def is_half(node: ast.Node) -> bool:
    node = unwrap(node) or node
    return (
        isinstance(node, ast.Fraction)
        and number_text(node.numerator) == "1"
        and number_text(node.denominator) == "2"
    )


def number_text(node: ast.Node | None) -> str | None:
    node = unwrap(node)
    return node.text if isinstance(node, ast.Atom) and node.kind == "NUMBER" else None


def inverse_mark(sup: ast.Node | None) -> str | None:
    """'-1' or '-T' if a superscript inverts, 'T' if it transposes."""
    if is_minus(sup, "1"):
        return "-1"
    if is_minus(sup, "T"):
        return "-T"
    return "T" if is_transpose(sup) else None


def has_const(node: ast.Node) -> bool:
    if isinstance(node, ast.Atom):
        return node.kind == "CONST"
    return any(has_const(child) for _, child in children(node))


def index_list(node: ast.Node | None) -> list[ast.Node]:
    node = unwrap(node)
    if isinstance(node, ast.Sequence):
        return list(node.items)
    if isinstance(node, ast.Product) and not any(node.ops):
        return list(node.factors)
    return [node] if node is not None else []


def bound_indices(node: ast.Node) -> Iterator[str]:
    """Indices a sum or product on the side binds."""
    if isinstance(node, ast.Scripted) and isinstance(node.base, ast.Atom):
        if node.base.kind in BINDERS:
            sub = unwrap(node.sub)
            heads = [sub.left] if isinstance(sub, ast.Limit) else index_list(sub)
            for head in heads:
                items = head.items if isinstance(head, ast.Sequence) else [head]
                yield from (name for item in items if (name := symbol_name(item)))
    for _, child in children(node):
        yield from bound_indices(child)


def index_atoms(
    node: ast.Node, path: Path, owner: Path | None, in_script: bool
) -> Iterator[tuple[Path, Path | None, ast.Atom]]:
    """Letters standing in a script of a symbol, with the symbol's path."""
    if isinstance(node, ast.Atom):
        if in_script and node.kind == "LETTER":
            yield path, owner, node
        return
    if isinstance(node, ast.Scripted):
        binder = isinstance(node.base, ast.Atom) and node.base.kind in (*BINDERS, "NABLA")
        yield from index_atoms(node.base, path + (("base", -1, -1),), owner, in_script)
        for name in ("sub", "sup"):
            script = getattr(node, name)
            if script is not None and not binder:
                yield from index_atoms(script, path + ((name, -1, -1),), path, True)
            elif script is not None:
                yield from index_atoms(script, path + ((name, -1, -1),), owner, False)
        return
    if isinstance(node, ast.Limit):
        yield from index_atoms(node.right, path + (("right", -1, -1),), owner, in_script)
        return
    for step, child in children(node):
        yield from index_atoms(child, path + (step,), owner, in_script)


def names_in(tree: ast.Node) -> set[str]:
    """Every symbol name a side writes (family bases included)."""
    found: set[str] = set()
    if isinstance(tree, ast.Atom) and (name := symbol_name(tree)):
        found.add(name)
    for _, child in children(tree):
        found |= names_in(child)
    return found


def powers_in(trees: list[ast.Node], declarations: list[Declaration]) -> dict[str, list[ast.Node]]:
    """The exponents written on each scalar symbol in a step (not indices, not marks)."""
    families = {d.base for d in declarations if d.superscripts}
    found: dict[str, dict[str, ast.Node]] = {}

    def visit(node: ast.Node) -> None:
        if isinstance(node, ast.Scripted) and node.sup is not None and not node.primes:
            name = symbol_name(node.base)
            if name and name not in families and inverse_mark(node.sup) is None:
                found.setdefault(name, {}).setdefault(readable(node.sup), node.sup)
        for _, child in children(node):
            visit(child)

    for tree in trees:
        visit(tree)
    return {name: list(sups.values()) for name, sups in found.items()}


__all__ = [
    "Transform",
    "BINDERS",
    "children",
    "node_at",
    "apply",
    "readable",
    "constant",
    "changed",
    "grouped",
    "scaled",
    "transposed",
    "with_sup",
    "flip_term",
    "drop_term",
    "reordered",
    "drop_factor",
    "negated",
    "drop_minus",
    "paren",
    "number",
    "HALF",
    "is_half",
    "number_text",
    "inverse_mark",
    "has_const",
    "index_list",
    "bound_indices",
    "index_atoms",
    "names_in",
    "powers_in",
]
