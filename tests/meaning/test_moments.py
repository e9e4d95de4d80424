"""Exact Gaussian moments, checked against methods that share no code with them.

`verify.meaning.moments` computes E[∏ z_i^{k_i}] by the integration-by-parts
recursion and e^{aᵀz} by tilting. Here the same numbers come from derivatives
of the moment generating function exp(tᵀμ + tᵀΣt/2) at t = 0 (SymPy's
`diff`), from Isserlis' sum over pairings for a centred Gaussian, and from
closed forms in the textbooks; and every function the module does not integrate
must be refused, never approximated.
"""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest
import sympy as sp

from verify.meaning.moments import MAX_DEGREE, GaussianBlock, Unsupported, gaussian_expectation


def _instance(rng: random.Random, n: int) -> tuple[list[Any], sp.Matrix]:
    mean = [sp.Rational(rng.randint(-9, 9), rng.randint(1, 4)) for _ in range(n)]
    b = sp.Matrix(n, n, lambda i, j: sp.Integer(rng.randint(-3, 3)))
    return mean, b * b.T + sp.eye(n)


def _block(symbols: list[sp.Symbol], mean: list[Any], cov: sp.Matrix) -> GaussianBlock:
    rows = [[cov[i, j] for j in range(cov.cols)] for i in range(cov.rows)]
    return GaussianBlock(symbols, mean, rows)


def _by_mgf(powers: tuple[int, ...], mean: list[Any], cov: sp.Matrix) -> Any:
    t = sp.symbols(f"t0:{len(mean)}")
    tv = sp.Matrix(t)
    mgf = sp.exp((tv.T * sp.Matrix(mean))[0] + (tv.T * cov * tv)[0] / 2)
    for symbol, k in zip(t, powers, strict=True):
        mgf = sp.diff(mgf, symbol, k) if k else mgf
    return sp.simplify(mgf.subs(dict.fromkeys(t, 0)))


@pytest.mark.parametrize("seed", range(4))
def test_every_monomial_up_to_degree_4_matches_the_mgf(seed: int) -> None:
    rng = random.Random(seed)
    n = 3
    mean, cov = _instance(rng, n)
    z = [sp.Dummy(f"z{i}", real=True) for i in range(n)]
    block = _block(z, mean, cov)
    for powers in itertools.product(range(5), repeat=n):
        if sum(powers) > 4:
            continue
        monomial = sp.Mul(*(zi**k for zi, k in zip(z, powers, strict=True)))
        assert gaussian_expectation(monomial, [block], "z") == _by_mgf(powers, mean, cov), powers


def test_centred_fourth_moments_are_isserlis_pairings() -> None:
    rng = random.Random(7)
    n = 4
    _, cov = _instance(rng, n)
    w = [sp.Dummy(f"w{i}", real=True) for i in range(n)]
    block = _block(w, [0] * n, cov)
    for a, b, c, d in itertools.product(range(n), repeat=4):
        pairings = cov[a, b] * cov[c, d] + cov[a, c] * cov[b, d] + cov[a, d] * cov[b, c]
        assert gaussian_expectation(w[a] * w[b] * w[c] * w[d], [block], "w") == pairings


def test_quadratic_form_and_its_variance() -> None:
    rng = random.Random(3)
    n = 3
    mean, cov = _instance(rng, n)
    z = [sp.Dummy(f"z{i}", real=True) for i in range(n)]
    a = sp.Matrix(n, n, lambda i, j: sp.Integer(rng.randint(-4, 4)))
    mu, zv = sp.Matrix(mean), sp.Matrix(z)
    quadratic = (zv.T * a * zv)[0]
    block = _block(z, mean, cov)
    first = gaussian_expectation(quadratic, [block], "z")
    assert first == (a * cov).trace() + (mu.T * a * mu)[0]
    sym = (a + a.T) / 2
    variance = 2 * (sym * cov * sym * cov).trace() + 4 * (mu.T * sym * cov * sym * mu)[0]
    assert gaussian_expectation(quadratic**2, [block], "z") == variance + first**2


def test_scalar_moments_in_the_parameters() -> None:
    x = sp.Dummy("x", real=True)
    m, s = sp.symbols("m s", positive=True)
    block = GaussianBlock([x], [m], [[s**2]])
    assert sp.expand(gaussian_expectation(x**4, [block], "x")) == m**4 + 6 * m**2 * s**2 + 3 * s**4
    assert sp.expand(gaussian_expectation((x - m) ** 6, [block], "x")) == 15 * s**6
    assert sp.simplify(gaussian_expectation(sp.exp(x), [block], "x") - sp.exp(m + s**2 / 2)) == 0
    tilted = gaussian_expectation(x * sp.exp(2 * x), [block], "x")
    assert sp.simplify(tilted - (m + 2 * s**2) * sp.exp(2 * m + 2 * s**2)) == 0


def test_the_moment_generating_function_of_a_vector() -> None:
    rng = random.Random(5)
    n = 3
    mean, cov = _instance(rng, n)
    z = [sp.Dummy(f"z{i}", real=True) for i in range(n)]
    t = [sp.Rational(rng.randint(-3, 3), 2) for _ in range(n)]
    tv, mu = sp.Matrix(t), sp.Matrix(mean)
    value = gaussian_expectation(sp.exp(sum(ti * zi for ti, zi in zip(t, z, strict=True))),
                                 [_block(z, mean, cov)], "z")  # fmt: skip
    assert sp.simplify(value - sp.exp((tv.T * mu)[0] + (tv.T * cov * tv)[0] / 2)) == 0


def test_independent_blocks_factor() -> None:
    x, y = sp.Dummy("x", real=True), sp.Dummy("y", real=True)
    blocks = [GaussianBlock([x], [2], [[3]]), GaussianBlock([y], [-1], [[5]])]
    assert gaussian_expectation(x**2 * y**2, blocks, "x and y") == (4 + 3) * (1 + 5)
    assert gaussian_expectation(x * y, blocks, "x and y") == -2


def test_symbols_that_are_not_integrated_stay_as_they_are() -> None:
    x = sp.Dummy("x", real=True)
    c = sp.Symbol("c", real=True)
    block = GaussianBlock([x], [1], [[2]])
    assert sp.expand(gaussian_expectation(c * x**2 + c**2, [block], "x")) == 3 * c + c**2


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda x: sp.log(x**2 + 1), "log"),
        (lambda x: 1 / x, "quotient"),
        (lambda x: sp.sqrt(x**2 + 1), "root"),
        (lambda x: sp.exp(x**2), "non-linear"),
        (lambda x: sp.Abs(x), "Abs"),
        (lambda x: sp.sin(x), "sin"),
        (lambda x: x ** (MAX_DEGREE + 1), "degree"),
    ],
)
def test_what_is_not_integrated_is_refused(make: Any, words: str) -> None:
    x = sp.Dummy("x", real=True)
    with pytest.raises(Unsupported, match=words):
        gaussian_expectation(make(x), [GaussianBlock([x], [1], [[2]])], "x")
