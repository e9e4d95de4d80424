"""The terms of textbook notation (`verify.meaning.textbook` reads them): parts of
a declared whole as views of it, entries of expressions, a matrix tabulated from
its defined entries, the ones vector, the Kronecker delta and vec.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from verify.errors import EvaluationError
from verify.meaning import terms as T
from verify.meaning.dual import Mat, is_matrix
from verify.meaning.parts import part_of
from verify.shape import Size


def _whole_number(term: T.Term, env: T.Env) -> int:
    value = T.scalar_of(term.value(env))
    if not getattr(value, "is_Integer", False):
        raise EvaluationError(f"an index took the value {value}, not a whole number")
    return int(value)


def _entry(value: Any, row: int, col: int, what: str) -> Any:
    if not is_matrix(value):
        if (row, col) == (1, 1):
            return value
        raise EvaluationError(f"{what} has no entry ({row}, {col})")
    if not (1 <= row <= value.rows and 1 <= col <= value.cols):
        raise EvaluationError(
            f"{what} has no entry ({row}, {col}): it is {value.rows} × {value.cols}"
        )
    return value[row - 1, col - 1]


@dataclass
class PartRef(T.Ref):
    """Entry i (or (i, j)) of a declared vector or matrix, row i or column j of a
    matrix as a column, or diagonal entry j: a view into the whole's value,
    addressable as a slot (`("part", …)`)."""

    part: str = "entries"

    def slot(self, env: T.Env) -> tuple[Any, ...]:
        idx = tuple(_whole_number(i, env) for i in self.indices)
        return ("part", self.name, idx, self.part)

    def value(self, env: T.Env) -> T.Value:
        if self.name not in env.values:
            raise EvaluationError(f"no value for {self.name}")
        whole = env.values[self.name]
        idx = tuple(_whole_number(i, env) for i in self.indices)
        if self.part != "entries" and not is_matrix(whole):
            raise EvaluationError(f"{self.name} has no {self.part} {idx[0]}")
        return part_of(whole, self.part, idx, self.name)


@dataclass
class Entry(T.Term):
    """Entry (row, col) of a matrix expression: `(XX^T)_{ij}`, `(\\Sigma)_{jj}`."""

    body: T.Term
    row: T.Term
    col: T.Term | None = None

    def value(self, env: T.Env) -> T.Value:
        col = _whole_number(self.col, env) if self.col is not None else 1
        return _entry(self.body.value(env), _whole_number(self.row, env), col, "the matrix")

    def children(self) -> list[T.Term]:
        return [self.body, self.row] + ([self.col] if self.col is not None else [])


@dataclass
class Tabulated(T.Term):
    """A vector or matrix whose entries a definition gives (`K_{ij} := …`, used as K):
    the body evaluated with each placeholder bound to each row (and column)."""

    variables: list[str]
    extents: list[Size]
    body: T.Term

    def value(self, env: T.Env) -> T.Value:
        rows = env.size(self.extents[0])
        cols = env.size(self.extents[1]) if len(self.extents) > 1 else 1

        def at(r: int, c: int) -> Any:
            inner = env.with_index(self.variables[0], r + 1)
            if len(self.variables) > 1:
                inner = inner.with_index(self.variables[1], c + 1)
            return T.scalar_of(self.body.value(inner))

        return Mat.build(rows, cols, at)

    def children(self) -> list[T.Term]:
        return [self.body]


@dataclass
class Ones(T.Term):
    """The vector of ones; `size` None until its context fixes it."""

    size: Size | None = None

    def value(self, env: T.Env) -> T.Value:
        if self.size is None:
            raise EvaluationError("the size of \\mathbf{1} was never fixed")
        return Mat.build(env.size(self.size), 1, lambda r, c: sp.Integer(1))


@dataclass
class Delta(T.Term):
    """The Kronecker delta δ_ij: 1 where the two indices are equal, else 0."""

    left: T.Term
    right: T.Term

    def value(self, env: T.Env) -> T.Value:
        same = _whole_number(self.left, env) == _whole_number(self.right, env)
        return sp.Integer(1 if same else 0)

    def children(self) -> list[T.Term]:
        return [self.left, self.right]


@dataclass
class Vec(T.Term):
    """`\\operatorname{vec}(A)`: the columns of A stacked into one vector."""

    body: T.Term

    def value(self, env: T.Env) -> T.Value:
        v = self.body.value(env)
        if not is_matrix(v):
            return v
        return Mat([[v[r, c]] for c in range(v.cols) for r in range(v.rows)])

    def children(self) -> list[T.Term]:
        return [self.body]
