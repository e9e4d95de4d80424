"""How a display block lays out its equations, so that every relation is seen.

A reader sees `a = b` inside `\\boxed{…}`, `\\color{red}{…}` or plain braces,
and sees two equations in `a = b \\quad\\text{and}\\quad c = d` or
`a = b,\\quad c = d`. These helpers find such wrappers and separators in a
block's text (as offsets, to be blanked by the caller, so that every other
character keeps its line and column), and tell a definition label over `=`
(`\\overset{\\text{def}}{=}`) from any other label.
"""

from __future__ import annotations

import re

from verify.errors import LatexError
from verify.latex.tokenizer import braced
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
_COMMAND_END = re.compile(r"\\[A-Za-z]+\s*$")
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
    """Brace/environment depth before each character (0 = top level); `\\{ \\}` count."""
    depth, out, i = 0, [], 0
    while i < len(s):
        if s.startswith("\\begin", i):
            out.extend([depth] * 6)
            depth += 1
            i += 6
            continue
        if s.startswith("\\end", i):
            depth -= 1
            out.extend([depth] * 4)
            i += 4
            continue
        if s[i] == "\\" and i + 1 < len(s):
            if s[i + 1] == "{":
                out.extend([depth, depth])
                depth += 1
            elif s[i + 1] == "}":
                depth -= 1
                out.extend([depth, depth])
            else:
                out.extend([depth, depth])
            i += 2
            continue
        if s[i] == "{":
            out.append(depth)
            depth += 1
        elif s[i] == "}":
            depth -= 1
            out.append(depth)
        else:
            out.append(depth)
        i += 1
    return out


def top_level_relations(s: str, start: int, end: int) -> list[re.Match[str]]:
    """The relations in `s[start:end]` outside braces and environments."""
    depth = depth_map(s[start:end])
    return [m for m in RELATION.finditer(s, start, end) if depth[m.start() - start] == 0]


def is_definition_label(token: str) -> bool:
    """`\\overset{\\text{def}}{=}` defines; `\\overset{(a)}{=}` or any other label does not."""
    label = _LABEL.fullmatch(token)
    return label is not None and _LABEL_NOISE.sub("", label.group(1)) == "def"


def wrapper_spans(s: str) -> list[tuple[int, int]]:
    """Text to blank so that relations inside decorations are seen: the opening and
    closing of `\\boxed{…}`, `\\color{c}{…}`, `\\textcolor{c}{…}`, a `\\color{c}`
    switch, and plain braces (not an argument) around a relation. One layer per
    call; the caller blanks and calls again until nothing is left."""
    spans: list[tuple[int, int]] = []
    for m in _WRAPPER.finditer(s):
        closing = _closing(s, m.end())
        if closing is not None:
            spans += [(m.start(), m.end() + 1), (closing - 1, closing)]
    spans += [(m.start(), m.end()) for m in _COLOR_SWITCH.finditer(s)]
    if spans:
        return spans
    for k, char in enumerate(s):
        if char != "{" or (k > 0 and s[k - 1] == "\\") or _is_argument(s, k):
            continue
        closing = _closing(s, k)
        if closing is not None and top_level_relations(s, k + 1, closing - 1):
            return [(k, k + 1), (closing - 1, closing)]
    return []


def _closing(s: str, k: int) -> int | None:
    """The offset after the `}` that closes the `{` at `k`, if it is closed."""
    try:
        return braced(s, k)[1]
    except LatexError:
        return None


def _is_argument(s: str, k: int) -> bool:
    """Whether the `{` at `k` is an argument or script (`\\frac{…}`, `x_{…}`, `}{`)."""
    before = s[:k].rstrip()
    if not before:
        return False
    return before[-1] in "_^}]" or bool(_COMMAND_END.search(before))


def equation_breaks(s: str, start: int, end: int) -> list[tuple[int, int]]:
    """Where a row holds a second equation: `a = b \\quad\\text{and}\\quad c = d`,
    `a = b,\\quad c = d`. Each break is the separator's span; a `\\quad\\text{…}`
    tail of prose, or a side condition `\\quad (j \\ne l)`, is not a break."""
    depth = depth_map(s[start:end])
    breaks: list[tuple[int, int]] = []
    left = start
    for m in _SEPARATOR.finditer(s, start, end):
        if depth[m.start() - start] != 0 or m.start() < left:
            continue
        if CONDITION_TAIL.fullmatch(s, m.start(), end):
            break
        if not m.group(1) and _PROSE.match(s, m.end(), end):
            break  # `\quad\text{because …}`: the step's justification
        if top_level_relations(s, left, m.start()) and top_level_relations(s, m.end(), end):
            breaks.append((m.start(), m.end()))
            left = m.end()
    return breaks
