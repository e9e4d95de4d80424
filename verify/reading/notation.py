"""Front matter `symbols:` -> typed declarations (contract §2).

A key such as `w_j^{(i)}` declares a family: its base `w` and the index
placeholders in its subscript and superscript. A value such as
`matrix(n, n), symmetric, positive-definite` gives the kind, the shape and the
properties. Problems are reported against the key's line in the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from verify.errors import NotationError
from verify.model import Declaration, Kind
from verify.shape import Shape, Size

KINDS = {k.value for k in Kind}
PROPERTIES = {
    "positive", "nonzero", "integer", "symmetric", "positive-definite", "invertible",
    "orthogonal", "diagonal", "nonnegative", "negative", "probability",
}  # fmt: skip
MATRIX_ONLY = {"symmetric", "positive-definite", "invertible", "orthogonal", "diagonal"}


@dataclass(frozen=True)
class DeclaredKind:
    """The value of a `symbols:` entry: `matrix(n, n), symmetric` and the like."""

    kind: Kind
    shape: Shape | None = None
    properties: tuple[str, ...] = ()
    sums_over: str | None = None
    index_range: tuple[Size, Size] | None = None


@dataclass(frozen=True)
class SymbolShape:
    """How a symbol is written: base, and the raw subscript/superscript."""

    base: str
    sub: str | None
    sup: str | None


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
        if m:
            return m.group(), i + m.end()
    return text[i], i + 1


def split_symbol(key: str) -> SymbolShape:
    """`w_j^{(i)}` -> base `w`, sub `j`, sup `(i)`; fonts stay part of the base."""
    text = key.strip()
    m = re.match(r"\\[A-Za-z]+\s*\{[^{}]*(?:\{[^{}]*\}[^{}]*)?\}|\\[A-Za-z]+|[A-Za-z]", text)
    if not m:
        raise ValueError(f"'{key}' does not start with a letter or a command")
    base = re.sub(r"\s+", "", m.group())
    i = m.end()
    sub = sup = None
    while i < len(text):
        c = text[i]
        if c.isspace():
            i += 1
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
    return SymbolShape(base, sub, sup)


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
    rng = re.fullmatch(r"index\s+(\S+)\s*\.\.\s*(\S+)", head)
    if rng:
        kind = Kind.INDEX
        index_range = (parse_size(rng.group(1)), parse_size(rng.group(2)))
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
        elif args:
            raise ValueError(f"{kind} takes no size")
    else:
        known = ", ".join(sorted(KINDS))
        raise ValueError(f"unknown kind '{head}' (known: {known}, index A..B)")
    properties: list[str] = []
    sums_over = None
    for prop in parts[1:]:
        prop = re.sub(r"\s+", " ", prop.strip())
        s = re.fullmatch(r"sums to 1 over (\S+)", prop)
        if s:
            sums_over = s.group(1)
            continue
        if prop == "positive definite":
            prop = "positive-definite"
        if prop not in PROPERTIES:
            raise ValueError(f"unknown property '{prop}'")
        if prop in MATRIX_ONLY and kind != Kind.MATRIX:
            raise ValueError(f"'{prop}' applies to a matrix, not a {kind.value}")
        square = shape is not None and shape.is_square
        if kind == Kind.MATRIX and prop in MATRIX_ONLY - {"invertible"} and not square:
            raise ValueError(f"'{prop}' needs a square matrix")
        properties.append(prop)
    return DeclaredKind(kind, shape, tuple(properties), sums_over, index_range)


def declare(
    symbols: object,
    key_lines: dict[str, int],
    default_line: int,
    meanings: dict[str, str] | None = None,
) -> list[Declaration]:
    """All declarations of a page; raises `NotationError` at the faulty key.

    `meanings` (key -> words) are shown to readers in the notation table."""
    if not isinstance(symbols, dict):
        raise NotationError("'symbols:' must be a mapping of symbol: kind", default_line)
    declarations: list[Declaration] = []
    seen: dict[str, str] = {}
    indices = _index_names(symbols)
    for raw_key, raw_value in symbols.items():
        key = str(raw_key)
        line = key_lines.get(key, default_line)
        if not isinstance(raw_value, str):
            raise NotationError(f"'{key}': the kind must be text such as 'scalar'", line)
        try:
            declared = parse_value(raw_value)
            for part in split_top(key):
                form = literal_form(split_symbol(part), indices)
                subs, _ = index_names(form.sub)
                sups, paren = index_names(form.sup)
                if declared.kind.is_integer and (subs or sups):
                    raise ValueError("a size or index is a plain letter")
                if form.base in seen:
                    raise ValueError(f"'{form.base}' is already declared as '{seen[form.base]}'")
                seen[form.base] = part
                declarations.append(
                    Declaration(
                        key=part,
                        base=form.base,
                        subscripts=subs,
                        superscripts=sups,
                        superscript_parenthesized=paren,
                        kind=declared.kind,
                        shape=declared.shape,
                        properties=declared.properties,
                        sums_over=declared.sums_over,
                        index_range=declared.index_range,
                        line=line,
                        meaning=(meanings or {}).get(key, ""),
                    )  # fmt: skip
                )
        except ValueError as err:
            raise NotationError(f"symbols: '{key}': {err}", line) from None
    _check_references(declarations)
    return declarations


def canonical_script(text: str) -> str:
    """How a literal script is spelled in a symbol's name: `x_{1}`, `W^{[2]}`."""
    return re.sub(r"\s+", "", text)


def _index_names(symbols: dict[object, object]) -> set[str]:
    """Names declared as indices, known before any family pattern is read."""
    names: set[str] = set()
    for key, value in symbols.items():
        if isinstance(value, str) and value.strip().startswith("index"):
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
    return SymbolShape(base, sub, sup)


def _check_references(declarations: list[Declaration]) -> None:
    """Sizes name declared sizes; family placeholders name declared indices."""
    sizes = {d.base for d in declarations if d.kind == Kind.SIZE}
    indices = {d.base for d in declarations if d.kind == Kind.INDEX}
    for d in declarations:
        used = ([d.shape.rows, d.shape.cols] if d.shape else []) + list(d.index_range or ())
        for name in sorted({n for size in used for n in size.names()}):
            if name not in sizes:
                raise NotationError(f"symbols: '{d.key}': '{name}' is not a declared size", d.line)
        for placeholder in d.indices:
            if placeholder not in indices:
                raise NotationError(
                    f"symbols: '{d.key}': index '{placeholder}' is not declared"
                    " (declare it, e.g. 'i: index 1..m')",
                    d.line,
                )
        if d.sums_over and d.sums_over not in d.indices:
            raise NotationError(
                f"symbols: '{d.key}': 'sums to 1 over {d.sums_over}' needs"
                f" {d.sums_over} among its indices",
                d.line,
            )
