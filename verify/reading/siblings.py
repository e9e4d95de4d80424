"""A plain symbol and a family that share a letter, as textbooks write them.

CS229 writes `z` for the factor of one example and `z^{(i)}` for that of example
i; Bishop writes `\\mathbf{x}` for one point and `\\mathbf{x}_n` for the data. Each
is declared on its own line, and they are different symbols. The family keeps
its letter for reading (`z^{(i)}` is a member, `z` the plain symbol: see
`verify.meaning.siblings`), but is stored under its key, so that instances,
expectations and counterexamples tell the two apart.

Only vectors and matrices share a letter, and only with a family of the same
kind. A vector beside a family of scalars, or a matrix beside a family of
vectors, reads as a whole and its parts; a scalar beside a family of scalars
(`\\phi`, `\\phi_j`) is more often a forgotten index than a second symbol. Both
stay errors that say how to declare them.
"""

from __future__ import annotations

import re
from dataclasses import replace

from verify.model import Declaration, Kind

# Kinds whose plain symbol and family may share a letter.
SHARING = (Kind.VECTOR, Kind.MATRIX)


def separate(declarations: list[Declaration]) -> list[Declaration]:
    """The declarations, each family that shares a plain symbol's letter renamed."""
    groups: dict[str, list[Declaration]] = {}
    for d in declarations:
        groups.setdefault(d.base, []).append(d)
    renamed: dict[int, Declaration] = {}
    for group in groups.values():
        if len(group) != 2 or any(d.parts for d in group):
            continue
        plain = [d for d in group if not d.indices]
        family = [d for d in group if d.indices]
        if len(plain) != 1 or len(family) != 1:
            continue
        if plain[0].kind != family[0].kind or plain[0].kind not in SHARING:
            continue
        renamed[id(family[0])] = replace(family[0], base=stored_name(family[0]),
                                         shares=family[0].base)  # fmt: skip
    return [renamed.get(id(d), d) for d in declarations]


def stored_name(family: Declaration) -> str:
    """The name a sharing family is stored under: its key, as written (`z^{(i)}`)."""
    return re.sub(r"\s+", "", family.key)
