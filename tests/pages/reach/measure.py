"""Measure the reach pages: per page, how many true steps verify, error or fail,
and how many expect-fail slips come back as expected failures.

Run from the repository root: `python tests/pages/reach/measure.py [OUT.md]`.
True steps and slips are counted from the page text with the corpus test's
reader (`tests/deciding/test_corpus.py`), not from the checker's answers, so a
block the checker drops still counts, as an error. Two things that reader
counts differ here: a justification after `&&` on a row of its own holds no
step, and a row that starts with `\\implies` takes the equation before it as
its premise (one step, not two).
"""

from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from tests.deciding import test_corpus as corpus  # noqa: E402
from verify import CheckOptions, PageReport, Result, Status, check_paths  # noqa: E402

PAGES = Path(__file__).resolve().parent
COLUMNS = ("true", "verified", "error", "failed", "slips", "slips_expected", "problems")
HEADER = (
    "| page | true steps | verified | error | failed | slips | slips expected-failure"
    " | page problems |"
)


def source_pairs(path: Path) -> list[corpus.SourcePair]:
    """The steps of a page as its text has them."""
    pairs: list[corpus.SourcePair] = []
    taken: dict[int, int] = defaultdict(int)
    for block in corpus.scan(path):
        for pair in block.pairs:
            text = pair.row.split("&&")[0]  # a justification holds no step
            if taken[pair.line] >= len(corpus.row_relations(text)):
                continue
            taken[pair.line] += 1
            if pair.relation == "\\implies" and text.lstrip("& ").startswith("\\implies"):
                pairs.pop()  # the previous row's `=` is this implication's premise
            pairs.append(pair)
    return pairs


@dataclass
class Count:
    numbers: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COLUMNS, 0))
    details: list[str] = field(default_factory=list)


def count(path: Path, report: PageReport) -> Count:
    answers: dict[int, list[Result]] = defaultdict(list)
    for result in report.verdicts.values():
        answers[result.line].append(result)
    c = Count()
    n = c.numbers
    n["problems"] = len(report.problems)
    where = path.relative_to(ROOT)
    for source in source_pairs(path):
        got = answers[source.line].pop(0) if answers[source.line] else None
        status = got.status if got else None
        message = got.message if got else "(no answer on this line)"
        if source.expect_fail:
            n["slips"] += 1
            if status == Status.EXPECTED_FAILURE:
                n["slips_expected"] += 1
            else:
                shown = status.value if status else "no answer"
                c.details.append(f"{where}:{source.line}: slip {shown}: {message}")
            continue
        n["true"] += 1
        if status is not None and status.is_verified:
            n["verified"] += 1
        elif status == Status.FAILED:
            n["failed"] += 1
            c.details.append(f"{where}:{source.line}: FAILED: {message}")
        else:
            n["error"] += 1
            c.details.append(f"{where}:{source.line}: error: {message}")
    for line, left in sorted(answers.items()):
        for r in left:
            c.details.append(f"{where}:{line}: answer on a line with no step: {r.status.value}:"
                             f" {r.message}")  # fmt: skip
    for r in report.problems:
        c.details.append(f"{where}:{r.line}: page problem: {r.message}")
    return c


def measure() -> tuple[str, str]:
    """(the table, the details) for every page in this folder."""
    pages = sorted(PAGES.glob("*.md"))
    options = CheckOptions(timeout=20.0, workers=2, cache_dir=None)
    reports = check_paths(pages, options=options)
    counts = [(p.stem, count(p, r)) for p, r in zip(pages, reports, strict=True)]
    total = {k: sum(c.numbers[k] for _, c in counts) for k in COLUMNS}
    lines = [HEADER, "|---|--:|--:|--:|--:|--:|--:|--:|"]
    for name, numbers in [*((s, c.numbers) for s, c in counts), ("**total**", total)]:
        lines.append("| " + " | ".join([name, *(str(numbers[k]) for k in COLUMNS)]) + " |")
    share = total["verified"] / total["true"] if total["true"] else 0.0
    lines.append("")
    lines.append(f"Share of true steps verified: {total['verified']}/{total['true']} = {share:.0%}")
    details = "\n".join(d for _, c in counts for d in c.details)
    return "\n".join(lines), details


def main() -> None:
    table, details = measure()
    print(table)
    if len(sys.argv) > 1:
        Path(sys.argv[1]).write_text(f"{table}\n\n```text\n{details}\n```\n", encoding="utf-8")


if __name__ == "__main__":
    main()
