"""What a verdict says about how it was reached: the instances and what they covered.

The coverage is read from the values actually used at the instances that
passed (not from the plan), so the method never claims a region that a
re-draw took away: a scalar under a logarithm that only ever had positive
values is named.
"""

from __future__ import annotations

from fractions import Fraction

import sympy as sp

from verify.deciding.compare import MAXN_PRECISE
from verify.deciding.instances import Instance
from verify.deciding.plans import Plan, names_used
from verify.deciding.solving import ISOLATED, NONLINEAR
from verify.deciding.understand import Mode, Understood
from verify.deciding.values import POINT_CHANCE, SCALAR_CLASSES
from verify.meaning import terms as T
from verify.model import Kind

SPECIAL = {
    Fraction(1): "1", Fraction(-1): "-1", Fraction(1, 2): "1/2", Fraction(-1, 2): "-1/2",
    Fraction(2): "2",
}  # fmt: skip
SIGN_NAMES = {-1: "< 0", 0: "0", 1: "> 0"}
SINGULAR_CLASSES = {"singular", "rank-one", "zero", "zero-diagonal"}


def describe(u: Understood, plan: Plan, passed: list[Instance], used: set[str],
             notes: set[str], constant: bool, given: frozenset[str] | set[str] = frozenset(),
             ) -> str:  # fmt: skip
    """The method of a verdict; `given` names the symbols the givens set (no free
    scalars: their coverage is not claimed)."""
    wrt = getattr(u.wrt, "written", "") or (u.wrt.name if u.wrt else "")
    what = {
        Mode.EQUAL: "evaluation",
        Mode.CONST: f"difference independent of {wrt}",
        Mode.PROPTO: f"ratio independent of {wrt}",
        Mode.INEQUALITY: "held",
        Mode.IMPLIES: f"the premise's whole solution set in {wrt} is the conclusion",
        Mode.ENTAILS: "the conclusion held where the premise holds"
        + (", and the premise where the conclusion holds" if u.converse else ""),
    }[u.mode]
    if constant:
        return (f"{what}, exactly: no free symbols, the difference resolved to 60 significant"
                f" digits with up to {MAXN_PRECISE} digits of working precision")  # fmt: skip
    solved = {u.wrt.name} if u.mode == Mode.IMPLIES and u.wrt else set()  # not a free symbol
    solved |= set(given)
    parts = [p for p in (_sizes(passed, used), _scalars(plan, passed, solved),
                         _singular(plan, passed, solved)) if p]  # fmt: skip
    if plan.functions:
        parts.append(f"{', '.join(plan.functions)}: random exp/sin/rational mixtures")
    wide = sum(1 for i in passed if i.row.wide and i.classes == dict(i.row.classes))
    if wide and plan.symbols and u.mode != Mode.INEQUALITY:
        chance = POINT_CHANCE.denominator
        parts.append(f"{wide} at wide random values: a false rational identity of degree d"
                     f" passes each with chance ≤ d/{chance}")  # fmt: skip
    if NONLINEAR in notes:
        parts.append(f"the premise is not linear in {wrt}: its solution set is computed"
                     " exactly at size 1, and shown isolated at the other sizes")  # fmt: skip
    if ISOLATED in notes:
        parts.append(f"where the solution is costly exactly, the premise held at it with"
                     f" 100-digit floats and its derivative in {wrt} had full rank")  # fmt: skip
    count = f"at {len(passed)} instances"
    return f"{what} {count}" + (f" ({'; '.join(parts)})" if parts else "")


def _ranges(values: list[int]) -> str:
    """1, 2, 3, 5 -> "1–3, 5"."""
    out: list[str] = []
    for v in sorted(set(values)):
        if out and out[-1].split("–")[-1] == str(v - 1):
            out[-1] = f"{out[-1].split('–')[0]}–{v}"
        else:
            out.append(str(v))
    return ", ".join(out)


def _sizes(passed: list[Instance], used: set[str]) -> str:
    names = sorted({n for i in passed for n in i.env.sizes if n in used})
    if not names:
        return ""
    shown = ", ".join(f"{n}={_ranges([i.env.sizes[n] for i in passed])}" for n in names)
    unequal = len(names) > 1 and any(len({i.env.sizes[n] for n in names}) > 1 for i in passed)
    return f"sizes {shown}" + (", unequal too" if unequal else "")


def _sign(value: object) -> int | None:
    v = sp.sympify(value)
    if not v.is_Rational:
        return None
    return 0 if v == 0 else (1 if v > 0 else -1)


def _scalars(plan: Plan, passed: list[Instance], solved: set[str]) -> str:
    """Which signs and special values each free scalar took, naming what it missed."""
    missing: list[str] = []
    scalars = [s for s in plan.symbols
               if s.is_scalar and len(s.classes) > 1 and s.name not in solved]  # fmt: skip
    if not scalars:
        return ""
    for s in scalars:
        signs = {_sign(i.env.values[s.name]) for i in passed}
        specials = {SPECIAL.get(Fraction(str(sp.sympify(i.env.values[s.name])))) for i in passed
                    if _sign(i.env.values[s.name]) is not None}  # fmt: skip
        wanted_signs = set().union(*(SCALAR_CLASSES[c][1] for c in s.classes))
        wanted_specials = {SPECIAL[v] for v in SPECIAL if _admits(s.classes, v)}
        gaps = [SIGN_NAMES[x] for x in sorted(wanted_signs - signs)]
        gaps += sorted(wanted_specials - specials)
        if gaps:
            missing.append(f"{s.name} never {', '.join(gaps)}")
    text = "every free scalar negative, zero and positive and at ±1, ±1/2, 2, where admissible"
    if plan.design == "pairwise":
        text += ", every two scalars at every pair of these"
    if missing:
        text += " (except: " + "; ".join(missing[:4]) + ("; …" if len(missing) > 4 else "") + ")"
    return text


def _admits(classes: tuple[str, ...], value: Fraction) -> bool:
    names = {Fraction(1): "one", Fraction(-1): "minus-one", Fraction(1, 2): "half",
             Fraction(-1, 2): "minus-half", Fraction(2): "two"}  # fmt: skip
    return names[value] in classes


def _singular(plan: Plan, passed: list[Instance], solved: set[str]) -> str:
    """Matrices and vectors that took singular (or zero) values, and those that could
    have but never did at a passing instance."""
    took, never = [], []
    for s in plan.symbols:
        if s.kind not in (Kind.MATRIX, Kind.VECTOR) or s.name in solved:
            continue
        could = [c for c in s.classes if c in SINGULAR_CLASSES]
        if not could:
            continue
        if any(i.classes[s.name] in SINGULAR_CLASSES for i in passed):
            took.append(s.name)
        else:
            never.append(s.name)
    parts = []
    if took:
        parts.append(f"singular or zero values of {', '.join(took)}")
    if never:
        parts.append(f"never singular: {', '.join(never)} (undefined there)")
    return "; ".join(parts)


def vacuous_derivatives(u: Understood) -> str:
    """A note for each derivative of an expression that does not involve its variable:
    it is 0, which may not be what the page meant."""
    found: list[str] = []
    for term in (u.lhs, u.rhs):
        for t in term.walk():
            if isinstance(t, T.Derivative) and t.variable.name not in names_used([t.body]):
                name = t.variable.written or t.variable.name
                if name not in found:
                    found.append(name)
    if not found:
        return ""
    names = ", ".join(found)
    return (f"note: a derivative in {names} is applied to an expression that does not involve"
            f" {names}, so it is 0 here")  # fmt: skip
