"""Run the checker over pages: worker processes with time limits, and the cache.

Each pair is decided in a worker process of a pebble pool, which kills a
worker that runs past the time limit, so a pathological step costs its own
time limit and nothing more. Verdicts are cached on disk by the pair's content,
its notation, the definitions in force and the checker's version: an unchanged
pair is never decided twice, and a warm run does not even import SymPy.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from verify.model import Definition, Page, PageReport, Pair, Result, Status
from verify.running.cache import Cache

if TYPE_CHECKING:
    from verify.deciding.decide import PairTask


def _checker_version() -> str:
    """A digest of the checker's own source: any change to it invalidates the cache."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent
    for source in sorted([*package.rglob("*.py"), *package.rglob("*.lark")]):
        digest.update(source.relative_to(package).as_posix().encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


CHECKER_VERSION = _checker_version()
MEMORY_LIMIT_BYTES = 3 * 1024**3


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


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# ----------------------------------------------------------------------- tasks


def _definitions_before(page: Page, pair_index: int) -> list[Definition]:
    return [d for b in page.blocks for d in b.definitions if d.index < pair_index]


def _task(page: Page, pair: Pair) -> PairTask:
    from verify.deciding.decide import DefinitionSource, PairTask

    definitions = [
        DefinitionSource(d.lhs, d.rhs, d.index, d.line)
        for d in _definitions_before(page, pair.index)
    ]
    return PairTask(
        file=page.file, line=pair.line, relation=pair.relation, lhs=pair.lhs, rhs=pair.rhs,
        directive=pair.directive, declarations=page.declarations, definitions=definitions,
        wrt=pair.directive.wrt or page.wrt, justification=pair.justification,
    )  # fmt: skip


_PAGE_MATERIAL: dict[int, str] = {}


def _page_material(page: Page) -> str:
    """The part of every pair's key that comes from the page's notation."""
    known = _PAGE_MATERIAL.get(id(page))
    if known is None:
        declarations = [
            {k: v for k, v in asdict(d).items() if k != "line"} for d in page.declarations
        ]
        known = json.dumps([page.wrt, declarations], sort_keys=True)
        if len(_PAGE_MATERIAL) > 1000:
            _PAGE_MATERIAL.clear()
        _PAGE_MATERIAL[id(page)] = known
    return known


def _key(page: Page, pair: Pair) -> str:
    """What the verdict depends on: never the file name or absolute line."""

    def span(s: Any) -> list[Any]:
        return [s.text, [(line - pair.line, col) for line, col in s.line_starts]]

    material = {
        "version": CHECKER_VERSION, "relation": pair.relation, "lhs": span(pair.lhs),
        "rhs": span(pair.rhs), "directive": asdict(pair.directive),
        "wrt": pair.directive.wrt or page.wrt,
        "page": _page_material(page),
        "definitions": [
            [d.lhs.text, d.rhs.text] for d in _definitions_before(page, pair.index)
        ],
    }  # fmt: skip
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def _decide_in_worker(task: PairTask) -> dict[str, Any]:
    from verify.deciding.decide import decide

    return decide(task).to_json()


def _limit_memory() -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    except (ImportError, ValueError, OSError):
        pass


# ------------------------------------------------------------------------ pool

_POOL: Any = None
_POOL_WORKERS = 0


def _pool(workers: int) -> Any:
    global _POOL, _POOL_WORKERS
    if _POOL is None or workers != _POOL_WORKERS or not _POOL.active:
        from pebble import ProcessPool

        if _POOL is not None:
            _POOL.stop()
        _POOL = ProcessPool(max_workers=workers, initializer=_limit_memory)
        _POOL_WORKERS = workers
    return _POOL


@atexit.register
def _shutdown() -> None:
    if _POOL is not None:
        _POOL.stop()
        _POOL.join(timeout=5)


def _timeout_result(task: PairTask, seconds: float, message: str) -> Result:
    return Result(
        file=task.file, line=task.line, relation=task.relation, lhs=task.lhs.text.strip(),
        rhs=task.rhs.text.strip(), status=Status.ERROR, method="worker", message=message,
        seconds=round(seconds, 4), justification=task.justification,
    )  # fmt: skip


def _decide_all(tasks: list[PairTask], options: CheckOptions,
                progress: Callable[[int, int], None] | None) -> list[Result]:  # fmt: skip
    """Decide tasks in worker processes, each within the time limit."""
    if not tasks:
        return []
    workers = options.workers or os.cpu_count() or 1
    pool = _pool(max(1, min(workers, len(tasks))) if len(tasks) < workers else workers)
    started = time.perf_counter()
    futures = [pool.schedule(_decide_in_worker, args=(t,), timeout=options.timeout) for t in tasks]
    results: list[Result] = []
    for n, (task, future) in enumerate(zip(tasks, futures, strict=True), start=1):
        try:
            results.append(Result.from_json(future.result()))
        except FutureTimeout:
            results.append(_timeout_result(
                task, options.timeout,
                f"time limit of {options.timeout:g} s exceeded (raise 'timeout', or split the"
                " step into smaller ones)",
            ))  # fmt: skip
        except Exception as err:  # a worker that died (memory cap) or failed to pickle
            kind = type(err).__name__
            results.append(_timeout_result(
                task, time.perf_counter() - started,
                f"the checker's worker stopped ({kind}: {err}); the step may need too much"
                " memory",
            ))  # fmt: skip
        if progress:
            progress(n, len(tasks))
    return results


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


def _check_sources(
    sources: list[tuple[Path, str | None]], options: CheckOptions,
    progress: Callable[[int, int], None] | None,
) -> list[PageReport]:  # fmt: skip
    """Whole pages come from the cache when their text is unchanged; the rest are
    extracted and checked pair by pair (each pair cached on its own)."""
    cache = Cache(options.cache_dir) if options.cache_dir else None
    reports: list[PageReport | None] = []
    stale: list[tuple[int, str, str, str]] = []
    for path, text in sources:
        source = text if text is not None else path.read_text(encoding="utf-8")
        name = _display_path(path)
        key = hashlib.sha256(f"{CHECKER_VERSION}|{name}|{source}".encode()).hexdigest()
        reports.append(cache.get_page(key) if cache else None)
        if reports[-1] is None:
            stale.append((len(reports) - 1, name, source, key))
    if stale:
        from verify.reading.markdown import extract_page

        pages = [extract_page(name, source) for _, name, source, _ in stale]
        for (i, _, _, key), report in zip(stale, _check_pages(pages, options, progress, cache),
                                          strict=True):  # fmt: skip
            reports[i] = report
            if cache and all(r.method != "worker" for r in report.results):
                cache.put_page(key, report)
    if cache:
        cache.save()
    return [r for r in reports if r is not None]


def _check_pages(pages: list[Page], options: CheckOptions,
                 progress: Callable[[int, int], None] | None,
                 cache: Cache | None) -> list[PageReport]:  # fmt: skip
    pending: list[tuple[int, int, Pair, str]] = []
    answers: dict[tuple[int, int], Result] = {}
    for p, page in enumerate(pages):
        for q, pair in enumerate(page.pairs):
            if page.notation_error is not None:
                answers[(p, q)] = _not_checked(page, pair)
                continue
            key = _key(page, pair)
            cached = cache.get(key) if cache else None
            if cached is not None:
                answers[(p, q)] = _relocate(cached, page, pair)
            else:
                pending.append((p, q, pair, key))
    broken = _broken_definitions(pages, {p for p, _, _, _ in pending})
    tasks = [_task(pages[p], pair) for p, _, pair, _ in pending]
    for (p, q, pair, key), result in zip(pending, _decide_all(tasks, options, progress),
                                         strict=True):  # fmt: skip
        answers[(p, q)] = result
        if cache and result.method != "worker":
            cache.put(key, result, pair.line)
    reports = []
    for p, page in enumerate(pages):
        results = list(page.problems) + broken.get(p, [])
        results += [answers[(p, q)] for q in range(len(page.pairs))]
        reports.append(PageReport(page, results))
    return reports


def _broken_definitions(pages: list[Page], which: set[int]) -> dict[int, list[Result]]:
    """`:=` rows that cannot be read, reported on their own lines (pages being checked)."""
    if not which:
        return {}
    from verify.deciding.decide import DefinitionSource, PairError, parse_definition

    found: dict[int, list[Result]] = {}
    for p in sorted(which):
        page = pages[p]
        indices = {d.base for d in page.declarations if d.kind == "index"}
        for block in page.blocks:
            for d in block.definitions:
                try:
                    parse_definition(DefinitionSource(d.lhs, d.rhs, d.index, d.line), indices)
                except PairError as err:
                    found.setdefault(p, []).append(Result(
                        file=page.file, line=err.line, column=err.column, relation=":=",
                        lhs=d.lhs.text.strip(), rhs=d.rhs.text.strip(), status=Status.ERROR,
                        method="definition", message=f"definition: {err.message}",
                    ))  # fmt: skip
    return found


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
