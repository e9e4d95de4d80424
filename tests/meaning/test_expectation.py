"""Random symbols and expectations, from the front matter to a value and a report.

The corpus pages (tests/pages/corpus/expectations.md and the expectation error
page) hold the identities; these tests pin down the pieces around them: how a
`random …` clause is read, how the LaTeX of a divergence and of
`\\mathbb{E}_{z \\sim q}` is tokenized, that a finite expectation enumerates only
the outcomes of the members it uses, and that the notation table and
`verify explain` show the distribution and the expectation computed.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest
import sympy as sp

from verify.errors import NotationError
from verify.latex import tree as ast
from verify.latex.parser import parse_latex
from verify.latex.printer import round_trips
from verify.meaning import terms as T
from verify.meaning.distributions import Distribution
from verify.meaning.dual import Mat
from verify.meaning.translate import Translator
from verify.model import Declaration, Page, PageReport
from verify.reading.notation import declare
from verify.reporting.explain import explain
from verify.reporting.render import notation_table

SYMBOLS = {
    "n, m, k": "size",
    "i": "index 1..m",
    "j": "index 1..k",
    "\\mu": "vector(n)",
    "\\Sigma": "matrix(n, n), symmetric, positive-definite",
    "z": "vector(n), random \\mathcal{N}(\\mu, \\Sigma)",
    "h": "scalar",
    "s": "scalar, positive",
    "x": "scalar, random \\mathcal{N}(h, s^2)",
    "p": "scalar, probability",
    "b": "scalar, random Bernoulli(p)",
    "w_j^{(i)}": "scalar, positive, sums to 1 over j",
    "v^{(i)}": "index 1..k, random \\mathrm{Categorical}(w^{(i)})",
    "g_j": "scalar",
}


def declarations() -> list[Declaration]:
    return declare(SYMBOLS, {}, 1)


def test_random_clauses_are_read_with_their_parameters() -> None:
    found = {d.key: d for d in declarations()}
    assert (found["z"].distribution, found["z"].parameters) == ("normal", ("\\mu", "\\Sigma"))
    assert (found["x"].distribution, found["x"].parameters) == ("normal", ("h", "s^2"))
    assert found["b"].distribution == "bernoulli"
    assert found["v^{(i)}"].distribution == "categorical"
    assert found["v^{(i)}"].superscripts == ("i",)
    assert found["z"].describe_kind() == "vector(n), random \\mathcal{N}(\\mu, \\Sigma)"
    assert found["v^{(i)}"].describe_kind() == "index 1..k, random Categorical(w^{(i)})"
    assert Declaration.from_json(found["z"].to_json()) == found["z"]


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("matrix(n, n), random \\mathcal{N}(0, I)", "cannot be"),
        ("scalar, random Gamma(a, b)", "unknown distribution"),
        ("scalar, random Bernoulli(a, b)", "takes 1 parameter"),
        ("vector(n), random Categorical(p)", "index 1..k"),
        ("scalar, positive, random \\mathcal{N}(0, 1)", "no properties"),
        ("scalar, random \\mathcal{N}(0, 1)(2)", "with its parameters"),
    ],
)
def test_bad_random_clauses_are_errors_at_their_key(value: str, words: str) -> None:
    with pytest.raises(NotationError, match=words) as caught:
        declare({"n": "size", "q": value}, {"q": 7}, 1)
    assert caught.value.line == 7


@pytest.mark.parametrize(
    "latex",
    [
        "\\mathrm{KL}(q \\| p)",
        "D_{\\mathrm{KL}}\\left(\\mathcal{N}(\\mu, \\Sigma) \\| \\mathcal{N}(0, I)\\right)",
        "\\mathbb{E}_{z \\sim \\mathcal{N}(\\mu, \\Sigma)}[z^TAz]",
        "\\operatorname{Cov}[a^Tz, b^Tz]",
        "\\mathrm{KL}(\\|a\\| \\| b) + \\|x\\|",
    ],
)
def test_divergences_and_stated_distributions_parse_and_print_back(latex: str) -> None:
    assert round_trips(parse_latex(latex))


def test_a_norm_inside_a_divergence_still_opens_and_closes() -> None:
    tree = parse_latex("\\mathrm{KL}(\\|a\\| \\| b)")
    assert isinstance(tree, ast.Product)
    arguments = tree.factors[1]
    assert isinstance(arguments, ast.Delimited) and arguments.separators == ["\\|"]
    assert isinstance(arguments.items[0], ast.Bars) and arguments.items[0].double


def value_at(latex: str, env: T.Env) -> Any:
    translator = Translator(declarations())
    return translator.translate(parse_latex(latex)).value(env)


def env_of(sizes: dict[str, int], values: dict[str, Any], families: dict[str, Any]) -> T.Env:
    return T.Env(sizes, {}, values, families, {})


def test_finite_expectations_enumerate_only_the_members_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []
    original = Distribution.outcomes

    def counted(self: Distribution, env: T.Env) -> list[tuple[int, Any]]:
        calls.append(1)
        return original(self, env)

    monkeypatch.setattr(Distribution, "outcomes", counted)
    m, k = 6, 4
    weights = {(j, i): sp.Rational(1, k) for j in range(1, k + 1) for i in range(1, m + 1)}
    env = env_of({"n": 1, "m": m, "k": k}, {}, {"w": weights, "v": {}})
    env.families["v"] = {(i,): sp.Integer(1) for i in range(1, m + 1)}
    env.families["g"] = {(j,): sp.Integer(j) for j in range(1, k + 1)}
    value = value_at("\\mathbb{E}\\left[\\sum_{i=1}^{m}g_{v^{(i)}}\\right]", env)
    assert value == m * sp.Rational(1 + 2 + 3 + 4, k)
    assert len(calls) == m  # one branching per member, not k^m labellings


def test_an_expectation_of_a_vector_at_an_instance() -> None:
    mu = Mat([[sp.Integer(1)], [sp.Integer(-2)]])
    sigma = Mat([[sp.Integer(2), sp.Integer(1)], [sp.Integer(1), sp.Integer(3)]])
    env = env_of({"n": 2, "m": 1, "k": 1}, {"\\mu": mu, "\\Sigma": sigma}, {})
    second = value_at("\\mathbb{E}[zz^T]", env)
    assert second.data == (sigma.to_sympy() + mu.to_sympy() * mu.to_sympy().T).tolist()


def test_a_random_symbol_outside_an_expectation_keeps_its_value() -> None:
    env = env_of({"n": 1, "m": 1, "k": 1}, {"x": sp.Integer(5), "h": sp.Integer(2),
                                          "s": sp.Integer(3)}, {})  # fmt: skip
    assert value_at("x\\,\\mathbb{E}[x]", env) == 10
    assert value_at("\\mathbb{E}[x^2]", env) == 4 + 9


def test_the_notation_table_shows_each_distribution() -> None:
    page = Page("docs/p.md", {"symbols": SYMBOLS}, 10, [], declarations(), [])
    text = html.unescape(notation_table(PageReport(page)))
    assert 'random, drawn from <span class="arithmatex">\\(\\mathcal{N}(\\mu, \\Sigma)\\)' in text
    assert 'random, drawn from <span class="arithmatex">\\(\\text{Bernoulli}(p)\\)' in text


def test_explain_shows_the_expectation_it_computed(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    symbols = "\n".join(f"  {k}: {v}" for k, v in SYMBOLS.items())
    page.write_text(
        f"---\nsymbols:\n{symbols}\n---\n\n$$\n\\mathbb{{E}}[x^4] = h^4 + 6h^2s^2 + 3s^4\n$$\n",
        encoding="utf-8",
    )
    text = explain(page, len(SYMBOLS) + 6)
    assert "expectations, computed exactly in the parameters" in text
    assert "h**4 + 6*h**2*s**2 + 3*s**4" in text
    assert "random \\mathcal{N}(h, s^2)" in text
