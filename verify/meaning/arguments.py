"""Families whose indices are written as arguments, as probability texts write
them: `\\pi(a | s)`, `p(s' | s, a)`, `b_j(k)`, `\\alpha_t(i)` (contract §2 families).

A key such as `p(s' | s, a): scalar` declares a family indexed by s', s and a;
`p(s' | s, a)` in a step is its member at those index values, exactly like
`w_j^{(i)}` for a family written with scripts. The bar only separates what is
conditioned on; it means nothing more than a comma here. A family's name may
carry scripts that are not indices (`q_\\pi(s, a)`), and a declared whole may
name its parts so (`v_\\pi: vector(n), entries v_\\pi(s)`).
"""

from __future__ import annotations

from verify.errors import TranslateError
from verify.latex import tree as ast
from verify.latex.printer import compact
from verify.latex.syntax import index_items
from verify.meaning import terms as T
from verify.meaning.scope import Reader, Scope
from verify.meaning.textbook_terms import PartRef
from verify.model import Declaration, Kind, Part
from verify.shape import SCALAR, Shape, Size


def _scripts(reader: Reader, base: str, node: ast.Node) -> tuple[ast.Node | None, ast.Node | None]:
    """The scripts of `node` that index the family named `base` (those that are part
    of a literal name, `\\pi` in `q_\\pi`, are not)."""
    if not isinstance(node, ast.Scripted):
        return None, None
    sub, sup = node.sub, node.sup
    written = node.base.text if isinstance(node.base, ast.Atom) else None
    if written is not None and written != base:
        literal = reader.literal(written, sub, sup)
        if literal is not None and literal[0] == base:
            _, sub, sup = literal
    return sub, sup


def argument_member(
    reader: Reader, decl: Declaration, node: ast.Node, group: ast.Delimited, scope: Scope
) -> T.Term:
    """The member of `decl` named by `node` (with its scripts) and the index
    arguments in `group`."""
    sub, sup = _scripts(reader, decl.base, node)
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


def argument_part(reader: Reader, name: str) -> tuple[Part, Declaration] | None:
    """The part written with arguments that `name` names (`v_\\pi` of `entries
    v_\\pi(s)`), with its whole; None if there is none."""
    for part, whole in reader.parts.get(name, []):
        if part.arguments:
            return part, whole
    return None


def part_member(
    reader: Reader, part: Part, whole: Declaration, node: ast.Node, group: ast.Delimited,
    scope: Scope,
) -> T.Term:  # fmt: skip
    """Entry `(s)` (or `(s, s')`) of the whole, written as its part `v_\\pi(s)`."""
    written = compact(node) + compact(group)
    sub, sup = _scripts(reader, part.base, node)
    if sub is not None or sup is not None or len(group.items) != len(part.arguments):
        raise TranslateError(
            f"'{written}' does not match '{part.key}' ({part.kind} of {whole.key}): expected"
            f" {len(part.arguments)} index argument(s)",
            node.pos,
        )
    indices = [reader.index(n, scope) for n in group.items]
    assert whole.shape is not None
    shape = Shape(whole.shape.cols, Size.number(1)) if part.kind == "rows" else SCALAR
    return PartRef(whole.base, indices, shape=shape, pos=node.pos, written=written,
                   part=part.kind)  # fmt: skip


OPEN = "\\cdot"  # an argument left open: `\\pi(\\cdot | s)` is the vector over the first one


def is_open(node: ast.Node) -> bool:
    return isinstance(node, ast.Atom) and node.kind == "SYMBOL" and node.text == OPEN


def open_placeholder(reader: Reader, name: str, group: ast.Delimited, pos: int) -> str:
    """The index that the `\\cdot` in a call of `name` leaves open: the defined
    function's parameter, or the family's argument, at its position."""
    opened = [k for k, item in enumerate(group.items) if is_open(item)]
    if len(opened) != 1:
        raise TranslateError(f"{name}(…): leave one argument open with \\cdot, not several", pos)
    position = opened[0]
    definition = reader.definitions.get(name)
    decl = reader.declarations.get(name)
    part = argument_part(reader, name)
    placeholders: tuple[str, ...] | list[str] = ()
    if definition is not None:
        placeholders = definition.params
    elif part is not None:
        placeholders = part[0].arguments
    elif decl is not None:
        placeholders = decl.arguments
    if position >= len(placeholders):
        raise TranslateError(f"{name}(…): the \\cdot stands for no argument of {name}", pos)
    placeholder = placeholders[position]
    index = reader.declarations.get(placeholder)
    if index is None or index.kind != Kind.INDEX or index.is_random or index.index_range is None:
        raise TranslateError(
            f"{name}(…): the \\cdot leaves the argument {placeholder} open, so {placeholder}"
            f" must be a declared index (e.g. '{placeholder}: index 1..k'), whose range the"
            " vector runs over",
            pos,
        )
    if index.index_range[0] != Size.number(1):
        raise TranslateError(
            f"{name}(…): the vector over {placeholder} needs {placeholder} to run from 1", pos
        )
    return placeholder


def filled(group: ast.Delimited, variable: str) -> ast.Delimited:
    """The call's arguments with the open one replaced by `variable`."""
    items = [ast.Atom("SYMBOL", variable, pos=item.pos) if is_open(item) else item
             for item in group.items]  # fmt: skip
    return ast.Delimited(items, list(group.separators), group.delimiter, pos=group.pos)
