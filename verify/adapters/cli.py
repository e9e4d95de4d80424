"""Command line: `python -m verify check [PATH ...]` and `python -m verify explain FILE:LINE`.

Exit codes: 0 when no pair is `failed` or `error`, 1 when one is, 2 when the
command itself could not do its work: a usage error (no such page, not a git
repository, a bad FILE:LINE), an I/O error (a page that cannot be read, a
report that cannot be written) or an internal error; those print one line.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from verify import __version__
from verify.model import Result, Status
from verify.reporting import report
from verify.running.check import CheckOptions, check_paths, find_pages

STYLES = {Status.FAILED: "bold red", Status.ERROR: "bold yellow"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="verify", description="Check the derivations in pages.")
    parser.add_argument("--version", action="version", version=f"verify {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="check pages and report failed or error pairs")
    check.add_argument("paths", nargs="*", help="Markdown files or folders (default: docs/)")
    check.add_argument(
        "--json", metavar="FILE", help="write the JSON report to FILE ('-': standard output)"
    )
    check.add_argument(
        "--format",
        choices=["text", "github"],
        default=None,
        help="github: also print GitHub Actions annotations (the default when GITHUB_ACTIONS=true)",
    )
    check.add_argument("--timeout", type=float, default=10.0, help="seconds per pair (10)")
    check.add_argument("--workers", type=int, default=None, help="worker processes (all cores)")
    check.add_argument("--cache-dir", default=".verify-cache", help="verdict cache folder")
    check.add_argument("--no-cache", action="store_true", help="decide every pair afresh")
    check.add_argument(
        "--changed",
        nargs="?",
        const="",
        default=None,
        metavar="REF",
        help="only pages changed since REF (default: merge base with main)",
    )
    check.add_argument(
        "--shard",
        metavar="K/N",
        type=_shard,
        default=None,
        help="only the K-th of N shares of the pages (for CI jobs in parallel; a page's share"
        " depends on its path alone)",
    )
    check.add_argument("--quiet", action="store_true", help="no progress bar")
    check.add_argument(
        "--brief", action="store_true", help="only the contract's line for each problem, no details"
    )
    explain = sub.add_parser("explain", help="show what the checker understood of one pair")
    explain.add_argument("location", help="FILE:LINE of the pair (the line of its right side)")
    return parser


def _shard(text: str) -> tuple[int, int]:
    k, _, n = text.partition("/")
    if not (k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise argparse.ArgumentTypeError(f"expected K/N with 1 <= K <= N, not {text!r}")
    return int(k), int(n)


def in_shard(page: Path, shard: tuple[int, int]) -> bool:
    """Whether `page` is in share K of N: by a digest of its path, so that adding
    or removing a page moves no other page to another share (and its cache)."""
    k, n = shard
    name = Path(os.path.relpath(page)).as_posix()
    return int(hashlib.sha256(name.encode()).hexdigest(), 16) % n == k - 1


# ------------------------------------------------------------------- --changed


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip() or f"git {' '.join(args)} failed")
    return done.stdout


def _base_ref(ref: str) -> str:
    """REF itself, or the merge base with main (origin/main on a CI checkout)."""
    if ref:
        return ref
    for main in ("main", "origin/main"):
        try:
            return _git("merge-base", "HEAD", main).strip()
        except RuntimeError:
            continue
    raise RuntimeError("no branch 'main' or 'origin/main' to compare with: give --changed REF")


def changed_pages(ref: str, paths: list[str]) -> list[Path]:
    """Markdown pages under `paths` changed since `ref`: committed, staged, unstaged or new."""
    top = Path(_git("rev-parse", "--show-toplevel").strip())
    base = _base_ref(ref)
    names = _git("diff", "--name-only", base, "--", "*.md").split("\n")
    names += _git("ls-files", "--others", "--exclude-standard", "--full-name", "--", "*.md").split(
        "\n"
    )
    changed = {(top / n).resolve() for n in names if n.strip()}
    return [p for p in find_pages(paths) if p.resolve() in changed]


# ---------------------------------------------------------------------- output


class Console:
    """Lines through rich, which decides on colour itself (a terminal, `NO_COLOR`,
    `FORCE_COLOR`); a progress bar only on an interactive terminal. With
    `--json -` the report owns standard output and the lines go to standard error."""

    def __init__(self, quiet: bool, stderr: bool = False) -> None:
        from rich.console import Console as RichConsole

        self.quiet = quiet
        self.rich = RichConsole(highlight=False, soft_wrap=True, stderr=stderr, emoji=False)

    def progress(self) -> tuple[AbstractContextManager[Any], Callable[[int, int], None] | None]:
        if self.quiet or not self.rich.is_interactive:
            return nullcontext(), None
        from rich.progress import Progress

        bar = Progress(transient=True, console=self.rich)
        task = bar.add_task("checking", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return bar, update

    def print(self, text: str, style: str | None = None) -> None:
        from rich.text import Text

        self.rich.print(Text(text, style=style or ""))


def _print_problems(console: Console, results: list[Result], fmt: str, brief: bool) -> None:
    for r in results:
        if not r.status.is_problem:
            continue
        lines = report.problem_lines(r, detail=not brief)
        details: list[str] = []
        if not brief or fmt == "github":
            from verify.reporting.diagnose import context_lines

            details = context_lines(r)
        console.print(lines[0], STYLES[r.status])
        for line in lines[1:] + (details if not brief else []):
            console.print(line, "bold red" if line.lstrip().startswith("^") else None)
        if fmt == "github":
            console.print(report.github_annotation(r, details))


def run_check(args: argparse.Namespace) -> int:
    options = CheckOptions(
        timeout=args.timeout,
        workers=args.workers,
        cache_dir=None if args.no_cache else Path(args.cache_dir),
    )
    try:
        if args.changed is not None:
            pages: Sequence[Path] = changed_pages(args.changed, args.paths or ["docs"])
        else:
            pages = find_pages(args.paths or ["docs"])
    except (FileNotFoundError, RuntimeError, OSError) as err:
        print(f"verify: {err}", file=sys.stderr)
        return 2
    targets: list[str | Path] = list(pages)
    if args.shard:
        pages = [p for p in pages if in_shard(p, args.shard)]
        targets = list(pages)
    elif args.changed is None:
        targets = list(args.paths or ["docs"])  # whole folders: the cache forgets gone pages
    to_stdout = args.json == "-"
    console = Console(args.quiet, stderr=to_stdout)
    bar, update = console.progress()
    try:
        with bar:
            reports = check_paths(targets, options, update) if pages else []
    except OSError as err:  # a page that cannot be read
        print(f"verify: {err}", file=sys.stderr)
        return 2
    results = report.all_results(reports)
    fmt = args.format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    _print_problems(console, results, fmt, args.brief)
    console.print(
        report.summary_line(results) + f" in {len(reports)} page(s)",
        "bold" if report.exit_code(results) else "green",
    )
    if to_stdout:
        json.dump(report.json_report(reports), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    elif args.json:
        try:
            report.write_json(reports, args.json)
        except OSError as err:
            print(
                f"verify: cannot write the report {args.json}: {err.strerror or err}",
                file=sys.stderr,
            )
            return 2
    return report.exit_code(results)


def run_explain(args: argparse.Namespace) -> int:
    from verify.reporting.explain import explain

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
    try:
        if args.command == "check":
            return run_check(args)
        return run_explain(args)
    except KeyboardInterrupt:
        print("verify: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # a bug: one line (VERIFY_DEBUG=1 shows the traceback)
        if os.environ.get("VERIFY_DEBUG"):
            raise
        print(f"verify: internal error: {type(err).__name__}: {err}", file=sys.stderr)
        return 2
