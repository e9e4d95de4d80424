"""Sizes and shapes: canonical sums and products of declared sizes."""

from __future__ import annotations

import pytest

from verify.shape import SCALAR, Shape, Size

SIZES = [
    ("n", "n", {"n": 3}, 3),
    ("3", "3", {}, 3),
    ("n+1", "n+1", {"n": 3}, 4),
    ("1+n", "n+1", {"n": 3}, 4),
    ("n-1", "n-1", {"n": 3}, 2),
    ("2n", "2n", {"n": 3}, 6),
    ("n p", "n p", {"n": 3, "p": 2}, 6),
    ("p n", "n p", {"n": 3, "p": 2}, 6),
    ("n*p", "n p", {"n": 3, "p": 2}, 6),
    ("n \\cdot p", "n p", {"n": 3, "p": 2}, 6),
    ("(n+1)p", "n p+p", {"n": 3, "p": 2}, 8),
    ("n+m+2", "m+n+2", {"n": 3, "m": 1}, 6),
    ("n n", "n n", {"n": 3}, 9),
]


@pytest.mark.parametrize(("text", "shown", "values", "value"), SIZES)
def test_size(text: str, shown: str, values: dict[str, int], value: int) -> None:
    size = Size.parse(text)
    assert str(size) == shown
    assert size.evaluate(values.__getitem__) == value


@pytest.mark.parametrize("text", ["", "n+", "+", "(n", "n)", "n%", "*n"])
def test_size_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        Size.parse(text)


def test_sums_and_products_are_canonical() -> None:
    n, p = Size.name("n"), Size.name("p")
    assert n * p == p * n
    assert n + Size.number(1) == Size.parse("1+n")
    assert (n * p).names() == {"n", "p"}
    assert Size.number(2).constant == 2 and n.constant is None


def test_shapes() -> None:
    assert Shape.of(1, 1) == SCALAR and SCALAR.is_scalar
    column = Shape.of("n", 1)
    assert column.is_column and not column.is_scalar and column.show() == "vector(n)"
    assert column.transposed().show() == "matrix(1, n)"
    assert Shape.of("n", "n").is_square and not Shape.of("n", "m").is_square
    assert str(Shape.of("n p", "m")) == "n p × m"
