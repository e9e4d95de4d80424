"""The syntax tree of one side of a relation, as the parser builds it.

Nodes know nothing of the page's notation: `x^{(i)}` is a `Scripted` whose
meaning (family member or power) the translator decides. Every node keeps
`pos`, its offset into the side's text, for messages at a line and column.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Node:
    pos: int = field(default=0, kw_only=True)


@dataclass
class Atom(Node):
    """A single token: number, letter, symbol, function name, operator word."""

    kind: str
    text: str


@dataclass
class Scripted(Node):
    base: Node
    sub: Node | None = None
    sup: Node | None = None
    primes: int = 0


@dataclass
class Sum(Node):
    """`a + b - c` as signed terms."""

    terms: list[tuple[int, Node]]


@dataclass
class Negate(Node):
    body: Node


@dataclass
class Product(Node):
    """Factors side by side; `ops[i]` is the written operator before factor i+1."""

    factors: list[Node]
    ops: list[str]


@dataclass
class Delimited(Node):
    """`( … )`, `[ … ]`, `\\{ … \\}`, `{ … }`: grouping, or arguments of a call."""

    items: list[Node]
    separators: list[str]
    delimiter: str


@dataclass
class Bars(Node):
    body: Node
    double: bool


@dataclass
class Inner(Node):
    left: Node
    right: Node


@dataclass
class Fraction(Node):
    numerator: Node
    denominator: Node


@dataclass
class Root(Node):
    body: Node
    degree: Node | None = None


@dataclass
class MatrixLiteral(Node):
    rows: list[list[Node]]


@dataclass
class Limit(Node):
    """Inside a script: `i=1` (`op` "="), `j \\ne l` (`op` "ne"), `z \\sim q` ("sim")
    or `n \\in \\mathcal{C}_k` ("in")."""

    left: Node
    right: Node
    op: str


@dataclass
class Sequence(Node):
    items: list[Node]


@dataclass
class Equation(Node):
    left: Node
    right: Node


@dataclass
class Factorial(Node):
    """`n!`, `(n+1)!`."""

    body: Node


@dataclass
class Binomial(Node):
    """`\\binom{n}{k}`."""

    top: Node
    bottom: Node


@dataclass
class Indicator(Node):
    """`1\\{left op right\\}`: 1 where the condition holds; `op` is one of `=`, `ne`,
    `<`, `>`, `le`, `ge`. `also` holds the further conditions of a conjunction
    (`1\\{x = 1 \\wedge y = 1\\}`), each (left, op, right)."""

    left: Node
    right: Node
    op: str
    also: list[tuple[Node, str, Node]] = field(default_factory=list)
