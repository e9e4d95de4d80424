"""What a contributor needs beyond the message of a failed or error pair.

It re-reads the pair's page, so it runs only for the few pairs that went wrong:
the declared patterns that a mistyped symbol resembles, the operands whose
shapes disagree, and the smallest parts of the two sides that first differ at
the counterexample. Each helper returns lines, or none when it cannot say
anything for sure: a diagnosis never hides or changes a verdict.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from verify.latex import tree as ast
from verify.latex.paths import children
from verify.limits import time_limit
from verify.model import Page, Pair, Result, Span, Status
from verify.reading.markdown import extract_page
from verify.reporting.report import INDENT, format_value

SECONDS = 10.0
SYMBOL_MESSAGE = re.compile(
    r"unknown command|does not match|not declared|declare the family|takes no subscript"
)
SHAPE_MESSAGE = re.compile(
    r"cannot add|cannot multiply|different shapes|needs two of one shape|needs two vectors"
)
_SCRIPTS = r"(?:\s*[_^](?:\{(?:[^{}]|\{[^{}]*\})*\}|\\[A-Za-z]+|[A-Za-z0-9]))*"
_POWER = re.compile(r"\^(\{-[^{}]*\}|\{?(T|\\top|\d+)\}?)$")  # an inverse, transpose, power
_SYMBOL = re.compile(r"(\\math[a-z]+\{[^{}]*\}|\\[A-Za-z]+|[A-Za-z])" + _SCRIPTS)


def context_lines(result: Result) -> list[str]:
    """Lines to print under `report.problem_lines(result)`; often none."""
    if result.status == Status.FAILED and result.counterexample:
        diagnose = difference_lines
    elif result.status == Status.ERROR and SYMBOL_MESSAGE.search(result.message):
        diagnose = resembling_lines
    elif result.status == Status.ERROR and SHAPE_MESSAGE.search(result.message):
        diagnose = shape_lines
    else:
        return []
    try:
        page = _extracted(result.file, Path(result.file).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return []
    try:
        with time_limit(SECONDS):
            return diagnose(page, result)
    except Exception:  # noqa: BLE001 - a diagnosis must never hide the verdict
        return []


@functools.lru_cache(maxsize=4)
def _extracted(file: str, text: str) -> Page:
    """A page read once for all of its problems, not once per problem."""
    return extract_page(file, text)


# ------------------------------------------------------------- finding a pair


def _side_at(page: Page, line: int, column: int | None) -> tuple[Pair, Span, int] | None:
    """The pair, side and offset into it of a place in the page."""
    if column is None:
        return None
    for pair in page.pairs:
        for span in (pair.lhs, pair.rhs):
            for offset in range(len(span.text) + 1):
                if span.position(offset) == (line, column):
                    return pair, span, offset
    return None


def _failed_pair(page: Page, result: Result) -> Pair | None:
    for pair in page.pairs:
        if pair.line == result.line and pair.lhs.text.strip() == result.lhs:
            return pair
    return None


# ---------------------------------------------------- a mistyped symbol


def written_symbol(page: Page, result: Result) -> str | None:
    """The symbol as written at the error's place, e.g. `\\Sigm_j` or `w_l`."""
    found = _side_at(page, result.line, result.column)
    if found is None:
        return None
    _, span, offset = found
    match = _SYMBOL.match(span.text, offset)
    return _POWER.sub("", match.group(0).replace(" ", "")) if match else None


def resembling_lines(page: Page, result: Result) -> list[str]:
    """The declared patterns (front-matter lines) closest to a symbol in error."""
    written = written_symbol(page, result)
    if written is None or not page.declarations:
        return []
    base_match = _SYMBOL.match(written)
    base = base_match.group(1) if base_match else written
    try:
        source = Path(result.file).read_text(encoding="utf-8").split("\n")
    except OSError:
        return []
    scored: dict[int, float] = {}
    for d in page.declarations:
        score = max(_similar(written, d.key), _similar(base, d.base))
        if score >= 0.7 and 1 <= d.line <= len(source):
            scored[d.line] = max(score, scored.get(d.line, 0.0))
    best = sorted(scored, key=lambda n: (-scored[n], n))[:3]
    named = [d.line for d in page.declarations if f"'{d.key}'" in result.message]
    if not best or best[0] in named:
        return []  # the message already names the pattern
    lines = [f"{INDENT}declared patterns that resemble {written}:"]
    lines += [f"{INDENT}  {source[n - 1].strip()}    (line {n})" for n in best]
    return lines


def _similar(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a.lower(), b.lower()).ratio()


# ------------------------------------------------------------ shape errors


def _nodes(node: ast.Node) -> list[ast.Node]:
    """Every node under `node`, parents before their children."""
    out = [node]
    for _, child in children(node):
        out.extend(_nodes(child))
    return out


def _operands(
    root: ast.Node, offset: int, shape_of: Callable[[ast.Node], Any], adding: bool
) -> tuple[ast.Node, ast.Node] | None:
    """The two operands, in the innermost sum (or product) around `offset`, whose shapes clash."""
    for node in reversed(_nodes(root)):
        try:
            if adding and isinstance(node, ast.Sum):
                found = _clashing_terms([t for _, t in node.terms], offset, shape_of)
            elif not adding and isinstance(node, ast.Product):
                found = _clashing_factors(node, offset, shape_of)
            else:
                continue
        except Exception:  # noqa: BLE001 - a part that does not translate alone is no operand
            continue
        if found is not None:
            return found
    return None


def _last_before(parts: list[ast.Node], offset: int) -> int:
    return max((i for i, p in enumerate(parts) if p.pos <= offset), default=0)


def _clashing_terms(
    terms: list[ast.Node], offset: int, shape_of: Callable[[ast.Node], Any]
) -> tuple[ast.Node, ast.Node] | None:
    k = _last_before(terms, offset)
    if k == 0:
        return None
    shape = shape_of(terms[k])
    other = next((t for t in terms[:k] if shape_of(t) not in (None, shape)), None)
    return (other, terms[k]) if other is not None else None


def _clashing_factors(
    node: ast.Product, offset: int, shape_of: Callable[[ast.Node], Any]
) -> tuple[ast.Node, ast.Node] | None:
    k = _last_before(node.factors, offset)
    if k == 0:
        return None
    first = node.factors[0]
    left = first if k == 1 else ast.Product(node.factors[:k], node.ops[: k - 1], pos=first.pos)
    a, b = shape_of(left), shape_of(node.factors[k])
    if a is None or b is None or a.is_scalar or b.is_scalar or a.cols == b.rows:
        return None
    return left, node.factors[k]


def shape_lines(page: Page, result: Result) -> list[str]:
    """Each operand of a shape error with the shape the checker gave it."""
    from verify.deciding.tasks import task_for
    from verify.deciding.understand import definition_infos, parse_side
    from verify.latex.printer import compact
    from verify.meaning.translate import Translator
    from verify.shape import show_shape

    found = _side_at(page, result.line, result.column)
    if found is None:
        return []
    pair, span, offset = found
    task = task_for(page, pair)
    translator = Translator(task.declarations, definition_infos(task.definitions))
    equation = pair.relation.is_implication
    if "different shapes" in result.message:
        nodes = [parse_side(pair.lhs, equation), parse_side(pair.rhs, equation)]
    else:
        adding = "cannot add" in result.message

        def shape_of(node: ast.Node) -> Any:
            return translator.translate(node).shape

        found_operands = _operands(parse_side(span, equation), offset, shape_of, adding)
        if found_operands is None:
            return []
        nodes = list(found_operands)
    if len(nodes) < 2:
        return []
    lines = [f"{INDENT}shapes:"]
    for node in nodes:
        lines.append(
            f"{INDENT}  {compact(node)}  is  {show_shape(translator.translate(node).shape)}"
        )
    return lines


# ------------------------------------------------------- the first difference


def difference_lines(page: Page, result: Result) -> list[str]:
    """The smallest corresponding parts of the two sides that differ at the counterexample."""
    from verify.reporting.difference import first_difference

    pair = _failed_pair(page, result)
    if pair is None or result.counterexample is None:
        return []
    found = first_difference(page, pair, result.counterexample)
    if found is None:
        return []
    left, right = found
    lines = [f"{INDENT}the sides first differ in:"]
    for label, (text, value) in (("lhs", left), ("rhs", right)):
        lines.append(f"{INDENT}  {label} part: {text}")
        rendered = format_value(value)
        head = f"{INDENT}    = "
        lines.append(head + rendered[0])
        lines.extend(" " * len(head) + row for row in rendered[1:])
    return lines
