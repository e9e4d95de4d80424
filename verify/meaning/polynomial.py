"""A SymPy expression as a sparse polynomial in given symbols, without `expand`.

The body of an expectation arrives as a product of sums (a quadratic form of an
affine vector, say), and `sp.expand` multiplies it out at the cost of many
milliseconds for a few dozen terms. Multiplying out dictionaries
{exponents: coefficient} costs a few arithmetic operations per pair of terms.
Only sums, products and non-negative integer powers are multiplied out; any
other function of the symbols (e^{…}, a logarithm, a quotient) makes the
expression not a polynomial here (None), and the caller takes the general route.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

Terms = dict[tuple[int, ...], Any]


class _NotPolynomial(Exception):  # noqa: N818 - a signal, not an error
    """An expression that is not a polynomial in the symbols."""


def polynomial_terms(expr: Any, index: dict[Any, int], max_degree: int) -> Terms | None:
    """{exponents: coefficient} of `expr` in the symbols of `index` (symbol -> position);
    None if `expr` is not a polynomial in them, or has a degree above `max_degree`."""
    try:
        return _terms(sp.sympify(expr), index, len(index), max_degree)
    except _NotPolynomial:
        return None


def _terms(expr: Any, index: dict[Any, int], size: int, most: int) -> Terms:
    zero = (0,) * size
    if expr in index:
        powers = [0] * size
        powers[index[expr]] = 1
        return {tuple(powers): sp.Integer(1)}
    if expr.is_Atom:
        return {zero: expr}
    if expr.is_Add:
        total: Terms = {}
        for arg in expr.args:
            _add(total, _terms(arg, index, size, most))
        return total
    if expr.is_Mul:
        product: Terms = {zero: sp.Integer(1)}
        for arg in expr.args:
            product = _multiply(product, _terms(arg, index, size, most), most)
        return product
    if expr.is_Pow and expr.exp.is_Integer and expr.exp >= 0:
        base = _terms(expr.base, index, size, most)
        if set(base) == {zero}:
            return {zero: expr}
        result: Terms = {zero: sp.Integer(1)}
        for _ in range(int(expr.exp)):
            result = _multiply(result, base, most)
        return result
    if any(set(_terms(arg, index, size, most)) != {zero} for arg in expr.args):
        raise _NotPolynomial
    return {zero: expr}  # a function of constants only: a coefficient


def _add(total: Terms, more: Terms) -> None:
    for powers, coefficient in more.items():
        total[powers] = total[powers] + coefficient if powers in total else coefficient


def _multiply(left: Terms, right: Terms, most: int) -> Terms:
    out: Terms = {}
    for a, x in left.items():
        for b, y in right.items():
            powers = tuple(i + j for i, j in zip(a, b, strict=True))
            if sum(powers) > most:
                raise _NotPolynomial
            _add(out, {powers: x * y})
    return out
