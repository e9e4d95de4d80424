"""Status markup, put into a page once it is HTML: the part of rendering a warm
build still runs.

The Markdown a page is converted from is left as its author wrote it, but for
one placeholder under the title. Each checked block's markup is found again in
the HTML by its math: the formula that the Markdown extension wrote for the
block (`<div class="arithmatex">`, or `<pre>` for a ```` ```math ```` fence)
is the one whose text without white space is the block's, escaped. So
the converter and the search indexer never read the markup (it would cost
them more than the rest of the page). Two blocks with the same math are told
apart by their order on the page, so a block is never given another's
markers; a block whose formula is not found is shown under the title.

Kept apart from `render` (and free of its imports) so that a build whose pages
all come rendered from the cache imports none of the rendering itself.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

HEADER_PLACEHOLDER = "<!--verify-header-->"
# A display formula as pymdownx.arithmatex writes it (generic mode).
_FORMULA = re.compile(
    r'<(?P<tag>div|pre)(?P<attrs>[^>]*\bclass="arithmatex\b[^"]*"[^>]*)>(?P<inner>.*?)</(?P=tag)>',
    re.S,
)
_WRAPPERS = (("\\[", "\\]"), ("$$", "$$"))


def math_key(math: str) -> str:
    """What a formula is matched by: its text, escaped as in the page's HTML
    (`escape_math`), without white space or the display delimiters around it."""
    key = "".join(math.split())
    for opening, closing in _WRAPPERS:
        if key.startswith(opening) and key.endswith(closing) and len(key) >= 4:
            return key[len(opening) : -len(closing)]
    return key


def escape_math(math: str) -> str:
    """Math text as arithmatex escapes it (quotes included, apostrophes not)."""
    return html.escape(math, quote=False).replace('"', "&quot;")


@dataclass
class Chain:
    """One checked block: the markup around its formula, and the formula as
    shown (its justifications moved beside the rows)."""

    line: int  # of the block in the page source
    key: str  # `math_key` of the block's math as written, escaped
    occurrence: int  # how many blocks before it on the page have that key
    shown: str
    opening: str
    closing: str

    def alone(self) -> str:
        """The chain with a formula of its own: for a block whose formula is
        not found in the page (it is listed under the title)."""
        return (
            f'{self.opening}<div class="arithmatex">\\[\n{escape_math(self.shown.strip())}\n\\]'
            f"</div>{self.closing}"
        )


@dataclass
class Markup:
    """Everything a page's HTML receives: what goes under the title (the count
    and notation, and the steps of no block) and the chain of each block."""

    header: str = ""
    loose: list[tuple[int, str]] = field(default_factory=list)  # (line, panel HTML)
    chains: list[Chain] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.header or self.loose or self.chains)

    def pack(self, *texts: str) -> str:
        """The markup (and `texts` before it) as the cache keeps it: a line of
        JSON with the numbers and the length of each text, then the texts one
        after another. Reading it back is slicing: no text is unescaped."""
        parts = [*texts, self.header, *(panel for _, panel in self.loose)]
        for c in self.chains:
            parts.extend((c.key, c.shown, c.opening, c.closing))
        head = {
            "texts": len(texts),
            "loose": [line for line, _ in self.loose],
            "chains": [[c.line, c.occurrence] for c in self.chains],
            "lengths": [len(part) for part in parts],
        }
        return json.dumps(head) + "\n" + "".join(parts)

    @classmethod
    def unpack(cls, packed: str) -> tuple[list[str], Markup]:
        """The texts and the markup that `pack` wrote (ValueError if it did not)."""
        newline = packed.index("\n")
        head = json.loads(packed[:newline])
        parts: list[str] = []
        at = newline + 1
        for length in head["lengths"]:
            parts.append(packed[at : at + int(length)])
            at += int(length)
        loose, chains = head["loose"], head["chains"]
        texts = int(head["texts"])
        if at != len(packed) or len(parts) != texts + 1 + len(loose) + 4 * len(chains):
            raise ValueError("not a packed markup")
        rest = iter(parts[texts + 1 + len(loose) :])
        markup = cls(
            header=parts[texts],
            loose=[
                (int(line), panel)
                for line, panel in zip(
                    loose, parts[texts + 1 : texts + 1 + len(loose)], strict=True
                )
            ],
            chains=[
                Chain(int(line), next(rest), int(occurrence), next(rest), next(rest), next(rest))
                for line, occurrence in chains
            ],
        )
        return parts[:texts], markup


def problems_box(panels: Iterable[str]) -> str:
    """Steps that belong to no formula on the page, listed under the title:
    page-level problems, and the chain of a block whose formula is not found."""
    return (
        '<div class="verify-problems-box" role="group" aria-label="Problems on this page">'
        f'<p class="verify-count">Problems on this page</p>{"".join(panels)}</div>'
    )


def put_markup(page_html: str, markup: Markup) -> str:
    """The page's content (its HTML without the theme around it) with each
    chain around its formula and the header in place of its placeholder."""
    pieces: list[str] = []
    at = 0
    waiting = {(chain.key, chain.occurrence): chain for chain in markup.chains}
    seen: dict[str, int] = {}
    for formula in _FORMULA.finditer(page_html):
        if not waiting:
            break
        key = math_key(formula["inner"])
        occurrence = seen[key] = seen.get(key, -1) + 1
        chain = waiting.pop((key, occurrence), None)
        if chain is None:
            continue
        pieces.append(page_html[at : formula.start()])
        pieces.append(chain.opening + _shown(formula, chain.shown) + chain.closing)
        at = formula.end()
    pieces.append(page_html[at:])
    filled = "".join(pieces)
    loose = sorted([*markup.loose, *((chain.line, chain.alone()) for chain in waiting.values())])
    top = markup.header + (problems_box(panel for _, panel in loose) if loose else "")
    return _put_header(filled, top)


def _shown(formula: re.Match[str], shown: str) -> str:
    """The formula element with its math replaced by `shown`: its delimiters and
    the white space inside them kept, so it reads as arithmatex would write it."""
    inner = formula["inner"]
    start = len(inner) - len(inner.lstrip())
    for opening in ("\\[", "$$"):
        if inner.startswith(opening, start):
            start += len(opening)
            break
    start = len(inner) - len(inner[start:].lstrip())
    end = len(inner[start:].rstrip()) + start
    for closing in ("\\]", "$$"):
        if inner.endswith(closing, start, end):
            end -= len(closing)
            break
    end = len(inner[start:end].rstrip()) + start
    tag, attrs = formula["tag"], formula["attrs"]
    return f"<{tag}{attrs}>{inner[:start]}{escape_math(shown.strip())}{inner[end:]}</{tag}>"


def _put_header(page_html: str, top: str) -> str:
    """`top` where the header placeholder is (with the paragraph Markdown may
    have wrapped it in), or first if another plugin took the placeholder out."""
    start = page_html.find(HEADER_PLACEHOLDER)
    if start < 0:
        return top + page_html
    end = start + len(HEADER_PLACEHOLDER)
    if page_html.startswith("<p>", start - 3) and page_html.startswith("</p>", end):
        start, end = start - 3, end + 4
    return page_html[:start] + top + page_html[end:]
