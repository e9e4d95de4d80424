"""Drawing the curve of a symbol declared `depends on \\theta`
(`verify.meaning.dependence`): its anchor and two directions with the same
structure as the symbol (symmetric for a symmetric or positive-definite matrix,
diagonal for a diagonal one, triangular for a triangular one)."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from verify.meaning.dependence import ORDERS, hidden
from verify.meaning.dual import Mat
from verify.meaning.terms import Env
from verify.model import Declaration, Kind

# The structure a direction keeps, by the symbol's properties (first match).
STRUCTURE = [
    ({"positive-definite", "symmetric"}, ("symmetric",)),
    ({"diagonal"}, ("diagonal",)),
    ({"lower-triangular"}, ("lower-triangular",)),
    ({"upper-triangular"}, ("upper-triangular",)),
]


def draw_curves(
    rng: random.Random, declarations: list[Declaration], env: Env,
    matrix: Callable[[random.Random, int, int, tuple[str, ...]], Any],
    scalar: Callable[[random.Random], Any],
) -> None:  # fmt: skip
    """Anchor and directions, for every symbol that depends on a scalar (in place)."""
    for d in declarations:
        for variable in d.depends_on:
            if variable not in env.values or d.base not in env.values:
                continue
            env.values[hidden(d.base, variable, 0)] = env.values[variable]
            for order in ORDERS:
                env.values[hidden(d.base, variable, order)] = _direction(rng, d, env, matrix,
                                                                         scalar)  # fmt: skip


def _direction(
    rng: random.Random, d: Declaration, env: Env,
    matrix: Callable[[random.Random, int, int, tuple[str, ...]], Any],
    scalar: Callable[[random.Random], Any],
) -> Any:  # fmt: skip
    if d.kind == Kind.SCALAR or d.shape is None:
        return scalar(rng)
    rows, cols = env.dims(d.shape)
    if d.kind == Kind.VECTOR:
        return Mat.build(rows, 1, lambda i, j: scalar(rng))
    keep = next((kept for props, kept in STRUCTURE if props & set(d.properties)), ())
    return Mat.from_sympy(matrix(rng, rows, cols, keep))
