"""Reports: console lines, the JSON report (contract §5), GitHub annotations.

The console line `file:line: status: message` is the contract; what follows it
(the offending LaTeX with a caret, the counterexample) is for the contributor.
This module formats only: it never imports SymPy, so a warm run stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from verify import __version__
from verify.model import STATUS_ORDER, PageReport, Result, Status, summarize
from verify.reporting.repairs import repair_lines

INDENT = "    "


def all_results(reports: list[PageReport]) -> list[Result]:
    return [r for report in reports for r in report.results]


def json_report(reports: list[PageReport], timings: bool = True) -> dict[str, Any]:
    results = all_results(reports)
    pairs = []
    for r in results:
        entry = r.to_json()
        if not timings:
            entry["seconds"] = 0.0
        pairs.append(entry)
    return {"version": __version__, "pairs": pairs, "summary": summarize(results)}


def write_json(reports: list[PageReport], path: str | Path) -> None:
    data = json_report(reports)
    Path(path).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# ------------------------------------------------------------------ the source


def source_excerpt(result: Result) -> list[str]:
    """The page line of an error with a caret under the column."""
    if result.column is None:
        return []
    try:
        lines = Path(result.file).read_text(encoding="utf-8").split("\n")
    except OSError:
        return []
    if not 1 <= result.line <= len(lines):
        return []
    text = lines[result.line - 1].replace("\t", " ")
    return [INDENT + text, INDENT + " " * (result.column - 1) + "^"]


# ------------------------------------------------------------------- values


def format_value(value: Any) -> list[str]:
    """A counterexample value as text lines: matrices row by row, columns aligned."""
    if isinstance(value, list) and value and isinstance(value[0], list):
        cells = [[str(c) for c in row] for row in value]
        widths = [max(len(row[c]) for row in cells) for c in range(len(cells[0]))]
        return [
            "[ " + "  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=False)) + " ]"
            for row in cells
        ]
    if isinstance(value, list):
        return ["(" + ", ".join(str(c) for c in value) + ")ᵀ"]
    return [str(value)]


def _assignment(name: str, value: Any, indent: str, sep: str = " = ") -> list[str]:
    """`name = value`, a matrix's later rows aligned under its first."""
    rendered = format_value(value)
    head = f"{indent}{name}{sep}"
    return [head + rendered[0]] + [" " * len(head) + row for row in rendered[1:]]


def counterexample_lines(cx: dict[str, Any], indent: str = INDENT) -> list[str]:
    """The instance (sizes, indices, values), then both sides' values there."""
    out = []
    where = [f"{k} = {v}" for k, v in {**cx.get("sizes", {}), **cx.get("indices", {})}.items()]
    out.append(f"{indent}counterexample" + (f" at {', '.join(where)}:" if where else ":"))
    for name, value in cx.get("values", {}).items():
        out.extend(_assignment(name, value, indent + "  "))
    for key, value in cx.items():
        if key not in ("sizes", "indices", "values"):
            out.extend(_assignment(key, value, indent, sep=" = " if " " not in key else ": "))
    return out


# ---------------------------------------------------------------- the report


def headline(result: Result) -> str:
    """The contract's console line: `file:line[:col]: status: message`."""
    return f"{result.location}: {result.status.value}: {result.message}"


def problem_lines(result: Result, detail: bool = True) -> list[str]:
    """The contract's line for a failed or error pair, then the details."""
    lines = [headline(result)]
    if not detail:
        return lines
    excerpt = source_excerpt(result)
    lines.extend(excerpt)
    if (result.lhs or result.rhs) and not excerpt:
        lines.append(f"{INDENT}step: {result.lhs}  {result.relation}  {result.rhs}"[:400])
    if result.counterexample:
        lines.extend(counterexample_lines(result.counterexample))
    lines.extend(repair_lines(result))
    return lines


def summary_line(results: list[Result]) -> str:
    counts = summarize(results)
    parts = [f"{counts[s]} {s}" for s in STATUS_ORDER if counts[s]]
    return f"{len(results)} pairs: " + (", ".join(parts) if parts else "nothing to check")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(result: Result, details: list[str] | None = None) -> str:
    """A GitHub Actions workflow command that marks the line on the pull request."""
    body = [result.message]
    if result.counterexample:
        body.extend(counterexample_lines(result.counterexample, indent=""))
    body.extend(repair_lines(result, indent=""))
    body.extend(line.removeprefix(INDENT) for line in details or [])
    col = f",col={result.column}" if result.column else ""
    title = _escape_property(f"verify {result.status.value}")
    where = f"file={_escape_property(result.file)},line={result.line}{col}"
    return f"::error {where},title={title}::{_escape_data(chr(10).join(body))}"


def exit_code(results: list[Result]) -> int:
    return 1 if any(r.status.is_problem for r in results) else 0


__all__ = [
    "Status",
    "json_report",
    "write_json",
    "headline",
    "problem_lines",
    "summary_line",
    "counterexample_lines",
    "github_annotation",
    "exit_code",
]
