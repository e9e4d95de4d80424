"""The data that flows through the pipeline: pages, pairs, declarations, results.

Every stage reads and returns these plain dataclasses, so that the MkDocs and
pytest adapters, the command line and the cache all speak one language. A
pair's `id` names it within its page (`line-42`, `line-42.2` for a second pair
on that line); results are looked up by it, never by a position in a list.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from verify.shape import Shape, Size


class Status(StrEnum):
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


class Relation(StrEnum):
    """The relation between the two sides of a pair (contract §3)."""

    EQUAL = "="
    DEFINE = ":="
    IMPLIES = "\\implies"
    IFF = "\\iff"
    PROPTO = "\\propto"
    LE = "\\le"
    GE = "\\ge"
    LT = "<"
    GT = ">"
    UNSUPPORTED = "unsupported"

    @property
    def is_inequality(self) -> bool:
        return self in (Relation.LE, Relation.GE, Relation.LT, Relation.GT)

    @property
    def is_implication(self) -> bool:
        return self in (Relation.IMPLIES, Relation.IFF)


# How the notation table writes a random symbol's distribution family.
RANDOM_HEADS = {"normal": "\\mathcal{N}", "bernoulli": "Bernoulli", "categorical": "Categorical"}


class Kind(StrEnum):
    """What a declared symbol is (contract §2)."""

    SIZE = "size"
    INDEX = "index"
    SCALAR = "scalar"
    VECTOR = "vector"
    MATRIX = "matrix"
    IDENTITY = "identity"
    FUNCTION = "function"
    SUBSET = "subset"  # a set of indices, `\\mathcal{C}_k: subset of 1..N, size N_k`

    @property
    def is_integer(self) -> bool:
        """Sizes and indices: whole numbers that shapes and ranges are made of."""
        return self in (Kind.SIZE, Kind.INDEX)


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


@dataclass(frozen=True)
class Hypothesis:
    """A `given` equation (contract §3) and where it is written."""

    text: str
    line: int
    column: int = 1

    @property
    def span(self) -> Span:
        return Span(self.text, ((self.line, self.column),))


@dataclass(frozen=True)
class Directive:
    """What a contributor said about a block or a row (contract §3)."""

    skip: str | None = None
    expect_fail: str | None = None
    wrt: str | None = None
    distinct: tuple[tuple[str, str], ...] = ()  # `where j \ne l`: indices kept apart
    given: tuple[Hypothesis, ...] = ()  # `given a = b; c = d`: assumed by the block
    conditions: tuple[Hypothesis, ...] = ()  # `where t \\le T - 1`: the instances it holds at


@dataclass
class Pair:
    """One step of a chain: `lhs relation rhs`, at the line of its right side."""

    file: str
    line: int
    relation: Relation
    lhs: Span
    rhs: Span
    justification: str = ""
    directive: Directive = field(default_factory=Directive)
    tag: str | None = None
    block_start: int = 0
    block_end: int = 0
    index: int = 0  # order among the page's pairs and definitions
    id: str = ""  # `line-42`, or `line-42.2` for the second pair on line 42

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
    conditions: tuple[Hypothesis, ...] = ()  # `where t \\le T - 1`: where it is defined


@dataclass
class Block:
    """A display-math block with the pairs and definitions found in it."""

    start: int
    end: int
    text: str
    pairs: list[Pair] = field(default_factory=list)
    definitions: list[Definition] = field(default_factory=list)
    directive: Directive = field(default_factory=Directive)


@dataclass(frozen=True)
class Part:
    """The parts of a declared whole (contract §2): `entries y^{(i)}` (entry i of
    the vector y) or `rows x^{(i)}` (row i of the matrix X is (x^{(i)})^T)."""

    kind: str  # "entries" or "rows"
    key: str
    base: str
    subscripts: tuple[str, ...]
    superscripts: tuple[str, ...]
    superscript_parenthesized: bool
    arguments: tuple[str, ...] = ()  # `entries v_\\pi(s)`: indices written as arguments

    @property
    def indices(self) -> tuple[str, ...]:
        return self.subscripts + self.superscripts + self.arguments


@dataclass(frozen=True)
class Declaration:
    """One declared symbol pattern from the `symbols:` front matter."""

    key: str
    base: str
    subscripts: tuple[str, ...]
    superscripts: tuple[str, ...]
    superscript_parenthesized: bool
    kind: Kind
    shape: Shape | None
    properties: tuple[str, ...]
    sums_over: str | None = None
    index_range: tuple[Size, Size] | None = None
    line: int = 0
    distribution: str | None = None  # a random symbol's family: normal, bernoulli, categorical
    parameters: tuple[str, ...] = ()  # its parameters, as LaTeX: `\mu`, `\Sigma`
    parts: tuple[Part, ...] = ()
    arguments: tuple[str, ...] = ()  # index placeholders written as arguments: `\\pi(a | s)`
    letter: str = ""  # the letter as written, when `base` is a family's own name (`x_n`)
    count: str = ""  # a subset's size, as declared (`size N_k`)
    meaning: str = ""  # what the symbol stands for: the `# comment` on its line
    embedded: tuple[str, ...] = ()  # indices inside a literal name: i in `\\mu_{z^{(i)}|x^{(i)}}`
    depends_on: tuple[str, ...] = ()  # scalars it is a smooth function of: `depends on \\theta`

    @property
    def indices(self) -> tuple[str, ...]:
        return self.subscripts + self.superscripts + self.arguments + self.embedded

    @property
    def is_random(self) -> bool:
        return self.distribution is not None

    def describe_kind(self) -> str:
        """The kind as the front matter writes it: `index 1..m`, `matrix(n, m)`."""
        if self.kind == Kind.INDEX and self.index_range:
            low, high = self.index_range
            return f"index {low}..{high}" + self.describe_random()
        if self.kind == Kind.SUBSET and self.index_range:
            low, high = self.index_range
            return f"subset of {low}..{high}" + (f", size {self.count}" if self.count else "")
        if self.kind in (Kind.VECTOR, Kind.IDENTITY) and self.shape:
            return f"{self.kind}({self.shape.rows})" + self.describe_random()
        if self.kind == Kind.MATRIX and self.shape:
            return f"matrix({self.shape.rows}, {self.shape.cols})" + self.describe_random()
        return str(self.kind) + self.describe_random()

    def describe_random(self) -> str:
        """`, random \\mathcal{N}(\\mu, \\Sigma)` for a random symbol, else nothing."""
        if self.distribution is None:
            return ""
        head = RANDOM_HEADS.get(self.distribution, self.distribution)
        return f", random {head}({', '.join(self.parameters)})"

    def describe_shape(self) -> str:
        if self.kind in (Kind.VECTOR, Kind.MATRIX, Kind.IDENTITY) and self.shape:
            return str(self.shape)
        if self.kind.is_integer:
            return "integer"
        if self.kind in (Kind.FUNCTION, Kind.SUBSET):
            return "—"
        return "1 × 1"

    def to_json(self) -> dict[str, Any]:
        """A plain form, for digests and the page cache."""
        data = asdict(self)
        data["kind"] = self.kind.value
        data["shape"] = [str(self.shape.rows), str(self.shape.cols)] if self.shape else None
        data["index_range"] = [str(s) for s in self.index_range] if self.index_range else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Declaration:
        shape = data.get("shape")
        index_range = data.get("index_range")
        return cls(
            key=data["key"], base=data["base"], subscripts=tuple(data["subscripts"]),
            superscripts=tuple(data["superscripts"]),
            superscript_parenthesized=bool(data["superscript_parenthesized"]),
            kind=Kind(data["kind"]), shape=Shape.of(shape[0], shape[1]) if shape else None,
            properties=tuple(data["properties"]), sums_over=data.get("sums_over"),
            index_range=(Size.parse(index_range[0]), Size.parse(index_range[1]))
            if index_range else None,
            line=int(data.get("line", 0)), distribution=data.get("distribution"),
            parameters=tuple(data.get("parameters", ())),
            arguments=tuple(data.get("arguments", ())), letter=data.get("letter", ""),
            count=data.get("count", ""), embedded=tuple(data.get("embedded", ())),
            depends_on=tuple(data.get("depends_on", ())),
            parts=tuple(
                Part(p["kind"], p["key"], p["base"], tuple(p["subscripts"]),
                     tuple(p["superscripts"]), bool(p["superscript_parenthesized"]),
                     tuple(p.get("arguments", ())))
                for p in data.get("parts", ())
            ),
            meaning=str(data.get("meaning", "")),
        )  # fmt: skip


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
    notation_error: int | None = None  # line of a `symbols:` that cannot be read at all
    broken: dict[str, str] = field(default_factory=dict)  # symbol -> why its entry is unusable
    given: list[Hypothesis] = field(default_factory=list)  # front matter `given:`

    @property
    def is_derivation(self) -> bool:
        return "symbols" in self.front_matter

    @property
    def pairs(self) -> list[Pair]:
        return [p for b in self.blocks for p in b.pairs]

    @property
    def definitions(self) -> list[Definition]:
        return [d for b in self.blocks for d in b.definitions]


@dataclass(frozen=True)
class Change:
    """One edit of a repair: what is written where, and what makes the step hold.

    `side` is `lhs`, `rhs`, or `notation` (a property added to a declaration,
    whose front-matter line is `line`); `latex` is the whole corrected side (or
    the corrected declaration); `places` counts the spots one rename changed.
    """

    side: str
    line: int
    column: int | None
    before: str
    after: str
    latex: str
    kind: str
    places: int = 1

    def to_json(self) -> dict[str, Any]:
        return {
            "side": self.side, "line": self.line, "column": self.column, "from": self.before,
            "to": self.after, "latex": self.latex, "kind": self.kind, "places": self.places,
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Change:
        return cls(
            side=data["side"], line=int(data["line"]), column=data.get("column"),
            before=data["from"], after=data["to"], latex=data["latex"], kind=data["kind"],
            places=int(data.get("places", 1)),
        )  # fmt: skip


@dataclass(frozen=True)
class Repair:
    """Edits (one or two) after which a failed step verifies: contract §5 `repairs`.

    The JSON puts the first change's fields at the top (`side`, `column`,
    `from`, `to`, `latex`) and any second one under `also`; `status` is the
    verdict of the repaired step, decided like any step.
    """

    changes: tuple[Change, ...]
    status: Status

    def to_json(self) -> dict[str, Any]:
        first, *rest = self.changes
        return {**first.to_json(), "status": self.status.value,
                "also": [c.to_json() for c in rest]}  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Repair:
        changes = [Change.from_json(data), *(Change.from_json(c) for c in data.get("also", []))]
        return cls(tuple(changes), Status(data["status"]))


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
    cacheable: bool = True  # false for a verdict about this run (a time-out), not the pair
    repairs: list[Repair] = field(default_factory=list)  # for a failed step: what makes it hold

    @property
    def location(self) -> Location:
        return Location(self.file, self.line, self.column)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = self.status.value
        data["relation"] = str(self.relation)
        data["repairs"] = [r.to_json() for r in self.repairs]
        del data["cacheable"]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Result:
        data = dict(data)
        data["status"] = Status(data["status"])
        data["repairs"] = [Repair.from_json(r) for r in data.get("repairs", [])]
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass
class PageReport:
    """All answers for one page: page-level problems, and a verdict per pair id."""

    page: Page
    problems: list[Result] = field(default_factory=list)
    verdicts: dict[str, Result] = field(default_factory=dict)

    @property
    def results(self) -> list[Result]:
        """Every answer: the page's problems, then each pair's verdict in page order."""
        return [*self.problems, *self.verdicts.values()]

    @property
    def counts(self) -> dict[str, int]:
        return summarize(self.results)

    def find(self, result_id: str) -> Result | None:
        """The verdict of the pair, or the problem, with this id."""
        if result_id in self.verdicts:
            return self.verdicts[result_id]
        return dict(named_problems(self.problems)).get(result_id)


@dataclass(frozen=True)
class PageSummary:
    """What a build needs of a page whose markup it already has: the counts,
    the problems (`file:line` and message) and what the site report lists.

    Stored in the cache beside the page's report, so that a warm build reads a
    few numbers per page instead of decoding every result."""

    file: str
    title: str
    listed: bool  # a derivation, or a page with results: a row of the site report
    unverified: str
    counts: dict[str, int]
    problems: tuple[tuple[int, str, str], ...] = ()  # (line, status, message)

    @classmethod
    def of(cls, report: PageReport) -> PageSummary:
        page = report.page
        title = page.front_matter.get("title")
        return cls(
            file=page.file,
            title=str(title) if title else page.file.rsplit("/", 1)[-1].removesuffix(".md"),
            listed=page.is_derivation or bool(report.results),
            unverified=page.unverified or "",
            counts=report.counts,
            problems=tuple(
                (r.line, r.status.value, r.message) for r in report.results if r.status.is_problem
            ),
        )

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "problems": [list(p) for p in self.problems]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PageSummary:
        return cls(
            file=str(data["file"]), title=str(data["title"]), listed=bool(data["listed"]),
            unverified=str(data["unverified"]),
            counts={str(k): int(v) for k, v in data["counts"].items()},
            problems=tuple((int(p[0]), str(p[1]), str(p[2])) for p in data["problems"]),
        )  # fmt: skip


def named_problems(problems: Iterable[Result]) -> list[tuple[str, Result]]:
    """Each page-level problem with its id: `problem-line-7`, then `problem-line-7.2`."""
    seen: dict[int, int] = {}
    named = []
    for problem in problems:
        seen[problem.line] = seen.get(problem.line, 0) + 1
        count = seen[problem.line]
        named.append((f"problem-line-{problem.line}" + (f".{count}" if count > 1 else ""), problem))
    return named


def summarize(results: Iterable[Result]) -> dict[str, int]:
    counts = {s: 0 for s in STATUS_ORDER}
    for r in results:
        counts[r.status.value] += 1
    return counts
