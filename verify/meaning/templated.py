"""Reading names with indices inside a literal script (`verify.latex.templates`).

A declared `\\mu_{z^{(i)}|x^{(i)}}` is a family over i; a defined
`\\gamma(z_{nk}) := …` is defined for every n and k. A written name that matches
the template (`\\mu_{z^{(i)}|x^{(i)}}` inside `\\sum_i`, `\\gamma(z_{nj})`) is the
member, or the definition's body, at the indices written in place of the
placeholders; within a sum those are the sum's own bound variables.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from verify.errors import LatexError, TranslateError
from verify.latex import tree as ast
from verify.latex.parser import parse_latex
from verify.latex.printer import compact
from verify.latex.syntax import symbol_name
from verify.latex.templates import match, placeholders
from verify.meaning import terms as T
from verify.meaning.scope import DefinitionInfo, Reader, Scope
from verify.model import Declaration, Kind
from verify.shape import SCALAR


def with_template(
    info: DefinitionInfo, lhs: ast.Node, indices: set[str], named: bool
) -> DefinitionInfo:
    """`info` as a pattern if its name has declared indices inside a literal script or
    bracket (`\\gamma(z_{nk}) := …`, `\\mu_{x^{(i)}} := …`): the placeholders become
    its index placeholders. A name that also has index scripts or parameters
    (`f_j(x^{(i)})`) is left as it is. `named`: the left side is a value named as a
    head and brackets (`verify.deciding.understand`)."""
    if info.subscripts or info.superscripts or info.params:
        return info
    if named and isinstance(lhs, ast.Product):
        inside = placeholders(lhs.factors[1], indices)
        return replace(info, subscripts=inside, template=lhs) if inside else info
    if isinstance(lhs, ast.Scripted):
        scripts = ast.Sequence([s for s in (lhs.sub, lhs.sup) if s is not None])
        inside = placeholders(scripts, indices)
        return replace(info, subscripts=inside, template=lhs) if inside else info
    return info


@dataclass
class Template:
    """A name as a pattern, and what it names: a declaration or a definition."""

    node: ast.Node
    names: list[str]  # the placeholders, in the order of the family's indices
    declaration: Declaration | None = None
    definition: DefinitionInfo | None = None


@lru_cache(maxsize=256)
def _parsed(text: str) -> ast.Node | None:
    try:
        return parse_latex(text)
    except (LatexError, RecursionError):
        return None


def templates(reader: Reader, letter: str) -> list[Template]:
    """The templated names whose base symbol is `letter` (`\\mu`), declared or defined."""
    found = []
    for decl in reader.declarations.values():
        node = _parsed(decl.base) if decl.embedded else None
        if isinstance(node, ast.Scripted) and symbol_name(node.base) == letter:
            found.append(Template(node, list(decl.embedded), declaration=decl))
    for definition in reader.definitions.values():
        node = definition.template
        if isinstance(node, ast.Scripted) and symbol_name(node.base) == letter:
            found.append(Template(node, definition.subscripts, definition=definition))
    return found


def read(
    reader: Reader, letter: str, sub: ast.Node | None, sup: ast.Node | None, scope: Scope,
    pos: int,
) -> tuple[T.Term, ast.Node | None] | None:  # fmt: skip
    """The member (or body) a written name selects, and the superscript left over
    (`^T` after `\\mu_{z^{(i)}|x^{(i)}}`); None if no template matches."""
    for template in templates(reader, letter):
        node = template.node
        assert isinstance(node, ast.Scripted)
        rest_sub, rest_sup = sub, sup
        bound: dict[str, ast.Node] | None = {}
        for mine, written in ((node.sub, sub), (node.sup, sup)):
            if mine is None or bound is None:
                continue
            found = match(mine, written, template.names)
            bound = None if found is None or _clash(bound, found) else {**bound, **found}
            if mine is node.sub:
                rest_sub = None
            else:
                rest_sup = None
        if bound is None or len(bound) != len(template.names):
            continue
        if rest_sub is not None:
            raise TranslateError(f"{compact(node)} takes no further subscript", pos)
        return _term(reader, template, bound, scope, pos), rest_sup
    return None


def named_value(
    reader: Reader, head: ast.Node, args: ast.Node, scope: Scope, pos: int
) -> T.Term | None:
    """A defined value written as a head and brackets with indices inside
    (`\\gamma(z_{nj})` after `\\gamma(z_{nk}) := …`); None if none matches."""
    written = ast.Product([head, args], [""], pos=pos)
    for definition in reader.definitions.values():
        node = definition.template
        if not isinstance(node, ast.Product):
            continue
        bound = match(node, written, definition.subscripts)
        if bound is not None and len(bound) == len(definition.subscripts):
            template = Template(node, definition.subscripts, definition=definition)
            return _term(reader, template, bound, scope, pos)
    return None


def _clash(old: dict[str, ast.Node], new: dict[str, ast.Node]) -> bool:
    return any(k in old and compact(old[k]) != compact(v) for k, v in new.items())


def _term(
    reader: Reader, template: Template, bound: dict[str, ast.Node], scope: Scope, pos: int
) -> T.Term:
    nodes = [bound[name] for name in template.names]
    if template.definition is not None:
        term, _ = reader.expand(template.definition, ast.Sequence(nodes, pos=pos), None, [],
                                scope, pos)  # fmt: skip
        return term
    decl = template.declaration
    assert decl is not None
    indices = [reader.index(n, scope) for n in nodes]
    shape = decl.shape if decl.kind in (Kind.VECTOR, Kind.MATRIX) else SCALAR
    return T.Ref(decl.base, indices, family=True, shape=shape, pos=pos)
