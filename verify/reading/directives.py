"""`<!-- verify: … -->` and `% verify: …` directives (contract §3).

`skip "why"`, `expect-fail "why"`, `wrt <symbol>` and `where i \\ne j`,
separated by `;`, on the line before a block or at the end of a row.
"""

from __future__ import annotations

import re
from dataclasses import replace

from verify.errors import ExtractError
from verify.model import Directive

HTML_DIRECTIVE = re.compile(r"<!--\s*verify:\s*(.*?)\s*-->", re.S)
_WORD = re.compile(
    r"\s*(?:(skip|expect-fail)\s*(?:\"([^\"]*)\"|'([^']*)')?|wrt\s+([^;]+?)|where\s+([^;]+?))"
    r"\s*(?:;|$)"
)
_DISTINCT = re.compile(r"^\s*(\\?[A-Za-z]+)\s*\\neq?\s*(\\?[A-Za-z]+)\s*$")


def parse_directive(text: str, line: int) -> Directive:
    """The directive written in `text` (the part after `verify:`), found at `line`."""
    directive = Directive()
    rest = text.strip()
    while rest:
        m = _WORD.match(rest)
        if not m or m.end() == 0:
            raise ExtractError(
                f'unknown verify directive \'{rest}\' (use skip "why", expect-fail "why",'
                " wrt <symbol>, or where i \\ne j)",
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
            for condition in m.group(5).split(","):
                pair = _DISTINCT.match(condition)
                if not pair:
                    raise ExtractError(
                        f"verify: where {condition.strip()}: only 'i \\ne j' between indices"
                        " is understood",
                        line,
                    )
                distinct = directive.distinct + ((pair.group(1), pair.group(2)),)
                directive = replace(directive, distinct=distinct)
        else:
            directive = replace(directive, wrt=m.group(4).strip())
        rest = rest[m.end() :].strip()
    return directive


def merge(outer: Directive, inner: Directive) -> Directive:
    """A row's directive inside its block's: the inner one wins where it speaks."""
    return Directive(
        skip=inner.skip or outer.skip,
        expect_fail=inner.expect_fail or outer.expect_fail,
        wrt=inner.wrt or outer.wrt,
        distinct=outer.distinct + inner.distinct,
    )


def directive_above(lines: list[str], start: int) -> Directive:
    """HTML-comment directives on the lines right before a block (1-based `start`)."""
    directive = Directive()
    n = start - 1
    while n >= 1 and (m := HTML_DIRECTIVE.fullmatch(lines[n - 1].strip())):
        directive = merge(parse_directive(m.group(1), n), directive)
        n -= 1
    return directive
