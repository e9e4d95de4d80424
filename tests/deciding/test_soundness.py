r"""The soundness corpus: false pairs that must never pass, kept as regression tests.

Every page in tests/pages/soundness/ is a derivation page. A block preceded by
`<!-- verify: expect-fail "why" -->` holds one false pair: the checker must
answer `expected-failure`, with a counterexample. The other blocks hold true
pairs that sit next to the traps ("true neighbours"): they must keep passing,
so that a fix for a trap does not break what is right.

A block preceded by `<!-- soundness-error: "words" -->` holds a pair that
says nothing (a `const` or `\propto` step that does not involve its
variable): it must come back `error`, with the words in its message. A block
preceded by `<!-- soundness-note: "words" -->` holds a true pair that must
verify with the words in its message (a derivative of an expression that does
not involve its variable is 0, and the verdict says so).

A false pair that the checker still passes is marked in its page, on the line
above its `verify:` directive, with

    <!-- soundness-bug: "what goes wrong" -->

and its test is an expected failure (`xfail(strict=True)`): the suite stays
green while the bug is open, and the fix turns the test into an unexpected
pass, which fails until the marker is removed. Add every false pair that ever
passed here, with a marker until it is fixed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from verify import CheckOptions, Result, Status, check_paths
from verify.reading.markdown import extract_page

ROOT = Path(__file__).resolve().parents[2]
SOUNDNESS = Path(__file__).resolve().parents[1] / "pages" / "soundness"
PAGES = sorted(SOUNDNESS.glob("*.md"))
OPTIONS = CheckOptions(timeout=20.0, workers=2, cache_dir=None)
BUG = re.compile(r'^\s*<!--\s*soundness-bug:\s*"([^"]+)"\s*-->\s*$')
EXPECTED = re.compile(r'^\s*<!--\s*soundness-(error|note):\s*"([^"]+)"\s*-->\s*$')
DIRECTIVE = re.compile(r"^\s*<!--\s*verify:.*-->\s*$")


@dataclass(frozen=True)
class Case:
    page: Path
    position: int  # the pair's place among the page's pairs
    line: int
    false: bool
    bug: str | None
    expect: tuple[str, str] | None = None  # ("error" or "note", words of the message)

    @property
    def id(self) -> str:
        return f"{self.page.name}:{self.line}"


def _bug_above(lines: list[str], start: int) -> str | None:
    """The `soundness-bug` marker above a block's directives, if any."""
    n = start - 1
    while n >= 1 and DIRECTIVE.match(lines[n - 1]):
        n -= 1
    match = BUG.match(lines[n - 1]) if n >= 1 else None
    return match.group(1) if match else None


def _expected_above(lines: list[str], start: int) -> tuple[str, str] | None:
    """The `soundness-error` or `soundness-note` marker right above a block, if any."""
    match = EXPECTED.match(lines[start - 2]) if start >= 2 else None
    return (match.group(1), match.group(2)) if match else None


def _cases() -> list[Case]:
    cases = []
    for path in PAGES:
        text = path.read_text(encoding="utf-8")
        lines = text.split("\n")
        page = extract_page(str(path), text)
        position = 0
        for block in page.blocks:
            bug = _bug_above(lines, block.start)
            expect = _expected_above(lines, block.start)
            for pair in block.pairs:
                false = pair.directive.expect_fail is not None
                cases.append(Case(path, position, pair.line, false, bug if false else None, expect))
                position += 1
    return cases


CASES = _cases()


def _param(case: Case) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=f"bug: {case.bug}")] if case.bug else []
    return pytest.param(case, id=case.id, marks=marks)


@pytest.fixture(scope="module")
def verdicts() -> dict[tuple[Path, int], Result]:
    """Every pair of the corpus, checked once (cache off, two workers)."""
    answers: dict[tuple[Path, int], Result] = {}
    for report in check_paths(PAGES, OPTIONS):
        path = Path(report.page.file).resolve()
        pair_results = report.results[len(report.page.problems) :]
        for position, result in enumerate(pair_results):
            answers[(path, position)] = result
        assert not report.page.problems, [p.message for p in report.page.problems]
    return answers


def test_the_corpus_has_traps_and_neighbours() -> None:
    assert len(PAGES) >= 6
    assert sum(c.false for c in CASES) >= 60
    assert sum(not c.false for c in CASES) >= 25


@pytest.mark.parametrize("case", [_param(c) for c in CASES if c.false])
def test_false_pair_fails(case: Case, verdicts: dict[tuple[Path, int], Result]) -> None:
    result = verdicts[(case.page.resolve(), case.position)]
    assert result.line == case.line
    assert result.status == Status.EXPECTED_FAILURE, (
        f"{case.id}: a false pair came back {result.status.value}: {result.message}"
    )
    assert result.counterexample, f"{case.id}: a failure must show its counterexample"


@pytest.mark.parametrize("case", [_param(c) for c in CASES if not c.false and not c.expect])
def test_true_neighbour_passes(case: Case, verdicts: dict[tuple[Path, int], Result]) -> None:
    result = verdicts[(case.page.resolve(), case.position)]
    assert result.line == case.line
    assert result.status.is_verified, f"{case.id}: {result.status.value}: {result.message}"


@pytest.mark.parametrize("case", [_param(c) for c in CASES if c.expect])
def test_vacuous_pair_is_named(case: Case, verdicts: dict[tuple[Path, int], Result]) -> None:
    """A step that says nothing is an error; a vacuous derivative passes with a note."""
    assert case.expect is not None
    kind, words = case.expect
    result = verdicts[(case.page.resolve(), case.position)]
    assert result.line == case.line
    if kind == "error":
        assert result.status == Status.ERROR, f"{case.id}: {result.status.value}"
    else:
        assert result.status.is_verified, f"{case.id}: {result.status.value}: {result.message}"
    assert words in result.message, f"{case.id}: {result.message!r}"


def test_tolerance_is_stated(verdicts: dict[tuple[Path, int], Result]) -> None:
    """Every equality decided on numbers says how its values were compared."""
    for result in verdicts.values():
        if result.status in (Status.CHECKED, Status.EXPECTED_FAILURE):
            assert result.tolerance, f"{result.file}:{result.line}: no tolerance stated"


def test_markers_sit_on_false_pairs() -> None:
    """A `soundness-bug` marker above a true pair (or nowhere) is a typo."""
    markers = sum(
        1 for path in PAGES for line in path.read_text(encoding="utf-8").split("\n")
        if BUG.match(line)
    )  # fmt: skip
    assert markers == sum(1 for c in CASES if c.bug)


@pytest.mark.parametrize("seed", ["seed-26", "seed-40"])
def test_the_seeds_where_a_false_bound_passed(seed: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The E-step mutant (`p_l` for `p_j` in the lower bound) passed at these two
    of 50 re-seeded runs when an inequality had 24 instances; at 48 it fails."""
    from verify.deciding.decide import decide
    from verify.deciding.plans import SALT_VARIABLE
    from verify.deciding.tasks import task_for

    path = SOUNDNESS / "mutants-e-step.md"
    page = extract_page(str(path), path.read_text(encoding="utf-8"))
    (pair,) = [p for b in page.blocks for p in b.pairs if p.directive.expect_fail is not None]
    monkeypatch.setenv(SALT_VARIABLE, seed)
    result = decide(task_for(page, pair, directives=False))
    assert result.status == Status.FAILED, (result.status.value, result.method)
