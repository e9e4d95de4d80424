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
from dataclasses import dataclass, field

from verify.model import Result

# Environments whose rows are the block's rows (as in `verify.reading.markdown`).
_TRANSPARENT = {"aligned", "align", "align*", "split", "gathered", "gather", "gather*",
                "equation", "equation*", "alignat", "alignat*", "alignedat", "flalign*"}  # fmt: skip
_ENV = re.compile(r"\\(begin|end)\s*\{([^{}]*)\}(\{\d+\})?")
_JUSTIFY_TAIL = re.compile(r"\\q?quad\s*(?:\(\s*)?\\(?:text|textrm|mbox|textit)\s*\{.*$", re.S)
_SPACING = re.compile(r"\\\\\s*(?:\[[^\]]*\])?")


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
    first, last = 0, len(lines) - 1
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
    return first, start_col, last, end_col


def _scan(text: str) -> tuple[list[int], list[tuple[int, int]]]:
    """The offsets where rows start, and the (start, end) of each row separator."""
    depth, i = 0, 0
    starts, separators = [0], []
    while i < len(text):
        env = _ENV.match(text, i) if text[i] == "\\" else None
        if env:
            if env.group(2).strip() not in _TRANSPARENT:
                depth += 1 if env.group(1) == "begin" else -1
            i = env.end()
            continue
        if text.startswith("\\\\", i) and depth == 0:
            sep = _SPACING.match(text, i)
            end = sep.end() if sep else i + 2
            separators.append((i, end))
            starts.append(end)
            i = end
            continue
        if text[i] == "\\":
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        i += 1
    return starts, separators


def _inside_environment(text: str, start: int, end: int) -> tuple[int, int]:
    """A row's range without the alignment environment's `\\begin`/`\\end`
    before or after it, and without surrounding white space."""
    while True:
        while start < end and text[start].isspace():
            start += 1
        env = _ENV.match(text, start, end)
        if not (env and env.group(1) == "begin" and env.group(2).strip() in _TRANSPARENT):
            break
        start = env.end()
    for env in _ENV.finditer(text, start, end):
        if env.group(1) == "end" and env.group(2).strip() in _TRANSPARENT:
            end = env.start()
            break
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _justification(row: str) -> tuple[int, str] | None:
    """Where a row's justification starts, and its LaTeX."""
    depth, i = 0, 0
    while i < len(row) - 1:
        ch = row[i]
        if ch == "\\":
            env = _ENV.match(row, i)
            if env and env.group(2).strip() not in _TRANSPARENT:
                depth += 1 if env.group(1) == "begin" else -1
            i = env.end() if env else i + 2
            continue
        if row.startswith("&&", i) and depth == 0:
            return i, row[i + 2 :].strip()
        depth += {"{": 1, "}": -1}.get(ch, 0)
        i += 1
    tail = _JUSTIFY_TAIL.search(row)
    if tail:
        return tail.start(), tail.group().strip()
    return None


def block_rows(lines: list[str], first_line: int, keep_justifications: bool = False) -> BlockRows:
    """The rows of the block written on `lines` (the first at page line `first_line`).

    Unless `keep_justifications`, the returned lines have each row's
    justification taken out (and a line that held only one, removed)."""
    c0_line, c0_col, c1_line, c1_col = _content_range(lines)
    if c1_line < c0_line:
        return BlockRows([Row(first_line)], list(lines))
    # The math as one string, and each character's (line, column) in `lines`.
    where: list[tuple[int, int]] = []
    chars: list[str] = []
    for n in range(c0_line, c1_line + 1):
        a = c0_col if n == c0_line else 0
        b = c1_col if n == c1_line else len(lines[n])
        for col in range(a, b):
            chars.append(lines[n][col])
            where.append((n, col))
        if n < c1_line:
            chars.append("\n")
            where.append((n, b))
    text = "".join(chars)
    starts, separators = _scan(text)
    ends = [a for a, _ in separators] + [len(text)]
    blank = [False] * len(text)
    rows: list[Row] = []
    for n, (start, end) in enumerate(zip(starts, ends, strict=True)):
        start, end = _inside_environment(text, start, end)
        if start >= end and n == len(starts) - 1 and n > 0:
            break  # a `\\` before `\end{aligned}` ends the table; it adds no row
        found = _justification(text[start:end])
        if found is not None and not keep_justifications:
            for k in range(start + found[0], end):
                blank[k] = text[k] != "\n"
        at = min(start, len(text) - 1)
        line = first_line + (where[at][0] if where else 0)
        rows.append(Row(line, found[1] if found else ""))
    out = [list(line) for line in lines]
    changed: set[int] = set()
    for k, gone in enumerate(blank):
        if gone:
            n, col = where[k]
            out[n][col] = ""
            changed.add(n)
    # A line left empty would end a `$$` block for Markdown: it goes.
    shown = [line if n not in changed else "".join(out[n]).rstrip() for n, line in enumerate(lines)]
    shown = [line for n, line in enumerate(shown) if n not in changed or line.strip()]
    return BlockRows(rows, shown)
