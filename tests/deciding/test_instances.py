"""Instance plans: what they cover, and that every drawn value has its declared properties."""

from __future__ import annotations

import itertools
import random
import time
from fractions import Fraction
from pathlib import Path

import pytest

from verify.deciding import matrices as M
from verify.deciding import values as V
from verify.deciding.decide import _try_row, plan_of
from verify.deciding.instances import draw_row
from verify.deciding.plans import SALT_VARIABLE
from verify.deciding.tasks import PairTask, task_for
from verify.deciding.trial import names_used_by
from verify.deciding.understand import refs, understand
from verify.errors import OutOfTime
from verify.limits import cpu_time_limit
from verify.reading.markdown import extract_page

MATRIX_PROPERTIES = [
    "symmetric", "positive-definite", "invertible", "orthogonal", "diagonal",
    "lower-triangular", "upper-triangular", "positive", "nonnegative", "negative", "integer",
    "nonzero", "probability",
]  # fmt: skip
SPECIAL = {Fraction(1), Fraction(-1), Fraction(1, 2), Fraction(-1, 2), Fraction(2)}


def _task(symbols: str, latex: str) -> PairTask:
    text = f"---\ntitle: t\nsymbols:\n{symbols}\n---\n\n$$\n{latex}\n$$\n"
    page = extract_page("t.md", text)
    assert not page.problems, [p.message for p in page.problems]
    return task_for(page, page.pairs[0])


def _plan(symbols: str, latex: str):  # type: ignore[no-untyped-def]
    task = _task(symbols, latex)
    u = understand(task)
    return task, u, plan_of(task, u)


@pytest.mark.parametrize(
    "properties",
    [(p,) for p in MATRIX_PROPERTIES] + list(itertools.combinations(MATRIX_PROPERTIES, 2)),
    ids=lambda props: "+".join(props),
)
def test_every_pair_of_properties_is_drawn_correctly_or_refused(
    properties: tuple[str, ...],
) -> None:
    """Each class of each size either gives a matrix with every property, or a clear error."""
    rng = random.Random("properties")
    try:
        classes = M.matrix_classes(properties)
    except V.CannotDraw as err:  # contradictory words: positive and negative
        assert all(p in err.message for p in properties), err.message
        return
    for n in range(1, 5):
        for cls in classes:
            try:
                value = M.draw_matrix(rng, n, n, cls, properties)
            except V.CannotDraw as err:
                assert all(p in err.message for p in properties), err.message
                continue
            assert M.holds(value, properties), (properties, cls, value)


def test_symmetric_orthogonal_matrices_include_reflections() -> None:
    rng = random.Random(1)
    props = ("symmetric", "orthogonal")
    drawn = [M.draw_matrix(rng, 3, 3, cls, props) for cls in M.matrix_classes(props) * 3]
    assert any(M.determinant(a) == -1 for a in drawn)
    assert any(a != [[Fraction(int(i == j)) for j in range(3)] for i in range(3)] for a in drawn)
    diagonal = [M.draw_matrix(rng, 3, 3, "wide", ("diagonal", "orthogonal")) for _ in range(5)]
    assert all(abs(a[i][i]) == 1 for a in diagonal for i in range(3))
    assert any(a[i][i] == -1 for a in diagonal for i in range(3))


def test_wide_values_have_a_small_largest_chance() -> None:
    """The Schwartz–Zippel bound: values in [-2, 2], on a grid of 1/D with D ≥ 4000."""
    assert Fraction(1, 16000) == V.POINT_CHANCE
    rng = V.Draws("grid", denominator=4321)
    values = [V.draw_scalar(rng, "wide") for _ in range(2000)]
    assert all(-2 <= v <= 2 and v != 0 and 4321 % v.denominator == 0 for v in values)
    assert len(set(values)) > 1900


def test_every_free_scalar_meets_every_class_in_an_equality() -> None:
    task, u, plan = _plan("  A: matrix(n, n)\n  n: size", "a A + b A = (a + b) A")
    for name in ("a", "b"):
        symbol = next(s for s in plan.symbols if s.name == name)
        met = {row.cls(name) for row in plan.rows}
        assert met >= {"negative", "positive", "zero", "one", "minus-one", "half", "minus-half",
                       "two"}, met  # fmt: skip
        assert set(symbol.classes) <= met
    matrix = next(s for s in plan.symbols if s.name == "A")
    assert (
        {"singular", "rank-one", "zero", "zero-diagonal"}
        <= {row.cls("A") for row in plan.rows}
        <= set(matrix.classes)
    )


def test_sizes_run_from_one_to_five_and_beyond_with_the_degree() -> None:
    symbols = "  n, m: size\n  i: index 1..m\n  A, B, C: matrix(n, n)"
    _, _, plan = _plan(symbols, "\\sum_{i=1}^{m} (AB - BA)^2 C = \\sum_{i=1}^{m} C (AB - BA)^2")
    drawn = [draw_row(plan, row).env.sizes for row in plan.rows]
    assert {s["n"] for s in drawn} >= {1, 2, 3, 4, 5} and {s["m"] for s in drawn} >= {1, 2, 3, 5}
    assert any(s["n"] != s["m"] for s in drawn)
    assert not any(s["n"] == s["m"] == 5 for s in drawn)  # the largest sizes never together
    _, _, wide = _plan("  n: size\n  U: matrix(n, 6)", "\\det(U^T U) = 0")
    assert wide.largest == 7 and 7 in {draw_row(wide, r).env.sizes["n"] for r in wide.rows}


def test_a_cheap_scalar_pair_meets_every_pair_of_classes() -> None:
    _, _, plan = _plan("  a, b: scalar", "\\sqrt{a^2 b^2} = |a| |b|")
    assert plan.design == "pairwise"
    met = {(row.cls("a"), row.cls("b")) for row in plan.rows}
    classes = ["negative", "positive", "zero", "one", "minus-one", "half", "minus-half", "two"]
    assert set(itertools.product(classes, classes)) <= met


def test_a_retry_draws_again_only_what_was_undefined() -> None:
    task, u, plan = _plan("  a, b: scalar", "\\log(a) + b = b + \\log(a)")
    row = next(r for r in plan.rows if r.cls("a") == "negative" and r.cls("b") == "negative")
    terms = [u.lhs, u.rhs]
    instance, verdict = _try_row(plan, row, u, task, refs(terms),
                                 names_used_by(terms, task.declarations), set())  # fmt: skip
    assert instance is not None and verdict is None
    assert instance.classes["b"] == "negative" and instance.env.values["b"] < 0
    assert instance.env.values["a"] > 0  # a alone was drawn again, until log a was defined


def test_the_seed_salt_changes_the_instances(monkeypatch: pytest.MonkeyPatch) -> None:
    def first_value() -> object:
        _, _, plan = _plan("  a: scalar", "a + a = 2a")
        return draw_row(plan, plan.rows[0]).env.values["a"]

    before = first_value()
    assert first_value() == before  # a verdict never depends on the run
    monkeypatch.setenv(SALT_VARIABLE, "another")
    assert first_value() != before


def test_weights_that_sum_to_one_meet_the_uniform_class_together() -> None:
    symbols = "  k: size\n  j: index 1..k\n  p_j: scalar, positive, sums to 1 over j\n" \
              "  q_j: scalar, positive, sums to 1 over j"  # fmt: skip
    _, _, plan = _plan(symbols, "\\sum_{j=1}^{k} p_j = \\sum_{j=1}^{k} q_j")
    together = [r for r in plan.rows if r.cls("p") == r.cls("q") == "uniform"]
    assert together
    env = draw_row(plan, together[0]).env
    assert env.families["p"] == env.families["q"]


def test_the_proof_budget_is_cpu_time_not_wall_time() -> None:
    with cpu_time_limit(0.2):
        time.sleep(0.5)  # waiting costs no CPU time: no limit is hit
    with pytest.raises(OutOfTime), cpu_time_limit(0.2):
        while True:
            pass


def test_soundness_pages_say_what_their_instances_covered() -> None:
    page_path = Path(__file__).resolve().parents[1] / "pages" / "soundness" / "signs.md"
    page = extract_page(str(page_path), page_path.read_text(encoding="utf-8"))
    pair = next(p for p in page.pairs if "|u|" in p.rhs.text)
    from verify.deciding.decide import decide

    result = decide(task_for(page, pair))
    assert result.status.is_verified
    assert "negative, zero and positive" in result.method
    assert "chance ≤ d/16000" in result.method
