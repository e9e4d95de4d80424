"""Rendering of the checker's answers: golden files plus the small rules.

Each `tests/pages/render/<case>.md` is a page; the test builds its `PageReport` by
hand, renders it the way the MkDocs plugin does and compares the HTML that
Python-Markdown (with the site's extensions) makes of it with `<case>.html`.
Run with `UPDATE_GOLDEN=1` to rewrite the golden files after a deliberate change.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import markdown
import pytest
from mkdocs.config import load_config
from mkdocs.utils.meta import get_data

from verify.model import Block, Declaration, Kind, Page, PageReport, Result, Status
from verify.reporting import render
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
        declaration("x", "vector", 6, shape=("n", "1")),
        declaration("\\mu_j", "vector", 6, shape=("n", "1"), subscripts=("j",)),
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
        "values": {"A": [[1, 2], [0, 1]], "x": [[1], [0]], "y": [[0], [1]]},
        "lhs": "2",
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
    annotated = render.annotate_markdown(body, report, offset)
    annotated = render.insert_header(annotated, render.notation_table(report))
    md.reset()
    return render.unwrap_strips(md.convert(annotated)) + "\n"


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
    links = {"docs/page.md": "page.md", "docs/about.md": "about.md"}
    check_golden(GOLDEN / "report.md", render.report_page(reports, links))


def test_every_strip_follows_its_block(site_markdown: Any) -> None:
    source = (GOLDEN / "derivation.md").read_text(encoding="utf-8")
    html = render_page(source, derivation_report(), site_markdown)
    order = [html.index(f'data-verify-status="{s}"') for s in ("checked", "failed")]
    assert html.index("\\[\n\\begin{aligned}") < order[0] < html.index("x^T A y = y^T A x")
    assert html.index("x^T A y = y^T A x") < order[1] < html.index("(AB)^T = A^T B^T")
    assert "<p><div" not in html  # no strip left wrapped in a paragraph


def test_page_text_is_escaped(site_markdown: Any) -> None:
    source = (GOLDEN / "derivation.md").read_text(encoding="utf-8")
    html = render_page(source, derivation_report(), site_markdown)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<em>not</em>" not in html


def test_problem_outside_blocks_goes_after_the_title() -> None:
    report = derivation_report()
    body = "# Title\n\nText.\n"
    out = render.annotate_markdown(body, report, line_offset=10)
    title, blank, strip_line = out.split("\n")[:3]
    assert (title, blank) == ("# Title", "")
    assert strip_line.startswith('<div class="verify-strip"') and "w&#95;l" in strip_line


def test_strip_keeps_the_indentation_of_its_block() -> None:
    report = report_of(page("p.md", [Block(3, 5, "")], []), [result(4, Status.PROVED)])
    body = "- item\n\n    $$\n    a = a\n    $$\n"
    lines = render.annotate_markdown(body, report, 0).split("\n")
    assert lines[6] == "    " + render.strip(report.results)
    assert lines[5] == lines[7] == ""


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
    assert render.insert_header(body, "H").split("\n")[5:8] == ["=====", "", "H"]
    assert render.insert_header("Text only\n", "H").startswith("H\n\nText only")


@pytest.mark.parametrize(
    ("status", "instances", "message", "label"),
    [
        (Status.CHECKED, 6, "", "checked at 6 instances"),
        (Status.CHECKED, 1, "", "checked at 1 instance"),
        (Status.SAMPLED, 50, "", "sampled at 50 instances"),
        (Status.SKIPPED, 0, "needs a limit", "skipped: needs a limit"),
        (Status.EXPECTED_FAILURE, 3, "", "expected failure"),
        (Status.FAILED, 3, "differ", "failed"),
        (Status.ERROR, 0, "parse", "error"),
        (Status.PROVED, 0, "", "proved"),
    ],
)
def test_status_label(status: Status, instances: int, message: str, label: str) -> None:
    assert render.status_label(result(1, status, instances=instances, message=message)) == label


def test_count_sentence_counts_expected_failures_as_verified() -> None:
    counts = {s.value: 0 for s in Status}
    counts.update(proved=2, checked=20, **{"expected-failure": 1}, skipped=1, failed=1)
    assert render.count_sentence(counts) == (
        "23 of 25 steps verified: 2 proved, 20 checked, 1 expected failure. 1 skipped, 1 failed."
    )


def test_notation_groups_symbols_declared_together() -> None:
    table = render.notation_table(derivation_report())
    assert table.count("<tr>") == 1 + 5  # header; j and l share a row, so do x and mu_j
    assert "index 1..k" in table and "sums to 1 over j" in table
    assert "verify-problems" in table  # the page has a failed step


def test_matrix_values_keep_their_rows() -> None:
    assert render._format_value([[1, 22], [3, 4]]) == "[ 1  22]\n[ 3   4]"
    assert render._format_value([1, 2]) == "[1, 2]"
    assert render._format_value("7/4") == "7/4"
