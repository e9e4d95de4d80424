"""Front matter `symbols:` -> typed declarations (contract §2).

A key such as `w_j^{(i)}` declares a family: its base `w` and the index
placeholders in its subscript and superscript. A value such as
`matrix(n, n), symmetric, positive-definite` gives the kind, the shape and the
properties. Problems are reported against the key's line in the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from verify.model import Declaration, Kind
from verify.reading.parts import PART_KINDS, PART_PATTERN
from verify.shape import Shape, Size

KINDS = {k.value for k in Kind}
PROPERTIES = {
    "positive", "nonzero", "integer", "symmetric", "positive-definite", "invertible",
    "orthogonal", "diagonal", "nonnegative", "negative", "probability", "lower-triangular",
    "upper-triangular",
}  # fmt: skip
TRIANGULAR = {"lower-triangular", "upper-triangular"}
MATRIX_ONLY = {"symmetric", "positive-definite", "invertible", "orthogonal", "diagonal",
               *TRIANGULAR}  # fmt: skip
# Properties that a triangular matrix cannot have unless it is diagonal.
NOT_TRIANGULAR = {"symmetric", "positive-definite", "orthogonal"}
PART_WORDS = tuple(PART_KINDS)
KNOWN_WORDS = (
    f"{', '.join(sorted(PROPERTIES))}, sums to 1 over <index>, entries <pattern>"
    " (as in 'entries y^{(i)}'), rows <pattern> (as in 'rows x^{(i)}'), columns <pattern>"
    " (as in 'columns \\mathbf{u}_j'), diagonal entries <pattern> (as in 'diagonal entries"
    " d_j'), depends on <scalar>"
)


@dataclass(frozen=True)
class DeclaredKind:
    """The value of a `symbols:` entry: `matrix(n, n), symmetric` and the like."""

    kind: Kind
    shape: Shape | None = None
    properties: tuple[str, ...] = ()
    sums_over: str | None = None
    index_range: tuple[Size, Size] | None = None
    parts: tuple[tuple[str, str], ...] = ()  # ("entries", "y^{(i)}"), ("rows", "x^{(i)}")
    random: RandomClause | None = None
    count: str = ""  # `subset of 1..N, size N_k`: the size, as written
    depends_on: tuple[str, ...] = ()  # `depends on \\theta` (`verify.meaning.dependence`)


@dataclass(frozen=True)
class RandomClause:
    """`random \\mathcal{N}(\\mu, \\Sigma)`: a family and its parameters, as LaTeX."""

    family: str
    parameters: tuple[str, ...]


# How a declaration may name a distribution (after `\mathrm{…}` or
# `\operatorname{…}` is taken off), the family it is, how many parameters it
# takes, and the kinds of symbol it can describe.
RANDOM_FAMILIES = {
    "\\mathcal{N}": "normal", "N": "normal", "Normal": "normal", "Gaussian": "normal",
    "Bernoulli": "bernoulli", "Bern": "bernoulli",
    "Categorical": "categorical", "Cat": "categorical",
}  # fmt: skip
RANDOM_ARITY = {"normal": 2, "bernoulli": 1, "categorical": 1}
RANDOM_KINDS = {
    "normal": (Kind.SCALAR, Kind.VECTOR),
    "bernoulli": (Kind.SCALAR,),
    "categorical": (Kind.INDEX,),
}
RANDOM_USAGE = {
    "normal": "scalar, random \\mathcal{N}(m, s^2) or vector(n), random \\mathcal{N}(\\mu, \\Sigma)",
    "bernoulli": "scalar, random Bernoulli(\\phi)",
    "categorical": "index 1..k, random Categorical(\\phi)",
}
_WRAPPED_NAME = re.compile(r"\\(?:mathrm|operatorname|text|textrm|mathsf)\s*\{\s*(\w+)\s*\}")


def parse_random(clause: str, kind: Kind) -> RandomClause:
    """`random Categorical(\\phi)` -> the family and its parameters, checked against
    the kind of symbol it describes (contract §2)."""
    text = clause.strip()[len("random") :].strip()
    opening = text.find("(")
    if opening <= 0 or not text.endswith(")") or _closing(text, opening) != len(text) - 1:
        raise ValueError(
            f"'random {text}': write the distribution with its parameters, as in"
            " random \\mathcal{N}(\\mu, \\Sigma)"
        )
    head = re.sub(r"\s+", "", text[:opening])
    head = _WRAPPED_NAME.sub(r"\1", head)
    family = RANDOM_FAMILIES.get(head)
    if family is None:
        raise ValueError(
            f"unknown distribution '{text[:opening].strip()}' (known: \\mathcal{{N}},"
            " Bernoulli, Categorical)"
        )
    parameters = tuple(split_top(text[opening + 1 : -1]))
    if len(parameters) != RANDOM_ARITY[family]:
        raise ValueError(f"{head} takes {RANDOM_ARITY[family]} parameter(s), got {len(parameters)}")
    if kind not in RANDOM_KINDS[family]:
        raise ValueError(
            f"a {kind.value} cannot be {head}-distributed: declare it as '{RANDOM_USAGE[family]}'"
        )
    return RandomClause(family, parameters)


def _closing(text: str, opening: int) -> int:
    """The offset of the parenthesis that closes the one at `opening`, or -1."""
    depth = 0
    for k in range(opening, len(text)):
        if text[k] in "({[":
            depth += 1
        elif text[k] in ")}]":
            depth -= 1
            if depth == 0:
                return k
    return -1


@dataclass(frozen=True)
class SymbolShape:
    """How a symbol is written: base, and the raw subscript/superscript."""

    base: str
    sub: str | None
    sup: str | None
    args: str | None = None  # `(a | s)` of `\\pi(a | s)`: indices written as arguments


def split_top(text: str, sep: str = ",") -> list[str]:
    """Split on `sep` outside braces and parentheses."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in text:
        if ch in "({[":
            depth += 1
        elif ch in ")}]":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def _take_group(text: str, i: int) -> tuple[str, int]:
    """A script argument at `i`: a braced group, a command, or one character."""
    if text[i] == "{":
        depth = 0
        for j in range(i, len(text)):
            if text[j] == "{":
                depth += 1
            elif text[j] == "}":
                depth -= 1
                if depth == 0:
                    return text[i + 1 : j].strip(), j + 1
        raise ValueError("unclosed '{'")
    if text[i] == "\\":
        m = re.match(r"\\[A-Za-z]+", text[i:])
        if m and m.group()[1:] in _NAMING and text[i + m.end() : i + m.end() + 1] == "{":
            # `\\mathbf{S}_\\mathrm{W}`: a font or text command with its argument
            word, end = _take_group(text, i + m.end())
            return f"{m.group()}{{{word}}}", end
        if m:
            return m.group(), i + m.end()
    return text[i], i + 1


# Commands whose braced argument belongs to a script written without braces.
_NAMING = {"mathrm", "text", "textrm", "mathsf", "mathbf", "boldsymbol", "mathcal", "mathit",
           "operatorname"}  # fmt: skip


def split_symbol(key: str) -> SymbolShape:
    """`w_j^{(i)}` -> base `w`, sub `j`, sup `(i)`; fonts stay part of the base."""
    text = key.strip()
    m = re.match(r"\\[A-Za-z]+\s*\{[^{}]*(?:\{[^{}]*\}[^{}]*)?\}|\\[A-Za-z]+|[A-Za-z]", text)
    if not m:
        raise ValueError(f"'{key}' does not start with a letter or a command")
    base = re.sub(r"\s+", "", m.group())
    i = m.end()
    while i < len(text) and text[i] == "'":  # `x'`: a primed symbol of its own
        base += "'"
        i += 1
    sub = sup = args = None
    while i < len(text):
        c = text[i]
        if c.isspace():
            i += 1
            continue
        if c == "(" and args is None and text.rstrip().endswith(")"):
            args = text[i + 1 : text.rstrip().rfind(")")].strip()
            i = len(text)
            continue
        if c in "_^" and i + 1 < len(text):
            arg, i = _take_group(text, i + 1)
            if c == "_":
                if sub is not None:
                    raise ValueError("two subscripts")
                sub = arg
            else:
                if sup is not None:
                    raise ValueError("two superscripts")
                sup = arg
            continue
        raise ValueError(f"unexpected {c!r} in symbol '{key}'")
    return SymbolShape(base, sub, sup, args)


def argument_names(args: str | None) -> tuple[str, ...]:
    """The index placeholders written as arguments: `(a | s)` -> a, s; `(s', s, a)`."""
    if args is None:
        return ()
    names = tuple(n.strip() for n in re.split(r"\\mid|[|,]", args))
    for name in names:
        if not re.fullmatch(r"(?:[A-Za-z]|\\[A-Za-z]+)'*", name):
            raise ValueError(
                f"argument '{name}' of an indexed symbol must be an index, as in p(s' | s, a)"
            )
    return names


def index_names(script: str | None) -> tuple[tuple[str, ...], bool]:
    """Placeholders of a pattern's script: `(i)` -> (('i',), True); `jk` -> j, k."""
    if script is None:
        return (), False
    s = script.strip()
    parenthesized = s.startswith("(") and s.endswith(")")
    if parenthesized:
        s = s[1:-1].strip()
    if "," in s:
        names = tuple(p.strip() for p in s.split(","))
    elif re.fullmatch(r"[A-Za-z]+", s):
        names = tuple(s)
    else:
        names = (s,)
    for name in names:
        if not re.fullmatch(r"[A-Za-z]|\\[A-Za-z]+", name):
            raise ValueError(f"index placeholder '{name}' must be a single letter")
    return names, parenthesized


def parse_size(text: str) -> Size:
    return Size.parse(text)


def parse_value(value: str) -> DeclaredKind:
    """`matrix(n, n), symmetric` -> kind, shape, properties, sums-over, range."""
    parts = split_top(value)
    if not parts:
        raise ValueError("empty declaration")
    head = parts[0]
    shape: Shape | None = None
    index_range: tuple[Size, Size] | None = None
    m = re.fullmatch(r"(\w+)\s*(?:\((.*)\))?", head)
    rng = re.fullmatch(r"(index|subset\s+of)\s+(\S+)\s*\.\.\s*(\S+)", head)
    if rng:
        kind = Kind.INDEX if rng.group(1) == "index" else Kind.SUBSET
        index_range = (parse_size(rng.group(2)), parse_size(rng.group(3)))
    elif m and m.group(1) in KINDS:
        kind = Kind(m.group(1))
        args = [a.strip() for a in (m.group(2) or "").split(",") if a.strip()]
        if kind == Kind.VECTOR:
            if len(args) != 1:
                raise ValueError("vector needs one size, as in vector(n)")
            shape = Shape.of(parse_size(args[0]), 1)
        elif kind == Kind.MATRIX:
            if len(args) != 2:
                raise ValueError("matrix needs two sizes, as in matrix(n, n)")
            shape = Shape(parse_size(args[0]), parse_size(args[1]))
        elif kind == Kind.IDENTITY:
            if len(args) != 1:
                raise ValueError("identity needs one size, as in identity(n)")
            shape = Shape(parse_size(args[0]), parse_size(args[0]))
        elif kind == Kind.INDEX:
            raise ValueError("an index needs a range, as in index 1..m")
        elif kind == Kind.SUBSET:
            raise ValueError("a subset needs a range, as in subset of 1..N")
        elif args:
            raise ValueError(f"{kind} takes no size")
    else:
        known = ", ".join(sorted(KINDS))
        raise ValueError(f"unknown kind '{head}' (known: {known}, index A..B, subset of A..B)")
    properties: list[str] = []
    sums_over = None
    wholes: list[tuple[str, str]] = []
    random: RandomClause | None = None
    count = ""
    depends: list[str] = []
    for prop in parts[1:]:
        if re.match(r"random\b", prop.strip()):
            random = parse_random(prop, kind)
            continue
        prop = re.sub(r"\s+", " ", prop.strip())
        s = re.fullmatch(r"sums to 1 over (\S+)", prop)
        if s:
            sums_over = s.group(1)
            continue
        sized = re.fullmatch(r"size (.+)", prop)
        if sized and kind == Kind.SUBSET:
            count = sized.group(1).strip()
            continue
        dependence = re.fullmatch(r"depends on (.+)", prop)
        if dependence:
            depends.append(re.sub(r"\s+", "", dependence.group(1)))
            continue
        whole = re.fullmatch(PART_PATTERN + r" (.+)", prop)
        if whole:
            wholes.append(_part_word(kind, shape, whole.group(1), whole.group(2)))
            continue
        if prop in ("positive definite", "lower triangular", "upper triangular"):
            prop = prop.replace(" ", "-")
        if prop not in PROPERTIES:
            raise ValueError(f"unknown property '{prop}' (known: {KNOWN_WORDS})")
        if prop in MATRIX_ONLY and kind != Kind.MATRIX:
            raise ValueError(f"'{prop}' applies to a matrix, not a {kind.value}")
        square = shape is not None and shape.is_square
        # `orthogonal` on an N × p matrix: orthonormal columns (ESL's thin SVD factor)
        needs_square = MATRIX_ONLY - {"invertible", "orthogonal"}
        if kind == Kind.MATRIX and prop in needs_square and not square:
            raise ValueError(f"'{prop}' needs a square matrix")
        properties.append(prop)
    _check_combination(properties)
    if random is not None and (properties or sums_over or depends):
        raise ValueError("a random symbol takes no properties: its distribution says it all")
    if kind == Kind.SUBSET and properties:
        raise ValueError(f"a subset takes no property but its size ('size N_k'), got"
                         f" '{properties[0]}'")  # fmt: skip
    return DeclaredKind(kind, shape, tuple(properties), sums_over, index_range, tuple(wholes),
                        random, count, tuple(depends))  # fmt: skip


def _part_word(kind: Kind, shape: Shape | None, word: str, key: str) -> tuple[str, str]:
    """`entries y^{(i)}` on a vector or matrix; `rows x^{(i)}`, `columns \\mathbf{u}_j` on
    a matrix; `diagonal entries d_j` on a square matrix. Returns (part kind, pattern)."""
    if word in ("rows", "columns", "diagonal entries") and kind != Kind.MATRIX:
        raise ValueError(f"'{word} {key}' needs a matrix, not a {kind.value}")
    if word == "diagonal entries" and (shape is None or not shape.is_square):
        raise ValueError(f"'{word} {key}' needs a square matrix")
    if word == "entries" and kind not in (Kind.VECTOR, Kind.MATRIX):
        raise ValueError(f"'entries {key}' needs a vector or a matrix, not a {kind.value}")
    return PART_KINDS[word], key.strip()


def _check_combination(properties: list[str]) -> None:
    triangular = [p for p in properties if p in TRIANGULAR]
    if len(triangular) == 2:
        raise ValueError("lower- and upper-triangular together: declare it 'diagonal'")
    clash = [p for p in properties if p in NOT_TRIANGULAR]
    if triangular and clash:
        raise ValueError(
            f"a {triangular[0]} matrix that is {clash[0]} is diagonal: declare it 'diagonal'"
        )


def declare(
    symbols: object,
    key_lines: dict[str, int],
    default_line: int,
    meanings: dict[str, str] | None = None,
) -> list[Declaration]:
    """All declarations of a page; raises `NotationError` at the first faulty key.

    Pages are read with `verify.reading.declarations.read_notation`, which keeps
    the good entries and blocks only the symbols of a bad one. `meanings`
    (key -> words) are shown to readers in the notation table."""
    from verify.reading.declarations import read_notation

    notation = read_notation(symbols, key_lines, default_line, meanings)
    if notation.problems:
        raise notation.problems[0]
    return notation.declarations


def canonical_script(text: str) -> str:
    """How a literal script is spelled in a symbol's name: `x_{1}`, `W^{[2]}`."""
    return re.sub(r"\s+", "", text)


def _index_names(symbols: dict[object, object]) -> set[str]:
    """Names declared as indices, known before any family pattern is read."""
    names: set[str] = set()
    for key, value in symbols.items():
        random = isinstance(value, str) and re.search(r",\s*random\b", value)
        if isinstance(value, str) and value.strip().startswith("index") and not random:
            names.update(p.strip() for p in split_top(str(key)))
    return names


def _is_pattern(script: str | None, indices: set[str]) -> bool:
    if script is None:
        return False
    try:
        names, _ = index_names(script)
    except ValueError:
        return False
    return all(n in indices for n in names)


def literal_form(form: SymbolShape, indices: set[str]) -> SymbolShape:
    """Fold scripts that are not index placeholders into the name: `W_1`, `I_p`,
    `\\Sigma_{11}` and `W^{[1]}` declare symbols of their own."""
    base, sub, sup = form.base, form.sub, form.sup
    if sub is not None and not _is_pattern(sub, indices):
        base += "_{" + canonical_script(sub) + "}"
        sub = None
    if sup is not None and not _is_pattern(sup, indices):
        base += "^{" + canonical_script(sup) + "}"
        sup = None
    return SymbolShape(base, sub, sup, form.args)
