"""pytest knows the pages: each pair of a derivation page is one test item.

The only module that imports pytest (registered as the `pytest11` entry point
`verify`). Collection only reads pages, so `--collect-only` and `-k` stay fast;
the first item that runs has every selected page checked in one batch, so the
worker pool decides their pairs in parallel and each page once. Markdown is
collected under the `verify_paths` ini folders (default `docs`), or when named
on the command line, so the corpus's deliberately wrong pages stay out of
`pytest tests`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from verify.model import PageReport, Result, Status, named_problems
from verify.reading.markdown import extract_page
from verify.reporting.repairs import holds_if
from verify.reporting.report import github_annotation, problem_lines
from verify.running.check import CheckOptions, check_paths, page_problems

_REPORTS = pytest.StashKey[dict[Path, PageReport]]()
_PROBLEMS = pytest.StashKey[list[Result]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "verify_paths", "folders whose Markdown pages are checked", type="args", default=["docs"]
    )
    parser.addini("verify_timeout", "seconds allowed to decide one pair", default="10")
    parser.addini("verify_cache_dir", "folder of the verdict cache", default=".verify-cache")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> PageFile | None:
    if file_path.suffix != ".md":
        return None
    config = parent.config
    roots = [(config.rootpath / p).resolve() for p in config.getini("verify_paths")]
    resolved = file_path.resolve()
    if parent.session.isinitpath(file_path) or any(resolved.is_relative_to(r) for r in roots):
        page: PageFile = PageFile.from_parent(parent, path=file_path)
        return page
    return None


class PageFile(pytest.File):
    """A Markdown page; its pairs and page-level problems are the items."""

    def collect(self) -> Iterator[PairItem]:
        page = extract_page(str(self.path), self.path.read_text(encoding="utf-8"))
        for problem_id, problem in named_problems(page_problems(page)):
            yield PairItem.from_parent(self, name=problem_id, line=problem.line)
        for pair in page.pairs:
            item: PairItem = PairItem.from_parent(self, name=pair.id, line=pair.line)
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

    def __init__(self, *, line: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.line = line

    def runtest(self) -> None:
        result = _report(self).find(self.name)
        if result is None:
            pytest.fail(f"{self.path}: the page changed while the tests ran", pytrace=False)
        if result.status == Status.SKIPPED:
            pytest.skip(result.message or "skip directive")
        if result.status == Status.EXPECTED_FAILURE:
            fixed = [holds_if(r, result.line) for r in result.repairs[:1]]
            pytest.xfail("; ".join([result.message, *fixed]))
        if result.status.is_problem:
            self.config.stash.setdefault(_PROBLEMS, []).append(result)
            raise PairFailure(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, PairFailure):
            from verify.reporting.diagnose import context_lines

            result = excinfo.value.result
            return "\n".join(problem_lines(result) + context_lines(result))
        return str(super().repr_failure(excinfo, style))

    def reportinfo(self) -> tuple[Path, int, str]:
        try:
            shown = self.path.relative_to(self.config.rootpath)
        except ValueError:
            shown = self.path
        return self.path, self.line - 1, f"{shown}:{self.line}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """A skipped step is reported at its line in the page, not in this module."""
    report = yield
    if isinstance(item, PairItem) and report.skipped and isinstance(report.longrepr, tuple):
        report.longrepr = (item.location[0], item.line, report.longrepr[2])
    return report


def _report(item: PairItem) -> PageReport:
    """This item's page's report: checked on first use, with every selected page."""
    store = item.config.stash.setdefault(_REPORTS, {})
    if item.path not in store:
        pending = [item.path] + [
            i.path
            for i in item.session.items
            if isinstance(i, PairItem) and i.path not in store and i.path != item.path
        ]
        pages = list(dict.fromkeys(pending))
        options = CheckOptions(
            timeout=float(item.config.getini("verify_timeout")),
            cache_dir=item.config.rootpath / item.config.getini("verify_cache_dir"),
        )
        for path, report in zip(pages, check_paths(pages, options), strict=True):
            store[path] = report
    return store[item.path]


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """On GitHub Actions, mark each failing step on the pull request's diff."""
    if os.environ.get("GITHUB_ACTIONS") != "true":
        return
    for result in config.stash.get(_PROBLEMS, []):
        terminalreporter.write_line(github_annotation(result))
