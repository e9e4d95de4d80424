"""One letter, two patterns: a plain symbol and a family written with the same letter
(`x: vector(d)` for one input and `x_n: vector(d)` for the n-th training input;
`y` and `y_n`), as textbooks write them.

The scripts tell them apart: `x` has none, `x_n` a subscript, `x_j^{(i)}` a subscript
and a parenthesized superscript. So the two may be declared together when every
pattern of the letter (the plain symbol, its parts, and each family) has its own
scripts; each family then gets a name of its own (`x_n`), which the translator
uses when the scripts fit (`verify.meaning.twins`). A family whose superscript is
not parenthesized (`x^i`) never shares a letter: `x^2` would read as a power of x
or as member 2. Nor does a family that could be the plain symbol's entries or
rows (`y: vector(m)` beside `y^{(i)}: scalar`): that is what `entries` declares,
and the duplicate is an error that says so.
"""

from __future__ import annotations

from dataclasses import replace

from verify.model import Declaration, Kind

Scripts = tuple[bool, bool]  # (has a subscript, has a parenthesized superscript)


def internal_name(d: Declaration) -> str:
    """The family's own name: its letter and placeholders, with no braces, so that no
    literal name (`x_{1}`, `W^{[2]}`, always braced) can be written the same."""
    name = d.base
    if d.subscripts:
        name += "_" + "".join(d.subscripts)
    if d.superscripts:
        name += "^(" + ",".join(d.superscripts) + ")"
    return name


def _scripts(d: Declaration) -> Scripts | None:
    """A family's scripts, or None when it cannot share its letter."""
    if d.arguments or (d.superscripts and not d.superscript_parenthesized):
        return None
    return bool(d.subscripts), bool(d.superscripts)


def _could_be_part(plain: Declaration, family: Declaration) -> bool:
    """Whether the family could be read as the entries or rows of the plain symbol."""
    one, two = len(family.indices) == 1, len(family.indices) == 2
    if plain.kind == Kind.VECTOR:
        return one and family.kind == Kind.SCALAR
    if plain.kind == Kind.MATRIX:
        return (one and family.kind == Kind.VECTOR) or (two and family.kind == Kind.SCALAR)
    return False


def separate(declarations: list[Declaration]) -> list[Declaration]:
    """The declarations, with each family that shares its letter with a plain symbol
    (and can be told apart from it by its scripts) under a name of its own."""
    by_letter: dict[str, list[Declaration]] = {}
    for d in declarations:
        by_letter.setdefault(d.base, []).append(d)
    renamed: dict[int, Declaration] = {}
    for group in by_letter.values():
        plain = [d for d in group if not d.indices]
        families = [d for d in group if d.indices]
        if len(plain) != 1 or not families:
            continue
        taken: list[Scripts] = [(False, False)]
        for part in plain[0].parts:
            if part.base == plain[0].base:
                taken.append((bool(part.subscripts), bool(part.superscripts)))
        scripts = [_scripts(f) for f in families]
        patterns = [*taken, *scripts]
        if None in scripts or len(set(patterns)) != len(patterns):
            continue  # left as they are: `_duplicates` says which letter is declared twice
        if any(_could_be_part(plain[0], f) for f in families):
            continue
        for family in families:
            renamed[id(family)] = replace(family, base=internal_name(family), letter=family.base)
    return [renamed.get(id(d), d) for d in declarations]
