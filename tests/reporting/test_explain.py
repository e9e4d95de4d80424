"""`verify explain` shows the reading: every operand of every operator in brackets."""

from __future__ import annotations

from pathlib import Path

from verify.reporting.explain import explain

PAGE = """---
title: t
symbols:
  x, a, b: scalar
  n: size
  v: vector(n)
  A: matrix(n, n)
---

$$
\\frac{d}{dx}(x^2)\\, e^x = 2x e^x
$$

$$
\\nabla_v v^T A v + v \\sum_{i=1}^{n} i\\, a/b = (A + A^T) v + v \\sum_{i=1}^{n} i\\, a/b
$$

$$
\\sin^{-1} a + \\max(a, b) + 1\\{a < b\\} = \\arcsin a + \\max(a, b) + 1\\{a < b\\}
$$
"""


def understood(tmp_path: Path, line: int) -> dict[str, str]:
    path = tmp_path / "page.md"
    path.write_text(PAGE, encoding="utf-8")
    out = explain(path, line)
    rows = [r.strip().split(" as understood: ") for r in out.splitlines() if "understood:" in r]
    return {side: text for side, text in rows}


def test_a_derivative_shows_the_group_it_applies_to(tmp_path: Path) -> None:
    sides = understood(tmp_path, 11)
    assert sides["lhs"] == "(∂/∂x [x^{2}]) · (\\exp(x))"
    assert sides["rhs"] == "(2 · x) · (\\exp(x))"


def test_operators_show_their_whole_operand(tmp_path: Path) -> None:
    lhs = understood(tmp_path, 15)["lhs"]
    assert lhs.startswith("∂/∂v [((v^T) · A) · v]")
    assert "\\sum_{i=1}^{n} [(i · a) / b]" in lhs


def test_known_functions_show_their_names(tmp_path: Path) -> None:
    lhs = understood(tmp_path, 19)["lhs"]
    assert lhs == "\\arcsin(a) + \\max(a, b) + 1\\{a < b\\}"
