"""Turn the checker's answers into what a reader sees on a page.

Each checked display block becomes a *chain*: the formula, and beside each of
its rows a small status marker and the row's justification (taken out of the
formula, so it wraps as text and is shown once). A marker opens the step's
details under the formula and highlights its row. Under the title come the
count of verified steps and the notation, collapsed, in plain words.

Pure functions from `PageReport` to text, with no MkDocs import, so that the
same rendering can move to another site generator and is tested on its own.
`annotate_markdown` changes only the page's display blocks (their
justifications) and leaves HTML-comment placeholders; the markup itself is
kept aside and put in by `fill_placeholders` once the page is HTML. So neither
the Markdown converter nor the search indexer ever reads it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from verify.model import Block, Declaration, PageReport, Result, Status, named_problems
from verify.reporting.details import detail, esc, justification
from verify.reporting.header import insert_header, notation_table, unverified_note
from verify.reporting.rows import BlockRows, block_rows

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


def problems_box(problems: Sequence[Named], declarations: Sequence[Declaration]) -> str:
    """Results that belong to no formula (a page-level problem), listed at the top."""
    panels = "".join(step_details(named, declarations, None) for named in problems)
    return (
        '<div class="verify-problems-box" role="group" aria-label="Problems on this page">'
        f'<p class="verify-count">Problems on this page</p>{panels}</div>'
    )


# ---------------------------------------------------------------- the page


def _named_results(report: PageReport) -> list[Named]:
    return [*named_problems(report.problems), *report.verdicts.items()]


def _block_of(result: Result, blocks: Sequence[Block]) -> Block | None:
    return next((b for b in blocks if b.start <= result.line <= b.end), None)


def _prefix(line: str) -> str:
    """The indentation or blockquote marks that keep a line inside its container."""
    match = re.match(r"[ \t>]*", line)
    return match.group(0) if match else ""


def _block_rows(lines: list[str], first_line: int) -> tuple[BlockRows, str]:
    """The block's rows, read without the prefix that nests it in a container."""
    prefix = _prefix(lines[0])
    inner = [
        line[len(prefix) :] if line.startswith(prefix) else line.lstrip(" \t>") for line in lines
    ]
    rows = block_rows(inner, first_line)
    rows.lines = [(prefix + line) if line else prefix.rstrip() for line in rows.lines]
    return rows, prefix


def annotate_markdown(
    markdown_source: str,
    report: PageReport,
    line_offset: int,
    deferred: dict[str, str],
) -> str:
    """Mark up each checked block, and the page header, as placeholders.

    Each display block with results gets its justifications taken out of the
    math and a placeholder comment before and after it; `deferred` receives
    the HTML for each placeholder, for `fill_placeholders` to put in once the
    page is HTML. Results in no block (a page-level problem) are listed after
    the title. `line_offset` is the number of source lines before
    `markdown_source`.
    """
    lines = markdown_source.split("\n")
    declarations = report.page.declarations
    per_block: dict[int, list[Named]] = {}
    loose: list[Named] = []
    blocks = {b.start: b for b in report.page.blocks}
    for named in _named_results(report):
        block = _block_of(named[1], report.page.blocks)
        if block is None:
            loose.append(named)
        else:
            per_block.setdefault(block.start, []).append(named)
    for start in sorted(per_block, reverse=True):
        block = blocks[start]
        first, last = block.start - line_offset, block.end - line_offset  # 1-based
        if not (1 <= first <= last <= len(lines)):
            loose.extend(per_block[start])
            continue
        rows, prefix = _block_rows(lines[first - 1 : last], block.start)
        rows.place(per_block[start])
        opening, closing = chain(rows, declarations)
        names = (f"<!--verify-open-{len(deferred)}-->", f"<!--verify-close-{len(deferred)}-->")
        deferred[names[0]], deferred[names[1]] = opening, closing
        blank = prefix.rstrip()
        lines[first - 1 : last] = [
            prefix + names[0], blank, *rows.lines, blank, prefix + names[1],
        ]  # fmt: skip
        if first > 1 and lines[first - 2].strip():
            lines.insert(first - 1, blank)
    annotated = "\n".join(lines)
    if loose:
        loose.sort(key=lambda named: named[1].line)
        name = f"<!--verify-problems-{len(deferred)}-->"
        deferred[name] = problems_box(loose, declarations)
        annotated = insert_header(annotated, name)
    return annotated


def annotate_page(
    markdown_source: str, report: PageReport, line_offset: int, deferred: dict[str, str]
) -> str:
    """`annotate_markdown`, then the header under the title: the count and the
    notation of a derivation page, or why a page with math is not checked."""
    annotated = annotate_markdown(markdown_source, report, line_offset, deferred)
    header = None
    if report.page.is_derivation:
        header = notation_table(report)
    elif report.page.unverified and report.page.blocks:
        header = unverified_note(report.page.unverified)
    if header is None:
        return annotated
    name = f"<!--verify-header-{len(deferred)}-->"
    deferred[name] = header
    return insert_header(annotated, name)
