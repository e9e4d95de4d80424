"""Rendering of the checker's answers: golden files plus the small rules.

Each `tests/pages/render/<case>.md` is a page; the test builds its `PageReport` by
hand, renders it the way the MkDocs plugin does (placeholders in the Markdown,
Python-Markdown with the site's extensions, then the markup put in) and
compares the HTML with `<case>.html`. Run with `UPDATE_GOLDEN=1` to rewrite the
golden files after a deliberate change.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import markdown
import pytest
from mkdocs.config import load_config
from mkdocs.utils.meta import get_data

from verify.model import Block, Declaration, Kind, Page, PageReport, PageSummary, Result, Status
from verify.reporting import details, header, markup, render, rows, site_report, summary, values
from verify.shape import Shape, Size

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parents[1] / "pages" / "render"


def declaration(key: str, kind: str, line: int, **extra: Any) -> Declaration:
    fields: dict[str, Any] = {
        "base": key.split("_")[0],
        "subscripts": (),
        "superscripts": (),
        "superscript_parenthesized": False,
        "shape": None,
        "properties": (),
    }
    fields.update(extra)
    if fields["shape"] is not None:
        fields["shape"] = Shape.of(*fields["shape"])
    if "index_range" in fields:
        fields["index_range"] = tuple(Size.parse(s) for s in fields["index_range"])
    return Declaration(key=key, kind=Kind(kind), line=line, **fields)


def report_of(page: Page, results: list[Result]) -> PageReport:
    """A report whose results are the verdicts of pairs, one per line."""
    return PageReport(page, [], {f"line-{r.line}": r for r in results})


def result(line: int, status: Status, lhs: str = "a", rhs: str = "b", **extra: Any) -> Result:
    return Result(
        file="docs/page.md", line=line, relation="=", lhs=lhs, rhs=rhs, status=status, **extra
    )


def page(file: str, blocks: list[Block], declarations: list[Declaration], **extra: Any) -> Page:
    front = {"symbols": {d.key: d.kind for d in declarations}} if declarations else {}
    front.update(extra.pop("front_matter", {}))
    return Page(
        file=file,
        front_matter=front,
        front_matter_lines=0,
        blocks=blocks,
        declarations=declarations,
        problems=[],
        **extra,
    )


def derivation_report() -> PageReport:
    """The answers for tests/pages/render/derivation.md, one of each status."""
    decls = [
        declaration("n", "size", 4),
        declaration("j", "index", 5, index_range=("1", "k")),
        declaration("l", "index", 5, index_range=("1", "k")),
        declaration("x", "vector", 6, shape=("n", "1"), meaning="a point, $x$"),
        declaration("\\mu_j", "vector", 6, shape=("n", "1"), subscripts=("j",), base="\\mu"),
        declaration(
            "\\Sigma_j",
            "matrix",
            7,
            shape=("n", "n"),
            properties=("symmetric", "positive-definite"),
        ),
        declaration("\\phi_j", "scalar", 8, properties=("positive",), sums_over="j"),
    ]
    blocks = [Block(15, 17, ""), Block(19, 24, ""), Block(26, 28, ""), Block(31, 33, "")]
    blocks.append(Block(36, 38, ""))
    example = {
        "sizes": {"n": 2},
        "indices": {"j": 1},
        "values": {"A": [[1, "1/2"], [0, 1]], "x": [1, 0], "\\mu[2]": ["-123456789/1000", 3]},
        "lhs": "7/3",
        "rhs": "0",
    }
    results = [
        result(3, Status.ERROR, message="w_l does not fit the declared pattern w_j^{(i)}"),
        result(
            21,
            Status.CHECKED,
            "(a+b)^2",
            "a^2 + 2ab + b^2",
            method="exact rational arithmetic",
            instances=6,
            sizes=[{"n": 1}, {"n": 2}, {"n": 3}],
            justification="\\text{expand}",
        ),
        result(22, Status.PROVED, "a^2 + 2ab + b^2", "a^2 + b^2 + 2ab", method="sympy expand"),
        result(
            27,
            Status.FAILED,
            "x^T A y",
            "y^T A x",
            method="exact rational arithmetic",
            message="sides differ: <script>alert(1)</script> *not* a_b_c \\(x\\) $y$",
            counterexample=example,
            instances=1,
        ),
        result(
            32,
            Status.EXPECTED_FAILURE,
            "(AB)^T",
            "A^T B^T",
            counterexample={"sizes": {"n": 2}, "lhs": [[1, 0], [2, 1]], "rhs": [[1, 2], [0, 1]]},
            justification="\\text{a common slip with } A^T",
        ),
        result(37, Status.SKIPPED, "\\lim_{t \\to 0} g(t)", "0", message="needs a limit"),
    ]
    return report_of(page("docs/page.md", blocks, decls), results)


def nested_report() -> PageReport:
    """tests/pages/render/nested.md: math inside an admonition, a list and a quote."""
    blocks = [Block(10, 12, ""), Block(18, 20, ""), Block(22, 24, "")]
    results = [
        result(11, Status.PROVED, "a + b", "b + a"),
        result(19, Status.CHECKED, "a b", "b a", instances=4),
        result(23, Status.SAMPLED, "a", "a + b^2", instances=8),
    ]
    results[2].relation = "\\le"
    decls = [declaration("a", "scalar", 3), declaration("b", "scalar", 3)]
    return report_of(page("docs/nested.md", blocks, decls), results)


@pytest.fixture(scope="module")
def site_markdown() -> markdown.Markdown:
    """A Markdown converter with exactly the extensions of the site's mkdocs.yml."""
    config = load_config(str(ROOT / "mkdocs.yml"))
    return markdown.Markdown(
        extensions=config.markdown_extensions, extension_configs=config.mdx_configs
    )


def render_page(source: str, report: PageReport, md: markdown.Markdown) -> str:
    """What the plugin does to a page, from its source to the article HTML."""
    body, _ = get_data(source)
    offset = render.markdown_line_offset(source, body)
    annotated, page_markup = render.page_markup(body, report, offset)
    md.reset()
    return markup.put_markup(md.convert(annotated), page_markup) + "\n"


def check_golden(path: Path, actual: str) -> None:
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; run with UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("case", "make_report"), [("derivation", derivation_report), ("nested", nested_report)]
)
def test_page_matches_golden_html(case: str, make_report: Any, site_markdown: Any) -> None:
    source = (GOLDEN / f"{case}.md").read_text(encoding="utf-8")
    check_golden(GOLDEN / f"{case}.html", render_page(source, make_report(), site_markdown))


def test_report_page_matches_golden() -> None:
    unchecked = PageReport(
        page("docs/about.md", [], [], unverified="prose only", front_matter={"title": "About"})
    )
    reports = [derivation_report(), nested_report(), unchecked]
    links = {"docs/page.md": "../page/", "docs/about.md": "../about/"}
    build = {"date": "2026-11-26 12:00 UTC", "commit": "0123456789ab", "version": "0.1.0 (d1g35t)"}
    summaries = [PageSummary.of(r) for r in reports]
    check_golden(GOLDEN / "report.html", site_report.report_html(summaries, links, build) + "\n")


def test_report_counts_mistakes_apart_and_names_the_build() -> None:
    summaries = [PageSummary.of(derivation_report())]
    html = site_report.report_html(summaries, {}, {"commit": "abc", "date": "today"})
    assert "<td>2 of 5</td>" in html  # 2 verified of 5 steps, the expected failure apart
    assert "from commit <code>abc</code>" in html and "built <code>today</code>" in html
    assert "1 mistake caught" in html
    assert "&lt;script&gt;" in html and "<script>" not in html


def test_each_formula_becomes_a_chain_around_its_block(site_markdown: Any) -> None:
    source = (GOLDEN / "derivation.md").read_text(encoding="utf-8")
    html = render_page(source, derivation_report(), site_markdown)
    aligned = html.index("\\begin{aligned}")
    opening = html.rindex('<div class="verify-chain', 0, aligned)
    assert html.index('data-verify-status="checked"') > aligned  # its details follow it
    assert html.count('<div class="verify-chain') == 4  # every block with results
    assert "<!--verify-" not in html  # every placeholder filled
    assert "<p><div" not in html  # none left wrapped in a paragraph
    assert 'data-verify-rows="2"' in html[opening : opening + 100]


def test_justification_leaves_the_formula_and_is_shown_once(site_markdown: Any) -> None:
    source = (GOLDEN / "derivation.md").read_text(encoding="utf-8")
    html = render_page(source, derivation_report(), site_markdown)
    math = html[html.index("\\begin{aligned}") : html.index("\\end{aligned}")]
    assert "expand" not in math and "&amp;&amp;" not in math
    assert "&amp;= a^2 + 2ab + b^2" in math  # the mathematics itself is unchanged
    gutter = html[html.index('<div class="verify-gutter"') :]
    assert gutter.index('<span class="verify-why">expand</span>') < gutter.index("reorder")


@pytest.mark.parametrize(
    ("latex", "expected"),
    [
        ("\\quad\\text{a slip with } A^T", ["a slip with ", "\\(A^T\\)"]),
        # `\\text` inside a script or a fraction is part of that formula
        ("\\text{definition of } \\theta_{\\text{new}}",
         ["definition of ", "\\(\\theta_{\\text{new}}\\)"]),
        ("\\frac{\\text{a}}{2}\\text{ halves}", ["\\(\\frac{\\text{a}}{2}\\)", " halves"]),
        ("\\mathbf{S}_\\mathrm{W}\\text{ is symmetric}",
         ["\\(\\mathbf{S}_\\mathrm{W}\\)", " is symmetric"]),
    ],
)  # fmt: skip
def test_justification_text_outside_math_only(latex: str, expected: list[str]) -> None:
    shown = details.justification(latex)
    pieces = re.split(r'<span class="arithmatex">(.*?)</span>', shown)
    assert [p for p in pieces if p] == expected


def test_every_row_with_a_step_carries_its_own_marker(site_markdown: Any) -> None:
    source = (GOLDEN / "derivation.md").read_text(encoding="utf-8")
    html = render_page(source, derivation_report(), site_markdown)
    cells = re.findall(r'<div class="verify-cell" data-verify-row="(\d+)">(.*?)</div>', html)
    marks = [
        (row, re.findall(r'class="verify-mark verify-([a-z-]+)"', cell)) for row, cell in cells
    ]
    # Rows 0 and 1 of the aligned block; then the single rows of three blocks.
    assert marks == [("0", ["checked"]), ("1", ["proved"]), ("0", ["failed"]),
                     ("0", ["expected-failure"]), ("0", ["skipped"])]  # fmt: skip


def test_page_text_is_escaped(site_markdown: Any) -> None:
    source = (GOLDEN / "derivation.md").read_text(encoding="utf-8")
    html = render_page(source, derivation_report(), site_markdown)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<em>not</em>" not in html


def test_problem_outside_blocks_goes_after_the_title(site_markdown: Any) -> None:
    report = derivation_report()
    out, page_markup = render.page_markup("# Title\n\nText.\n", report, 10)
    title, blank, placeholder = out.split("\n")[:3]
    assert (title, blank, placeholder) == ("# Title", "", markup.HEADER_PLACEHOLDER)
    html = markup.put_markup(site_markdown.convert(out), page_markup)
    top = html[html.index("</h1>") : html.index("Text.")]
    assert "Problems on this page" in top and "w_l" in top


def test_a_block_in_a_list_keeps_its_place_and_loses_its_justification(
    site_markdown: Any,
) -> None:
    report = report_of(page("p.md", [Block(3, 5, "")], []), [result(4, Status.PROVED)])
    body = "- item\n\n    $$\n    a = a && \\text{why}\n    $$\n"
    annotated, page_markup = render.page_markup(body, report, 0)
    assert annotated.endswith(body)  # only the placeholder is added
    html = markup.put_markup(site_markdown.convert(annotated), page_markup)
    item = html[html.index("<li>") : html.index("</li>")]
    assert 'class="verify-chain' in item and "why" in item.split("verify-gutter")[1]
    assert "\\[\na = a\n\\]" in item  # the formula without its justification
    assert "Problems on this page" not in html


def test_a_block_whose_formula_is_not_in_the_page_is_shown_under_the_title() -> None:
    report = report_of(page("p.md", [Block(3, 5, "")], []), [result(4, Status.PROVED)])
    annotated, page_markup = render.page_markup("# T\n\n$$\na = a\n$$\n", report, 0)
    html = markup.put_markup(f"<h1>T</h1>{markup.HEADER_PLACEHOLDER}<p>no math</p>", page_markup)
    top = html[: html.index("<p>no math")]
    assert "Problems on this page" in top and 'class="verify-chain' in top and "a = a" in top


def test_a_chain_goes_to_its_own_formula_when_two_look_alike(site_markdown: Any) -> None:
    blocks = [Block(3, 5, ""), Block(7, 9, ""), Block(11, 13, "")]  # as the reader finds them
    report = report_of(page("p.md", blocks, []), [result(8, Status.FAILED)])
    body = "# T\n\n$$\na = b\n$$\n\n$$\na = b\n$$\n\n$$\nc = c\n$$\n"
    annotated, page_markup = render.page_markup(body, report, 0)
    html = markup.put_markup(site_markdown.convert(annotated), page_markup)
    first, second = (html.index("a = b"), html.rindex("a = b"))
    chain = html.index('class="verify-chain')
    assert first < chain < second  # around the second `a = b`, the block of line 7


@pytest.mark.parametrize(
    ("source", "markdown_text", "offset"),
    [
        ("---\na: 1\n---\n\n\n# T\n", "# T\n", 5),
        ("# T\n", "# T\n", 0),
        ("---\na: 1\n---\n# T\n", "# T (changed by another plugin)\n", 3),
        ("---\na: 1\n---\n\n# T\n", "# T (changed)\n", 4),
    ],
)
def test_line_offset(source: str, markdown_text: str, offset: int) -> None:
    assert render.markdown_line_offset(source, markdown_text) == offset


def test_header_goes_after_the_first_title_outside_code() -> None:
    body = "```\n# not a title\n```\n\nTitle\n=====\n\nText\n"
    assert header.insert_header(body, "H").split("\n")[5:8] == ["=====", "", "H"]
    assert header.insert_header("Text only\n", "H").startswith("H\n\nText only")


def test_header_follows_the_result_under_the_title() -> None:
    body = '# T\n\n!!! success "Result"\n    The answer, $x = 1$.\n\n    More.\n\nProse.\n'
    lines = header.insert_header(body, "H").split("\n")
    assert lines[lines.index("H") - 2] == "    More." and lines[-2] == "Prose."
    late = '# T\n\nProse.\n\n!!! success "Result"\n    The answer.\n'
    assert header.insert_header(late, "H").split("\n")[:3] == ["# T", "", "H"]


@pytest.mark.parametrize(
    ("status", "instances", "message", "label"),
    [
        (Status.CHECKED, 6, "", "checked at 6 instances"),
        (Status.CHECKED, 1, "", "checked at 1 instance"),
        (Status.SAMPLED, 50, "", "sampled at 50 instances"),
        (Status.SKIPPED, 0, "needs a limit", "skipped: needs a limit"),
        (Status.EXPECTED_FAILURE, 3, "", "mistake caught"),
        (Status.FAILED, 3, "differ", "failed"),
        (Status.ERROR, 0, "parse", "error"),
        (Status.PROVED, 0, "", "proved"),
    ],
)
def test_status_label(status: Status, instances: int, message: str, label: str) -> None:
    assert render.status_label(result(1, status, instances=instances, message=message)) == label


def test_passing_markers_are_quiet_and_the_others_say_why() -> None:
    quiet = render.marker(("line-1", result(1, Status.CHECKED, instances=6)))
    loud = render.marker(("line-2", result(2, Status.EXPECTED_FAILURE)))
    assert "verify-word" not in quiet and "checked at 6 instances" in quiet  # for screen readers
    assert '<span class="verify-word">mistake caught</span>' in loud


def test_count_sentence_counts_expected_failures_as_mistakes_caught() -> None:
    counts = {s.value: 0 for s in Status}
    counts.update(proved=2, checked=20, **{"expected-failure": 6}, skipped=1, failed=1)
    assert summary.count_sentence(counts) == (
        "22 of 24 steps verified: 2 proved, 20 checked. 6 mistakes caught. 1 skipped, 1 failed."
    )
    only = {s.value: 0 for s in Status} | {"expected-failure": 1}
    assert summary.count_sentence(only) == "1 mistake caught."


def test_notation_is_collapsed_in_plain_words_with_meanings() -> None:
    table = header.notation_table(derivation_report())
    assert table.count("<tr>") == 1 + 5  # header; j and l share a row, so do x and mu_j
    assert '<details class="verify-symbols">' in table  # collapsed: no `open`
    assert "an index, from" in table and "a vector of" in table and "matrix" in table
    assert "adding up to 1 over" in table
    assert 'a point, <span class="arithmatex">\\(x\\)</span>' in table  # `$x$` typeset
    assert "verify-problems" in table  # the page has a failed step


def test_counterexample_speaks_the_page_notation() -> None:
    html = details.counterexample(derivation_report().verdicts["line-27"].counterexample or {},
                                  derivation_report().page.declarations)  # fmt: skip
    assert "\\(\\mu_{2}\\)" in html and "mu[2]" not in html
    assert "-\\frac{123456789}{1000}" in html and "-123457" in html  # exact, and decimals
    assert "left − right" in html and "\\frac{7}{3}" in html and "2.33333" in html
    assert "\\(n = 2,\\; j = 1\\)" in html


def test_failed_step_is_shown_as_a_formula_and_errors_as_written() -> None:
    report = derivation_report()
    failed = details.detail(report.verdicts["line-27"], [])
    assert '<div class="arithmatex">\\[x^T A y = y^T A x\\]</div>' in failed
    error = details.detail(result(3, Status.ERROR, "\\frac{x}{", "y", message="bad"), [])
    assert "<code>\\frac{x}{</code>" in error and "arithmatex" not in error


def test_details_leave_a_place_for_repairs() -> None:
    assert details.extra_sections(result(1, Status.FAILED)) == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [("x[1]", "x^{(1)}"), ("w[2,1]", "w_{2}^{(1)}"), ("\\mu[2]", "\\mu_{2}"),
     ("A[3,12]", "A_{3,12}"), ("A[1,2]", "A_{12}"), ("y", "y"), ("q[1]", "q[1]"),
     ("\\phi_{j|y=1}[2]", "\\phi_{2|y=1}"), ("x_{n}[3]", "x_{3}")],
)  # fmt: skip
def test_member_names(name: str, expected: str) -> None:
    decls = [
        declaration("x^{(i)}", "vector", 1, base="x", superscripts=("i",),
                    superscript_parenthesized=True, shape=("n", "1")),
        declaration("w_j^{(i)}", "scalar", 2, base="w", subscripts=("j",), superscripts=("i",),
                    superscript_parenthesized=True),
        declaration("\\mu_j", "vector", 3, base="\\mu", subscripts=("j",), shape=("n", "1")),
        declaration("A_{ij}", "scalar", 4, base="A", subscripts=("i", "j")),
        declaration("\\phi_{j|y=1}", "scalar", 5, base="\\phi_{j|y=1}", subscripts=("j",)),
        declaration("x_n", "vector", 6, base="x_{n}", letter="x", subscripts=("n",),
                    shape=("n", "1")),
    ]  # fmt: skip
    assert values.member_name(name, decls) == expected


def test_values_with_decimals_and_differences() -> None:
    assert values.decimal_latex("1/3") == "0.333333"
    assert values.decimal_latex(5) is None and values.decimal_latex("1.41421356237") is None
    assert values.difference([1, "1/2"], [0, "1/3"]) == ["1", "1/6"]
    assert values.difference([[1, 2], [3, 4]], [[1, 1], [1, 1]]) == [["0", "1"], ["2", "3"]]
    assert values.difference([1, 2], "3") is None
    assert values.exact_latex([[1, "-1/2"]]) == "\\begin{pmatrix} 1 & -\\frac{1}{2} \\end{pmatrix}"
    assert values.decimal(1e-9) == "1 \\times 10^{-9}"


ALIGNED = [
    "$$",
    "\\begin{aligned}",
    "J",
    "&= \\begin{pmatrix} a \\\\ b \\end{pmatrix} && \\text{a vector} \\\\",
    "&= c",
    "&& \\text{on its own line}",
    "\\end{aligned}",
    "$$",
]


def test_rows_of_an_aligned_block() -> None:
    found = rows.block_rows(ALIGNED, 10)
    assert [(r.line, r.justification) for r in found.rows] == [
        (12, "\\text{a vector}"),
        (14, "\\text{on its own line}"),
    ]
    assert found.lines == [*ALIGNED[:3], "&= \\begin{pmatrix} a \\\\ b \\end{pmatrix}  \\\\",
                           "&= c", *ALIGNED[6:]]  # fmt: skip
    kept = rows.block_rows(ALIGNED, 10, keep_justifications=True)
    assert kept.lines == ALIGNED


@pytest.mark.parametrize(
    ("lines", "shown", "justifications"),
    [
        (["$$ a = b \\quad\\text{why} $$"], ["$$ a = b $$"], ["\\quad\\text{why}"]),
        (["```math", "a &= b \\\\ &= c && x", "```"], ["```math", "a &= b \\\\ &= c", "```"],
         ["", "x"]),
        (["$$", "a &= b \\\\", "\\end{aligned}", "$$"], None, [""]),
    ],
)  # fmt: skip
def test_rows_of_other_blocks(
    lines: list[str], shown: list[str] | None, justifications: list[str]
) -> None:
    found = rows.block_rows(lines, 1)
    assert [r.justification for r in found.rows] == justifications
    assert found.lines == (shown if shown is not None else lines)


def test_results_go_to_the_row_where_their_step_stands() -> None:
    found = rows.block_rows(["```math", "a &= b \\\\ &= c \\\\", "&= d", "```"], 1)
    named = [(f"r{n}", result(line, Status.PROVED)) for n, line in enumerate([2, 2, 3])]
    found.place(named)
    assert [[i for i, _ in r.results] for r in found.rows] == [["r0"], ["r1"], ["r2"]]
