"""Repairs: the edits after which a failed step verifies, and only those.

The fixture tests/pages/mutation/slips.md holds slips of every kind the
search knows, each followed by the step that was meant: that step must come
back among the first three repairs. Every repair found on the fixture pages
is decided again, independently, as a plain step, and must verify; a search
whose `decide` verifies nothing shows nothing; and one whose `decide` is made
to pass everything still shows only steps that hold where the step failed.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from verify.deciding.decide import decide
from verify.deciding.tasks import PairTask, task_for
from verify.errors import OutOfTime
from verify.latex.parser import parse_latex
from verify.limits import time_limit
from verify.model import Change, Directive, Pair, Relation, Repair, Result, Span, Status
from verify.mutation import repair as repair_module
from verify.mutation.fixes import side_fixes
from verify.mutation.mutants import context_for
from verify.mutation.recall import _meant, _rank
from verify.mutation.repair import decide_and_repair, find_repairs
from verify.mutation.surgery import powers_in, readable
from verify.reading.markdown import extract_page
from verify.reading.notation import declare, parse_value

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "tests" / "pages"
SLIPS = PAGES / "mutation" / "slips.md"
SECONDS = 60.0  # the tests judge what is found, not how fast: no budget cut-offs


def _wrong_steps(path: Path) -> list[tuple[PairTask, Pair, list[Pair]]]:
    page = extract_page(str(path), path.read_text(encoding="utf-8"))
    return [(task_for(page, p), p, page.pairs) for p in page.pairs if p.directive.expect_fail]


def _notation() -> list[Any]:
    return declare({"n, m, k": "size", "j, l": "index 1..k", "A, B": "matrix(n, n)",
                    "S": "matrix(n, n), symmetric", "x, y": "vector(n)",
                    "\\Sigma_j": "matrix(n, n), symmetric", "a": "scalar"}, {}, 1)  # fmt: skip


def _fixes(text: str) -> dict[str, list[str]]:
    tree = parse_latex(text)
    found: dict[str, list[str]] = {}
    for fix in side_fixes(tree, "rhs", context_for(tree, _notation(), [])):
        found.setdefault(fix.kind, []).append(f"{fix.before} -> {fix.after}")
    return found


def _task(lhs: str, rhs: str) -> PairTask:
    return PairTask(file="t.md", line=1, relation=Relation.EQUAL, lhs=Span(lhs, ((1, 1),)),
                    rhs=Span(rhs, ((1, 10),)), directive=Directive(),
                    declarations=_notation())  # fmt: skip


def _corrected(task: PairTask, repair: Repair) -> PairTask:
    """The step as the repair says it holds: sides replaced, properties added."""
    sides = {"lhs": task.lhs, "rhs": task.rhs}
    declarations = list(task.declarations)
    for change in repair.changes:
        if change.side == "notation":
            name, _, value = change.after.partition(": ")
            props = parse_value(value).properties
            assert any(d.key == name for d in declarations)
            declarations = [replace(d, properties=props) if d.key == name else d
                            for d in declarations]  # fmt: skip
        else:
            sides[change.side] = Span(change.latex, sides[change.side].line_starts)
    return replace(task, lhs=sides["lhs"], rhs=sides["rhs"], declarations=declarations,
                   directive=Directive(wrt=task.directive.wrt))  # fmt: skip


# -------------------------------------------------------------- edit kinds


def test_index_fixes_rename_one_place_or_every_free_one() -> None:
    found = _fixes(r"x^T \Sigma_j x + y^T \Sigma_j y")
    assert r"\Sigma_j -> \Sigma_l" in found["index"]
    assert r"\Sigma_j -> \Sigma_l" in found["rename"]  # both places at once


def test_a_bound_index_is_not_renamed_everywhere() -> None:
    found = _fixes(r"\sum_{j=1}^{k} a \Sigma_j + \Sigma_j")
    assert "rename" not in found
    assert r"\Sigma_j -> \Sigma_l" in found["index"]


def test_size_transpose_inverse_and_order_fixes() -> None:
    found = _fixes(r"\frac{1}{k} A^{-1} B^T (A B)^T")
    assert "k -> m" in found["size"] and "k -> n" in found["size"]
    assert "A^{-1} -> A^{-T}" in found["transpose"]
    assert "B^T -> B" in found["transpose"]
    assert "B^T -> B^{-T}" in found["inverse"]
    assert "A -> A^T" in found["transpose"]  # inside (AB)
    assert any(f.endswith("(A B)^T B^T A^{-1}") for f in found["order"])  # matrices reversed


def test_sign_and_factor_fixes() -> None:
    found = _fixes(r"2 S x - \frac{1}{2} y")
    assert "2 S x - \\frac{1}{2} y -> -(2 S x - \\frac{1}{2} y)" in found["sign"]
    assert "2 S x -> S x" in found["factor"]
    assert "\\frac{1}{2} y -> y" in found["factor"]
    assert "2 S x - \\frac{1}{2} y -> 2 S x" in found["drop"]


def test_a_power_written_elsewhere_in_the_step_may_be_missing() -> None:
    lhs, rhs = parse_latex(r"\frac{1}{2 \sigma^2} a + e^{-t}"), parse_latex(r"\frac{a}{\sigma} + e")
    powers = powers_in([lhs, rhs], _notation())
    fixes = side_fixes(rhs, "rhs", context_for(rhs, _notation(), []), powers)
    assert {(f.before, f.after) for f in fixes if f.kind == "exponent"} >= {
        ("\\sigma", "\\sigma^2"), ("e", "e^{-t}")}  # fmt: skip


def test_a_symmetric_matrix_gets_no_transpose() -> None:
    found = _fixes(r"S x + \Sigma_j x")
    assert not any("S^T" in f or "Sigma_j^T" in f for f in found.get("transpose", []))


def test_readable_latex_reads_back_as_the_same_tokens() -> None:
    tree = parse_latex(r"\nabla_{\mu_l}(x^{(i)}-\mu_l)^T\Sigma_l^{-1}(x^{(i)}-\mu_l)")
    assert readable(tree) == r"\nabla_{\mu_l} (x^{(i)} - \mu_l)^T \Sigma_l^{-1} (x^{(i)} - \mu_l)"


# ------------------------------------------------------------ the search


@pytest.mark.parametrize("wrong", _wrong_steps(SLIPS), ids=lambda w: f"line-{w[1].line}")
def test_the_meant_step_is_among_the_first_three(wrong: tuple[PairTask, Pair, list[Pair]]) -> None:
    task, pair, pairs = wrong
    meant = _meant(pairs, pair)
    assert meant, "the fixture gives the meant step after each slip"
    search = find_repairs(task, seconds=SECONDS)
    repairs = [r.to_json() for r in search.repairs]
    ranks = [_rank(task, repairs, lhs, rhs) for lhs, rhs in meant]
    assert any(r is not None and r <= 3 for r in ranks), [r["latex"] for r in repairs]


SOUNDNESS_PAGES = [SLIPS, ROOT / "docs" / "gmm" / "common-mistakes.md",
                   *sorted((PAGES / "soundness").glob("*.md"))]  # fmt: skip


@pytest.mark.parametrize("path", SOUNDNESS_PAGES, ids=lambda p: p.name)
def test_every_repair_verifies_when_decided_again(path: Path) -> None:
    """Never a suggestion that does not itself verify."""
    shown = 0
    for task, _, _ in _wrong_steps(path):
        for repair in find_repairs(task, seconds=SECONDS).repairs:
            again = decide(_corrected(task, repair))
            assert again.status.is_verified, (task.line, repair.to_json(), again.message)
            assert again.status == repair.status
            shown += 1
    if path == SLIPS:
        assert shown >= 15


def test_nothing_is_shown_when_decide_verifies_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def fails(task: PairTask) -> Result:
        return Result("t.md", 1, "=", "", "", Status.FAILED)

    monkeypatch.setattr(repair_module, "decide", fails)
    assert find_repairs(_task("x^T A y", "y^T A x"), seconds=SECONDS).repairs == []


def test_a_lucky_verdict_is_not_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a `decide` that passes everything, only steps that hold where the
    original step failed (and at its other instances) can be shown."""

    def passes(task: PairTask) -> Result:
        return Result("t.md", 1, "=", "", "", Status.CHECKED)

    monkeypatch.setattr(repair_module, "decide", passes)
    # An implication: no first look, so every candidate reaches `decide`.
    task = replace(_task("2 a = 4", "a = 3"), relation=Relation.IMPLIES)
    search = find_repairs(task, seconds=SECONDS)
    refuted = [t for t in search.tried if t.status == "refuted"]
    assert search.repairs and refuted
    for repair in search.repairs:
        assert decide(_corrected(task, repair)).status.is_verified, repair.to_json()


def test_an_unrepairable_step_gets_none_and_says_why() -> None:
    search = find_repairs(_task("(a + 1)^2", "a^2 + 7"), seconds=SECONDS)
    assert search.repairs == [] and search.decided + search.rejected == len(search.tried) > 0


def test_the_search_keeps_to_its_budget() -> None:
    task, _, _ = _wrong_steps(PAGES / "soundness" / "mutants-e-step.md")[0]
    started = time.perf_counter()
    search = find_repairs(task, seconds=0.3)
    assert time.perf_counter() - started < 10.0  # generous: a loaded machine is slow
    assert search.stopped
    started = time.perf_counter()
    search = find_repairs(task, seconds=SECONDS, wall=0.5)  # the clock, for the worker
    assert time.perf_counter() - started < 8.0
    assert search.stopped.startswith(repair_module.CLOCK)


def test_the_worker_leaves_a_short_time_limit_to_the_verdict() -> None:
    task = _task("x^T A y", "y^T A x")
    assert decide_and_repair(task, timeout=0.2).repairs == []
    result = decide_and_repair(task, timeout=30.0)
    assert result.status == Status.FAILED and result.repairs
    assert result.repairs[0].changes[0].after == "A^T"


def test_an_inner_time_limit_keeps_the_outer_one() -> None:
    started = time.monotonic()
    with pytest.raises(OutOfTime), time_limit(0.5):
        with pytest.raises(OutOfTime), time_limit(0.1):
            time.sleep(1)
        time.sleep(2)
    assert time.monotonic() - started < 1.5


# ----------------------------------------------------------------- the model


def test_repairs_in_the_json_shape_of_the_contract() -> None:
    change = Change("rhs", 42, 23, "\\Sigma_j", "\\Sigma_l", "x^T \\Sigma_l x", "index", 3)
    notation = Change("notation", 7, None, "A: matrix(n, n)", "A: matrix(n, n), symmetric",
                      "A: matrix(n, n), symmetric", "property")  # fmt: skip
    result = Result("p.md", 42, "=", "a", "b", Status.FAILED,
                    repairs=[Repair((change,), Status.CHECKED),
                             Repair((change, notation), Status.PROVED)])  # fmt: skip
    data = result.to_json()
    first = data["repairs"][0]
    assert {"side", "column", "from", "to", "latex"} <= set(first)
    assert (first["side"], first["column"], first["from"], first["to"]) == (
        "rhs", 23, "\\Sigma_j", "\\Sigma_l")  # fmt: skip
    assert data["repairs"][1]["also"][0]["side"] == "notation"
    assert Result.from_json(data) == result
