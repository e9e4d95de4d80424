"""`<!-- verify: … -->` and `% verify: …` directives (contract §3).

`skip "why"`, `expect-fail "why"`, `wrt <symbol>`, `where i \\ne j` and
`given <equation>; <equation>`, separated by `;`, on the line before a block
or at the end of a row. A `given` takes every `;`-separated equation up to the
next directive word; a `;` inside brackets (`\\mathcal{N}(x; \\mu, \\Sigma)`)
belongs to its equation.
"""

from __future__ import annotations

import re
from dataclasses import replace

from verify.errors import ExtractError
from verify.model import Directive, Hypothesis

HTML_DIRECTIVE = re.compile(r"<!--\s*verify:\s*(.*?)\s*-->", re.S)
_WORD = re.compile(
    r"\s*(?:(skip|expect-fail)\s*(?:\"([^\"]*)\"|'([^']*)')?|wrt\s+([^;]+?)|where\s+([^;]+?))"
    r"\s*(?:;|$)"
)
_WORDS = re.compile(r"(?:skip|expect-fail|wrt|where|given)\b")
_GIVEN = re.compile(r"given\b\s*")
# What a given relates its sides by: an equation, or a region (`verify.deciding.regions`).
GIVEN_RELATION = re.compile(r"=|<|>|\\(?:le|ge|leq|geq|lt|gt)\b")
_DISTINCT = re.compile(r"^\s*(\\?[A-Za-z]+)\s*\\neq?\s*(\\?[A-Za-z]+)\s*$")
# The comparisons a side condition may make (`where t \le T - 1`, `where T \ge 2`).
_RELATION = re.compile(r"\\(?:leq?|geq?|neq?)(?![A-Za-z])|<|>|(?<![\\:])=")


def _top_level_pieces(text: str, start: int, separator: str = ";") -> list[tuple[int, int]]:
    """(start, end) of the `separator`-separated pieces of `text[start:]` outside brackets."""
    pieces, depth, begin = [], 0, start
    for k in range(start, len(text)):
        ch = text[k]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == separator and depth == 0 and (k == 0 or text[k - 1] != "\\"):
            pieces.append((begin, k))
            begin = k + 1
    pieces.append((begin, len(text)))
    return pieces


def _given(text: str, start: int, line: int, column: int) -> tuple[tuple[Hypothesis, ...], int]:
    """The equations of a `given` at `text[start:]`, and where the directive ends."""
    found: list[Hypothesis] = []
    end = len(text)
    for a, b in _top_level_pieces(text, start):
        piece = text[a:b]
        stripped = piece.strip()
        if found and _WORDS.match(stripped):
            end = a
            break
        if not stripped:
            continue
        if not GIVEN_RELATION.search(stripped):
            raise ExtractError(f"verify: given {stripped}: a given is an equation, as in"
                               " 'given w = X^T\\alpha', or an inequality, as in"
                               " 'given c > \\lambda'", line)  # fmt: skip
        offset = a + len(piece) - len(piece.lstrip())
        found.append(Hypothesis(stripped, line, column + offset))
    if not found:
        raise ExtractError("verify: given needs an equation, as in 'given w = X^T\\alpha'", line)
    return tuple(found), end


def parse_directive(text: str, line: int, column: int = 1) -> Directive:
    """The directive written in `text` (the part after `verify:`), found at `line`;
    `column` is where `text` starts on that line."""
    directive = Directive()
    rest = text.strip()
    column += len(text) - len(text.lstrip())
    while rest:
        given = _GIVEN.match(rest)
        if given:
            equations, end = _given(rest, given.end(), line, column)
            directive = replace(directive, given=directive.given + equations)
            column += end
            rest = rest[end:]
            column += len(rest) - len(rest.lstrip())
            rest = rest.lstrip()
            continue
        m = _WORD.match(rest)
        if not m or m.end() == 0:
            raise ExtractError(
                f'unknown verify directive \'{rest}\' (use skip "why", expect-fail "why",'
                " wrt <symbol>, where i \\ne j, or given <equation>)",
                line,
            )
        word, reason = m.group(1), m.group(2) or m.group(3)
        if word and not (reason and reason.strip()):
            raise ExtractError(f'verify: {word} needs a reason in quotes: {word} "why"', line)
        if word == "skip":
            directive = replace(directive, skip=reason)
        elif word == "expect-fail":
            directive = replace(directive, expect_fail=reason)
        elif m.group(5):
            start = column + rest.index(m.group(5))
            for a, b in _top_level_pieces(m.group(5), 0, ","):
                condition = m.group(5)[a:b]
                pair = _DISTINCT.match(condition)
                if pair:
                    distinct = directive.distinct + ((pair.group(1), pair.group(2)),)
                    directive = replace(directive, distinct=distinct)
                    continue
                if len(_RELATION.findall(condition)) != 1:
                    raise ExtractError(
                        f"verify: where {condition.strip()}: write one comparison, such as"
                        " 'where j \\ne l', 'where t \\le T - 1' or 'where T \\ge 2'",
                        line,
                    )
                offset = start + a + len(condition) - len(condition.lstrip())
                stated = Hypothesis(condition.strip(), line, offset)
                directive = replace(directive, conditions=directive.conditions + (stated,))
        else:
            directive = replace(directive, wrt=m.group(4).strip())
        after = rest[m.end() :]
        column += m.end() + len(after) - len(after.lstrip())
        rest = after.strip()
    return directive


def merge(outer: Directive, inner: Directive) -> Directive:
    """A row's directive inside its block's: the inner one wins where it speaks."""
    return Directive(
        skip=inner.skip or outer.skip,
        expect_fail=inner.expect_fail or outer.expect_fail,
        wrt=inner.wrt or outer.wrt,
        distinct=outer.distinct + inner.distinct,
        given=outer.given + inner.given,
        conditions=outer.conditions + inner.conditions,
    )


def directive_above(lines: list[str], start: int) -> Directive:
    """HTML-comment directives on the lines right before a block (1-based `start`)."""
    directive = Directive()
    n = start - 1
    while n >= 1 and (m := HTML_DIRECTIVE.fullmatch(lines[n - 1].strip())):
        indent = len(lines[n - 1]) - len(lines[n - 1].lstrip())
        directive = merge(parse_directive(m.group(1), n, indent + m.start(1) + 1), directive)
        n -= 1
    return directive
