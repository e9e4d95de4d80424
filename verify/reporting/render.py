"""Turn the checker's answers into what a reader sees: status strips, a notation
table, and the site-wide report page.

Pure functions from `PageReport` to text, with no MkDocs import, so that the
same rendering can move to another site generator and is tested on its own.

The HTML written into a page's Markdown is one line per strip and has every
character that Markdown would act on written as a character reference. A strip
inside an admonition or a list is not a raw-HTML block for Python-Markdown but
part of a paragraph; encoded this way it passes through both paths unchanged.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

from verify.model import Block, Declaration, PageReport, Result, Status

STRIP_CLASS = "verify-strip"

# Characters that Markdown inline processors (escapes, emphasis, code, links,
# attribute lists, arithmatex, tables, pymdownx mark/caret/tilde) would act on.
_MARKDOWN_ACTIVE = {ord(c): f"&#{ord(c)};" for c in "\\`*_[]{}$~^=|:"}

_RELATION_SIGNS = {
    "=": "=",
    "=const": "= const +",
    "= const": "= const +",
    "\\propto": "∝",
    "\\le": "≤",
    "\\leq": "≤",
    "\\ge": "≥",
    "\\geq": "≥",
    "<": "<",
    ">": ">",
    "\\implies": "⟹",
    "\\Rightarrow": "⇒",
    "\\iff": "⟺",
}

_ICONS = {
    Status.PROVED: "✓",
    Status.CHECKED: "✓",
    Status.SAMPLED: "≈",
    Status.SKIPPED: "–",
    Status.EXPECTED_FAILURE: "✗",
    Status.FAILED: "✗",
    Status.ERROR: "!",
}

_FRONT_MATTER = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.DOTALL)
_WHOLE_TEXT = re.compile(r"^\\(?:text|textrm|mathrm|mbox)\{([^{}]*)\}$")


def esc(text: object, newlines: bool = False) -> str:
    """Escape page-derived text for HTML that Markdown may still read inline."""
    out = html.escape(str(text), quote=True).translate(_MARKDOWN_ACTIVE)
    return out.replace("\n", "&#10;" if newlines else " ")


def inline_math(latex: str) -> str:
    """Inline math that MathJax typesets (it only looks inside `.arithmatex`)."""
    delimited = "\\(" + latex + "\\)"
    return f'<span class="arithmatex">{esc(delimited)}</span>'


_VERIFIED = (Status.PROVED, Status.CHECKED, Status.SAMPLED, Status.EXPECTED_FAILURE)


def verified_count(counts: Mapping[str, int]) -> int:
    """Steps a reader can rely on: proved, checked, sampled, or failing as meant."""
    return sum(counts.get(s.value, 0) for s in _VERIFIED)


def status_label(result: Result) -> str:
    """The few words on a marker, e.g. "checked at 6 instances"."""
    n = result.instances
    plural = "instance" if n == 1 else "instances"
    if result.status is Status.CHECKED:
        return f"checked at {n} {plural}" if n else "checked"
    if result.status is Status.SAMPLED:
        return f"sampled at {n} {plural}" if n else "sampled"
    if result.status is Status.SKIPPED:
        return f"skipped: {result.message}" if result.message else "skipped"
    if result.status is Status.EXPECTED_FAILURE:
        return "expected failure"
    return result.status.value


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


def _justification(text: str) -> str:
    text = text.strip()
    whole = _WHOLE_TEXT.match(text)
    if whole:
        return esc(whole.group(1))
    if "\\" in text or "^" in text or "_" in text:
        return inline_math(text)
    return esc(text)


def _format_value(value: Any) -> str:
    """A number, vector or matrix as plain text, rows on their own lines."""
    if isinstance(value, list | tuple):
        if value and all(isinstance(row, list | tuple) for row in value):
            cells = [[str(x) for x in row] for row in value]
            width = max((len(c) for row in cells for c in row), default=0)
            return "\n".join("[" + "  ".join(c.rjust(width) for c in row) + "]" for row in cells)
        return "[" + ", ".join(str(x) for x in value) + "]"
    if isinstance(value, Mapping):
        return ", ".join(f"{k} = {v}" for k, v in value.items())
    return str(value)


def _value_cell(value: Any) -> str:
    text = _format_value(value)
    if "\n" in text:
        return f"<pre>{esc(text, newlines=True)}</pre>"
    return f"<code>{esc(text)}</code>"


def _counterexample(example: Mapping[str, Any]) -> str:
    """Sizes and indices, then the values of the symbols, then both sides."""
    rows: list[tuple[str, str]] = []
    for key in ("sizes", "indices"):
        if example.get(key):
            rows.append((key, _value_cell(example[key])))
    values = example.get("values")
    if isinstance(values, Mapping):
        rows.extend((inline_math(str(k)), _value_cell(v)) for k, v in values.items())
    elif values is not None:
        rows.append(("values", _value_cell(values)))
    for key, label in (("lhs", "left side"), ("rhs", "right side")):
        if key in example:
            rows.append((label, _value_cell(example[key])))
    shown = {"sizes", "indices", "values", "lhs", "rhs"}
    rows.extend((esc(k), _value_cell(v)) for k, v in example.items() if k not in shown)
    body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<table class="verify-counterexample"><tbody>{body}</tbody></table>'


def _sizes(sizes: Sequence[Mapping[str, int]]) -> str:
    return "; ".join(", ".join(f"{k} = {v}" for k, v in s.items()) for s in sizes if s)


def _details(result: Result) -> str:
    """What was checked and how: the body that opens under a marker."""
    sign = esc(_RELATION_SIGNS.get(result.relation, result.relation))
    items = []
    verified = result.status.is_verified
    # A verified step is the row right above its marker: only say how it was checked.
    # A failure, an error or an expected failure also shows the step and its line.
    if (result.lhs or result.rhs) and not verified:
        step = f"<code>{esc(result.lhs)}</code> {sign} <code>{esc(result.rhs)}</code>"
        items.append(("step", step))
    if not verified:
        items.append(("line", esc(result.line)))
    if result.method:
        items.append(("method", esc(result.method)))
    if result.sizes and _sizes(result.sizes) and not result.method:
        items.append(("sizes", esc(_sizes(result.sizes))))
    if result.tolerance:
        items.append(("tolerance", esc(result.tolerance)))
    if result.message:
        items.append(("message", esc(result.message, newlines=True)))
    shows_example = result.status in (Status.FAILED, Status.EXPECTED_FAILURE)
    if result.counterexample and shows_example:
        items.append(("counterexample", _counterexample(result.counterexample)))
    from verify.reporting.repairs import repair_items  # it uses this module's esc

    items.extend(repair_items(result))
    body = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in items)
    return f'<dl class="verify-detail">{body}</dl>'


def marker(result: Result) -> str:
    """One pair's status as a `<details>` whose summary is the visible chip."""
    status = result.status.value
    sign = _RELATION_SIGNS.get(result.relation, result.relation)
    parts = [
        f'<span class="verify-icon" aria-hidden="true">{_ICONS[result.status]}</span>',
        f'<span class="verify-label">{esc(status_label(result))}</span>',
    ]
    if result.relation != "=":
        parts.append(f'<span class="verify-rel" title="relation">{esc(sign)}</span>')
    if result.justification:
        parts.append(f'<span class="verify-why">{_justification(result.justification)}</span>')
    summary = "".join(parts)
    return (
        f'<details class="verify-step verify-{status}" data-verify-status="{status}">'
        f"<summary>{summary}</summary>{_details(result)}</details>"
    )


def strip(results: Sequence[Result], label: str = "Checked steps") -> str:
    """The one-line HTML strip of markers placed under a display-math block."""
    markers = "".join(marker(r) for r in results)
    return f'<div class="{STRIP_CLASS}" role="group" aria-label="{esc(label)}">{markers}</div>'


def _block_of(result: Result, blocks: Sequence[Block]) -> Block | None:
    return next((b for b in blocks if b.start <= result.line <= b.end), None)


def _prefix(line: str) -> str:
    """The indentation or blockquote marks that keep a strip inside its container."""
    match = re.match(r"[ \t>]*", line)
    return match.group(0) if match else ""


def annotate_markdown(
    markdown_source: str,
    report: PageReport,
    line_offset: int,
    deferred: dict[str, str] | None = None,
) -> str:
    """Insert, after each display-math block, the status strip of its pairs.

    Results that lie in no block (a page-level problem, such as relations on a
    page without `symbols:`) go in a strip at the top, after the title.
    `line_offset` is the number of source lines before `markdown_source`.
    With `deferred`, each block gets a placeholder comment instead, and the
    strips are stored there for `fill_placeholders` to put into the HTML: the
    Markdown converter then never has to read them, which keeps builds fast.
    """
    lines = markdown_source.split("\n")
    per_block: dict[int, list[Result]] = {}
    loose: list[Result] = []
    for result in report.results:
        block = _block_of(result, report.page.blocks)
        if block is None:
            loose.append(result)
        else:
            per_block.setdefault(block.end, []).append(result)
    for end in sorted(per_block, reverse=True):
        at = end - line_offset  # 1-based index of the block's last line
        if not 1 <= at <= len(lines):
            loose.extend(per_block[end])
            continue
        prefix = _prefix(lines[at - 1])
        blank = prefix.rstrip()
        html = strip(per_block[end])
        if deferred is not None:
            name = f"<!--verify-strip-{len(deferred)}-->"
            deferred[name] = html
            html = name
        lines[at:at] = [blank, prefix + html, blank]
    annotated = "\n".join(lines)
    if loose:
        loose.sort(key=lambda r: r.line)
        annotated = insert_header(annotated, strip(loose, "Problems on this page"))
    return annotated


_WRAPPED_STRIP = re.compile(rf'<p>(<div class="{STRIP_CLASS}"[^\n]*?</div>)\s*</p>')


def fill_placeholders(page_html: str, deferred: dict[str, str]) -> str:
    """Put the strips stored by `annotate_markdown` where their placeholders are."""
    for name, strip_html in deferred.items():
        page_html = page_html.replace(f"<p>{name}</p>", strip_html).replace(name, strip_html)
    return page_html


def unwrap_strips(page_html: str) -> str:
    """Take strips out of the `<p>` that Markdown puts them in inside containers.

    In an admonition or list item a strip is read as a paragraph, and a `<div>`
    inside `<p>` is invalid HTML that browsers split into empty paragraphs.
    """
    return _WRAPPED_STRIP.sub(r"\1", page_html)


def _properties(decl: Declaration) -> str:
    props = list(decl.properties)
    if decl.sums_over and not any(p.startswith("sums to 1") for p in props):
        props.append(f"sums to 1 over {decl.sums_over}")
    return ", ".join(props)


def _declaration_rows(declarations: Sequence[Declaration]) -> list[list[Declaration]]:
    """Symbols declared together (`n, m, k: size`) share one row of the table."""
    rows: list[list[Declaration]] = []
    for decl in declarations:
        last = rows[-1][0] if rows else None
        same = last is not None and (last.line, last.describe_kind(), _properties(last)) == (
            decl.line,
            decl.describe_kind(),
            _properties(decl),
        )
        if same and decl.line:
            rows[-1].append(decl)
        else:
            rows.append([decl])
    return rows


def count_sentence(counts: Mapping[str, int]) -> str:
    """E.g. "22 of 24 steps verified: 2 proved, 20 checked. 1 skipped, 1 failed."."""
    total = sum(counts.values())
    verified = verified_count(counts)
    noun = "step" if total == 1 else "steps"
    sentence = f"{verified} of {total} {noun} verified"
    kinds = _verified_kinds(counts)
    if kinds:
        sentence += ": " + ", ".join(kinds)
    others = [
        f"{counts.get(s.value, 0)} {s.value}"
        for s in (Status.SKIPPED, Status.FAILED, Status.ERROR)
        if counts.get(s.value, 0)
    ]
    return sentence + "." + (" " + ", ".join(others) + "." if others else "")


def notation_table(report: PageReport) -> str:
    """The page's header: how many steps verified, and its declared notation."""
    counts = report.counts
    problems = counts[Status.FAILED.value] + counts[Status.ERROR.value]
    state = "problems" if problems else "ok"
    rows = "".join(
        f"<tr><td>{', '.join(inline_math(d.key) for d in group)}</td>"
        f"<td>{esc(group[0].describe_kind())}</td><td>{esc(group[0].describe_shape())}</td>"
        f"<td>{esc(_properties(group[0]))}</td></tr>"
        for group in _declaration_rows(report.page.declarations)
    )
    undeclared = sorted({name for r in report.results for name in r.undeclared})
    if undeclared:  # contract §2: undeclared letters are real scalars, listed here
        rows += (
            f"<tr><td>{', '.join(inline_math(name) for name in undeclared)}</td>"
            "<td>scalar (undeclared)</td><td>1 × 1</td><td>real</td></tr>"
        )
    table = (
        "<table><thead><tr><th>Symbol</th><th>Kind</th><th>Shape</th><th>Properties</th>"
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )
    return (
        f'<div class="verify-notation verify-{state}">'
        f'<p class="verify-count">{esc(count_sentence(counts))}</p>'
        f'<details class="verify-symbols" open><summary>Notation</summary>{table}</details>'
        "</div>"
    )


def unverified_note(reason: str) -> str:
    """A banner for a page that says why its math is not checked."""
    return (
        f'<div class="verify-notation verify-unverified"><p class="verify-count">'
        f"Not machine-checked: {esc(reason)}</p></div>"
    )


def insert_header(markdown_source: str, header: str) -> str:
    """Put `header` right after the first level-one heading, or at the top."""
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
        if re.match(r"# +\S", line):
            lines[i + 1 : i + 1] = ["", header, ""]
            return "\n".join(lines)
        is_setext = re.fullmatch(r"=+\s*", line) is not None
        if is_setext and i > 0 and lines[i - 1].strip():
            lines[i + 1 : i + 1] = ["", header, ""]
            return "\n".join(lines)
    return "\n".join([header, "", *lines])


def _title(report: PageReport) -> str:
    title = report.page.front_matter.get("title")
    return str(title) if title else report.page.file.rsplit("/", 1)[-1].removesuffix(".md")


def _verified_kinds(counts: Mapping[str, int]) -> list[str]:
    """E.g. ["2 proved", "20 checked", "1 expected failure"]."""
    kinds = []
    for status in _VERIFIED:
        n = counts.get(status.value, 0)
        if n and status is Status.EXPECTED_FAILURE:
            kinds.append(f"{n} expected failure{'' if n == 1 else 's'}")
        elif n:
            kinds.append(f"{n} {status.value}")
    return kinds


def _breakdown(counts: Mapping[str, int]) -> str:
    return ", ".join(_verified_kinds(counts))


def report_page(
    reports: Sequence[PageReport],
    links: Mapping[str, str] | None = None,
    title: str = "Verification report",
) -> str:
    """The Markdown of the site-wide report: per page counts, totals, problems.

    Pages appear in the order given. `links` maps a page's `file` to the link
    target for it (relative to the report page); pages without one are named.
    """
    links = links or {}

    def name(rep: PageReport) -> str:
        link = links.get(rep.page.file)
        return f"[{esc(_title(rep))}]({link})" if link else esc(_title(rep))

    derivations = [r for r in reports if r.page.is_derivation or r.results]
    unchecked = [r for r in reports if r.page.unverified and r not in derivations]
    lines = [
        f"# {title}",
        "",
        "What the checker found for every derivation page when this site was built.",
        "",
        "| Page | Verified | How | Skipped | Failed or error |",
        "| --- | --- | --- | --- | --- |",
    ]
    totals = {s.value: 0 for s in Status}
    for rep in derivations:
        counts = rep.counts
        for key, value in counts.items():
            totals[key] += value
        lines.append(_report_row(name(rep), counts))
    lines.append(_report_row("**Total**", totals))
    lines += ["", esc(count_sentence(totals)), ""]
    problems = [r for rep in derivations for r in rep.results if r.status.is_problem]
    if problems:
        lines += ["## Problems", ""]
        lines += [f"- `{r.file}:{r.line}`: {r.status.value}: {esc(r.message)}" for r in problems]
        lines.append("")
    if unchecked:
        lines += ["## Pages that are not checked", ""]
        lines += [f"- {name(r)}: {esc(r.page.unverified)}" for r in unchecked]
        lines.append("")
    return "\n".join(lines)


def _report_row(page: str, counts: Mapping[str, int]) -> str:
    problems = counts[Status.FAILED.value] + counts[Status.ERROR.value]
    verified = f"{verified_count(counts)} of {sum(counts.values())}"
    cells = [page, verified, _breakdown(counts), str(counts[Status.SKIPPED.value]), str(problems)]
    return "| " + " | ".join(cells) + " |"
