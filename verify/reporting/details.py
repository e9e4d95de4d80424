"""What opens under a step's marker: how it was checked, and why it failed.

HTML fragments built from a `Result` and the page's declarations. Page text
is always escaped; LaTeX from the page is handed to MathJax inside
`.arithmatex` elements (typeset in the browser), never interpreted here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

from verify.model import Declaration, Result, Status
from verify.reporting import values

RELATION_SIGNS = {
    "=": "=", "=const": "= const +", "= const": "= const +", "\\propto": "∝",
    "\\le": "≤", "\\leq": "≤", "\\ge": "≥", "\\geq": "≥", "<": "<", ">": ">",
    "\\implies": "⟹", "\\Rightarrow": "⇒", "\\iff": "⟺",
}  # fmt: skip
# The relation as LaTeX, for showing a failed step as a formula.
_RELATION_LATEX = {"\\propto": "\\propto", "\\le": "\\le", "\\ge": "\\ge", "<": "<", ">": ">",
                   "\\implies": "\\implies", "\\iff": "\\iff"}  # fmt: skip
_INLINE_DOLLARS = re.compile(r"(?<![\\$])\$([^$\n]+?)\$")
_TEXT_GROUP = re.compile(r"\\(?:text|textrm|textit|mbox|mathrm)\s*\{((?:[^{}]|\{[^{}]*\})*)\}")


def esc(text: object) -> str:
    """Page-derived text, escaped for HTML (quotes included, for attributes)."""
    return html.escape(str(text), quote=True)


def math(latex: str, display: bool = False) -> str:
    """LaTeX for MathJax, which typesets only inside `.arithmatex` elements."""
    if display:
        return '<div class="arithmatex">' + esc("\\[" + latex + "\\]") + "</div>"
    return '<span class="arithmatex">' + esc("\\(" + latex + "\\)") + "</span>"


def prose(text: str) -> str:
    """Words from a page with `$…$` inline math in them (a symbol's meaning)."""
    out, at = [], 0
    for match in _INLINE_DOLLARS.finditer(text):
        out.append(esc(text[at : match.start()]))
        out.append(math(match.group(1)))
        at = match.end()
    out.append(esc(text[at:]))
    return "".join(out)


def justification(latex: str) -> str:
    """A row's justification as text: `\\text{…}` pieces in the page's font,
    the math between them typeset, so reasons read like the prose around them."""
    latex = re.sub(r"^\\q?quad\s*", "", latex.strip())
    out, at = [], 0
    for match in _TEXT_GROUP.finditer(latex):
        if _depth(latex, at, match.start()) or latex[: match.start()].rstrip().endswith(("_", "^")):
            continue  # text inside math (`\\theta_{\\text{new}}`, `\\mathbf{S}_\\mathrm{W}`): part of it
        between = latex[at : match.start()].strip()
        if between:
            out.append(math(between))
        out.append(esc(match.group(1)))
        at = match.end()
    rest = latex[at:].strip()
    if rest:
        out.append(math(rest))
    return "".join(out).strip()


def _depth(latex: str, start: int, end: int) -> int:
    """How many braces opened in `latex[start:end]` are still open at `end`."""
    depth = 0
    for i in range(start, end):
        if latex[i] in "{}" and (i == 0 or latex[i - 1] != "\\"):
            depth += 1 if latex[i] == "{" else -1
    return depth


def step_latex(result: Result) -> str:
    """The step as one formula, `lhs = rhs`, for MathJax."""
    relation = _RELATION_LATEX.get(result.relation, "=")
    prefix = "\\text{const} + " if result.relation in ("=const", "= const") else ""
    return f"{result.lhs} {relation} {prefix}{result.rhs}"


def detail(result: Result, declarations: Sequence[Declaration]) -> str:
    """The body under a marker: a definition list, plus any extra sections."""
    items: list[tuple[str, str]] = []
    verified = result.status.is_verified
    if not verified and (result.lhs or result.rhs):
        # An error may be a step that does not parse: show its LaTeX as written.
        if result.status is Status.ERROR:
            sign = esc(RELATION_SIGNS.get(result.relation, result.relation))
            step = f"<code>{esc(result.lhs)}</code> {sign} <code>{esc(result.rhs)}</code>"
        else:
            step = f'<div class="verify-scroll">{math(step_latex(result), display=True)}</div>'
        items.append(("step", step))
    if not verified:
        items.append(("line", esc(result.line)))
    if result.method:
        items.append(("how", esc(result.method)))
    if result.message:
        items.append(("why" if not verified else "note", esc(result.message)))
    if result.counterexample and result.status in (Status.FAILED, Status.EXPECTED_FAILURE):
        items.append(("counterexample", counterexample(result.counterexample, declarations)))
    items.extend(extra_sections(result))
    body = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in items)
    return f'<dl class="verify-detail">{body}</dl>'


def extra_sections(result: Result) -> list[tuple[str, str]]:
    """More (label, HTML) sections for a result's details, after the counterexample:
    the repairs ("holds if Σ_j is Σ_l", each verified like a step) and, for an
    expected failure, the step as its first repair corrects it."""
    if not result.repairs:
        return []
    from verify.reporting.repairs import repair_items  # only pages with a failure need it

    return repair_items(result)


def _assignments(pairs: Mapping[str, Any]) -> str:
    return ",\\; ".join(f"{name} = {value}" for name, value in pairs.items())


def counterexample(example: Mapping[str, Any], declarations: Sequence[Declaration]) -> str:
    """Sizes and indices, the symbols' values in the page's notation, both sides
    and their difference; each exact value with its decimals beside it."""
    settings = {**(example.get("sizes") or {}), **(example.get("indices") or {})}
    rows: list[tuple[str, Any]] = []
    given = example.get("values")
    if isinstance(given, Mapping):
        rows.extend((math(values.member_name(str(k), declarations)), v) for k, v in given.items())
    for key, label in (("lhs", "left side"), ("rhs", "right side")):
        if key in example:
            rows.append((label, example[key]))
    if "lhs" in example and "rhs" in example:
        diff = values.difference(example["lhs"], example["rhs"])
        if diff is not None:
            rows.append(("left − right", diff))
    shown = {"sizes", "indices", "values", "lhs", "rhs"}
    for key, value in example.items():
        if key not in shown:
            rows.append((_label(key, declarations), value))
    body = "".join(_value_row(label, value) for label, value in rows)
    head = f'<p class="verify-at">at {math(_assignments(settings))}</p>' if settings else ""
    table = (
        '<div class="verify-scroll"><table class="verify-values"><thead><tr><th></th>'
        f"<th>exact</th><th>≈</th></tr></thead><tbody>{body}</tbody></table></div>"
    )
    return head + table


def _label(key: str, declarations: Sequence[Declaration]) -> str:
    """`second value of \\mu` -> the words, then the symbol typeset."""
    match = re.match(r"^(second value of) (.+)$", key)
    if match:
        return f"{esc(match.group(1))} {math(values.member_name(match.group(2), declarations))}"
    return esc(key)


def _value_row(label: str, value: Any) -> str:
    if isinstance(value, str) and values.number(value) is None:
        return f'<tr><th>{label}</th><td colspan="2">{esc(value)}</td></tr>'
    near = values.decimal_latex(value)
    near_cell = math(near) if near is not None else ""
    return (
        f"<tr><th>{label}</th><td>{math(values.exact_latex(value))}</td><td>{near_cell}</td></tr>"
    )
