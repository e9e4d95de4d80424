"""`premise ⟹ v = expr`: the conclusion must be the premise's whole solution set.

At each instance every other symbol has its exact value, so the premise is an
equation in v alone:

- v with one entry (a scalar, or a 1×1 matrix at size 1): SymPy's `solveset`
  over the reals, restricted by v's declared properties (positive, …), gives
  the whole solution set exactly; it must be {expr}. A second solution (t² = 4
  ⟹ t = 2), a continuum (0 = 0 ⟹ t = b) or no solution in the set is a
  counterexample, verified by substitution; a premise SymPy cannot solve is an
  error, never a pass.
- v a vector or matrix and the premise affine in v (tested exactly at random
  points): the solution is unique if and only if the premise's derivative in
  v (its matrix, by dual numbers) is invertible; if not, a null direction
  gives a second solution.
- v a vector or matrix and the premise not affine: the solution is checked to
  be isolated (invertible derivative); its global uniqueness is decided only
  at size 1, exactly, and the method says so.
- v a vector or matrix whose solution is costly exactly (built from exponentials,
  such as Bishop's responsibilities): first tried with 100-digit floats
  (`verify.deciding.solutions`): the premise negligible at the solution and the
  derivative of full rank pass, and the method says the solution was shown
  isolated so; anything else is decided exactly as above.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import sympy as sp

from verify.deciding.compare import same, show
from verify.deciding.solutions import full_rank, holds_with_floats, negligible
from verify.errors import PairError, Undefined
from verify.meaning import terms as T
from verify.meaning.dual import Dual, Mat, exact_mode, slope_of
from verify.meaning.terms import Env
from verify.model import Declaration

Evaluate = Callable[[T.Term, Env], Any]
NONLINEAR = "nonlinear"  # a note: uniqueness checked locally at sizes above 1
ISOLATED = "isolated"  # a note: a vector solution shown isolated with 100-digit floats


def domain(declaration: Declaration | None) -> sp.Set:
    """The values a one-entry variable may take, from its declared properties."""
    props = set(declaration.properties) if declaration else set()
    out: sp.Set = sp.S.Reals
    if "positive" in props or "positive-definite" in props:
        out = sp.Interval.open(0, sp.oo)
    elif "nonnegative" in props:
        out = sp.Interval(0, sp.oo)
    elif "negative" in props:
        out = sp.Interval.open(-sp.oo, 0)
    if "probability" in props:
        out = sp.Interval.open(0, 1)
    if "nonzero" in props or "invertible" in props:
        out = out - sp.FiniteSet(0)
    if "orthogonal" in props:
        out = sp.FiniteSet(-1, 1).intersect(out)
    if "integer" in props:
        out = sp.S.Integers.intersect(out)
    return out


def check(
    u: Any, env: Env, evaluate: Evaluate, evaluate_raw: Evaluate,
    declaration: Declaration | None, other: Any, notes: set[str],
    settled: Callable[[Env], Env] | None = None,
) -> dict[str, Any] | None:  # fmt: skip
    """None if the conclusion is the premise's whole solution set here; else what is
    wrong, as a counterexample. `other` is a second value of the variable; `settled`
    makes the givens hold again once the variable is set to the solution."""
    variable: T.Ref = u.wrt
    slot = variable.slot(env)

    def with_floats() -> bool:
        return _isolated(u, env, slot, other, evaluate, evaluate_raw, settled)

    if exact_mode() and holds_with_floats(with_floats):
        notes.add(ISOLATED)
        return None
    solution = shaped_like(evaluate(u.rhs, env), other)
    if not same(evaluate(u.rhs, env.with_slot(slot, other)), solution):
        raise PairError(f"the solution for {variable.name} depends on {variable.name} itself", 0)
    at_solution = env.with_slot(slot, solution)
    residual = evaluate(u.lhs, settled(at_solution) if settled else at_solution)
    if not same(residual, 0):
        return {"solution": show(solution), "premise lhs − rhs at the solution": show(residual)}
    if not isinstance(solution, Mat) or solution.shape == (1, 1):
        return _solve_exactly(u, env, slot, solution, declaration, evaluate)
    return _vector(u, env, slot, solution, evaluate, evaluate_raw, notes)


def shaped_like(value: Any, like: Any) -> Any:
    """`\\mu = 0`: the 0 of a conclusion as the zero vector or matrix of the variable."""
    if isinstance(like, Mat) and not isinstance(value, Mat) and same(value, 0):
        return Mat.zeros(like.rows, like.cols)
    return value


def _isolated(
    u: Any, env: Env, slot: tuple[Any, ...], other: Any, evaluate: Evaluate,
    evaluate_raw: Evaluate, settled: Callable[[Env], Env] | None,
) -> bool:  # fmt: skip
    """With floats: a vector or matrix solution that does not move with the variable,
    at which the premise is negligible beside its size at `other`, and where the
    premise's derivative has full rank (False for a one-entry variable: its whole
    solution set is computed exactly)."""
    solution = evaluate(u.rhs, env)
    if not isinstance(solution, Mat) or solution.shape == (1, 1):
        return False
    elsewhere = env.with_slot(slot, other)
    if not same(evaluate(u.rhs, elsewhere), solution):
        return False
    at = env.with_slot(slot, solution)
    if settled is not None:
        at, elsewhere = settled(at), settled(elsewhere)
    if not negligible(evaluate(u.lhs, at), evaluate(u.lhs, elsewhere)):
        return False
    return full_rank(_jacobian(u, env, slot, solution, evaluate_raw))


def _solve_exactly(u: Any, env: Env, slot: tuple[Any, ...], solution: Any,
                   declaration: Declaration | None, evaluate: Evaluate) -> dict[str, Any] | None:  # fmt: skip
    name = u.wrt.name
    t = sp.Dummy("t", real=True)
    matrix = isinstance(solution, Mat)
    moved = Mat([[t]]) if matrix else t
    value = u.lhs.value(env.with_slot(slot, moved))
    equations = list(value) if isinstance(value, Mat) else [value]
    if any(isinstance(e, Dual) for e in equations):
        raise PairError("internal: a derivative part in the premise", 0)
    target = solution[0, 0] if matrix else solution
    expressions = [sp.sympify(e) for e in equations]
    decided, verdict = _linear(u, env, slot, matrix, expressions, t, target, declaration,
                               evaluate)  # fmt: skip
    if decided:
        return verdict
    found: sp.Set = domain(declaration)
    for expression in expressions:
        if not expression.has(t):
            if not same(expression, 0):
                raise Undefined("the premise has no solution here")
            continue
        found = found.intersect(sp.solveset(expression, t, sp.S.Reals))
    if isinstance(found, sp.ConditionSet) or found.has(sp.ConditionSet):
        raise PairError(f"cannot solve the premise for {name} exactly: SymPy leaves"
                        f" {found}", 0)  # fmt: skip
    if found.is_empty:
        raise Undefined("the premise has no solution here")
    if isinstance(found, sp.FiniteSet):
        others = [x for x in found if not same(x, target)]
        if len(others) == len(found):
            return {"solution": show(solution), "problem": f"the premise's solutions are {found}"}
        if not others:
            return None
        return _second(u, env, slot, matrix, others[0], solution, evaluate)
    second = _point_of(found, target)
    if second is None:
        raise PairError(f"cannot decide whether {name} is determined: the solution set is"
                        f" {found}", 0)  # fmt: skip
    return _second(u, env, slot, matrix, second, solution, evaluate)


def _linear(
    u: Any, env: Env, slot: tuple[Any, ...], matrix: bool, expressions: list[sp.Expr],
    t: sp.Dummy, target: Any, declaration: Declaration | None, evaluate: Evaluate,
) -> tuple[bool, dict[str, Any] | None]:  # fmt: skip
    """The solution set of a premise whose every equation is affine in t (its second
    derivative is 0 as SymPy writes it, so no |t|, max or √(t²) ever qualifies):
    {target} where some slope is not 0, else the whole line. SymPy's solver
    is not needed (it can take minutes over the exponentials of a responsibility).
    (decided, counterexample or None); not decided where the premise is not plainly
    affine, or the target's admissibility is not decided."""
    slopes = []
    for expression in expressions:
        if not expression.has(t):
            continue
        slope = sp.diff(expression, t)
        if slope.has(t) or sp.diff(slope, t) != 0:
            return False, None
        slopes.append(slope)
    if any(not same(slope, 0) for slope in slopes):  # one solution: the target
        inside = domain(declaration).contains(target)
        if inside == sp.false:
            raise Undefined("the premise has no solution here")
        return inside == sp.true, None
    second = _point_of(domain(declaration), target)
    if second is None:
        return False, None
    return True, _second(u, env, slot, matrix, second, target, evaluate)


def _point_of(found: sp.Set, target: Any) -> Any:
    """A point of an infinite solution set other than `target`, or None."""
    for x in _candidates(found):
        try:
            if found.contains(x) == sp.true and not same(x, target):
                return x
        except (TypeError, ValueError, Undefined):
            continue
    return None


def _candidates(found: sp.Set) -> list[Any]:
    if isinstance(found, sp.Union):
        return [x for part in found.args for x in _candidates(part)]
    if isinstance(found, sp.Interval):
        low, high = found.start, found.end
        if not low.is_finite and not high.is_finite:
            low, high = sp.Integer(-3), sp.Integer(3)
        elif not low.is_finite:
            low = high - 3
        elif not high.is_finite:
            high = low + 3
        return [low + (high - low) * f for f in (sp.Rational(1, 3), sp.Rational(2, 3))]
    if isinstance(found, sp.ImageSet):
        return [found.lamda(sp.Integer(k)) for k in (0, 1, -1, 2)]
    return [sp.Integer(k) for k in (1, 2, -1, 3, -3, 10)] + [sp.Rational(1, 3)]


def _second(u: Any, env: Env, slot: tuple[Any, ...], matrix: bool, value: Any, solution: Any,
            evaluate: Evaluate) -> dict[str, Any]:  # fmt: skip
    """A second solution, confirmed by substitution, as a counterexample."""
    moved = Mat([[value]]) if matrix else value
    if not same(evaluate(u.lhs, env.with_slot(slot, moved)), 0):
        raise PairError(f"cannot decide whether {u.wrt.name} is determined (SymPy's solution"
                        f" {value} does not check)", 0)  # fmt: skip
    return {"solution": show(solution), "another solution": show(moved),
            "problem": f"the premise does not determine {u.wrt.name}: {show(moved)} satisfies"
            " it too"}  # fmt: skip


def _vector(u: Any, env: Env, slot: tuple[Any, ...], solution: Mat, evaluate: Evaluate,
            evaluate_raw: Evaluate, notes: set[str]) -> dict[str, Any] | None:  # fmt: skip
    affine = _affine(u, env, slot, solution, evaluate)
    if affine:  # F(s + e) = J e: the columns of J are plain values, no derivatives needed
        jacobian = _columns(u, env, slot, solution, evaluate)
    else:
        jacobian = _jacobian(u, env, slot, solution, evaluate_raw)
    null = _null_vector(jacobian)
    if null is None:
        if not affine:
            notes.add(NONLINEAR)
        return None
    if affine:
        moved = solution + _shaped(null, solution)
        if same(evaluate(u.lhs, env.with_slot(slot, moved)), 0):
            return {"solution": show(solution), "another solution": show(moved),
                    "problem": f"the premise does not determine {u.wrt.name}: it is linear in"
                    f" {u.wrt.name} with a singular matrix, so {show(moved)} satisfies it too"}  # fmt: skip
    return {"solution": show(solution),
            "problem": f"the premise does not determine {u.wrt.name}: its derivative in"
            f" {u.wrt.name} is singular at the solution, so other values satisfy it too"}  # fmt: skip


def _shaped(entries: list[Any], like: Mat) -> Mat:
    return Mat([[entries[r * like.cols + c] for c in range(like.cols)] for r in range(like.rows)])


def _flat(value: Any) -> list[Any]:
    return list(value) if isinstance(value, Mat) else [value]


def _null_vector(matrix: sp.Matrix) -> list[Any] | None:
    """A nonzero v with M v = 0, or None if M has full column rank: exact elimination
    on fractions (SymPy's own fraction-free elimination blows the numbers up)."""
    if not all(getattr(x, "is_Rational", False) for x in matrix):
        space = matrix.nullspace()
        return list(space[0]) if space else None
    rows = [[Fraction(int(x.p), int(x.q)) for x in matrix.row(r)] for r in range(matrix.rows)]
    pivots: list[int] = []
    r = 0
    for c in range(matrix.cols):
        pivot = next((k for k in range(r, len(rows)) if rows[k][c] != 0), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        inv = 1 / rows[r][c]
        rows[r] = [x * inv for x in rows[r]]
        for k in range(len(rows)):
            if k != r and rows[k][c] != 0:
                f = rows[k][c]
                rows[k] = [x - f * y for x, y in zip(rows[k], rows[r], strict=True)]
        pivots.append(c)
        r += 1
    free = next((c for c in range(matrix.cols) if c not in pivots), None)
    if free is None:
        return None
    v = [Fraction(0)] * matrix.cols
    v[free] = Fraction(1)
    for k, c in enumerate(pivots):
        v[c] = -rows[k][free]
    return [sp.Rational(x.numerator, x.denominator) for x in v]


def _jacobian(u: Any, env: Env, slot: tuple[Any, ...], solution: Mat,
              evaluate_raw: Evaluate) -> sp.Matrix:  # fmt: skip
    """The derivative of (lhs − rhs) in the variable's entries, at the solution."""
    tag = env.depth
    columns = []
    for r in range(solution.rows):
        for c in range(solution.cols):
            data = [list(row) for row in solution.data]
            data[r][c] = Dual(data[r][c], sp.Integer(1), tag)
            slope = slope_of(evaluate_raw(u.lhs, env.deeper().with_slot(slot, Mat(data))), tag)
            columns.append(list(slope) if isinstance(slope, Mat) else [slope])
    return sp.Matrix(columns).T


def _columns(u: Any, env: Env, slot: tuple[Any, ...], solution: Mat,
             evaluate: Evaluate) -> sp.Matrix:  # fmt: skip
    """The matrix of an affine premise F (F(s) = 0): column k is F(s + e_k)."""
    columns = []
    for k in range(solution.rows * solution.cols):
        unit = [sp.Integer(1 if j == k else 0) for j in range(solution.rows * solution.cols)]
        columns.append(
            _flat(evaluate(u.lhs, env.with_slot(slot, solution + _shaped(unit, solution))))
        )
    return sp.Matrix(columns).T


def _affine(u: Any, env: Env, slot: tuple[Any, ...], solution: Mat, evaluate: Evaluate) -> bool:
    """Whether the premise F is affine in the variable, tested exactly at random steps
    a, b from the solution s (F(s) = 0): F(s+a) + F(s+b) = F(s+a+b) and F(s+2a) = 2F(s+a).
    An affine F passes; a nonlinear rational F only on a hypersurface of (a, b), which
    random steps miss."""
    rng = random.Random(f"affine|{show(solution)}")

    def step() -> Mat:
        return Mat([[sp.Rational(rng.randint(-8000, 8000), rng.randrange(4000, 8000))
                     for _ in range(solution.cols)] for _ in range(solution.rows)])  # fmt: skip

    a, b = step(), step()
    try:
        fa, fb, fab, f2a = (_flat(evaluate(u.lhs, env.with_slot(slot, solution + d)))
                            for d in (a, b, a + b, a + a))  # fmt: skip
    except Undefined:
        return False
    return all(same(x + y, z) for x, y, z in zip(fa, fb, fab, strict=True)) and all(
        same(2 * x, y) for x, y in zip(fa, f2a, strict=True)
    )
