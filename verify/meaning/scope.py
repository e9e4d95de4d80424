"""What names mean while a side is read: bound variables, definitions, and the
reader interface that the parts of the translator share.

`Reader` is what `verify.meaning.operators` needs of the translator; the
translator implements it and hands itself to the operator reader (composition,
so neither module imports the other's class).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from verify.latex import tree as ast
from verify.meaning import terms as T
from verify.meaning.conditions import Condition
from verify.model import Declaration, Part

if TYPE_CHECKING:
    from verify.meaning.cases import CaseFamily


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
    conditions: list[Condition] = field(default_factory=list)  # `where t \le T - 1`
    # One case of a definition by cases (`\alpha_1(i) :=`, `\alpha_{t+1}(j) :=`): the
    # name it shares with the other cases, and its subscript when that is not a
    # plain placeholder.
    family: str = ""
    case: ast.Node | None = None
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
    # Names the arguments of a definition being expanded use: the body's own bound
    # variables of these names are renamed, so that `q(s', a')` after
    # `q(s, a) := \\sum_{s'} p(s' | s, a) …` does not capture the caller's s'.
    avoid: frozenset[str] = frozenset()

    def binding(self, name: str) -> Scope:
        indices = {k: v for k, v in self.indices.items() if k != name}
        params = {k: v for k, v in self.params.items() if k != name}
        return Scope(self.bound | {name}, indices, params, self.in_index, self.avoid)

    def bind_variable(self, name: str, fresh: str) -> tuple[Scope, str]:
        """The scope inside an operator that binds `name` (a sum's variable), and the
        name the bound variable gets: `name` itself, or `fresh` where `name` would
        capture an argument of the definition being expanded."""
        inner = self.binding(name)
        if name not in self.avoid:
            return inner, name
        indices = {**inner.indices, name: T.IndexValue(fresh)}
        return Scope(inner.bound | {fresh}, indices, inner.params, inner.in_index,
                     self.avoid), fresh  # fmt: skip


Literal = tuple[str, ast.Node | None, ast.Node | None]


class Reader(Protocol):
    """The translator, as the operator reader sees it."""

    declarations: dict[str, Declaration]
    parts: dict[str, list[tuple[Part, Declaration]]]  # `x^{(i)}`: a part of its whole
    definitions: dict[str, DefinitionInfo]
    cases: dict[str, CaseFamily]  # names defined by cases (`verify.meaning.cases`)
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
