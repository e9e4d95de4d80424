"""`\\min_{l}` and `\\max_{l}` over an index, as Bishop writes the nearest centre.

`\\min_{l}\\|x_n - \\mu_l\\|^2` is the least value of the body as l runs over its
declared range; `\\min_{l=1}^{K}` gives the range, `\\min_{l \\ne k}` leaves one
value out. Like `\\sum`, the operator applies to the following product term. The
value is the known function min (or max) of the body's values, so it is exact
and its slope is undefined where two values tie.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from verify.errors import EvaluationError, TranslateError, Undefined
from verify.latex import tree as ast
from verify.meaning import terms as T
from verify.meaning.dual import plain
from verify.meaning.functions import apply
from verify.meaning.scope import Reader, Scope

EXTREMA = ("min", "max")


@dataclass
class Extremum(T.Sum):
    """The least (`kind` "min") or greatest ("max") value of the body over a range."""

    def value(self, env: T.Env) -> T.Value:
        lo, hi = _whole(self.lower.value(env)), _whole(self.upper.value(env))
        skip = int(T.scalar_of(self.exclude.value(env))) if self.exclude is not None else None
        values = [
            T.scalar_of(self.body.value(env.with_index(self.variable, k)))
            for k in range(lo, hi + 1)
            if k != skip
        ]
        if not values:
            raise Undefined(f"\\{self.kind} over an empty range")
        return apply(self.kind, values)


def _whole(value: T.Value) -> int:
    v = plain(T.scalar_of(value))
    if not getattr(v, "is_Integer", False):
        raise EvaluationError(f"a limit of \\min or \\max took the value {v}")
    return int(v)


class Operators(Protocol):
    """What `over_index` needs of the operator reader."""

    reader: Reader

    def sum_operator(
        self, node: ast.Scripted, head: str, scope: Scope
    ) -> tuple[str, T.Term, T.Term, T.Term | None]: ...

    def product(
        self, factors: list[ast.Node], ops: list[str], scope: Scope, pos: int
    ) -> T.Term: ...


def over_index(
    reader: Operators, node: ast.Scripted, name: str, factors: list[ast.Node], ops: list[str],
    k: int, scope: Scope,
) -> T.Term:  # fmt: skip
    """`\\min_{l}` applied to the rest of the product term `factors[k + 1:]`."""
    rest = factors[k + 1 :]
    if not rest:
        raise TranslateError(f"\\{name}_{{…}} has nothing to act on", node.pos)
    try:
        variable, lower, upper, excluded = reader.sum_operator(node, "SUM", scope)
    except TranslateError as err:
        raise TranslateError(
            f"\\{name}_{{…}} runs over a declared index (\\{name}_{{l}} with 'l: index 1..K',"
            f" or \\{name}_{{l=1}}^{{K}}); over anything else (an optimisation) it cannot be"
            f" evaluated: {err.message}",
            err.offset,
        ) from None
    inner, variable = scope.bind_variable(variable, reader.reader.fresh_placeholder())
    body = reader.reader.scalar(reader.product(rest, ops[k + 1 :], inner, rest[0].pos),
                                f"the body of \\{name}")  # fmt: skip
    return Extremum(name, variable, lower, upper, body, excluded, shape=body.shape, pos=node.pos)
