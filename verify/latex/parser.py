"""LaTeX -> a small syntax tree, with every error at its offset.

The tokenizer (`verify.latex.tokenizer`) settles what a context-free grammar
cannot; the grammar in `latex.lark` does the rest with Lark's LALR parser;
`ToTree` turns Lark's tree into the `Node` classes of `verify.latex.tree`, one
method per rule. Nothing here knows the page's notation: deciding what a
symbol means is the translator's job.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedInput, VisitError
from lark.lexer import Lexer

from verify.errors import LatexError, too_deep
from verify.latex.tokenizer import tokenize
from verify.latex.tree import (
    Atom,
    Bars,
    Binomial,
    Delimited,
    Equation,
    Factorial,
    Fraction,
    Indicator,
    Inner,
    Limit,
    MatrixLiteral,
    Negate,
    Node,
    Product,
    Root,
    Scripted,
    Sequence,
    Sum,
)

__all__ = ["LatexError", "parse_latex"]


class _TokenStream(Lexer):
    """Hands the tokenizer's tokens to Lark."""

    def __init__(self, lexer_conf: object) -> None:
        pass

    def lex(self, data: list[Token]) -> Iterator[Token]:  # type: ignore[override]
        yield from data


# -------------------------------------------------------------------- tree builder

# The conditions of an indicator, by token.
RELATIONS = {"EQUALS": "=", "NEQ": "ne", "LT": "<", "GT": ">", "LE": "le", "GE": "ge"}


def _tok_pos(tok: Token) -> int:
    return int(tok.start_pos or 0)


@v_args(inline=True)
class ToTree(Transformer):  # type: ignore[type-arg]
    """One method per grammar rule: Lark's tree -> `Node`s with offsets."""

    def start(self, expr: Node) -> Node:
        return expr

    def equation(self, left: Node, _eq: Token, right: Node) -> Node:
        return Equation(left, right, pos=left.pos)

    def atom(self, tok: Token) -> Node:
        return Atom(tok.type, str(tok.value), pos=_tok_pos(tok))

    def add(self, left: Node, _op: Token, right: Node) -> Node:
        terms = left.terms if isinstance(left, Sum) else [(1, left)]
        return Sum([*terms, (1, right)], pos=left.pos)

    def subtract(self, left: Node, _op: Token, right: Node) -> Node:
        terms = left.terms if isinstance(left, Sum) else [(1, left)]
        return Sum([*terms, (-1, right)], pos=left.pos)

    def negate(self, op: Token, body: Node) -> Node:
        return Negate(body, pos=_tok_pos(op))

    def unary_plus(self, _op: Token, body: Node) -> Node:
        return body

    def product(self, *items: Node | str) -> Node:
        factors: list[Node] = []
        ops: list[str] = []
        pending = ""
        for item in items:
            if isinstance(item, str):
                pending = item
                continue
            if factors:
                ops.append(pending)
            factors.append(item)
            pending = ""
        if len(factors) == 1:
            return factors[0]
        return Product(factors, ops, pos=factors[0].pos)

    def mulop(self, tok: Token) -> str:
        return {"MUL": str(tok.value), "DIV": "/", "ODOT": "odot"}[tok.type]

    def scripted(self, base: Node, scripts: list[tuple[str, Node | None]]) -> Node:
        node = Scripted(base, pos=base.pos)
        for kind, arg in scripts:
            if kind == "prime":
                node.primes += 1
            elif kind == "sub":
                if node.sub is not None:
                    raise LatexError("double subscript", arg.pos if arg else base.pos)
                node.sub = arg
            else:
                if node.sup is not None:
                    raise LatexError("double superscript", arg.pos if arg else base.pos)
                node.sup = arg
        return node

    def scripts(self, *items: tuple[str, Node | None]) -> list[tuple[str, Node | None]]:
        return list(items)

    def subscript(self, _op: Token, arg: Node) -> tuple[str, Node | None]:
        return ("sub", arg)

    def superscript(self, _op: Token, arg: Node) -> tuple[str, Node | None]:
        return ("sup", arg)

    def prime(self, _tok: Token) -> tuple[str, Node | None]:
        return ("prime", None)

    def factorial(self, body: Node, _bang: Token) -> Node:
        return Factorial(body, pos=body.pos)

    def braced(self, open_: Token, body: Node, _close: Token) -> Node:
        return Delimited([body], [], "{", pos=_tok_pos(open_))

    def sequence(self, *items: Node | Token) -> Node:
        nodes = [x for x in items if isinstance(x, Node)]
        return Sequence(nodes, pos=nodes[0].pos)

    def limit_from(self, left: Node, _eq: Token, right: Node) -> Node:
        return Limit(left, right, "=", pos=left.pos)

    def limit_from_many(self, *items: Node | Token) -> Node:
        """`\\sum_{i,j=1}^{m}`: several variables from one lower limit."""
        nodes = [x for x in items if isinstance(x, Node)]
        names = Sequence(nodes[:-1], pos=nodes[0].pos)
        return Limit(names, nodes[-1], "=", pos=nodes[0].pos)

    def limit_except(self, left: Node, _ne: Token, right: Node) -> Node:
        return Limit(left, right, "ne", pos=left.pos)

    def limit_sim(self, left: Node, _sim: Token, right: Node) -> Node:
        return Limit(left, right, "sim", pos=left.pos)

    def limit_in(self, left: Node, _in: Token, right: Node) -> Node:
        return Limit(left, right, "in", pos=left.pos)

    def parens(self, open_: Token, args: tuple[list[Node], list[str]], _close: Token) -> Node:
        return Delimited(args[0], args[1], "(", pos=_tok_pos(open_))

    def arguments(self, *items: Node | Token) -> tuple[list[Node], list[str]]:
        nodes = [x for x in items if isinstance(x, Node)]
        seps = [str(x.value) for x in items if isinstance(x, Token)]
        return nodes, seps

    def brackets(self, open_: Token, args: tuple[list[Node], list[str]], _close: Token) -> Node:
        return Delimited(args[0], args[1], "[", pos=_tok_pos(open_))

    def curlies(self, open_: Token, args: tuple[list[Node], list[str]], _close: Token) -> Node:
        return Delimited(args[0], args[1], "\\{", pos=_tok_pos(open_))

    def floor(self, open_: Token, body: Node, _close: Token) -> Node:
        return Delimited([body], [], "\\lfloor", pos=_tok_pos(open_))

    def ceiling(self, open_: Token, body: Node, _close: Token) -> Node:
        return Delimited([body], [], "\\lceil", pos=_tok_pos(open_))

    def binomial(
        self, binom: Token, _a: Token, top: Node, _b: Token, _c: Token, bottom: Node, _d: Token
    ) -> Node:
        return Binomial(top, bottom, pos=_tok_pos(binom))

    def relop(self, tok: Token) -> str:
        return RELATIONS[tok.type]

    def condition(self, left: Node, op: str, right: Node) -> tuple[Node, str, Node]:
        return (left, op, right)

    def indicator(self, one: Token, _open: Token, *items: tuple[Node, str, Node] | Token) -> Node:
        conditions = [x for x in items if isinstance(x, tuple)]
        left, op, right = conditions[0]
        return Indicator(left, right, op, also=conditions[1:], pos=_tok_pos(one))

    def bars(self, open_: Token, body: Node, _close: Token) -> Node:
        return Bars(body, False, pos=_tok_pos(open_))

    def norm(self, open_: Token, body: Node, _close: Token) -> Node:
        return Bars(body, True, pos=_tok_pos(open_))

    def inner(self, open_: Token, left: Node, _c: Token, right: Node, _close: Token) -> Node:
        return Inner(left, right, pos=_tok_pos(open_))

    def fraction(
        self, frac: Token, _a: Token, num: Node, _b: Token, _c: Token, den: Node, _d: Token
    ) -> Node:
        return Fraction(num, den, pos=_tok_pos(frac))

    def root(self, sqrt: Token, _a: Token, body: Node, _b: Token) -> Node:
        return Root(body, None, pos=_tok_pos(sqrt))

    def nth_root(
        self, sqrt: Token, _a: Token, deg: Node, _b: Token, _c: Token, body: Node, _d: Token
    ) -> Node:
        return Root(body, deg, pos=_tok_pos(sqrt))

    def matrix(self, begin: Token, rows: list[list[Node]], _end: Token) -> Node:
        return MatrixLiteral(rows, pos=_tok_pos(begin))

    def rows(self, *items: list[Node] | Token) -> list[list[Node]]:
        return [x for x in items if isinstance(x, list)]

    def row(self, *items: Node | Token) -> list[Node]:
        return [x for x in items if isinstance(x, Node)]


@lru_cache(maxsize=1)
def _parser() -> Lark:
    grammar = (Path(__file__).with_name("latex.lark")).read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", lexer=_TokenStream, start=["start", "equation"])


_EXPECTED_NAMES = {
    "RPAREN": "')'", "RBRACE": "'}'", "RBRACK": "']'", "BAR_CLOSE": "'|'", "NORM_CLOSE": "'\\|'",
    "RANGLE": "'\\rangle'", "LBRACE": "'{'", "COMMA": "','", "EQUALS": "'='",
    "RCURLY": "'\\}'", "END_MATRIX": "'\\end'", "RFLOOR": "'\\rfloor'", "RCEIL": "'\\rceil'",
}  # fmt: skip


def parse_latex(text: str, *, equation: bool = False) -> Node:
    """Parse one side (or, with `equation`, an `a = b` premise) into a tree."""
    tokens = tokenize(text)
    if not tokens:
        raise LatexError("empty expression", 0)
    try:
        tree = _parser().parse(tokens, start="equation" if equation else "start")
        result: Node = ToTree().transform(tree)
        return result
    except VisitError as err:
        if isinstance(err.orig_exc, LatexError):
            raise err.orig_exc from None
        if isinstance(err.orig_exc, RecursionError):
            raise LatexError(too_deep(text), 0) from None
        raise
    except UnexpectedInput as err:
        token = getattr(err, "token", None)
        if token is None or token.type == "$END":
            pos = len(text)
            found = "the end of the expression"
        else:
            pos = _tok_pos(token)
            found = repr(str(token.value))
        expected = sorted(
            _EXPECTED_NAMES[e] for e in getattr(err, "expected", ()) if e in _EXPECTED_NAMES
        )
        hint = f"; expected {' or '.join(expected)}" if expected and len(expected) <= 3 else ""
        raise LatexError(f"unexpected {found}{hint}", pos) from None
