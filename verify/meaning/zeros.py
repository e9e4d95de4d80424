"""The bold zero, `\\mathbf{0}` (Bishop's zero vector and zero matrix).

Like the digit 0, it takes the shape of what it is added to or compared with
(`\\sum_n \\mathbf{C}^{-1}(\\mathbf{x}_n - \\boldsymbol{\\mu}) = \\mathbf{0}`);
`\\mathbf{0}_D` is the zero vector of the declared size D.
"""

from __future__ import annotations

import sympy as sp

from verify.latex import tree as ast
from verify.meaning import terms as T
from verify.meaning.textbook import script_size
from verify.model import Declaration
from verify.shape import Shape, Size

BOLD_ZEROS = {"\\mathbf{0}", "\\boldsymbol{0}", "\\bm{0}"}


def bold_zero(
    name: str, sub: ast.Node | None, declarations: dict[str, Declaration], pos: int
) -> T.Term:
    """The zero of the context's shape, or `\\mathbf{0}_D` of size D."""
    if sub is None:
        return T.Number(sp.Integer(0), shape=None, pos=pos)
    size = script_size(name, sub, declarations, pos)
    return T.Zero(shape=Shape(size, Size.number(1)), pos=pos)
