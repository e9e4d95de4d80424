"""Turn the checker's answers into what a reader sees on a page.

Each checked display block becomes a *chain*: the formula, and beside each of
its rows a small status marker and the row's justification (taken out of the
formula, so it wraps as text and is shown once). A marker opens the step's
details under the formula and highlights its row. Under the title come the
count of verified steps and the notation, collapsed, in plain words.

Pure functions from `PageReport` to text, with no MkDocs import, so that the
same rendering can move to another site generator and is tested on its own.
`page_markup` changes the page's Markdown only by a placeholder under the
title; the markup is kept aside and put in by `markup.put_markup` once the
page is HTML, each chain around the formula whose math is its block's. So
neither the Markdown converter nor the search indexer ever reads it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from verify.model import Block, Declaration, PageReport, Result, Status, named_problems
from verify.reporting.details import detail, esc, justification
from verify.reporting.header import insert_header, notation_table, unverified_note
from verify.reporting.markup import HEADER_PLACEHOLDER, Chain, Markup, escape_math, math_key
from verify.reporting.rows import BlockRows, block_rows, math_of

_ICONS = {
    Status.PROVED: "✓", Status.CHECKED: "✓", Status.SAMPLED: "≈", Status.SKIPPED: "–",
    Status.EXPECTED_FAILURE: "✗", Status.FAILED: "✗", Status.ERROR: "!",
}  # fmt: skip
# Statuses a reader must notice: their marker says its status in words.
_LOUD = {Status.SAMPLED, Status.SKIPPED, Status.EXPECTED_FAILURE, Status.FAILED, Status.ERROR}
_SEVERITY = [Status.ERROR, Status.FAILED, Status.SKIPPED, Status.EXPECTED_FAILURE,
             Status.SAMPLED, Status.CHECKED, Status.PROVED]  # fmt: skip
_FRONT_MATTER = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.DOTALL)

Named = tuple[str, Result]  # a result with its id on the page (`line-42`)


# ------------------------------------------------------------------ words


def status_label(result: Result) -> str:
    """The few words for a status, e.g. "checked at 6 instances"."""
    n = result.instances
    plural = "instance" if n == 1 else "instances"
    if result.status is Status.CHECKED:
        return f"checked at {n} {plural}" if n else "checked"
    if result.status is Status.SAMPLED:
        return f"sampled at {n} {plural}" if n else "sampled"
    if result.status is Status.SKIPPED:
        return f"skipped: {result.message}" if result.message else "skipped"
    if result.status is Status.EXPECTED_FAILURE:
        return "mistake caught"
    return result.status.value


def _mark_word(result: Result) -> str:
    """The word on a marker that speaks up; quiet markers show only their icon."""
    return {Status.SKIPPED: "skipped", Status.EXPECTED_FAILURE: "mistake caught"}.get(
        result.status, result.status.value
    )


def markdown_line_offset(source: str, markdown: str) -> int:
    """How many source lines precede the Markdown that MkDocs hands to plugins.

    MkDocs strips the front matter and the blank lines after it; when the text
    it passes on is the tail of the source file, the offset is exact.
    """
    if source.endswith(markdown):
        return source[: len(source) - len(markdown)].count("\n")
    match = _FRONT_MATTER.match(source)
    if not match:
        return 0
    rest = source[match.end() :]
    return match.group(0).count("\n") + (len(rest) - len(rest.lstrip("\n")))


# ------------------------------------------------------------------ markers


def _dom_id(result_id: str) -> str:
    return "verify-" + re.sub(r"[^A-Za-z0-9_-]", "-", result_id)


def marker(named: Named) -> str:
    """A row's status: a small button that opens the step's details."""
    result_id, result = named
    status = result.status
    label = status_label(result)
    word = f'<span class="verify-word">{esc(_mark_word(result))}</span>' if status in _LOUD else ""
    return (
        f'<button type="button" class="verify-mark verify-{status.value}"'
        f' aria-controls="{_dom_id(result_id)}" aria-expanded="false"'
        f' title="{esc(label)}: show how it was checked">'
        f'<span class="verify-icon" aria-hidden="true">{_ICONS[status]}</span>{word}'
        f'<span class="verify-sr">{esc(label)}</span></button>'
    )


def step_details(named: Named, declarations: Sequence[Declaration], row: int | None) -> str:
    """The panel a marker opens, under the formula: status, reason, how, why."""
    result_id, result = named
    status = result.status.value
    where = f' data-verify-row="{row}"' if row is not None else ""
    why = justification(result.justification) if result.justification else ""
    summary = (
        f'<span class="verify-icon" aria-hidden="true">{_ICONS[result.status]}</span> '
        f'<span class="verify-label">{esc(status_label(result))}</span>'
        + (f' <span class="verify-why">{why}</span>' if why else "")
    )
    return (
        f'<details class="verify-step verify-{status}" id="{_dom_id(result_id)}"'
        f' data-verify-status="{status}"{where}>'
        f"<summary>{summary}</summary>{detail(result, declarations)}</details>"
    )


def _worst(results: Sequence[Result]) -> Status:
    return min((r.status for r in results), key=_SEVERITY.index, default=Status.PROVED)


def chain(rows: BlockRows, declarations: Sequence[Declaration]) -> tuple[str, str]:
    """The HTML that goes before and after a block's formula: a gutter with a
    cell per row (its markers and its justification), a scroll cue, and the
    details panels."""
    cells: list[str] = []
    reasons: list[str] = []
    panels: list[str] = []
    for k, row in enumerate(rows.rows):
        if not row.results and not row.justification:
            continue
        marks = "".join(marker(named) for named in row.results)
        why = justification(row.justification) if row.justification else ""
        why_html = f'<span class="verify-why">{why}</span>' if why else ""
        cells.append(
            f'<div class="verify-cell" data-verify-row="{k}">'
            f'<span class="verify-rowno" aria-hidden="true">{k + 1}</span>{marks}{why_html}</div>'
        )
        if why:
            reasons.append(
                f'<li data-verify-row="{k}"><span class="verify-rowno">{k + 1}</span>'
                f'<span class="verify-reason">{why}</span></li>'
            )
        panels.extend(step_details(named, declarations, k) for named in row.results)
    results = [r for row in rows.rows for _, r in row.results]
    state = _worst(results).value
    opening = (
        f'<div class="verify-chain verify-{state}" data-verify-rows="{len(rows.rows)}">'
        '<div class="verify-line"><div class="verify-math">'
    )
    reasons_html = f'<ol class="verify-reasons">{"".join(reasons)}</ol>' if reasons else ""
    closing = (
        '</div><div class="verify-gutter" role="group" aria-label="The status of each row">'
        f"{''.join(cells)}</div></div>"
        '<p class="verify-cue" aria-hidden="true">wider than the page: scroll sideways ⟷</p>'
        f'{reasons_html}<div class="verify-notes">{"".join(panels)}</div></div>'
    )
    return opening, closing


# ---------------------------------------------------------------- the page


def _named_results(report: PageReport) -> list[Named]:
    return [*named_problems(report.problems), *report.verdicts.items()]


def _block_of(result: Result, blocks: Sequence[Block]) -> Block | None:
    return next((b for b in blocks if b.start <= result.line <= b.end), None)


def _prefix(line: str) -> str:
    """The indentation or blockquote marks that keep a line inside its container."""
    match = re.match(r"[ \t>]*", line)
    return match.group(0) if match else ""


def _inner_lines(lines: list[str]) -> list[str]:
    """The block's lines without the prefix that nests it in a container."""
    prefix = _prefix(lines[0])
    return [
        line[len(prefix) :] if line.startswith(prefix) else line.lstrip(" \t>") for line in lines
    ]


def _occurrences(
    lines: list[str], blocks: Sequence[Block], line_offset: int
) -> dict[int, tuple[str, int]]:
    """Each block's math key, and how many blocks before it have the same one
    (by first line; blocks outside `lines` are left out)."""
    seen: dict[str, int] = {}
    found: dict[int, tuple[str, int]] = {}
    for block in sorted(blocks, key=lambda b: b.start):
        first, last = block.start - line_offset, block.end - line_offset
        if 1 <= first <= last <= len(lines):
            key = math_key(escape_math(math_of(_inner_lines(lines[first - 1 : last]))))
            seen[key] = seen.get(key, -1) + 1
            found[block.start] = (key, seen[key])
    return found


def page_markup(markdown_source: str, report: PageReport, line_offset: int) -> tuple[str, Markup]:
    """The page's Markdown with the header's placeholder under its title, and
    the markup that `put_markup` puts into its HTML.

    Each display block with results becomes a chain, found again in the HTML
    by its math; results in no block (a page-level problem) are listed under
    the title, after the count and notation of a derivation page (or the note
    that says why a page with math is not checked). `line_offset` is the
    number of source lines before `markdown_source`.
    """
    lines = markdown_source.split("\n")
    declarations = report.page.declarations
    per_block: dict[int, list[Named]] = {}
    markup = Markup()
    for named in _named_results(report):
        block = _block_of(named[1], report.page.blocks)
        if block is None:
            markup.loose.append((named[1].line, step_details(named, declarations, None)))
        else:
            per_block.setdefault(block.start, []).append(named)
    blocks = {b.start: b for b in report.page.blocks}
    occurrences = _occurrences(lines, report.page.blocks, line_offset)
    for start in sorted(per_block):
        block = blocks[start]
        first, last = block.start - line_offset, block.end - line_offset  # 1-based
        if start not in occurrences:
            markup.loose.extend(
                (r.line, step_details((i, r), declarations, None)) for i, r in per_block[start]
            )
            continue
        inner = _inner_lines(lines[first - 1 : last])
        rows = block_rows(inner, block.start)
        rows.place(per_block[start])
        opening, closing = chain(rows, declarations)
        key, occurrence = occurrences[start]
        markup.chains.append(Chain(start, key, occurrence, math_of(rows.lines), opening, closing))
    markup.loose.sort(key=lambda item: item[0])
    if report.page.is_derivation:
        markup.header = notation_table(report)
    elif report.page.unverified and report.page.blocks:
        markup.header = unverified_note(report.page.unverified)
    if not markup:
        return markdown_source, markup
    return insert_header(markdown_source, HEADER_PLACEHOLDER), markup
