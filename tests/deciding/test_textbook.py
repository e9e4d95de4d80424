"""Textbook notation (issue 13): what the checker says about it, pair by pair.

The corpus pages (tests/pages/corpus/literal-names.md, wholes-and-parts.md,
matrix-entries.md, hypotheses*.md, implications-between-equations.md) show each
construct verifying; here are the errors and their places (contract §5: an
error pair stands at the row of its right side, once), and the instances that
givens and literal members need.
"""

from __future__ import annotations

from verify import CheckOptions, PageReport, Result, Status, check_page

OPTIONS = CheckOptions(timeout=20.0, workers=1, cache_dir=None)


def check(text: str) -> PageReport:
    return check_page("page.md", OPTIONS, text=text)


def at(report: PageReport, line: int) -> list[Result]:
    return [r for r in report.verdicts.values() if r.line == line]


def only(report: PageReport, line: int) -> Result:
    found = at(report, line)
    assert len(found) == 1, [(r.line, r.status, r.message) for r in report.results]
    return found[0]


def test_a_bad_entry_blocks_only_the_pairs_that_use_it() -> None:
    report = check(
        "---\nsymbols:\n  n: size\n  L: matrix(n, n), lower-trangular\n  v: vector(n)\n---\n"
        "$$\nLv = Lv\n$$\n\n$$\nv + v = 2v\n$$\n"
    )
    (problem,) = report.problems
    assert problem.line == 4 and "known:" in problem.message
    blocked = only(report, 8)
    assert blocked.status is Status.ERROR
    assert "L cannot be used here" in blocked.message and "line 4" in blocked.message
    assert only(report, 12).status.is_verified


def test_a_step_after_a_failed_definition_names_it() -> None:
    report = check(
        "---\nsymbols:\n  x: scalar\n---\n$$\nf := \\frac{x}{\n$$\n\n$$\nf + 1 = 1 + f\n$$\n"
    )
    assert any(p.line == 6 for p in report.problems)
    result = only(report, 10)
    assert result.status is Status.ERROR
    assert "its definition on line 6 could not be read" in result.message


def test_an_error_stands_at_the_right_side_once() -> None:
    text = (
        "---\nsymbols:\n  x: scalar\n---\n$$\n\\begin{aligned}\nx\n"
        "&= \\frac{x}{(} \\\\\n&= x\n\\end{aligned}\n$$\n"
    )
    report = check(text)
    first, second = only(report, 8), only(report, 9)
    assert first.status is second.status is Status.ERROR
    assert first.column is not None and "(at line" not in first.message
    assert second.column is None and "(at line 8, column" in second.message
    assert sorted(r.line for r in report.verdicts.values()) == [8, 9]


def test_transpose_after_a_family_script_does_not_ask_for_an_index_t() -> None:
    report = check("---\nsymbols:\n  n: size\n  v: vector(n)\n---\n$$\nx^{(i)T}v = 0\n$$\n")
    message = only(report, 7).message
    assert "declare the family" in message and "x^{(i)}" in message
    assert "'T'" not in message


def test_a_vector_subscript_suggests_entries() -> None:
    report = check(
        "---\nsymbols:\n  m: size\n  i: index 1..m\n  v: vector(m)\n---\n$$\nv_i = v_i\n$$\n"
    )
    message = only(report, 8).message
    assert "entries v_i" in message and "i a declared index" in message


def test_an_unsatisfiable_given_is_an_error() -> None:
    report = check(
        "---\nsymbols:\n  x: scalar\n---\n<!-- verify: given x = x + 1 -->\n$$\nx = x\n$$\n"
    )
    result = only(report, 7)
    assert result.status is Status.ERROR
    assert "could not be satisfied" in result.message and "x = x + 1" in result.message


def test_a_given_that_does_not_parse_is_named() -> None:
    report = check(
        "---\nsymbols:\n  x: scalar\n---\n<!-- verify: given x = \\frac{1}{ -->\n$$\nx = x\n$$\n"
    )
    result = only(report, 7)
    assert result.status is Status.ERROR
    assert "in the given x = \\frac{1}{" in result.message and "(at line 5" in result.message


def test_a_given_changes_the_verdict_and_the_method_says_so() -> None:
    page = "---\nsymbols:\n  a, b: scalar\n---\n{directive}$$\na^2 = b^2\n$$\n"
    without = only(check(page.format(directive="")), 6)
    assert without.status is Status.FAILED
    under = only(check(page.format(directive="<!-- verify: given a = -b -->\n")), 7)
    assert under.status.is_verified, under.message
    assert "under the given a = -b" in under.method


def test_front_matter_givens_hold_on_every_step() -> None:
    report = check("---\nsymbols:\n  a, b: scalar\ngiven:\n  - a = 2b\n---\n$$\na - b = b\n$$\n")
    result = only(report, 8)
    assert result.status.is_verified and "under the given a = 2b" in result.method


def test_literal_members_get_large_enough_sizes() -> None:
    report = check(
        "---\nsymbols:\n  J: size\n  j: index 1..J\n  \\sigma: vector(J), entries \\sigma_j\n"
        "---\n$$\n\\sigma_3 + \\sigma_1 = \\sigma_1 + \\sigma_3\n$$\n"
    )
    result = only(report, 8)
    assert result.status.is_verified, result.message
    assert result.sizes and all(s["J"] >= 3 for s in result.sizes)


def test_ones_need_a_size() -> None:
    report = check("---\nsymbols:\n  m: size\n---\n$$\n\\mathbf{1}^T\\mathbf{1} = m\n$$\n")
    assert "\\mathbf{1}_m" in only(report, 6).message
    report = check("---\nsymbols:\n  m: size\n---\n$$\n\\mathbf{1}_m^T\\mathbf{1}_m = m\n$$\n")
    assert only(report, 6).status.is_verified


def test_a_bar_in_a_script_that_names_nothing_is_an_error() -> None:
    report = check("---\nsymbols:\n  x, a: scalar\n---\n$$\nx^{|a|} = x^{|a|}\n$$\n")
    message = only(report, 6).message
    assert "part of a symbol's name" in message


def test_a_given_needs_an_equation() -> None:
    report = check("---\nsymbols:\n  x: scalar\n---\n<!-- verify: given x -->\n$$\nx = x\n$$\n")
    assert any("a given is an equation" in p.message for p in report.problems)
