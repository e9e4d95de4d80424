"""LaTeX -> a small syntax tree, with every error at its line and column.

A hand-written tokenizer settles what a context-free grammar cannot (which `|`
opens, which command is a function); the grammar in `latex.lark` does the rest
with Lark's LALR parser; `ToTree` turns Lark's tree into the `Node` classes
below, one method per rule. Nothing here knows the page's notation: deciding
what a symbol means is the translator's job.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedInput, VisitError
from lark.lexer import Lexer

GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta",
    "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "pi", "varpi", "rho", "varrho",
    "sigma", "varsigma", "tau", "upsilon", "phi", "varphi", "chi", "psi", "omega", "Gamma",
    "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega", "ell",
}  # fmt: skip
FUNCTIONS = {
    "log", "ln", "exp", "sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos",
    "arctan", "sinh", "cosh", "tanh", "coth", "det",
}  # fmt: skip
NAMED_OPERATORS = {"tr": "tr", "Tr": "tr", "trace": "tr", "diag": "diag", "det": "det"}
FONTS = {
    "mathbf", "boldsymbol", "bm", "mathcal", "mathbb", "mathrm", "mathsf", "mathit",
    "mathfrak", "hat", "bar", "tilde", "vec", "widehat", "widetilde", "overline", "dot",
}  # fmt: skip
TEXTS = {"text", "textrm", "mathrm", "operatorname", "textup", "mathsf"}
CONST_WORDS = {"const", "constant", "const.", "cst"}
SPACING = {",", ";", ":", "!", " ", "quad", "qquad", "enspace", "thinspace", "displaystyle",
           "textstyle", "limits", "nolimits", "medspace", "thickspace"}  # fmt: skip
SIZING = {"big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr",
          "Biggl", "Biggr", "bigm", "Bigm"}  # fmt: skip
MATRIX_ENVS = {"matrix", "pmatrix", "bmatrix", "Bmatrix", "vmatrix", "Vmatrix"}
TRANSPOSE_WORDS = {"top", "intercal", "mathsf{T}", "mathrm{T}", "T"}


class LatexError(Exception):
    """A problem in the LaTeX, at `offset` into the parsed text."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


# --------------------------------------------------------------------------- tree


@dataclass
class Node:
    pos: int = field(default=0, kw_only=True)


@dataclass
class Atom(Node):
    """A single token: number, letter, symbol, function name, operator word."""

    kind: str
    text: str


@dataclass
class Scripted(Node):
    base: Node
    sub: Node | None = None
    sup: Node | None = None
    primes: int = 0


@dataclass
class Sum(Node):
    """`a + b - c` as signed terms."""

    terms: list[tuple[int, Node]]


@dataclass
class Negate(Node):
    body: Node


@dataclass
class Product(Node):
    """Factors side by side; `ops[i]` is the written operator before factor i+1."""

    factors: list[Node]
    ops: list[str]


@dataclass
class Delimited(Node):
    """`( … )`, `[ … ]`, `\\{ … \\}`, `{ … }`: grouping, or arguments of a call."""

    items: list[Node]
    separators: list[str]
    delimiter: str


@dataclass
class Bars(Node):
    body: Node
    double: bool


@dataclass
class Inner(Node):
    left: Node
    right: Node


@dataclass
class Fraction(Node):
    numerator: Node
    denominator: Node


@dataclass
class Root(Node):
    body: Node
    degree: Node | None = None


@dataclass
class MatrixLiteral(Node):
    rows: list[list[Node]]


@dataclass
class Limit(Node):
    """Inside a script: `i=1` (`op` "=") or `j \\ne l` (`op` "ne")."""

    left: Node
    right: Node
    op: str


@dataclass
class Sequence(Node):
    items: list[Node]


@dataclass
class Equation(Node):
    left: Node
    right: Node


# ---------------------------------------------------------------------- tokenizer

_COMMAND = re.compile(r"\\([A-Za-z]+|.)")
_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _braced(text: str, start: int) -> tuple[str, int]:
    """The content of the `{…}` group at `start`, and the offset after it."""
    if start >= len(text) or text[start] != "{":
        raise LatexError("expected '{'", start)
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "\\":
            continue
        if text[i] == "{" and (i == 0 or text[i - 1] != "\\"):
            depth += 1
        elif text[i] == "}" and (i == 0 or text[i - 1] != "\\"):
            depth -= 1
            if depth == 0:
                return text[start + 1 : i], i + 1
    raise LatexError("unclosed '{'", start)


def _skip_space(text: str, i: int) -> int:
    m = _SPACE.match(text, i)
    return m.end() if m else i


class Tokenizer:
    """Turns LaTeX into Lark tokens; every token keeps its offset."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[Token] = []
        self.bars: list[str] = []  # open `|` and `\|`, innermost last

    def emit(self, kind: str, value: str, pos: int) -> None:
        self.tokens.append(Token(kind, value, start_pos=pos))

    def after_operand(self) -> bool:
        """Whether the last token ends an operand, so a bar here would close."""
        if not self.tokens:
            return False
        last = self.tokens[-1].type
        return last in {
            "NUMBER", "LETTER", "SYMBOL", "RPAREN", "RBRACK", "RBRACE", "RCURLY",
            "BAR_CLOSE", "NORM_CLOSE", "RANGLE", "PRIME", "TRANSPOSE", "CONST", "END_MATRIX",
            "INFTY",
        }  # fmt: skip

    def bar(self, double: bool, pos: int, forced: str | None = None) -> None:
        kind = "\\|" if double else "|"
        closes = self.bars and self.bars[-1] == kind and self.after_operand()
        if forced == "open" or (forced is None and not closes):
            self.bars.append(kind)
            self.emit("NORM_OPEN" if double else "BAR_OPEN", kind, pos)
        else:
            if not self.bars or self.bars[-1] != kind:
                raise LatexError(f"closing '{kind}' without an opening one", pos)
            self.bars.pop()
            self.emit("NORM_CLOSE" if double else "BAR_CLOSE", kind, pos)

    def run(self) -> list[Token]:
        text = self.text
        i = 0
        pending_args = 0  # single-character arguments still owed to \frac / \sqrt
        while i < len(text):
            c = text[i]
            if c.isspace():
                i += 1
                continue
            if c == "%":
                raise LatexError("a '%' comment inside an expression", i)
            if pending_args and c != "{" and c != "[":
                i = self.single_argument(i)
                pending_args -= 1
                continue
            if pending_args and c == "[" and self.tokens and self.tokens[-1].type == "SQRT":
                self.emit("LBRACK", c, i)
                i += 1
                pending_args = 0
                continue
            if c == "{" and pending_args:
                content, end = _braced(text, i)
                self.emit("LBRACE", "{", i)
                sub = Tokenizer(content)
                sub.bars = []
                for tok in sub.run():
                    self.tokens.append(
                        Token(tok.type, tok.value, start_pos=(tok.start_pos or 0) + i + 1)
                    )
                self.emit("RBRACE", "}", end - 1)
                i = end
                pending_args -= 1
                continue
            if c.isdigit():
                m = _NUMBER.match(text, i)
                assert m
                value = m.group()
                if self.tokens and self.tokens[-1].type in ("CARET", "UNDERSCORE"):
                    value = value[0]
                self.emit("NUMBER", value, i)
                i += len(value)
                continue
            if c.isalpha():
                self.emit("LETTER", c, i)
                i += 1
                continue
            simple = {
                "+": "PLUS", "-": "MINUS", "*": "MUL", "/": "DIV", "^": "CARET",
                "_": "UNDERSCORE", "(": "LPAREN", ")": "RPAREN", "[": "LBRACK",
                "]": "RBRACK", "{": "LBRACE", "}": "RBRACE", ",": "COMMA", ";": "SEMI",
                "=": "EQUALS", "&": "AMP", "'": "PRIME",
            }  # fmt: skip
            if c in simple:
                self.emit(simple[c], c, i)
                i += 1
                continue
            if c == "|":
                self.bar(False, i)
                i += 1
                continue
            if c == "~":
                i += 1
                continue
            if c == "\\":
                i, owed = self.command(i)
                pending_args += owed
                continue
            raise LatexError(f"unexpected character {c!r}", i)
        if pending_args:
            raise LatexError("\\frac or \\sqrt is missing an argument", len(text))
        if self.bars:
            raise LatexError(f"'{self.bars[-1]}' is never closed", len(text))
        return self.tokens

    def single_argument(self, i: int) -> int:
        """`\\frac12`, `\\frac1n`, `\\sqrt2`: one character or command, braced."""
        self.emit("LBRACE", "{", i)
        if self.text[i] == "\\":
            i, owed = self.command(i)
            if owed:
                raise LatexError("write the argument of \\frac or \\sqrt in braces", i)
        elif self.text[i].isdigit():
            self.emit("NUMBER", self.text[i], i)
            i += 1
        elif self.text[i].isalpha():
            self.emit("LETTER", self.text[i], i)
            i += 1
        else:
            raise LatexError("write the argument of \\frac or \\sqrt in braces", i)
        self.emit("RBRACE", "}", i)
        return i

    def command(self, i: int) -> tuple[int, int]:
        """Tokenize the command at `i`; return the next offset and owed arguments."""
        text = self.text
        m = _COMMAND.match(text, i)
        if not m:
            raise LatexError("a lone backslash", i)
        name = m.group(1)
        end = m.end()
        if name in SPACING:
            return end, 0
        if name == "|":
            self.bar(True, i)
            return end, 0
        if name in ("left", "right") or name in SIZING:
            j = _skip_space(text, end)
            side = "open" if name == "left" or name.endswith("l") else None
            side = "close" if name == "right" or name.endswith("r") else side
            if text.startswith("\\|", j) or text.startswith("\\Vert", j):
                self.bar(True, i, side)
                return j + (2 if text.startswith("\\|", j) else 5), 0
            if text.startswith("|", j) or text.startswith("\\vert", j):
                self.bar(False, i, side)
                return j + (1 if text[j] == "|" else 5), 0
            if text.startswith(".", j):
                if name == "right":
                    raise LatexError("'\\right.' is not supported", i)
                return j + 1, 0
            return j, 0
        if name in ("lvert", "rvert", "lVert", "rVert", "vert", "Vert"):
            forced = "open" if name.startswith("l") else "close" if name.startswith("r") else None
            self.bar(name.lower().endswith("vert") and name[-4] == "V", i, forced)
            return end, 0
        if name in ("{", "}"):
            self.emit("LCURLY" if name == "{" else "RCURLY", "\\" + name, i)
            return end, 0
        if name in ("langle", "rangle"):
            self.emit("LANGLE" if name == "langle" else "RANGLE", name, i)
            return end, 0
        if name in ("cdot", "times", "ast"):
            self.emit("MUL", name, i)
            return end, 0
        if name == "odot":
            self.emit("ODOT", name, i)
            return end, 0
        if name in ("top", "intercal"):
            self.emit("TRANSPOSE", name, i)
            return end, 0
        if name == "prime":
            self.emit("PRIME", "'", i)
            return end, 0
        if name in ("ne", "neq"):
            self.emit("NEQ", name, i)
            return end, 0
        if name == "infty":
            self.emit("INFTY", name, i)
            return end, 0
        if name == "partial":
            self.emit("PARTIAL", name, i)
            return end, 0
        if name == "nabla":
            self.emit("NABLA", name, i)
            return end, 0
        if name == "sum":
            self.emit("SUM", name, i)
            return end, 0
        if name == "prod":
            self.emit("PROD", name, i)
            return end, 0
        if name in ("frac", "dfrac", "tfrac"):
            self.emit("FRAC", name, i)
            return end, 2
        if name == "sqrt":
            self.emit("SQRT", name, i)
            return end, 1
        if name in FUNCTIONS:
            self.emit("FUNC", name, i)
            return end, 0
        if name in GREEK:
            self.emit("SYMBOL", "\\" + name, i)
            return end, 0
        if name in ("begin", "end"):
            env, after = _braced(text, _skip_space(text, end))
            if env not in MATRIX_ENVS:
                raise LatexError(f"environment '{env}' is not supported inside an expression", i)
            self.emit("BEGIN_MATRIX" if name == "begin" else "END_MATRIX", env, i)
            return after, 0
        if name == "\\":
            self.emit("ROWSEP", "\\\\", i)
            return end, 0
        if name in TEXTS and text.startswith("{", _skip_space(text, end)):
            word, after = _braced(text, _skip_space(text, end))
            word = word.strip()
            if word in CONST_WORDS:
                self.emit("CONST", word, i)
                return after, 0
            if word in NAMED_OPERATORS:
                self.emit("FUNC", NAMED_OPERATORS[word], i)
                return after, 0
            if name == "operatorname" and re.fullmatch(r"[A-Za-z]+", word):
                self.emit("FUNC" if word in FUNCTIONS else "OPNAME", word, i)
                return after, 0
            if name in ("mathrm", "mathsf") and re.fullmatch(r"[A-Za-z]", word):
                if word == "T":
                    self.emit("TRANSPOSE", f"\\{name}{{T}}", i)
                elif word == "d" and name == "mathrm":
                    self.emit("LETTER", "d", i)
                else:
                    self.emit("SYMBOL", f"\\{name}{{{word}}}", i)
                return after, 0
            if name in FONTS:
                return self.font(name, i, end)
            raise LatexError(f"text inside an expression: \\{name}{{{word}}}", i)
        if name in FONTS:
            return self.font(name, i, end)
        raise LatexError(f"unknown command \\{name}", i)

    def font(self, name: str, i: int, end: int) -> tuple[int, int]:
        """`\\mathbf{x}`, `\\hat{\\mu}`: the font is part of the symbol's name."""
        j = _skip_space(self.text, end)
        if j < len(self.text) and self.text[j] == "{":
            content, after = _braced(self.text, j)
        elif j < len(self.text) and self.text[j] == "\\":
            m = _COMMAND.match(self.text, j)
            assert m
            content, after = m.group(), m.end()
        elif j < len(self.text):
            content, after = self.text[j], j + 1
        else:
            raise LatexError(f"\\{name} needs an argument", i)
        inner = content.strip()
        if re.fullmatch(r"[A-Za-z0-9]", inner) or (inner.startswith("\\") and inner[1:] in GREEK):
            self.emit("SYMBOL", f"\\{name}{{{inner}}}", i)
            return after, 0
        nested = re.fullmatch(r"\\([A-Za-z]+)\s*\{\s*(\\?[A-Za-z]+)\s*\}", inner)
        if nested and nested.group(1) in FONTS:
            self.emit("SYMBOL", f"\\{name}{{\\{nested.group(1)}{{{nested.group(2)}}}}}", i)
            return after, 0
        raise LatexError(f"\\{name}{{{content}}}: a font applies to one letter here", i)


class _TokenStream(Lexer):
    """Hands the tokenizer's tokens to Lark."""

    def __init__(self, lexer_conf: object) -> None:
        pass

    def lex(self, data: list[Token]) -> Iterator[Token]:  # type: ignore[override]
        yield from data


# -------------------------------------------------------------------- tree builder


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

    def braced(self, open_: Token, body: Node, _close: Token) -> Node:
        return Delimited([body], [], "{", pos=_tok_pos(open_))

    def sequence(self, *items: Node | Token) -> Node:
        nodes = [x for x in items if isinstance(x, Node)]
        return Sequence(nodes, pos=nodes[0].pos)

    def limit_from(self, left: Node, _eq: Token, right: Node) -> Node:
        return Limit(left, right, "=", pos=left.pos)

    def limit_except(self, left: Node, _ne: Token, right: Node) -> Node:
        return Limit(left, right, "ne", pos=left.pos)

    def parens(self, open_: Token, args: tuple[list[Node], list[str]], _close: Token) -> Node:
        return Delimited(args[0], args[1], "(", pos=_tok_pos(open_))

    def arguments(self, *items: Node | Token) -> tuple[list[Node], list[str]]:
        nodes = [x for x in items if isinstance(x, Node)]
        seps = [str(x.value) for x in items if isinstance(x, Token)]
        return nodes, seps

    def brackets(self, open_: Token, body: Node, _close: Token) -> Node:
        return Delimited([body], [], "[", pos=_tok_pos(open_))

    def curlies(self, open_: Token, body: Node, _close: Token) -> Node:
        return Delimited([body], [], "\\{", pos=_tok_pos(open_))

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
    "RCURLY": "'\\}'", "END_MATRIX": "'\\end'",
}  # fmt: skip


def parse_latex(text: str, *, equation: bool = False) -> Node:
    """Parse one side (or, with `equation`, an `a = b` premise) into a tree."""
    tokens = Tokenizer(text).run()
    if not tokens:
        raise LatexError("empty expression", 0)
    try:
        tree = _parser().parse(tokens, start="equation" if equation else "start")  # type: ignore[arg-type]
        result: Node = ToTree().transform(tree)
        return result
    except VisitError as err:
        if isinstance(err.orig_exc, LatexError):
            raise err.orig_exc from None
        if isinstance(err.orig_exc, RecursionError):
            raise LatexError("the expression is nested too deeply", 0) from None
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
