"""Determinism: the same pages give byte-identical JSON reports, timings aside.

The command line runs three times in fresh processes: with one worker, with
two, and with two again under another hash seed (Python salts `str` hashes per
process, so any answer that depends on set or dict order of strings shows up
here). The reports are compared byte for byte after the timings (`seconds`)
are zeroed. The pages cover every status: proofs, checks, samples, failures
with counterexamples, errors with columns, expected failures, skips.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [
    "tests/pages/mutation/identities.md",
    "tests/pages/soundness/indices.md",
    "tests/pages/soundness/numerics.md",
    "tests/pages/soundness/implications.md",
    "tests/pages/corpus/matrix-calculus.md",
    "tests/pages/corpus/const-propto.md",
    "tests/pages/corpus/inequalities.md",
    "tests/pages/corpus/errors",
]
TIMINGS = ("seconds",)
# Failures with counterexamples (matrices, families, functions), a skip and an
# error with a column, written next to the other pages for the runs.
EXTRA_PAGE = r"""---
title: determinism
symbols:
  n: size
  j, l: index 1..3
  A, B: matrix(n, n)
  x, y: vector(n)
  \mu_j: vector(n)
  g: function
  a, b: scalar
---

$$
AB = BA
$$

$$
x^T A y = y^T A x
$$

$$
\mu_j = \mu_l
$$

$$
g(a) + g(b) = g(a + b)
$$

$$
\log(a^2 + 1) = 2\log(a)
$$

<!-- verify: skip "not checked here" -->
$$
a = b
$$

$$
a + \unknowncommand = a
$$
"""


def _zero_timings(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (0 if k in TIMINGS else _zero_timings(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_zero_timings(v) for v in value]
    return value


def _report(tmp_path: Path, name: str, workers: int, hash_seed: str) -> bytes:
    out = tmp_path / f"{name}.json"
    extra = tmp_path / "failures.md"
    extra.write_text(EXTRA_PAGE, encoding="utf-8")
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run(
        [sys.executable, "-m", "verify", "check", *PAGES, str(extra), "--json", str(out), "--no-cache",
         "--workers", str(workers), "--quiet", "--brief"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=600,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stdout + done.stderr
    data = _zero_timings(json.loads(out.read_text(encoding="utf-8")))
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False).encode()


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    tmp = tmp_path_factory.mktemp("determinism")
    return {
        "one worker": _report(tmp, "one", 1, "1"),
        "two workers": _report(tmp, "two", 2, "2"),
        "two workers again": _report(tmp, "again", 2, "3"),
    }


def test_reports_cover_every_status(reports: dict[str, bytes]) -> None:
    summary = json.loads(reports["one worker"])["summary"]
    for status in (
        "proved",
        "checked",
        "sampled",
        "failed",
        "error",
        "skipped",
        "expected-failure",
    ):
        assert summary[status] > 0, (status, summary)


def test_one_and_two_workers_agree(reports: dict[str, bytes]) -> None:
    assert reports["one worker"] == reports["two workers"], _first_difference(
        reports["one worker"], reports["two workers"]
    )


def test_repeated_runs_agree(reports: dict[str, bytes]) -> None:
    assert reports["two workers"] == reports["two workers again"], _first_difference(
        reports["two workers"], reports["two workers again"]
    )


def test_the_console_is_deterministic_too(tmp_path: Path) -> None:
    """The printed lines (no timings in them) are the same run after run."""
    outputs = []
    for seed in ("4", "5"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "NO_COLOR": "1"}
        done = subprocess.run(
            [sys.executable, "-m", "verify", "check", "tests/pages/soundness/indices.md",
             "tests/pages/corpus/errors", "--no-cache", "--workers", "2", "--quiet"],
            capture_output=True, text=True, cwd=ROOT, env=env, timeout=600,
        )  # fmt: skip
        lines = [
            line for line in done.stdout.splitlines() if " in " not in line or "pairs" not in line
        ]
        outputs.append("\n".join(lines))
    assert outputs[0] == outputs[1]


def _first_difference(a: bytes, b: bytes) -> str:
    for n, (x, y) in enumerate(zip(a.decode().split("\n"), b.decode().split("\n"), strict=False)):
        if x != y:
            return f"line {n + 1}:\n  {x}\n  {y}"
    return "lengths differ"
