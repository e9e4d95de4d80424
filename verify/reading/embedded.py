"""Declared indices written inside a literal name's script (`verify.latex.templates`).

`\\mu_{z^{(i)}|x^{(i)}}: vector(k)` declares one vector per example i: the script
is not a list of indices, so it is part of the name, but the name depends on the
declared index i written in it. Such a declaration is a family over those
indices, read by matching the name as a template.
"""

from __future__ import annotations

from verify.errors import LatexError
from verify.latex import tree as ast
from verify.latex.parser import parse_latex
from verify.latex.templates import placeholders
from verify.reading.notation import SymbolShape


def embedded_indices(
    written: SymbolShape, folded: SymbolShape, indices: set[str]
) -> tuple[str, ...]:
    """The declared indices inside the scripts that `literal_form` folded into the name."""
    if folded.base == written.base:
        return ()
    try:  # the name as a whole: `|` and `*` are names only inside a script
        node = parse_latex(folded.base)
    except (LatexError, RecursionError):
        return ()
    if not isinstance(node, ast.Scripted):
        return ()
    return tuple(placeholders(ast.Sequence([s for s in (node.sub, node.sup) if s]), indices))
