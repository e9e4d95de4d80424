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
from collections.abc import Mapping, Sequence

from verify.model import Block, Declaration, Kind, PageReport, Result, Status, named_problems
from verify.reporting.details import detail, esc, justification, math, prose
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
_VERIFIED = (Status.PROVED, Status.CHECKED, Status.SAMPLED)

Named = tuple[str, Result]  # a result with its id on the page (`line-42`)


# ------------------------------------------------------------------ words


def verified_count(counts: Mapping[str, int]) -> int:
    """Steps a reader can rely on: proved, checked or sampled."""
    return sum(counts.get(s.value, 0) for s in _VERIFIED)


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


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def count_sentence(counts: Mapping[str, int]) -> str:
    """E.g. "22 of 24 steps verified: 2 proved, 20 checked. 6 mistakes caught. 1 skipped."

    Deliberately wrong steps (`expect-fail`) are not steps that verified: they
    are counted apart, as mistakes the checker caught."""
    caught = counts.get(Status.EXPECTED_FAILURE.value, 0)
    steps = sum(counts.values()) - caught
    sentences = []
    if steps:
        kinds = [f"{counts[s.value]} {s.value}" for s in _VERIFIED if counts.get(s.value, 0)]
        verified = f"{verified_count(counts)} of {_plural(steps, 'step')} verified"
        sentences.append(verified + (": " + ", ".join(kinds) if kinds else ""))
    if caught:
        sentences.append(f"{_plural(caught, 'mistake')} caught")
    others = [
        f"{counts.get(s.value, 0)} {s.value}"
        for s in (Status.SKIPPED, Status.FAILED, Status.ERROR)
        if counts.get(s.value, 0)
    ]
    if others:
        sentences.append(", ".join(others))
    return ". ".join(sentences) + "." if sentences else "No steps."


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
                f'<li data-verify-row="{k}"><span class="verify-rowno">{k + 1}</span>{why}</li>'
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


def fill_placeholders(page_html: str, deferred: Mapping[str, str]) -> str:
    """Put the markup kept by `annotate_markdown` where its placeholders are.

    Inside a list or an admonition Markdown wraps a placeholder in `<p>`; the
    paragraph goes with it (a `<div>` inside `<p>` is invalid HTML)."""
    if not deferred:
        return page_html
    pattern = re.compile(r"(?:<p>)?(<!--verify-[a-z]+-\d+-->)(?:</p>)?")
    return pattern.sub(lambda m: deferred.get(m.group(1), m.group(0)), page_html)


# -------------------------------------------------------------- the header


_KIND_WORDS = {
    Kind.SIZE: "a size: a whole number, 1 or more",
    Kind.SCALAR: "a number",
    Kind.FUNCTION: "a function",
}
_PROPERTY_WORDS = {
    "positive-definite": "positive-definite (so symmetric)",
    "probability": "a probability, strictly between 0 and 1",
}


def describe(decl: Declaration) -> str:
    """A declaration in plain words, with its sizes typeset: "an n × n matrix"."""
    shape = decl.shape
    if decl.kind == Kind.INDEX and decl.index_range:
        low, high = decl.index_range
        words = f"an index, from {math(str(low))} to {math(str(high))}"
    elif decl.kind == Kind.VECTOR and shape is not None:
        words = f"a vector of {math(str(shape.rows))} numbers"
    elif decl.kind in (Kind.MATRIX, Kind.IDENTITY) and shape is not None:
        size = math(f"{shape.rows} \\times {shape.cols}")
        words = f"a {size} matrix" if decl.kind == Kind.MATRIX else f"the {size} identity matrix"
    else:
        words = _KIND_WORDS.get(decl.kind, esc(decl.kind.value))
    props = [_PROPERTY_WORDS.get(p, esc(p)) for p in decl.properties]
    if decl.sums_over and not any(p.startswith("sums to 1") for p in decl.properties):
        props.append(f"adding up to 1 over {math(decl.sums_over)}")
    return words + (", " + ", ".join(props) if props else "")


def _declaration_rows(declarations: Sequence[Declaration]) -> list[list[Declaration]]:
    """Symbols declared together (`n, m, k: size`) share one row of the table."""
    rows: list[list[Declaration]] = []
    for decl in declarations:
        last = rows[-1][0] if rows else None
        if last is not None and decl.line and last.line == decl.line:
            rows[-1].append(decl)
        else:
            rows.append([decl])
    return rows


def notation_table(report: PageReport) -> str:
    """The page's header: how many steps verified, and its notation (collapsed)."""
    counts = report.counts
    problems = counts[Status.FAILED.value] + counts[Status.ERROR.value]
    state = "problems" if problems else "ok"
    rows = "".join(
        f"<tr><td>{', '.join(math(d.key) for d in group)}</td>"
        f"<td>{prose(group[0].meaning)}</td><td>{describe(group[0])}</td></tr>"
        for group in _declaration_rows(report.page.declarations)
    )
    undeclared = sorted({name for r in report.results for name in r.undeclared})
    if undeclared:  # contract §2: undeclared letters are real scalars, listed here
        rows += (
            f"<tr><td>{', '.join(math(name) for name in undeclared)}</td>"
            "<td></td><td>a real number (not declared)</td></tr>"
        )
    symbols = sum(len(group) for group in _declaration_rows(report.page.declarations))
    table = (
        '<div class="verify-scroll"><table class="verify-notation-table"><thead><tr>'
        "<th>Symbol</th><th>Meaning</th><th>What it is</th>"
        f"</tr></thead><tbody>{rows}</tbody></table></div>"
    )
    icon = "✓" if not problems else "✗"
    return (
        f'<div class="verify-summary verify-{state}">'
        f'<p class="verify-count"><span class="verify-icon" aria-hidden="true">{icon}</span> '
        f"{esc(count_sentence(counts))}</p>"
        f'<details class="verify-symbols"><summary>Notation ({_plural(symbols, "symbol")})'
        f"</summary>{table}</details></div>"
    )


def unverified_note(reason: str) -> str:
    """A banner for a page that says why its math is not checked."""
    return (
        '<div class="verify-summary verify-unverified"><p class="verify-count">'
        f"Not machine-checked: {esc(reason)}</p></div>"
    )


def insert_header(markdown_source: str, header: str) -> str:
    """Put `header` after the first level-one heading (and after a "Result"
    admonition right under it: the answer comes first), or at the top."""
    lines = markdown_source.split("\n")
    fence: str | None = None
    for i, line in enumerate(lines):
        opener = re.match(r"\s*(`{3,}|~{3,})", line)
        if opener:
            mark = opener.group(1)
            if fence is None:
                fence = mark
            elif mark.startswith(fence):
                fence = None
            continue
        if fence is not None:
            continue
        is_setext = (
            re.fullmatch(r"=+\s*", line) is not None and i > 0 and bool(lines[i - 1].strip())
        )
        if re.match(r"# +\S", line) or is_setext:
            at = _after_result(lines, i + 1)
            lines[at:at] = ["", header, ""]
            return "\n".join(lines)
    return "\n".join([header, "", *lines])


def _after_result(lines: list[str], at: int) -> int:
    """The line after a `!!! success "Result"` admonition that starts at `at`
    (blank lines skipped), or `at` when none does."""
    k = at
    while k < len(lines) and not lines[k].strip():
        k += 1
    if k >= len(lines) or not re.match(r'(?:!!!|\?\?\?\+?) +success\b.*"Result"', lines[k]):
        return at
    k += 1
    while k < len(lines) and (not lines[k].strip() or lines[k].startswith(("    ", "\t"))):
        k += 1
    while k > at and not lines[k - 1].strip():
        k -= 1
    return k
