"""The edits a repair tries: small changes to one side, or a property added to a symbol.

Each kind undoes a slip a careful hand still makes (contract §5 `repairs`): an
index or a size swapped for another in scope, a transpose or an inverse added,
dropped or moved, a transposed product's order reversed, a sign flipped, a
factor of 2 or ½ added or dropped, a number off by one, a term dropped, and a
property the notation forgot ("holds if A is declared symmetric"). Unlike a
mutant (`verify.mutation.mutants`), a fix is a transformation at a path of the
side's tree, so two fixes compose: the deeper one is applied first, the other
then acts on what it left. Whether a fix repairs anything is for `decide`
to say (`verify.mutation.repair`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from dataclasses import replace as _replace

from verify.latex import tree as ast
from verify.latex.paths import Path
from verify.latex.syntax import symbol_name
from verify.model import Declaration, Kind
from verify.mutation.mutants import SYMMETRIC_PROPERTIES, Context
from verify.mutation.surgery import (
    BINDERS,
    HALF,
    Transform,
    apply,
    bound_indices,
    changed,
    children,
    constant,
    drop_factor,
    drop_minus,
    drop_term,
    flip_term,
    has_const,
    index_atoms,
    index_list,
    inverse_mark,
    is_half,
    negated,
    node_at,
    number,
    number_text,
    paren,
    readable,
    reordered,
    scaled,
    transposed,
    with_sup,
)

# What each kind of fix costs: the search tries cheap (likely) slips first.
COSTS = {
    "sign": 1.0, "index": 1.0, "transpose": 1.0, "inverse": 1.0, "order": 1.0,
    "rename": 1.25, "size": 1.5, "factor": 1.5, "coefficient": 2.0, "exponent": 2.0,
    "drop": 2.0, "property": 2.5,
}  # fmt: skip
LHS_PENALTY = 0.25  # the right side of a step is the new line: suspect it first
# The property a repair may add to a declared symbol of each kind.
PROPERTY_FIXES = {Kind.MATRIX: ("symmetric",), Kind.SCALAR: ("positive",)}
# Properties that already give what the fix would add.
IMPLIED = {"symmetric": SYMMETRIC_PROPERTIES, "positive": {"positive", "probability"}}


@dataclass(frozen=True)
class Fix:
    """One edit: where (`side`, the `edits` at paths of its tree), what it shows.

    `shown` is the path of the node a reader is pointed to (the whole symbol
    `\\Sigma_j` for an index edit); `before`/`after` are its LaTeX without and
    with the edit. A `notation` fix adds `prop` to the declaration of `symbol`.
    """

    kind: str
    side: str
    cost: float
    before: str
    after: str
    shown: Path = ()
    edits: tuple[tuple[Path, Transform], ...] = field(default=(), compare=False)
    symbol: str = ""
    prop: str = ""

    @property
    def places(self) -> int:
        return max(1, len(self.edits))


@dataclass
class Walker:
    """Collects the fixes of one side."""

    side: str
    tree: ast.Node
    ctx: Context
    powers: dict[str, list[ast.Node]] = field(default_factory=dict)
    out: list[Fix] = field(default_factory=list)

    @property
    def penalty(self) -> float:
        return LHS_PENALTY if self.side == "lhs" else 0.0

    def transpose_mark(self) -> ast.Node:
        """`T` as the page writes it, unless `T` is a declared symbol."""
        if "T" in self.ctx.declarations:
            return ast.Atom("TRANSPOSE", "top")
        return ast.Atom("LETTER", "T")

    def add(self, kind: str, path: Path, transform: Transform, shown: Path | None = None,
            edits: tuple[tuple[Path, Transform], ...] | None = None,
            cost: float | None = None) -> None:  # fmt: skip
        """Record a fix; its before/after text is the shown node without and with it."""
        edits = edits or ((path, transform),)
        shown = path if shown is None else shown
        before = node_at(self.tree, shown)
        after = node_at(apply(self.tree, list(edits)), shown)
        view = self.member_view if kind in ("index", "rename") else (lambda n: n)
        cost = COSTS[kind] if cost is None else cost
        self.out.append(Fix(kind, self.side, cost + self.penalty, readable(view(before)),
                            readable(view(after)), shown, edits))  # fmt: skip

    def member_view(self, node: ast.Node) -> ast.Node:
        """A family member without its power, transpose or inverse: `\\Sigma_j`."""
        if isinstance(node, ast.Scripted) and inverse_mark(node.sup) is not None:
            return ast.Scripted(node.base, node.sub, None, node.primes)
        return node

    def square(self, node: ast.Node) -> bool:
        return self.ctx.square_matrix(node)

    def general(self, node: ast.Node, value: ast.Node | None = None) -> bool:
        """A square matrix (the value of `value`, else of `node`) not known to be symmetric."""
        name = symbol_name(node.base if isinstance(node, ast.Scripted) else node)
        declaration = self.ctx.declarations.get(name or "")
        if declaration is not None and SYMMETRIC_PROPERTIES & set(declaration.properties):
            return False
        return self.square(node if value is None else value)

    def parent(self, path: Path) -> ast.Node | None:
        return node_at(self.tree, path[:-1]) if path else None

    # ------------------------------------------------------------- the walk

    def walk(self, node: ast.Node, path: Path, owner: Path | None, role: str) -> None:
        """Fixes at `node`; `owner` is the symbol an index belongs to, `role` is
        expr, index, binding (a summation variable) or exponent."""
        if isinstance(node, ast.Atom):
            self.atom(node, path, owner, role)
            return
        if role in ("expr", "exponent"):
            for kind, method in _NODE_FIXES.items():
                if isinstance(node, kind):
                    method(self, node, path)
        if isinstance(node, ast.Scripted):
            self.scripted(node, path)
            return
        if isinstance(node, ast.Limit):
            self.walk(node.left, path + (("left", -1, -1),), owner, "binding")
            self.walk(node.right, path + (("right", -1, -1),), owner, "limit")
            return
        for step, child in children(node):
            self.walk(child, path + (step,), owner, role)

    def scripted(self, node: ast.Node, path: Path) -> None:
        assert isinstance(node, ast.Scripted)
        self.scripts(node, path)
        base_kind = node.base.kind if isinstance(node.base, ast.Atom) else ""
        family = self.ctx.family(symbol_name(node.base))
        mark = inverse_mark(node.sup)
        if not isinstance(node.base, ast.Atom):
            self.walk(node.base, path + (("base", -1, -1),), None, "expr")
        if node.sub is not None:
            role = "binding" if base_kind in BINDERS else "index"
            self.walk(node.sub, path + (("sub", -1, -1),), path, role)
        if node.sup is None:
            return
        if family is not None and family[1]:
            self.walk(node.sup, path + (("sup", -1, -1),), path, "index")
        elif base_kind in BINDERS or base_kind == "NABLA":
            self.walk(node.sup, path + (("sup", -1, -1),), path, "limit")
        elif mark is None:
            self.walk(node.sup, path + (("sup", -1, -1),), None, "exponent")

    def scripts(self, node: ast.Scripted, path: Path) -> None:
        """Transposes, inverses and exponents of a scripted symbol or group."""
        family = self.ctx.family(symbol_name(node.base))
        indexed_sup = family is not None and bool(family[1])
        mark = None if indexed_sup else inverse_mark(node.sup)
        minus = ast.Negate
        square = self.square(node.base) or self.square(node)
        if mark == "T":
            self.add("transpose", path, changed(sup=None))
            if square:
                self.add("inverse", path, changed(sup=minus(self.transpose_mark())))
        elif mark == "-1":
            self.add("inverse", path, changed(sup=None))
            if self.general(node.base, node):
                self.add("transpose", path, changed(sup=minus(self.transpose_mark())))
        elif mark == "-T":
            self.add("transpose", path, changed(sup=minus(number("1"))))
            self.add("inverse", path, changed(sup=self.transpose_mark()))
        elif node.sup is None and square and isinstance(node.base, ast.Atom):
            if self.general(node.base, node):
                self.add("transpose", path, changed(sup=self.transpose_mark()))
            self.add("inverse", path, changed(sup=minus(number("1"))))
        elif node.sup is not None and not indexed_sup and not self.limits(node):
            self.add("exponent", path, changed(sup=None))
        if node.primes:
            self.add("transpose", path, changed(primes=node.primes - 1))
        subs = index_list(node.sub)
        if family is not None and len(subs) == 2 and len(family[0]) == 2:
            swapped = ast.Delimited([ast.Product([subs[1], subs[0]], [""])], [], "{")
            self.add("index", path, changed(sub=swapped))

    def limits(self, node: ast.Scripted) -> bool:
        return isinstance(node.base, ast.Atom) and node.base.kind in (*BINDERS, "NABLA")

    def atom(self, node: ast.Atom, path: Path, owner: Path | None, role: str) -> None:
        declaration = self.ctx.declarations.get(node.text)
        if node.kind in ("LETTER", "SYMBOL") and role != "binding" and declaration is not None:
            if declaration.kind == Kind.INDEX:
                for other in self.ctx.alternatives(node.text):
                    self.add("index", path, constant(ast.Atom("LETTER", other)), owner)
            elif declaration.kind == Kind.SIZE:
                for other in _sizes(self.ctx, node.text):
                    self.add("size", path, constant(ast.Atom("LETTER", other)))
            elif role == "expr" and declaration.kind == Kind.MATRIX and self.square(node):
                if self.general(node):
                    self.add("transpose", path, with_sup(self.transpose_mark()))
                self.add("inverse", path, with_sup(ast.Negate(number("1"))))
        plain = declaration is None or declaration.kind == Kind.SCALAR
        if node.kind in ("LETTER", "SYMBOL") and role in ("expr", "exponent") and plain:
            for power in self.powers.get(node.text, []):  # written with it elsewhere
                self.add("exponent", path, with_sup(power))
        if node.kind == "NUMBER" and node.text.isdigit() and role != "index":
            kind = "exponent" if role == "exponent" else "coefficient"
            value = int(node.text)
            for new in (value + 1, value - 1):
                # `x^1`: drop the exponent instead; a 0 only as a whole side (`> 0`)
                if new > (1 if kind == "exponent" else 0) or (new == 0 and not path):
                    self.add(kind, path, constant(number(str(new))))

    # --------------------------------------------------------- by node type

    def sum_fixes(self, node: ast.Node, path: Path) -> None:
        assert isinstance(node, ast.Sum)
        for k, (_, term) in enumerate(node.terms):
            self.add("sign", path, flip_term(k))
            if len(node.terms) > 1:
                self.add("drop", path, drop_term(k))
            if number_text(term) is not None:  # a number is scaled by changing it
                continue
            step = ("terms", k, 1)
            for factor in (number("2"), HALF):
                self.add("factor", path + (step,), scaled(factor), cost=COSTS["factor"] + 0.5)

    def negate_fixes(self, node: ast.Node, path: Path) -> None:
        assert isinstance(node, ast.Negate)
        self.add("sign", path, drop_minus)

    def product_fixes(self, node: ast.Node, path: Path) -> None:
        assert isinstance(node, ast.Product)
        plain = all(op in ("", "cdot", "times", "*", "ast") for op in node.ops)
        if not plain:
            return
        factors = node.factors
        matrices = [k for k, f in enumerate(factors) if self.matrix(f)]
        for a, b in zip(matrices, matrices[1:], strict=False):
            if b == a + 1 and self.ctx.shapes.get(id(factors[a])) == self.ctx.shapes.get(
                id(factors[b])
            ):
                order = list(range(len(factors)))
                order[a], order[b] = b, a
                self.add("order", path, reordered(order))
        if len(matrices) >= 3:
            order = list(range(len(factors)))
            for k, new in zip(matrices, reversed(matrices), strict=True):
                order[k] = new
            self.add("order", path, reordered(order))
        for k, factor in enumerate(factors):
            if number_text(factor) == "2" or is_half(factor):
                self.add("factor", path, drop_factor(k), cost=COSTS["factor"] - 0.1)
        if self.square(node) and not paren(self.parent(path)):
            self.add("transpose", path, transposed(self.transpose_mark()))

    def delimited_fixes(self, node: ast.Node, path: Path) -> None:
        """A parenthesized matrix transposed or inverted (unless it carries a script)."""
        if paren(node) and self.square(node) and not isinstance(self.parent(path), ast.Scripted):
            self.add("transpose", path, transposed(self.transpose_mark()))
            self.add("inverse", path, with_sup(ast.Negate(number("1"))))

    def matrix(self, node: ast.Node) -> bool:
        shape = self.ctx.shapes.get(id(node))
        return shape is not None and not shape.is_scalar

    # --------------------------------------------------------- whole side

    def whole(self) -> None:
        tree = self.tree
        if isinstance(tree, ast.Equation):
            return
        if not isinstance(tree, ast.Negate) and not has_const(tree):
            self.add("sign", (), negated)
        if number_text(tree) is not None:
            return
        for factor in (number("2"), HALF):
            self.add("factor", (), scaled(factor))

    def renames(self) -> None:
        """One index renamed at every place it stands free on the side: the slip of a
        sum over j collapsed to j = l with a `\\Sigma_j` left behind."""
        bound = set(bound_indices(self.tree))
        places: dict[tuple[str, str], list[tuple[Path, Path]]] = {}
        for path, owner, atom in index_atoms(self.tree, (), None, False):
            if atom.text in bound or owner is None:
                continue
            family = symbol_name(node_at(self.tree, owner).base)  # type: ignore[attr-defined]
            places.setdefault((atom.text, family or ""), []).append((path, owner))
            places.setdefault((atom.text, ""), []).append((path, owner))
        for (index, family), spots in sorted(places.items()):
            if len(spots) < 2:
                continue
            for other in self.ctx.alternatives(index):
                new = ast.Atom("LETTER", other)
                edits = tuple((p, constant(new)) for p, _ in spots)
                cost = COSTS["index"] if family else COSTS["rename"]
                self.add("rename", spots[0][0], constant(new), spots[0][1], edits, cost=cost)


_NODE_FIXES: dict[type, Callable[[Walker, ast.Node, Path], None]] = {
    ast.Sum: Walker.sum_fixes,
    ast.Negate: Walker.negate_fixes,
    ast.Product: Walker.product_fixes,
    ast.Delimited: Walker.delimited_fixes,
}


def _sizes(ctx: Context, size: str) -> list[str]:
    return sorted(
        d.base for d in ctx.declarations.values() if d.kind == Kind.SIZE and d.base != size
    )


# ------------------------------------------------------------------ entry


def side_fixes(
    tree: ast.Node, side: str, ctx: Context, powers: dict[str, list[ast.Node]] | None = None
) -> list[Fix]:
    r"""Every fix of one side, in the order found (the search sorts them by cost).
    `powers` are the exponents each scalar symbol carries somewhere in the step
    (`powers_in`): one of them may have been lost here (`\sigma` for `\sigma^2`)."""
    walker = Walker(side, tree, ctx, powers or {})
    walker.whole()
    walker.walk(tree, (), None, "expr")
    walker.renames()
    return walker.out


def property_fixes(names: set[str], declarations: list[Declaration]) -> list[Fix]:
    """A property the notation may have forgotten, for each declared symbol the step uses."""
    out = []
    for d in declarations:
        if d.base not in names:
            continue
        for prop in PROPERTY_FIXES.get(d.kind, ()):
            square = d.shape is not None and d.shape.is_square
            if IMPLIED[prop] & set(d.properties) or (d.kind == Kind.MATRIX and not square):
                continue
            before = declaration_text(d)
            after = declaration_text(_replace(d, properties=(*d.properties, prop)))
            out.append(Fix("property", "notation", COSTS["property"], before, after,
                           symbol=d.base, prop=prop))  # fmt: skip
    return out


def declaration_text(d: Declaration) -> str:
    """A `symbols:` entry as the front matter writes it: `A: matrix(n, n), symmetric`."""
    props = list(d.properties) + ([f"sums to 1 over {d.sums_over}"] if d.sums_over else [])
    return f"{d.key}: " + ", ".join([d.describe_kind(), *props])


def with_property(declarations: list[Declaration], fix: Fix) -> list[Declaration]:
    return [
        _replace(d, properties=(*d.properties, fix.prop)) if d.base == fix.symbol else d
        for d in declarations
    ]
