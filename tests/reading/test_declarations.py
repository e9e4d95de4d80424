"""The `symbols:` front matter as a whole (verify.reading.declarations): wholes and
their parts, the new property words, and what a bad entry blocks (contract §2)."""

from __future__ import annotations

import pytest

from verify.errors import NotationError
from verify.model import Kind
from verify.reading.declarations import read_notation
from verify.reading.notation import KNOWN_WORDS, PROPERTIES, parse_value


def lines_of(symbols: dict[str, str]) -> dict[str, int]:
    """Each key on its own line, from line 3 on (as under `symbols:` in a page)."""
    return {key: 3 + n for n, key in enumerate(symbols)}


def read(symbols: dict[str, str]):  # type: ignore[no-untyped-def]
    return read_notation(symbols, lines_of(symbols), 2)


def test_entries_and_rows_are_parts_of_their_whole() -> None:
    notation = read({
        "m, n": "size", "i": "index 1..m", "X": "matrix(m, n), rows x^{(i)}",
        "y": "vector(m), nonnegative, integer, entries y^{(i)}",
        "\\alpha": "vector(m), entries \\alpha_i", "x": "vector(n)",
    })  # fmt: skip
    assert not notation.problems, [p.message for p in notation.problems]
    by_base = {d.base: d for d in notation.declarations}
    (rows,) = by_base["X"].parts
    assert (rows.kind, rows.base, rows.superscripts, rows.superscript_parenthesized) == (
        "rows", "x", ("i",), True,
    )  # fmt: skip
    (entries,) = by_base["\\alpha"].parts
    assert (entries.kind, entries.base, entries.subscripts) == ("entries", "\\alpha", ("i",))
    assert by_base["y"].properties == ("nonnegative", "integer")
    assert by_base["x"].kind == Kind.VECTOR  # a plain x beside the rows x^{(i)} of X


def test_a_part_must_run_over_its_whole() -> None:
    notation = read({"m, n": "size", "i": "index 1..n", "y": "vector(m), entries y^{(i)}"})
    (problem,) = notation.problems
    assert "i runs over 1..n" in problem.message and "1..m" in problem.message
    assert problem.line == 5
    assert "y" in notation.broken


@pytest.mark.parametrize(
    ("value", "needed"),
    [
        ("scalar, rows x^{(i)}", "needs a matrix"),
        ("scalar, entries y^{(i)}", "needs a vector or a matrix"),
        ("vector(m), entries y", "index placeholder"),
    ],
)
def test_misplaced_parts_say_what_they_need(value: str, needed: str) -> None:
    notation = read({"m": "size", "i": "index 1..m", "y": value})
    assert notation.problems and needed in notation.problems[0].message


@pytest.mark.parametrize("word", ["lower-triangular", "upper-triangular"])
def test_triangular_matrices(word: str) -> None:
    assert parse_value(f"matrix(n, n), {word}, invertible").properties == (word, "invertible")
    with pytest.raises(ValueError, match="diagonal"):
        parse_value(f"matrix(n, n), {word}, symmetric")
    with pytest.raises(ValueError, match="square"):
        parse_value(f"matrix(n, m), {word}")


def test_an_unknown_word_lists_the_known_ones() -> None:
    with pytest.raises(ValueError) as caught:
        parse_value("matrix(n, n), lower-trangular")
    message = str(caught.value)
    assert "unknown property 'lower-trangular'" in message
    assert all(word in message for word in PROPERTIES)
    assert KNOWN_WORDS in message and "entries" in message and "rows" in message


def test_a_bad_entry_blocks_only_its_symbols() -> None:
    notation = read({
        "n": "size", "L": "matrix(n, n), lower-trangular", "v": "vector(n)",
        "z_{t-1}": "vector(n), random \\mathrm{Poisson}(3)",
    })  # fmt: skip
    assert [p.line for p in notation.problems] == [4, 6]
    assert {d.base for d in notation.declarations} == {"n", "v"}
    assert set(notation.broken) == {"L", "z_{t-1}"}
    assert "line 4" in notation.broken["L"]


def test_a_blocked_size_blocks_what_uses_it() -> None:
    notation = read({"n": "sise", "x": "vector(n)", "a": "scalar"})
    assert set(notation.broken) == {"n", "x"}
    assert "'n' cannot be used" in notation.problems[1].message
    assert [d.base for d in notation.declarations] == ["a"]


def test_duplicates_name_both_entries_and_suggest_entries() -> None:
    notation = read({"m": "size", "i": "index 1..m", "y": "vector(m)", "y^{(i)}": "scalar"})
    (problem,) = notation.problems
    message = problem.message
    assert "'y^{(i)}' (line 6)" in message and "'y' (line 5)" in message
    assert "declare 'y: vector(m), entries y^{(i)}'" in message
    assert "y" in notation.broken


def test_duplicate_families_say_rename() -> None:
    notation = read({"m, k": "size", "i": "index 1..m", "j": "index 1..k",
                     "\\phi_j": "scalar", "\\phi^{(i)}": "scalar"})  # fmt: skip
    (problem,) = notation.problems
    assert "both declare \\phi" in problem.message and "rename one" in problem.message
    assert "already declared" not in problem.message


def test_a_plain_symbol_and_a_family_may_share_a_letter() -> None:
    notation = read({"d, N": "size", "n": "index 1..N", "x": "vector(d)", "x_n": "vector(d)",
                     "\\phi": "scalar", "\\phi_n": "scalar"})  # fmt: skip
    assert not notation.problems
    family = next(d for d in notation.declarations if d.letter == "x")
    assert family.base == "x_n" and family.subscripts == ("n",)
    assert {d.base for d in notation.declarations} >= {"x", "x_n", "\\phi", "\\phi_n"}


def test_a_family_that_could_be_the_entries_is_still_a_duplicate() -> None:
    notation = read({"m": "size", "i": "index 1..m", "x": "matrix(m, m)", "x^{(i)}": "vector(m)"})
    (problem,) = notation.problems
    assert "declare 'x: matrix(m, m), rows x^{(i)}'" in problem.message


def test_a_family_with_a_bare_superscript_never_shares_a_letter() -> None:
    notation = read({"m": "size", "i": "index 1..m", "x": "scalar", "x^i": "scalar"})
    (problem,) = notation.problems
    assert "both declare x" in problem.message


def test_a_part_declared_again_restates_it_and_must_fit() -> None:
    fits = read({
        "m, n": "size", "i": "index 1..m", "X": "matrix(m, n), rows x^{(i)}",
        "x^{(i)}": "vector(n)", "\\sigma": "vector(m), entries \\sigma_i",
        "\\sigma_i": "scalar, positive",
    })  # fmt: skip
    assert not fits.problems
    sigma = next(d for d in fits.declarations if d.base == "\\sigma")
    assert "positive" in sigma.properties
    assert {d.base for d in fits.declarations} == {"m", "n", "i", "X", "\\sigma"}
    wrong = read({
        "m, n": "size", "i": "index 1..m", "X": "matrix(m, n), rows x^{(i)}",
        "x^{(i)}": "vector(m)",
    })  # fmt: skip
    assert len(wrong.problems) == 1 and "vectors of size n" in wrong.problems[0].message


def test_a_key_that_cannot_be_read_blocks_the_page() -> None:
    with pytest.raises(NotationError):
        read({"x y": "scalar"})


def test_a_part_placeholder_declared_nowhere_names_the_entries_only() -> None:
    """`x: vector(H), entries x_i` with i declared nowhere: i runs over x's entries
    (Ba et al. write `x_i` so); a restated part `x_i: scalar, positive` still fits."""
    local = read({"H": "size", "x": "vector(H), entries x_i", "x_i": "scalar, positive"})
    assert not local.problems, [p.message for p in local.problems]
    assert local.local == {"i"}
    (x,) = [d for d in local.declarations if d.base == "x"]
    assert x.parts[0].subscripts == ("i",) and "positive" in x.properties
    scalar = read({"H": "size", "i": "scalar", "x": "vector(H), entries x_i"})
    assert scalar.problems and "not a declared index" in scalar.problems[0].message
    alone = read({"H": "size", "x": "vector(H), entries x_i", "w_i": "scalar"})
    assert len(alone.problems) == 1 and "index 'i' is not declared" in alone.problems[0].message


def test_sizes_may_have_literal_subscripts() -> None:
    """`d_k, d_v: size` (Vaswani et al.) are sizes named d_{k} and d_{v}."""
    notation = read({"d_k, d_v": "size", "n": "size", "Q": "matrix(n, d_k)",
                     "V": "matrix(d_{v}, d_k)"})  # fmt: skip
    assert not notation.problems, [p.message for p in notation.problems]
    by_base = {d.base: d for d in notation.declarations}
    assert by_base["Q"].shape is not None and str(by_base["Q"].shape.cols) == "d_{k}"
    assert by_base["V"].shape is not None and str(by_base["V"].shape.rows) == "d_{v}"
    wrong = read({"d_k": "size", "q": "vector(d_q)"})
    assert wrong.problems and "'d_{q}' is not a declared size" in wrong.problems[0].message


def test_a_random_vector_and_a_family_of_vectors_share_a_letter() -> None:
    """CS229's factor z beside z^{(i)}, Bishop's bold x beside x_i: twins
    (`verify.reading.twins`), random ones included."""
    notation = read({"m, n": "size", "i": "index 1..m", "I": "identity(n)",
                     "z": "vector(n), random \\mathcal{N}(0, I)",
                     "z^{(i)}": "vector(n), random \\mathcal{N}(0, I)",
                     "\\mathbf{x}": "vector(n)", "\\mathbf{x}_i": "vector(n)"})  # fmt: skip
    assert not notation.problems, [p.message for p in notation.problems]
    by_base = {d.base: d for d in notation.declarations}
    assert by_base["z"].indices == () and by_base["z"].letter == ""
    assert by_base["z^(i)"].letter == "z" and by_base["z^(i)"].indices == ("i",)
    assert by_base["z^(i)"].is_random and by_base["\\mathbf{x}_i"].letter == "\\mathbf{x}"


def test_an_index_inside_a_literal_name_makes_a_family() -> None:
    notation = read({"m, n": "size", "i": "index 1..m",
                     "\\mu_{z^{(i)}|x^{(i)}}": "vector(n)", "\\mu_{t|t-1}": "vector(n)",
                     "\\theta_{\\text{new}}": "scalar"})  # fmt: skip
    assert not notation.problems, [p.message for p in notation.problems]
    by_base = {d.base: d for d in notation.declarations}
    assert by_base["\\mu_{z^{(i)}|x^{(i)}}"].indices == ("i",)
    assert by_base["\\mu_{t|t-1}"].indices == ()
    assert by_base["\\theta_{\\text{new}}"].indices == ()


def test_depends_on_names_a_declared_scalar() -> None:
    good = read({"n": "size", "\\theta": "scalar",
                 "K": "matrix(n, n), symmetric, positive-definite, depends on \\theta"})  # fmt: skip
    assert not good.problems, [p.message for p in good.problems]
    (k,) = [d for d in good.declarations if d.base == "K"]
    assert k.depends_on == ("\\theta",) and k.properties == ("symmetric", "positive-definite")
    assert "depends on <scalar>" in KNOWN_WORDS
    undeclared = read({"n": "size", "K": "matrix(n, n), depends on \\phi"})
    (problem,) = undeclared.problems
    assert "\\phi must be a declared scalar" in problem.message and "K" in undeclared.broken
    rigid = read({"n": "size", "a": "scalar", "Q": "matrix(n, n), orthogonal, depends on a"})
    assert "'orthogonal' cannot be kept" in rigid.problems[0].message
    with pytest.raises(ValueError, match="takes no properties"):
        parse_value("vector(n), random \\mathcal{N}(0, I), depends on a")
