"""`verify explain FILE:LINE`: what the checker understood of one pair.

Each side as the checker read it back (LaTeX), as a SymPy value at the first
instance, its shape, the symbols it uses, and the verdict with its method.
"""

from __future__ import annotations

import random
from pathlib import Path

from verify.decide import _evaluate, _task_env, decide, describe, understand
from verify.extract import extract_page
from verify.model import Pair
from verify.parse import parse_latex
from verify.report import counterexample_lines
from verify.run import _display_path, _task
from verify.translate import latex_of


def _find(pairs: list[Pair], line: int) -> Pair:
    for pair in pairs:
        if pair.line == line:
            return pair
    near = sorted({p.line for p in pairs}, key=lambda n: abs(n - line))[:5]
    raise LookupError(f"no pair has its right side on line {line}; pairs stand on lines {near}")


def explain(path: Path, line: int) -> str:
    page = extract_page(_display_path(path), path.read_text(encoding="utf-8"))
    pair = _find(page.pairs, line)
    task = _task(page, pair)
    out = [f"{page.file}:{pair.line}: {pair.relation}"]
    implication = pair.relation in ("\\implies", "\\iff")
    for name, span in (("lhs", pair.lhs), ("rhs", pair.rhs)):
        out.append(f"  {name} as written:   {span.text.strip()}")
        try:
            out.append(
                f"  {name} as read back: {latex_of(parse_latex(span.text, equation=implication))}"
            )
        except Exception as err:  # noqa: BLE001 - explain shows whatever went wrong
            out.append(f"  {name}: cannot parse: {err}")
    try:
        understood = understand(task)
        for key, value in describe(understood).items():
            out.append(f"  {key}: {value}")
        env = _task_env(task, understood, random.Random(0))
        if env is not None:
            out.append(f"  first instance: sizes {env.sizes}, indices {env.indices}")
            for name, term in (("lhs", understood.lhs), ("rhs", understood.rhs)):
                try:
                    out.append(f"  {name} value (SymPy): {_evaluate(term, env)}")
                except Exception as err:  # noqa: BLE001
                    out.append(f"  {name} value: undefined here ({err})")
    except Exception as err:  # noqa: BLE001
        out.append(f"  not understood: {getattr(err, 'message', err)}")
    result = decide(task)
    out.append(
        f"  verdict: {result.status.value}" + (f" — {result.method}" if result.method else "")
    )
    if result.message:
        out.append(f"  message: {result.message}")
    if result.counterexample:
        out.extend(counterexample_lines(result.counterexample))
    return "\n".join(out)
