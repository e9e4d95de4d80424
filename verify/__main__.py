"""Command line: `python -m verify check [PATH ...]` and `python -m verify explain FILE:LINE`."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from verify import report
from verify.model import Result
from verify.run import CheckOptions, check_paths, find_pages


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="verify", description="Check the derivations in pages.")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="check pages and report failed or error pairs")
    check.add_argument("paths", nargs="*", help="Markdown files or folders (default: docs/)")
    check.add_argument("--json", metavar="FILE", help="write the JSON report to FILE")
    check.add_argument("--format", choices=["text", "github"], default=None,
                       help="github: also print GitHub Actions annotations")  # fmt: skip
    check.add_argument("--timeout", type=float, default=10.0, help="seconds per pair (10)")
    check.add_argument("--workers", type=int, default=None, help="worker processes (all cores)")
    check.add_argument("--cache-dir", default=".verify-cache", help="verdict cache folder")
    check.add_argument("--no-cache", action="store_true", help="decide every pair afresh")
    check.add_argument("--changed", nargs="?", const="", default=None, metavar="REF",
                       help="only pages changed since REF (default: merge base with main)")  # fmt: skip
    check.add_argument("--quiet", action="store_true", help="no progress bar")
    explain = sub.add_parser("explain", help="show what the checker understood of one pair")
    explain.add_argument("location", help="FILE:LINE of the pair (the line of its right side)")
    return parser


def _changed_pages(ref: str, paths: list[str]) -> list[Path]:
    """Markdown pages changed since `ref` (or the merge base with main)."""
    if not ref:
        base = subprocess.run(["git", "merge-base", "HEAD", "main"], capture_output=True,
                              text=True, check=False)  # fmt: skip
        ref = base.stdout.strip() or "HEAD"
    diff = subprocess.run(["git", "diff", "--name-only", ref, "--", "*.md"], capture_output=True,
                          text=True, check=False)  # fmt: skip
    untracked = subprocess.run(["git", "ls-files", "--others", "--exclude-standard", "--", "*.md"],
                               capture_output=True, text=True, check=False)  # fmt: skip
    names = {Path(n) for n in (diff.stdout + untracked.stdout).split() if n.endswith(".md")}
    scope = find_pages(paths)
    return [p for p in scope if Path(os.path.relpath(p)) in names and p.exists()]


def _progress(quiet: bool):  # type: ignore[no-untyped-def]
    """A rich progress bar on a terminal; nothing when piped or in CI."""
    if quiet or not sys.stderr.isatty() or os.environ.get("CI"):
        return None, None
    from rich.progress import Progress

    bar = Progress(transient=True)
    task = bar.add_task("checking", total=None)

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return bar, update


def _print_problems(results: list[Result], fmt: str | None) -> None:
    use_colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR") and not os.environ.get("CI")
    for r in results:
        if not r.status.is_problem:
            continue
        lines = report.problem_lines(r)
        if use_colour:
            colour = "\033[31m" if r.status.value == "failed" else "\033[33m"
            lines[0] = f"{colour}{lines[0]}\033[0m"
        print("\n".join(lines))
        if fmt == "github":
            print(report.github_annotation(r))


def run_check(args: argparse.Namespace) -> int:
    options = CheckOptions(
        timeout=args.timeout, workers=args.workers,
        cache_dir=None if args.no_cache else Path(args.cache_dir),
    )  # fmt: skip
    try:
        if args.changed is not None:
            pages: Sequence[Path] = _changed_pages(args.changed, args.paths or ["docs"])
        else:
            pages = find_pages(args.paths or ["docs"])
    except FileNotFoundError as err:
        print(f"verify: {err}", file=sys.stderr)
        return 2
    bar, update = _progress(args.quiet)
    if bar is not None:
        with bar:
            reports = check_paths(pages, options, update) if pages else []
    else:
        reports = check_paths(pages, options) if pages else []
    results = report.all_results(reports)
    fmt = args.format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    _print_problems(results, fmt)
    print(report.summary_line(results) + f" in {len(reports)} page(s)")
    if args.json:
        report.write_json(reports, args.json)
    return report.exit_code(results)


def run_explain(args: argparse.Namespace) -> int:
    from verify.explain import explain

    file, _, line = args.location.rpartition(":")
    if not file or not line.isdigit():
        print("verify explain: give FILE:LINE, e.g. docs/gmm/m-step-means.md:42", file=sys.stderr)
        return 2
    try:
        print(explain(Path(file), int(line)))
    except (OSError, LookupError) as err:
        print(f"verify explain: {err}", file=sys.stderr)
        return 2
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "check":
        return run_check(args)
    return run_explain(args)


if __name__ == "__main__":
    sys.exit(main())
