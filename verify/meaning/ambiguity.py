"""Notation that reads two ways (contract §4, "No guessing"): an error naming both
readings and the fix, never a silent choice.

The operator reader asks these questions of every product it reads: is an
undeclared letter written before a bracket (a function, or a product?), does
an inline slash have more than one factor after it (`a/2b`), does an
undeclared letter stand where a reader sees a matrix (`x^T M x`,
`\\det(A + B)`), and what does a derivative operator take (a bracketed group
right after it, or the rest of its product term)?
"""

from __future__ import annotations

from verify.errors import TranslateError
from verify.latex import tree as ast
from verify.latex.printer import compact
from verify.meaning import terms as T
from verify.meaning.scope import Reader, Scope
from verify.shape import SCALAR

# Undeclared names with a meaning: a number (or the ones vector, `\\mathbf{1}^T(x - y)`)
# before a bracket is a product.
KNOWN_CONSTANTS = {"e", "\\pi", "\\mathbf{1}"}


def bracketed(node: ast.Node) -> bool:
    return isinstance(node, ast.Delimited) and node.delimiter in ("(", "[")


def operand_group(node: ast.Node, nxt: ast.Node, op: str) -> ast.Node | None:
    """The bracketed group an operator is followed by directly, which it takes alone;
    None when it takes the rest of its product term (so also for a group with a
    script: `\\nabla_x (u)^2 v` is the gradient of (u)^2 v)."""
    if op:
        raise TranslateError(
            f"'{compact(node)}' is followed by an operator ('{op}'): write what it acts on"
            " directly after it (\\nabla_x \\cdot f, a divergence, is not supported)",
            nxt.pos,
        )
    return nxt if bracketed(nxt) else None


def refuse_unknown_call(reader: Reader, node: ast.Node, nxt: ast.Node, scope: Scope) -> None:
    """An undeclared letter directly before `(` or `[`: a function or a product?"""
    if not (bracketed(nxt) or (isinstance(nxt, ast.Scripted) and bracketed(nxt.base))):
        return
    base = node.base if isinstance(node, ast.Scripted) else node
    if not isinstance(base, ast.Atom) or base.kind not in ("LETTER", "SYMBOL"):
        return
    name = base.text
    known = (KNOWN_CONSTANTS, scope.params, scope.bound, scope.indices, reader.declarations,
             reader.parts, reader.definitions)  # fmt: skip
    if any(name in names for names in known):
        return
    if isinstance(node, ast.Scripted):
        if reader.literal(name, node.sub, node.sup) is not None:
            return
        if name == "\\delta" and node.sub is not None and node.sup is None:
            return  # the Kronecker delta \delta_{ij}, a number
        name = compact(ast.Scripted(node.base, node.sub, node.sup))
    written, group = compact(node), compact(nxt)
    group_node = nxt.base if isinstance(nxt, ast.Scripted) else nxt
    if isinstance(group_node, ast.Delimited) and any(
        isinstance(item, ast.Limit) and item.op == "=" for item in group_node.items
    ):  # `p(x \mid y = 1)`: the name of a value, never a product
        raise TranslateError(
            f"{written}{group}: an '=' inside brackets belongs to the name of a value defined"
            f" with := (as in p(x \\mid y = 1) := …), and {written}{group} is not defined here",
            node.pos,
        )
    raise TranslateError(
        f"{written}{group}: {name} is not declared, so this reads as the function {name}"
        f" applied to {group}, or as {written} times {group}: declare '{name}: function'"
        f" (or define it with :=), or declare '{name}: scalar' or write"
        f" {written} \\cdot {group} for the product",
        node.pos,
    )


def refuse_open_argument(function: ast.Node, argument: list[ast.Node], nxt: ast.Node) -> None:
    """`\\log a (a + 1)`: log(a)·(a + 1) or log(a(a + 1))? A function name's bare argument
    followed directly by a bracket reads two ways."""
    if not (bracketed(nxt) or (isinstance(nxt, ast.Scripted) and bracketed(nxt.base))):
        return
    name, arg, group = compact(function), " ".join(compact(a) for a in argument), compact(nxt)
    raise TranslateError(
        f"{name} {arg} {group} reads as {name}({arg}) times {group} or as"
        f" {name}({arg} {group}): write {name}({arg}) {group} or {name}\\left({arg} {group}\\right)",
        nxt.pos,
    )


def refuse_scalar_matrix(reader: Reader, where: str, terms: list[T.Term], pos: int) -> None:
    """Undeclared letters where a reader sees a matrix (`\\det(A + B)`, the M of
    `x^T M x`) are scalars to the checker, so a false matrix identity could pass."""
    if any(t.shape not in (SCALAR, None) for term in terms for t in term.walk()):
        return
    names = sorted({t.name for term in terms for t in term.walk()
                    if isinstance(t, T.Ref) and _undeclared(reader, t.name)})  # fmt: skip
    if names:
        listed = ", ".join(names)
        raise TranslateError(
            f"{listed} in {where} reads as a matrix, but undeclared letters are real"
            f" scalars: declare {listed} (as a matrix, e.g. '{names[0]}: matrix(n, n)', or"
            " as a scalar)",
            pos,
        )


def _undeclared(reader: Reader, name: str) -> bool:
    """A name the translator took for an undeclared real scalar."""
    return name not in reader.declarations and not name.startswith("\\arg")


def refuse_ambiguous_product(
    reader: Reader, items: list[tuple[str, T.Term]], firsts: list[int], factors: list[ast.Node]
) -> None:
    """The product of `items` (each with its written operator, and the factor it starts
    at): no slash before two factors, no undeclared letter between two matrices."""
    for n in range(1, len(items) - 1):
        if items[n][0] == "/" and items[n + 1][0] == "":
            _refuse_slash(factors[firsts[n - 1] : firsts[n]], factors[firsts[n] :])
        if _array(items[n - 1][1]) and _array(items[n + 1][1]):  # `x^T M x`
            refuse_scalar_matrix(reader, "a product", [items[n][1]], items[n][1].pos)


def _refuse_slash(before: list[ast.Node], after: list[ast.Node]) -> None:
    """`a/2b`: (a/2)·b or a/(2b)? An inline slash before more than one factor."""
    left = " ".join(compact(f) for f in before)
    first, rest = compact(after[0]), " ".join(compact(f) for f in after[1:])
    raise TranslateError(
        f"{left}/{first} {rest}: an inline slash before more than one factor reads as"
        f" ({left}/{first})·{rest} or as {left}/({first} {rest}): write"
        f" \\frac{{{left}}}{{{first} {rest}}} or \\frac{{{left}}}{{{first}}} {rest}",
        after[0].pos,
    )


def _array(term: T.Term) -> bool:
    return term.shape not in (SCALAR, None)
