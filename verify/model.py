"""The data that flows through the pipeline: pages, pairs, declarations, results.

Every stage reads and returns these plain dataclasses, so that the MkDocs and
pytest adapters, the command line and the cache all speak one language.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any


class Status(str, Enum):
    """The verdict on one pair (contract §5)."""

    PROVED = "proved"
    CHECKED = "checked"
    SAMPLED = "sampled"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"
    EXPECTED_FAILURE = "expected-failure"

    @property
    def is_problem(self) -> bool:
        """A status that fails the build and the command line."""
        return self in (Status.FAILED, Status.ERROR)

    @property
    def is_verified(self) -> bool:
        return self in (Status.PROVED, Status.CHECKED, Status.SAMPLED)


STATUS_ORDER = [s.value for s in Status]


@dataclass(frozen=True)
class Location:
    """A place in a page: 1-based line and (for LaTeX) 1-based column."""

    file: str
    line: int
    column: int | None = None

    def __str__(self) -> str:
        if self.column is None:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Span:
    """A piece of LaTeX and where its first character stands in the page.

    `line_starts` gives, for each line of `text`, the (line, column) in the page
    of that line's first character, so that an offset into `text` maps back to
    the page even for blocks spread over many lines.
    """

    text: str
    line_starts: tuple[tuple[int, int], ...]

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column) in the page of character `offset` of `text`."""
        offset = max(0, min(offset, len(self.text)))
        before = self.text[:offset]
        row = before.count("\n")
        col_in_row = offset - (before.rfind("\n") + 1)
        row = min(row, len(self.line_starts) - 1)
        line, col = self.line_starts[row]
        return line, col + col_in_row


@dataclass
class Directive:
    """What a contributor said about a block or a row (contract §3)."""

    skip: str | None = None
    expect_fail: str | None = None
    wrt: str | None = None
    distinct: tuple[tuple[str, str], ...] = ()  # `where j \ne l`: indices kept apart


@dataclass
class Pair:
    """One step of a chain: `lhs relation rhs`, at the line of its right side."""

    file: str
    line: int
    relation: str
    lhs: Span
    rhs: Span
    justification: str = ""
    directive: Directive = field(default_factory=Directive)
    tag: str | None = None
    block_start: int = 0
    block_end: int = 0
    index: int = 0

    @property
    def location(self) -> Location:
        return Location(self.file, self.line)


@dataclass
class Definition:
    """A `:=` row: a name or function pattern bound from its line onwards."""

    file: str
    line: int
    lhs: Span
    rhs: Span
    index: int = 0


@dataclass
class Block:
    """A display-math block with the pairs and definitions found in it."""

    start: int
    end: int
    text: str
    pairs: list[Pair] = field(default_factory=list)
    definitions: list[Definition] = field(default_factory=list)
    directive: Directive = field(default_factory=Directive)


@dataclass
class Declaration:
    """One declared symbol pattern from the `symbols:` front matter."""

    key: str
    base: str
    subscripts: tuple[str, ...]
    superscripts: tuple[str, ...]
    superscript_parenthesized: bool
    kind: str
    shape: tuple[str, str] | None
    properties: tuple[str, ...]
    sums_over: str | None = None
    index_range: tuple[str, str] | None = None
    line: int = 0

    @property
    def indices(self) -> tuple[str, ...]:
        return self.subscripts + self.superscripts

    def describe_shape(self) -> str:
        if self.kind in ("vector", "matrix", "identity") and self.shape:
            return f"{self.shape[0]} × {self.shape[1]}"
        if self.kind in ("size", "index"):
            return "integer"
        if self.kind == "function":
            return "—"
        return "1 × 1"


@dataclass
class Page:
    """A Markdown page split into what the checker needs."""

    file: str
    front_matter: dict[str, Any]
    front_matter_lines: int
    blocks: list[Block]
    declarations: list[Declaration]
    problems: list[Result]
    unverified: str | None = None
    wrt: str | None = None
    notation_error: int | None = None  # line of a broken `symbols:` entry

    @property
    def is_derivation(self) -> bool:
        return "symbols" in self.front_matter

    @property
    def pairs(self) -> list[Pair]:
        return [p for b in self.blocks for p in b.pairs]


@dataclass
class Result:
    """The checker's answer for one pair, in the JSON shape of contract §5."""

    file: str
    line: int
    relation: str
    lhs: str
    rhs: str
    status: Status
    method: str = ""
    message: str = ""
    counterexample: dict[str, Any] | None = None
    seconds: float = 0.0
    column: int | None = None
    instances: int = 0
    sizes: list[dict[str, int]] = field(default_factory=list)
    justification: str = ""
    tolerance: str | None = None
    undeclared: list[str] = field(default_factory=list)  # letters read as real scalars

    @property
    def location(self) -> Location:
        return Location(self.file, self.line, self.column)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = self.status.value
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Result:
        data = dict(data)
        data["status"] = Status(data["status"])
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass
class PageReport:
    """All answers for one page, plus what a reader's page needs to show them."""

    page: Page
    results: list[Result]

    @property
    def counts(self) -> dict[str, int]:
        counts = {s: 0 for s in STATUS_ORDER}
        for r in self.results:
            counts[r.status.value] += 1
        return counts


def summarize(results: list[Result]) -> dict[str, int]:
    counts = {s: 0 for s in STATUS_ORDER}
    for r in results:
        counts[r.status.value] += 1
    return counts
