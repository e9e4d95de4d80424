"""pytest knows the pages: each pair of a derivation page is one test item.

Opt-in, like doctest: installed as the `pytest11` entry point `verify`, it
collects nothing until the pytest configuration sets `verify_paths` (the
folders whose pages are checked; this repository sets it in pyproject.toml)
or `--verify` is given (then `verify_paths` defaults to `docs`). Until then it
imports none of the checker, so other projects' test runs are untouched.

When on, Markdown is collected under `verify_paths`, or when named on the
command line. Collection only reads pages, so `--collect-only` and `-k` stay
fast. The first item that runs has every selected pair decided in one batch
(the worker pool decides them in parallel); under pytest-xdist each worker
decides only the pairs of the items it runs, and the workers share the
verdict cache. The only module that imports pytest.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from verify.model import PageReport, Result

_ENABLED = pytest.StashKey[list[Path]]()
_REPORTS = pytest.StashKey[dict[Path, "PageReport"]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("verify", "derivation pages (verify)")
    group.addoption(
        "--verify",
        action="store_true",
        default=False,
        help="check the derivation pages under verify_paths (default: docs)",
    )
    parser.addini(
        "verify_paths",
        "folders whose Markdown pages are checked; setting it turns the checker on",
        type="args",
        default=[],
    )
    parser.addini("verify_timeout", "seconds allowed to decide one pair", default="10")
    parser.addini("verify_cache_dir", "folder of the verdict cache", default=".verify-cache")


def pytest_configure(config: pytest.Config) -> None:
    paths = list(config.getini("verify_paths"))
    if not paths and config.getoption("verify"):
        paths = ["docs"]
    if paths:
        config.stash[_ENABLED] = [(config.rootpath / p).resolve() for p in paths]


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> PageFile | None:
    roots = parent.config.stash.get(_ENABLED, None)
    if roots is None or file_path.suffix != ".md":
        return None
    resolved = file_path.resolve()
    if parent.session.isinitpath(file_path) or any(resolved.is_relative_to(r) for r in roots):
        page: PageFile = PageFile.from_parent(parent, path=file_path)
        return page
    return None


class PageFile(pytest.File):
    """A Markdown page; its pairs and page-level problems are the items."""

    def collect(self) -> Iterator[PairItem]:
        from verify.model import named_problems
        from verify.running.check import read_page

        page, problems = read_page(self.path)
        for problem_id, problem in named_problems(problems):
            yield PairItem.from_parent(self, name=problem_id, line=problem.line)
        for pair in page.pairs:
            item: PairItem = PairItem.from_parent(
                self, name=pair.id, line=pair.line, expect_fail=pair.directive.expect_fail
            )
            if pair.tag:
                item.extra_keyword_matches.add(pair.tag)
            yield item


class PairFailure(Exception):
    """A pair that failed or could not be checked; carries the checker's answer."""

    def __init__(self, result: Result) -> None:
        super().__init__(result.message)
        self.result = result


class PairItem(pytest.Item):
    """One pair (or page-level problem): its name is the id its result has."""

    def __init__(self, *, line: int, expect_fail: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.line = line
        self.expect_fail = expect_fail  # the `expect-fail` directive's reason

    def runtest(self) -> None:
        from verify.model import Status

        result = _verdict(self)
        if result is None:
            pytest.fail(f"{self.path}: the page changed while the tests ran", pytrace=False)
        if result.status == Status.SKIPPED:
            pytest.skip(result.message or "skip directive")
        if result.status == Status.EXPECTED_FAILURE:
            if self.config.option.runxfail:  # run as if not marked: show the failure
                raise PairFailure(result)
            from verify.reporting.repairs import holds_if

            # The directive's reason first, then what the checker found and its repair.
            found = result.message.removeprefix(f"expected failure ({self.expect_fail}): ")
            reason = f"{self.expect_fail}: {found}" if self.expect_fail else found
            pytest.xfail(
                "; ".join([reason, *(holds_if(r, result.line) for r in result.repairs[:1])])
            )
        if result.status.is_problem:
            raise PairFailure(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, PairFailure):
            from verify.reporting.diagnose import context_lines
            from verify.reporting.report import problem_lines

            # The reason first (the short summary shows this line after the node
            # id, which already names the file and line), then the details.
            result = excinfo.value.result
            lines = problem_lines(result)
            lines[0] = f"{result.status.value}: {result.message}"
            return "\n".join(lines + context_lines(result))
        return str(super().repr_failure(excinfo, style))

    def reportinfo(self) -> tuple[Path, int, str]:
        try:
            shown = self.path.relative_to(self.config.rootpath)
        except ValueError:
            shown = self.path
        return self.path, self.line - 1, f"{shown}:{self.line}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """A skipped step is reported at its line in the page, not in this module; on
    GitHub Actions a failed one carries its annotation (which reaches the main
    process from an xdist worker with the report)."""
    report = yield
    if not isinstance(item, PairItem):
        return report
    if report.skipped and isinstance(report.longrepr, tuple):
        report.longrepr = (item.location[0], item.line, report.longrepr[2])
    failure = call.excinfo.value if call.excinfo is not None else None
    if isinstance(failure, PairFailure) and os.environ.get("GITHUB_ACTIONS") == "true":
        from verify.reporting.report import github_annotation

        report.user_properties.append(("verify_annotation", github_annotation(failure.result)))
    return report


@pytest.hookimpl(tryfirst=True)
def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """On GitHub Actions, mark each failing step on the pull request's diff."""
    for report in terminalreporter.stats.get("failed", []):
        for name, value in getattr(report, "user_properties", []):
            if name == "verify_annotation":
                terminalreporter.write_line(value)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The cache forgets the pages that are gone from `verify_paths` (in the main
    process, not in every xdist worker; only where a cache was written)."""
    config = session.config
    roots = config.stash.get(_ENABLED, None)
    if roots is None or _is_worker(config) or config.option.collectonly or exitstatus > 1:
        return
    options = _options(config)
    if options.cache_dir.is_dir():
        from verify.running.check import forget_missing_pages

        forget_missing_pages(roots, options)


# ------------------------------------------------------------------ checking


def _options(config: pytest.Config) -> Any:
    from verify.running.check import CheckOptions

    workers = None
    if _is_worker(config):  # the xdist workers share the cores
        count = int(config.workerinput.get("workercount", 1))  # type: ignore[attr-defined]
        workers = max(1, (os.cpu_count() or 1) // count)
    return CheckOptions(
        timeout=float(config.getini("verify_timeout")),
        workers=workers,
        cache_dir=config.rootpath / config.getini("verify_cache_dir"),
    )


def _queued_here(session: pytest.Session) -> list[PairItem]:
    """Under pytest-xdist, the items already sent to this worker and waiting to run.

    xdist has no public API for this: its worker keeps them in `torun` (a queue
    guarded by a lock, in xdist 3.6 and later). Peeking only makes the batches
    larger; when the attribute is not there, each item is checked on its own.
    """
    for plugin in session.config.pluginmanager.get_plugins():
        queue = getattr(plugin, "torun", None)
        lock = getattr(queue, "lock", None)
        if queue is None or lock is None or not hasattr(plugin, "nextitem_index"):
            continue
        with lock() as waiting:
            indices = [plugin.nextitem_index, *waiting]
        items = session.items
        found = [items[i] for i in indices if isinstance(i, int) and 0 <= i < len(items)]
        return [i for i in found if isinstance(i, PairItem)]
    return []


def _verdict(item: PairItem) -> Result | None:
    """This item's answer: decided on first use, with every other item still to
    run in this process (under xdist, those already sent to this worker)."""
    from verify.running.check import check_paths

    store = item.config.stash.setdefault(_REPORTS, {})
    known = store.get(item.path)
    if known is not None and known.find(item.name) is not None:
        return known.find(item.name)
    waiting = _queued_here(item.session) if _is_worker(item.config) else item.session.items
    todo = [item] + [
        i
        for i in waiting
        if isinstance(i, PairItem)
        and i is not item
        and (i.path not in store or store[i.path].find(i.name) is None)
    ]
    select: dict[Path, set[str]] = {}
    for i in todo:
        select.setdefault(i.path, set()).add(i.name)
    pages = list(select)
    for path, report in zip(
        pages, check_paths(pages, _options(item.config), select=select), strict=True
    ):
        if path in store:
            store[path].problems = report.problems
            store[path].verdicts.update(report.verdicts)
        else:
            store[path] = report
    return store[item.path].find(item.name)
