"""The rows of a display block as readers see them, read from the page source.

The checker reads a block's rows to find its steps; the renderer needs them
again to put each step's status on its own row. A row ends at a `\\\\` outside
braces and inner environments (the alignment environments themselves are
transparent), as MathJax draws it: row k here is the k-th row of MathJax's
table. A row's justification (`&& …`, or a `\\quad\\text{…}` at its end) is
taken out of the displayed math and shown beside the row as text, so it wraps
instead of widening the formula, and is shown once.

Works on the source lines alone (no parser, no SymPy), so a build whose
answers all come from the cache stays fast.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from verify.model import Result

# Environments whose rows are the block's rows (as in `verify.reading.markdown`).
_TRANSPARENT = {"aligned", "align", "align*", "split", "gathered", "gather", "gather*",
                "equation", "equation*", "alignat", "alignat*", "alignedat", "flalign*"}  # fmt: skip
_JUSTIFY_TAIL = re.compile(r"\\q?quad\s*(?:\(\s*)?\\(?:text|textrm|mbox|textit)\s*\{.*$", re.S)
# What matters for rows, in one pass: environments, row breaks (with their
# spacing, `\\\\[4pt]`), escapes such as `\\{` (skipped), braces, `&&`. Other
# commands hold no brace or `&`, so they are not tokens at all.
_TOKEN = re.compile(
    r"\\(?P<env>begin|end)\s*\{(?P<name>[^{}]*)\}(?:\{\d+\})?"
    r"|(?P<row>\\\\(?:\s*\[[^\]]*\])?)|\\[^A-Za-z]|(?P<brace>[{}])|(?P<amps>&&)"
)
_LEADING = re.compile(
    r"(?:\s|\\begin\s*\{(?:"
    + "|".join(re.escape(e) for e in sorted(_TRANSPARENT))
    + r")\}(?:\{\d+\})?)*"
)


@dataclass
class Row:
    """One row: the line of its first character, and its justification's LaTeX."""

    line: int
    justification: str = ""
    results: list[tuple[str, Result]] = field(default_factory=list)  # (id, result)


@dataclass
class BlockRows:
    """A block's rows, and its lines with every justification taken out."""

    rows: list[Row]
    lines: list[str]

    def place(self, results: list[tuple[str, Result]]) -> None:
        """Put each result on the row where its step stands.

        A result belongs to the row that starts on its line; when several rows
        start on that line (`a &= b \\\\ &= c`), the k-th result there takes the
        k-th of them; a line inside a row belongs to that row."""
        taken: dict[int, int] = {}
        for named in results:
            line = named[1].line
            starting = [row for row in self.rows if row.line == line]
            if starting:
                k = taken.get(line, 0)
                taken[line] = k + 1
                starting[min(k, len(starting) - 1)].results.append(named)
                continue
            before = [row for row in self.rows if row.line <= line]
            (before[-1] if before else self.rows[0]).results.append(named)


def _content_range(lines: list[str]) -> tuple[int, int, int, int]:
    """(first line, first column, last line, end column) of the math between
    the block's delimiters: `$$`, a ```` ```math ```` fence, `\\[ \\]` or none."""
    last = len(lines) - 1
    head, tail = lines[0].lstrip(), lines[-1].rstrip()
    start_col = len(lines[0]) - len(head)
    end_col = len(lines[-1])
    if head.startswith(("```", "~~~")):
        return 1, 0, last - 1, len(lines[last - 1]) if last >= 1 else 0
    for opening, closing in (("$$", "$$"), ("\\[", "\\]")):
        if head.startswith(opening):
            start_col += len(opening)
            if tail.endswith(closing) and (last > 0 or len(head) >= 2 * len(opening)):
                end_col = len(tail) - len(closing)
            break
    return 0, start_col, last, end_col


def math_of(lines: list[str]) -> str:
    """The math of a block written on `lines`, without its delimiters."""
    c0_line, c0_col, c1_line, c1_col = _content_range(lines)
    if c1_line < c0_line:
        return ""
    parts = lines[c0_line : c1_line + 1]
    parts = [*parts[:-1], parts[-1][:c1_col]]
    parts[0] = parts[0][c0_col:] if c0_line != c1_line or c0_col <= c1_col else ""
    return "\n".join(parts)


@dataclass
class _Span:
    """A row of the math text: where it starts and ends, and where its
    justification starts (its `&&`), if it has one."""

    start: int
    end: int
    amps: int | None = None


def _spans(text: str) -> list[_Span]:
    """Split the math into rows, in one pass over the tokens that matter.

    A row ends at a `\\\\` outside braces and inner environments; it stops
    short of a closing `\\end{aligned}`; its `&&` counts only at the top."""
    spans = [_Span(0, len(text))]
    depth = 0
    for token in _TOKEN.finditer(text):
        kind = token.lastgroup
        if kind == "name":
            if token["name"].strip() in _TRANSPARENT:
                if token["env"] == "end" and depth == 0:
                    spans[-1].end = min(spans[-1].end, token.start())
            else:
                depth += 1 if token["env"] == "begin" else -1
        elif kind == "row" and depth == 0:
            spans[-1].end = min(spans[-1].end, token.start())
            spans.append(_Span(token.end(), len(text)))
        elif kind == "brace":
            depth += 1 if token["brace"] == "{" else -1
        elif kind == "amps" and depth == 0 and spans[-1].amps is None:
            spans[-1].amps = token.start()
    for span in spans:
        leading = _LEADING.match(text, span.start, span.end)
        span.start = leading.end() if leading else span.start
        while span.end > span.start and text[span.end - 1].isspace():
            span.end -= 1
    return spans


def block_rows(lines: list[str], first_line: int, keep_justifications: bool = False) -> BlockRows:
    """The rows of the block written on `lines` (the first at page line `first_line`).

    Unless `keep_justifications`, the returned lines have each row's
    justification taken out (and a line that held only one, removed)."""
    c0_line, c0_col, c1_line, _ = _content_range(lines)
    if c1_line < c0_line:
        return BlockRows([Row(first_line)], list(lines))
    text = math_of(lines)
    parts = text.split("\n")
    starts = [0]  # offset in `text` of each content line
    for part in parts[:-1]:
        starts.append(starts[-1] + len(part) + 1)
    spans = _spans(text)
    if len(spans) > 1 and spans[-1].start >= spans[-1].end:
        spans.pop()  # a `\\\\` before `\\end{aligned}` ends the table; it adds no row
    rows: list[Row] = []
    cuts: list[tuple[int, int]] = []
    for span in spans:
        cut = span.amps
        justification = text[cut + 2 : span.end].strip() if cut is not None else ""
        if cut is None:
            tail = _JUSTIFY_TAIL.search(text, span.start, span.end)
            if tail:
                cut, justification = tail.start(), tail.group().strip()
        if cut is not None:
            cuts.append((cut, span.end))
        line = bisect_right(starts, min(span.start, max(len(text) - 1, 0))) - 1
        rows.append(Row(first_line + c0_line + line, justification))
    if keep_justifications or not cuts:
        return BlockRows(rows, list(lines))
    return BlockRows(rows, _without(lines, c0_line, c0_col, text, starts, cuts))


def _without(
    lines: list[str], c0_line: int, c0_col: int, text: str, starts: list[int],
    cuts: list[tuple[int, int]],
) -> list[str]:  # fmt: skip
    """The block's lines with the `cuts` (ranges of `text`) taken out, line
    breaks kept; a line left empty goes, since it would end a `$$` block."""
    pieces: list[str] = []
    changed: set[int] = set()
    at = 0
    for a, b in cuts:
        pieces.append(text[at:a])
        pieces.append("\n" * text.count("\n", a, b))
        first, last = bisect_right(starts, a) - 1, bisect_right(starts, max(a, b - 1)) - 1
        changed.update(range(first, last + 1))
        at = b
    pieces.append(text[at:])
    shown = "".join(pieces).split("\n")
    written = text.split("\n")
    out = list(lines)
    for n in changed:
        original = lines[c0_line + n]
        before = original[:c0_col] if n == 0 else ""
        after = original[len(before) + len(written[n]) :]
        out[c0_line + n] = (before + shown[n]).rstrip() + (" " + after if after else "")
    return [line for n, line in enumerate(out) if n - c0_line not in changed or line.strip()]
