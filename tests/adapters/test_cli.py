"""The command line: exit codes, console lines, the JSON report, annotations, explain, --changed."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from verify import __version__
from verify.adapters.cli import in_shard, main

GOOD = """\
---
title: "Good"
symbols:
  n: size
  x: vector(n)
  A: matrix(n, n), symmetric
---

$$
(a + b)^2 = a^2 + 2ab + b^2
$$

$$
\\begin{aligned}
x^T A x + 1
&= 1 + x^T A^T x && \\text{A is symmetric}
\\end{aligned}
$$

<!-- verify: skip "not in the checker's reach yet" -->
$$
a = b
$$

<!-- verify: expect-fail "the cross term is missing" -->
$$
(a + b)^2 = a^2 + b^2
$$
"""

BAD = """\
---
title: "Bad"
symbols:
  n: size
  x: vector(n)
  A: matrix(n, n)
---

$$
(A + A^T) x = 2 A x
$$

$$
A + x = x + A
$$
"""

CONSOLE_LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+)(:\d+)?: (?P<status>failed|error): .+$")
PAIR_KEYS = {
    "file",
    "line",
    "relation",
    "lhs",
    "rhs",
    "status",
    "method",
    "message",
    "counterexample",
    "seconds",
}
SUMMARY_KEYS = {"proved", "checked", "sampled", "failed", "error", "skipped", "expected-failure"}


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with docs/good.md and docs/bad.md, as the working directory."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "good.md").write_text(GOOD, encoding="utf-8")
    (tmp_path / "docs" / "bad.md").write_text(BAD, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path


def test_exit_code_0_when_every_pair_holds(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "docs/good.md"]) == 0
    out = capsys.readouterr().out
    assert out == "4 pairs: 1 proved, 1 checked, 1 skipped, 1 expected-failure in 1 page(s)\n"


def test_exit_code_1_and_one_contract_line_per_problem(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "docs"]) == 1
    out = capsys.readouterr().out.splitlines()
    headlines = [line for line in out if CONSOLE_LINE.match(line)]
    assert [CONSOLE_LINE.match(h).group("status") for h in headlines] == ["failed", "error"]  # type: ignore[union-attr]
    assert headlines[0].startswith("docs/bad.md:10: failed: ")
    assert headlines[1].startswith("docs/bad.md:14:5: error: cannot add")
    assert re.fullmatch(r"\d+ pairs: .* in 2 page\(s\)", out[-1])


def test_brief_prints_only_the_contract_lines(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "docs/bad.md", "--brief"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert all(CONSOLE_LINE.match(line) for line in out[:-1])
    assert len(out) == 3


def test_exit_code_2_for_a_missing_path(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "docs/nowhere.md"]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_json_report_matches_the_contract(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "docs", "--json", "report.json"]) == 1
    data = json.loads((site / "report.json").read_text(encoding="utf-8"))
    assert set(data) == {"version", "pairs", "summary"}
    assert data["version"] == __version__
    assert set(data["summary"]) == SUMMARY_KEYS
    assert sum(data["summary"].values()) == len(data["pairs"])
    for pair in data["pairs"]:
        assert set(pair) >= PAIR_KEYS
        assert pair["status"] in SUMMARY_KEYS
        assert isinstance(pair["line"], int) and isinstance(pair["seconds"], float)
        assert not Path(pair["file"]).is_absolute()
    failed = next(p for p in data["pairs"] if p["status"] == "failed")
    assert failed["file"] == "docs/bad.md" and failed["line"] == 10 and failed["relation"] == "="
    assert failed["lhs"] == "(A + A^T) x" and failed["rhs"] == "2 A x"
    assert set(failed["counterexample"]) >= {"sizes", "values", "lhs", "rhs"}


def test_github_format_prints_annotations(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "docs/bad.md", "--format", "github"]) == 1
    annotations = [line for line in capsys.readouterr().out.splitlines() if line.startswith("::")]
    assert len(annotations) == 2
    assert annotations[0].startswith("::error file=docs/bad.md,line=10,title=verify failed::")
    assert "%0Acounterexample at n = " in annotations[0]
    assert annotations[1].startswith("::error file=docs/bad.md,line=14,col=5,title=verify error::")
    assert "%0Ashapes:%0A" in annotations[1]


def test_github_format_is_the_default_on_github_actions(
    site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    main(["check", "docs/bad.md"])
    assert "::error file=docs/bad.md,line=10," in capsys.readouterr().out


def test_explain_shows_what_the_checker_understood(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["explain", "docs/good.md:16"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("docs/good.md:16: lhs = rhs\n")
    for expected in (
        "  lhs as written:   x^T A x + 1",
        "  rhs as read back: 1 + x^{T} A^{T} x",
        "  shapes: lhs scalar, rhs scalar",
        "  free symbols: A (matrix(n, n)), n (size), x (vector(n))",
        "  bound symbols: none",
        "  verdict: checked — ",
        "  instances tried: ",
    ):
        assert expected in out


def test_explain_shows_bound_symbols_and_sympy_expressions(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (site / "docs" / "sum.md").write_text(
        "---\nsymbols:\n  m: size\n  i: index 1..m\n---\n\n$$\n\\sum_{i=1}^{m} c = m c\n$$\n",
        encoding="utf-8",
    )
    (site / "docs" / "scalar.md").write_text(GOOD, encoding="utf-8")
    assert main(["explain", "docs/sum.md:8"]) == 0
    out = capsys.readouterr().out
    assert "  bound symbols: i (summation)" in out
    assert "  free symbols: c (scalar, undeclared), m (size)" in out
    assert main(["explain", "docs/scalar.md:10"]) == 0
    out = capsys.readouterr().out
    assert "  lhs as SymPy: (a + b)**2" in out
    assert "  rhs as SymPy: a**2 + 2*a*b + b**2" in out
    assert "  verdict: proved — " in out


def test_explain_of_a_failed_pair_shows_the_counterexample(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["explain", "docs/bad.md:10"]) == 0
    out = capsys.readouterr().out
    assert "  verdict: failed — " in out
    assert "  counterexample at n = " in out
    assert "  the sides first differ in:" in out


def test_explain_needs_a_pair_line(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "docs/bad.md:3"]) == 2
    assert "pairs stand on lines [10, 14]" in capsys.readouterr().err
    assert main(["explain", "docs/bad.md"]) == 2


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def test_changed_checks_only_pages_changed_since_the_merge_base(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _git(site, "init", "-q", "-b", "main")
    _git(site, "add", "docs")
    _git(site, "commit", "-q", "-m", "pages")
    _git(site, "checkout", "-q", "-b", "topic")
    assert main(["check", "--changed"]) == 0
    assert capsys.readouterr().out.strip() == "0 pairs: nothing to check in 0 page(s)"

    good = site / "docs" / "good.md"
    good.write_text(GOOD.replace("a = b", "a = c"), encoding="utf-8")
    (site / "docs" / "new.md").write_text(GOOD, encoding="utf-8")
    assert main(["check", "--changed"]) == 0
    assert capsys.readouterr().out.strip().endswith("in 2 page(s)")

    _git(site, "commit", "-q", "-am", "edit")
    assert main(["check", "--changed", "HEAD"]) == 0  # only the untracked page
    assert capsys.readouterr().out.strip().endswith("in 1 page(s)")
    assert main(["check", "--changed", "main"]) == 0
    assert capsys.readouterr().out.strip().endswith("in 2 page(s)")


def test_changed_outside_git_is_a_usage_error(
    site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(site.parent))
    assert main(["check", "--changed"]) == 2
    assert capsys.readouterr().err.startswith("verify: ")


def test_a_warm_rerun_is_served_from_the_cache(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["check", "docs/good.md", "--json", "cold.json"])
    main(["check", "docs/good.md", "--json", "warm.json"])
    warm = json.loads((site / "warm.json").read_text(encoding="utf-8"))
    assert all(p["seconds"] == 0.0 for p in warm["pairs"])
    cold = json.loads((site / "cold.json").read_text(encoding="utf-8"))
    assert [p["status"] for p in warm["pairs"]] == [p["status"] for p in cold["pairs"]]


def test_explain_of_an_error_pair_shows_its_diagnosis(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["explain", "docs/bad.md:14"]) == 0
    out = capsys.readouterr().out
    assert "  not understood: cannot add a matrix(n, n) and a vector(n)" in out
    assert "  shapes:\n    A  is  matrix(n, n)\n    x  is  vector(n)" in out


# ------------------------------------------------- conventions of a command line


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"verify {__version__}\n"


def test_json_to_standard_output(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "docs", "--json", "-"]) == 1
    out, err = capsys.readouterr()
    data = json.loads(out)  # nothing else on standard output
    assert data["summary"]["failed"] == 1 and data["version"] == __version__
    assert "docs/bad.md:10: failed: " in err
    assert not (site / "-").exists()


def test_an_unwritable_report_is_exit_2_with_one_line(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "docs/good.md", "--json", "no/such/folder/report.json"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("verify: cannot write the report no/such/folder/report.json: ")
    assert len(err.splitlines()) == 1


def test_a_page_that_is_not_text_is_exit_2_with_one_line(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (site / "docs" / "binary.md").write_bytes(b"\xff\xfe\x00 not text")
    assert main(["check", "docs"]) == 2
    err = capsys.readouterr().err
    assert err == "verify: docs/binary.md: not UTF-8 text (byte 0: invalid start byte)\n"


def test_an_internal_error_is_exit_2_with_one_line(
    site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("something the checker did not expect")

    monkeypatch.setattr("verify.adapters.cli.check_paths", broken)
    monkeypatch.delenv("VERIFY_DEBUG", raising=False)
    assert main(["check", "docs/good.md"]) == 2
    err = capsys.readouterr().err
    assert err == "verify: internal error: RuntimeError: something the checker did not expect\n"


def test_colour_is_rich_s_decision(site: Path, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    main(["check", "docs/bad.md", "--brief"])
    assert "\x1b[" not in capsys.readouterr().out  # not a terminal: plain lines
    monkeypatch.setenv("FORCE_COLOR", "1")
    main(["check", "docs/bad.md", "--brief"])
    assert "\x1b[" in capsys.readouterr().out


def test_shards_split_the_pages(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for k in range(12):
        (site / "docs" / f"page{k}.md").write_text(GOOD, encoding="utf-8")
    pages = sorted((site / "docs").glob("*.md"))
    shares = [{p for p in pages if in_shard(p, (k, 3))} for k in (1, 2, 3)]
    assert set().union(*shares) == set(pages)
    assert sum(len(s) for s in shares) == len(pages)
    assert all(shares)
    assert main(["check", "docs", "--shard", "2/3", "--brief"]) in (0, 1)
    assert capsys.readouterr().out.strip().endswith(f"in {len(shares[1])} page(s)")
    with pytest.raises(SystemExit):
        main(["check", "--shard", "4/3"])
