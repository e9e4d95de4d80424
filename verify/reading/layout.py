"""How a display block lays out its equations, so that every relation is seen.

A reader sees `a = b` inside `\\boxed{…}`, `\\color{red}{…}` or plain braces,
and sees two equations in `a = b \\quad\\text{and}\\quad c = d` or
`a = b,\\quad c = d`. These helpers find such wrappers and separators in a
block's text (as offsets, to be blanked by the caller, so that every other
character keeps its line and column), and tell a definition label over `=`
(`\\overset{\\text{def}}{=}`) from any other label.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from verify.model import Relation

RELATIONS: list[tuple[str, Relation]] = [
    (r":=", Relation.DEFINE), (r"\\coloneqq(?![A-Za-z])", Relation.DEFINE),
    (r"\\triangleq(?![A-Za-z])", Relation.DEFINE),
    (r"\\(?:Longrightarrow|implies|Rightarrow)(?![A-Za-z])", Relation.IMPLIES),
    (r"\\(?:iff|Leftrightarrow|Longleftrightarrow)(?![A-Za-z])", Relation.IFF),
    (r"\\propto(?![A-Za-z])", Relation.PROPTO),
    (r"\\(?:leq|leqslant|le)(?![A-Za-z])", Relation.LE),
    (r"\\(?:geq|geqslant|ge)(?![A-Za-z])", Relation.GE),
    (r"\\(?:approx|equiv|sim|simeq|cong|neq|ne)(?![A-Za-z])", Relation.UNSUPPORTED),
    (r"\\(?:overset|stackrel)\{(?:[^{}]|\{[^{}]*\})*\}\{=\}", Relation.EQUAL),
    (r"=", Relation.EQUAL), (r"<", Relation.LT), (r">", Relation.GT),
]  # fmt: skip
RELATION = re.compile("|".join(f"(?:{p})" for p, _ in RELATIONS))

# Wrappers that only decorate what they hold: `\boxed{…}`, `\color{red}{…}`.
_WRAPPER = re.compile(r"\\(?:boxed|(?:text)?color\s*\{[^{}]*\})\s*(?=\{)")
_COLOR_SWITCH = re.compile(r"\\color\s*\{[^{}]*\}(?!\s*\{)")
_NAME = re.compile(r"[A-Za-z]+")
_STRUCTURE = re.compile(r"\\begin|\\end|\\.|[{}]", re.S)
_OPENERS = {"\\begin", "\\{", "{"}
_CLOSERS = {"\\end", "\\}", "}"}
# Between two equations on one row: `\quad`s, after a comma or around `\text{and}`.
_SEPARATOR = re.compile(
    r"(?:,\s*)?(?:\\q?quad(?![A-Za-z])\s*)+"
    r"(?:\\(?:text|textrm|mbox|mathrm)\s*\{\s*(and|also)\s*\}\s*(?:\\q?quad(?![A-Za-z])\s*)*)?"
)
_PROSE = re.compile(r"\s*\\(?:text|textrm|mbox|textit|mathrm)\s*\{")
CONDITION_TAIL = re.compile(
    r"[,;]?\s*\\q?quad\s*(?:\\text\{\s*(?:for|if|when)\s*\}\s*)?\(?\s*(\\?[A-Za-z]+)\s*\\neq?\s*"
    r"(\\?[A-Za-z]+)\s*\)?\s*[.,]?\s*$"
)
_LABEL = re.compile(r"\\(?:overset|stackrel)\{((?:[^{}]|\{[^{}]*\})*)\}\{=\}")
_LABEL_NOISE = re.compile(r"\\(?:text|textrm|mathrm|rm|scriptscriptstyle|scriptstyle|mbox)|[{}\s.]")


def depth_map(s: str) -> list[int]:
    """Brace/environment depth before each character (0 = top level); `\\{ \\}` count.
    Only the structural tokens are visited; the text between them is filled in whole."""
    depth, out, done = 0, [], 0
    for m in _STRUCTURE.finditer(s):
        start, token = m.start(), m.group()
        out.extend([depth] * (start - done))
        if token in _OPENERS:
            out.extend([depth] * len(token))
            depth += 1
        elif token in _CLOSERS:
            depth -= 1
            out.extend([depth] * len(token))
        else:  # another escaped character, such as `\\` or `\|`
            out.extend([depth] * len(token))
        done = m.end()
    out.extend([depth] * (len(s) - done))
    return out


def top_level_relations(s: str, start: int, end: int) -> list[re.Match[str]]:
    """The relations in `s[start:end]` outside braces and environments; an `=`, `<`,
    `>`, `\\le` or `\\ge` inside parentheses or brackets belongs to what they hold
    (`p(x \\mid y = 1)`, `P(X < 3)`), not to the row."""
    depth = depth_map(s[start:end])
    brackets = _bracket_depths(s, start, end)
    return [
        m for m in RELATION.finditer(s, start, end)
        if depth[m.start() - start] == 0
        and not (brackets[m.start() - start] > 0 and _INSIDE_BRACKETS.fullmatch(m.group()))
    ]  # fmt: skip


_INSIDE_BRACKETS = re.compile(r"=|<|>|\\(?:leq|le|geq|ge)")


def _bracket_depths(s: str, start: int, end: int) -> list[int]:
    """How many `(` and `[` are open before each character of `s[start:end]`."""
    out, depth = [], 0
    for ch in s[start:end]:
        if ch in ")]":
            depth = max(0, depth - 1)
        out.append(depth)
        if ch in "([":
            depth += 1
    return out


def is_definition_label(token: str) -> bool:
    """`\\overset{\\text{def}}{=}` defines; `\\overset{(a)}{=}` or any other label does not."""
    label = _LABEL.fullmatch(token)
    return label is not None and _LABEL_NOISE.sub("", label.group(1)) == "def"


@dataclass
class _Group:
    """An open brace group while a block is scanned."""

    opening: tuple[int, int]  # the text that opens it: `{`, `\\boxed{`, `\\color{c}{`
    kind: str  # "plain" (no argument), "wrapper" (a decoration) or "other"
    relation: bool = False  # whether a relation stands at its own top level


def wrapper_spans(s: str) -> list[tuple[int, int]]:
    """Text to blank so that relations inside decorations are seen: the opening and
    closing of `\\boxed{…}`, `\\color{c}{…}`, `\\textcolor{c}{…}`, a `\\color{c}`
    switch, and plain braces (not an argument) around a relation, at any depth of
    nesting. One pass: a group that is unwrapped hands its relations to its parent."""
    relations = {m.start(): m.end() for m in RELATION.finditer(s)}
    stack: list[_Group] = []
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(s):
        if i in relations:
            if stack:
                stack[-1].relation = True
            i = relations[i]
            continue
        if s[i] == "\\":
            wrapper = _WRAPPER.match(s, i)
            switch = _COLOR_SWITCH.match(s, i)
            if wrapper:
                stack.append(_Group((i, wrapper.end() + 1), "wrapper"))
                i = wrapper.end() + 1
            elif switch:
                spans.append((i, switch.end()))
                i = switch.end()
            elif s.startswith(("\\begin", "\\{"), i):
                stack.append(_Group((i, i + 1), "other"))
                i += 2
            elif s.startswith(("\\end", "\\}"), i):
                _close(stack, spans, i, closing=False)
                i += 2
            else:
                name = _NAME.match(s, i + 1)
                i = name.end() if name else i + 2
            continue
        if s[i] == "{":
            argument = _is_argument(s, i, spans)
            stack.append(_Group((i, i + 1), "other" if argument else "plain"))
        elif s[i] == "}":
            _close(stack, spans, i, closing=True)
        i += 1
    return spans


def _close(stack: list[_Group], spans: list[tuple[int, int]], i: int, closing: bool) -> None:
    """Close the innermost group at `i`; blank it if it only decorates."""
    if not stack:
        return
    group = stack.pop()
    unwrapped = closing and (group.kind == "wrapper" or (group.kind == "plain" and group.relation))
    if unwrapped:
        spans += [group.opening, (i, i + 1)]
        if group.relation and stack:
            stack[-1].relation = True


def _is_argument(s: str, k: int, unwrapped: list[tuple[int, int]]) -> bool:
    """Whether the `{` at `k` is an argument or script (`\\frac{…}`, `x_{…}`, `}{`);
    a `}` that closes a group being unwrapped (`{a = b} {c = d}`) makes none."""
    j = k - 1
    while j >= 0 and s[j].isspace():
        j -= 1
    if j < 0:
        return False
    if s[j] == "}":
        return not (unwrapped and unwrapped[-1] == (j, j + 1))
    if s[j] in "_^]":
        return True
    start = j
    while start >= 0 and s[start].isalpha():
        start -= 1
    return start < j and start >= 0 and s[start] == "\\"  # the end of a command's name


def equation_breaks(s: str, start: int, end: int) -> list[tuple[int, int]]:
    """Where a row holds a second equation: `a = b \\quad\\text{and}\\quad c = d`,
    `a = b,\\quad c = d`. Each break is the separator's span; a `\\quad\\text{…}`
    tail of prose, or a side condition `\\quad (j \\ne l)`, is not a break."""
    depth = depth_map(s[start:end])
    relations = [m.start() for m in top_level_relations(s, start, end)]
    breaks: list[tuple[int, int]] = []
    left = start
    for m in _SEPARATOR.finditer(s, start, end):
        if depth[m.start() - start] != 0:
            continue
        if CONDITION_TAIL.fullmatch(s, m.start(), end):
            break
        if not m.group(1) and _PROSE.match(s, m.end(), end):
            break  # `\quad\text{because …}`: the step's justification
        before = bisect.bisect_left(relations, m.start()) > bisect.bisect_left(relations, left)
        after = bisect.bisect_left(relations, m.end()) < len(relations)
        if before and after:
            breaks.append((m.start(), m.end()))
            left = m.end()
    return breaks
