"""Instances of wholes whose parts have properties: entry-wise properties of
vectors and matrices (`y: vector(m), nonnegative, integer, entries y^{(i)}`).

A declared whole is drawn as one value, and its parts (`entries`, `rows`) are
views of it (`verify.meaning.textbook.PartRef`), so they always agree. What a
part needs of the drawing is that each entry have the scalar properties the
whole declares: every entry a nonnegative integer, every entry a probability.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace

from verify.meaning.dual import Mat
from verify.meaning.terms import Env, Value
from verify.model import Declaration, Kind
from verify.reading.parts import part_shape
from verify.shape import SCALAR

# Scalar properties that a vector or a matrix has entry by entry.
ENTRYWISE = ("positive", "negative", "nonnegative", "integer", "probability")
# Matrix properties drawn by `instances.matrix_value`, which entry-wise ones must not override.
STRUCTURE = ("symmetric", "positive-definite", "orthogonal", "diagonal", "lower-triangular",
             "upper-triangular")  # fmt: skip


def entrywise_value(
    rng: random.Random, d: Declaration, env: Env,
    scalar: Callable[[random.Random, tuple[str, ...]], Value],
) -> Value | None:  # fmt: skip
    """A vector or plain matrix whose entries each have the declared scalar
    properties; None when no such property is declared (the usual drawing applies).
    `scalar(rng, properties)` draws one entry."""
    props = tuple(p for p in d.properties if p in ENTRYWISE)
    if d.kind not in (Kind.VECTOR, Kind.MATRIX) or d.shape is None:
        return None
    if not (set(props) - {"positive"}) or set(d.properties) & set(STRUCTURE):
        return None
    rows, cols = env.dims(d.shape)
    for _ in range(50):
        value = Mat.build(rows, cols, lambda i, j: scalar(rng, props))
        if "nonzero" not in d.properties or any(x != 0 for x in value):
            return value
    return value


def part_declaration(whole: Declaration, part: str) -> Declaration:
    """What one part of `whole` is, as a declaration: an entry (a scalar) or a row or
    column (a vector), with the whole's entry-wise properties."""
    props = tuple(p for p in whole.properties if p in ENTRYWISE)
    if part in ("rows", "columns") and whole.shape is not None:
        shape = part_shape(part, whole.shape)
        return replace(whole, kind=Kind.VECTOR, shape=shape, properties=props, parts=())
    return replace(whole, kind=Kind.SCALAR, shape=SCALAR, properties=props, parts=())
