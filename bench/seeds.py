"""Re-seeded runs of the soundness corpus: does any false pair pass at other seeds?

    python -m bench.seeds --seeds 50 [PATHS]     # default: tests/pages/soundness

Each run sets `VERIFY_SEED_SALT` (read by `verify.deciding.instances`), which
changes every instance the checker draws without changing the pages, and
checks the pages with the cache off. A false pair (`expect-fail`) that comes
back verified is a false pass; a true neighbour that fails is a false failure.
Both are listed with their seed, and so is every error other than the
expected ones (a step that does not involve its variable); the counts go to
bench-results/seeds.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench-results"


def run(seed: int, paths: list[str], workers: int) -> list[dict[str, object]]:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        env = {**os.environ, "VERIFY_SEED_SALT": f"seed-{seed}"}
        subprocess.run(
            [sys.executable, "-m", "verify", "check", *paths, "--no-cache", "--quiet",
             "--brief", "--workers", str(workers), "--timeout", "60", "--json", str(report)],
            cwd=ROOT, env=env, capture_output=True, check=False,
        )  # fmt: skip
        pairs: list[dict[str, object]] = json.loads(report.read_text(encoding="utf-8"))["pairs"]
        return pairs


def classify(pair: dict[str, object]) -> str:
    status, message = str(pair["status"]), str(pair["message"])
    if status == "expected-failure":
        return "false pair failed"
    if status == "error" and "marked expect-fail" in message and "but it verified" in message:
        return "FALSE PASS"
    if status in ("proved", "checked", "sampled"):
        return "true pair verified"
    if status == "failed":
        return "TRUE PAIR FAILED"
    return f"error: {message[:60]}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="*", default=["tests/pages/soundness"])
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--first", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    totals: Counter[str] = Counter()
    problems: list[str] = []
    start = time.perf_counter()
    for seed in range(args.first, args.first + args.seeds):
        counts: Counter[str] = Counter()
        for pair in run(seed, args.paths, args.workers):
            kind = classify(pair)
            counts[kind] += 1
            if kind.startswith(("FALSE", "TRUE")) or (
                kind.startswith("error") and "does not involve" not in kind
            ):
                problems.append(f"seed {seed}: {pair['file']}:{pair['line']}: {kind}: "
                                f"{pair['lhs']} {pair['relation']} {pair['rhs']}")  # fmt: skip
        totals.update(counts)
        print(f"seed {seed}: {dict(sorted(counts.items()))}", flush=True)
    print(
        f"{args.seeds} seeds in {time.perf_counter() - start:.0f} s: {dict(sorted(totals.items()))}"
    )
    for line in problems:
        print(line)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "seeds.json").write_text(
        json.dumps({"seeds": args.seeds, "totals": totals, "problems": problems}, indent=2),
        encoding="utf-8",
    )
    return 1 if totals["FALSE PASS"] else 0


if __name__ == "__main__":
    sys.exit(main())
