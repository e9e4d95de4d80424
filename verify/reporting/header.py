"""The header under a derivation page's title: the count of verified steps and
the notation, collapsed, in plain words, with what each symbol means."""

from __future__ import annotations

import re
from collections.abc import Sequence

from verify.model import RANDOM_HEADS, Declaration, Kind, PageReport, Status
from verify.reporting.details import esc, math, prose
from verify.reporting.summary import count_sentence, plural

_KIND_WORDS = {
    Kind.SIZE: "a size: a whole number, 1 or more",
    Kind.SCALAR: "a number",
    Kind.FUNCTION: "a function",
}
# Letters read aloud with a vowel first ("an n × n matrix", "a k × k matrix").
_VOWEL_SOUNDS = set("aefhilmnorsxAEFHILMNORSX8")
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
        article = "an" if str(shape.rows)[:1] in _VOWEL_SOUNDS else "a"
        kind = "matrix" if decl.kind == Kind.MATRIX else "identity matrix"
        words = f"{'the' if decl.kind == Kind.IDENTITY else article} {size} {kind}"
    else:
        words = _KIND_WORDS.get(decl.kind, esc(decl.kind.value))
    props = [
        "positive-definite" if p == "positive-definite" and "symmetric" in decl.properties
        else _PROPERTY_WORDS.get(p, esc(p))
        for p in decl.properties
    ]  # fmt: skip
    if decl.sums_over and not any(p.startswith("sums to 1") for p in decl.properties):
        props.append(f"adding up to 1 over {math(decl.sums_over)}")
    if decl.distribution is not None:
        props.append(f"random, drawn from {math(_distribution(decl))}")
    return words + (", " + ", ".join(props) if props else "")


def _distribution(decl: Declaration) -> str:
    """`\\mathcal{N}(\\mu, \\Sigma)`, `\\text{Bernoulli}(p)`: the declared law, as LaTeX."""
    head = RANDOM_HEADS.get(decl.distribution or "", decl.distribution or "")
    if not head.startswith("\\"):
        head = f"\\text{{{head}}}"
    return f"{head}({', '.join(decl.parameters)})"


def _same_entry(a: Declaration, b: Declaration) -> bool:
    """Two symbols from one `symbols:` entry (`n, m, k: size`): same line, same kind
    (declarations made without lines, as in tests, all stand on one line)."""

    def what(d: Declaration) -> tuple[object, ...]:
        return (d.line, d.kind, d.shape, d.properties, d.sums_over, d.index_range,
                d.distribution, d.parameters)  # fmt: skip

    return bool(a.line) and what(a) == what(b)


def _declaration_rows(declarations: Sequence[Declaration]) -> list[list[Declaration]]:
    """Symbols declared together (`n, m, k: size`) share one row of the table."""
    rows: list[list[Declaration]] = []
    for decl in declarations:
        if rows and _same_entry(rows[-1][0], decl):
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
        f'<details class="verify-symbols"><summary>Notation ({plural(symbols, "symbol")})'
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
