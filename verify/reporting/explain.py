"""`verify explain FILE:LINE`: what the checker understood of one pair.

When a step fails and the contributor cannot see why, the question is usually
"what did the checker read?": each side read back as LaTeX and as a SymPy
expression, its shape, which symbols are free and which bound, and how the
verdict was reached — the method and the instances tried.
"""

from __future__ import annotations

import random
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
