"""Notation as textbooks write it: how the translator reads it (the terms are in
`verify.meaning.textbook_terms`).

- Parts of a declared whole (contract §2): `y^{(i)}` is entry i of `y`, `x^{(i)}`
  row i of `X` (as a column), `\\alpha_i` entry i of `\\alpha`. A part is a view of
  its whole: the instance holds the whole only, so the two always agree, and a
  derivative or a `given` that moves a part moves the whole with it.
- Entries: `A_{ij}` of a declared matrix, `(\\Sigma)_{jj}` and `(XX^T)_{ij}` of any
  matrix expression.
- A matrix defined entry by entry (`K_{ij} := k(x^{(i)}, x^{(j)})`) used whole (`K`).
- `\\mathbf{1}`, the ones vector, sized by what it is multiplied by or added to.
- `\\delta_{ij}`, the Kronecker delta; `\\operatorname{vec}`; `A \\backslash b`.
- `x^{(i)T}` and `w^{*T}`: a name's script followed by a transpose mark.
"""

from __future__ import annotations

from typing import Any

from verify.errors import TranslateError
from verify.latex import tree as ast
from verify.latex.printer import compact
from verify.latex.syntax import index_items, is_transpose, unwrap
from verify.meaning import terms as T
from verify.meaning.scope import DefinitionInfo, Reader, Scope
from verify.meaning.textbook_terms import Delta, Entry, Ones, PartRef, Tabulated, Vec
from verify.model import Declaration, Kind, Part
from verify.reading.parts import extents, part_shape
from verify.shape import SCALAR, Shape, Size, show_shape

ONES = "\\mathbf{1}"
PENDING = Size.name(ONES)  # the size of a ones vector that its context has not fixed yet


# ------------------------------------------------------------------------ reading


def split_transpose(sup: ast.Node | None) -> ast.Node | None:
    """`(i)T` -> `(i)`, `*T` -> `*`: the script of a name, without a final transpose mark."""
    sup = unwrap(sup)
    if not isinstance(sup, ast.Product) or len(sup.factors) < 2 or any(sup.ops):
        return None
    if not is_transpose(sup.factors[-1]):
        return None
    rest = sup.factors[:-1]
    if len(rest) == 1:
        return rest[0]
    return ast.Product(rest, sup.ops[:-1], pos=rest[0].pos)


def index_nodes(script: ast.Node | None, expected: int) -> list[ast.Node]:
    """The index expressions of a script; `11` is two indices where two are expected."""
    items = index_items(script, expected)
    node = unwrap(script)
    if (
        expected == 2 and len(items) == 1 and isinstance(node, ast.Atom)
        and node.kind == "NUMBER" and len(node.text) == 2
    ):  # fmt: skip
        return [ast.Atom("NUMBER", ch, pos=node.pos) for ch in node.text]
    return items


def part_pattern_fits(part: Part, sub: ast.Node | None, sup: ast.Node | None) -> bool:
    """Whether a name's scripts are those of the part: `y^{(i)}`, `\\alpha_i`."""
    if part.arguments:  # `v_\\pi(s)` is read with its arguments, as a call
        return False
    if part.superscripts:
        script = unwrap(sup)
        if script is None or sub is not None:
            return False
        return not part.superscript_parenthesized or (
            isinstance(script, ast.Delimited) and script.delimiter == "("
        )
    return sub is not None


def read_part(
    reader: Reader, part: Part, whole: Declaration, sub: ast.Node | None,
    sup: ast.Node | None, scope: Scope, pos: int,
) -> tuple[T.Term, ast.Node | None]:  # fmt: skip
    """The part at its indices; returns the superscript still to apply."""
    script = sup if part.superscripts else sub
    rest = None if part.superscripts else sup
    nodes = index_nodes(script, len(part.indices))
    if len(nodes) != len(part.indices):
        raise TranslateError(
            f"'{part.key}' ({part.kind} of {whole.key}) takes {len(part.indices)} index(es),"
            f" got {len(nodes)}",
            pos,
        )
    indices = [reader.index(n, scope) for n in nodes]
    assert whole.shape is not None
    shape = part_shape(part.kind, whole.shape)
    ref = PartRef(whole.base, indices, shape=shape, pos=pos, part=part.kind)
    ref.written = part.key
    return ref, rest


def matrix_entry(
    reader: Reader, decl: Declaration, sub: ast.Node, scope: Scope, pos: int
) -> T.Term:
    """`A_{ij}`, `L_{ii}`, `A_{12}` of a declared matrix: its entry, as a view."""
    nodes = index_nodes(sub, 2)
    if len(nodes) != 2:
        raise TranslateError(
            f"'{decl.base}_{{{compact(unwrap(sub))}}}': an entry of the matrix {decl.base} takes"
            " two indices, as in A_{ij}",
            pos,
        )
    indices = [reader.index(n, scope) for n in nodes]
    _check_ranges(reader, indices, decl.shape, decl.base, pos, scope)
    return PartRef(decl.base, indices, shape=SCALAR, pos=pos, part="entries")


def expression_entry(reader: Reader, body: T.Term, sub: ast.Node, scope: Scope, pos: int) -> T.Term:
    """`(XX^T)_{ij}`, `(\\Sigma)_{jj}`, `(Xu)_i`: an entry of a bracketed expression."""
    shape = body.shape or SCALAR
    if shape.is_scalar:
        raise TranslateError(
            f"the subscript {compact(unwrap(sub))} asks for an entry of a scalar: declare"
            " the vector or matrix it stands for",
            pos,
        )
    expected = 1 if shape.is_column else 2
    nodes = index_nodes(sub, expected)
    if len(nodes) != expected:
        raise TranslateError(
            f"an entry of a {show_shape(shape)} takes {expected} index(es), got {len(nodes)}",
            pos,
        )
    indices = [reader.index(n, scope) for n in nodes]
    _check_ranges(reader, indices, shape, "the matrix", pos, scope)
    return Entry(body, indices[0], indices[1] if expected == 2 else None, shape=SCALAR, pos=pos)


def _check_ranges(
    reader: Reader, indices: list[T.Term], shape: Shape | None, what: str, pos: int,
    scope: Scope,
) -> None:  # fmt: skip
    """A declared index must run over the rows (or columns) it picks from; one bound
    by a sum runs over the sum's own limits, which evaluation checks."""
    if shape is None:
        return
    for index, extent, name in zip(indices, (shape.rows, shape.cols), ("rows", "columns"),
                                   strict=False):  # fmt: skip
        if not isinstance(index, T.IndexValue) or index.name in scope.bound:
            continue
        decl = reader.declarations.get(index.name)
        if decl is None or decl.kind != Kind.INDEX or decl.index_range is None:
            continue
        lo, hi = decl.index_range
        if lo != Size.number(1) or hi != extent:
            raise TranslateError(
                f"{index.name} runs over {lo}..{hi}, but {what} has {extent} {name}", pos
            )


def tabulate(reader: Reader, definition: DefinitionInfo, pos: int) -> T.Term:
    """`K` after `K_{ij} := …`: the matrix (or vector) of all the defined entries."""
    placeholders = definition.subscripts + definition.superscripts
    extents: list[Size] = []
    for name in placeholders:
        decl = reader.declarations.get(name)
        if decl is None or decl.index_range is None or decl.index_range[0] != Size.number(1):
            raise TranslateError(
                f"{definition.base} is defined entry by entry; to use it whole, its index"
                f" {name} must be declared as running from 1 (e.g. '{name}: index 1..m')",
                pos,
            )
        extents.append(decl.index_range[1])
    if len(placeholders) > 2:
        raise TranslateError(f"{definition.base} has more than two indices: use its entries", pos)
    variables = [f"\\tab{n}{name}" for n, name in enumerate(placeholders)]
    scope = Scope(frozenset(variables))
    nodes: list[ast.Node] = [ast.Atom("SYMBOL", v, pos=pos) for v in variables]
    sub = _script(nodes[: len(definition.subscripts)], pos)
    sup = _script(nodes[len(definition.subscripts) :], pos)
    body, _ = reader.expand(definition, sub, sup, [], scope, pos)
    if body.shape not in (SCALAR, None):
        raise TranslateError(
            f"{definition.base} is defined entry by entry, but an entry is a"
            f" {show_shape(body.shape)}",
            pos,
        )
    shape = Shape(extents[0], extents[1] if len(extents) > 1 else Size.number(1))
    return Tabulated(variables, extents, body, shape=shape, pos=pos)


def _script(nodes: list[ast.Node], pos: int) -> ast.Node | None:
    if not nodes:
        return None
    if len(nodes) == 1:
        return nodes[0]
    return ast.Sequence(nodes, pos=pos)


def delta(
    reader: Reader, sub: ast.Node | None, scope: Scope, pos: int, is_index: Any
) -> T.Term | None:
    """`\\delta_{ij}` with two indices (declared, bound or whole numbers), or None."""
    if sub is None:
        return None
    nodes = index_nodes(sub, 2)
    if len(nodes) != 2 or not all(is_index(n) for n in nodes):
        return None
    left, right = (reader.index(n, scope) for n in nodes)
    return Delta(left, right, shape=SCALAR, pos=pos)


def script_size(name: str, sub: ast.Node, declarations: dict[str, Declaration], pos: int) -> Size:
    """The size a subscript names (`\\mathbf{1}_m`, `\\mathbf{0}_D`): a number or a
    declared size."""
    text = compact(unwrap(sub))
    decl = declarations.get(text)
    if text.isdigit():
        return Size.number(int(text))
    if decl is not None and decl.kind == Kind.SIZE:
        return Size.name(text)
    raise TranslateError(f"{name}_{{{text}}}: the subscript must be a declared size", pos)


def ones(sub: ast.Node | None, declarations: dict[str, Declaration], pos: int) -> T.Term:
    """`\\mathbf{1}` (sized by its context) or `\\mathbf{1}_m`."""
    if sub is None:
        return Ones(None, shape=Shape(PENDING, Size.number(1)), pos=pos)
    size = script_size("\\mathbf{1}", sub, declarations, pos)
    return Ones(size, shape=Shape(size, Size.number(1)), pos=pos)


def pending(shape: Shape | None) -> bool:
    return shape is not None and ONES in shape.names()


def settle(term: T.Term, size: Size) -> None:
    """Fix the size of every unsized `\\mathbf{1}` in `term` (in place; the term was
    just made for this side)."""
    for t in term.walk():
        if isinstance(t, Ones) and t.size is None:
            t.size = size
        if pending(t.shape):
            assert t.shape is not None
            t.shape = Shape(
                size if t.shape.rows == PENDING else t.shape.rows,
                size if t.shape.cols == PENDING else t.shape.cols,
            )


def size_ones_in_product(left: T.Term, right: T.Term) -> None:
    """`\\mathbf{1}^T v`, `A\\mathbf{1}`: the inner dimension fixes the size."""
    a, b = left.shape, right.shape
    if a is not None and b is not None and pending(a) != pending(b):
        if pending(a) and a.cols == PENDING and not b.is_scalar:
            settle(left, b.rows)
        elif pending(b) and b.rows == PENDING and not a.is_scalar:
            settle(right, a.cols)


def size_ones_in_sum(items: list[tuple[int, T.Term]]) -> None:
    """`v + \\mathbf{1}`: the other terms fix the size."""
    known = [t.shape for _, t in items if t.shape is not None and not pending(t.shape)]
    known = [s for s in known if not s.is_scalar]
    for _, term in items:
        if pending(term.shape) and known:
            assert term.shape is not None
            size = known[0].rows if term.shape.rows == PENDING else known[0].cols
            settle(term, size)


def size_ones_across(left: T.Term, right: T.Term) -> None:
    """`\\nabla_x\\mu = \\frac{1}{H}\\mathbf{1}`: a side whose ones vector nothing on it
    sizes takes the shape of the other side, as the reader reads it."""
    for this, other in ((left, right), (right, left)):
        a, b = this.shape, other.shape
        if a is None or b is None or not pending(a) or pending(b) or b.is_scalar:
            continue  # never a ones vector of size 1 because the other side is a number
        if a.rows == PENDING and a.cols != PENDING and a.cols == b.cols:
            settle(this, b.rows)
        elif a.cols == PENDING and a.rows != PENDING and a.rows == b.rows:
            settle(this, b.cols)


def unsized_ones(term: T.Term) -> T.Term | None:
    """An `\\mathbf{1}` whose size its context never fixed, if any."""
    return next((t for t in term.walk() if isinstance(t, Ones) and t.size is None), None)


def solve(left: T.Term, right: T.Term, pos: int) -> T.Term:
    """`A \\backslash b`: the solution x of A x = b, that is A^{-1} b."""
    a, b = left.shape or SCALAR, right.shape or SCALAR
    if not a.is_square:
        raise TranslateError(f"A \\backslash b needs a square A, got {show_shape(a)}", pos)
    if not a.is_scalar and a.cols != b.rows:
        raise TranslateError(
            f"A \\backslash b: A is {show_shape(a)} but b is {show_shape(b)}", right.pos
        )
    inverse = T.Inverse(left, shape=a, pos=pos)
    shape = b if not a.is_scalar else (right.shape or SCALAR)
    return T.Mul(inverse, right, shape=shape, pos=pos)


def vec(arg: T.Term, pos: int) -> T.Term:
    shape = arg.shape or SCALAR
    return Vec(arg, shape=Shape(shape.rows * shape.cols, Size.number(1)), pos=pos)


def literal_minimums(terms: list[T.Term], declarations: dict[str, Declaration]) -> dict[str, int]:
    """Smallest sizes for the literal members a pair uses (`\\sigma_2`, `y^{(2)}`,
    `A_{13}`), so that no instance draws a family too small to have them."""
    needed: dict[str, int] = {}

    def need(extent: Size | None, index: T.Term) -> None:
        if extent is None or not isinstance(index, T.Number):
            return
        names = extent.names()
        if len(names) == 1 and extent == Size.name(next(iter(names))):
            value = index.number
            if getattr(value, "is_Integer", False):
                name = next(iter(names))
                needed[name] = max(needed.get(name, 1), int(value))

    for term in terms:
        for t in term.walk():
            if isinstance(t, PartRef):
                decl = declarations.get(t.name)
                if decl is not None and decl.shape is not None:
                    ranges = extents(t.part, decl.shape, len(t.indices))
                    for index, (extent, _) in zip(t.indices, ranges, strict=False):
                        need(extent, index)
            elif isinstance(t, T.Ref) and t.family and t.name in declarations:
                decl = declarations[t.name]
                for index, placeholder in zip(t.indices, decl.indices, strict=False):
                    rng = declarations.get(placeholder)
                    if rng is not None and rng.index_range is not None:
                        if rng.index_range[0] == Size.number(1):
                            need(rng.index_range[1], index)
            elif isinstance(t, Entry) and t.body.shape is not None:
                need(t.body.shape.rows, t.row)
                if t.col is not None:
                    need(t.body.shape.cols, t.col)
    return needed
