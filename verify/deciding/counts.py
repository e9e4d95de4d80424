"""Givens that tie a declared size to a count: `\\sum_i 1\\{y^{(i)} = 1\\} = m_1`.

A size that no shape and no index range uses (`m_1`, the number of spam emails)
is just a positive whole number; a given that equates it with a count makes it
that count at each instance. An instance where the count is not a positive whole
number (no spam email at all) is not admissible: the size says the class is not
empty, which is what the derivation needs.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from verify.errors import Undefined
from verify.meaning import terms as T
from verify.meaning.dual import is_matrix
from verify.meaning.terms import Env
from verify.model import Declaration, Kind


def free_sizes(declarations: list[Declaration]) -> set[str]:
    """The declared sizes that no shape and no index range uses."""
    used: set[str] = set()
    for d in declarations:
        if d.shape is not None:
            used |= d.shape.names()
        for size in d.index_range or ():
            used |= size.names()
    return {
        d.base for d in declarations
        if d.kind == Kind.SIZE and not d.indices and d.base not in used
    }  # fmt: skip


def counted(left: T.Term, right: T.Term, free: set[str]) -> tuple[str, T.Term] | None:
    """(size, count) when one side is a free size and the other does not use it."""
    for side, other in ((left, right), (right, left)):
        if isinstance(side, T.IndexValue) and side.name in free:
            if not any(isinstance(t, T.IndexValue) and t.name == side.name for t in other.walk()):
                return side.name, other
    return None


def settle(name: str, count: T.Term, at: Env, env: Env) -> Env:
    """`env` with the size `name` set to the value of `count` at `at` (the given's
    index values), which must be a positive whole number there."""
    value: Any = count.value(at)
    if is_matrix(value):
        raise Undefined(f"{name} is tied to a matrix")
    value = sp.sympify(value)
    if not (value.is_Integer and value >= 1):
        raise Undefined(f"the count that {name} stands for is {value}, not a positive whole number")
    return Env({**env.sizes, name: int(value)}, env.indices, env.values, env.families,
               env.functions, env.depth, env.symbolic)  # fmt: skip
