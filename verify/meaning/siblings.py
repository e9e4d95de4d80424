"""Which of two symbols sharing a letter a written name is (`verify.reading.siblings`).

With `z` and the family `z^{(i)}` both declared, the scripts decide: the
family's index scripts make a member (`z^{(i)}`, `z^{(i)T}`, `\\mathbf{x}_n`),
anything else is the plain symbol (`z`, `z^T`, `z^{-1}`). A bare superscript
that could be an index or a power (`z^2`, `z^{i}`) reads two ways: an error.
The same holds for a family defined beside a declared plain symbol: Bishop's
`N_k := \\sum_n \\gamma(z_{nk})` beside the size N.
"""

from __future__ import annotations

from collections.abc import Callable

from verify.errors import TranslateError
from verify.latex import tree as ast
from verify.latex.printer import compact
from verify.latex.syntax import parenthesized, unwrap
from verify.meaning.scope import DefinitionInfo
from verify.meaning.textbook import split_transpose
from verify.model import Declaration


def route(
    family: Declaration, sub: ast.Node | None, sup: ast.Node | None, pos: int,
    is_index: Callable[[ast.Node], bool],
) -> str:  # fmt: skip
    """The stored name the written scripts select: the family's, or the plain letter."""
    letter = family.shares or family.base
    if family.subscripts and sub is None:
        return letter
    if not family.superscripts:
        return family.base if sub is not None else letter
    script = split_transpose(sup) or sup
    if script is None:
        return letter
    if parenthesized(script):
        return family.base
    if is_index(script):
        written = compact(unwrap(script))
        raise TranslateError(
            f"{letter}^{{{written}}} reads as member {written} of {family.key} or as a power of"
            f" {letter}: write {letter}^{{({written})}} for the member, or ({letter})^{{{written}}}"
            " for the power",
            pos,
        )
    return letter


def shares_letter(definition: DefinitionInfo, declarations: list[Declaration]) -> bool:
    """Whether a definition of a family (`N_k := …`) may share the letter of a declared
    plain symbol (the size N): written with its index scripts it is the family,
    without them the declared symbol."""
    if not (definition.subscripts or definition.superscripts) or definition.params:
        return False
    if definition.template is not None:
        return False
    plain = [d for d in declarations if d.base == definition.base]
    return len(plain) == 1 and not plain[0].indices and not plain[0].parts


def plain_reading(
    definition: DefinitionInfo, declarations: dict[str, Declaration], sub: ast.Node | None,
    sup: ast.Node | None,
) -> bool:  # fmt: skip
    """Whether a name is the declared plain symbol beside a defined family: the
    family's index scripts are not written."""
    decl = declarations.get(definition.base)
    if decl is None or decl.indices or not shares_letter(definition, [decl]):
        return False
    return (bool(definition.subscripts) and sub is None) or (
        bool(definition.superscripts) and not parenthesized(split_transpose(sup) or sup)
    )
