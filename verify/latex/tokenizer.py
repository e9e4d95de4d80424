"""LaTeX -> Lark tokens, each with its offset into the side's text.

The tokenizer settles what a context-free grammar cannot: whether a `|` or
`\\|` opens or closes (it closes right after an operand when one is open),
where `\\frac12`'s arguments end, and which command is which kind of token
(`verify.latex.commands` is the table it reads).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lark import Token

from verify.errors import LatexError
from verify.latex.commands import (
    CHARACTERS,
    COMMANDS,
    CONST_WORDS,
    FONTS,
    FUNCTION_WORDS,
    FUNCTIONS,
    GREEK,
    INDICATORS,
    MATRIX_ENVS,
    NAME_FONTS,
    NAMED_OPERATORS,
    OPERAND_ENDS,
    PROBABILITY_WORDS,
    Action,
    Command,
)

_COMMAND = re.compile(r"\\([A-Za-z]+|.)")
_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def braced(text: str, start: int) -> tuple[str, int]:
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


Reader = Callable[[str, Command, int, int], tuple[int, int]]


class Tokenizer:
    """Turns LaTeX into Lark tokens; every token keeps its offset."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[Token] = []
        self.bars: list[str] = []  # open `|` and `\|`, innermost last
        # open parentheses: whether each holds the two arguments of a divergence
        # (`\mathrm{KL}(q \| p)`), how many bars were open when it opened,
        # whether it follows a name (`p(s' | s, a)`: a call, whose `|` conditions),
        # and how many braces were open then
        self.parens: list[tuple[bool, int, bool, int]] = []
        self.braces = 0  # `{` open at this point
        self.script_groups: list[int] = []  # brace depths of open `_{…}` / `^{…}` groups
        self.script_ends: set[int] = set()  # positions of the `}` that close a script group
        self.readers: dict[Action, Reader] = {
            Action.TOKEN: self.read_token,
            Action.SKIP: self.read_skip,
            Action.NORM_BAR: self.read_norm_bar,
            Action.SIZED: self.read_sized,
            Action.VERT: self.read_vert,
            Action.ENVIRONMENT: self.read_environment,
            Action.TEXT: self.read_text,
            Action.FONT: self.read_font,
        }

    def emit(self, kind: str, value: str, pos: int) -> None:
        if kind == "LPAREN":
            self.parens.append(
                (self.after_divergence(), len(self.bars), self.after_name(), self.braces)
            )
        elif kind == "RPAREN" and self.parens:
            self.parens.pop()
        if kind == "LCURLY" and self.before_indicator():
            last = self.tokens[-1]
            self.tokens[-1] = Token("INDICATOR", str(last.value), start_pos=last.start_pos)
        self.tokens.append(Token(kind, value, start_pos=pos))

    def after_divergence(self) -> bool:
        """Whether the tokens so far end in `\\mathrm{KL}` or `D_{\\mathrm{KL}}`."""
        last = [(t.type, str(t.value)) for t in self.tokens[-2:]]
        return ("OPNAME", "KL") in last[-1:] or last == [("OPNAME", "KL"), ("RBRACE", "}")]

    def divergence_bar(self) -> bool:
        """A `\\|` between the arguments of a divergence separates them."""
        at_top = bool(self.parens) and self.parens[-1][:2] == (True, len(self.bars))
        return at_top and self.after_operand()

    def after_name(self) -> bool:
        """Whether the tokens so far end in a name that a call's parentheses follow:
        a letter or symbol, perhaps scripted (`\\pi(`, `b_j(`, `p_\\theta(`)."""
        if not self.tokens or self.tokens[-1].type not in ("LETTER", "SYMBOL", "RBRACE"):
            return False
        # a `}` ends a name only when it closes a script (`b_{j}(`), not `\frac{a}{b}(`
        return self.tokens[-1].type != "RBRACE" or (len(self.tokens) - 1) in self.script_ends

    def conditioning_bar(self) -> bool:
        """A `|` right after an operand, at the top level of a call's parentheses with
        no bar opened inside them, separates what is conditioned on: `\\pi(a | s)`."""
        if not self.parens:
            return False
        _, bars, call, _ = self.parens[-1]
        return call and bars == len(self.bars) and self.after_operand()

    def call_in_script(self) -> bool:
        r"""A conditioning bar inside a script: in a call opened within the script itself
        (`\mathbb{E}_{A \sim \pi(\cdot | s)}`), not in `\mu_{t|t-1}` inside a call."""
        return self.conditioning_bar() and self.parens[-1][3] == self.braces

    def open_argument(self, end: int) -> bool:
        """Whether a `\\cdot` ending at `end` stands alone as an argument of a call,
        `\\pi(\\cdot | s)`, `f(x, \\cdot)`: the argument left open."""
        if not (self.parens and self.parens[-1][2] and self.tokens):
            return False
        if self.tokens[-1].type not in ("LPAREN", "COMMA", "GIVEN"):
            return False
        rest = self.text[end:].lstrip()
        return rest.startswith(("|", ",", ")", "\\mid", "\\right)"))

    def after_script_mark(self) -> bool:
        return bool(self.tokens) and self.tokens[-1].type in ("CARET", "UNDERSCORE")

    def in_script(self) -> bool:
        """Inside a sub- or superscript, where `*`, `|` and `\\text{…}` are part of
        a name (`\\phi_*`, `\\mu_{t|t-1}`, `\\theta_{\\text{new}}`)."""
        return bool(self.script_groups) or self.after_script_mark()

    def before_indicator(self) -> bool:
        """Whether the last token is the `1` of an indicator `1\\{…\\}` (not a script's)."""
        if not self.tokens or self.tokens[-1].value not in INDICATORS:
            return False
        last = self.tokens[-1]
        if last.type == "NUMBER":
            return len(self.tokens) < 2 or self.tokens[-2].type not in ("CARET", "UNDERSCORE")
        return last.type == "SYMBOL"

    def after_operand(self) -> bool:
        """Whether the last token ends an operand, so a bar here would close."""
        return bool(self.tokens) and self.tokens[-1].type in OPERAND_ENDS

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
                i = self.argument(i)
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
            if c in "*|" and self.in_script() and not (c == "|" and self.call_in_script()):
                self.emit("SYMBOL", c, i)
                i += 1
                continue
            if c == "{":
                self.braces += 1
                if self.after_script_mark():
                    self.script_groups.append(self.braces)
            elif c == "}":
                if self.script_groups and self.script_groups[-1] == self.braces:
                    self.script_groups.pop()
                    self.script_ends.add(len(self.tokens))
                self.braces -= 1
            if c in CHARACTERS:
                self.emit(CHARACTERS[c], c, i)
                i += 1
                continue
            if c == "|":
                if self.conditioning_bar():
                    self.emit("GIVEN", "|", i)
                else:
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

    def argument(self, i: int) -> int:
        """A braced argument of `\\frac` or `\\sqrt`, tokenized on its own."""
        content, end = braced(self.text, i)
        self.emit("LBRACE", "{", i)
        for tok in Tokenizer(content).run():
            self.tokens.append(Token(tok.type, tok.value, start_pos=(tok.start_pos or 0) + i + 1))
        self.emit("RBRACE", "}", end - 1)
        return end

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
        m = _COMMAND.match(self.text, i)
        if not m:
            raise LatexError("a lone backslash", i)
        name = m.group(1)
        command = COMMANDS.get(name)
        if command is None:
            raise LatexError(f"unknown command \\{name}", i)
        return self.readers[command.action](name, command, i, m.end())

    # Each reader gets (name, table row, offset of the backslash, offset after
    # the name) and returns (next offset, arguments owed).

    def read_token(self, name: str, command: Command, i: int, end: int) -> tuple[int, int]:
        if name == "ast" and self.in_script():  # `b^\\ast`: a star in a name
            self.emit("SYMBOL", "*", i)
            return end, 0
        if name == "cdot" and self.open_argument(end):  # `\\pi(\\cdot | s)`: a placeholder
            self.emit("SYMBOL", "\\cdot", i)
            return end, 0
        self.emit(command.token, command.value if command.value is not None else name, i)
        return end, command.arguments

    def read_skip(self, name: str, command: Command, i: int, end: int) -> tuple[int, int]:
        return end, 0

    def read_norm_bar(self, name: str, command: Command, i: int, end: int) -> tuple[int, int]:
        if self.divergence_bar():
            self.emit("PARALLEL", "\\|", i)
        else:
            self.bar(True, i)
        return end, 0

    def read_sized(self, name: str, command: Command, i: int, end: int) -> tuple[int, int]:
        """`\\left(`, `\\right|`, `\\bigl\\|`: the size is dropped, a bar's side is kept."""
        text = self.text
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

    def read_vert(self, name: str, command: Command, i: int, end: int) -> tuple[int, int]:
        forced = "open" if name.startswith("l") else "close" if name.startswith("r") else None
        self.bar(name[-4] == "V", i, forced)
        return end, 0

    def read_environment(self, name: str, command: Command, i: int, end: int) -> tuple[int, int]:
        env, after = braced(self.text, _skip_space(self.text, end))
        if env not in MATRIX_ENVS:
            raise LatexError(f"environment '{env}' is not supported inside an expression", i)
        self.emit("BEGIN_MATRIX" if name == "begin" else "END_MATRIX", env, i)
        if name == "begin" and env == "array":  # its column spec, `{cc}`: layout only
            j = _skip_space(self.text, after)
            if self.text.startswith("{", j):
                after = braced(self.text, j)[1]
        return after, 0

    def read_text(self, name: str, command: Command, i: int, end: int) -> tuple[int, int]:
        """`\\text{const}`, `\\operatorname{tr}`, `\\mathrm{d}`, `\\mathrm{T}`."""
        j = _skip_space(self.text, end)
        if not self.text.startswith("{", j):
            if name in FONTS:
                return self.read_font(name, command, i, end)
            raise LatexError(f"unknown command \\{name}", i)
        word, after = braced(self.text, j)
        word = word.strip()
        if word in CONST_WORDS:
            self.emit("CONST", word, i)
            return after, 0
        if word in NAMED_OPERATORS:
            self.emit("FUNC", NAMED_OPERATORS[word], i)
            return after, 0
        if word in PROBABILITY_WORDS:
            self.emit("OPNAME", PROBABILITY_WORDS[word], i)
            return after, 0
        if self.in_script() and word == "T" and name.startswith("text"):
            self.emit("TRANSPOSE", f"\\{name}{{T}}", i)  # `x^{\\text{T}}`
            return after, 0
        if (
            self.in_script()
            and re.fullmatch(r"[A-Za-z0-9]+", word)
            and (name.startswith("text") or (name != "operatorname" and len(word) > 1))
        ):  # `\\theta_{\\text{new}}`: a word in a script is part of the symbol's name
            self.emit("SYMBOL", f"\\{name}{{{word}}}", i)
            return after, 0
        if name in NAME_FONTS and re.fullmatch(r"[A-Za-z]{2,}", word):
            self.emit("SYMBOL", f"\\{name}{{{word}}}", i)  # a name such as \mathrm{ELBO}
            return after, 0
        if name == "operatorname" and re.fullmatch(r"[A-Za-z]+", word):
            known = word in FUNCTIONS or word in FUNCTION_WORDS
            self.emit("FUNC" if known else "OPNAME", word, i)
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
            return self.read_font(name, command, i, end)
        raise LatexError(f"text inside an expression: \\{name}{{{word}}}", i)

    def read_font(self, name: str, command: Command, i: int, end: int) -> tuple[int, int]:
        """`\\mathbf{x}`, `\\hat{\\mu}`: the font is part of the symbol's name."""
        j = _skip_space(self.text, end)
        if j < len(self.text) and self.text[j] == "{":
            content, after = braced(self.text, j)
        elif j < len(self.text) and self.text[j] == "\\":
            m = _COMMAND.match(self.text, j)
            if not m:
                raise LatexError("a lone backslash", j)
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


def tokenize(text: str) -> list[Token]:
    return Tokenizer(text).run()
