"""The on-disk cache of verdicts: one SQLite database that many processes share.

Verdicts are stored under the digests of `verify.running.keys`, so a pair is
looked up by what its verdict depends on, never by where it stands. Beside
them the database records which keys each page file produced when it was last
read: a page's entries that its current text no longer produces (an edited
step, an older checker), and the entries of pages deleted from a folder that
was checked whole, are pruned, so the cache holds what a full run would use.

Writes are short transactions in WAL mode with a busy timeout, so concurrent
processes (pytest-xdist workers, `mkdocs serve` beside a `verify check`) read
and write the same file safely. The folder carries a `CACHEDIR.TAG` and a
`.gitignore`, as build caches do. A cache that cannot be opened or written is
turned off with one warning: a verdict never depends on it.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from verify.model import Block, Declaration, Page, PageReport, PageSummary, Result

DATABASE = "verdicts-v1.sqlite3"
LEGACY = ("verdicts.json",)  # the one-file cache of earlier versions, removed on sight
BUSY_TIMEOUT_MS = 60_000

CACHEDIR_TAG = """\
Signature: 8a477f597d28d172789f06886806bc55
# This file is a cache directory tag created by verify (the derivation checker).
# For information about cache directory tags, see https://bford.info/cachedir/
"""

SCHEMA = """
CREATE TABLE IF NOT EXISTS verdicts (key TEXT PRIMARY KEY, entry TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS uses (file TEXT NOT NULL, key TEXT NOT NULL,
                                 PRIMARY KEY (file, key)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS uses_by_key ON uses (key);
CREATE TABLE IF NOT EXISTS files (file TEXT PRIMARY KEY, page_key TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS summaries (page_key TEXT PRIMARY KEY, summary TEXT NOT NULL) WITHOUT ROWID;
"""

log = logging.getLogger("verify")


def prepare_folder(folder: Path) -> None:
    """Create the cache folder with its tag and a .gitignore that ignores it all."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in (
        ("CACHEDIR.TAG", CACHEDIR_TAG),
        (".gitignore", "# created by verify\n*\n"),
    ):
        marker = folder / name
        if not marker.exists():
            marker.write_text(content, encoding="utf-8")
    for name in LEGACY:
        (folder / name).unlink(missing_ok=True)


class Cache:
    """Verdicts by key; lines are stored relative to the pair's own line."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.pid = os.getpid()  # a connection is never used across a fork
        self.db: sqlite3.Connection | None = None
        self.pending: dict[str, str] = {}  # key -> entry, written by `save`
        self.pending_summaries: dict[str, str] = {}  # page key -> summary
        self.reassigned = False  # some file's keys changed: look for orphans on save
        try:
            prepare_folder(self.folder)
            self.db = self._connect()
        except (OSError, sqlite3.Error) as err:
            self._disable(err)

    def _connect(self) -> sqlite3.Connection:
        path = self.folder / DATABASE
        db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            db.executescript(SCHEMA)
        except sqlite3.DatabaseError as err:
            db.close()
            if "not a database" not in str(err) and "malformed" not in str(err):
                raise
            # A damaged file holds nothing worth keeping: start again.
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            return self._connect()
        return db

    def _disable(self, err: BaseException) -> None:
        log.warning(f"verify: verdict cache in {self.folder} turned off ({err})")
        if self.db is not None:
            with suppress(sqlite3.Error):
                self.db.close()
        self.db = None

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction (taken at once, so concurrent writers queue)."""
        assert self.db is not None
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    @property
    def active(self) -> bool:
        return self.db is not None

    # ------------------------------------------------------------- naming

    def file_name(self, path: Path) -> str:
        """How a page file is recorded: relative to the folder that holds the cache
        (so a cache restored in another checkout still knows its pages)."""
        resolved = Path(os.path.abspath(path))
        try:
            return resolved.relative_to(Path(os.path.abspath(self.folder)).parent).as_posix()
        except ValueError:
            return resolved.as_posix()

    # ------------------------------------------------------------ lookups

    def _entry(self, key: str) -> dict[str, Any] | None:
        if key in self.pending:
            return dict(json.loads(self.pending[key]))
        if self.db is None:
            return None
        try:
            row = self.db.execute("SELECT entry FROM verdicts WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as err:
            self._disable(err)
            return None
        if row is None:
            return None
        try:
            data = json.loads(row[0])
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def get(self, key: str) -> Result | None:
        entry = self._entry(key)
        if entry is None:
            return None
        try:
            return Result.from_json(entry)
        except (KeyError, TypeError, ValueError):
            return None

    def put(self, key: str, result: Result, pair_line: int) -> None:
        entry = result.to_json()
        entry["line"] = result.line - pair_line
        self.pending[key] = json.dumps(entry, sort_keys=True)

    def get_page(self, key: str) -> tuple[PageReport, list[str]] | None:
        """A whole page's report, stored when its text was last checked, and the
        keys of its pairs."""
        entry = self._entry("page:" + key)
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
            keys = [str(k) for k in entry["keys"]]
        except (KeyError, TypeError, ValueError):
            return None
        return PageReport(page, problems, verdicts), keys

    def page_pair_keys(self, key: str) -> list[str]:
        """The keys of the pairs of the page stored under `key`."""
        entry = self._entry("page:" + key)
        keys = entry.get("keys") if entry else None
        return [str(k) for k in keys] if isinstance(keys, list) else []

    def get_summary(self, key: str) -> PageSummary | None:
        """The summary of a page's report (its counts and problems), without
        the report: what a build whose markup is kept needs."""
        text = self.pending_summaries.get(key)
        if text is None and self.db is not None:
            try:
                row = self.db.execute(
                    "SELECT summary FROM summaries WHERE page_key = ?", (key,)
                ).fetchone()
            except sqlite3.Error as err:
                self._disable(err)
                return None
            text = row[0] if row else None
        if text is None:
            return None
        try:
            return PageSummary.from_json(json.loads(text))
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):
            return None

    def put_summary(self, key: str, summary: PageSummary) -> None:
        self.pending_summaries[key] = json.dumps(summary.to_json(), sort_keys=True)

    def put_page(self, key: str, report: PageReport, pair_keys: list[str]) -> None:
        page = report.page
        entry = {
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
            "keys": pair_keys,
        }  # fmt: skip
        self.pending["page:" + key] = json.dumps(entry, sort_keys=True)
        self.put_summary(key, PageSummary.of(report))

    # ---------------------------------------------------------- pruning

    def record(
        self, path: Path, page_key: str, pair_keys: Iterable[str] | Callable[[], Iterable[str]]
    ) -> None:
        """The keys that `path`'s current text produces: its other entries go.

        `pair_keys` may be a function, called only when `path` is not already
        recorded with this page key (the common case costs one lookup)."""
        if self.db is None:
            return
        file = self.file_name(path)
        try:
            row = self.db.execute("SELECT page_key FROM files WHERE file = ?", (file,)).fetchone()
            if row is not None and row[0] == page_key:
                return
            keys = {"page:" + page_key, *(pair_keys() if callable(pair_keys) else pair_keys)}
            with self._write() as db:
                db.execute("DELETE FROM uses WHERE file = ?", (file,))
                db.executemany(
                    "INSERT OR IGNORE INTO uses VALUES (?, ?)", ((file, k) for k in keys)
                )
                db.execute("INSERT OR REPLACE INTO files VALUES (?, ?)", (file, page_key))
            self.reassigned = True
        except sqlite3.Error as err:
            self._disable(err)

    def forget_missing(self, folder: Path, present: Iterable[Path]) -> None:
        """Pages under `folder` that are gone (deleted, renamed): forget their keys."""
        if self.db is None:
            return
        prefix = self.file_name(folder).rstrip("/") + "/"
        keep = {self.file_name(p) for p in present}
        try:
            known = [r[0] for r in self.db.execute("SELECT file FROM files")]
            gone = [f for f in known if f.startswith(prefix) and f not in keep]
            if not gone:
                return
            with self._write() as db:
                db.executemany("DELETE FROM uses WHERE file = ?", ((f,) for f in gone))
                db.executemany("DELETE FROM files WHERE file = ?", ((f,) for f in gone))
            self.reassigned = True
        except sqlite3.Error as err:
            self._disable(err)

    # ------------------------------------------------------------ writing

    def save(self) -> None:
        """Write the new verdicts, then drop the entries no page produces any more."""
        if self.db is None:
            self.pending.clear()
            self.pending_summaries.clear()
            return
        try:
            if self.pending or self.pending_summaries:
                with self._write() as db:
                    db.executemany(
                        "INSERT OR REPLACE INTO verdicts VALUES (?, ?)", self.pending.items()
                    )
                    db.executemany(
                        "INSERT OR REPLACE INTO summaries VALUES (?, ?)",
                        self.pending_summaries.items(),
                    )
                self.pending.clear()
                self.pending_summaries.clear()
            if self.reassigned:
                with self._write() as db:
                    db.execute(
                        "DELETE FROM verdicts WHERE NOT EXISTS"
                        " (SELECT 1 FROM uses WHERE uses.key = verdicts.key)"
                    )
                    db.execute(
                        "DELETE FROM summaries WHERE NOT EXISTS"
                        " (SELECT 1 FROM uses WHERE uses.key = 'page:' || summaries.page_key)"
                    )
                self.reassigned = False
        except sqlite3.Error as err:
            self._disable(err)

    def close(self) -> None:
        self.save()
        if self.db is not None:
            self.db.close()
            self.db = None

    def count(self, pages: bool = False) -> int:
        """How many pair verdicts (or whole-page entries) are stored."""
        if self.db is None:
            return 0
        op = "LIKE" if pages else "NOT LIKE"
        row = self.db.execute(f"SELECT count(*) FROM verdicts WHERE key {op} 'page:%'").fetchone()
        return int(row[0])
