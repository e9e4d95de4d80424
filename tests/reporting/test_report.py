"""Diagnostics a contributor can act on: carets, matrices, similar names, shapes, differences."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from verify import CheckOptions, Result, Status, check_page
from verify.reporting.diagnose import context_lines
from verify.reporting.report import (
    counterexample_lines,
    format_value,
    github_annotation,
    headline,
    problem_lines,
    summary_line,
)

PAGE = """\
---
title: "Diagnostics"
symbols:
  n: size
  j, l: index 1..3
  x, y: vector(n)
  A, B: matrix(n, n)
  \\Sigma_j: matrix(n, n), symmetric, positive-definite
  \\mu_j: vector(n)
---

$$
(a + b)^2 = a^2 + 2ab + b^2)
$$

$$
\\Sigm_l = A
$$

$$
A + x = x + A
$$

$$
A B x + x = B A x + x
$$

$$
a^2 + 2ab + b^2 + c = (a + b)^2 + 2c
$$

$$
x^T A = A x
$$

$$
\\nabla_{x} x^T A x + x^T x = 2 A x
$$
"""


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Result]:
    folder = tmp_path_factory.mktemp("page")
    page = folder / "page.md"
    page.write_text(PAGE, encoding="utf-8")
    report = check_page(page, CheckOptions(cache_dir=None))
    results = {}
    for r in report.results:
        r.file = str(page)  # absolute, so the diagnostics find the page from any folder
        results[r.line] = r
    return results


def test_parse_error_has_the_line_and_a_caret_under_the_column(answers: dict[int, Result]) -> None:
    result = answers[13]
    lines = problem_lines(result)
    assert re.fullmatch(r".*page\.md:13:28: error: LaTeX: unexpected '\)'", lines[0])
    assert lines[1] == "    (a + b)^2 = a^2 + 2ab + b^2)"
    assert lines[2] == "    " + " " * 27 + "^"
    assert lines[1][lines[2].index("^")] == ")"


def test_mistyped_symbol_lists_the_declared_patterns_it_resembles(
    answers: dict[int, Result],
) -> None:
    result = answers[17]
    assert result.status == Status.ERROR
    lines = context_lines(result)
    assert lines[0] == "    declared patterns that resemble \\Sigm_l:"
    assert lines[1].strip().startswith("\\Sigma_j: matrix(n, n), symmetric, positive-definite")
    assert "(line 8)" in lines[1]


def test_shape_error_names_both_operands_and_their_shapes(answers: dict[int, Result]) -> None:
    result = answers[21]
    assert "matrix(n, n)" in result.message and "vector(n)" in result.message
    assert context_lines(result) == [
        "    shapes:",
        "      A  is  matrix(n, n)",
        "      x  is  vector(n)",
    ]


def test_shape_error_names_whole_terms_not_their_last_factor(answers: dict[int, Result]) -> None:
    result = answers[37]
    assert result.message == "cannot add a vector(n) and a scalar"
    assert context_lines(result) == [
        "    shapes:",
        "      \\nabla_{x} x^{T} A x  is  vector(n)",
        "      x^{T} x  is  scalar",
    ]


def test_sides_of_different_shapes_are_both_shown(answers: dict[int, Result]) -> None:
    lines = context_lines(answers[33])
    assert lines == ["    shapes:", "      x^{T} A  is  matrix(1, n)", "      A x  is  vector(n)"]


def test_failed_pair_shows_the_instance_both_values_and_matrices(
    answers: dict[int, Result],
) -> None:
    result = answers[25]
    assert result.status == Status.FAILED
    text = "\n".join(problem_lines(result))
    assert "counterexample at n = " in text
    assert re.search(r"^      A = \[ .* \]$", text, re.M)  # first row beside the name
    assert re.search(r"^          \[ .* \]$", text, re.M)  # later rows aligned under it
    assert re.search(r"^    lhs = \(.*\)ᵀ$", text, re.M)
    assert re.search(r"^    rhs = \(.*\)ᵀ$", text, re.M)


def test_failed_pair_shows_the_smallest_parts_that_differ(answers: dict[int, Result]) -> None:
    lines = context_lines(answers[25])
    assert lines[0] == "    the sides first differ in:"
    assert "      lhs part: A B" in lines
    assert "      rhs part: B A" in lines


def test_terms_that_cancel_as_a_group_are_left_out(answers: dict[int, Result]) -> None:
    lines = context_lines(answers[29])
    # (a + b)^2 and a^2 + 2ab + b^2 cancel; what is left on the left is c, or a
    # group equal to it at this instance (values can coincide), never the square.
    assert lines[0] == "    the sides first differ in:"
    assert lines[1] in ("      lhs part: c", "      lhs part: a^{2} + 2 a b + b^{2}")
    assert "      rhs part: 2 c" in lines
    assert not any("(a + b)" in line for line in lines)


def test_matrix_columns_are_aligned() -> None:
    assert format_value([["1", "-5/2"], ["10", "3"]]) == ["[  1  -5/2 ]", "[ 10     3 ]"]
    assert format_value(["1/2", 3]) == ["(1/2, 3)ᵀ"]
    assert format_value("7/3") == ["7/3"]


def test_counterexample_lines_name_the_instance_then_the_sides() -> None:
    cx = {
        "sizes": {"n": 2},
        "indices": {"j": 1},
        "values": {"A": [[1, 2], [3, 4]], "b": 5},
        "lhs": 1,
        "rhs": 2,
    }
    assert counterexample_lines(cx) == [
        "    counterexample at n = 2, j = 1:",
        "      A = [ 1  2 ]",
        "          [ 3  4 ]",
        "      b = 5",
        "    lhs = 1",
        "    rhs = 2",
    ]


def test_headline_is_the_contract_line() -> None:
    result = Result("docs/a.md", 4, "=", "a", "b", Status.FAILED, message="the sides differ")
    assert headline(result) == "docs/a.md:4: failed: the sides differ"
    result.column = 7
    assert headline(result) == "docs/a.md:4:7: failed: the sides differ"


def test_github_annotation_escapes_properties_and_data() -> None:
    result = Result(
        "docs/a,b.md", 4, "=", "a", "b", Status.ERROR, message="50% wrong\nsee: x", column=3
    )
    line = github_annotation(result, ["    shapes:", "      A  is  matrix(n, n)"])
    assert line == (
        "::error file=docs/a%2Cb.md,line=4,col=3,title=verify error"
        "::50%25 wrong%0Asee: x%0Ashapes:%0A  A  is  matrix(n, n)"
    )


def test_summary_line_counts_statuses() -> None:
    results = [Result("f", 1, "=", "a", "a", s) for s in (Status.PROVED, Status.FAILED)]
    assert summary_line(results) == "2 pairs: 1 proved, 1 failed"
    assert summary_line([]) == "0 pairs: nothing to check"


def test_a_diagnosis_of_a_missing_page_is_empty(tmp_path: Path) -> None:
    result = Result(
        str(tmp_path / "gone.md"),
        1,
        "=",
        "a",
        "b",
        Status.ERROR,
        message="unknown command \\x",
        column=1,
    )
    assert context_lines(result) == []
