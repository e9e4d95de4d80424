"""Benchmark: build a synthetic site of N derivation pages and time the checker.

    python -m bench.run --sizes 10,100,1000     # or: python bench/run.py
    make bench                                  # the same

For each N the derivation pages under docs/ that verify are copied N times in
all, each copy with its declared symbols renamed (`x` becomes, say,
`\\hat{\\mathcal{B}}` in its front matter and in every formula), so that no
pair of one copy has the cache key of a pair of another: the cache cannot
help a cold run. Then, in the synthetic site's own folder:

- `mkdocs build` with `plugins: [search]` (plain) and `[search, verify]`
  (cold: empty cache; warm: the cache of the cold build), the plain and warm
  builds measured in turn, so that the machine's drift weighs on both;
- `python -m verify check` cold and warm;
- per-pair times (median, 95th percentile) from the cold report;
- `pytest` (the plugin on, every pair an item) cold without and with
  pytest-xdist `-n 2`: the speed-up of spreading the items over two workers;
- a rebuild after editing one step of one page, and how many pairs it
  checked again (the cache entries it added);
- the peak memory of each command's process tree (all workers included).

Every ratio is between numbers measured in the same run. Results are printed
as a table and written to bench-results/bench.json.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from verify.reading.markdown import extract_page  # noqa: E402
from verify.reading.notation import split_symbol, split_top  # noqa: E402

RESULTS = ROOT / "bench-results"
PYTHON = sys.executable
MKDOCS = [PYTHON, "-m", "mkdocs"]
TARGETS = {"warm build / plain build": 1.10, "median ms per pair": 50, "p95 ms per pair": 500}

# --------------------------------------------------------------- renaming

# Nested decorations `\outer{\inner{L}}`: thousands of names no page uses.
OUTER = ["hat", "tilde", "bar", "vec", "dot", "widehat", "widetilde", "overline", "mathbf",
         "mathcal", "mathfrak", "mathsf", "mathit", "boldsymbol", "mathbb"]  # fmt: skip
INNER = OUTER
LETTERS = [c for c in "ABCDEFGHIJKLMNOPQRSUVWXYZabcfghkmnopqrsuvwxyz"]
RENAMEABLE = {"scalar", "vector", "matrix"}
NEVER = {"e", "d", "T", "\\pi"}
# Commands whose braced argument is not math to rename: text, names, fonts.
OPAQUE = {"text", "textrm", "mbox", "operatorname", "mathrm", "begin", "end", "tag", "label",
          "eqref", "ref", "textup", "textbf", "textit"}  # fmt: skip
FONTS = {"mathbf", "boldsymbol", "bm", "mathcal", "mathbb", "mathsf", "mathit", "mathfrak",
         "hat", "bar", "tilde", "vec", "widehat", "widetilde", "overline", "dot"}  # fmt: skip
MENTIONED = re.compile(r"\\[A-Za-z]+|(?<![A-Za-z])[A-Za-z](?![A-Za-z])")  # a letter, not a word
TOKEN = re.compile(r"\\[A-Za-z]+|\\.|[A-Za-z]|.", re.S)


def fresh_name(index: int) -> str:
    """The `index`-th name of the form `\\outer{\\inner{L}}` (outer ≠ inner)."""
    pairs = [(o, i) for o in OUTER for i in INNER if o != i]
    letter, rest = index % len(LETTERS), index // len(LETTERS)
    outer, inner = pairs[rest % len(pairs)]
    if rest >= len(pairs):
        raise ValueError("ran out of fresh names")
    return f"\\{outer}{{\\{inner}{{{LETTERS[letter]}}}}}"


def _braced_end(text: str, start: int) -> int:
    """The offset after the `{…}` group at `start` (or `start` if none)."""
    j = start
    while j < len(text) and text[j] == " ":
        j += 1
    if j >= len(text) or text[j] != "{":
        return start
    depth = 0
    for k in range(j, len(text)):
        if text[k] == "{" and text[k - 1] != "\\":
            depth += 1
        elif text[k] == "}" and text[k - 1] != "\\":
            depth -= 1
            if depth == 0:
                return k + 1
    return len(text)


def rename_math(text: str, names: dict[str, str]) -> str:
    """Replace whole symbol tokens (`x`, `\\mu`) outside text, names and fonts."""
    out: list[str] = []
    i, previous = 0, ""
    while i < len(text):
        m = TOKEN.match(text, i)
        assert m
        token = m.group()
        end = m.end()
        command = token[1:] if token.startswith("\\") else None
        if command in OPAQUE or command in FONTS:
            after = _braced_end(text, end)
            if command in FONTS and after == end:  # `\hat x`: one token argument
                nxt = TOKEN.match(text, end + (1 if text[end : end + 1] == " " else 0))
                after = nxt.end() if nxt else end
            out.append(text[i:after])
            i, previous = after, token
            continue
        renamed = names.get(token, token)
        # `d_k` -> `d_{\\hat{B}}`: a new name of several tokens is braced as a script.
        out.append(f"{{{renamed}}}" if previous in ("_", "^") and renamed != token else renamed)
        previous = token if token.strip() else previous
        i = end
    return "".join(out)


def targets(symbols: dict[str, Any]) -> list[str]:
    """Declared bases that can be renamed: plain letters or Greek, of a value kind, and
    neither the base of a size or index (`k_{**}: scalar` beside `k: size`) nor named
    in a declaration (`depends on t`): the renaming does not reach declarations."""
    renameable: set[str] = set()
    kept: set[str] = set()
    for key, value in symbols.items():
        kind = str(value).split(",")[0].split("(")[0].strip()
        kept.update(MENTIONED.findall(str(value).split("#")[0]))  # `depends on t`, `rows z^{(i)}`
        for part in split_top(str(key)):
            base = split_symbol(part).base
            if kind not in RENAMEABLE:
                kept.add(base)
            elif base not in NEVER and re.fullmatch(r"[A-Za-z]|\\[A-Za-z]+", base):
                if not (base.startswith("\\") and base[1:] in FONTS):
                    renameable.add(base)
    return sorted(renameable - kept)


def rename_page(source: str, copy: int, per_copy: int) -> str:
    """The page with each renameable declared symbol given a name unique to `copy`."""
    import yaml

    lines = source.split("\n")
    end = lines.index("---", 1)
    data = yaml.safe_load("\n".join(lines[1:end])) or {}
    bases = targets(data.get("symbols") or {})
    names = {b: fresh_name(copy * per_copy + n) for n, b in enumerate(bases)}
    out = ["---"]
    in_symbols = False
    for line in lines[1:end]:
        if re.match(r"^\S", line):
            in_symbols = line.startswith("symbols:")
        if in_symbols and re.match(r"^\s+\S", line) and ":" in line:
            key, value = _split_key(line)
            out.append(rename_math(key, names) + value)
        elif line.startswith("wrt:"):
            out.append("wrt: " + rename_math(line[4:].strip(), names))
        else:
            out.append(line)
    out.append("---")
    body = "\n".join(lines[end + 1 :])
    return "\n".join(out) + "\n" + _rename_body(body, names)


def _split_key(line: str) -> tuple[str, str]:
    """`  \\mu_j: vector(n)` -> ("  \\mu_j", ": vector(n)"), minding braces."""
    depth = 0
    for k, ch in enumerate(line):
        depth += ch == "{"
        depth -= ch == "}"
        if ch == ":" and depth == 0 and k > 0 and (k + 1 == len(line) or line[k + 1] == " "):
            return line[:k], line[k:]
    return line, ""


def _rename_body(body: str, names: dict[str, str]) -> str:
    """Rename inside display math and `verify: wrt` directives; leave prose alone."""
    out: list[str] = []
    in_math = False
    fence = ""
    for line in body.split("\n"):
        stripped = line.strip()
        opens = stripped.startswith("$$") or stripped.startswith(("```math", "~~~math"))
        if not in_math and opens:
            fence = "$$" if stripped.startswith("$$") else stripped[:3]
            in_math = not (fence == "$$" and stripped.endswith("$$") and len(stripped) > 2)
            out.append(rename_math(line, names) if fence == "$$" else line)
            continue
        if in_math:
            if stripped.startswith(fence):
                in_math = False
                out.append(line)
            else:
                out.append(rename_math(line, names))
            continue
        if "verify:" in line and "wrt" in line:
            head, _, tail = line.partition("wrt")
            out.append(head + "wrt" + rename_math(tail, names))
            continue
        out.append(line)
    return "\n".join(out)


# ------------------------------------------------------------------ the site


def template_pages() -> list[Path]:
    """Derivation pages under docs/ whose every pair verifies (or fails as expected)."""
    from verify import CheckOptions, check_paths

    pages = [p for p in sorted((ROOT / "docs").rglob("*.md")) if is_derivation(p)]
    reports = check_paths(pages, CheckOptions(cache_dir=ROOT / ".verify-cache"))
    good = []
    for report in reports:  # (a page from the whole-page cache has results but no pairs)
        if report.results and not any(r.status.is_problem for r in report.results):
            good.append((ROOT / report.page.file).resolve())
    return good


def is_derivation(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    return text.startswith("---\n") and "\nsymbols:" in text.split("\n---", 1)[0]


def markdown_extensions() -> str:
    """The `markdown_extensions:` section of the site's mkdocs.yml, as written."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    match = re.search(r"^markdown_extensions:\n(?:(?:[ #].*)?\n)*", text, re.M)
    return match.group() if match else "markdown_extensions: []\n"


def write_site(
    folder: Path, size: int, templates: list[Path], rename: bool = True
) -> dict[str, Any]:
    """N renamed copies of the template pages, and the two mkdocs.yml files.
    Without `rename`, the copies are verbatim: they share their pairs' keys."""
    if folder.exists():
        shutil.rmtree(folder)
    docs = folder / "docs"
    docs.mkdir(parents=True)
    (docs / "index.md").write_text("# Synthetic site\n\nFor the benchmark.\n", encoding="utf-8")
    sources = [t.read_text(encoding="utf-8") for t in templates]
    per_copy = max(len(targets(_symbols(s))) for s in sources)
    pairs = 0
    for copy in range(size):
        n = copy % len(sources)
        text = rename_page(sources[n], copy, per_copy) if rename else sources[n]
        name = f"p{copy:04d}-{templates[n].stem}.md"
        (docs / name).write_text(text, encoding="utf-8")
        pairs += len(extract_page(name, text).pairs)
    extensions = markdown_extensions()
    for variant, plugins in (("plain", "  - search\n"), ("verify", "  - search\n  - verify:\n"
                             "      cache_dir: .cache-build\n")):  # fmt: skip
        config = (
            f"site_name: Benchmark ({size} pages)\ndocs_dir: docs\nuse_directory_urls: true\n"
            "theme:\n  name: material\n  font: false\n"
            "validation:\n  links:\n    not_found: info\n    anchors: info\n"
            f"plugins:\n{plugins}{extensions}"
        )
        (folder / f"mkdocs-{variant}.yml").write_text(config, encoding="utf-8")
    return {"pages": size, "pairs": pairs, "templates": [t.name for t in templates]}


def _symbols(source: str) -> dict[str, Any]:
    import yaml

    lines = source.split("\n")
    return (yaml.safe_load("\n".join(lines[1 : lines.index("---", 1)])) or {}).get("symbols") or {}


# --------------------------------------------------------------- measuring


@dataclass
class Run:
    seconds: float
    peak_mb: float
    returncode: int
    output: str


def _tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes (Linux)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        total += rss.get(p, 0)
        stack.extend(children.get(p, []))
    return total


def measure(command: list[str], cwd: Path) -> Run:
    """Wall time and peak memory (whole process tree) of one command."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "CI": "1", "PYTHONHASHSEED": "0"}
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)  # fmt: skip
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            if Path("/proc").exists():
                peak = max(peak, _tree_rss(proc.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = proc.communicate()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    return Run(seconds, peak / 1024**2, proc.returncode, output)


def best(runs: list[Run]) -> Run:
    """The median run of a repeated measurement."""
    ordered = sorted(runs, key=lambda r: r.seconds)
    return ordered[len(ordered) // 2]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _check(folder: Path, *extra: str) -> list[str]:
    return [PYTHON, "-m", "verify", "check", "docs", "--quiet", "--brief", *extra]


def _pytest(folder: Path, workers: int) -> list[str]:
    return [PYTHON, "-m", "pytest", "docs", "-q", "-p", "no:cacheprovider", "-n", str(workers),
            "-o", f"verify_cache_dir=.cache-pytest-{workers}"]  # fmt: skip


def _build(folder: Path, variant: str) -> list[str]:
    return [*MKDOCS, "build", "-q", "-f", f"mkdocs-{variant}.yml", "-d", f"site-{variant}"]


def _cache_entries(folder: Path) -> set[str]:
    """The keys of the pair verdicts in the build's cache (whole pages aside)."""
    import sqlite3

    from verify.running.cache import DATABASE

    db = sqlite3.connect(folder / ".cache-build" / DATABASE)
    try:
        rows = db.execute("SELECT key FROM verdicts WHERE key NOT LIKE 'page:%'").fetchall()
    finally:
        db.close()
    return {r[0] for r in rows}


def edit_one_step(folder: Path) -> str:
    """Append `+ 0` to the right side of one `=` step that no other step shares."""
    for path in sorted((folder / "docs").glob("p*.md")):
        text = path.read_text(encoding="utf-8")
        page = extract_page(str(path), text)
        lhs_texts = {(p.lhs.text, p.lhs.line_starts) for p in page.pairs}
        for pair in page.pairs:
            if pair.relation != "=" or pair.directive.expect_fail or pair.directive.skip:
                continue
            if (pair.rhs.text, pair.rhs.line_starts) in lhs_texts or "\n" in pair.rhs.text:
                continue
            line, col = pair.rhs.line_starts[0]
            lines = text.split("\n")
            row = lines[line - 1]
            at = col - 1 + len(pair.rhs.text)
            lines[line - 1] = row[:at] + " + 0" + row[at:]
            path.write_text("\n".join(lines), encoding="utf-8")
            return f"{path.name}:{line}"
    raise RuntimeError("no step to edit")


def skip_problems(folder: Path, report: dict[str, Any]) -> int:
    """Mark the blocks of failed or error pairs `skip`, so that the builds can finish.

    A renamed copy is drawn other random instances than its original, so a
    step that holds only almost everywhere (a strict inequality at a zero
    vector) can fail in a copy. The plugin would stop the build there.
    """
    by_file: dict[str, set[int]] = {}
    for pair in report["pairs"]:
        if pair["status"] in ("failed", "error"):
            by_file.setdefault(pair["file"], set()).add(pair["line"])
    skipped = 0
    for file, lines in by_file.items():
        path = folder / file
        text = path.read_text(encoding="utf-8")
        page = extract_page(file, text)
        starts = sorted({b.start for b in page.blocks for ln in lines if b.start <= ln <= b.end})
        rows = text.split("\n")
        for start in reversed(starts):
            rows.insert(start - 1, '<!-- verify: skip "benchmark: failed in this renamed copy" -->')
            skipped += sum(1 for b in page.blocks if b.start == start for _ in b.pairs)
        path.write_text("\n".join(rows), encoding="utf-8")
    return skipped


def bench_size(
    size: int, templates: list[Path], repeat: int, out: Path, cold: bool = True
) -> dict[str, Any]:
    folder = out / f"site-{size}"
    info = write_site(folder, size, templates, rename=cold)
    kind = "renamed copies" if cold else "verbatim copies, warm measurements only"
    print(
        f"[N={size}] {info['pages']} pages, {info['pairs']} pairs ({kind}) in {folder}", flush=True
    )
    row: dict[str, Any] = dict(info)
    row["cold measured"] = cold

    def step(name: str, command: list[str], times: int = 1, clean: str | None = None) -> Run:
        runs = []
        for _ in range(times):
            if clean:
                shutil.rmtree(folder / clean, ignore_errors=True)
            runs.append(measure(command, folder))
        return record(name, runs)

    def record(name: str, runs: list[Run]) -> Run:
        run = best(runs)
        if run.returncode != 0 and (name.startswith("build") or run.returncode != 1):
            print(run.output[-3000:], file=sys.stderr)
            raise RuntimeError(f"{name} failed with exit code {run.returncode}")
        row[name] = {"seconds": round(run.seconds, 3), "peak_mb": round(run.peak_mb, 1),
                     "runs": [round(r.seconds, 3) for r in runs]}  # fmt: skip
        print(f"  {name:<24} {run.seconds:8.2f} s  {run.peak_mb:7.0f} MB", flush=True)
        return run

    def plain_and_warm() -> None:
        """Plain and warm builds, one of each in turn: the machine's drift
        (these machines are noisy) weighs on both alike."""
        runs: dict[str, list[Run]] = {"build plain": [], "build warm": []}
        for _ in range(repeat):
            runs["build plain"].append(measure(_build(folder, "plain"), folder))
            runs["build warm"].append(measure(_build(folder, "verify"), folder))
        for name, measured in runs.items():
            record(name, measured)

    if not cold:
        return _bench_warm_only(folder, row, step, plain_and_warm, repeat)
    step("check cold", _check(folder, "--cache-dir", ".cache-check", "--json", "cold.json"), 1,
         clean=".cache-check")  # fmt: skip
    report = json.loads((folder / "cold.json").read_text(encoding="utf-8"))
    seconds = [p["seconds"] for p in report["pairs"] if p["status"] != "skipped"]
    row["statuses"] = report["summary"]
    row["median ms per pair"] = round(1000 * statistics.median(seconds), 2) if seconds else 0
    row["p95 ms per pair"] = round(1000 * percentile(seconds, 0.95), 2)
    row["max ms per pair"] = round(1000 * max(seconds, default=0), 1)
    row["cold ms per pair (wall)"] = round(1000 * row["check cold"]["seconds"] / info["pairs"], 2)
    row["pairs skipped after the cold check"] = skip_problems(folder, report)
    measure(_check(folder, "--cache-dir", ".cache-check"), folder)  # settle the patched pages
    step("build cold", _build(folder, "verify"), 1, clean=".cache-build")
    plain_and_warm()
    step("check warm", _check(folder, "--cache-dir", ".cache-check"), repeat)
    (folder / "pytest.ini").write_text("[pytest]\nverify_paths = docs\n", encoding="utf-8")
    step("pytest cold -n 0", _pytest(folder, 0), 1, clean=".cache-pytest-0")
    step("pytest cold -n 2", _pytest(folder, 2), 1, clean=".cache-pytest-2")
    before = _cache_entries(folder)
    row["edited step"] = edit_one_step(folder)
    step("rebuild after one edit", _build(folder, "verify"), 1)
    row["pairs checked again"] = len(_cache_entries(folder) - before)
    plain = row["build plain"]["seconds"]
    row["warm build / plain build"] = round(row["build warm"]["seconds"] / plain, 3)
    row["cold build / plain build"] = round(row["build cold"]["seconds"] / plain, 3)
    row["pytest -n 2 speed-up"] = round(
        row["pytest cold -n 0"]["seconds"] / row["pytest cold -n 2"]["seconds"], 3
    )
    row["peak MB"] = max(
        v["peak_mb"] for v in row.values() if isinstance(v, dict) and "peak_mb" in v
    )
    return row


def _bench_warm_only(
    folder: Path, row: dict[str, Any], step: Any, plain_and_warm: Any, repeat: int
) -> dict[str, Any]:
    """A site too large to decide cold on this machine in one sitting: verbatim
    copies share their pairs' keys, so filling the cache decides each distinct
    pair once; the warm build then serves every page from the cache exactly as
    for renamed copies (the warm path reads page keys, not the math). One
    build renders the pages' markup first, as the cold build does otherwise."""
    measure(_check(folder, "--cache-dir", ".cache-build"), folder)  # fill the cache
    step("build to render", _build(folder, "verify"), 1)
    plain_and_warm()
    step("check warm", _check(folder, "--cache-dir", ".cache-build"), repeat)
    before = _cache_entries(folder)
    row["edited step"] = edit_one_step(folder)
    step("rebuild after one edit", _build(folder, "verify"), 1)
    row["pairs checked again"] = len(_cache_entries(folder) - before)
    row["warm build / plain build"] = round(
        row["build warm"]["seconds"] / row["build plain"]["seconds"], 3
    )
    row["peak MB"] = max(
        v["peak_mb"] for v in row.values() if isinstance(v, dict) and "peak_mb" in v
    )
    return row


# ------------------------------------------------------------------ report

COLUMNS = [
    ("N", "pages"), ("pairs", "pairs"), ("plain s", "build plain"), ("cold build s", "build cold"),
    ("warm build s", "build warm"), ("warm/plain", "warm build / plain build"),
    ("check cold s", "check cold"), ("check warm s", "check warm"),
    ("median ms", "median ms per pair"), ("p95 ms", "p95 ms per pair"),
    ("pytest -n 0 s", "pytest cold -n 0"), ("pytest -n 2 s", "pytest cold -n 2"),
    ("-n 2 speed-up", "pytest -n 2 speed-up"),
    ("edit rebuild s", "rebuild after one edit"), ("re-checked", "pairs checked again"),
    ("peak MB", "peak MB"),
]  # fmt: skip


def table(rows: list[dict[str, Any]]) -> str:
    def cell(row: dict[str, Any], key: str) -> str:
        value = row.get(key)
        if isinstance(value, dict):
            value = value.get("seconds")
        if value is None:
            return "—"
        if isinstance(value, float):
            return f"{value:.2f}" if value < 100 else f"{value:.0f}"
        return str(value)

    header = "| " + " | ".join(h for h, _ in COLUMNS) + " |"
    rule = "|" + "|".join("---:" for _ in COLUMNS) + "|"
    lines = [header, rule]
    lines += ["| " + " | ".join(cell(r, k) for _, k in COLUMNS) + " |" for r in rows]
    return "\n".join(lines)


def linearity(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Cold check time per pair at each size, and the largest over the smallest."""
    per_pair = {
        r["pages"]: r["check cold"]["seconds"] / r["pairs"] for r in rows if r["cold measured"]
    }
    if len(per_pair) < 2:
        return {"ms per pair": {k: round(1000 * v, 2) for k, v in per_pair.items()}}
    sizes = sorted(per_pair)
    return {
        "ms per pair": {k: round(1000 * v, 2) for k, v in per_pair.items()},
        "largest / smallest": round(per_pair[sizes[-1]] / per_pair[sizes[0]], 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10,100,1000", help="numbers of pages, e.g. 10,100")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each fast measurement")
    parser.add_argument("--out", default=str(RESULTS), help="folder for sites and results")
    parser.add_argument("--keep", action="store_true", help="keep the synthetic sites")
    parser.add_argument(
        "--cold-up-to",
        type=int,
        default=None,
        help="sizes above this are measured warm only, on verbatim copies (default: none)",
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    templates = template_pages()
    if not templates:
        print("bench: no derivation page under docs/ verifies", file=sys.stderr)
        return 2
    print(f"templates: {', '.join(t.name for t in templates)}", flush=True)
    # As a wheel's installation does: without it, where PYTHONDONTWRITEBYTECODE
    # is set, every command compiles the package from source (the plain build's
    # packages all come compiled), a fifth of a ten-page warm build.
    compileall.compile_dir(ROOT / "verify", quiet=1)
    limit = args.cold_up_to
    rows = [bench_size(n, templates, args.repeat, out, limit is None or n <= limit) for n in sizes]
    result = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },  # fmt: skip
        "targets": TARGETS,
        "sizes": rows,
        "linearity": linearity(rows),
    }
    (out / "bench.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n",
                                    encoding="utf-8")  # fmt: skip
    print()
    print(table(rows))
    print()
    print(f"cold check, ms per pair at each N: {result['linearity']}")
    for row in rows:
        if not row["cold measured"]:
            print(f"N={row['pages']}: warm/plain {row['warm build / plain build']:.2f}"
                  f" (target ≤ 1.10), warm build {row['build warm']['seconds']:.1f} s;"
                  f" one edit re-checked {row['pairs checked again']} pair(s)")  # fmt: skip
            continue
        verdicts = [
            f"warm/plain {row['warm build / plain build']:.2f} (target ≤ 1.10)",
            f"median {row['median ms per pair']:.0f} ms (≤ 50)",
            f"p95 {row['p95 ms per pair']:.0f} ms (≤ 500)",
            f"one edit re-checked {row['pairs checked again']} pair(s)",
            f"pytest -n 2 speed-up {row['pytest -n 2 speed-up']:.2f}",
        ]
        print(f"N={row['pages']}: " + "; ".join(verdicts))
    if not args.keep:
        for n in sizes:
            shutil.rmtree(out / f"site-{n}", ignore_errors=True)
    print(f"\nwritten: {out / 'bench.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
