"""Check pages: the one entry point that the command line and the adapters call.

A page whose text is unchanged comes whole from the cache; otherwise it is
extracted, its page-level problems are collected, and each pair is looked up
in the cache by its key (`verify.running.keys`) or decided in a worker
(`verify.running.pool`). Results are kept by pair id, never by position.
"""

from __future__ import annotations

import atexit
import os
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from verify.model import Page, PageReport, PageSummary, Pair, Result, Status
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
    select: Mapping[Path, Collection[str]] | None = None,
) -> list[PageReport]:
    """Check every page under `paths`, all pairs in parallel.

    With `select`, a page named in it has only the pairs with those ids decided
    (its page-level problems are always found; its other pairs get no verdict):
    a pytest-xdist worker checks the items it runs and no others. A folder in
    `paths` is checked whole, so the cache forgets the pages gone from it.
    """
    pages = find_pages(paths)
    options = options or CheckOptions()
    sources: list[tuple[Path, str | None]] = [(p, None) for p in pages]
    folders = [Path(p) for p in paths or ["docs"] if Path(p).is_dir()]
    wanted = {Path(os.path.abspath(p)): set(ids) for p, ids in (select or {}).items()}
    return _check_sources(sources, options, progress, wanted, folders)


@dataclass
class PageAnswer:
    """A page's summary, and its report when the report had to be read or
    checked to find it (`None` when the summary came from the cache alone)."""

    path: Path
    summary: PageSummary
    report: PageReport | None = None


def summarize_paths(
    paths: Sequence[str | Path], options: CheckOptions | None = None
) -> list[PageAnswer]:
    """`check_paths` for a caller that needs a page's report only now and then
    (a site build whose pages' markup is kept): an unchanged page is answered
    by its summary in the cache, without decoding its results; the others are
    checked, or read whole from the cache, and come with their report."""
    options = options or CheckOptions()
    pages = find_pages(paths)
    cache = _cache(options)
    answers: dict[int, PageAnswer] = {}
    for n, path in enumerate(pages):
        if cache is None:
            break
        key = page_key(display_path(path), _source(path, None))
        summary = cache.get_summary(key)
        if summary is not None:
            cache.record(path, key, partial(cache.page_pair_keys, key))
            answers[n] = PageAnswer(path, summary)
    rest = [n for n in range(len(pages)) if n not in answers]
    if rest:
        reports = check_paths([pages[n] for n in rest], options)
        for n, report in zip(rest, reports, strict=True):
            answers[n] = PageAnswer(pages[n], PageSummary.of(report), report)
    elif cache is not None:
        cache.save()
    return [answers[n] for n in range(len(pages))]


def forget_missing_pages(folders: Sequence[str | Path], options: CheckOptions) -> None:
    """Prune the cache of the pages that are no longer under `folders`."""
    cache = _cache(options)
    if cache is None:
        return
    for folder in folders:
        if Path(folder).is_dir():
            cache.forget_missing(Path(folder), find_pages([folder]))
    cache.save()


def page_problems(page: Page) -> list[Result]:
    """Everything wrong with a page that belongs to no pair: its front matter and
    blocks (found when it was read) and its `:=` rows that cannot be read."""
    from verify.deciding.understand import definition_problems

    return [*page.problems, *definition_problems(page)]


class UnreadablePage(OSError):
    """A page file that is not UTF-8 text."""


def _source(path: Path, text: str | None) -> str:
    if text is not None:
        return text
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise UnreadablePage(f"{path}: not UTF-8 text (byte {err.start}: {err.reason})") from None


def read_page(path: Path, text: str | None = None) -> tuple[Page, list[Result]]:
    """A page as the checker reads it, and its page-level problems."""
    source = _source(path, text)
    reading = _read(display_path(path), source)
    return reading.page, [replace(r) for r in reading.problems]


@dataclass(frozen=True)
class _Reading:
    """A page read once: its problems and the cache key of each pair."""

    page: Page
    problems: list[Result]
    keys: dict[str, str]  # pair id -> key


@lru_cache(maxsize=128)
def _read(name: str, source: str) -> _Reading:
    """Read once per text in a process: pytest collects a page, then a pytest-xdist
    worker asks for it once per item it runs."""
    from verify.deciding.tasks import definitions_before
    from verify.reading.markdown import extract_page

    page = extract_page(name, source)
    notation = notation_digest(page)
    keys = {
        pair.id: pair_key(pair, notation, pair.directive.wrt or page.wrt,
                          definitions_before(page, pair))
        for pair in page.pairs
    }  # fmt: skip
    return _Reading(page, page_problems(page), keys)


_OPEN: Cache | None = None  # kept open between runs in a process (one folder)


def _cache(options: CheckOptions) -> Cache | None:
    """The cache of `options.cache_dir`, opened once per process and folder."""
    global _OPEN
    if not options.cache_dir:
        return None
    folder = Path(os.path.abspath(options.cache_dir))
    if _OPEN is not None and (_OPEN.folder != folder or _OPEN.pid != os.getpid()):
        _OPEN.close()
        _OPEN = None
    if _OPEN is None:
        _OPEN = Cache(folder)
    return _OPEN


@atexit.register
def _close_cache() -> None:
    if _OPEN is not None and _OPEN.pid == os.getpid():
        _OPEN.close()


_Stale = tuple[Path, str, "set[str] | None", _Reading]  # path, page key, selection, reading


def _check_sources(
    sources: list[tuple[Path, str | None]], options: CheckOptions,
    progress: Callable[[int, int], None] | None,
    select: Mapping[Path, set[str]] | None = None, folders: Sequence[Path] = (),
) -> list[PageReport]:  # fmt: skip
    """Whole pages come from the cache when their text is unchanged; the rest are
    read and checked pair by pair (each pair cached on its own)."""
    cache = _cache(options)
    reports: dict[int, PageReport] = {}
    stale: dict[int, _Stale] = {}
    for n, (path, text) in enumerate(sources):
        source = _source(path, text)
        name = display_path(path)
        key = page_key(name, source)
        cached = cache.get_page(key) if cache else None
        if cached is not None and cache is not None:
            reports[n], pair_keys = cached
            cache.record(path, key, pair_keys)
            if cache.get_summary(key) is None:  # kept by an older checker, without one
                cache.put_summary(key, PageSummary.of(reports[n]))
            continue
        reading = _read(name, source)
        if cache:
            cache.record(path, key, reading.keys.values())
        wanted = (select or {}).get(Path(os.path.abspath(path)))
        stale[n] = (path, key, wanted, reading)
        reports[n] = PageReport(reading.page, [replace(r) for r in reading.problems])
    if stale:
        _decide_pages(stale, reports, options, progress, cache)
        for n, (_, key, _, reading) in stale.items():
            report = reports[n]
            complete = len(report.verdicts) == len(reading.page.pairs)
            if cache and complete and all(r.cacheable for r in report.results):
                cache.put_page(key, report, list(reading.keys.values()))
    if cache:
        for folder in folders:
            cache.forget_missing(folder, [path for path, _ in sources])
        cache.save()
    return [reports[n] for n in range(len(sources))]


def _decide_pages(
    stale: dict[int, _Stale], reports: dict[int, PageReport], options: CheckOptions,
    progress: Callable[[int, int], None] | None, cache: Cache | None,
) -> None:  # fmt: skip
    """Put a verdict for each (selected) pair of each page into its report: from
    the cache, or decided in the worker pool, once per key (the same step on two
    pages, with the same notation, is decided once)."""
    from verify.deciding.tasks import task_for

    pending: dict[str, list[tuple[int, Pair]]] = {}  # key -> the pairs that have it
    for n, (_, _, wanted, reading) in stale.items():
        page = reading.page
        for pair in page.pairs:
            if wanted is not None and pair.id not in wanted:
                continue
            if page.notation_error is not None:
                reports[n].verdicts[pair.id] = _not_checked(page, pair)
                continue
            key = reading.keys[pair.id]
            cached = cache.get(key) if cache else None
            if cached is not None:
                reports[n].verdicts[pair.id] = _relocate(cached, page, pair)
            else:
                reports[n].verdicts[pair.id] = _PENDING
                pending.setdefault(key, []).append((n, pair))
    tasks: dict[str, PairTask] = {
        key: task_for(stale[n][3].page, pair) for key, [(n, pair), *_] in pending.items()
    }
    decided = decide_all(tasks, options.timeout, options.workers, progress)
    for key, result in decided.items():
        (n, first), *others = pending[key]
        reports[n].verdicts[first.id] = result
        if cache and result.cacheable:
            cache.put(key, result, first.line)
        for m, pair in others:  # the same verdict, moved to where the other pair stands
            reports[m].verdicts[pair.id] = replace(
                result, file=stale[m][3].page.file, line=pair.line + result.line - first.line,
                justification=pair.justification,
            )  # fmt: skip


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
