"""Textbook notation for the library pages of issue 19 (Fisher, ridge, naive Bayes,
MAP, mixture of experts): the pieces behind the corpus pages regions.md,
shared-letters.md, columns-and-diagonals.md, data-values.md and subsets.md.

The corpus pages show each construct verifying and each slip failing; here are
the parts those verdicts rest on: how a region is split and entered, what a
count may be tied to, which definition a subscript names, how classes and thin
orthogonal matrices are drawn, and which relations belong to a row.
"""

from __future__ import annotations

import random

import pytest
import sympy as sp

from verify import CheckOptions, PageReport, Status, check_page
from verify.deciding import counts
from verify.deciding.instances import draw, draw_subsets, matrix_value
from verify.deciding.plans import INEQUALITY_ROWS
from verify.deciding.regions import is_region, piecewise, split_region
from verify.errors import EmptyRange, TranslateError, Undefined
from verify.latex import tree as ast
from verify.latex.parser import parse_latex
from verify.meaning import terms as T
from verify.meaning.dual import Mat
from verify.meaning.parts import part_of, with_part
from verify.meaning.scope import DefinitionInfo
from verify.meaning.twins import definition_named, twin_definitions
from verify.model import Hypothesis
from verify.reading.conditioned import split
from verify.reading.declarations import read_notation
from verify.reading.layout import top_level_relations
from verify.shape import SCALAR

OPTIONS = CheckOptions(timeout=20.0, workers=1, cache_dir=None)


def check(text: str) -> PageReport:
    return check_page("page.md", OPTIONS, text=text)


def declare(symbols: dict[str, str]) -> list:  # type: ignore[type-arg]
    notation = read_notation(symbols, {}, 1)
    assert not notation.problems, [p.message for p in notation.problems]
    return notation.declarations


# ---------------------------------------------------------------- regions


def test_a_chain_is_one_region_per_relation_at_its_place() -> None:
    links = split_region(Hypothesis("-\\lambda \\le c_j \\le \\lambda", 7, 20))
    assert [r for _, r, _ in links] == ["\\le", "\\le"]
    (left, _, middle), (_, _, right) = links
    assert left.text == "-\\lambda" and middle.text == "c_j" and right.text == "\\lambda"
    assert middle.line_starts == ((7, 20 + len("-\\lambda \\le ")),)


def test_only_top_level_inequalities_make_a_region() -> None:
    assert is_region("|c_j| \\le \\lambda") and is_region("t > 0")
    assert not is_region("w = \\sum_{i=1}^{m}1\\{y^{(i)} < 2\\}x^{(i)}")


def test_an_instance_is_brought_into_the_region() -> None:
    page = (
        "---\nsymbols:\n  t: scalar\n  a: scalar, positive\n---\n"
        "<!-- verify: given t > a -->\n$$\n\\max(t - a, 0) = t - a\n$$\n"
    )
    result = next(iter(check(page).verdicts.values()))
    assert result.status is Status.CHECKED and "under the given t > a" in result.method
    # a piecewise step: as many rows as an inequality (`plans.INEQUALITY_ROWS`)
    assert result.instances >= INEQUALITY_ROWS


def test_piecewise_terms_are_recognised() -> None:
    x = T.Ref("x")
    assert piecewise([T.Known("max", [x, T.Number(sp.Integer(0))])])
    assert piecewise([T.MatrixFunction("abs", x)])
    assert not piecewise([T.Apply("log", x)])


# ------------------------------------------------------------------ counts


def test_only_a_size_that_no_shape_uses_can_be_a_count() -> None:
    declarations = declare({"m, n, m_1": "size", "x": "vector(n)"})
    assert counts.free_sizes(declarations) == {"m", "m_{1}"}


def test_a_count_of_zero_is_not_admissible() -> None:
    env = T.Env({"m_{1}": 3}, {}, {}, {}, {})
    zero = T.Number(sp.Integer(0))
    with pytest.raises(Undefined):
        counts.settle("m_{1}", zero, env, env)
    assert counts.settle("m_{1}", T.Number(sp.Integer(2)), env, env).sizes["m_{1}"] == 2


# ------------------------------------------------------------------ shared letters


def _definition(base: str, subscripts: list[str], order: int) -> DefinitionInfo:
    return DefinitionInfo(base, subscripts, [], [], ast.Atom("NUMBER", "1"), order, order)


def test_two_definitions_of_a_letter_are_told_apart_by_their_indices() -> None:
    named, twins = twin_definitions([_definition("h", ["k"], 1), _definition("h", ["n", "k"], 2)])
    assert set(named) == {"h", "h_nk"}
    assert definition_named(twins["h"], parse_latex("{nk}"), 0) == "h_nk"
    assert definition_named(twins["h"], parse_latex("{k}"), 0) == "h"
    with pytest.raises(TranslateError, match="comma"):
        definition_named(twins["h"], parse_latex("{12}"), 0)


def test_a_condition_in_a_name_is_split_off_unless_it_names_the_index() -> None:
    assert split("j|y=1", {"j"}) == ("j", "y=1")
    assert split("t|t-1", {"t"}) is None  # `\mu_{t|t-1}` stays one literal name
    assert split("t|t=1", {"t"}) is None
    assert split("j|y=1", set()) is None


# ------------------------------------------------------------------ parts and draws


def test_columns_and_diagonal_entries_are_views() -> None:
    whole = Mat([[1, 2], [3, 4], [5, 6]])
    assert list(part_of(whole, "columns", (2,), "U")) == [2, 4, 6]
    assert part_of(Mat([[1, 2], [3, 4]]), "diagonal", (2,), "D") == 4
    changed = with_part(whole, "columns", (1,), Mat([[7], [8], [9]]))
    assert list(part_of(changed, "columns", (1,), "U")) == [7, 8, 9]


def test_a_thin_orthogonal_matrix_has_orthonormal_columns() -> None:
    rng = random.Random(4)
    u = matrix_value(rng, 4, 2, ("orthogonal",))
    assert u.shape == (4, 2) and u.T * u == sp.eye(2)
    with pytest.raises(EmptyRange):
        matrix_value(rng, 2, 4, ("orthogonal",))


def test_thin_and_square_instances_both_come_up() -> None:
    declarations = declare({"N, p": "size", "U": "matrix(N, p), orthogonal"})
    shapes = set()
    for plan in range(6):
        env = draw(random.Random(plan), declarations, set(), plan, False, True)
        shapes.add(env.sizes["N"] > env.sizes["p"])
        assert env.sizes["N"] >= env.sizes["p"]
    assert shapes == {True, False}


def test_classes_are_drawn_with_their_sizes() -> None:
    declarations = declare({
        "N": "size", "N_k": "size", "k": "index 1..2", "n": "index 1..N",
        "\\mathcal{C}_k": "subset of 1..N, size N_k",
    })  # fmt: skip
    env = T.Env({"N": 4}, {}, {}, {"N_k": {(1,): 1, (2,): 1}}, {})
    draw_subsets(random.Random(1), declarations, env)
    for k in (1, 2):
        members = env.families["\\mathcal{C}"][(k,)]
        assert members and set(members) <= {1, 2, 3, 4}
        assert env.families["N_k"][(k,)] == len(members)


# ------------------------------------------------------------------ reading rows


def test_a_relation_inside_brackets_belongs_to_the_name() -> None:
    row = "\\log p(x \\mid y = 1) = \\sum_{j} x_j \\le q(a < b)"
    found = [m.group() for m in top_level_relations(row, 0, len(row))]
    assert found == ["=", "\\le"]


def test_a_fraction_before_a_bracket_is_not_a_name() -> None:
    node = parse_latex("\\frac{1}{2}\\left(a + \\sum_{j=1}^{D}|t_j|\\right)")
    assert isinstance(node, ast.Product) and isinstance(node.factors[1], ast.Delimited)


def test_a_subset_is_only_the_range_of_a_sum() -> None:
    report = check(
        "---\nsymbols:\n  N: size\n  n: index 1..N\n  \\mathcal{C}: subset of 1..N\n---\n"
        "$$\n\\sum_{n \\in \\mathcal{C}}n = \\sum_{n \\in \\mathcal{C}}n\n$$\n\n"
        "$$\n\\mathcal{C} = 1\n$$\n"
    )
    statuses = {r.line: r.status for r in report.verdicts.values()}
    assert statuses == {8: Status.CHECKED, 12: Status.ERROR}


def test_an_index_of_another_range_cannot_run_over_a_subset() -> None:
    report = check(
        "---\nsymbols:\n  N, K: size\n  k: index 1..K\n  \\mathcal{C}: subset of 1..N\n"
        "---\n$$\n\\sum_{k \\in \\mathcal{C}}k = \\sum_{k \\in \\mathcal{C}}k\n$$\n"
    )
    (result,) = report.verdicts.values()
    assert result.status is Status.ERROR and "runs over 1..K" in result.message


def test_the_shape_of_a_scalar_family_member_is_scalar() -> None:
    assert T.Ref("x", [], family=True).shape == SCALAR
