"""Every relation a reader sees is found, and every display block is read.

Relations inside decorations (`\\boxed`, `\\color`, plain braces), in the
environments `array`, `eqnarray*`, `multline*`, `gather*`, and a second
equation after `\\quad\\text{and}\\quad` or `,\\quad` become pairs; a block
that does not parse is an error at its place, relation or not; only the
definition forms of contract §3 define, and a name that already has a
meaning cannot be defined again.
"""

from __future__ import annotations

from verify import CheckOptions, Status, check_page
from verify.model import Relation
from verify.reading.markdown import extract_page

OPTIONS = CheckOptions(timeout=10.0, workers=1, cache_dir=None)
HEAD = """---
title: t
symbols:
  a, b: scalar
  \\theta: scalar
---

"""


def page(*blocks: str) -> str:
    return HEAD + "\n".join(f"$$\n{b}\n$$\n" for b in blocks)


def sides(text: str) -> list[tuple[str, str, str]]:
    found = extract_page("t.md", text)
    assert not found.problems, [p.message for p in found.problems]
    return [(p.lhs.text.strip(), str(p.relation), p.rhs.text.strip()) for p in found.pairs]


def test_relations_inside_decorations_are_pairs() -> None:
    assert sides(page("\\boxed{a = b}")) == [("a", "=", "b")]
    assert sides(page("\\color{red}{a = b}")) == [("a", "=", "b")]
    assert sides(page("\\textcolor{red}{a = b}")) == [("a", "=", "b")]
    assert sides(page("{\\color{red} a = b}")) == [("a", "=", "b")]
    assert sides(page("{a = b}")) == [("a", "=", "b")]
    assert sides(page("a = \\boxed{b + 1}")) == [("a", "=", "b + 1")]


def test_arguments_keep_their_braces() -> None:
    assert sides(page("\\sum_{i=1}^{3} i = 6")) == [("\\sum_{i=1}^{3} i", "=", "6")]
    assert sides(page("x^{a = b} = 1")) == [("x^{a = b}", "=", "1")]


def test_relations_in_row_environments_are_pairs() -> None:
    array = "\\begin{array}{rcl}\na &=& b \\\\\n&=& 1\n\\end{array}"
    assert sides(page(array)) == [("a", "=", "b"), ("b", "=", "1")]
    eqnarray = "\\begin{eqnarray*}\na &=& b\n\\end{eqnarray*}"
    assert sides(page(eqnarray)) == [("a", "=", "b")]
    gather = "\\begin{gather*}\na = b \\\\\nb = 1\n\\end{gather*}"
    assert sides(page(gather)) == [("a", "=", "b"), ("b", "=", "1")]
    multline = "\\begin{multline*}\na + b \\\\\n= b + a\n\\end{multline*}"
    [(lhs, relation, rhs)] = sides(page(multline))
    assert (lhs.split(), relation, rhs) == (["a", "+", "b"], "=", "b + a")


def test_an_array_inside_a_side_is_a_matrix() -> None:
    text = page("\\left(\\begin{array}{cc} a & 0 \\\\ 0 & b \\end{array}\\right) = 1")
    [(lhs, _, _)] = sides(text)
    assert "begin{array}" in lhs


def test_a_second_equation_on_a_row_is_its_own_pair() -> None:
    assert sides(page("a = a \\quad\\text{and}\\quad b = b")) == [("a", "=", "a"), ("b", "=", "b")]
    assert sides(page("a = a, \\quad b = b")) == [("a", "=", "a"), ("b", "=", "b")]
    assert sides(page("a = a \\qquad b = b")) == [("a", "=", "a"), ("b", "=", "b")]
    # prose after \quad\text{…} is a justification, a side condition is a condition
    assert sides(page("a = a \\quad \\text{for all } a")) == [("a", "=", "a")]
    assert sides(page("a = a \\quad (a \\ne b)")) == [("a", "=", "a")]


def test_a_false_second_equation_fails() -> None:
    report = check_page("t.md", OPTIONS, text=page("a + b = b + a \\quad\\text{and}\\quad a = b"))
    assert [r.status for r in report.results] == [Status.PROVED, Status.FAILED]


def test_an_indicator_condition_does_not_split_the_row() -> None:
    assert sides(page("1\\{a = b\\} = 1\\{b = a\\}")) == [("1\\{a = b\\}", "=", "1\\{b = a\\}")]


def test_a_block_that_does_not_parse_is_an_error_at_its_place() -> None:
    text = page("\\frac{a}{ = b", "a + (b")
    found = extract_page("t.md", text)
    problems = sorted((p.line, p.column, p.message) for p in found.problems)
    assert [(line, column) for line, column, _ in problems] == [(9, 9), (13, 7)], problems
    assert all(message.startswith("LaTeX:") for _, _, message in problems)
    report = check_page("t.md", OPTIONS, text=text)
    assert [r.status for r in report.results] == [Status.ERROR, Status.ERROR]


def test_a_display_without_a_relation_is_read_but_not_checked() -> None:
    found = extract_page("t.md", page("\\frac{a}{b} + \\sqrt{a}"))
    assert not found.problems and not found.pairs


def test_a_skipped_block_is_not_read() -> None:
    text = HEAD + '<!-- verify: skip "an integral" -->\n$$\n\\int_0^1 a\\,da\n$$\n'
    assert not extract_page("t.md", text).problems


def test_only_def_labels_define() -> None:
    defined = extract_page("t.md", page("c \\overset{\\text{def}}{=} a + b"))
    assert [d.lhs.text.strip() for d in defined.definitions] == ["c"] and not defined.pairs
    also = extract_page("t.md", page("c \\stackrel{\\mathrm{def}}{=} a"))
    assert len(also.definitions) == 1
    for label in ("\\text{(a)}", "\\triangle", "\\Delta", "\\text{by definition of } a", "!"):
        found = extract_page("t.md", page(f"a \\overset{{{label}}}{{=}} b"))
        assert [p.relation for p in found.pairs] == [Relation.EQUAL], label
        assert not found.definitions


def errors(text: str) -> list[str]:
    report = check_page("t.md", OPTIONS, text=text)
    return [r.message for r in report.results if r.status == Status.ERROR]


def test_a_name_with_a_meaning_cannot_be_defined_again() -> None:
    [declared] = errors(page("\\theta := \\theta + a"))
    assert "\\theta already has a meaning" in declared and "declared" in declared
    [itself] = errors(page("c := c + a"))
    assert "used in its own definition" in itself
    [twice] = errors(page("c := a", "c := b"))
    assert "defined on line 9" in twice
    [earlier] = errors(page("c + 0 = c", "c := a"))
    assert "used on line 9" in earlier
    assert not errors(page("c := a", "\\theta_2 := \\theta + a", "c = a"))


def test_comments_and_justifications_hold_no_second_equation() -> None:
    text = page('a = a % verify: skip "x = y, \\quad z = w"')
    assert [(p.lhs.text.strip(), p.rhs.text.strip()) for p in extract_page("t.md", text).pairs] == [
        ("a", "a")
    ]
    justified = page("\\begin{aligned}\na &= a && \\text{as } x = y, \\quad z = w\n\\end{aligned}")
    assert sides(justified) == [("a", "=", "a")]
