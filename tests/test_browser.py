"""The built site in a real browser: every formula typeset, a marker beside every
row of every checked formula, nothing clipped on a desktop or a phone, no CDN.

Builds the site with `mkdocs build --strict`, serves it on 127.0.0.1 and opens
every page in Debian's headless chromium through Playwright. Playwright's own
browser download is never used (it needs the network); `.ci/run` installs
chromium with apt-get.
"""

from __future__ import annotations

import functools
import os
import re
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
    .filter(e => !e.querySelector('mjx-container') || e.querySelector('[data-mjx-error], mjx-merror'))
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

# A derivation page: its header, and every row marker shown beside its row
# (its middle within the row's height, as MathJax drew the row).
LAYOUT = """() => {
  const box = e => e.getBoundingClientRect();
  const shown = e => e.offsetParent !== null && box(e).width > 0 && box(e).height > 0;
  const marks = [...document.querySelectorAll('.verify-gutter .verify-mark')];
  const chains = [...document.querySelectorAll('.verify-chain')];
  let offRow = 0;
  for (const chain of chains) {
    const rows = verifyRowBoxes(chain);
    for (const cell of chain.querySelectorAll('.verify-cell')) {
      const mark = cell.querySelector('.verify-mark');
      if (!mark) continue;
      const row = rows && rows[Number(cell.dataset.verifyRow)];
      const middle = (box(mark).top + box(mark).bottom) / 2;
      if (!row || middle < row.top - 2 || middle > row.bottom + 2) offRow++;
    }
  }
  return {
    derivation: document.querySelector('.verify-summary:not(.verify-unverified)') !== null,
    notation: document.querySelector('.verify-summary details.verify-symbols') !== null,
    markers: marks.length,
    hidden: marks.filter(m => !shown(m)).length,
    unplaced: chains.filter(c => !c.classList.contains('verify-placed')).length,
    offRow: offRow,
    errors: document.querySelectorAll('mjx-merror').length,
  };
}"""

# Display formulas wider than the box they scroll in, and how many of those
# show no scroll cue (a visible `.verify-cue` for the formula or its chain).
OVERFLOW = """() => {
  const shown = e => e && e.offsetParent !== null && e.getBoundingClientRect().height > 0;
  let formulas = 0, overflowing = 0, clipped = [];
  for (const el of document.querySelectorAll('div.arithmatex, pre.arithmatex')) {
    if (!shown(el) || !el.querySelector('mjx-container')) continue;
    formulas++;
    const chain = el.closest('.verify-chain');
    const scroller = el.closest('.verify-math') || el;
    if (scroller.scrollWidth <= scroller.clientWidth + 1) continue;
    overflowing++;
    const owner = chain || el;
    const cue = chain ? chain.querySelector(':scope > .verify-cue') : el.nextElementSibling;
    const cued = owner.classList.contains('verify-overflows') && cue !== null &&
      cue.classList.contains('verify-cue') && shown(cue);
    if (!cued) clipped.push(el.textContent.trim().slice(0, 60));
  }
  return {formulas, overflowing, clipped};
}"""

# How far the page can be scrolled sideways (0 when it fits the window).
SIDEWAYS = "() => document.documentElement.scrollWidth - window.innerWidth"

# Relative luminance of a marker's icon colour, to tell light from dark text.
MARKER_LUMINANCE = """() => {
  const icon = document.querySelector('.verify-gutter .verify-mark .verify-icon');
  const [r, g, b] = getComputedStyle(icon).color.match(/\\d+/g).map(Number);
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
    """Wait for MathJax to finish; return the formulas it left as raw TeX or
    typeset as an error (a brace or script cut off)."""
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
            assert layout["notation"], f"{path}: no notation table"
            assert layout["markers"] > 0 and layout["hidden"] == 0, f"{path}: {layout}"
            assert layout["unplaced"] == 0 and layout["offRow"] == 0, f"{path}: {layout}"
        tab.context.close()
    assert derivations > 0, "no derivation page in the site"
    foreign = sorted({url for url in requests if not url.startswith(base_url)})
    assert foreign == [], f"requests left 127.0.0.1: {foreign}"


def test_nothing_is_clipped_on_a_desktop_or_a_phone(
    site: Path, base_url: str, browser: Any
) -> None:
    """At 1280 px at most 2% of display formulas overflow their column without
    a scroll cue; at 390 px no page scrolls sideways."""
    formulas, clipped, sideways = 0, [], []
    for path in page_paths(site):
        requests: list[str] = []
        tab = open_page(browser, base_url + path, requests, viewport={"width": 1280, "height": 900})
        assert untypeset(tab) == []
        found = tab.evaluate(OVERFLOW)
        formulas += found["formulas"]
        clipped += [f"{path}: {tex}" for tex in found["clipped"]]
        tab.context.close()
        tab = open_page(browser, base_url + path, requests, viewport={"width": 390, "height": 844})
        assert untypeset(tab) == []
        if tab.evaluate(SIDEWAYS) > 0:
            sideways.append(path)
        tab.context.close()
    assert formulas > 100
    assert len(clipped) <= 0.02 * formulas, f"{len(clipped)} of {formulas} clipped: {clipped}"
    assert sideways == [], f"pages that scroll sideways at 390 px: {sideways}"


def test_markers_on_a_phone_in_dark_mode(site: Path, base_url: str, browser: Any) -> None:
    requests: list[str] = []
    phone = {"viewport": {"width": 390, "height": 844}, "color_scheme": "dark"}
    tab = open_page(browser, base_url + "gmm/m-step-means/", requests, **phone)
    assert untypeset(tab) == []
    assert tab.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
    layout = tab.evaluate(LAYOUT)
    assert layout["markers"] > 0 and layout["hidden"] == 0 and layout["offRow"] == 0, layout
    assert tab.evaluate(SIDEWAYS) <= 0
    assert tab.evaluate(MARKER_LUMINANCE) > 0.45  # a light green on the dark background
    mark = tab.locator(".verify-gutter .verify-mark").nth(3)
    mark.click()
    panel = tab.locator(f"#{mark.get_attribute('aria-controls')}")
    assert panel.locator(".verify-detail").is_visible()
    assert mark.get_attribute("aria-expanded") == "true"
    assert tab.locator(".verify-highlight").count() == 1  # its row is lit
    mark.click()
    assert not panel.locator(".verify-detail").is_visible()
    tab.mouse.move(0, 0)
    tab.evaluate("() => document.activeElement.blur()")
    assert tab.locator(".verify-highlight").count() == 0  # closed, and no longer pointed at
    tab.context.close()


def test_a_counterexample_reads_in_the_page_notation(
    site: Path, base_url: str, browser: Any
) -> None:
    requests: list[str] = []
    tab = open_page(browser, base_url + "gmm/common-mistakes/", requests)
    assert untypeset(tab) == []
    mark = tab.locator(".verify-mark.verify-expected-failure").first
    assert "mistake caught" in mark.inner_text()
    mark.click()
    panel = tab.locator(f"#{mark.get_attribute('aria-controls')}")
    tab.evaluate("() => MathJax.startup.promise.then(() => true)")
    text = panel.inner_text()
    assert "left − right" in text and "[" not in text  # no `x[1]`: the page's names
    assert panel.locator("table.verify-values mjx-container").count() > 3  # typeset values
    tab.context.close()


def test_search_indexes_the_text_not_the_checker(site: Path) -> None:
    index = (site / "search" / "search_index.json").read_text(encoding="utf-8")
    for leftover in ("verify-mark", "verify-summary", "rational values exactly", "Notation ("):
        assert leftover not in index, leftover
    assert re.search(r"(checked|sampled) at \\d+ instance", index) is None
    assert "responsibilit" in index  # the prose is still found


def test_the_report_says_when_and_by_what_it_was_built(site: Path) -> None:
    report = (site / "verification-report" / "index.html").read_text(encoding="utf-8")
    assert "This report was built <code>" in report and "checker <code>" in report
    assert "mistakes caught" in report or "mistake caught" in report


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
    tab.evaluate("() => MathJax.startup.promise.then(() => true)")
    layout = tab.evaluate(LAYOUT)
    assert layout["errors"] == 0 and layout["unplaced"] == 0 and layout["offRow"] == 0, layout
    tab.context.close()
    assert all(url.startswith(base_url) for url in requests)
