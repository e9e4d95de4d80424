"""The on-disk cache of verdicts, keyed by what a verdict depends on.

One JSON file per cache folder, read once and written once per run (atomically),
so a warm run costs a file read and no SymPy import.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from verify.model import Block, Declaration, Page, PageReport, Result

CACHE_FILE = "verdicts.json"


class Cache:
    """Verdicts by key; lines are stored relative to the pair's own line."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / CACHE_FILE
        self.entries: dict[str, dict[str, Any]] = {}
        self.dirty = False
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(data, dict):
                self.entries = data
        except (OSError, ValueError):
            self.entries = {}

    def get(self, key: str) -> Result | None:
        entry = self.entries.get(key)
        if entry is None:
            return None
        try:
            return Result.from_json(entry)
        except (KeyError, TypeError, ValueError):
            return None

    def put(self, key: str, result: Result, pair_line: int) -> None:
        entry = result.to_json()
        entry["line"] = result.line - pair_line
        self.entries[key] = entry
        self.dirty = True

    def get_page(self, key: str) -> PageReport | None:
        """A whole page's report, stored when its text was last checked."""
        entry = self.entries.get("page:" + key)
        if entry is None:
            return None
        try:
            data = entry["page"]
            page = Page(
                file=data["file"], front_matter=data["front_matter"],
                front_matter_lines=data["front_matter_lines"],
                blocks=[Block(start=b[0], end=b[1], text="") for b in data["blocks"]],
                declarations=[Declaration.from_json(d) for d in data["declarations"]],
                problems=[], unverified=data["unverified"], wrt=data["wrt"],
                notation_error=data["notation_error"],
            )  # fmt: skip
            problems = [Result.from_json({**r, "seconds": 0.0}) for r in entry["problems"]]
            verdicts = {
                pair_id: Result.from_json({**r, "seconds": 0.0}) for pair_id, r in entry["verdicts"]
            }
        except (KeyError, TypeError, ValueError):
            return None
        return PageReport(page, problems, verdicts)

    def put_page(self, key: str, report: PageReport) -> None:
        page = report.page
        self.entries["page:" + key] = {
            "page": {
                "file": page.file,
                "front_matter": json.loads(json.dumps(page.front_matter, default=str)),
                "front_matter_lines": page.front_matter_lines,
                "blocks": [[b.start, b.end] for b in page.blocks],
                "declarations": [d.to_json() for d in page.declarations],
                "unverified": page.unverified, "wrt": page.wrt,
                "notation_error": page.notation_error,
            },
            "problems": [r.to_json() for r in report.problems],
            "verdicts": [[pair_id, r.to_json()] for pair_id, r in report.verdicts.items()],
        }  # fmt: skip
        self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".verdicts-")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(self.entries, out, sort_keys=True)
        os.replace(tmp, self.path)
        self.dirty = False
