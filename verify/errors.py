"""One tree of exceptions: every problem the checker reports on purpose.

Each carries a message written for the page's author. Where it happened is
said in the unit the raising stage knows: an offset into a side's LaTeX
(parsing, translation), a line of the page (front matter, extraction), or a
line and column (a pair). Failures of evaluation at one instance
(`Undefined`, `Ambiguous`) are not errors of the page: they make the checker
draw another instance, or decide it exactly.
"""

from __future__ import annotations


class VerifyError(Exception):
    """Base of every exception the checker raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class OffsetError(VerifyError):
    """A problem at `offset` into the LaTeX of one side."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


class LatexError(OffsetError):
    """The LaTeX cannot be read (a syntax problem)."""


class TranslateError(OffsetError):
    """The LaTeX reads, but has no meaning here (unknown symbol, shape mismatch)."""


class LineError(VerifyError):
    """A problem at a line of the page."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


class NotationError(LineError):
    """A `symbols:` entry that cannot be understood (at the key's line)."""


class ExtractError(LineError):
    """A display block whose chains or directives cannot be read."""


class PairError(VerifyError):
    """Stops the decision of a pair with an `error` at a place in the page."""

    def __init__(self, message: str, line: int, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class EvaluationError(VerifyError):
    """A side cannot be evaluated at all (an index out of range, a huge sum)."""


class Undefined(VerifyError):
    """No real value at this instance (a singular matrix, a log of 0, ...): draw another."""


class Unsatisfied(Undefined):
    """A `given` cannot be made to hold at this instance: draw another."""


class Ambiguous(VerifyError):
    """Floats cannot tell at this instance: decide it again with exact values."""


class EmptyRange(VerifyError):
    """An index range that is empty at the drawn sizes."""


class OutOfTime(VerifyError):
    """A time limit ran out."""


DEEP_BRACKETS = 30  # levels of brackets that count as deep nesting


def too_deep(text: str) -> str:
    """Why a side was beyond the parser's recursion: brackets nested deep, or a long
    chain of terms (the parse tree is as deep as the chain is long)."""
    depth = deepest = 0
    for char in text:
        if char in "{([":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "})]":
            depth = max(0, depth - 1)
    if deepest >= DEEP_BRACKETS:
        return f"the expression is nested too deeply ({deepest} levels of brackets)"
    terms = text.count("+") + text.count("-") + 1
    return (f"the expression is too long to read ({terms} terms in one chain):"
            " split it over several steps")  # fmt: skip
