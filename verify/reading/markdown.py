"""Markdown -> a page's display-math blocks, chains and pairs, with exact lines.

markdown-it (with its dollar-math and amsmath plugins) finds the blocks, so
math inside code, inline code or HTML comments is never taken for a step. Each
block's characters keep their (line, column) in the file, so a LaTeX error
deep inside an `aligned` block still points at its place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt
from mdit_py_plugins.amsmath import amsmath_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from verify.errors import ExtractError, LatexError, NotationError, too_deep
from verify.latex.parser import parse_latex
from verify.model import (
    Block,
    Definition,
    Directive,
    Hypothesis,
    Page,
    Pair,
    Relation,
    Result,
    Span,
    Status,
)
from verify.reading.declarations import read_notation
from verify.reading.directives import GIVEN_RELATION, directive_above, merge, parse_directive
from verify.reading.frontmatter import FrontMatter, read_front_matter
from verify.reading.layout import (
    CONDITION_TAIL,
    RELATIONS,
    depth_map,
    equation_breaks,
    is_definition_label,
    top_level_relations,
    wrapper_spans,
)

ENVIRONMENTS = ("aligned", "align", "align*", "split", "gathered", "gather", "gather*",
                "equation", "equation*", "alignat", "alignat*", "alignedat", "flalign*",
                "eqnarray", "eqnarray*", "multline", "multline*", "flalign")  # fmt: skip
# Environments whose `\\` breaks one long equation, not a chain into rows.
ONE_EQUATION = ("multline", "multline*")
_ROW_COMMENT = re.compile(r"(?<!\\)%(.*)$")
_COMMENT = re.compile(r"(?<!\\)%[^\n]*")
_ROW_BREAK = re.compile(r"\\\\(?:\s*\[[^\]]*\])?")
_ARRAY = re.compile(r"\\begin\s*\{array\}\s*(?:\[[a-z]\])?\s*\{[^{}]*\}|\\end\s*\{array\}")
_JUSTIFY_TAIL = re.compile(r"\\q?quad\s*(?:\(\s*)?\\(?:text|textrm|mbox|textit)\s*\{.*$", re.S)
_TAG = re.compile(r"\\(tag\*?|label)\s*\{([^{}]*)\}|\\(?:nonumber|notag)(?![A-Za-z])")


# ------------------------------------------------------------------ positioned text


@dataclass
class Text:
    """A block's characters and, for each, its (line, column) in the file."""

    chars: list[str]
    where: list[tuple[int, int]]

    _joined: str | None = None

    @property
    def string(self) -> str:
        if self._joined is None:
            self._joined = "".join(self.chars)
        return self._joined

    def blank(self, start: int, end: int) -> None:
        for k in range(start, end):
            if self.chars[k] != "\n":
                self.chars[k] = " "
        self._joined = None

    def span(self, ranges: list[tuple[int, int]]) -> Span:
        pieces: list[str] = []
        starts: list[tuple[int, int]] = []
        for a, b in ranges:
            line_start = a
            for k in range(a, b + 1):
                if k == b or self.chars[k] == "\n":
                    if line_start < len(self.where):
                        starts.append(self.where[line_start])
                    else:
                        starts.append(self.where[-1])
                    pieces.append("".join(self.chars[line_start:k]))
                    line_start = k + 1
        return Span("\n".join(pieces), tuple(starts))


@dataclass
class Row:
    start: int
    end: int
    justification: str = ""
    directive: Directive = field(default_factory=Directive)
    tag: str | None = None


@dataclass
class Item:
    """One side in a chain: the ranges of text it covers (several if continued)."""

    ranges: list[tuple[int, int]]


def _strip_environment(text: Text) -> None:
    """Blank the environments that lay out rows; join the lines of a `multline`;
    an `array` that holds the whole block lays out rows too (elsewhere, a matrix)."""
    s = text.string
    for env in ENVIRONMENTS:
        pattern = r"\\(begin|end)\s*\{" + re.escape(env) + r"\}(\{\d+\})?"
        found = list(re.finditer(pattern, s))
        for m in found:
            text.blank(m.start(), m.end())
        if env in ONE_EQUATION:
            for begin, end in zip(found[::2], found[1::2], strict=False):
                depth = depth_map(s[begin.end() : end.start()])
                for b in _ROW_BREAK.finditer(s, begin.end(), end.start()):
                    if depth[b.start() - begin.end()] == 0:
                        text.blank(b.start(), b.end())
    s = text.string
    arrays = list(_ARRAY.finditer(s))
    if len(arrays) == 2 and not s[: arrays[0].start()].strip() and not s[arrays[1].end() :].strip():
        for m in arrays:
            text.blank(m.start(), m.end())


def _unwrap(text: Text) -> None:
    """Blank decorations around relations (`\\boxed{…}`, `\\color{c}{…}`, plain braces)."""
    for start, end in wrapper_spans(text.string):
        text.blank(start, end)


def _rows(text: Text) -> list[Row]:
    s = text.string
    depth = depth_map(s)
    rows, start, i = [], 0, 0
    while i < len(s):
        if s.startswith("\\\\", i) and depth[i] == 0:
            rows.append(Row(start, i))
            spacing = re.match(r"\\\\\s*\[[^\]]*\]", s[i:])  # `\\[4pt]`
            end = i + (spacing.end() if spacing else 2)
            text.blank(i, end)
            start = end
            i = end
            continue
        i += 1
    rows.append(Row(start, len(s)))
    return _split_equations(text, rows)


def _split_equations(text: Text, rows: list[Row]) -> list[Row]:
    """A row with a second equation (after `\\quad\\text{and}\\quad` or `,\\quad`)
    becomes two rows, each its own chain. Comments and a `&&` justification are
    not searched: what they hold is no equation of the row."""
    plain = _COMMENT.sub(lambda m: " " * len(m.group()), text.string)
    out: list[Row] = []
    for row in rows:
        start = row.start
        depth = depth_map(plain[row.start : row.end])
        end = next((row.start + k for k in range(len(depth) - 1)
                    if depth[k] == 0 and plain.startswith("&&", row.start + k)), row.end)  # fmt: skip
        for a, b in equation_breaks(plain, row.start, end):
            out.append(Row(start, a))
            text.blank(a, b)
            start = b
        out.append(Row(start, row.end))
    return out


def _clean_row(text: Text, row: Row) -> None:
    """Take the justification, directive and tag out of a row (blanking them).

    Works on the row's own text, so a block of many rows stays linear."""

    def segment() -> str:
        return "".join(text.chars[row.start : row.end])

    # LaTeX comments, line by line: a `% verify:` one is a directive.
    offset = row.start
    for line in segment().split("\n"):
        m = _ROW_COMMENT.search(line)
        if m:
            body = m.group(1).strip()
            body = re.sub(r"^verify:\s*", "", body)
            if re.match(r"(skip|expect-fail|wrt|where|given)\b", body):
                line_no, col = text.where[offset + m.start()]
                col += line.index(body, m.start()) - m.start()
                row.directive = merge(row.directive, parse_directive(body, line_no, col))
            text.blank(offset + m.start(), offset + len(line))
        offset += len(line) + 1
    for m in _TAG.finditer(segment()):
        if m.group(1):
            row.tag = m.group(2).strip()
        text.blank(row.start + m.start(), row.start + m.end())
    condition = CONDITION_TAIL.search(segment())
    if condition:  # `\quad (j \ne l)`: a side condition on the row's indices
        row.directive = merge(
            row.directive, Directive(distinct=((condition.group(1), condition.group(2)),))
        )
        row.justification = condition.group().strip().lstrip(",;").strip()
        text.blank(row.start + condition.start(), row.end)
    seg = segment()
    depth = depth_map(seg)
    amp = next((k for k in range(len(seg) - 1) if seg.startswith("&&", k) and depth[k] == 0), None)
    if amp is not None:
        row.justification = seg[amp + 2 :].strip()
        text.blank(row.start + amp, row.end)
    else:
        tail = _JUSTIFY_TAIL.search(seg)
        if tail:
            row.justification = tail.group().strip()
            text.blank(row.start + tail.start(), row.end)
    seg = segment()
    depth = depth_map(seg)
    for k, ch in enumerate(seg):
        if ch == "&" and depth[k] == 0 and (k == 0 or seg[k - 1] != "\\"):
            text.blank(row.start + k, row.start + k + 1)
    # Trailing sentence punctuation after the last side.
    stripped = segment().rstrip()
    if stripped.endswith((".", ",")) and not stripped.endswith("\\,"):
        k = row.start + len(stripped) - 1
        text.blank(k, k + 1)


def _relations(s: str, start: int, end: int) -> list[tuple[int, int, Relation]]:
    found = []
    for m in top_level_relations(s, start, end):
        token = m.group()
        kind = next(k for p, k in RELATIONS if re.fullmatch(p, token))
        if kind == Relation.EQUAL and is_definition_label(token):
            kind = Relation.DEFINE  # only \overset{\text{def}}{=} defines; other labels justify
        # `:=` is matched as a whole before `=`; `\le` not inside `\left`.
        found.append((m.start(), m.end(), kind))
    return found


@dataclass
class ChainLink:
    relation: Relation
    relation_range: tuple[int, int]
    item: Item
    row: Row


@dataclass
class Chain:
    first: Item
    links: list[ChainLink] = field(default_factory=list)


def _trim(s: str, a: int, b: int) -> tuple[int, int]:
    while a < b and s[a].isspace():
        a += 1
    while b > a and s[b - 1].isspace():
        b -= 1
    return a, b


def _chains(text: Text, rows: list[Row], line_of: Any) -> list[Chain]:
    s = text.string
    chains: list[Chain] = []
    for row in rows:
        rels = _relations(s, row.start, row.end)
        a, b = _trim(s, row.start, row.end)
        if a == b:
            continue
        if not rels:
            # A row without a relation continues the previous side.
            if chains:
                last = chains[-1].links[-1].item if chains[-1].links else chains[-1].first
                last.ranges.append((a, b))
            else:
                chains.append(Chain(Item([(a, b)])))
            continue
        lead_a, lead_b = _trim(s, row.start, rels[0][0])
        if lead_a == lead_b and chains:
            chain = chains[-1]
        else:
            if lead_a == lead_b:
                raise ExtractError("a relation with nothing on its left", line_of(rels[0][0]))
            chain = Chain(Item([(lead_a, lead_b)]))
            chains.append(chain)
        for n, (ra, rb, kind) in enumerate(rels):
            nxt = rels[n + 1][0] if n + 1 < len(rels) else row.end
            ia, ib = _trim(s, rb, nxt)
            chain.links.append(ChainLink(kind, (ra, rb), Item([(ia, ib)] if ia < ib else []), row))
    return chains


def _pairs_from_chain(
    text: Text, chain: Chain, file: str, block: Block, counter: list[int], line_of: Any
) -> None:
    """Turn a chain into pairs (and definitions); implications take the premise."""
    items = [chain.first] + [link.item for link in chain.links]
    for n, link in enumerate(chain.links):
        left, right = items[n], items[n + 1]
        if not right.ranges:
            raise ExtractError(
                f"nothing on the right of '{link.relation}'", line_of(link.relation_range[0])
            )
        rhs = text.span(right.ranges)
        counter[0] += 1
        if link.relation == Relation.DEFINE:
            block.definitions.append(
                Definition(
                    file,
                    line_of(right.ranges[0][0]),
                    text.span(left.ranges),
                    rhs,
                    index=counter[0],
                    conditions=merge(block.directive, link.row.directive).conditions,
                )
            )
            continue
        following = chain.links[n + 1] if n + 1 < len(chain.links) else None
        if following is not None and following.relation.is_implication:
            continue  # this relation is the premise of the implication that follows
        lhs_ranges = left.ranges
        relation = link.relation
        if relation.is_implication:
            previous = chain.links[n - 1] if n >= 1 else None
            if previous is None or previous.relation != Relation.EQUAL:
                raise ExtractError(
                    "an implication needs an equation on each side (premise ⟹ v = expr)",
                    line_of(link.relation_range[0]),
                )
            lhs_ranges = items[n - 1].ranges + [previous.relation_range] + left.ranges
            after = chain.links[n + 1] if n + 1 < len(chain.links) else None
            if after is None or after.relation != Relation.EQUAL:
                raise ExtractError(
                    "an implication must conclude an equation such as v = expr",
                    line_of(link.relation_range[0]),
                )
            rhs = text.span(right.ranges + [after.relation_range] + after.item.ranges)
        elif n >= 1 and chain.links[n - 1].relation.is_implication:
            continue  # the conclusion's own `=` was consumed by the implication
        first_rhs = right.ranges[0][0]
        row = link.row
        block.pairs.append(
            Pair(
                file=file,
                line=line_of(first_rhs),
                relation=relation,
                lhs=text.span(lhs_ranges),
                rhs=rhs,
                justification=row.justification,
                directive=merge(block.directive, row.directive),
                tag=row.tag,
                block_start=block.start,
                block_end=block.end,
                index=counter[0],
            )  # fmt: skip
        )


def split_block(
    file: str, lines: list[str], start: int, end: int, open_delim: str, close_delim: str,
    directive: Directive, counter: list[int],
) -> tuple[Block, list[Span]]:  # fmt: skip
    """One display block (1-based lines `start`..`end`, delimiters included), and the
    LaTeX in it that is no side of a relation (to be parsed all the same)."""
    chars: list[str] = []
    where: list[tuple[int, int]] = []
    for n in range(start, end + 1):
        line = lines[n - 1]
        for col, ch in enumerate(line, start=1):
            chars.append(ch)
            where.append((n, col))
        chars.append("\n")
        where.append((n, len(line) + 1))
    text = Text(chars, where)
    s = text.string
    first = s.find(open_delim)
    if open_delim.startswith(("`", "~")):
        first_line_end = s.find("\n")
        text.blank(0, first_line_end)  # the fence and its info string
        if s.rstrip().endswith(close_delim):
            text.blank(s.rfind("\n", 0, len(s.rstrip())) + 1, len(s))
    elif first >= 0:
        text.blank(first, first + len(open_delim))
    s = text.string
    last = s.rfind(close_delim)
    if last >= 0 and close_delim and not open_delim.startswith(("`", "~")):
        text.blank(last, last + len(close_delim))
    _strip_environment(text)
    _unwrap(text)
    block = Block(start=start, end=end, text=text.string, directive=directive)

    def line_of(offset: int) -> int:
        return text.where[min(offset, len(text.where) - 1)][0]

    rows = _rows(text)
    for row in rows:
        _clean_row(text, row)
    lone: list[Span] = []
    for chain in _chains(text, rows, line_of):
        _pairs_from_chain(text, chain, file, block, counter, line_of)
        if not chain.links:
            lone.append(text.span(chain.first.ranges))
    return block, lone


def _unreadable(file: str, spans: list[Span]) -> list[Result]:
    """A display formula with no relation is still read: one that does not parse is an
    error at its place, never dropped in silence."""
    found = []
    for span in spans:
        try:
            parse_latex(span.text)
        except LatexError as err:
            line, column = span.position(err.offset)
            found.append(Result(file=file, line=line, column=column, relation="", lhs="",
                                rhs="", status=Status.ERROR, method="extract",
                                message=f"LaTeX: {err.message}"))  # fmt: skip
        except RecursionError:
            found.append(_error(file, span.position(0)[0], f"LaTeX: {too_deep(span.text)}"))
    return found


# --------------------------------------------------------------------------- pages


_MD = (
    MarkdownIt("commonmark")
    .use(front_matter_plugin)
    .use(dollarmath_plugin, allow_space=True, double_inline=True, allow_digits=True)
    .use(amsmath_plugin)
)


def _error(file: str, line: int, message: str) -> Result:
    return Result(file=file, line=line, relation="", lhs="", rhs="", status=Status.ERROR,
                  method="extract", message=message)  # fmt: skip


_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+\1")
_CONTAINER = re.compile(r"^(\s*)(?:!!!|\?\?\?\+?|===)\s")


def markdown_view(lines: list[str]) -> str:
    """The page as markdown-it should see it: admonition, details and tab bodies
    (indented under `!!!`, `???`, `===`) dedented, so math inside them is found.

    Only line ranges are taken from this view; text and columns come from the
    original lines.
    """
    view = list(lines)
    for n in range(len(view)):
        m = _CONTAINER.match(view[n])
        if not m:
            continue
        indent = len(m.group(1)) + 4
        view[n] = ""
        for k in range(n + 1, len(view)):
            line = view[k]
            if not line.strip():
                continue
            if len(line) - len(line.lstrip(" ")) < indent:
                break
            view[k] = line[: indent - 4] + line[indent:]
    return "\n".join(view)


def _display_blocks(source: str, lines: list[str]) -> list[tuple[int, int, str, str]]:
    """(start, end, opening, closing) for each display block, 1-based lines."""
    found = []
    for tok in _MD.parse(markdown_view(lines)):
        if tok.map is None:
            continue
        start, end = tok.map[0] + 1, tok.map[1]
        if tok.type == "math_block" or tok.type == "math_block_label":
            found.append((start, end, "$$", "$$"))
        elif tok.type == "amsmath":
            found.append((start, end, "", ""))
        elif tok.type == "fence" and tok.info.strip().split(" ")[0] == "math":
            fence = lines[start - 1].strip()[:3]
            closed = end > start and lines[end - 1].strip().startswith(fence)
            found.append((start, end, fence, fence if closed else ""))
        elif tok.type == "paragraph_open" and lines[start - 1].strip().startswith("\\["):
            found.append((start, end, "\\[", "\\]"))
    return found


def _unseen_display(lines: list[str], blocks: list[tuple[int, int, str, str]]) -> list[int]:
    """Lines that would render as display math but that no block covers: `$$`
    inside a paragraph or inside raw HTML. They must not reach readers unchecked."""
    covered: set[int] = set()
    for start, end, _, _ in blocks:
        covered.update(range(start, end + 1))
    out = []
    for tok in _MD.parse(markdown_view(lines)):
        if tok.map is None:
            continue
        start, end = tok.map[0] + 1, tok.map[1]
        if tok.type in ("fence", "code_block") or (
            tok.type == "html_block" and tok.content.lstrip().startswith("<!--")
        ):
            covered.update(range(start, end + 1))
        if tok.type == "inline" and tok.children:
            if any(c.type == "math_inline_double" for c in tok.children):
                out.append(start)
                covered.update(range(start, end + 1))
    for n, line in enumerate(lines, start=1):
        if n not in covered and "$$" in _INLINE_CODE.sub("", line) and n not in out:
            out.append(n)
    return sorted(out)


def extract_page(file: str, source: str) -> Page:
    """Split a page into blocks and pairs; problems become `error` results."""
    source = source.replace("\r\n", "\n")
    lines = source.split("\n")
    front = read_front_matter(source)
    data, fm_lines, key_lines = front.data, front.lines, front.key_lines
    problems: list[Result] = []
    if front.error:
        problems.append(_error(file, front.error_line, front.error))
    for key, line in front.duplicates:
        problems.append(_error(file, line, f"'{key}' appears twice in the front matter: YAML"
                               " keeps only the last one; merge the two entries"))  # fmt: skip
    declarations = []
    notation_error = None
    broken: dict[str, str] = {}
    if "symbols" in data:
        try:
            notation = read_notation(
                data["symbols"], key_lines, key_lines.get("@symbols", 1), front.meanings
            )
            declarations, broken = notation.declarations, notation.broken
            problems.extend(_error(file, err.line, err.message) for err in notation.problems)
        except NotationError as err:
            problems.append(_error(file, err.line, err.message))
            notation_error = err.line
    page = Page(file=file, front_matter=data, front_matter_lines=fm_lines, blocks=[],
                declarations=declarations, problems=problems,
                notation_error=notation_error, broken=broken)  # fmt: skip
    page.given = _front_matter_given(file, front, problems)
    unverified = data.get("unverified")
    page.unverified = str(unverified) if unverified else None
    page.wrt = str(data["wrt"]) if data.get("wrt") is not None else None
    counter = [0]
    blocks = _display_blocks(source, lines)
    for start, end, opening, closing in blocks:
        try:
            directive = directive_above(lines, start)
            block, lone = split_block(file, lines, start, end, opening, closing, directive,
                                      counter)  # fmt: skip
        except ExtractError as err:
            problems.append(_error(file, err.line, err.message))
            continue
        page.blocks.append(block)
        if page.is_derivation and not directive.skip:
            problems.extend(_unreadable(file, lone))
    has_relations = any(b.pairs or b.definitions for b in page.blocks)
    if page.is_derivation or has_relations:
        for line in _unseen_display(lines, blocks):
            if line <= fm_lines:
                continue
            problems.append(_error(file, line, "display math the checker cannot see (inside a"
                                   " paragraph or raw HTML): put each '$$' on a line of its"
                                   " own, outside HTML, so it is checked"))  # fmt: skip
    if not page.is_derivation:
        if has_relations and not page.unverified:
            first = next(b for b in page.blocks if b.pairs or b.definitions)
            problems.append(_error(
                file, first.start,
                "display math with relations, but no 'symbols:' in the front matter: declare"
                " the notation, or say why the page is not checked with 'unverified: \"why\"'",
            ))  # fmt: skip
        for block in page.blocks:
            block.pairs = []
            block.definitions = []
    _name_pairs(page.pairs)
    return page


def _front_matter_given(file: str, front: FrontMatter, problems: list[Result]) -> list[Hypothesis]:
    """The `given:` list of the front matter: equations assumed by every step."""
    given = front.data.get("given")
    if given is None:
        return []
    line = front.key_lines.get("@given", 1)
    items = given if isinstance(given, list) else [given]
    found = []
    for n, item in enumerate(items):
        where = front.key_lines.get(f"@given.{n}", line)
        if not isinstance(item, str) or not GIVEN_RELATION.search(item):
            problems.append(_error(file, where, "given: each item is an equation, as in"
                                   " '- P = (X^TX)^{-1}', or an inequality"))  # fmt: skip
            continue
        found.append(Hypothesis(item.strip(), where, front.key_columns.get(f"@given.{n}", 1)))
    return found


def _name_pairs(pairs: list[Pair]) -> None:
    """Each pair's id: `line-N`, then `line-N.2`, … for later pairs on line N."""
    seen: dict[int, int] = {}
    for pair in pairs:
        seen[pair.line] = seen.get(pair.line, 0) + 1
        count = seen[pair.line]
        pair.id = f"line-{pair.line}" + (f".{count}" if count > 1 else "")
