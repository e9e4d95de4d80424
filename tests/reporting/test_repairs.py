"""Repairs are shown wherever a failure is: console, JSON, annotations, explain, the page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from verify import CheckOptions, check_page
from verify.adapters.cli import main
from verify.model import Change, Repair, Result, Status
from verify.reporting.details import detail
from verify.reporting.explain import explain
from verify.reporting.repairs import corrected_step, holds_if, repair_items
from verify.reporting.report import github_annotation, problem_lines

PAGE = """\
---
title: "Repairs"
symbols:
  n: size
  j, l: index 1..3
  A: matrix(n, n)
  x, y: vector(n)
  \\Sigma_j: matrix(n, n), symmetric
---

$$
x^T A y = y^T A x
$$

<!-- verify: expect-fail "the index did not collapse" -->
$$
\\begin{aligned}
x^T \\Sigma_l x + y^T \\Sigma_l y
&= x^T \\Sigma_j x + y^T \\Sigma_j y
\\end{aligned}
$$
"""

INDEX = Change("rhs", 20, 8, "\\Sigma_j", "\\Sigma_l", "x^T \\Sigma_l x + y^T \\Sigma_l y",
               "rename", 2)  # fmt: skip
SYMMETRIC = Change("notation", 6, None, "A: matrix(n, n)", "A: matrix(n, n), symmetric",
                   "A: matrix(n, n), symmetric", "property")  # fmt: skip


@pytest.fixture
def page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    path = tmp_path / "repairs.md"
    path.write_text(PAGE, encoding="utf-8")
    return path


def test_sentences() -> None:
    one = Repair((INDEX,), Status.CHECKED)
    assert holds_if(one, 20) == (
        "holds if `\\Sigma_j` on the right (column 8, and 1 more place) is `\\Sigma_l`"
    )
    assert holds_if(one, 21).startswith("holds if `\\Sigma_j` on the right (line 20, column 8")
    both = Repair((INDEX, SYMMETRIC), Status.CHECKED)
    assert holds_if(both, 20).endswith(
        " and `A` is declared symmetric (`A: matrix(n, n), symmetric`, line 6)"
    )


def test_corrected_step_takes_the_changed_sides() -> None:
    result = Result("p.md", 20, "=", "x^T \\Sigma_l x", "x^T \\Sigma_j x", Status.FAILED)
    assert corrected_step(result, Repair((INDEX,), Status.CHECKED)) == (
        "x^T \\Sigma_l x", INDEX.latex)  # fmt: skip


def test_console_annotation_and_page(page: Path) -> None:
    report = check_page(page, CheckOptions(cache_dir=None))
    failed, expected = (report.verdicts[k] for k in ("line-12", "line-19"))
    assert failed.status == Status.FAILED and expected.status == Status.EXPECTED_FAILURE
    lines = problem_lines(failed)
    assert "    holds if `A` on the right (column 15) is `A^T`" in lines
    assert "holds if `A` is declared symmetric" in github_annotation(failed)
    html = detail(expected, report.page.declarations)
    assert "<dt>holds if</dt>" in html and "<dt>corrected</dt>" in html
    labels = dict(repair_items(expected))
    assert "\\Sigma_l" in labels["corrected"] and "\\Sigma_j" not in labels["corrected"]


def test_json_report_carries_the_repairs(page: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(page), "--json", "report.json", "--no-cache"]) == 1
    assert "holds if `A` on the right (column 15) is `A^T`" in capsys.readouterr().out
    pairs = json.loads(Path("report.json").read_text(encoding="utf-8"))["pairs"]
    failed = next(p for p in pairs if p["status"] == "failed")
    first = failed["repairs"][0]
    assert (first["side"], first["column"], first["from"], first["to"]) == ("rhs", 15, "A", "A^T")
    assert first["latex"] == "y^T A^T x" and first["status"] in ("proved", "checked")


def test_explain_lists_the_candidates_it_tried(page: Path) -> None:
    text = explain(page, 12)
    assert "  repairs: 3 repair(s)" in text
    assert "    holds if `A` on the right (column 15) is `A^T`" in text
    tried = text.split("candidates tried, cheapest first:\n", 1)[1].splitlines()
    assert "    [checked] rhs: A → A^T" in tried
    assert any(line.startswith("    [rejected] ") for line in tried)
