"""The value of one part of a whole, and the whole with one part changed: the
views that `PartRef` reads and that solving a given writes (`verify.reading.parts`
names the kinds: entries, rows, columns, diagonal)."""

from __future__ import annotations

from typing import Any

from verify.errors import EvaluationError
from verify.meaning.dual import Mat, is_matrix


def part_of(whole: Any, kind: str, idx: tuple[int, ...], name: str) -> Any:
    """Part `idx` of `whole`: a row or a column as a column vector, else one entry."""
    if not is_matrix(whole):
        if idx in ((1,), (1, 1)):
            return whole
        raise EvaluationError(f"{name} has no entry {idx}")
    if kind in ("rows", "columns"):
        extent = whole.rows if kind == "rows" else whole.cols
        if not 1 <= idx[0] <= extent:
            raise EvaluationError(f"{name} has no {kind[:-1]} {idx[0]}")
        if kind == "rows":
            return Mat([[x] for x in whole.data[idx[0] - 1]])
        return Mat([[row[idx[0] - 1]] for row in whole.data])
    row = idx[0]
    col = idx[0] if kind == "diagonal" else (idx[1] if len(idx) > 1 else 1)
    if not (1 <= row <= whole.rows and 1 <= col <= whole.cols):
        raise EvaluationError(
            f"{name} has no entry ({row}, {col}): it is {whole.rows} × {whole.cols}"
        )
    return whole[row - 1, col - 1]


def with_part(whole: Any, kind: str, idx: tuple[int, ...], value: Any) -> Any:
    """`whole` with part `idx` set to `value`."""
    if not isinstance(whole, Mat):
        return value
    data = [list(row) for row in whole.data]
    if kind == "rows":
        data[idx[0] - 1] = list(value) if isinstance(value, Mat) else [value]
    elif kind == "columns":
        column = list(value) if isinstance(value, Mat) else [value]
        for r, x in enumerate(column):
            data[r][idx[0] - 1] = x
    else:
        col = idx[0] if kind == "diagonal" else (idx[1] if len(idx) > 1 else 1)
        data[idx[0] - 1][col - 1] = _scalar(value)
    return Mat(data)


def _scalar(value: Any) -> Any:
    if isinstance(value, Mat):
        if value.shape != (1, 1):
            raise EvaluationError(f"expected a scalar, got a {value.shape} matrix")
        return value[0, 0]
    return value
