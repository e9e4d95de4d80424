"""The reach pages: eight derivations written from textbooks without looking at the
checker (tests/pages/reach/, measured by tests/pages/reach/measure.py).

They are not a corpus that must verify entirely: some of their notation belongs
to other work (factorials, \\max over a condition, random symbols and
expectations). What must hold is soundness and reach: no true step fails, no
slip verifies, and at least as many true steps verify as when issue 13 closed
(the measurement in tests/pages/reach/measurements/after.md).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from tests.pages.reach import measure

AFTER = Path(measure.PAGES) / "measurements" / "after.md"


@functools.cache
def measured() -> tuple[str, str]:
    return measure.measure()


def totals(table: str) -> dict[str, int]:
    row = next(line for line in table.splitlines() if line.startswith("| **total**"))
    numbers = [int(cell) for cell in re.findall(r"\|\s*(\d+)", row)]
    return dict(zip(measure.COLUMNS, numbers, strict=True))


def test_no_true_step_fails() -> None:
    table, details = measured()
    assert totals(table)["failed"] == 0, details


def test_no_slip_verifies() -> None:
    _, details = measured()
    wrong = [
        line for line in details.splitlines() if re.search(r": slip (proved|checked|sampled)", line)
    ]
    assert not wrong, "\n".join(wrong)


def test_reach_does_not_fall_below_the_recorded_measurement() -> None:
    table, details = measured()
    recorded = totals(AFTER.read_text(encoding="utf-8"))
    now = totals(table)
    assert now["true"] == recorded["true"], "the pages changed: measure them again"
    assert now["verified"] >= recorded["verified"], details
    assert now["slips_expected"] >= recorded["slips_expected"], details
