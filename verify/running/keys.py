"""Digests that name what a verdict depends on: the keys of the verdict cache.

A key is a SHA-256 of everything that can change a verdict — the pair's
relation and sides (with their positions relative to the pair's own line),
its directives, the derivation variable, the page's declarations, the
definitions in force, and the checker's own source — and of nothing else (not
the file name, not the absolute line, never an object's identity).
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from verify.model import Definition, Page, Pair, Span


@lru_cache(maxsize=1)
def checker_version() -> str:
    """A digest of every file of the package: any change to it invalidates the cache."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent
    for source in sorted([*package.rglob("*.py"), *package.rglob("*.lark")]):
        digest.update(source.relative_to(package).as_posix().encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def _digest(material: Any) -> str:
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def page_key(name: str, source: str) -> str:
    """The key of a whole page's report: its name, its text and the checker."""
    return hashlib.sha256(f"{checker_version()}|{name}|{source}".encode()).hexdigest()


def notation_digest(page: Page) -> str:
    """The part of every pair's key that comes from the page: its notation and `wrt`."""
    declarations = [  # a symbol's line and meaning never change a verdict
        {k: v for k, v in d.to_json().items() if k not in ("line", "meaning")}
        for d in page.declarations
    ]
    given = [h.text for h in page.given]
    return _digest([page.wrt, declarations, given, sorted(page.broken.items())])


def pair_key(pair: Pair, notation: str, wrt: str | None, definitions: list[Definition]) -> str:
    """The key of one pair's verdict, given its page's `notation_digest`."""

    def span(s: Span) -> list[Any]:
        return [s.text, [(line - pair.line, col) for line, col in s.line_starts]]

    directive = pair.directive
    material = {
        "version": checker_version(), "relation": str(pair.relation), "lhs": span(pair.lhs),
        "rhs": span(pair.rhs),
        "directive": [directive.skip, directive.expect_fail, directive.wrt,
                      [list(d) for d in directive.distinct], [h.text for h in directive.given],
                      [h.text for h in directive.conditions]],
        "wrt": wrt, "notation": notation,
        "definitions": [[d.lhs.text, d.rhs.text, [h.text for h in d.conditions]]
                        for d in definitions],
    }  # fmt: skip
    return _digest(material)
