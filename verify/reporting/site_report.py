"""The site-wide verification report, as HTML.

Written straight as HTML (no Markdown round trip: the build pays nothing to
convert it) and put into the report page after search has indexed it.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from verify.model import PageSummary, Status
from verify.reporting.summary import count_sentence, verified_count

REPORT_INTRO = "What the checker found for every derivation page when this site was built."


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _how(counts: Mapping[str, int]) -> str:
    return ", ".join(
        f"{counts[s.value]} {s.value}"
        for s in (Status.PROVED, Status.CHECKED, Status.SAMPLED)
        if counts.get(s.value, 0)
    )


def _row(name: str, counts: Mapping[str, int], tag: str = "td") -> str:
    caught = counts.get(Status.EXPECTED_FAILURE.value, 0)
    steps = sum(counts.values()) - caught
    problems = counts[Status.FAILED.value] + counts[Status.ERROR.value]
    cells = [
        f"{verified_count(counts)} of {steps}",
        _how(counts),
        str(caught),
        str(counts[Status.SKIPPED.value]),
        str(problems),
    ]
    body = "".join(f"<{tag}>{esc(c)}</{tag}>" for c in cells)
    return f'<tr class="{"verify-problems" if problems else "verify-ok"}"><{tag}>{name}</{tag}>{body}</tr>'


def report_html(
    pages: Sequence[PageSummary],
    links: Mapping[str, str] | None = None,
    build: Mapping[str, str] | None = None,
) -> str:
    """Per page counts, totals, problems, and when and by what this was built.

    Pages appear in the order given. `links` maps a page's `file` to its URL
    (relative to the report page); pages without one are named. `build` may
    give `date`, `commit` and `version`.
    """
    links = links or {}

    def name(page: PageSummary) -> str:
        link = links.get(page.file)
        title = esc(page.title)
        return f'<a href="{esc(link)}">{title}</a>' if link else title

    derivations = [p for p in pages if p.listed]
    unchecked = [p for p in pages if p.unverified and not p.listed]
    totals = {s.value: 0 for s in Status}
    rows = []
    for page in derivations:
        counts = page.counts
        for key, value in counts.items():
            totals[key] += value
        rows.append(_row(name(page), counts))
    head = "".join(
        f"<th>{h}</th>"
        for h in ("Page", "Steps verified", "How", "Mistakes caught", "Skipped", "Failed or error")
    )
    parts = [
        f"<p>{esc(REPORT_INTRO)}</p>",
        f'<p class="verify-count">{esc(count_sentence(totals))}</p>',
    ]
    if build:
        facts = [
            f"{label} <code>{esc(build[key])}</code>"
            for key, label in (("date", "built"), ("commit", "from commit"), ("version", "checker"))
            if build.get(key)
        ]
        parts.append(f'<p class="verify-build">{esc("This report was ")}{", ".join(facts)}.</p>')
    parts.append(
        '<div class="verify-scroll"><table class="verify-report-table">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody>"
        f"<tfoot>{_row('Total', totals, 'th')}</tfoot></table></div>"
    )
    problems = [(page.file, *problem) for page in derivations for problem in page.problems]
    if problems:
        items = "".join(
            f"<li><code>{esc(file)}:{line}</code>: {esc(status)}: {esc(message)}</li>"
            for file, line, status, message in problems
        )
        parts.append(f'<h2 id="problems">Problems</h2><ul>{items}</ul>')
    if unchecked:
        items = "".join(f"<li>{name(p)}: {esc(p.unverified)}</li>" for p in unchecked)
        parts.append(f'<h2 id="not-checked">Pages that are not checked</h2><ul>{items}</ul>')
    return f'<div class="verify-report">{"".join(parts)}</div>'
