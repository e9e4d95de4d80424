"""What names mean while a side is read: bound variables, definitions, and the
reader interface that the parts of the translator share.

`Reader` is what `verify.meaning.operators` needs of the translator; the
translator implements it and hands itself to the operator reader (composition,
so neither module imports the other's class).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from verify.latex import tree as ast
from verify.meaning import terms as T
from verify.model import Declaration, Part


@dataclass
class DefinitionInfo:
    """A `:=` definition: a name with index placeholders and parameters."""

    base: str
    subscripts: list[str]
    superscripts: list[str]
    params: list[str]
    body: ast.Node
    order: int
    line: int
    # A name with indices inside a literal script (`\\gamma(z_{nk})`): the name as a
    # pattern (`verify.latex.templates`); its placeholders are `subscripts`.
    template: ast.Node | None = None


@dataclass
class Scope:
    """What names mean locally: bound sum variables, placeholders, parameters."""

    bound: frozenset[str] = frozenset()
    indices: dict[str, T.Term] = field(default_factory=dict)
    params: dict[str, T.Term] = field(default_factory=dict)
    in_index: bool = False

    def binding(self, name: str) -> Scope:
        indices = {k: v for k, v in self.indices.items() if k != name}
        params = {k: v for k, v in self.params.items() if k != name}
        return Scope(self.bound | {name}, indices, params, self.in_index)


Literal = tuple[str, ast.Node | None, ast.Node | None]


class Reader(Protocol):
    """The translator, as the operator reader sees it."""

    declarations: dict[str, Declaration]
    parts: dict[str, list[tuple[Part, Declaration]]]  # `x^{(i)}`: a part of its whole
    definitions: dict[str, DefinitionInfo]
    functions_used: set[str]

    def translate(self, node: ast.Node, scope: Scope | None = None) -> T.Term: ...

    def index(self, node: ast.Node, scope: Scope) -> T.Term: ...

    def scalar(self, term: T.Term, what: str) -> T.Term: ...

    def entrywise(self, term: T.Term, what: str) -> T.Term: ...

    def literal(self, name: str, sub: ast.Node | None, sup: ast.Node | None) -> Literal | None: ...

    def square(self, term: T.Term, what: str, pos: int) -> None: ...

    def multiply(self, left: T.Term, right: T.Term, op: str, pos: int) -> T.Term: ...

    def superscript(
        self, term: T.Term, sup: ast.Node | None, primes: int, scope: Scope, pos: int
    ) -> T.Term: ...

    def expand(
        self, definition: DefinitionInfo, sub: ast.Node | None, sup: ast.Node | None,
        args: list[T.Term], scope: Scope, pos: int,
    ) -> tuple[T.Term, ast.Node | None]: ...  # fmt: skip

    def fresh_placeholder(self) -> str: ...
