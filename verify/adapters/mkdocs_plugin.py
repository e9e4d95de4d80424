"""The MkDocs adapter: check every page when the site builds, and show the answers.

The only module that imports MkDocs. It runs the checker once per build over
all pages (in parallel, through `summarize_paths`), fails `mkdocs build` on a
failed or error step, and hands the rendering to `verify.reporting.render`.

The Markdown is converted as written, but for a placeholder under the title;
the status markup goes into each page's HTML in `on_page_context`, after the
search plugin has indexed the page (its own `on_page_context` runs first):
neither the converter nor search reads it, so results stay out of search
snippets and cost the build only the markup itself. A warm build reads each page's summary and its
kept rendering: no result is decoded, nothing is rendered.
"""

from __future__ import annotations

import hashlib
import os
import time
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Literal

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url
from mkdocs.utils.templates import TemplateContext

from verify import __version__
from verify.adapters.rendered import RenderedPages
from verify.model import PageReport
from verify.reporting import summary
from verify.reporting.markup import Markup, put_markup
from verify.reporting.site_report import report_html
from verify.running.check import CheckOptions, PageAnswer, check_paths, summarize_paths
from verify.running.keys import checker_version

log = get_plugin_logger(__name__)

REPORT_URI = "verification-report.md"
REPORT_PLACEHOLDER = "<!--verify-report-->"
ASSETS_URI = "assets/verify"
MATHJAX_URI = f"{ASSETS_URI}/mathjax/tex-svg.js"


class VerifyConfig(base.Config):
    """Options under `plugins: - verify:` in mkdocs.yml."""

    enabled = c.Type(bool, default=True)
    """Check the pages. When false the site still renders math and the report
    page says that checking is off."""

    timeout = c.Type((int, float), default=10.0)
    """Seconds allowed to check one pair before it is reported as an error."""

    cache_dir = c.Type((str, bool), default=".verify-cache")
    """Folder (relative to mkdocs.yml) where answers are kept between runs, so
    an unchanged step is not checked again; false turns the disk cache off."""

    workers = c.Optional(c.Type(int))
    """Worker processes for checking; unset means one per CPU."""

    serve_failures = c.Choice(("page", "stop"), default="page")
    """What `mkdocs serve` does with a failed step: "page" warns and shows the
    failure on the page (the server keeps running), "stop" aborts the rebuild
    like `mkdocs build` does."""


def mathjax_root() -> Path:
    """The MathJax 3 `es5` folder shipped by the `django-static-mathjax` package."""
    return Path(str(resources.files("mathjax"))) / "static" / "mathjax" / "es5"


def _assets_dir() -> Path:
    return Path(str(resources.files("verify"))) / "assets"


def _display_path(path: str) -> str:
    """A path as messages show it: relative to the working directory."""
    return os.path.relpath(path, os.getcwd())


class VerifyPlugin(BasePlugin[VerifyConfig]):
    """Checks derivation pages during the build and annotates them."""

    def __init__(self) -> None:
        self.command: Literal["build", "gh-deploy", "serve"] = "build"
        # (path, content digest) -> answer; lives across `mkdocs serve` rebuilds.
        self.memory: dict[tuple[str, str], PageAnswer] = {}
        self.answers: dict[str, PageAnswer] = {}  # page -> its answer in this build
        self.markup: dict[str, Markup] = {}  # page -> what its HTML receives
        self.report_body = ""
        self.sources: dict[str, tuple[str, str]] = {}  # page -> (display path, digest)
        self.rendered = RenderedPages(None)
        self.options = CheckOptions()

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        """Defined so that MkDocs keeps this instance (and `memory`) across rebuilds."""
        self.command = command

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Start a build: forget the last build's answers, link the assets."""
        self.answers = {}
        config.extra_css.append(f"{ASSETS_URI}/verify.css")
        # The configuration script must run before MathJax itself loads.
        config.extra_javascript.append(f"{ASSETS_URI}/verify.js")
        config.extra_javascript.append(MATHJAX_URI)
        return config

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        """Check every page before any is rendered, and add the report page.

        The report page's Markdown is only its title: its body is HTML, put in
        with the other markup after the page is converted and indexed."""
        self._add_assets(files, config)
        self.markup = {}
        self.report_body = ""
        self.options = self._options(config)
        self.rendered = RenderedPages(self.options.cache_dir)
        if self.config.enabled:
            self.answers = self._check(files, config)
            self._stop_or_warn()
            # Checker output stays out of search (its body is put in later anyway).
            content = f"---\nsearch:\n  exclude: true\n---\n\n# Verification report\n\n{REPORT_PLACEHOLDER}\n"
        else:
            content = "# Verification report\n\nChecking is turned off for this build.\n"
        if files.get_file_from_path(REPORT_URI) is None:
            report_file = File.generated(config, REPORT_URI, content=content)
            files.append(report_file)
            if self.config.enabled:
                by_path = {f.src_uri: f for f in files.documentation_pages()}
                links = {
                    answer.summary.file: get_relative_url(by_path[uri].url, report_file.url)
                    for uri, answer in self.answers.items()
                    if uri in by_path
                }
                summaries = [answer.summary for answer in self.answers.values()]
                self.report_body = report_html(summaries, links, _build_facts(config))
        return files

    def on_page_markdown(
        self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        """A placeholder under the title; the markup for the HTML is kept aside
        (read from the cache when the page, its Markdown and the checker are
        unchanged, else rendered now)."""
        uri = page.file.src_uri
        answer = self.answers.get(uri)
        if answer is None:
            return markdown
        path, digest = self.sources.get(uri, ("", ""))
        markdown_digest = hashlib.sha256(markdown.encode()).hexdigest()
        key = RenderedPages.key(checker_version(), uri, path, digest, markdown_digest)
        kept = self.rendered.get(key)
        if kept is not None:
            self.markup[uri] = kept[1]
            return kept[0]
        from verify.reporting import render  # not needed when every page comes rendered

        report = self._report(answer)
        offset = render.markdown_line_offset(page.file.content_string, markdown)
        annotated, self.markup[uri] = render.page_markup(markdown, report, offset)
        if all(r.cacheable for r in report.results):
            self.rendered.put(key, annotated, self.markup[uri])
        return annotated

    @event_priority(-100)  # after search (at 0) has indexed the page
    def on_page_context(
        self, context: TemplateContext, /, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        """Put the status markup into the page's HTML, once search has read it
        and before the theme wraps it in the navigation (which, on a large
        site, is most of the page)."""
        uri = page.file.src_uri
        if page.content is None:
            return context
        if uri == REPORT_URI and self.report_body:
            page.content = page.content.replace(REPORT_PLACEHOLDER, self.report_body, 1)
        markup = self.markup.pop(uri, None)
        if markup:
            page.content = put_markup(page.content, markup)
        return context

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """After a full build, drop the kept renderings that no page used."""
        if self.command != "serve" and self.config.enabled:
            self.rendered.prune()

    def _add_assets(self, files: Files, config: MkDocsConfig) -> None:
        """Serve MathJax and the status styles from the site itself: no CDN."""
        for name in ("verify.css", "verify.js"):
            asset = str(_assets_dir() / name)
            files.append(File.generated(config, f"{ASSETS_URI}/{name}", abs_src_path=asset))
        root = mathjax_root()
        files.append(File.generated(config, MATHJAX_URI, abs_src_path=str(root / "tex-svg.js")))
        # TeX packages that MathJax autoloads (mathtools for \coloneqq, cancel, ...).
        extensions = root / "input" / "tex" / "extensions"
        for path in sorted(extensions.glob("*.js")):
            uri = f"{ASSETS_URI}/mathjax/input/tex/extensions/{path.name}"
            files.append(File.generated(config, uri, abs_src_path=str(path)))

    def _options(self, config: MkDocsConfig) -> CheckOptions:
        cache = self.config.cache_dir
        cache_path: Path | None = None
        if isinstance(cache, str) and cache:
            cache_path = Path(cache)
            if not cache_path.is_absolute() and config.config_file_path:
                cache_path = Path(config.config_file_path).parent / cache_path
        return CheckOptions(
            timeout=float(self.config.timeout), workers=self.config.workers, cache_dir=cache_path
        )

    def _check(self, files: Files, config: MkDocsConfig) -> dict[str, PageAnswer]:
        """Check all Markdown pages in one call; reuse answers for unchanged pages."""
        pages = [f for f in files.documentation_pages() if f.abs_src_path and not f.generated_by]
        keys = {
            f.src_uri: (
                _display_path(str(f.abs_src_path)),
                hashlib.sha256(f.content_bytes).hexdigest(),
            )
            for f in pages
        }
        stale = sorted({keys[f.src_uri][0] for f in pages if keys[f.src_uri] not in self.memory})
        if stale:
            fresh = summarize_paths(stale, options=self.options)
            by_path = {os.path.realpath(a.path): a for a in fresh}
            for f in pages:
                answer = by_path.get(os.path.realpath(keys[f.src_uri][0]))
                if answer is not None:
                    self.memory[keys[f.src_uri]] = answer
        self.sources = keys
        live = set(keys.values())
        self.memory = {k: v for k, v in self.memory.items() if k in live}
        order = _nav_order(config.nav)
        pages.sort(key=lambda f: (order.get(f.src_uri, len(order)), f.src_uri))
        answers = {
            f.src_uri: self.memory[k] for f in pages if (k := keys[f.src_uri]) in self.memory
        }
        counts: dict[str, int] = {}
        for answer in answers.values():
            for status, n in answer.summary.counts.items():
                counts[status] = counts.get(status, 0) + n
        log.info(f"{len(answers)} pages: {summary.count_sentence(counts)}")
        return answers

    def _report(self, answer: PageAnswer) -> PageReport:
        """The page's whole report: read from the cache when only its summary was."""
        if answer.report is None:
            answer.report = check_paths([answer.path], options=self.options)[0]
        return answer.report

    def _stop_or_warn(self) -> None:
        """Fail the build on a failed or error step; under serve, warn instead."""
        problems = sorted(
            (_display_path(a.summary.file), *problem)
            for a in self.answers.values()
            for problem in a.summary.problems
        )
        if not problems:
            return
        lines = [problem_line(*problem) for problem in problems]
        if self.command != "serve" or self.config.serve_failures == "stop":
            count = f"{len(problems)} step{'s' if len(problems) != 1 else ''}"
            raise PluginError(f"verify: {count} did not verify:\n" + "\n".join(lines))
        for line in lines:
            log.warning(line)


def _nav_order(nav: object) -> dict[str, int]:
    """Position of each page in the configured nav, so the report follows it."""
    order: dict[str, int] = {}

    def walk(item: object) -> None:
        if isinstance(item, str):
            order.setdefault(item, len(order))
        elif isinstance(item, dict):
            for value in item.values():
                walk(value)
        elif isinstance(item, list):
            for value in item:
                walk(value)

    walk(nav)
    return order


def problem_line(file: str, line: int, status: str, message: str) -> str:
    """`file:line: status: message`, as the command line prints it."""
    return f"{file}:{line}: {status}: {message}"


def _build_facts(config: MkDocsConfig) -> dict[str, str]:
    """When the site was built, from which commit, by which checker.

    The date honours SOURCE_DATE_EPOCH (reproducible builds); the commit is
    left out when the site is not built from a git checkout."""
    stamp = float(os.environ.get("SOURCE_DATE_EPOCH") or time.time())
    facts = {
        "date": datetime.fromtimestamp(stamp, tz=UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "version": f"{__version__} ({checker_version()})",
    }
    folder = Path(config.docs_dir)  # the pages' own checkout
    try:
        commit = _git_commit(folder.resolve())
    except (OSError, UnicodeDecodeError):
        commit = None
    if commit:
        facts["commit"] = commit[:12]
    return facts


def _git_commit(folder: Path) -> str | None:
    """The commit checked out where `folder` is, read from `.git` (a worktree's
    `.git` file included) rather than by running git, which would cost the
    build a process."""
    for place in (folder, *folder.parents):
        dot = place / ".git"
        if dot.is_dir():
            gitdir = dot
            break
        if dot.is_file():
            pointer = dot.read_text(encoding="utf-8").strip()
            if not pointer.startswith("gitdir:"):
                return None
            gitdir = (place / pointer.removeprefix("gitdir:").strip()).resolve()
            break
    else:
        return None
    head = (gitdir / "HEAD").read_text(encoding="utf-8").strip()
    if not head.startswith("ref:"):
        return head or None
    ref = head.removeprefix("ref:").strip()
    common = gitdir
    if (gitdir / "commondir").is_file():
        common = (gitdir / (gitdir / "commondir").read_text(encoding="utf-8").strip()).resolve()
    for gitfolder in (gitdir, common):
        if (gitfolder / ref).is_file():
            return (gitfolder / ref).read_text(encoding="utf-8").strip() or None
    packed = common / "packed-refs"
    if packed.is_file():
        for line in packed.read_text(encoding="utf-8").splitlines():
            if line.endswith(" " + ref):
                return line.split()[0]
    return None
