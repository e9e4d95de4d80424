"""How a failed step's repairs read: "holds if `\\Sigma_j` on the right (column 23) is `\\Sigma_l`".

One sentence per repair, for the console, pytest, GitHub annotations and
`verify explain`; and the same as HTML for the reader's page, with the
corrected step of an expected failure (a common mistake beside its fix).
Formatting only: the repairs were found and verified by `verify.mutation.repair`.
"""

from __future__ import annotations

from dataclasses import replace

from verify.model import Change, Repair, Result, Status

SIDE_NAMES = {"lhs": "on the left", "rhs": "on the right"}


def _place(change: Change, line: int) -> str:
    """`(column 23)`, or `(line 44, column 23)` when the side spans lines."""
    where = f"column {change.column}" if change.column is not None else ""
    if change.line != line:
        where = f"line {change.line}" + (f", {where}" if where else "")
    if change.places > 1:
        more = change.places - 1
        where += f", and {more} more place{'s' if more > 1 else ''}"
    return f" ({where})" if where else ""


def change_text(change: Change, line: int) -> str:
    """One change as words, the LaTeX in backticks."""
    if change.side == "notation":
        name, _, _ = change.after.partition(":")
        added = change.after.removeprefix(change.before).lstrip(", ")
        return f"`{name}` is declared {added} (`{change.after}`, line {change.line})"
    side = SIDE_NAMES.get(change.side, change.side)
    return f"`{change.before}` {side}{_place(change, line)} is `{change.after}`"


def holds_if(repair: Repair, line: int) -> str:
    """The sentence for one repair of the step whose right side is on `line`."""
    return "holds if " + " and ".join(change_text(c, line) for c in repair.changes)


def repair_lines(result: Result, indent: str = "    ") -> list[str]:
    """A line per repair, best first; none when there are none."""
    return [f"{indent}{holds_if(r, result.line)}" for r in result.repairs]


def corrected_step(result: Result, repair: Repair) -> tuple[str, str]:
    """The two sides of the step as the repair corrects them."""
    sides = {"lhs": result.lhs, "rhs": result.rhs}
    for change in repair.changes:
        if change.side in sides:
            sides[change.side] = change.latex
    return sides["lhs"], sides["rhs"]


# ------------------------------------------------------------------- the page


def _math_or_code(change: Change, text: str) -> str:
    from verify.reporting.details import esc, math

    return f"<code>{esc(text)}</code>" if change.side == "notation" else math(text)


def _change_html(change: Change, line: int) -> str:
    from verify.reporting.details import esc

    if change.side == "notation":
        name, _, _ = change.after.partition(":")
        added = change.after.removeprefix(change.before).lstrip(", ")
        return (
            f"{_math_or_code(change, name)} is declared {esc(added)}"
            f" ({_math_or_code(change, change.after)}, line {change.line})"
        )
    side = SIDE_NAMES.get(change.side, change.side)
    return (
        f"{_math_or_code(change, change.before)} {side}{esc(_place(change, line))}"
        f" is {_math_or_code(change, change.after)}"
    )


def repair_items(result: Result) -> list[tuple[str, str]]:
    """Rows for a marker's details: the repairs, and for an expected failure the
    step as its first repair corrects it (the mistake shown beside its fix)."""
    from verify.reporting.details import math, step_latex

    if not result.repairs:
        return []
    entries = "".join(
        f"<li>{' and '.join(_change_html(c, result.line) for c in r.changes)}</li>"
        for r in result.repairs
    )
    items = [("holds if", f'<ul class="verify-repairs">{entries}</ul>')]
    if result.status == Status.EXPECTED_FAILURE:
        first = result.repairs[0]
        lhs, rhs = corrected_step(result, first)
        step = math(step_latex(replace(result, lhs=lhs, rhs=rhs)))
        notation = [_math_or_code(c, c.after) for c in first.changes if c.side == "notation"]
        items.append(("corrected", step + "".join(f" with {n}" for n in notation)))
    return items
