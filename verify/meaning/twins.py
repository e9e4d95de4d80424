"""Names with two meanings told apart by their scripts (`verify.reading.twins`):

- a family declared next to a plain symbol of the same letter (`x` and `x_n`):
  `x_n`, `x_3` are its members, `x` and `x^2` the plain symbol; beside a family
  with a superscript (`z^{(i)}`), a bare index superscript (`z^{i}`) reads as a
  member or as a power, an error that names both;
- two definitions of one letter with different numbers of subscript indices
  (`h_k := …` for one example, `h_{nk} := …` for example n): `h_{nk}` is the
  second, `h_k` the first; a script that could be either (`h_{12}`) is an error;
- a family named with a condition (`\\phi_{j|y=1}`): `\\phi_{l|y=1}` is its member l;
- a family defined beside a declared plain symbol (Bishop's `N_k := \\sum_n \\gamma(z_{nk})`
  beside the size N): `N_k`, `N_l` are its members, `N` the declared symbol.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from verify.errors import LatexError, TranslateError
from verify.latex import tree as ast
from verify.latex.parser import parse_latex
from verify.latex.printer import compact
from verify.latex.syntax import index_items, parenthesized, unwrap
from verify.meaning.scope import DefinitionInfo
from verify.meaning.textbook import split_transpose
from verify.model import Declaration
from verify.reading.notation import canonical_script


def family_named(
    families: list[Declaration], sub: ast.Node | None, sup: ast.Node | None
) -> Declaration | None:
    """The family, among those sharing a letter with a plain symbol, whose scripts
    are written: a subscript exactly when it has subscript indices, a parenthesized
    superscript when it has superscript indices."""
    for family in families:
        if (sub is not None) != bool(family.subscripts):
            continue
        if family.superscripts and not parenthesized(sup):
            continue
        return family
    return None


def refuse_bare_index(
    families: list[Declaration], letter: str, sup: ast.Node | None, pos: int,
    is_index: Callable[[ast.Node], bool],
) -> None:  # fmt: skip
    """`z^{i}` with `z` and `z^{(i)}` declared: member i (a declared superscript index
    is never a power) or the plain symbol to the power i; an error naming both."""
    script = split_transpose(sup) or sup
    if script is None or parenthesized(script) or not any(f.superscripts for f in families):
        return
    node = unwrap(script) or script
    if isinstance(node, ast.Atom) and node.kind == "NUMBER":
        return  # `z^2`: a power of the plain symbol, as the scripts say
    if is_index(script):
        written = compact(node)
        raise TranslateError(
            f"{letter}^{{{written}}} reads as member {written} of the family beside {letter} or"
            f" as a power of {letter}: write {letter}^{{({written})}} for the member, or"
            f" ({letter})^{{{written}}} for the power",
            pos,
        )


def twin_definitions(
    definitions: list[DefinitionInfo],
) -> tuple[dict[str, DefinitionInfo], dict[str, list[DefinitionInfo]]]:
    """The definitions by name, in order; a later definition of a letter with another
    number of subscript indices gets a name of its own (`h_nk`) and is listed,
    with the first, under the letter."""
    named: dict[str, DefinitionInfo] = {}
    twins: dict[str, list[DefinitionInfo]] = {}
    for d in sorted(definitions, key=lambda d: d.order):
        first = named.get(d.base)
        if first is not None and distinct(first, d):
            own = replace(d, base=d.base + "_" + "".join(d.subscripts))
            twins.setdefault(d.base, [first]).append(own)
            named[own.base] = own
            continue
        named[d.base] = d
    return named, twins


def distinct(first: DefinitionInfo, second: DefinitionInfo) -> bool:
    """Two definitions of one letter that their subscripts tell apart."""
    return (
        bool(first.subscripts) and bool(second.subscripts)
        and len(first.subscripts) != len(second.subscripts)
        and not first.superscripts and not second.superscripts
    )  # fmt: skip


def definition_named(twins: list[DefinitionInfo], sub: ast.Node | None, pos: int) -> str | None:
    """The name of the definition whose number of subscript indices is written."""
    if sub is None:
        return None
    node = unwrap(sub)
    if isinstance(node, ast.Atom) and node.kind == "NUMBER" and len(node.text) > 1:
        counts = ", ".join(str(len(d.subscripts)) for d in twins)
        raise TranslateError(
            f"{twins[0].base}_{{{node.text}}}: {twins[0].base} is defined with {counts} indices,"
            f" so this reads as one index {node.text} or as the indices"
            f" {', '.join(node.text)}: separate them with a comma",
            pos,
        )
    for d in sorted(twins, key=lambda d: len(d.subscripts), reverse=True):
        if len(index_items(sub, len(d.subscripts))) == len(d.subscripts):
            return d.base  # the most indices the script holds: `h_{nk}` is two
    raise TranslateError(
        f"{twins[0].base}_{{{compact(node)}}} fits none of the definitions of {twins[0].base}",
        pos,
    )


def conditioned_family(
    families: dict[tuple[str, str], Declaration], name: str, sub: ast.Node | None, pos: int
) -> tuple[Declaration, ast.Node] | None:
    """`\\phi_{l|y=1}`: the family named with the condition `y=1`, and the index `l`
    written before the bar (`verify.reading.conditioned`); None if no such family."""
    if sub is None or not families:
        return None
    text = canonical_script(compact(unwrap(sub)))
    head, bar, condition = text.partition("|")
    family = families.get((name, condition)) if bar else None
    if family is None:
        return None
    try:
        index = parse_latex(head)
    except LatexError as err:
        raise TranslateError(f"the index {head} of {family.key}: {err.message}", pos) from None
    return family, index


def defined_beside(definition: DefinitionInfo, declarations: list[Declaration]) -> bool:
    """Whether a definition of a family (Bishop's `N_k := …`) may share the letter of a
    declared plain symbol (the size N): written with its index scripts it is the
    family, without them the declared symbol."""
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
    if decl is None or decl.indices or not defined_beside(definition, [decl]):
        return False
    return (bool(definition.subscripts) and sub is None) or (
        bool(definition.superscripts) and not parenthesized(split_transpose(sup) or sup)
    )
