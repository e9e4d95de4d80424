"""Remembering a costly term's value at the values it reads.

An exact expectation integrates a polynomial in fresh symbols, which costs
milliseconds per entry; a page like factor analysis evaluates the same
covariance once per member of a given with a free index, and again for each
side. `fingerprint` names what a term's value depends on at an instance — the
values of the symbols and indices it reads, every size, the derivative depth and
the number mode — so that an equal fingerprint means an equal value. Values
that cannot be named so (an unknown kind of value) give no fingerprint, and the
value is computed afresh.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from verify.meaning import terms as T
from verify.meaning.dual import Dual, Mat, exact_mode

LIMIT = 64  # fingerprints kept per term


def fingerprint(term: T.Term, env: T.Env) -> tuple[Any, ...] | None:
    """What `term`'s value at `env` depends on, hashable; None if it cannot be told."""
    try:
        read: list[Any] = []
        names = {t.name for t in term.walk() if isinstance(t, T.Ref)}
        for t in term.walk():  # values kept beside a symbol's own (a curve's directions)
            names.update(getattr(t, "reads", list)())
        for name in sorted(names):
            if name in env.values:
                read.append((name, _key(env.values[name])))
            if name in env.families:
                members = sorted(env.families[name].items())
                read.append((name, tuple((k, _key(v)) for k, v in members)))
        for t in term.walk():
            if isinstance(t, T.FunctionCall):
                read.append((t.name, id(env.functions.get(t.name))))
        named = {t.name for t in term.walk() if isinstance(t, T.IndexValue)}
        indices = tuple(sorted((k, v) for k, v in env.indices.items() if k in named))
        key = (
            tuple(read), indices, tuple(sorted(env.sizes.items())),
            env.depth, env.symbolic, exact_mode(),
        )  # fmt: skip
        hash(key)
    except (TypeError, _Unnamed):
        return None
    return key


class _Unnamed(Exception):  # noqa: N818 - a signal, not an error
    """A value with no fingerprint."""


def _key(value: Any) -> Any:
    if isinstance(value, Mat):
        return ("mat", tuple(tuple(_key(x) for x in row) for row in value.data))
    if isinstance(value, Dual):
        return ("dual", _key(value.value), _key(value.slope), value.tag)
    if isinstance(value, sp.Basic):
        return value
    raise _Unnamed


def remembered(memo: dict[Any, Any], key: tuple[Any, ...] | None, compute: Any) -> Any:
    """`compute()`, or the value remembered under `key`."""
    if key is None:
        return compute()
    if key in memo:
        return memo[key]
    value = compute()
    if len(memo) >= LIMIT:
        memo.pop(next(iter(memo)))
    memo[key] = value
    return value
