"""The corpus: equation pairs grouped by construct, run through the checker.

Every page in tests/pages/corpus/ is a derivation page (contract §1-3) about one
family of constructs. A block without a directive holds true pairs only; a
block preceded by `<!-- verify: expect-fail "why" -->` holds exactly one false
pair. The test reads the pages itself, independently of the checker, to know
which pair stands on which line and which pairs are meant to fail, then runs
the checker on every page and asserts:

- each true pair is `proved` or `checked` (or `sampled`, for `\\le \\ge < >`);
- each expect-fail pair is `expected-failure`, with a counterexample;
- the checker finds the same pairs on the same lines as the page has;
- over the corpus, no pair is `failed` or `error`, and there are at least 200.

The pages in tests/pages/corpus/errors/ hold deliberate errors (parse errors,
undeclared patterns, shape mismatches, unknown commands, an expect-fail that
verifies); tests/pages/corpus/errors/expected.yaml lists the answer for each.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from verify import CheckOptions, PageReport, Result, Status, check_paths

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parents[1] / "pages" / "corpus"
ERRORS = CORPUS / "errors"
PAGES = sorted(CORPUS.glob("*.md"))
ERROR_PAGES = sorted(ERRORS.glob("*.md"))
EXPECTED_ERRORS: list[dict[str, Any]] = yaml.safe_load(
    (ERRORS / "expected.yaml").read_text(encoding="utf-8")
)
OPTIONS = CheckOptions(timeout=10.0, workers=2, cache_dir=None)
MIN_PAIRS = 200

INEQUALITIES = {"\\le", "\\ge", "<", ">"}
EQUALITY_VERDICTS = {Status.PROVED, Status.CHECKED}
INEQUALITY_VERDICTS = {Status.PROVED, Status.CHECKED, Status.SAMPLED}


# --- Reading the pages, independently of the checker -------------------------

# LaTeX relation commands, by the relation they stand for.
RELATION_COMMANDS = {
    "le": "\\le", "leq": "\\le", "ge": "\\ge", "geq": "\\ge",
    "propto": "\\propto",
    "implies": "\\implies", "Rightarrow": "\\implies", "iff": "\\implies",
    "coloneqq": ":=", "triangleq": ":=",
}  # fmt: skip
DOLLAR_FENCE = re.compile(r"^\s*\$\$\s*$")
MATH_FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*math(\s|$)")
EXPECT_FAIL = re.compile(r"^\s*<!--\s*verify:.*\bexpect-fail\b.*-->\s*$")
COMMAND = re.compile(r"\\([A-Za-z]+)")
# Commands that only decorate what their last argument holds, and that argument's start.
DECORATIONS = {"boxed", "color", "textcolor"}
DECORATION = re.compile(r"\s*(?:\{[^{}]*\}\s*)?\{")
LABELLED = re.compile(r"\\(?:overset|stackrel)\s*\{((?:[^{}]|\{[^{}]*\})*)\}\s*\{=\}")


@dataclass(frozen=True)
class SourcePair:
    """A pair as the page has it: the line of its row, its relation, its intent."""

    line: int
    relation: str
    expect_fail: bool
    row: str

    @property
    def verdicts(self) -> set[Status]:
        if self.expect_fail:
            return {Status.EXPECTED_FAILURE}
        if self.relation in INEQUALITIES:
            return INEQUALITY_VERDICTS
        return EQUALITY_VERDICTS


@dataclass(frozen=True)
class SourceBlock:
    line: int  # the opening fence
    expect_fail: bool
    pairs: tuple[SourcePair, ...]


def row_relations(row: str) -> list[str]:
    """The relations that make pairs on one row of a display-math block.

    Only relations outside braces count (so `\\sum_{i=1}`, `\\text{…}`, `1\\{j = 3\\}`
    and `\\begin{aligned}` do not), except braces that only decorate: `\\boxed{…}`,
    `\\color{c}{…}` and plain braces that are no argument, as a reader sees through
    them; a chain `a = b \\le c` gives one per relation; an `=`, `<`, `>`, `\\le` or
    `\\ge` inside parentheses or brackets (`p(x \\mid y = 1)`) is part of a name;
    an implication row is one pair; a definition row (`:=`) is none.
    """
    row = re.sub(r"(?<!\\)%.*$", "", row)
    found: list[str] = []
    depth = 0
    brackets = 0  # open `(` and `[`
    decorations: list[bool] = []  # for each open brace: whether it only decorates
    k = 0
    while k < len(row):
        char = row[k]
        if char == "\\":
            command = COMMAND.match(row, k)
            labelled = LABELLED.match(row, k)
            if labelled:  # `\overset{(a)}{=}` is a step; `\overset{\text{def}}{=}` defines
                if depth == 0:
                    found.append(":=" if re.search(r"\bdef\b", labelled.group(1)) else "=")
                k = labelled.end()
                continue
            if command:
                inside = brackets > 0 and command.group(1) in ("le", "leq", "ge", "geq")
                if depth == 0 and command.group(1) in RELATION_COMMANDS and not inside:
                    found.append(RELATION_COMMANDS[command.group(1)])
                k = command.end()
                decoration = DECORATION.match(row, k) if command.group(1) in DECORATIONS else None
                if decoration:  # `\boxed{`, `\color{red}{`: the reader sees through them
                    decorations.append(True)
                    k = decoration.end()
            elif row[k + 1 : k + 2] in ("{", "}"):  # \{ … \}: a set or an indicator
                depth += 1 if row[k + 1] == "{" else -1
                k += 2
            else:
                k += 2  # \| \, \\ and the like
            continue
        if char == "{":
            plain = not re.search(r"([_^}\]]|\\[A-Za-z]+)\s*$", row[:k])
            decorations.append(plain)
            depth += 0 if plain else 1
        elif char == "}":
            depth -= 0 if decorations and decorations.pop() else 1
        elif depth == 0 and char == ":" and row[k + 1 : k + 2] == "=":
            found.append(":=")
            k += 2
            continue
        elif char in "([":
            brackets += 1
        elif char in ")]":
            brackets = max(0, brackets - 1)
        elif depth == 0 and brackets == 0 and char in "=<>":
            found.append(char)
        k += 1
    if "\\implies" in found:
        return ["\\implies"]
    if ":=" in found:
        return []
    return found


def scan(path: Path) -> list[SourceBlock]:
    """The display-math blocks of a page, with their pairs and directives."""
    lines = path.read_text(encoding="utf-8").splitlines()
    k = 0
    if lines and lines[0].strip() == "---":
        k = next(n for n in range(1, len(lines)) if lines[n].strip() in ("---", "...")) + 1
    blocks: list[SourceBlock] = []
    while k < len(lines):
        fence = MATH_FENCE.match(lines[k])
        if DOLLAR_FENCE.match(lines[k]):
            closing = DOLLAR_FENCE
        elif fence:
            closing = re.compile(rf"^\s*{re.escape(fence.group(1))}\s*$")
        else:
            k += 1
            continue
        expect_fail = k > 0 and bool(EXPECT_FAIL.match(lines[k - 1]))
        opening = k
        pairs: list[SourcePair] = []
        k += 1
        while k < len(lines) and not closing.match(lines[k]):
            for relation in row_relations(lines[k]):
                pairs.append(SourcePair(k + 1, relation, expect_fail, lines[k].strip()))
            k += 1
        blocks.append(SourceBlock(opening + 1, expect_fail, tuple(pairs)))
        k += 1
    return blocks


def source_pairs(path: Path) -> list[SourcePair]:
    return [pair for block in scan(path) for pair in block.pairs]


def front_matter(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    match = re.match(r"---\n(.*?\n)---\n", text, re.S)
    assert match, f"{relative(path)}: no YAML front matter"
    return yaml.safe_load(match.group(1))


def relative(path: Path | str) -> str:
    path = Path(path).resolve()
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def page_id(path: Path) -> str:
    return path.stem


# --- Running the checker once for all pages -----------------------------------


@functools.cache
def reports() -> dict[Path, PageReport]:
    """Every corpus and error page, checked in one run (shared by all tests)."""
    answers = check_paths([*PAGES, *ERROR_PAGES], options=OPTIONS)
    return {Path(report.page.file).resolve(): report for report in answers}


def report_for(path: Path) -> PageReport:
    found = reports().get(path.resolve())
    assert found is not None, (
        f"{relative(path)}: check_paths returned no report for this page; "
        f"it returned reports for {sorted(relative(p) for p in reports())}"
    )
    return found


def describe(result: Result) -> str:
    where = f"{relative(result.file)}:{result.line}"
    if result.column is not None:
        where += f":{result.column}"
    text = f"{where}: {result.lhs}  {result.relation}  {result.rhs}  -> {result.status.value}"
    if result.message:
        text += f": {result.message}"
    return text


def by_line(results: list[Result]) -> dict[int, list[Result]]:
    """Results grouped by line, in report order within a line."""
    grouped: dict[int, list[Result]] = defaultdict(list)
    for result in results:
        grouped[result.line].append(result)
    return grouped


def verdict_problem(source: SourcePair, result: Result) -> str | None:
    """Why `result` is the wrong answer for `source`, or None."""
    if result.status not in source.verdicts:
        wanted = " or ".join(sorted(s.value for s in source.verdicts))
        return f"expected {wanted}: {describe(result)}"
    if source.expect_fail and result.counterexample is None:
        return f"expected a counterexample: {describe(result)}"
    return None


# --- Tests that read the pages only ---------------------------------------------


@pytest.mark.parametrize("page", PAGES + ERROR_PAGES, ids=page_id)
def test_front_matter_is_valid_yaml(page: Path) -> None:
    data = front_matter(page)
    assert isinstance(data, dict), f"{relative(page)}: front matter is not a mapping"
    symbols = data.get("symbols")
    assert isinstance(symbols, dict) and symbols, f"{relative(page)}: no symbols: mapping"
    for key, value in symbols.items():
        assert isinstance(key, str) and isinstance(value, str), (
            f"{relative(page)}: declaration {key!r}: {value!r} is not text: text"
        )


def test_corpus_is_large_enough() -> None:
    counts = {relative(page): len(source_pairs(page)) for page in PAGES}
    assert sum(counts.values()) >= MIN_PAIRS, counts
    assert len(PAGES) >= 12, counts


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_page_has_true_and_false_pairs(page: Path) -> None:
    pairs = source_pairs(page)
    assert any(not p.expect_fail for p in pairs), f"{relative(page)}: no true pair"
    assert any(p.expect_fail for p in pairs), f"{relative(page)}: no expect-fail pair"


@pytest.mark.parametrize("page", PAGES + ERROR_PAGES, ids=page_id)
def test_each_expect_fail_block_holds_one_pair(page: Path) -> None:
    bad = [
        f"{relative(page)}:{block.line}: {len(block.pairs)} pairs"
        for block in scan(page)
        if block.expect_fail and len(block.pairs) != 1
    ]
    assert not bad, "an expect-fail block must hold exactly one pair:\n" + "\n".join(bad)


def test_expected_errors_point_at_the_pages() -> None:
    problems = []
    for entry in EXPECTED_ERRORS:
        page = ERRORS / entry["file"]
        if not page.exists():
            problems.append(f"{entry['file']}: no such page")
            continue
        if entry["status"] != "error":
            problems.append(f"{entry['file']}:{entry['line']}: status must be error")
        if not ({"message", "message_any"} & entry.keys()):
            problems.append(f"{entry['file']}:{entry['line']}: no message to check")
        on_line = [p for p in source_pairs(page) if p.line == entry["line"]]
        if len(on_line) != 1:
            problems.append(f"{entry['file']}:{entry['line']}: {len(on_line)} pairs on that line")
        if "column" in entry:
            text = page.read_text(encoding="utf-8").splitlines()[entry["line"] - 1]
            if not text[entry["column"] - 1 :].startswith(entry["at"]):
                problems.append(
                    f"{entry['file']}:{entry['line']}:{entry['column']}: "
                    f"{entry['at']!r} does not start there in {text!r}"
                )
    assert not problems, "\n".join(problems)


# --- Tests that run the checker -------------------------------------------------


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_corpus_page(page: Path) -> None:
    report = report_for(page)
    results = by_line(report.results)
    problems: list[str] = []

    expected: dict[int, list[SourcePair]] = defaultdict(list)
    for pair in source_pairs(page):
        expected[pair.line].append(pair)
    for line, sources in expected.items():
        answers = results.pop(line, [])
        if len(answers) != len(sources):
            problems.append(
                f"{relative(page)}:{line}: the page has {len(sources)} pair(s) on this line, "
                f"the checker answered {len(answers)}: {sources[0].row}"
                + "".join(f"\n    {describe(r)}" for r in answers)
            )
        for source, answer in zip(sources, answers, strict=False):
            problem = verdict_problem(source, answer)
            if problem:
                problems.append(problem)
    for answers in results.values():
        problems.extend(f"no such pair on the page: {describe(r)}" for r in answers)

    marked = sorted(p.line for b in report.page.blocks if b.directive.expect_fail for p in b.pairs)
    meant = sorted(p.line for p in source_pairs(page) if p.expect_fail)
    if marked != meant:
        problems.append(
            f"{relative(page)}: expect-fail pairs on lines {marked} by the checker's reading, "
            f"on lines {meant} by the page"
        )
    overfull = [
        b.start for b in report.page.blocks if b.directive.expect_fail and len(b.pairs) != 1
    ]
    if overfull:
        problems.append(
            f"{relative(page)}: expect-fail blocks without exactly one pair: {overfull}"
        )

    assert not problems, f"{len(problems)} problem(s) on {relative(page)}:\n" + "\n".join(problems)


def test_corpus_summary() -> None:
    results = [r for page in PAGES for r in report_for(page).results]
    counts = {status.value: 0 for status in Status}
    for result in results:
        counts[result.status.value] += 1
    bad = [describe(r) for r in results if r.status.is_problem]
    assert counts["failed"] == 0 and counts["error"] == 0, f"summary {counts}:\n" + "\n".join(bad)
    assert len(results) >= MIN_PAIRS, f"only {len(results)} pairs checked: {counts}"
    meant_to_fail = sum(p.expect_fail for page in PAGES for p in source_pairs(page))
    assert counts["expected-failure"] == meant_to_fail, counts


def message_problem(entry: dict[str, Any], message: str) -> str | None:
    def squash(text: str) -> str:
        return re.sub(r"\s+", "", text).casefold()

    have = squash(message)
    required = [[item] if isinstance(item, str) else item for item in entry.get("message", [])]
    missing = [ways for ways in required if not any(squash(s) in have for s in ways)]
    if missing:
        return f"the message lacks {' and '.join(' or '.join(map(repr, w)) for w in missing)}"
    alternatives = entry.get("message_any")
    if alternatives and not any(squash(s) in have for s in alternatives):
        return f"the message has none of {alternatives}"
    return None


@pytest.mark.parametrize("page", ERROR_PAGES, ids=page_id)
def test_error_page(page: Path) -> None:
    report = report_for(page)
    results = by_line(report.results)
    problems: list[str] = []

    entries = [e for e in EXPECTED_ERRORS if e["file"] == page.name]
    for entry in entries:
        where = f"{relative(page)}:{entry['line']}"
        answers = results.pop(entry["line"], [])
        errors = [r for r in answers if r.status is Status.ERROR]
        if len(answers) != 1 or not errors:
            problems.append(
                f"{where}: expected one error, got {len(answers)} answer(s)"
                + "".join(f"\n    {describe(r)}" for r in answers)
            )
            if not errors:
                continue
        error = errors[0]
        if "column" in entry and error.column != entry["column"]:
            problems.append(
                f"{where}: expected the error at column {entry['column']} "
                f"(at {entry['at']!r}), got column {error.column}: {describe(error)}"
            )
        wrong_message = message_problem(entry, error.message)
        if wrong_message:
            problems.append(f"{where}: {wrong_message}: {describe(error)}")

    # Everything else on the page is correct and must not be caught up in the errors.
    for source in source_pairs(page):
        if any(e["line"] == source.line for e in entries):
            continue
        answers = results.pop(source.line, [])
        if len(answers) != 1:
            problems.append(
                f"{relative(page)}:{source.line}: expected one answer, got {len(answers)}"
                + "".join(f"\n    {describe(r)}" for r in answers)
            )
        for answer in answers:
            problem = verdict_problem(source, answer)
            if problem:
                problems.append(problem)
    for answers in results.values():
        problems.extend(f"unexpected answer: {describe(r)}" for r in answers)

    assert not problems, f"{len(problems)} problem(s) on {relative(page)}:\n" + "\n".join(problems)
