"""The MkDocs adapter: its hooks called directly, then whole builds.

The hook tests replace `check_paths` with a stand-in, so they test the adapter
alone (with the summaries and the markup of the real pipeline). The build tests run `mkdocs build --strict` on a tiny site with the
real checker.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import markdown
import pytest
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files, get_files
from mkdocs.structure.pages import Page as MkDocsPage

from verify.adapters import mkdocs_plugin
from verify.adapters.mkdocs_plugin import MATHJAX_URI, REPORT_URI, VerifyPlugin
from verify.model import Block, Declaration, Kind, Page, PageReport, Result, Status
from verify.reporting import markup
from verify.reporting import render as render_module
from verify.running import check as check_module

DERIVATION = """\
---
symbols:
  a, b: scalar
---

# D

$$
(a+b)^2 = a^2 + b^2
$$

Text after.
"""


class FakeChecker:
    """Stands in for `check_paths`: one result at line 9 of d.md, with `status`."""

    def __init__(self, status: Status = Status.CHECKED) -> None:
        self.status = status
        self.calls: list[list[str]] = []

    def __call__(self, paths: Sequence[str], options: Any = None, progress: Any = None) -> Any:
        self.calls.append([str(p) for p in paths])
        return [self.report(str(p)) for p in paths]

    def report(self, path: str) -> PageReport:
        if path.endswith("u.md"):  # says why its math is not checked
            page = Page(path, {}, 3, [Block(5, 7, "")], [], [], unverified="a sketch")
            return PageReport(page)
        if not path.endswith("d.md"):
            return PageReport(Page(path, {}, 0, [], [], [], unverified="prose"))
        decl = Declaration("a", "a", (), (), False, Kind.SCALAR, None, (), line=3)
        page = Page(path, {"symbols": {"a, b": "scalar"}}, 4, [Block(8, 10, "")], [decl], [])
        message = "sides differ at a = 1, b = 1" if self.status is Status.FAILED else ""
        result = Result(
            path, 9, "=", "(a+b)^2", "a^2 + b^2", self.status, message=message, instances=6
        )
        return PageReport(page, [], {"line-9": result})


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A docs folder with a home page and one derivation; the cwd is its root."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Home\n\nWelcome.\n")
    (docs / "d.md").write_text(DERIVATION)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def make_config(root: Path, **plugin_options: Any) -> tuple[MkDocsConfig, VerifyPlugin]:
    """A validated config with the plugin in it, as MkDocs makes one for a build.

    MkDocs keeps plugins that define on_startup in a process-wide cache (that is
    how they outlive `mkdocs serve` rebuilds); each test starts a fresh one.
    """
    MkDocsConfig.plugins.plugin_cache.clear()
    (root / "docs").mkdir(exist_ok=True)
    config = MkDocsConfig(config_file_path=str(root / "mkdocs.yml"))
    plugins = [{"verify": plugin_options}]
    config.load_dict({"site_name": "Test", "docs_dir": str(root / "docs"), "plugins": plugins})
    errors, warnings = config.validate()
    assert not errors and not warnings
    plugin = config.plugins["verify"]
    assert isinstance(plugin, VerifyPlugin)
    return config, plugin


def start(
    root: Path,
    command: str = "build",
    status: Status = Status.CHECKED,
    monkeypatch: pytest.MonkeyPatch | None = None,
    **options: Any,
) -> tuple[MkDocsConfig, VerifyPlugin, FakeChecker]:
    """A plugin after on_startup and on_config, with a fake checker in place."""
    config, plugin = make_config(root, **options)
    checker = FakeChecker(status)
    assert monkeypatch is not None
    monkeypatch.setattr(mkdocs_plugin, "check_paths", checker)
    monkeypatch.setattr(check_module, "check_paths", checker)
    config.plugins.on_startup(command=command, dirty=False)  # type: ignore[arg-type]
    config.plugins.on_config(config)
    return config, plugin, checker


def on_files(config: MkDocsConfig) -> Files:
    """The on_files event, through MkDocs so that generated files know their plugin."""
    return config.plugins.on_files(get_files(config), config=config)


def render(config: MkDocsConfig, files: Files, uri: str) -> str:
    """One page through the plugin's page events the way MkDocs runs them:
    its Markdown, the conversion (with arithmatex, as the site has it), its HTML."""
    file = files.get_file_from_path(uri)
    assert file is not None
    page = MkDocsPage(None, file, config)
    page.read_source(config)
    assert page.markdown is not None
    out = config.plugins.on_page_markdown(page.markdown, page=page, config=config, files=files)
    assert out is not None
    page.content = convert(out)
    plugin = config.plugins["verify"]
    assert isinstance(plugin, VerifyPlugin)
    plugin.on_page_context({}, page=page, config=config, nav=None)  # type: ignore[arg-type,typeddict-item]
    return page.content


def convert(text: str) -> str:
    md = markdown.Markdown(
        extensions=["pymdownx.arithmatex"],
        extension_configs={"pymdownx.arithmatex": {"generic": True}},
    )
    return md.convert(text)


def test_options_have_defaults_and_are_validated(tmp_path: Path) -> None:
    _, plugin = make_config(tmp_path)
    assert plugin.config.enabled is True
    assert plugin.config.timeout == 10.0
    assert plugin.config.cache_dir == ".verify-cache"
    assert plugin.config.workers is None
    assert plugin.config.serve_failures == "page"
    errors, _ = VerifyPlugin().load_config({"serve_failures": "explode"})
    assert errors


def test_cache_dir_is_relative_to_mkdocs_yml(tmp_path: Path) -> None:
    config, plugin = make_config(tmp_path, timeout=3, workers=2)
    options = plugin._options(config)
    assert options.cache_dir == tmp_path / ".verify-cache"
    assert (options.timeout, options.workers) == (3.0, 2)
    config, plugin = make_config(tmp_path, cache_dir=False)
    assert plugin._options(config).cache_dir is None


def test_math_assets_load_config_first(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config, plugin, _ = start(site, monkeypatch=monkeypatch)
    scripts = [str(s) for s in config.extra_javascript]
    assert scripts.index("assets/verify/verify.js") < scripts.index(MATHJAX_URI)
    assert "assets/verify/verify.css" in config.extra_css
    files = on_files(config)
    for uri in ("assets/verify/verify.css", "assets/verify/verify.js", MATHJAX_URI):
        file = files.get_file_from_path(uri)
        assert file is not None and Path(str(file.abs_src_path)).is_file(), uri
    assert files.get_file_from_path("assets/verify/mathjax/input/tex/extensions/mathtools.js")


def test_mathjax_config_never_reaches_for_a_cdn() -> None:
    script = (mkdocs_plugin._assets_dir() / "verify.js").read_text()
    assert "http" not in script
    assert 'processHtmlClass: "arithmatex|' in script and "enableMenu: false" in script
    assert "document$.subscribe" in script


def test_one_check_for_all_pages_and_a_report(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config, plugin, checker = start(site, monkeypatch=monkeypatch)
    files = on_files(config)
    assert checker.calls == [["docs/d.md", "docs/index.md"]]  # one call, every page
    report = files.get_file_from_path(REPORT_URI)
    assert report is not None and report.generated_by
    assert report.content_string.endswith("# Verification report\n\n<!--verify-report-->\n")
    assert "search:\n  exclude: true" in report.content_string  # checker output, not searched
    body = plugin.report_body  # HTML, no Markdown
    assert '<a href="../d/">d</a></td><td>1 of 1</td><td>1 checked</td>' in body  # by file
    page = MkDocsPage(None, report, config)
    page.content = "<h1>R</h1>\n<!--verify-report-->\n"
    plugin.on_page_context({}, page=page, config=config, nav=None)  # type: ignore[arg-type,typeddict-item]
    assert page.content == f"<h1>R</h1>\n{body}\n"


def test_block_is_wrapped_with_its_markers(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config, plugin, _ = start(site, monkeypatch=monkeypatch)
    files = on_files(config)
    html = render(config, files, "d.md")
    chain, formula = html.index('<div class="verify-chain'), html.index('<div class="arithmatex">')
    gutter, after = html.index('<div class="verify-gutter"'), html.index("<p>Text after.</p>")
    assert html.index("</h1>") < html.index('<div class="verify-summary') < chain
    assert chain < formula < gutter < after
    assert "checked at 6 instances" in html[gutter:after]
    assert html.count("(a+b)^2 = a^2 + b^2") == 1 and "<!--verify" not in html
    assert render(config, files, "index.md") == convert("# Home\n\nWelcome.\n")


def test_unchecked_math_says_why(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (site / "docs" / "u.md").write_text('---\nunverified: "a sketch"\n---\n\n$$\na = b\n$$\n')
    config, _, _ = start(site, monkeypatch=monkeypatch)
    files = on_files(config)
    assert "Not machine-checked: a sketch" in render(config, files, "u.md")
    assert "verify-unverified" not in render(config, files, "index.md")  # no math there


def test_build_fails_naming_file_and_line(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config, plugin, _ = start(site, status=Status.FAILED, monkeypatch=monkeypatch)
    with pytest.raises(PluginError) as failure:
        on_files(config)
    assert "docs/d.md:9: failed: sides differ at a = 1, b = 1" in str(failure.value)


def test_serve_warns_and_shows_the_failure(
    site: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    config, plugin, _ = start(site, "serve", Status.FAILED, monkeypatch)
    with caplog.at_level(logging.WARNING):
        files = on_files(config)
    assert "docs/d.md:9: failed: sides differ" in caplog.text
    assert 'data-verify-status="failed"' in render(config, files, "d.md")


def test_serve_can_be_told_to_stop(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config, plugin, _ = start(site, "serve", Status.ERROR, monkeypatch, serve_failures="stop")
    with pytest.raises(PluginError, match=r"docs/d\.md:9: error"):
        on_files(config)


def test_serve_rechecks_only_changed_pages(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config, plugin, checker = start(site, "serve", monkeypatch=monkeypatch)
    on_files(config)
    config.plugins.on_config(config)  # the next rebuild, same plugin instance
    on_files(config)
    assert len(checker.calls) == 1
    (site / "docs" / "d.md").write_text(DERIVATION.replace("Text after.", "Edited."))
    config.plugins.on_config(config)
    on_files(config)
    assert checker.calls[1] == ["docs/d.md"]
    assert set(plugin.answers) == {"d.md", "index.md"}


def test_disabled_checks_nothing_but_still_renders_math(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, plugin, checker = start(site, monkeypatch=monkeypatch, enabled=False)
    files = on_files(config)
    assert checker.calls == []
    assert files.get_file_from_path(MATHJAX_URI) is not None
    report = files.get_file_from_path(REPORT_URI)
    assert report is not None and "turned off" in report.content_string


def test_markup_goes_in_after_search_has_indexed_the_page(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, plugin, _ = start(site, monkeypatch=monkeypatch)
    files = on_files(config)
    file = files.get_file_from_path("d.md")
    assert file is not None
    page = MkDocsPage(None, file, config)
    page.read_source(config)
    assert page.markdown is not None
    out = config.plugins.on_page_markdown(page.markdown, page=page, config=config, files=files)
    assert out == page.markdown.replace("# D\n", f"# D\n\n{markup.HEADER_PLACEHOLDER}\n\n", 1)
    page.content = f"<p>{markup.HEADER_PLACEHOLDER}</p>" + convert("$$\n(a+b)^2 = a^2 + b^2\n$$")
    plugin.on_page_context({}, page=page, config=config, nav=None)  # type: ignore[arg-type,typeddict-item]
    out = page.content
    assert out.startswith('<div class="verify-summary') and "<p>" not in out
    assert '<div class="verify-chain' in out and "d.md" not in plugin.markup  # used once


def test_search_reads_the_page_before_the_markup_goes_in(tmp_path: Path) -> None:
    """Listed before search or after it, the plugin adds its markup after search
    has indexed the page (so results stay out of search, and cost it nothing)."""
    (tmp_path / "docs").mkdir()
    for plugins in (["verify", "search"], ["search", "verify"]):
        MkDocsConfig.plugins.plugin_cache.clear()
        config = MkDocsConfig(config_file_path=str(tmp_path / "mkdocs.yml"))
        config.load_dict({"site_name": "T", "docs_dir": str(tmp_path / "docs"), "plugins": plugins})
        assert config.validate() == ([], [])
        owners = [type(m.__self__).__name__ for m in config.plugins.events["page_context"]]
        assert owners.index("SearchPlugin") < owners.index("VerifyPlugin"), plugins


# Whole builds with the real checker.

SITE_CONFIG = """\
site_name: Tiny
theme: mkdocs
plugins:
  - verify:
      cache_dir: false
markdown_extensions:
  - pymdownx.arithmatex:
      generic: true
"""

WRONG = """\
---
symbols:
  a, b: scalar
---

# Wrong

$$
(a+b)^2 = a^2 + b^2
$$
"""

UNDECLARED = """\
# No notation

$$
a + b = b + a
$$
"""

RIGHT = """\
---
symbols:
  a, b: scalar
---

# Right

$$
(a+b)^2 = a^2 + 2ab + b^2
$$
"""


def build(root: Path, pages: dict[str, str]) -> subprocess.CompletedProcess[str]:
    (root / "docs").mkdir()
    (root / "mkdocs.yml").write_text(SITE_CONFIG)
    for name, text in pages.items():
        (root / "docs" / name).write_text(textwrap.dedent(text))
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict"]
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=600)


def test_build_fails_on_a_wrong_step(tmp_path: Path) -> None:
    done = build(tmp_path, {"index.md": "# Home\n", "wrong.md": WRONG})
    assert done.returncode != 0
    assert "docs/wrong.md:9: failed" in done.stderr + done.stdout


def test_build_reports_relations_without_notation(tmp_path: Path) -> None:
    done = build(tmp_path, {"index.md": UNDECLARED})
    assert done.returncode != 0
    assert "docs/index.md:" in done.stderr + done.stdout
    assert ": error: " in done.stderr + done.stdout


def test_build_of_a_correct_site_passes_strict(tmp_path: Path) -> None:
    done = build(tmp_path, {"index.md": "# Home\n", "right.md": RIGHT})
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "site" / "right" / "index.html").read_text()
    assert 'data-verify-status="proved"' in html or 'data-verify-status="checked"' in html
    assert "verify-summary" in html and "<!--verify-" not in html
    assert (tmp_path / "site" / "assets" / "verify" / "mathjax" / "tex-svg.js").is_file()
    report = (tmp_path / "site" / "verification-report" / "index.html").read_text()
    assert "1 of 1" in report


def test_a_warm_build_reads_its_renderings_back(
    site: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    config, plugin, _ = start(site, monkeypatch=monkeypatch, cache_dir=str(cache))
    first = render(config, on_files(config), "d.md")
    kept = sorted((cache / "rendered").glob("*.markup"))
    assert len(kept) == 1  # d.md; index.md has no math to mark up
    (cache / "rendered" / "stale.markup").write_text("{}")
    (cache / "rendered" / "old.json").write_text("{}")  # an earlier version's

    def no_rendering(*args: Any, **kwargs: Any) -> str:
        raise AssertionError("rendered again")

    config.plugins.on_config(config)  # the next build
    monkeypatch.setattr(render_module, "page_markup", no_rendering)
    assert render(config, on_files(config), "d.md") == first
    config.plugins.on_post_build(config=config)
    assert sorted((cache / "rendered").iterdir()) == kept  # the unused ones are gone


# Prints which of the heavy modules a whole `mkdocs build` imported.
PROBE = """\
import sys
from mkdocs.__main__ import cli
try:
    cli(["build", "--strict", "-q"])
except SystemExit as end:
    assert not end.code, end.code
heavy = ("sympy", "lark", "verify.reading.markdown", "verify.reporting.render")
print(" ".join(m for m in heavy if m in sys.modules))
"""


def test_a_warm_build_imports_neither_sympy_nor_lark_nor_the_renderer(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text(SITE_CONFIG.replace("cache_dir: false", "cache_dir: .c"))
    (tmp_path / "docs" / "index.md").write_text("# Home\n")
    (tmp_path / "docs" / "right.md").write_text(RIGHT)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}

    def build_and_list() -> list[str]:
        done = subprocess.run([sys.executable, "-c", PROBE], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=600)  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    assert "sympy" in build_and_list()  # cold: the step is checked and rendered
    assert build_and_list() == []  # warm: the cache and the kept rendering answer
