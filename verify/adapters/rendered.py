"""Rendered pages kept between builds, so a warm build does not render again.

Rendering a page's markers costs about as much per step as the rest of the
build spends on it; a page whose source, Markdown and checker are unchanged
renders to the same text, so it is kept in the cache folder (one file per
page, named by a digest of everything the rendering depends on, in the form of
`Markup.pack`) and read back. A build that renders every page removes the files it did not use.
Only pages whose answers are all cacheable are kept (a time-out is about one
run, not the page).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from verify.reporting.markup import Markup

FOLDER = "rendered"
SUFFIX = ".markup"


class RenderedPages:
    """A page's Markdown (with the header placeholder) and its markup, by digest."""

    def __init__(self, cache_dir: Path | None) -> None:
        self.folder = cache_dir / FOLDER if cache_dir is not None else None
        self.used: set[str] = set()

    @staticmethod
    def key(*parts: str) -> str:
        """The digest that names a rendering: of everything it depends on."""
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    def get(self, key: str) -> tuple[str, Markup] | None:
        if self.folder is None:
            return None
        try:
            packed = (self.folder / f"{key}{SUFFIX}").read_text(encoding="utf-8")
            (markdown,), markup = Markup.unpack(packed)
        except (OSError, ValueError, KeyError, TypeError, IndexError, StopIteration):
            return None
        self.used.add(key)
        return markdown, markup

    def put(self, key: str, markdown: str, markup: Markup) -> None:
        if self.folder is None:
            return
        self.used.add(key)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".rendered-")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(markup.pack(markdown))
            os.replace(tmp, self.folder / f"{key}{SUFFIX}")
        except OSError:
            pass  # a cache that cannot be written only costs the next build time

    def prune(self) -> None:
        """Remove the renderings this build did not use (call after a full build)."""
        if self.folder is None or not self.folder.is_dir():
            return
        for path in self.folder.glob("*.json"):  # written by earlier versions
            path.unlink(missing_ok=True)
        for path in self.folder.glob(f"*{SUFFIX}"):
            if path.stem not in self.used:
                path.unlink(missing_ok=True)
