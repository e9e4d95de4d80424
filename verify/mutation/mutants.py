"""Small wrong edits to one side of a pair, made on its syntax tree.

`verify.latex.printer.round_trip` writes an edited tree back as LaTeX that parses to the
same tree, so an edit touches exactly one place and leaves the rest of the
side as the page wrote it. `mutants` lists the edits a careless hand makes:
a flipped sign, a changed coefficient or exponent, a transpose dropped or
added, an inverse dropped, one index for another, two matrix factors in the
other order, a dropped term. `verify.mutation.mutate` runs them through the checker.
"""

from __future__ import annotations

import contextlib
import copy
from dataclasses import dataclass
from typing import Any

from verify.errors import TranslateError
from verify.latex import tree as ast
from verify.latex.paths import Path, children, replace
from verify.latex.syntax import symbol_name as _name
from verify.latex.syntax import unwrap as _unwrap
from verify.meaning.scope import DefinitionInfo, Scope
from verify.meaning.translate import Translator
from verify.model import Declaration, Kind
from verify.shape import Shape

KINDS = ("sign", "coefficient", "exponent", "transpose", "inverse", "index", "swap", "drop")
SYMMETRIC_PROPERTIES = {"symmetric", "positive-definite", "diagonal"}

# -------------------------------------------------------------------- context


class ShapeRecorder(Translator):
    """The translator, remembering the shape it gave each node of the tree."""

    def __init__(self, declarations: list[Declaration], definitions: list[DefinitionInfo]):
        super().__init__(declarations, definitions)
        self.shapes: dict[int, Shape | None] = {}

    def translate(self, node: ast.Node, scope: Scope | None = None) -> Any:
        term = super().translate(node, scope)
        self.shapes[id(node)] = term.shape
        return term


@dataclass
class Context:
    """What the page says about the names in a side."""

    declarations: dict[str, Declaration]
    definitions: dict[str, DefinitionInfo]
    shapes: dict[int, Shape | None]

    def family(self, name: str | None) -> tuple[list[str], list[str]] | None:
        """(subscript, superscript) placeholders if `name` is an indexed family."""
        if name is None:
            return None
        d = self.declarations.get(name)
        if d is not None and d.indices:
            return list(d.subscripts), list(d.superscripts)
        definition = self.definitions.get(name)
        if definition is not None and (definition.subscripts or definition.superscripts):
            return definition.subscripts, definition.superscripts
        return None

    def alternatives(self, index: str) -> list[str]:
        """Other declared indices with the same range as `index`."""
        d = self.declarations.get(index)
        if d is None or d.kind != Kind.INDEX:
            return []
        return sorted(
            o.base for o in self.declarations.values()
            if o.kind == Kind.INDEX and o.base != index and o.index_range == d.index_range
        )  # fmt: skip

    def general_square_matrix(self, name: str | None) -> bool:
        d = self.declarations.get(name or "")
        return (
            d is not None and d.kind == Kind.MATRIX and d.shape is not None
            and d.shape.is_square and not SYMMETRIC_PROPERTIES & set(d.properties)
        )  # fmt: skip

    def square_matrix(self, node: ast.Node) -> bool:
        shape = self.shapes.get(id(node))
        return shape is not None and shape.is_square and not shape.is_scalar


def context_for(
    tree: ast.Node, declarations: list[Declaration], definitions: list[DefinitionInfo]
) -> Context:
    recorder = ShapeRecorder(declarations, definitions)
    parts = [tree.left, tree.right] if isinstance(tree, ast.Equation) else [tree]
    for part in parts:
        with contextlib.suppress(TranslateError, RecursionError):
            recorder.translate(part)
    return Context(
        {d.base: d for d in declarations}, {d.base: d for d in definitions}, recorder.shapes
    )


# ---------------------------------------------------------------------- edits


@dataclass(frozen=True)
class Edit:
    """One wrong edit: what kind, what it did, and the side it made."""

    kind: str
    description: str
    tree: ast.Node
    under: str | None = None  # `det` or `tr` when the edit is inside one


def _is_transpose(node: ast.Node | None) -> bool:
    node = _unwrap(node)
    return isinstance(node, ast.Atom) and (
        node.kind == "TRANSPOSE" or (node.kind in ("LETTER", "SYMBOL") and node.text == "T")
    )


def _minus(node: ast.Node | None) -> ast.Node | None:
    """The body of `-x` (braces aside), else None."""
    node = _unwrap(node)
    return _unwrap(node.body) if isinstance(node, ast.Negate) else None


def _is_inverse(node: ast.Node | None) -> str | None:
    """'-1' or '-T' if a superscript inverts."""
    body = _minus(node)
    if isinstance(body, ast.Atom) and body.kind == "NUMBER" and body.text == "1":
        return "-1"
    if _is_transpose(body):
        return "-T"
    return None


def _sup_role(node: ast.Scripted, ctx: Context) -> str:
    """What a superscript means: an index, a transpose, an inverse, or a power."""
    if node.sup is None:
        return "none"
    if isinstance(node.base, ast.Atom) and node.base.kind in ("SUM", "PROD", "NABLA"):
        return "limit"
    family = ctx.family(_name(node.base))
    if family is not None and family[1]:
        return "index"
    if _is_transpose(node.sup):
        return "transpose"
    if _is_inverse(node.sup):
        return "inverse"
    return "power"


def _number_plus_one(text: str) -> str:
    if "." in text:
        whole, frac = text.split(".", 1)
        return f"{int(whole) + 1}.{frac}"
    return str(int(text) + 1)


def _one(text: str) -> ast.Atom:
    return ast.Atom("NUMBER", text)


def edits(tree: ast.Node, ctx: Context) -> list[Edit]:
    """Every wrong edit of a side that the operators know how to make."""
    out: list[Edit] = []
    has_const = any(a.kind == "CONST" for a in _atoms(tree))
    if not isinstance(tree, (ast.Negate, ast.Equation)) and not has_const:
        out.append(Edit("sign", "negate the whole side", ast.Negate(tree)))
    _walk(tree, (), "expr", ctx, tree, out, None)
    return out


def _atoms(node: ast.Node) -> list[ast.Atom]:
    if isinstance(node, ast.Atom):
        return [node]
    return [a for _, child in children(node) for a in _atoms(child)]


def _under(node: ast.Node) -> str | None:
    """`det` or `tr` if `node` is that function's name."""
    base = node.base if isinstance(node, ast.Scripted) else node
    if isinstance(base, ast.Atom) and base.kind == "FUNC" and base.text in ("det", "tr"):
        return base.text
    return None


def _walk(node: ast.Node, path: Path, where: str, ctx: Context, root: ast.Node,
          out: list[Edit], under: str | None) -> None:  # fmt: skip
    """Collect edits at `node`; `where` is expr, base, exponent, index or limit."""

    def add(kind: str, description: str, new: ast.Node) -> None:
        out.append(Edit(kind, description, replace(root, path, new), under))

    if isinstance(node, ast.Atom) and node.kind == "NUMBER" and where != "index":
        kind = {"exponent": "exponent", "limit": "coefficient"}.get(where, "coefficient")
        what = "bound" if where == "limit" else kind
        add(kind, f"{what} {node.text} → {_number_plus_one(node.text)}",
            ast.Atom("NUMBER", _number_plus_one(node.text)))  # fmt: skip
    if isinstance(node, ast.Atom) and node.kind == "LETTER" and where == "index":
        for other in ctx.alternatives(node.text):
            add("index", f"index {node.text} → {other}", ast.Atom("LETTER", other))
    if where in ("expr", "exponent"):
        if isinstance(node, ast.Sum):
            for k, (sign, term) in enumerate(node.terms):
                flipped = list(node.terms)
                flipped[k] = (-sign, term)
                add("sign", f"flip the sign of term {k + 1}", ast.Sum(flipped))
                if len(node.terms) > 1:
                    rest = [t for n, t in enumerate(node.terms) if n != k]
                    if rest[0][0] < 0:
                        rest[0] = (1, ast.Negate(rest[0][1]))
                    new: ast.Node = ast.Sum(rest) if len(rest) > 1 else rest[0][1]
                    add("drop", f"drop term {k + 1}", new)
        if isinstance(node, ast.Negate) and not _is_inverse(node):
            add("sign", "drop a minus sign", node.body)
        if isinstance(node, ast.Product):
            _swaps(node, ctx, add)
        if (
            where == "expr" and isinstance(node, ast.Delimited) and node.delimiter == "("
            and len(node.items) == 1 and ctx.square_matrix(node)
        ):  # fmt: skip
            add("transpose", "transpose a parenthesized matrix",
                ast.Scripted(node, None, ast.Atom("TRANSPOSE", "top")))  # fmt: skip
        if isinstance(node, ast.Atom) and ctx.general_square_matrix(_name(node)):
            add("transpose", f"transpose {node.text}",
                ast.Scripted(node, None, ast.Atom("TRANSPOSE", "top")))  # fmt: skip
    if isinstance(node, ast.Scripted):
        _scripted(node, ctx, add)
        role = _sup_role(node, ctx)
        family = ctx.family(_name(node.base))
        # A bare symbol as base gets its edits from `_scripted`; a number or a
        # group as base is walked like any other factor.
        base_where = "base" if isinstance(node.base, ast.Atom) else where
        _walk(node.base, path + (("base", -1, -1),), base_where, ctx, root, out, under)
        if node.sub is not None:
            sub_where = "index" if family is not None else "limit" if role == "limit" else "index"
            _walk(node.sub, path + (("sub", -1, -1),), sub_where, ctx, root, out, under)
        if node.sup is not None and role in ("index", "limit", "power"):
            sup_where = {"index": "index", "limit": "limit", "power": "exponent"}[role]
            _walk(node.sup, path + (("sup", -1, -1),), sup_where, ctx, root, out, under)
        return
    if isinstance(node, ast.Limit):
        _walk(node.right, path + (("right", -1, -1),), "limit", ctx, root, out, under)
        return
    if isinstance(node, ast.Bars) and not node.double and ctx.square_matrix(node.body):
        under = "det"
    previous: ast.Node | None = None
    for step, child in children(node):
        inner = under
        if isinstance(node, ast.Product) and previous is not None:
            inner = _under(previous) or under
        _walk(child, path + (step,), where, ctx, root, out, inner)
        previous = child


def _scripted(node: ast.Scripted, ctx: Context, add: Any) -> None:
    role = _sup_role(node, ctx)
    base_name = _name(node.base)
    if role == "transpose":
        add("transpose", "drop a transpose", _with(node, sup=None))
    if node.primes:
        add("transpose", "drop a prime (transpose)", _with(node, primes=node.primes - 1))
    if role == "inverse":
        if _is_inverse(node.sup) == "-1":
            add("inverse", "drop an inverse", _with(node, sup=None))
            if ctx.general_square_matrix(base_name):
                add("transpose", "inverse → inverse transpose",
                    _with(node, sup=ast.Negate(ast.Atom("LETTER", "T"))))  # fmt: skip
        else:
            add("inverse", "drop the inverse of -T", _with(node, sup=ast.Atom("TRANSPOSE", "top")))
    if role == "power":
        add("exponent", "drop an exponent", _with(node, sup=None))
        sup = _unwrap(node.sup)
        if sup is not None and not (isinstance(sup, ast.Atom) and sup.kind == "NUMBER"):
            add("exponent", "exponent e → e + 1",
                _with(node, sup=ast.Sum([(1, sup), (1, _one("1"))])))  # fmt: skip
    if role == "none" and node.sub is not None and ctx.general_square_matrix(base_name):
        add("transpose", f"transpose {base_name}", _with(node, sup=ast.Atom("TRANSPOSE", "top")))
    family = ctx.family(base_name)
    if family is not None:
        subs = _index_list(node.sub)
        if len(subs) == 2 and len(family[0]) == 2:
            swapped = ast.Delimited([ast.Product([subs[1], subs[0]], [""])], [], "{")
            add("index", "swap the two subscript indices", _with(node, sub=swapped))


def _index_list(node: ast.Node | None) -> list[ast.Node]:
    node = _unwrap(node)
    if isinstance(node, ast.Sequence):
        return list(node.items)
    if isinstance(node, ast.Product) and not any(node.ops):
        return list(node.factors)
    return [node] if node is not None else []


def _with(node: ast.Scripted, **changes: Any) -> ast.Scripted:
    new = copy.deepcopy(node)
    for key, value in changes.items():
        setattr(new, key, value)
    return new


def _swaps(node: ast.Product, ctx: Context, add: Any) -> None:
    """Two adjacent matrix-valued factors in the other order."""
    for k in range(len(node.factors) - 1):
        if node.ops[k] not in ("", "cdot", "times", "*", "ast"):
            continue
        a, b = node.factors[k], node.factors[k + 1]
        if ctx.square_matrix(a) and ctx.shapes.get(id(a)) == ctx.shapes.get(id(b)):
            factors = list(node.factors)
            factors[k], factors[k + 1] = b, a
            add("swap", f"swap factors {k + 1} and {k + 2}", ast.Product(factors, list(node.ops)))
