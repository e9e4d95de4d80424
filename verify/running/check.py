"""Check pages: the one entry point that the command line and the adapters call.

A page whose text is unchanged comes whole from the cache; otherwise it is
extracted, its page-level problems are collected, and each pair is looked up
in the cache by its key (`verify.running.keys`) or decided in a worker
(`verify.running.pool`). Results are kept by pair id, never by position.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from verify.model import Page, PageReport, Pair, Result, Status
from verify.running.cache import Cache
from verify.running.keys import notation_digest, page_key, pair_key
from verify.running.pool import decide_all

if TYPE_CHECKING:
    from verify.deciding.tasks import PairTask


@dataclass
class CheckOptions:
    """How to run: per-pair time limit, worker count, cache folder."""

    timeout: float = 10.0
    workers: int | None = None
    cache_dir: Path | None = Path(".verify-cache")
    extra: dict[str, Any] = field(default_factory=dict)


def find_pages(paths: Sequence[str | Path]) -> list[Path]:
    """Markdown files named, or found under the folders named (sorted)."""
    found: list[Path] = []
    for raw in paths or ["docs"]:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.md") if p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    unique: dict[Path, None] = {}
    for p in found:
        unique.setdefault(p, None)
    return list(unique)


def display_path(path: Path) -> str:
    """A path as reports show it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# ------------------------------------------------------------------------- API


def check_page(
    path: str | Path, options: CheckOptions | None = None, text: str | None = None
) -> PageReport:
    """Check one page (from disk, or from `text` named as `path`)."""
    return _check_sources([(Path(path), text)], options or CheckOptions(), None)[0]


def check_paths(
    paths: Sequence[str | Path],
    options: CheckOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[PageReport]:
    """Check every page under `paths`, all pairs in parallel."""
    sources: list[tuple[Path, str | None]] = [(p, None) for p in find_pages(paths)]
    return _check_sources(sources, options or CheckOptions(), progress)


def page_problems(page: Page) -> list[Result]:
    """Everything wrong with a page that belongs to no pair: its front matter and
    blocks (found when it was read) and its `:=` rows that cannot be read."""
    from verify.deciding.understand import definition_problems

    return [*page.problems, *definition_problems(page)]


def _check_sources(
    sources: list[tuple[Path, str | None]], options: CheckOptions,
    progress: Callable[[int, int], None] | None,
) -> list[PageReport]:  # fmt: skip
    """Whole pages come from the cache when their text is unchanged; the rest are
    extracted and checked pair by pair (each pair cached on its own)."""
    cache = Cache(options.cache_dir) if options.cache_dir else None
    reports: dict[int, PageReport] = {}
    stale: dict[int, tuple[str, str, str]] = {}
    for n, (path, text) in enumerate(sources):
        source = text if text is not None else path.read_text(encoding="utf-8")
        name = display_path(path)
        key = page_key(name, source)
        cached = cache.get_page(key) if cache else None
        if cached is not None:
            reports[n] = cached
        else:
            stale[n] = (name, source, key)
    if stale:
        from verify.reading.markdown import extract_page

        pages = {n: extract_page(name, source) for n, (name, source, _) in stale.items()}
        for n, report in _check_pages(pages, options, progress, cache).items():
            reports[n] = report
            if cache and all(r.cacheable for r in report.results):
                cache.put_page(stale[n][2], report)
    if cache:
        cache.save()
    return [reports[n] for n in range(len(sources))]


def _check_pages(
    pages: dict[int, Page], options: CheckOptions,
    progress: Callable[[int, int], None] | None, cache: Cache | None,
) -> dict[int, PageReport]:  # fmt: skip
    """Each page's report: its problems, and a verdict for each of its pairs."""
    from verify.deciding.tasks import definitions_before, task_for

    reports = {n: PageReport(page, page_problems(page)) for n, page in pages.items()}
    pending: dict[tuple[int, str], tuple[Pair, str]] = {}
    for n, page in pages.items():
        notation = notation_digest(page)
        for pair in page.pairs:
            if page.notation_error is not None:
                reports[n].verdicts[pair.id] = _not_checked(page, pair)
                continue
            wrt = pair.directive.wrt or page.wrt
            key = pair_key(pair, notation, wrt, definitions_before(page, pair))
            cached = cache.get(key) if cache else None
            if cached is not None:
                reports[n].verdicts[pair.id] = _relocate(cached, page, pair)
            else:
                reports[n].verdicts[pair.id] = _PENDING
                pending[(n, pair.id)] = (pair, key)
    tasks: dict[tuple[int, str], PairTask] = {
        (n, pair_id): task_for(pages[n], pair) for (n, pair_id), (pair, _) in pending.items()
    }
    decided = decide_all(tasks, options.timeout, options.workers, progress)
    for (n, pair_id), result in decided.items():
        reports[n].verdicts[pair_id] = result
        pair, key = pending[(n, pair_id)]
        if cache and result.cacheable:
            cache.put(key, result, pair.line)
    return reports


# A placeholder that keeps each pair's verdict in page order until it is decided.
_PENDING = Result(file="", line=0, relation="", lhs="", rhs="", status=Status.ERROR)


def _not_checked(page: Page, pair: Pair) -> Result:
    """A pair on a page whose notation is broken: checking it would mislead."""
    return Result(
        file=page.file, line=pair.line, relation=pair.relation, lhs=pair.lhs.text.strip(),
        rhs=pair.rhs.text.strip(), status=Status.ERROR, method="not checked",
        message=f"not checked: fix the 'symbols:' entry on line {page.notation_error} first",
        justification=pair.justification,
    )  # fmt: skip


def _relocate(cached: Result, page: Page, pair: Pair) -> Result:
    """A cached verdict, moved to where the pair stands now."""
    cached.file = page.file
    cached.line = pair.line + cached.line
    cached.justification = pair.justification
    cached.seconds = 0.0
    return cached
