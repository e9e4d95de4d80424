"""Reports: console lines, the JSON report (contract §5), GitHub annotations.

The console line `file:line: status: message` is the contract; what follows it
(the offending LaTeX with a caret, the counterexample) is for the contributor.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from verify.model import STATUS_ORDER, PageReport, Result, Status, summarize


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
    return {"pairs": pairs, "summary": summarize(results)}


def write_json(reports: list[PageReport], path: str | Path) -> None:
    data = json_report(reports)
    Path(path).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


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
    return [f"    {text}", "    " + " " * (result.column - 1) + "^"]


def format_value(value: Any, indent: str = "      ") -> list[str]:
    """Pretty-print a counterexample value; matrices row by row."""
    if isinstance(value, list) and value and isinstance(value[0], list):
        cells = [[str(c) for c in row] for row in value]
        width = max(len(c) for row in cells for c in row)
        return [indent + "[ " + "  ".join(c.rjust(width) for c in row) + " ]" for row in cells]
    if isinstance(value, list):
        return [indent + "(" + ", ".join(str(c) for c in value) + ")ᵀ"]
    return [indent + str(value)]


def counterexample_lines(cx: dict[str, Any]) -> list[str]:
    out = []
    if cx.get("sizes"):
        out.append("    sizes: " + ", ".join(f"{k} = {v}" for k, v in cx["sizes"].items()))
    if cx.get("indices"):
        out.append("    indices: " + ", ".join(f"{k} = {v}" for k, v in cx["indices"].items()))
    for name, value in cx.get("values", {}).items():
        rendered = format_value(value)
        if len(rendered) == 1:
            out.append(f"    {name} = {rendered[0].strip()}")
        else:
            out.append(f"    {name} =")
            out.extend(rendered)
    for key, value in cx.items():
        if key in ("sizes", "indices", "values"):
            continue
        rendered = format_value(value)
        if len(rendered) == 1:
            out.append(f"    {key}: {rendered[0].strip()}")
        else:
            out.append(f"    {key}:")
            out.extend(rendered)
    return out


def problem_lines(result: Result, detail: bool = True) -> list[str]:
    """The contract's line for a failed or error pair, then the details."""
    where = f"{result.file}:{result.line}"
    if result.column is not None:
        where += f":{result.column}"
    lines = [f"{where}: {result.status.value}: {result.message}"]
    if not detail:
        return lines
    lines.extend(source_excerpt(result))
    if result.lhs or result.rhs:
        lines.append(f"    step: {result.lhs}  {result.relation}  {result.rhs}"[:400])
    if result.counterexample:
        lines.append("    counterexample:")
        lines.extend(counterexample_lines(result.counterexample))
    return lines


def summary_line(results: list[Result]) -> str:
    counts = summarize(results)
    parts = [f"{counts[s]} {s}" for s in STATUS_ORDER if counts[s]]
    return f"{len(results)} pairs: " + (", ".join(parts) if parts else "nothing to check")


def github_annotation(result: Result) -> str:
    """A GitHub Actions workflow command that marks the line on the pull request."""
    message = result.message
    if result.counterexample:
        message += "\n" + "\n".join(counterexample_lines(result.counterexample))
    escaped = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    col = f",col={result.column}" if result.column else ""
    title = f"verify: {result.status.value}"
    return f"::error file={result.file},line={result.line}{col},title={title}::{escaped}"


def exit_code(results: list[Result]) -> int:
    return 1 if any(r.status.is_problem for r in results) else 0


__all__ = ["Status", "json_report", "write_json", "problem_lines", "summary_line", "exit_code"]
