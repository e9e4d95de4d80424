"""Families whose indices are written as arguments, as probability texts write
them: `\\pi(a | s)`, `p(s' | s, a)`, `b_j(k)`, `\\alpha_t(i)` (contract §2 families).

A key such as `p(s' | s, a): scalar` declares a family indexed by s', s and a;
`p(s' | s, a)` in a step is its member at those index values, exactly like
`w_j^{(i)}` for a family written with scripts. The bar only separates what is
conditioned on; it means nothing more than a comma here.
"""

from __future__ import annotations

from verify.errors import TranslateError
from verify.latex import tree as ast
from verify.latex.printer import compact
from verify.latex.syntax import index_items
from verify.meaning import terms as T
from verify.meaning.scope import Reader, Scope
from verify.model import Declaration, Kind
from verify.shape import SCALAR


def argument_member(
    reader: Reader, decl: Declaration, node: ast.Node, group: ast.Delimited, scope: Scope
) -> T.Term:
    """The member of `decl` named by `node` (with its scripts) and the index
    arguments in `group`."""
    sub = node.sub if isinstance(node, ast.Scripted) else None
    sup = node.sup if isinstance(node, ast.Scripted) else None
    written = compact(node) + compact(group)
    nodes: list[ast.Node] = []
    for script, placeholders, where in (
        (sub, decl.subscripts, "subscript"), (sup, decl.superscripts, "superscript"),
    ):  # fmt: skip
        items = index_items(script, len(placeholders)) if placeholders else []
        if len(items) != len(placeholders) or (script is not None and not placeholders):
            raise TranslateError(
                f"'{written}' does not match '{decl.key}': expected {len(placeholders)}"
                f" {where} index(es)",
                node.pos,
            )
        nodes.extend(items)
    if len(group.items) != len(decl.arguments):
        raise TranslateError(
            f"'{written}' does not match '{decl.key}': expected {len(decl.arguments)}"
            " index argument(s)",
            group.pos,
        )
    nodes.extend(group.items)
    indices = [reader.index(n, scope) for n in nodes]
    shape = decl.shape if decl.kind in (Kind.VECTOR, Kind.MATRIX) else SCALAR
    return T.Ref(decl.base, indices, family=True, shape=shape, written=written, pos=node.pos)
