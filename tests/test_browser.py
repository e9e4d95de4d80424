"""The built site in a real browser: every formula typeset, markers visible, no CDN.

Builds the site with `mkdocs build --strict`, serves it on 127.0.0.1 and opens
every page in Debian's headless chromium through Playwright. Playwright's own
browser download is never used (it needs the network); `.ci/run` installs
chromium with apt-get.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason="Debian chromium not found at /usr/bin/chromium (install: apt-get install chromium)",
)

# MathJax has loaded (window.MathJax is a plain configuration object until then).
MATHJAX_READY = "() => window.MathJax && MathJax.startup && MathJax.startup.promise"

# The TeX of every formula that MathJax did not turn into output.
UNTYPESET = """() => [...document.querySelectorAll('.arithmatex')]
    .filter(e => !e.querySelector('mjx-container'))
    .map(e => e.textContent.trim().slice(0, 80))"""

# A page that replaced the one marked before a click, with all its math typeset.
NEW_PAGE_TYPESET = """() => window.oldArticle &&
    document.querySelector('article') !== window.oldArticle &&
    [...document.querySelectorAll('.arithmatex')].every(e => e.querySelector('mjx-container'))"""

# The text of the page and its sidebars (navigation, table of contents) outside
# code and typeset math: no TeX may be left in it.
LEFTOVER_TEX = """() => {
  const main = document.querySelector('.md-main').cloneNode(true);
  main.querySelectorAll('mjx-container, code, pre:not(.arithmatex), script, style')
    .forEach(e => e.remove());
  const text = main.textContent;
  return ['$$', '\\\\[', '\\\\(', '\\\\begin{'].filter(t => text.includes(t));
}"""

# Each marker and the notation header take up space on screen and fit in it.
LAYOUT = """() => {
  const box = e => e.getBoundingClientRect();
  const shown = e => e.offsetParent !== null && box(e).width > 0 && box(e).height > 0;
  const summaries = [...document.querySelectorAll('.verify-strip summary')];
  const notation = document.querySelector('.verify-notation table');
  return {
    derivation: document.querySelector('.verify-notation:not(.verify-unverified)') !== null,
    markers: summaries.length,
    hidden: summaries.filter(s => !shown(s)).length,
    notation: notation !== null && shown(notation),
    overflowing: [...document.querySelectorAll('.verify-strip')]
      .filter(s => s.scrollWidth > s.clientWidth + 1).length,
    errors: document.querySelectorAll('mjx-merror').length,
  };
}"""

# Relative luminance of a marker's text colour, to tell light from dark text.
MARKER_LUMINANCE = """() => {
  const label = document.querySelector('.verify-strip summary .verify-label');
  const [r, g, b] = getComputedStyle(label).color.match(/\\d+/g).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}"""


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves files without logging every request to the test output."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The real site, built strictly into a temporary folder, served on 127.0.0.1.

    The port is taken before the build so that the site's URL (and so its
    sitemap, which material's instant navigation reads) names that port.
    """
    out = tmp_path_factory.mktemp("site")
    handler = functools.partial(QuietHandler, directory=str(out))
    http = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base_url = f"http://127.0.0.1:{http.server_address[1]}/"
    config = out.parent / "mkdocs.yml"
    config.write_text(
        f"INHERIT: {ROOT / 'mkdocs.yml'}\nsite_url: {base_url}\ndocs_dir: {ROOT / 'docs'}\n"
        f"plugins:\n  - search\n  - verify:\n      cache_dir: {ROOT / '.verify-cache'}\n"
    )
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config)]
    command += ["-d", str(out)]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield out, base_url
    http.shutdown()
    http.server_close()


@pytest.fixture(scope="module")
def site(server: tuple[Path, str]) -> Path:
    return server[0]


@pytest.fixture(scope="module")
def base_url(server: tuple[Path, str]) -> str:
    return server[1]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def page_paths(site: Path) -> list[str]:
    """Every HTML page of the site, as paths relative to its root."""
    pages = []
    for html in sorted(site.rglob("index.html")):
        relative = html.parent.relative_to(site).as_posix()
        if not relative.startswith(("assets", "search")):
            pages.append("" if relative == "." else relative + "/")
    return pages


def untypeset(tab: Any) -> list[str]:
    """Wait for MathJax to finish; return the formulas it left as raw TeX."""
    tab.wait_for_function(MATHJAX_READY, timeout=60_000)
    tab.evaluate("() => MathJax.startup.promise.then(() => true)")
    return list(tab.evaluate(UNTYPESET))


def open_page(browser: Any, url: str, requests: list[str], **context: Any) -> Any:
    """A new tab at `url`, recording every request it makes."""
    tab = browser.new_context(**context).new_page()
    tab.on("request", lambda request: requests.append(request.url))
    tab.goto(url)
    return tab


def test_every_page_renders_offline(site: Path, base_url: str, browser: Any) -> None:
    requests: list[str] = []
    derivations = 0
    for path in page_paths(site):
        tab = open_page(browser, base_url + path, requests)
        assert untypeset(tab) == [], f"{path}: formulas not typeset"
        layout = tab.evaluate(LAYOUT)
        assert layout["errors"] == 0, f"{path}: MathJax could not typeset a formula"
        assert tab.evaluate(LEFTOVER_TEX) == [], f"{path}: raw TeX left in the page"
        if layout["derivation"]:
            derivations += 1
            assert layout["notation"], f"{path}: notation table not visible"
            assert layout["markers"] > 0 and layout["hidden"] == 0, f"{path}: {layout}"
        tab.context.close()
    assert derivations > 0, "no derivation page in the site"
    foreign = sorted({url for url in requests if not url.startswith(base_url)})
    assert foreign == [], f"requests left 127.0.0.1: {foreign}"


def test_markers_on_a_phone_in_dark_mode(site: Path, base_url: str, browser: Any) -> None:
    derivation = next(p for p in page_paths(site) if p.startswith("gmm/") and "mistakes" not in p)
    requests: list[str] = []
    phone = {"viewport": {"width": 390, "height": 844}, "color_scheme": "dark"}
    tab = open_page(browser, base_url + derivation, requests, **phone)
    assert untypeset(tab) == []
    assert tab.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
    layout = tab.evaluate(LAYOUT)
    assert layout["markers"] > 0 and layout["overflowing"] == 0, layout
    assert tab.evaluate(MARKER_LUMINANCE) > 0.6  # light text on the dark background
    tab.locator(".verify-strip summary").first.click()
    assert tab.locator(".verify-strip details[open] .verify-detail").first.is_visible()
    tab.context.close()


def test_instant_navigation_typesets_the_new_page(site: Path, base_url: str, browser: Any) -> None:
    requests: list[str] = []
    tab = open_page(browser, base_url, requests)
    assert untypeset(tab) == []
    tab.evaluate("() => { window.oldArticle = document.querySelector('article'); }")
    tab.locator("article a[href*='gmm/']").first.click()
    # The window (and its mark) survives: material swapped the content in
    # without a reload, and verify.js had MathJax typeset it.
    tab.wait_for_function(NEW_PAGE_TYPESET, timeout=60_000)
    assert "/gmm/" in tab.url
    assert tab.evaluate("document.querySelectorAll('article mjx-container').length") > 0
    assert tab.evaluate(LAYOUT)["errors"] == 0
    tab.context.close()
    assert all(url.startswith(base_url) for url in requests)
