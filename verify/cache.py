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

from verify.model import Result

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

    def save(self) -> None:
        if not self.dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".verdicts-")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(self.entries, out, sort_keys=True)
        os.replace(tmp, self.path)
        self.dirty = False
