"""Symbolic proofs of purely scalar pairs, within a time budget.

Only offered pairs that already held at every instance: a proof upgrades
`checked` to `proved`, it never decides a pair alone.
"""

from __future__ import annotations

import sympy as sp

from verify.deciding.understand import Understood, refs
from verify.errors import OutOfTime
from verify.limits import time_limit
from verify.meaning import terms as T
from verify.meaning.terms import Env
from verify.meaning.textbook_terms import PartRef
from verify.shape import SCALAR

PROOF_SECONDS = 2.0


def provable(u: Understood) -> bool:
    """Purely scalar pairs, with no families and no sums over symbolic ranges."""
    for term in u.lhs.walk() + u.rhs.walk():
        if term.shape not in (SCALAR, None):
            return False
        if isinstance(term, T.Ref) and (term.family or isinstance(term, PartRef)):
            return False
        if isinstance(term, (T.IndexValue, T.SizeValue, T.Sum, T.FunctionCall, T.Gaussian)):
            return False
    return True


def prove(u: Understood) -> bool:
    """simplify(lhs − rhs) == 0 with symbols, within `PROOF_SECONDS`."""
    decls = {d.base: d for d in u.translator.declarations.values()}
    values = {}
    for ref in refs([u.lhs, u.rhs]):
        d = decls.get(ref.name)
        props = d.properties if d else ()
        values[ref.name] = sp.Symbol(
            ref.name, real=True, positive="positive" in props or None,
            nonzero="nonzero" in props or None, integer="integer" in props or None,
        )  # fmt: skip
    env = Env({}, {}, values, {}, {}, symbolic=True)
    try:
        with time_limit(PROOF_SECONDS, enforced=True):
            difference = u.lhs.value(env) - u.rhs.value(env)
            if difference == 0:
                return True
            return bool(sp.simplify(difference) == 0)
    except (OutOfTime, Exception):
        return False
