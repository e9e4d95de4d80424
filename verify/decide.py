"""Decide one pair: proved, checked, sampled, failed (with a counterexample), error.

Every relation is first tested at random admissible instances, exactly; a
failure there is final whatever a symbolic route says (SymPy's calculus has
known wrong answers). Only a pair that survives the instances and is purely
scalar is then offered to SymPy for a proof.
"""

from __future__ import annotations

import random
import signal
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from verify import parse as ast
from verify import terms as T
from verify.dual import Dual, Mat
from verify.instances import EmptyRange, _value, draw, rational
from verify.model import Declaration, Directive, Result, Span, Status
from verify.parse import LatexError, parse_latex
from verify.terms import SCALAR, Env, TranslateError, Undefined, show_shape
from verify.translate import DefinitionInfo, Scope, Translator, latex_of

EQUALITY_PLANS = 6
SAMPLE_PLANS = 12
ATTEMPTS = 12
DIGITS = 60
RELATIVE_TOLERANCE = sp.Float("1e-40", DIGITS)
TOLERANCE_TEXT = f"exact, or relative 1e-40 at {DIGITS} significant digits"
PROOF_SECONDS = 2.0


@dataclass
class DefinitionSource:
    lhs: Span
    rhs: Span
    order: int
    line: int


@dataclass
class PairTask:
    """Everything a worker needs to decide one pair (picklable, no page objects)."""

    file: str
    line: int
    relation: str
    lhs: Span
    rhs: Span
    directive: Directive
    declarations: list[Declaration]
    definitions: list[DefinitionSource] = field(default_factory=list)
    wrt: str | None = None
    justification: str = ""


class PairError(Exception):
    """Stops the decision with an `error` at a place in the page."""

    def __init__(self, message: str, line: int, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def _located(span: Span, offset: int, message: str) -> PairError:
    line, col = span.position(offset)
    return PairError(message, line, col)


def parse_side(span: Span, equation: bool = False) -> ast.Node:
    try:
        return parse_latex(span.text, equation=equation)
    except LatexError as err:
        raise _located(span, err.offset, f"LaTeX: {err.message}") from None
    except RecursionError:
        raise _located(span, 0, "LaTeX: nested too deeply") from None


def definition_infos(sources: list[DefinitionSource]) -> list[DefinitionInfo]:
    """Parse the definitions in force; a broken one is reported on its own row."""
    infos = []
    for source in sources:
        try:
            infos.append(parse_definition(source))
        except PairError:
            continue
    return infos


def parse_definition(source: DefinitionSource) -> DefinitionInfo:
    lhs = parse_side(source.lhs)
    body = parse_side(source.rhs)
    params: list[str] = []
    head = lhs
    if isinstance(lhs, ast.Product) and len(lhs.factors) == 2:
        head, args = lhs.factors
        if not (isinstance(args, ast.Delimited) and args.delimiter == "("):
            raise _located(source.lhs, lhs.pos, "the left of ':=' must be a name or f(x, …)")
        for a in args.items:
            name = _name(a)
            if name is None:
                raise _located(source.lhs, a.pos, "a parameter must be a plain symbol")
            params.append(name)
    subs: list[str] = []
    sups: list[str] = []
    if isinstance(head, ast.Scripted):
        subs = _placeholders(head.sub)
        sups = _placeholders(head.sup)
        head = head.base
    base = _name(head) if isinstance(head, ast.Atom) else None
    if base is None and isinstance(head, ast.Atom) and head.kind == "OPNAME":
        base = f"\\operatorname{{{head.text}}}"
    if base is None:
        raise _located(source.lhs, lhs.pos, "the left of ':=' must be a name or f(x, …)")
    return DefinitionInfo(base, subs, sups, params, body, source.order, source.line)


def _name(node: ast.Node) -> str | None:
    while isinstance(node, ast.Delimited) and node.delimiter == "{" and len(node.items) == 1:
        node = node.items[0]
    if isinstance(node, ast.Atom) and node.kind in ("LETTER", "SYMBOL"):
        return node.text
    return None


def _placeholders(node: ast.Node | None) -> list[str]:
    if node is None:
        return []
    while isinstance(node, ast.Delimited) and len(node.items) == 1:
        node = node.items[0]
    items = (
        node.items
        if isinstance(node, ast.Sequence)
        else (node.factors if isinstance(node, ast.Product) else [node])
    )
    names = []
    for item in items:
        name = _name(item)
        if name is None:
            raise PairError("an index placeholder must be a letter", 0)
        names.append(name)
    return names


# ------------------------------------------------------------------ comparison


def _number(v: Any) -> sp.Expr:
    if isinstance(v, Dual):
        raise T.EvaluationError("internal: a derivative part escaped its derivative")
    v = sp.sympify(v)
    if v.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise Undefined("not finite")
    if v.is_Rational:
        return v
    n = v.evalf(DIGITS)
    re, im = n.as_real_imag()
    if im != 0 and not (isinstance(im, sp.Float) and im._prec < 30):
        if abs(im) > sp.Float("1e-45") * max(abs(re), 1):
            raise Undefined("not real")
    if isinstance(re, sp.Float) and re._prec < 30:
        return sp.Integer(0)  # cancelled to nothing SymPy could resolve: zero
    if not re.is_number:
        raise Undefined("not a number")
    return re


def same(a: Any, b: Any) -> bool:
    """Exact equality, or agreement to `RELATIVE_TOLERANCE`; raises `Undefined`."""
    if isinstance(a, Mat) or isinstance(b, Mat):
        if not isinstance(a, Mat):
            a, b = b, a
        if not isinstance(b, Mat):
            return all(same(x, b) for x in a) if _number(b) == 0 else False
        if a.shape != b.shape:
            return False
        return all(same(x, y) for x, y in zip(a, b, strict=True))
    x, y = _number(a), _number(b)
    if x.is_Rational and y.is_Rational:
        return bool(x == y)
    scale = max(abs(x), abs(y))
    if scale == 0:
        return True
    return bool(abs(x - y) <= RELATIVE_TOLERANCE * scale)


def check_defined(v: Any) -> None:
    for x in list(v) if isinstance(v, Mat) else [v]:
        _number(x)


def show(v: Any) -> Any:
    """A small JSON-friendly rendering of a value."""
    if isinstance(v, Mat):
        if v.cols == 1:
            return [show(x) for x in v]
        return [[show(x) for x in row] for row in v.data]
    if isinstance(v, int):
        return v
    v = sp.sympify(v)
    if v.is_Integer:
        return int(v)
    if v.is_Rational:
        return str(v)
    try:
        return str(sp.N(v, 12))
    except (TypeError, ValueError):
        return str(v)


# -------------------------------------------------------------------- deciding


@dataclass
class Understood:
    """What the checker made of a pair: the terms and what they refer to."""

    lhs: T.Term
    rhs: T.Term
    translator: Translator
    mode: str
    wrt: T.Ref | None = None


def understand(task: PairTask) -> Understood:
    """Parse and translate both sides; raise `PairError` with the place."""
    definitions = definition_infos(task.definitions)
    translator = Translator(task.declarations, definitions)
    implication = task.relation in ("\\implies", "\\iff")
    lhs_node = parse_side(task.lhs, equation=implication)
    rhs_node = parse_side(task.rhs, equation=implication)

    def tr(node: ast.Node, span: Span) -> T.Term:
        try:
            return translator.translate(node)
        except TranslateError as err:
            raise _located(span, err.offset, err.message) from None
        except RecursionError:
            raise _located(span, 0, "the expression is nested too deeply") from None

    if implication:
        assert isinstance(lhs_node, ast.Equation) and isinstance(rhs_node, ast.Equation)
        premise_l, premise_r = tr(lhs_node.left, task.lhs), tr(lhs_node.right, task.lhs)
        _same_shape(premise_l, premise_r, task.lhs)
        target = tr(rhs_node.left, task.rhs)
        solution = tr(rhs_node.right, task.rhs)
        if not isinstance(target, T.Ref):
            raise _located(task.rhs, 0, "the conclusion must be 'symbol = expression'")
        _same_shape(target, solution, task.rhs)
        premise = T.Add([(1, premise_l), (-1, premise_r)], shape=premise_l.shape or SCALAR)
        return Understood(premise, solution, translator, "implies", target)
    lhs = tr(lhs_node, task.lhs)
    rhs = tr(rhs_node, task.rhs)
    mode = {"=": "equal", "\\propto": "propto"}.get(task.relation, "inequality")
    if task.relation == "=" and (_has_const(lhs) or _has_const(rhs)):
        mode = "const"
        if _has_const(lhs):
            lhs = _drop_const(lhs, task.lhs)
        if _has_const(rhs):
            rhs = _drop_const(rhs, task.rhs)
    elif _has_const(lhs) or _has_const(rhs):
        raise _located(task.rhs, 0, "\\text{const} is only meaningful in '= \\text{const} + …'")
    _same_shape(lhs, rhs, task.rhs)
    if mode == "inequality" and (
        lhs.shape not in (SCALAR, None) or rhs.shape not in (SCALAR, None)
    ):
        raise _located(task.rhs, 0, "an inequality compares two scalars")
    wrt = None
    if mode in ("const", "propto"):
        if not task.wrt:
            raise _located(
                task.rhs, 0,
                f"'{task.relation if mode == 'propto' else '= const +'}' needs the derivation"
                " variable: add 'wrt: <symbol>' to the front matter or"
                " <!-- verify: wrt <symbol> --> before the block",
            )  # fmt: skip
        wrt_span = Span(task.wrt, ((task.line, 1),))
        wrt_term = tr(parse_side(wrt_span), wrt_span)
        if not isinstance(wrt_term, T.Ref):
            raise PairError(f"wrt '{task.wrt}' is not a symbol", task.line)
        wrt = wrt_term
        wrt.written = task.wrt.strip()
    return Understood(lhs, rhs, translator, mode, wrt)


def _same_shape(a: T.Term, b: T.Term, span: Span) -> None:
    if a.shape is not None and b.shape is not None and a.shape != b.shape:
        raise _located(
            span, 0,
            f"the two sides have different shapes: {show_shape(a.shape)} and"
            f" {show_shape(b.shape)}",
        )  # fmt: skip


def _has_const(term: T.Term) -> bool:
    return isinstance(term, T.Constant) or (
        isinstance(term, T.Add) and any(isinstance(t, T.Constant) for _, t in term.terms)
    )


def _drop_const(term: T.Term, span: Span) -> T.Term:
    if isinstance(term, T.Constant):
        return T.Number(sp.Integer(0), shape=None)
    assert isinstance(term, T.Add)
    for _, t in term.terms:
        if not isinstance(t, T.Constant) and any(isinstance(x, T.Constant) for x in t.walk()):
            raise _located(span, t.pos, "\\text{const} must be a whole term of the side")
    kept = [(s, t) for s, t in term.terms if not isinstance(t, T.Constant)]
    if not kept:
        return T.Number(sp.Integer(0), shape=None)
    shape = next((t.shape for _, t in kept if t.shape is not None), None)
    return T.Add(kept, shape=shape)


def decide(task: PairTask) -> Result:
    """The verdict on one pair. Never raises: problems become `error` results."""
    start = time.perf_counter()
    result = Result(
        file=task.file, line=task.line, relation=task.relation, lhs=task.lhs.text.strip(),
        rhs=task.rhs.text.strip(), status=Status.ERROR, justification=task.justification,
    )  # fmt: skip
    if task.directive.skip:
        result.status, result.method, result.message = (
            Status.SKIPPED,
            "skip directive",
            (task.directive.skip),
        )
        return result
    try:
        if task.relation == "unsupported":
            raise PairError("this relation is not supported (use =, :=, \\propto, \\le, \\ge,"
                            " <, >, \\implies)", task.line)  # fmt: skip
        understood = understand(task)
        _run(understood, task, result)
    except PairError as err:
        result.status, result.message = Status.ERROR, err.message
        result.line, result.column = err.line, err.column
    except RecursionError:
        result.status, result.message = Status.ERROR, "the expression is nested too deeply"
    except (T.EvaluationError, EmptyRange) as err:
        result.status, result.message = Status.ERROR, f"cannot evaluate: {err}"
    except MemoryError:
        result.status, result.message = Status.ERROR, "ran out of memory"
    except Exception as err:  # noqa: BLE001 - a checker bug must not become a traceback
        result.status = Status.ERROR
        result.message = f"internal checker error ({type(err).__name__}: {err}); please report it"
    _expectation(task, result)
    result.seconds = round(time.perf_counter() - start, 4)
    return result


def _expectation(task: PairTask, result: Result) -> None:
    """Apply `expect-fail`: a failure is expected; a pass is an error."""
    reason = task.directive.expect_fail
    if not reason or result.status == Status.SKIPPED:
        return
    if result.status == Status.FAILED:
        result.status = Status.EXPECTED_FAILURE
        result.message = f"expected failure ({reason}): {result.message}"
    elif result.status.is_verified:
        result.status = Status.ERROR
        result.message = (
            f"marked expect-fail ({reason}) but it verified ({result.method}):"
            " remove the directive or fix the step"
        )


def _refs(terms: list[T.Term]) -> list[T.Ref]:
    seen: dict[str, T.Ref] = {}
    for term in terms:
        for t in term.walk():
            if isinstance(t, T.Ref):
                seen.setdefault(t.name, t)
    return list(seen.values())


def _names_used(terms: list[T.Term], declarations: list[Declaration]) -> set[str]:
    """Sizes and indices that the sides depend on, for a short counterexample."""
    names: set[str] = set()
    by_name = {d.base: d for d in declarations}
    for term in terms:
        for t in term.walk():
            if isinstance(t, T.IndexValue):
                names.add(t.name)
            if t.shape is not None:
                names.update(t.shape)
            if isinstance(t, T.Ref) and t.name in by_name:
                d = by_name[t.name]
                names.update(d.shape or ())
                for idx in d.indices:
                    rng = by_name[idx].index_range if idx in by_name else None
                    names.update(rng or ())
    return names


def _instance_values(env: Env, refs: list[T.Ref]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for ref in refs:
        if ref.family:
            for key, v in sorted(env.families.get(ref.name, {}).items()):
                values[f"{ref.name}[{','.join(map(str, key))}]"] = show(v)
        elif ref.name in env.values:
            values[ref.name] = show(env.values[ref.name])
    return values


def _evaluate(term: T.Term, env: Env) -> Any:
    try:
        value = term.value(env)
        check_defined(value)
        return value
    except (ZeroDivisionError, sp.matrices.exceptions.NonInvertibleMatrixError) as err:
        raise Undefined(str(err)) from None
    except (TypeError, ValueError, AttributeError) as err:
        raise T.EvaluationError(f"{type(err).__name__}: {err}") from None


def _run(u: Understood, task: PairTask, result: Result) -> None:
    refs = _refs([u.lhs, u.rhs] + ([u.wrt] if u.wrt else []))
    passed = 0
    plans = SAMPLE_PLANS if u.mode == "inequality" else EQUALITY_PLANS
    seed = f"{task.relation}|{task.lhs.text}|{task.rhs.text}|{u.mode}"
    for plan in range(plans):
        for attempt in range(ATTEMPTS):
            rng = random.Random(f"{seed}|{plan}|{attempt}")
            try:
                env = draw(rng, task.declarations, u.translator.undeclared, plan,
                           positive_undeclared=attempt % 2 == 1, distinct_indices=plan != 2)  # fmt: skip
                verdict = _one_instance(u, task, env, rng, refs)
            except (Undefined, EmptyRange):
                continue
            if verdict is not None:
                result.status = Status.FAILED
                result.counterexample = verdict
                result.message = _failure_message(u, verdict)
                result.method = f"counterexample at instance {passed + 1}"
                result.tolerance = TOLERANCE_TEXT
                return
            passed += 1
            result.sizes.append(dict(env.sizes))
            break
    result.instances = passed
    result.tolerance = TOLERANCE_TEXT
    if passed < 3:
        raise PairError(
            f"only {passed} admissible instance(s) could be drawn (a side was undefined at"
            " the others: a singular matrix, a log of a non-positive number, ...)",
            task.line,
        )
    size_text = _sizes_text(result.sizes)
    if u.mode == "inequality":
        result.status, result.method = (
            Status.SAMPLED,
            (f"held at {passed} random instances{size_text}"),
        )
        return
    what = {"equal": "exact evaluation", "const": "difference independent of "
            f"{latex_of_ref(u.wrt)}", "propto": f"ratio independent of {latex_of_ref(u.wrt)}",
            "implies": "the solution satisfies the premise"}[u.mode]  # fmt: skip
    result.status, result.method = Status.CHECKED, f"{what} at {passed} random instances{size_text}"
    if u.mode == "equal" and _provable(u):
        if _prove(u):
            result.status = Status.PROVED
            result.method = f"symbolic: lhs − rhs simplifies to 0; also {result.method}"


def latex_of_ref(ref: T.Ref | None) -> str:
    return getattr(ref, "written", None) or (ref.name if ref is not None else "?")


def _sizes_text(sizes: list[dict[str, int]]) -> str:
    if not sizes or not sizes[0]:
        return ""
    names = sorted(sizes[0])
    seen = sorted({tuple(s[n] for n in names) for s in sizes})
    shown = "; ".join(", ".join(f"{n}={v}" for n, v in zip(names, combo, strict=True))
                      for combo in seen)  # fmt: skip
    return f" (sizes {shown})"


def _one_instance(
    u: Understood, task: PairTask, env: Env, rng: random.Random, refs: list[T.Ref]
) -> dict[str, Any] | None:
    """None if the instance agrees; else the counterexample. Raises `Undefined`."""
    used = _names_used([u.lhs, u.rhs] + ([u.wrt] if u.wrt else []), task.declarations)
    base = {"sizes": {k: v for k, v in env.sizes.items() if k in used},
            "indices": {k: v for k, v in env.indices.items() if k in used}}  # fmt: skip
    if u.mode == "equal":
        left, right = _evaluate(u.lhs, env), _evaluate(u.rhs, env)
        if same(left, right):
            return None
        return {**base, "values": _instance_values(env, refs), "lhs": show(left),
                "rhs": show(right)}  # fmt: skip
    if u.mode == "inequality":
        left, right = _evaluate(u.lhs, env), _evaluate(u.rhs, env)
        x, y = _number(sp.sympify(left)), _number(sp.sympify(right))
        slack = RELATIVE_TOLERANCE * max(abs(x), abs(y), 1)
        ok = {"\\le": x <= y + slack, "\\ge": x + slack >= y, "<": x < y, ">": x > y}[task.relation]
        if ok:
            return None
        return {**base, "values": _instance_values(env, refs), "lhs": show(left),
                "rhs": show(right)}  # fmt: skip
    assert u.wrt is not None
    slot = u.wrt.slot(env)
    other = _redraw(u.wrt, task, env, rng)
    env2 = env.with_slot(slot, other)
    if u.mode in ("const", "propto"):
        l1, r1 = _evaluate(u.lhs, env), _evaluate(u.rhs, env)
        l2, r2 = _evaluate(u.lhs, env2), _evaluate(u.rhs, env2)
        if u.mode == "const":
            ok = same(l1 - r1, l2 - r2)
        else:
            if same(r1, 0) or same(r2, 0):
                raise Undefined("a side is zero")
            ok = same(l1 * r2, l2 * r1)
        if ok:
            return None
        return {**base, "values": _instance_values(env, refs), "lhs": show(l1), "rhs": show(r1),
                "second value of " + u.wrt.name: show(other), "lhs there": show(l2),
                "rhs there": show(r2)}  # fmt: skip
    # implies: substitute the solution into the premise
    solution = _evaluate(u.rhs, env)
    if not same(_evaluate(u.rhs, env2), solution):
        raise PairError(f"the solution for {u.wrt.name} depends on {u.wrt.name} itself", task.line)
    residual = _evaluate(u.lhs, env.with_slot(slot, solution))
    if same(residual, 0):
        return None
    return {**base, "values": _instance_values(env, refs), "solution": show(solution),
            "premise lhs − rhs at the solution": show(residual)}  # fmt: skip


def _redraw(ref: T.Ref, task: PairTask, env: Env, rng: random.Random) -> Any:
    decl = next((d for d in task.declarations if d.base == ref.name), None)
    for _ in range(20):
        value = _value(rng, decl, env) if decl is not None else rational(rng)
        if not same(value, ref.value(env)):
            return value
    raise Undefined("could not draw another value")


def _failure_message(u: Understood, cx: dict[str, Any]) -> str:
    sizes = ", ".join(f"{k}={v}" for k, v in cx.get("sizes", {}).items())
    idx = ", ".join(f"{k}={v}" for k, v in cx.get("indices", {}).items())
    where = "; ".join(x for x in (sizes, idx) if x)
    where = f" at {where}" if where else ""
    if u.mode == "implies":
        return f"the solution does not satisfy the premise{where}"
    if u.mode == "const":
        return f"the difference of the sides changes with {latex_of_ref(u.wrt)}{where}"
    if u.mode == "propto":
        return f"the ratio of the sides changes with {latex_of_ref(u.wrt)}{where}"
    return f"the sides differ{where}: lhs = {_short(cx['lhs'])}, rhs = {_short(cx['rhs'])}"


def _short(v: Any) -> str:
    text = str(v)
    return text if len(text) <= 120 else text[:117] + "..."


# ---------------------------------------------------------------------- proofs


def _provable(u: Understood) -> bool:
    """Purely scalar pairs, with no families and no sums over symbolic ranges."""
    for term in u.lhs.walk() + u.rhs.walk():
        if term.shape not in (SCALAR, None):
            return False
        if isinstance(term, T.Ref) and term.family:
            return False
        if isinstance(term, (T.IndexValue, T.Sum, T.FunctionCall, T.Gaussian)):
            return False
    return True


class _OutOfTime(Exception):
    pass


def _prove(u: Understood) -> bool:
    """simplify(lhs − rhs) == 0 with symbols, within `PROOF_SECONDS`."""
    if threading.current_thread() is not threading.main_thread():
        return False
    decls = {d.base: d for d in u.translator.declarations.values()}
    values = {}
    for ref in _refs([u.lhs, u.rhs]):
        d = decls.get(ref.name)
        props = d.properties if d else ()
        values[ref.name] = sp.Symbol(
            ref.name, real=True, positive="positive" in props or None,
            nonzero="nonzero" in props or None, integer="integer" in props or None,
        )  # fmt: skip
    env = Env({}, {}, values, {}, {}, symbolic=True)

    def alarm(_signum: int, _frame: Any) -> None:
        raise _OutOfTime

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, PROOF_SECONDS)
    try:
        difference = u.lhs.value(env) - u.rhs.value(env)
        if difference == 0:
            return True
        return bool(sp.simplify(difference) == 0)
    except (_OutOfTime, Exception):
        return False
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def describe(u: Understood) -> dict[str, Any]:
    """For `explain`: each side's shape and the symbols it uses."""
    return {
        "lhs shape": show_shape(u.lhs.shape),
        "rhs shape": show_shape(u.rhs.shape),
        "symbols": sorted({r.name for r in _refs([u.lhs, u.rhs])}),
        "undeclared scalars": sorted(u.translator.undeclared),
        "mode": u.mode,
    }


__all__ = ["PairTask", "DefinitionSource", "decide", "understand", "describe", "Scope",
           "latex_of"]  # fmt: skip


def _task_env(task: PairTask, u: Understood, rng: random.Random) -> Env | None:
    """The first admissible instance, for `explain`."""
    for plan in range(EQUALITY_PLANS):
        try:
            env = draw(rng, task.declarations, u.translator.undeclared, plan, False, True)
        except EmptyRange:
            continue
        return env
    return None
