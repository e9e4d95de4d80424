"""Known functions as they are written: `\\sin^{-1}`, `\\max(a, b)`, `n!`,
`\\binom{n}{k}`, `⌊x⌋`, `⌈x⌉`, `1\\{a < b\\}` -> terms.

What each function means (its value, derivative and domain) is the table in
`verify.meaning.functions`; this module reads the notation around the name.
"""

from __future__ import annotations

from verify.errors import TranslateError
from verify.latex import tree as ast
from verify.latex.printer import compact
from verify.latex.syntax import is_minus, unwrap
from verify.meaning import terms as T
from verify.meaning.functions import canonical, known
from verify.meaning.scope import Reader, Scope
from verify.shape import SCALAR

# Known functions with a notation of their own, read by `known_syntax`.
KNOWN_SYNTAX = (ast.Factorial, ast.Binomial, ast.Indicator)
ROUNDINGS = {"\\lfloor": "floor", "\\lceil": "ceil"}


def inverse_function(name: str, sup: ast.Node | None, pos: int) -> tuple[ast.Node | None, str]:
    """`\\sin^{-1}` names arcsin (the table's `inverse`); `\\sin^2 x` stays a power.
    Any other negative power of a function name reads two ways: an error."""
    if not isinstance(unwrap(sup), ast.Negate):
        return sup, name
    row = known(name)
    if is_minus(sup, "1") and row is not None and row.inverse is not None:
        return None, row.inverse
    power = compact(unwrap(sup))
    raise TranslateError(
        f"\\{name}^{{{power}}} reads as an inverse function or as a power of \\{name}:"
        f" write (\\{name} x)^{{{power}}} for the power",
        pos,
    )


def several_arguments(
    reader: Reader, name: str, factors: list[ast.Node], k: int, scope: Scope
) -> tuple[T.Term, int]:
    """`\\max(a, b)`, `\\min\\{a, b, c\\}`: a known function of a list of scalars; returns
    the term and the index of the factor after its arguments."""
    node = factors[k]
    if isinstance(node, ast.Scripted) and (node.sub is not None or node.sup is not None):
        raise TranslateError(
            f"\\{name} with a script (over a set, or a power) is not supported: write"
            f" \\{name}(a, b, …)",
            node.pos,
        )
    nxt = factors[k + 1] if k + 1 < len(factors) else None
    after_sup = None
    if isinstance(nxt, ast.Scripted) and nxt.sub is None and _listed(nxt.base):
        after_sup = nxt.sup
        nxt = nxt.base
    if not (isinstance(nxt, ast.Delimited) and _listed(nxt)):
        raise TranslateError(
            f"\\{name} needs its arguments in parentheses or braces: \\{name}(a, b)", node.pos
        )
    args = [reader.scalar(reader.translate(a, scope), f"an argument of \\{name}")
            for a in nxt.items]  # fmt: skip
    term: T.Term = T.Known(canonical(name), args, pos=node.pos)
    if after_sup is not None:
        term = reader.superscript(term, after_sup, 0, scope, node.pos)
    return term, k + 2


def known_syntax(reader: Reader, node: ast.Node, scope: Scope) -> T.Term:
    """`n!`, `\\binom{n}{k}`, `⌊x⌋`, `⌈x⌉` and `1\\{a < b\\}`."""

    def scalar(part: ast.Node, what: str) -> T.Term:
        return reader.scalar(reader.translate(part, scope), what)

    if isinstance(node, ast.Factorial):
        if isinstance(unwrap(node.body), ast.Factorial):
            raise TranslateError(
                f"{compact(node)} reads as a double factorial or as the factorial of a"
                f" factorial: write ({compact(node.body)})! for the second (the double"
                " factorial is not supported)",
                node.pos,
            )
        return T.Apply("factorial", scalar(node.body, "n in n!"), pos=node.pos)
    if isinstance(node, ast.Binomial):
        top, bottom = scalar(node.top, "n in binom(n, k)"), scalar(node.bottom, "k")
        return T.Known("binom", [top, bottom], pos=node.pos)
    if isinstance(node, ast.Indicator):  # 1{A ∧ B} = 1{A} 1{B}
        term: T.Term | None = None
        for left_node, op, right_node in [(node.left, node.op, node.right), *node.also]:
            left = scalar(left_node, "a side of an indicator's condition")
            right = scalar(right_node, "a side of an indicator's condition")
            one = T.Indicator(left, op, right, pos=node.pos)
            term = one if term is None else T.Mul(term, one, shape=SCALAR, pos=node.pos)
        assert term is not None
        return term
    assert isinstance(node, ast.Delimited)
    name = ROUNDINGS[node.delimiter]
    body = reader.entrywise(reader.translate(node.items[0], scope), f"the argument of {name}")
    return T.Apply(name, body, shape=body.shape or SCALAR, pos=node.pos)


def _listed(node: ast.Node) -> bool:
    return isinstance(node, ast.Delimited) and node.delimiter in ("(", "\\{")
