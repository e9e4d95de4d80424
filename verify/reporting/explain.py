"""`verify explain FILE:LINE`: what the checker understood of one pair.

When a step fails and the contributor cannot see why, the question is usually
"what did the checker read?": each side read back as LaTeX and as a SymPy
expression, its shape, which symbols are free and which bound, and how the
verdict was reached — the method and the instances tried. "As understood"
shows the translated side with every operand in explicit brackets, so a
reviewer sees what each operator applies to (`∂/∂x[(x^2)] · (e^x)`).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sympy as sp

from verify.deciding.compare import show
from verify.deciding.decide import decide, evaluate, first_instance
from verify.deciding.prove import provable
from verify.deciding.tasks import PairTask, task_for
from verify.deciding.understand import Understood, parse_side, understand
from verify.latex.printer import compact
from verify.meaning import terms as T
from verify.meaning.cases import CaseRef
from verify.meaning.conditions import Guarded
from verify.meaning.extrema import Extremum
from verify.meaning.subsets import SetSum
from verify.meaning.terms import Env
from verify.model import Declaration, Pair, Status
from verify.mutation.repair import find_repairs
from verify.reading.markdown import extract_page
from verify.reporting.diagnose import context_lines
from verify.reporting.repairs import holds_if
from verify.reporting.report import counterexample_lines, format_value
from verify.running.check import display_path
from verify.shape import show_shape


def _find(pairs: list[Pair], line: int) -> Pair:
    for pair in pairs:
        if pair.line == line:
            return pair
    near = sorted({p.line for p in pairs}, key=lambda n: abs(n - line))[:5]
    raise LookupError(f"no pair has its right side on line {line}; pairs stand on lines {near}")


def explain(path: Path, line: int) -> str:
    page = extract_page(display_path(path), path.read_text(encoding="utf-8"))
    pair = _find(page.pairs, line)
    task = task_for(page, pair)
    out = [f"{page.file}:{pair.line}: lhs {pair.relation} rhs"]
    if pair.justification:
        out.append(f"  justification: {pair.justification}")
    equation = pair.relation in ("\\implies", "\\iff")
    for name, span in (("lhs", pair.lhs), ("rhs", pair.rhs)):
        out.append(f"  {name} as written:   {span.text.strip()}")
        try:
            out.append(f"  {name} as read back: {compact(parse_side(span, equation))}")
        except Exception as err:  # noqa: BLE001 - explain shows whatever went wrong
            out.append(f"  {name}: cannot parse: {getattr(err, 'message', err)}")
    try:
        out.extend(_understood(understand(task), task))
    except Exception as err:  # noqa: BLE001
        out.append(f"  not understood: {getattr(err, 'message', err)}")
    out.extend(_verdict(task))
    return "\n".join(out)


def _understood(u: Understood, task: PairTask) -> list[str]:
    """Shapes, symbols and SymPy expressions of the translated sides."""
    out = [f"  mode: {u.mode.value}" + (f" (derivation variable {u.wrt.name})" if u.wrt else "")]
    for name, term in (("lhs", u.lhs), ("rhs", u.rhs)):
        out.append(f"  {name} as understood: {reading(term)}")
    out.append(f"  shapes: lhs {show_shape(u.lhs.shape)}, rhs {show_shape(u.rhs.shape)}")
    free, bound = symbols_of([u.lhs, u.rhs])
    free = [n for n in free if not n.startswith("\\arg")]  # placeholders of σ(z)
    decls = {d.base: d for d in task.declarations}
    out.append("  free symbols: " + (", ".join(_describe(n, decls) for n in free) or "none"))
    out.append("  bound symbols: " + (", ".join(f"{n} (summation)" for n in bound) or "none"))
    if u.translator.undeclared:
        out.append("  undeclared, so real scalars: " + ", ".join(sorted(u.translator.undeclared)))
    symbolic = _symbolic(u)
    env = first_instance(task, u, random.Random(0))
    if symbolic is not None:
        for name, term in (("lhs", u.lhs), ("rhs", u.rhs)):
            out.append(f"  {name} as SymPy: {_value(term, symbolic)}")
    elif env is not None:
        where = ", ".join(
            f"{k} = {v}" for k, v in {**env.sizes, **env.indices}.items() if k in free
        )
        out.append(f"  SymPy values at a first instance ({where}):")
        for name, term in (("lhs", u.lhs), ("rhs", u.rhs)):
            rendered = format_value(show(v)) if not isinstance(v := _value(term, env), str) else [v]
            out.append(f"    {name} = {rendered[0]}")
            out.extend(" " * 10 + row for row in rendered[1:])
    out.extend(_expectations(u, symbolic if symbolic is not None else env))
    return out


def _expectations(u: Understood, env: Env | None) -> list[str]:
    """Each expectation, variance and divergence read, with the value computed for it."""
    found = u.translator.operators.expectations.found
    if not found or env is None:
        return []
    where = "in the parameters" if env.symbolic else "at that instance"
    out = [f"  expectations, computed exactly {where}:"]
    for written, term in found:
        value = _value(term, env)
        if isinstance(value, str):
            rendered = [value]
        elif env.symbolic:
            rendered = [str(sp.expand(value))]
        else:
            rendered = format_value(show(value))
        out.append(f"    {written} = {rendered[0]}")
        out.extend(" " * (7 + len(written)) + row for row in rendered[1:])
    return out


def _verdict(task: PairTask) -> list[str]:
    result = decide(task)
    out = [f"  verdict: {result.status.value}" + (f" — {result.method}" if result.method else "")]
    if result.instances:
        sizes = "; ".join(", ".join(f"{k}={v}" for k, v in s.items()) for s in result.sizes)
        out.append(
            f"  instances tried: {result.instances}" + (f" (sizes {sizes})" if sizes else "")
        )
    if result.tolerance:
        out.append(f"  tolerance: {result.tolerance}")
    if result.message:
        out.append(f"  message: {result.message}")
    if result.counterexample:
        out.extend(counterexample_lines(result.counterexample, indent="  "))
    out.extend(line[2:] for line in context_lines(result))
    if result.status in (Status.FAILED, Status.EXPECTED_FAILURE):
        out.extend(_repairs(task, result.line))
    return out


def _repairs(task: PairTask, line: int) -> list[str]:
    """The repair search as the checker runs it, with every candidate it tried."""
    search = find_repairs(task)
    found = f"{len(search.repairs)} repair(s)" if search.repairs else "no repair"
    out = [
        f"  repairs: {found} among {search.fixes} single edits and their pairs; tried"
        f" {len(search.tried)} ({search.decided} decided, {search.rejected} rejected at a first"
        f" look: they differ where the step was tried, or do not read) in {search.seconds:g} s"
        + (f"; stopped: {search.stopped}" if search.stopped else "")
    ]
    out.extend(f"    {holds_if(r, line)}" for r in search.repairs)
    out.append("  candidates tried, cheapest first:")
    for tried in search.tried:
        edits = "; ".join(
            f"{f.side}: {f.before} → {f.after}" if f.side != "notation" else f.after
            for f in tried.fixes
        )
        out.append(f"    [{tried.status}] {edits}")
    return out


def symbols_of(terms: list[T.Term]) -> tuple[list[str], list[str]]:
    """Free names (symbols, free indices, sizes) and names bound by a sum or product."""
    free: dict[str, None] = {}
    bound: dict[str, None] = {}

    def visit(term: T.Term, inside: frozenset[str]) -> None:
        if isinstance(term, T.Sum):
            bound.setdefault(term.variable, None)
            for part in (term.lower, term.upper) + ((term.exclude,) if term.exclude else ()):
                visit(part, inside)
            visit(term.body, inside | {term.variable})
            return
        if isinstance(term, T.Ref):
            free.setdefault(term.name, None)
        if isinstance(term, T.IndexValue) and term.name not in inside:
            free.setdefault(term.name, None)
        for size in sorted(term.shape.names()) if term.shape else ():
            free.setdefault(size, None)
        for child in term.children():
            visit(child, inside)

    for term in terms:
        visit(term, frozenset())
    return sorted(free), sorted(bound)


def _describe(name: str, decls: dict[str, Declaration]) -> str:
    d = decls.get(name)
    if d is None:
        return f"{name} (scalar, undeclared)"
    family = " family" if d.indices else ""
    return f"{d.key} ({d.describe_kind()}{family})"


def _symbolic(u: Understood) -> Env | None:
    """An instance whose values are SymPy symbols, for purely scalar pairs."""
    if not provable(u):
        return None
    free, _ = symbols_of([u.lhs, u.rhs])
    values = {name: sp.Symbol(name, real=True) for name in free}
    return Env({}, {}, values, {}, {}, symbolic=True)


def _value(term: T.Term, env: Env) -> Any:
    try:
        return evaluate(term, env) if not env.symbolic else term.value(env)
    except Exception as err:  # noqa: BLE001
        return f"undefined here ({err})"


# ------------------------------------------------------------------ the reading

Printer = Callable[[Any], str]


def reading(term: T.Term) -> str:
    """A side as the checker understood it, every operand in explicit brackets."""
    printer = _READINGS.get(type(term))
    if printer is not None:
        return printer(term)
    parts = ", ".join(reading(c) for c in term.children())  # a term added elsewhere
    return f"{type(term).__name__}({parts})"


def _operand(term: T.Term) -> str:
    """An operand: bare if it is one symbol or number, else in parentheses."""
    text = reading(term)
    atomic = isinstance(term, (T.Ref, T.IndexValue, T.SizeValue, T.Identity, T.Zero)) or (
        isinstance(term, T.Number) and not text.startswith("-") and "frac" not in text
    )
    return text if atomic else f"({text})"


def _ref(term: T.Ref) -> str:
    if not term.indices:
        return term.name
    return f"{term.name}[{', '.join(reading(i) for i in term.indices)}]"


def _add(term: T.Add) -> str:
    out = ""
    for n, (sign, part) in enumerate(term.terms):
        text = reading(part) if not isinstance(part, T.Add) else f"({reading(part)})"
        out += ("-" if sign < 0 else "") + text if n == 0 else (" - " if sign < 0 else " + ") + text
    return out


def _sum(term: T.Sum) -> str:
    head = {"sum": "\\sum", "prod": "\\prod"}.get(term.kind, f"\\{term.kind}")  # or max, min
    skip = f", {term.variable} \\ne {reading(term.exclude)}" if term.exclude else ""
    return (f"{head}_{{{term.variable}={reading(term.lower)}{skip}}}^{{{reading(term.upper)}}}"
            f" [{reading(term.body)}]")  # fmt: skip


def _set_sum(term: SetSum) -> str:
    head = "\\sum" if term.kind == "sum" else "\\prod"
    return f"{head}_{{{term.variable} \\in {reading(term.lower)}}} [{reading(term.body)}]"


def _matrix_function(term: T.MatrixFunction) -> str:
    body = reading(term.body)
    shown = {"abs": f"|{body}|", "det": f"\\det({body})", "norm": f"\\|{body}\\|_{term.order}",
             "normsq": f"\\|{body}\\|^2", "tr": f"\\operatorname{{tr}}({body})",
             "diag": f"\\operatorname{{diag}}({body})"}  # fmt: skip
    return shown.get(term.function, f"{term.function}({body})")


_CONDITIONS = {"=": "=", "ne": "\\ne", "<": "<", ">": ">", "le": "\\le", "ge": "\\ge"}

_READINGS: dict[type, Printer] = {
    T.Number: lambda t: sp.latex(t.number),
    T.IndexValue: lambda t: t.name,
    T.SizeValue: lambda t: str(t.size),
    T.Ref: _ref,
    T.Add: _add,
    T.Mul: lambda t: f"{_operand(t.left)} · {_operand(t.right)}",
    T.Hadamard: lambda t: f"{_operand(t.left)} \\odot {_operand(t.right)}",
    T.Kronecker: lambda t: f"{_operand(t.left)} \\otimes {_operand(t.right)}",
    T.Cross: lambda t: f"{_operand(t.left)} \\times {_operand(t.right)}",
    T.Div: lambda t: f"{_operand(t.numerator)} / {_operand(t.denominator)}",
    T.Power: lambda t: f"{_operand(t.base)}^{{{reading(t.exponent)}}}",
    T.Transpose: lambda t: f"{_operand(t.body)}^T",
    T.Inverse: lambda t: f"{_operand(t.body)}^{{-1}}",
    T.Apply: lambda t: f"\\{t.function}({reading(t.body)})",
    T.Known: lambda t: f"\\{t.function}({', '.join(reading(a) for a in t.args)})",
    T.Indicator: lambda t: (
        f"1\\{{{reading(t.left)} {_CONDITIONS[t.relation]} {reading(t.right)}\\}}"
    ),  # fmt: skip
    T.MatrixFunction: _matrix_function,
    T.Root: lambda t: (
        f"\\sqrt[{reading(t.degree)}]{{{reading(t.body)}}}"
        if t.degree
        else f"\\sqrt{{{reading(t.body)}}}"
    ),  # fmt: skip
    T.Zero: lambda t: "0",
    T.Identity: lambda t: f"I_{{{t.size}}}",
    T.MatrixLiteral: lambda t: (
        "[" + "; ".join(", ".join(reading(c) for c in row) for row in t.rows) + "]"
    ),  # fmt: skip
    T.Sum: _sum,
    SetSum: _set_sum,
    T.Derivative: lambda t: f"∂/∂{reading(t.variable)} [{reading(t.body)}]",
    T.FunctionCall: lambda t: (
        t.name + "'" * t.derivative + f"({', '.join(reading(a) for a in t.args)})"
    ),  # fmt: skip
    T.Pointwise: lambda t: (
        f"[{reading(t.body)}]{chr(39) * t.derivative} at each entry of {_operand(t.arg)}"
    ),  # fmt: skip
    T.Gaussian: lambda t: (
        f"\\mathcal{{N}}({reading(t.point)}; {reading(t.mean)}, {reading(t.covariance)})"
    ),  # fmt: skip
    T.Constant: lambda t: "\\text{const}",
    Extremum: _sum,
    CaseRef: lambda t: (
        f"{t.family.name}{t.family.script}{{{reading(t.index)}}}"
        + (f"({', '.join(reading(a) for a in t.arguments)})" if t.arguments else "")
        + " [by cases]"
    ),  # fmt: skip
    Guarded: lambda t: f"{reading(t.body)} [where {t.where}]",
}
