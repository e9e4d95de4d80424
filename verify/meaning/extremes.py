"""`\\max_{a} q(s, a)` and `\\min_{j}`: the largest (smallest) value of a term over
the range of an index, as optimisation and reinforcement-learning texts write
them. The term reaches to the end of its product term, as a sum's body does,
and the index is bound inside it like a summation variable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from verify.errors import EvaluationError, TranslateError
from verify.latex import tree as ast
from verify.meaning import terms as T
from verify.meaning.functions import apply
from verify.meaning.scope import Scope

if TYPE_CHECKING:
    from verify.meaning.operators import OperatorReader


@dataclass
class IndexedExtreme(T.Sum):
    """max or min of the body over the variable's range (`kind` is "max" or "min")."""

    def value(self, env: T.Env) -> T.Value:
        lo, hi = (int(T.scalar_of(t.value(env))) for t in (self.lower, self.upper))
        skip = int(T.scalar_of(self.exclude.value(env))) if self.exclude is not None else None
        values = [
            T.scalar_of(self.body.value(env.with_index(self.variable, k)))
            for k in range(lo, hi + 1) if k != skip
        ]  # fmt: skip
        if not values:
            raise EvaluationError(f"\\{self.kind} over an empty range")
        return apply(self.kind, values)


def over_index(
    reader: OperatorReader, name: str, factors: list[ast.Node], ops: list[str], k: int,
    scope: Scope,
) -> tuple[T.Term, int]:  # fmt: skip
    """`\\max_{a}` at `factors[k]`, applied to the rest of the product term."""
    node = factors[k]
    assert isinstance(node, ast.Scripted)
    if node.sup is not None:
        raise TranslateError(f"\\{name}_{{…}} with a superscript is not supported", node.pos)
    rest = factors[k + 1 :]
    if not rest:
        raise TranslateError(f"\\{name}_{{…}} has nothing to act on", node.pos)
    var, lower, upper, excluded = reader.sum_operator(node, name.upper(), scope)
    inner, var = scope.bind_variable(var, reader.reader.fresh_placeholder())
    body = reader.reader.scalar(reader.product(rest, ops[k + 1 :], inner, rest[0].pos),
                                f"the body of \\{name}")  # fmt: skip
    term = IndexedExtreme(name, var, lower, upper, body, excluded, pos=node.pos)
    return term, len(factors)
