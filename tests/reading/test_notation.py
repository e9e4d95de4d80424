"""The notation, as a table: a `symbols:` value or key in, what it declares (or the error) out."""

from __future__ import annotations

import pytest

from verify.reading.notation import parse_value, split_symbol

VALUES = [
    ("size", "size", None, [], None, None),
    ("scalar", "scalar", None, [], None, None),
    ("scalar, positive", "scalar", None, ["positive"], None, None),
    ("scalar, positive, nonzero", "scalar", None, ["positive", "nonzero"], None, None),
    ("scalar, integer", "scalar", None, ["integer"], None, None),
    ("scalar, probability", "scalar", None, ["probability"], None, None),
    ("scalar, nonnegative", "scalar", None, ["nonnegative"], None, None),
    ("scalar, negative", "scalar", None, ["negative"], None, None),
    ("vector(n)", "vector", "vector(n)", [], None, None),
    ("vector(n+1)", "vector", "vector(n+1)", [], None, None),
    ("vector(2n)", "vector", "vector(2n)", [], None, None),
    ("vector(n p)", "vector", "vector(n p)", [], None, None),
    ("matrix(n, m)", "matrix", "matrix(n, m)", [], None, None),
    ("matrix(n, n), symmetric", "matrix", "matrix(n, n)", ["symmetric"], None, None),
    (
        "matrix(n, n), symmetric, positive-definite",
        "matrix",
        "matrix(n, n)",
        ["symmetric", "positive-definite"],
        None,
        None,
    ),
    (
        "matrix(n, n), positive definite",
        "matrix",
        "matrix(n, n)",
        ["positive-definite"],
        None,
        None,
    ),
    ("matrix(n, n), orthogonal", "matrix", "matrix(n, n)", ["orthogonal"], None, None),
    ("matrix(n, n), diagonal", "matrix", "matrix(n, n)", ["diagonal"], None, None),
    ("matrix(n, m), invertible", "matrix", "matrix(n, m)", ["invertible"], None, None),
    ("identity(n)", "identity", "matrix(n, n)", [], None, None),
    ("index 1..m", "index", None, [], None, ["1", "m"]),
    ("index 0..k", "index", None, [], None, ["0", "k"]),
    ("index 1..n-1", "index", None, [], None, ["1", "n-1"]),
    ("function", "function", None, [], None, None),
    ("scalar, positive, sums to 1 over j", "scalar", None, ["positive"], "j", None),
]

VALUE_ERRORS = [
    ("", "empty declaration"),
    (
        "tensor(n)",
        "unknown kind 'tensor(n)' (known: function, identity, index, matrix, scalar, size, subset, vector, index A..B, subset of A..B)",
    ),
    ("vector", "vector needs one size, as in vector(n)"),
    ("vector(n, m)", "vector needs one size, as in vector(n)"),
    ("matrix(n)", "matrix needs two sizes, as in matrix(n, n)"),
    ("identity(n, m)", "identity needs one size, as in identity(n)"),
    ("index", "an index needs a range, as in index 1..m"),
    ("scalar(n)", "scalar takes no size"),
    ("scalar, symmetric", "'symmetric' applies to a matrix, not a scalar"),
    ("matrix(n, m), symmetric", "'symmetric' needs a square matrix"),
    ("scalar, happy", "unknown property 'happy'"),
    ("vector(n%)", "size 'n%' must be a number or a declared size such as n"),
    ("matrix(n, m), diagonal", "'diagonal' needs a square matrix"),
]

KEYS = [
    ("x", "x", None, None),
    ("\\mu", "\\mu", None, None),
    ("x^{(i)}", "x", None, "(i)"),
    ("w_j^{(i)}", "w", "j", "(i)"),
    ("\\mathbf{x}", "\\mathbf{x}", None, None),
    ("\\hat{\\mu}_j", "\\hat{\\mu}", "j", None),
    ("\\Sigma_{jk}", "\\Sigma", "jk", None),
    ("A_{ij}", "A", "ij", None),
    ("x_1", "x", "1", None),
    ("W^{[1]}", "W", None, "[1]"),
    ("\\mathcal{N}", "\\mathcal{N}", None, None),
    ("\\mathbf{1}_m", "\\mathbf{1}", "m", None),
    ("\\mu_{t|t-1}", "\\mu", "t|t-1", None),
]

KEY_ERRORS = [
    ("x^", "unexpected '^' in symbol 'x^'"),
    ("1x", "'1x' does not start with a letter or a command"),
    ("x_1_2", "two subscripts"),
    ("x^{a}^{b}", "two superscripts"),
]


@pytest.mark.parametrize(
    ("value", "kind", "shape", "properties", "sums_over", "index_range"), VALUES
)
def test_value_declares(
    value: str,
    kind: str,
    shape: str | None,
    properties: list[str],
    sums_over: str | None,
    index_range: list[str] | None,
) -> None:
    declared = parse_value(value)
    assert declared.kind.value == kind
    assert (declared.shape.show() if declared.shape else None) == shape
    assert list(declared.properties) == properties
    assert declared.sums_over == sums_over
    ranges = [str(s) for s in declared.index_range] if declared.index_range else None
    assert ranges == index_range


@pytest.mark.parametrize(("value", "message"), VALUE_ERRORS)
def test_value_is_refused(value: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_value(value)
    assert message in str(caught.value)


@pytest.mark.parametrize(("key", "base", "sub", "sup"), KEYS)
def test_key_splits(key: str, base: str, sub: str | None, sup: str | None) -> None:
    found = split_symbol(key)
    assert (found.base, found.sub, found.sup) == (base, sub, sup)


@pytest.mark.parametrize(("key", "message"), KEY_ERRORS)
def test_key_is_refused(key: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        split_symbol(key)
    assert message in str(caught.value)
