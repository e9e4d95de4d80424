"""The parts a whole can be declared with (contract §2), as data: `entries y^{(i)}`,
`rows x^{(i)}`, `columns \\mathbf{u}_j` (column j of an N × p matrix, as ESL names
the singular vectors) and `diagonal entries d_j` (entry (j, j) of a square matrix).

Each part word has a kind (the name the rest of the checker uses), the shape of one
part, and the extents its index placeholders run over.
"""

from __future__ import annotations

from verify.shape import SCALAR, Shape, Size

# The words as a declaration writes them, and the kind of part each makes.
PART_KINDS = {"entries": "entries", "rows": "rows", "columns": "columns",
              "diagonal entries": "diagonal"}  # fmt: skip
PART_PATTERN = r"(entries|rows|columns|diagonal entries)"
EXAMPLES = {"entries": "entries y^{(i)}", "rows": "rows x^{(i)}",
            "columns": "columns \\mathbf{u}_j", "diagonal": "diagonal entries d_j"}  # fmt: skip
WORDS = {kind: word for word, kind in PART_KINDS.items()}


def part_shape(kind: str, whole: Shape) -> Shape:
    """The shape of one part: a row or a column as a column vector, else a number."""
    if kind == "rows":
        return Shape(whole.cols, Size.number(1))
    if kind == "columns":
        return Shape(whole.rows, Size.number(1))
    return SCALAR


def placeholders(kind: str, whole_is_matrix: bool) -> int:
    """How many index placeholders a part of this kind is written with."""
    return 2 if kind == "entries" and whole_is_matrix else 1


def extents(kind: str, whole: Shape, count: int) -> list[tuple[Size, str]]:
    """What each placeholder runs over: (its extent, what that extent counts)."""
    if kind == "columns":
        return [(whole.cols, "columns")]
    if count == 2:
        return [(whole.rows, "rows"), (whole.cols, "columns")]
    if kind == "entries" and whole.is_column:
        return [(whole.rows, "entries")]
    return [(whole.rows, "rows")]
