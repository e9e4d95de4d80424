"""Run the checker over pages: worker processes with time limits, and the cache.

(Stub: the real implementation is being written. Signatures are final.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from verify.model import PageReport


@dataclass
class CheckOptions:
    """How to run: per-pair time limit, worker count, cache folder."""

    timeout: float = 10.0
    workers: int | None = None
    cache_dir: Path | None = Path(".verify-cache")


def find_pages(paths: Sequence[str | Path]) -> list[Path]:
    raise NotImplementedError


def check_page(
    path: str | Path, options: CheckOptions | None = None, text: str | None = None
) -> PageReport:
    raise NotImplementedError


def check_paths(
    paths: Sequence[str | Path],
    options: CheckOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[PageReport]:
    raise NotImplementedError
