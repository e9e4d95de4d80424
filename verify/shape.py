"""Sizes and shapes as a page writes them: `n`, `3`, `n+1`, `n p`, and (rows, cols).

A size is a polynomial in the page's declared sizes with whole coefficients,
kept in one canonical form so that `n+1` and `1+n` are the same size and
`n p` (from a Kronecker product or `vec`) is the product of two. Shapes are
checked with these before any number is drawn, for every size at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

Monomial = tuple[str, ...]  # sorted size names, repeated for powers

# A name may carry a literal subscript, as in `d_k` or `d_{model}` (Vaswani's sizes);
# it is spelled `d_{k}` everywhere, as the `symbols:` keys spell a literal name; and
# primes, as in `s'` (Sutton and Barto's next state).
_NAME = r"(?:[A-Za-z][A-Za-z0-9]*|\\[A-Za-z]+)(?:_(?:\{[A-Za-z0-9]+\}|[A-Za-z0-9]))?'*"
_TOKEN = re.compile(rf"\s*(?:(\d+)|({_NAME})|(\\cdot|\*|\+|-|\(|\)))")


@dataclass(frozen=True)
class Size:
    """A whole-number size: a sum of products of declared sizes and numbers."""

    terms: tuple[tuple[Monomial, int], ...] = ()  # canonical: sorted, no zero coefficient

    @staticmethod
    def _make(items: Mapping[Monomial, int]) -> Size:
        return Size(tuple(sorted((m, c) for m, c in items.items() if c != 0)))

    @classmethod
    def number(cls, value: int) -> Size:
        return cls._make({(): value})

    @classmethod
    def name(cls, name: str) -> Size:
        return cls._make({(name,): 1})

    @classmethod
    def parse(cls, text: str) -> Size:
        """`n`, `3`, `n+1`, `n-1`, `2n`, `n p`, `n \\cdot p`, `n*p`, `(n+1)p`."""
        return _SizeParser(text).parse()

    def __add__(self, other: Size) -> Size:
        items = dict(self.terms)
        for monomial, c in other.terms:
            items[monomial] = items.get(monomial, 0) + c
        return Size._make(items)

    def __sub__(self, other: Size) -> Size:
        return self + other.scaled(-1)

    def scaled(self, factor: int) -> Size:
        return Size._make({m: c * factor for m, c in self.terms})

    def __mul__(self, other: Size) -> Size:
        items: dict[Monomial, int] = {}
        for m1, c1 in self.terms:
            for m2, c2 in other.terms:
                key = tuple(sorted(m1 + m2))
                items[key] = items.get(key, 0) + c1 * c2
        return Size._make(items)

    @property
    def is_one(self) -> bool:
        return self.terms == (((), 1),)

    @property
    def constant(self) -> int | None:
        """The whole number, if the size names no declared size."""
        if not self.terms:
            return 0
        if len(self.terms) == 1 and self.terms[0][0] == ():
            return self.terms[0][1]
        return None

    def names(self) -> set[str]:
        return {n for monomial, _ in self.terms for n in monomial}

    def evaluate(self, value_of: Callable[[str], int]) -> int:
        total = 0
        for monomial, c in self.terms:
            product = c
            for n in monomial:
                product *= value_of(n)
            total += product
        return total

    def __str__(self) -> str:
        if not self.terms:
            return "0"
        out = ""
        ordered = sorted(self.terms, key=lambda t: (len(t[0]) == 0, t[0]))
        for k, (monomial, c) in enumerate(ordered):
            names = " ".join(monomial)
            magnitude = abs(c)
            body = names if magnitude == 1 and names else f"{magnitude}{names}"
            if k == 0:
                out = ("-" if c < 0 else "") + body
            else:
                out += ("-" if c < 0 else "+") + body
        return out

    def __repr__(self) -> str:
        return f"Size({str(self)!r})"


ONE = Size.number(1)


class _SizeParser:
    """sum := product (('+'|'-') product)*; product := factor (['*'|'\\cdot'] factor)*."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[str] = []
        i = 0
        while i < len(text):
            if text[i].isspace():
                i += 1
                continue
            m = _TOKEN.match(text, i)
            if not m or m.end() == i:
                raise ValueError(f"size '{text}' must be a number or a declared size such as n")
            self.tokens.append(m.group().strip())
            i = m.end()
        self.k = 0

    def peek(self) -> str | None:
        return self.tokens[self.k] if self.k < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise ValueError(f"size '{self.text}' ends too early")
        self.k += 1
        return token

    def parse(self) -> Size:
        if not self.tokens:
            raise ValueError("a size is empty")
        size = self.sum()
        if self.peek() is not None:
            raise ValueError(f"size '{self.text}': unexpected '{self.peek()}'")
        return size

    def sum(self) -> Size:
        total = self.product()
        while self.peek() in ("+", "-"):
            sign = self.take()
            term = self.product()
            total = total + term if sign == "+" else total - term
        return total

    def product(self) -> Size:
        result = self.factor()
        while self.peek() is not None and self.peek() not in ("+", "-", ")"):
            if self.peek() in ("*", "\\cdot"):
                self.take()
            result = result * self.factor()
        return result

    def factor(self) -> Size:
        token = self.take()
        if token == "(":
            inner = self.sum()
            if self.take() != ")":
                raise ValueError(f"size '{self.text}': unclosed '('")
            return inner
        if token.isdigit():
            return Size.number(int(token))
        if token in ("+", "-", "*", "\\cdot", ")"):
            raise ValueError(f"size '{self.text}': unexpected '{token}'")
        return Size.name(_spelled(token))


def _spelled(name: str) -> str:
    """`d_k` and `d_{k}` are one size, spelled `d_{k}`."""
    base, _, script = name.partition("_")
    if not script:
        return name
    return f"{base}_{{{script.strip('{}')}}}"


@dataclass(frozen=True)
class Shape:
    """Rows × columns of a value. Vectors are columns; 1 × 1 is a scalar."""

    rows: Size
    cols: Size

    @classmethod
    def of(cls, rows: Size | str | int, cols: Size | str | int) -> Shape:
        return cls(_size(rows), _size(cols))

    @property
    def is_scalar(self) -> bool:
        return self.rows.is_one and self.cols.is_one

    @property
    def is_column(self) -> bool:
        """A vector (or a scalar): one column."""
        return self.cols.is_one

    @property
    def is_square(self) -> bool:
        return self.rows == self.cols

    def transposed(self) -> Shape:
        return Shape(self.cols, self.rows)

    def names(self) -> set[str]:
        return self.rows.names() | self.cols.names()

    def evaluate(self, value_of: Callable[[str], int]) -> tuple[int, int]:
        return self.rows.evaluate(value_of), self.cols.evaluate(value_of)

    def show(self) -> str:
        """How messages name the shape: scalar, vector(n), matrix(n, m)."""
        if self.is_scalar:
            return "scalar"
        if self.is_column:
            return f"vector({self.rows})"
        return f"matrix({self.rows}, {self.cols})"

    def __str__(self) -> str:
        return f"{self.rows} × {self.cols}"


SCALAR = Shape(ONE, ONE)


def _size(value: Size | str | int) -> Size:
    if isinstance(value, Size):
        return value
    if isinstance(value, int):
        return Size.number(value)
    return Size.parse(value)


def show_shape(shape: Shape | None) -> str:
    """A shape for messages; None is a literal 0 that takes any shape."""
    return "any shape" if shape is None else shape.show()


def total(sizes: Iterable[Size]) -> Size:
    out = Size.number(0)
    for size in sizes:
        out = out + size
    return out
