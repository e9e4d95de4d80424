"""Mutation testing: wrong edits of true pairs must come back failed.

The fixture page tests/pages/mutation/identities.md holds true identities with
something for every kind of edit to act on. A fixed sample of its mutants runs
through the checker: every mutant must be killed (failed or error) or shown
equivalent by the stronger check, with a reason. The renderer that writes
edited trees back as LaTeX is tested on every side of every page we have, and
the stronger check is tested on a false pair that the checker is known to pass
(so a surviving non-equivalent mutant is reported, not excused).
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from verify.deciding.tasks import PairTask
from verify.latex.parser import LatexError, parse_latex
from verify.latex.printer import round_trip as render
from verify.latex.printer import round_trips
from verify.model import Declaration, Directive, Relation, Span
from verify.mutation.mutants import KINDS, context_for, edits
from verify.mutation.mutate import (
    Mutant,
    mutants_of,
    mutate,
    mutation_task,
    passing_pairs,
    run_mutants,
    strictly_equal,
    strong_check,
)
from verify.reading.markdown import extract_page
from verify.reading.notation import declare
from verify.running.check import CheckOptions

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).resolve().parents[1] / "pages" / "mutation" / "identities.md"
PAGES = sorted(
    p for folder in ("docs", "tests/pages/corpus", "tests/pages/mutation", "tests/pages/soundness")
    for p in (ROOT / folder).rglob("*.md")
)  # fmt: skip
SAMPLE = 80


def _notation() -> list[Declaration]:
    symbols = {
        "n": "size", "j, l": "index 1..3", "A, B": "matrix(n, n)",
        "S": "matrix(n, n), symmetric", "x": "vector(n)", "\\mu_j": "vector(n)", "a, b": "scalar",
    }  # fmt: skip
    return declare(symbols, {}, 1)


def _edits(text: str) -> dict[str, list[str]]:
    tree = parse_latex(text)
    ctx = context_for(tree, _notation(), [])
    out: dict[str, list[str]] = {}
    for edit in edits(tree, ctx):
        out.setdefault(edit.kind, []).append(render(edit.tree).replace(" ", ""))
    return out


# ----------------------------------------------------------------- rendering


def test_every_side_of_every_page_round_trips() -> None:
    sides = 0
    for path in PAGES:
        page = extract_page(str(path), path.read_text(encoding="utf-8"))
        for pair in page.pairs:
            equation = pair.relation in ("\\implies", "\\iff")
            for span in (pair.lhs, pair.rhs):
                try:
                    tree = parse_latex(span.text, equation=equation)
                except (LatexError, RecursionError):
                    continue
                sides += 1
                assert round_trips(tree, equation), f"{path}:{pair.line}: {span.text!r}"
    assert sides > 500


@pytest.mark.parametrize(
    "text",
    [r"\left|x\right|", r"{a+b}c", r"x'^{2}_{j}", r"\frac{a}{b}^{2}", r"-(-a)", r"a + -b",
     r"\operatorname{tr}(A)", r"A^{\mathrm{T}}", r"\sum_{j \ne l} a", r"\hat{\mathbf{x}}",
     r"\langle a, b \rangle", r"x^{-T}", r"\begin{bmatrix} a & b \\ 1 & 2 \end{bmatrix}",
     r"\sqrt[3]{a}", r"\text{constant} + a", r"\|x\|_2^2", r"\log^2 x", r"g(x; y, z)"],
)  # fmt: skip
def test_render_round_trips(text: str) -> None:
    assert round_trips(parse_latex(text))


# -------------------------------------------------------------------- edits


def test_sign_and_drop_edits() -> None:
    found = _edits("a + b - 2x^T x")
    assert "-{a+b-2x^Tx}" in found["sign"]
    assert "-a+b-2x^Tx" in found["sign"] and "a+b+2x^Tx" in found["sign"]
    assert {"b-2x^Tx", "a-2x^Tx", "a+b"} <= set(found["drop"])


def test_coefficient_and_exponent_edits() -> None:
    found = _edits("2a^3 + a^{b}")
    assert "3a^3+a^{b}" in found["coefficient"]
    assert {"2a^4+a^{b}", "2a+a^{b}", "2a^3+a", "2a^3+a^{b+1}"} <= set(found["exponent"])


def test_transpose_inverse_and_swap_edits() -> None:
    found = _edits("(AB)^T A^{-1} S")
    assert "(AB)A^{-1}S" in found["transpose"]  # drop a transpose
    assert "(AB)^TA^{-T}S" in found["transpose"]  # inverse -> inverse transpose
    assert "(AB)^TAS" in found["inverse"]
    assert "(BA)^TA^{-1}S" in found["swap"]
    assert "(AB)^TSA^{-1}" in found["swap"]
    assert not any("S^\\top" in t for t in found["transpose"]), "S is symmetric"
    assert "(A^\\topB)^TA^{-1}S" in found["transpose"]  # add a transpose to a general A


def test_index_edits() -> None:
    found = _edits(r"\mu_j^T \mu_l")
    assert {r"\mu_l^T\mu_l", r"\mu_j^T\mu_j"} <= set(found["index"])


def test_edits_under_det_and_tr_are_marked() -> None:
    tree = parse_latex(r"\det(AB) + \operatorname{tr}(A) a")
    ctx = context_for(tree, _notation(), [])
    under = {e.under for e in edits(tree, ctx) if e.kind == "swap"}
    assert under == {"det"}


def test_mutants_of_a_pair_are_distinct_and_differ_from_the_side() -> None:
    page = extract_page(str(FIXTURE), FIXTURE.read_text(encoding="utf-8"))
    for pair in page.pairs:
        mutants = mutants_of(mutation_task(page, pair))
        texts = [(m.side, m.text) for m in mutants]
        assert len(texts) == len(set(texts))
        for m in mutants:
            assert m.text != render(parse_latex(m.original))


# ------------------------------------------------------------ stronger check


def test_strictly_equal_has_no_tolerance() -> None:
    import sympy as sp

    assert strictly_equal(sp.sin(3) ** 2 + sp.cos(3) ** 2, 1)
    assert strictly_equal(sp.log(6), sp.log(2) + sp.log(3))
    assert not strictly_equal(sp.sin(sp.Rational(1, 10**30)), sp.Rational(1, 10**30))
    assert not strictly_equal(sp.exp(1000) + 1, sp.exp(1000))
    assert not strictly_equal(sp.Rational(1, 2**99), sp.Rational(1, 2**98))
    assert strictly_equal(sp.ImmutableMatrix([[1, 2]]), sp.ImmutableMatrix([[1, 2]]))
    assert not strictly_equal(sp.ImmutableMatrix([[1, 2]]), sp.ImmutableMatrix([[1, 3]]))


def test_a_false_survivor_is_reported_not_excused() -> None:
    """e^{1000} + 1 = e^{1000} passes the checker today; the stronger check finds it."""
    declarations = declare({"x": "scalar"}, {}, 1)
    span = Span("e^{1000}", ((1, 1),))
    task = PairTask(file="t.md", line=1, relation=Relation.EQUAL, lhs=span,
                    rhs=Span("e^{1000} + 1", ((1, 1),)), directive=Directive(),
                    declarations=declarations)  # fmt: skip
    survivor = Mutant("t.md", 1, "=", "rhs", "drop", "add 1", "e^{1000}", "e^{1000} + 1", task)
    killed = Mutant("t.md", 1, "=", "rhs", "exponent", "1000 → 1001", "e^{1000}", "e^{1001}",
                    replace(task, rhs=Span("e^{1001}", ((1, 1),))))  # fmt: skip
    run_mutants([survivor, killed], workers=1, timeout=20)
    assert killed.verdict == "killed-failed"
    if survivor.status == "failed":  # the checker's tolerance was fixed
        assert survivor.verdict == "killed-failed"
    else:
        assert survivor.verdict == "survived"
        assert survivor.reason.startswith("NOT equivalent")


def test_the_stronger_check_honours_the_givens(tmp_path: Path) -> None:
    """`a x = x` holds where `a = 1` is given. Bare draws ignore the given and would
    call the true step false; the checker's plans at fresh seeds honour it."""
    page = tmp_path / "given.md"
    page.write_text("---\nsymbols:\n  a, x: scalar\n---\n\n<!-- verify: given a = 1 -->\n"
                    "$$\na x = x\n$$\n", encoding="utf-8")  # fmt: skip
    (task,) = passing_pairs([page], CheckOptions(cache_dir=None, workers=1))
    true = strong_check(task)
    assert true["holds"] is True and "fresh seeds" in true["evidence"], true
    false = strong_check(replace(task, rhs=Span("2 x", task.rhs.line_starts)))
    assert false["holds"] is False and false["evidence"].startswith("fails at fresh seed"), false


# ------------------------------------------------------------- the fixture


@pytest.fixture(scope="module")
def outcome():  # type: ignore[no-untyped-def]
    return mutate([FIXTURE], size=SAMPLE, seed=6, workers=2, timeout=20)


def test_fixture_sample_covers_every_kind(outcome) -> None:  # type: ignore[no-untyped-def]
    page = extract_page(str(FIXTURE), FIXTURE.read_text(encoding="utf-8"))
    assert outcome.pairs == len(page.pairs) >= 15, "every pair of the fixture must be true"
    assert len(outcome.mutants) == SAMPLE
    assert {m.kind for m in outcome.mutants} == set(KINDS)


def test_fixture_mutants_are_all_killed_or_equivalent(outcome) -> None:  # type: ignore[no-untyped-def]
    survivors = [f"{m.line} {m.side}: {m.original} -> {m.text}: {m.reason}"
                 for m in outcome.survived]  # fmt: skip
    assert not survivors, "\n".join(survivors)
    assert outcome.kill_rate == 1.0
    assert outcome.killed >= SAMPLE * 0.8
    for m in outcome.equivalent:
        assert m.reason and "fresh instances" in m.reason


def test_fixture_outcome_as_json(outcome) -> None:  # type: ignore[no-untyped-def]
    data = outcome.to_json()
    assert data["mutants"] == SAMPLE and data["survived"] == 0 and data["kill_rate"] == 1.0
    assert sum(data["verdicts"].values()) == SAMPLE
    json.dumps(data)


def test_command_line(tmp_path: Path) -> None:
    out = tmp_path / "mutation.json"
    done = subprocess.run(
        [sys.executable, "-m", "verify.mutation", str(FIXTURE), "--sample", "12", "--seed", "3",
         "--workers", "2", "--json", str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "kill rate 100%" in done.stdout
    assert json.loads(out.read_text(encoding="utf-8"))["mutants"] == 12
