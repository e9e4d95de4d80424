"""pytest knows the pages: one item per pair, named by line, with the checker's answers."""

from __future__ import annotations

import json

import pebble  # noqa: F401 - imported here so that pytester's in-process runs share them
import pytest
import sympy  # noqa: F401

import verify.reporting.diagnose  # noqa: F401 - likewise
import verify.reporting.difference  # noqa: F401

pytest_plugins = ["pytester"]

PAGE = """\
---
title: "Steps"
symbols:
  n: size
  x: vector(n)
  A: matrix(n, n)
---

$$
\\begin{aligned}
(a + b)^2
&= a^2 + 2ab + b^2 && \\text{expand} \\\\
&= b^2 + 2ab + a^2
\\end{aligned}
$$

$$
(A + A^T) x = 2 A x
$$

<!-- verify: skip "a step the checker cannot read yet" -->
$$
a = b
$$

<!-- verify: expect-fail "the cross term is missing" -->
$$
(a + b)^2 = a^2 + b^2
$$
"""

OTHER = """\
---
symbols:
  n: size
---

$$
2 (a + 1) = 2a + 2 \\tag{two}
$$
"""


@pytest.fixture
def site(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeini("[pytest]\nverify_paths = docs\n")
    pytester.mkdir("docs")
    (pytester.path / "docs" / "steps.md").write_text(PAGE, encoding="utf-8")
    (pytester.path / "docs" / "other.md").write_text(OTHER, encoding="utf-8")
    (pytester.path / "docs" / "index.md").write_text("# Home\n\nNo math.\n", encoding="utf-8")
    return pytester


def test_one_item_per_pair_named_by_line(site: pytest.Pytester) -> None:
    result = site.runpytest("--collect-only", "-q")
    assert result.outlines[:6] == [
        "docs/other.md::line-7",
        "docs/steps.md::line-12",
        "docs/steps.md::line-13",
        "docs/steps.md::line-18",
        "docs/steps.md::line-23",
        "docs/steps.md::line-28",
    ]
    result.stdout.fnmatch_lines(["6 tests collected*"])


def test_statuses_map_to_pass_fail_skip_and_xfail(site: pytest.Pytester) -> None:
    result = site.runpytest("-rsx")
    result.assert_outcomes(passed=3, failed=1, skipped=1, xfailed=1)
    result.stdout.fnmatch_lines(
        [
            "*SKIPPED*docs/steps.md:23: a step the checker cannot read yet",
            "XFAIL docs/steps.md::line-28 - the cross term is missing: the sides differ*",
        ]
    )


def test_a_wrong_step_shows_its_place_and_the_counterexample(site: pytest.Pytester) -> None:
    result = site.runpytest("docs/steps.md")
    result.stdout.fnmatch_lines(
        [
            "*_ docs/steps.md:18 _*",
            "failed: the sides differ at n=*",
            "    step: (A + A^T) x  =  2 A x",
            "    counterexample at n = *:",
            "      A = [[] * ]",
            "      x = (*)ᵀ",
            "    lhs = (*)ᵀ",
            "    rhs = (*)ᵀ",
            "    the sides first differ in:",
            "      lhs part: A + A^{T}",
            "      rhs part: 2 A",
            "FAILED docs/steps.md::line-18 - failed: the sides differ at n=*",
        ]
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_k_selects_pages_and_steps(site: pytest.Pytester) -> None:
    site.runpytest("-k", "other").assert_outcomes(passed=1)
    site.runpytest("-k", "steps and 13").assert_outcomes(passed=1)
    site.runpytest("-k", "two").assert_outcomes(passed=1)  # by \tag
    site.runpytest("docs/steps.md::line-12").assert_outcomes(passed=1)


def test_a_folder_selects_its_pages(site: pytest.Pytester) -> None:
    site.mkdir("docs/sub")
    (site.path / "docs" / "sub" / "more.md").write_text(OTHER, encoding="utf-8")
    site.runpytest("docs/sub").assert_outcomes(passed=1)


def test_markdown_outside_docs_only_when_named(site: pytest.Pytester) -> None:
    site.mkdir("fixtures")
    (site.path / "fixtures" / "wrong.md").write_text(
        "---\nsymbols:\n  n: size\n---\n\n$$\na + a = 3a\n$$\n", encoding="utf-8"
    )
    assert site.runpytest("fixtures").ret == pytest.ExitCode.NO_TESTS_COLLECTED
    site.runpytest("fixtures/wrong.md").assert_outcomes(failed=1)


def test_verify_paths_ini_option(site: pytest.Pytester) -> None:
    site.makeini("[pytest]\nverify_paths = docs/sub\n")
    site.mkdir("docs/sub")
    (site.path / "docs" / "sub" / "more.md").write_text(OTHER, encoding="utf-8")
    site.runpytest().assert_outcomes(passed=1)


def test_page_level_problems_are_items(site: pytest.Pytester) -> None:
    (site.path / "docs" / "loose.md").write_text("# Loose\n\n$$\na = a\n$$\n", encoding="utf-8")
    result = site.runpytest("docs/loose.md")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["error: display math with relations*"])


def test_github_actions_annotations(site: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = site.runpytest("docs/steps.md")
    result.stdout.fnmatch_lines(["::error file=docs/steps.md,line=18,title=verify failed::*"])


BROKEN_DEFINITION = """\
---
symbols:
  n: size
---

$$
f(x := x^2
$$

$$
(a + b)^2 = a^2 + 2ab + b^2
$$

$$
(a + b)^2 = a^2 + b^2
$$
"""


def test_each_item_reports_its_own_pair_beside_a_broken_definition(
    pytester: pytest.Pytester,
) -> None:
    """A broken `:=` row is a page problem of its own: it must not shift the
    verdicts of the pairs after it onto their neighbours."""
    pytester.makeini("[pytest]\nverify_paths = docs\n")
    pytester.mkdir("docs")
    (pytester.path / "docs" / "broken.md").write_text(BROKEN_DEFINITION, encoding="utf-8")
    result = pytester.runpytest("-rfEp")
    failed = {line for line in result.outlines if line.startswith("FAILED")}
    passed = {line for line in result.outlines if line.startswith("PASSED")}
    # the true step (line 11) passes, the false step (line 15) fails, and the
    # broken definition (line 7) is reported at its own line
    assert any("broken.md" in line and "15" in line for line in failed), result.outlines
    assert any("broken.md" in line and "11" in line for line in passed), result.outlines
    assert not any("broken.md" in line and "11" in line for line in failed), result.outlines
    assert any("broken.md" in line and "7" in line for line in failed), result.outlines


# ------------------------------------------------------------------ opting in


def test_an_unrelated_project_is_untouched(pytester: pytest.Pytester) -> None:
    """No `verify_paths`, no `--verify`: Markdown under docs/ is not collected."""
    pytester.mkdir("docs")
    (pytester.path / "docs" / "notes.md").write_text(
        "---\nsymbols:\n  n: size\n---\n\n$$\na + a = 3a\n$$\n", encoding="utf-8"
    )
    pytester.makepyfile(test_plain="def test_plain():\n    assert True\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    assert not (pytester.path / ".verify-cache").exists()
    assert "notes.md" not in result.stdout.str()
    # the Markdown file named on the command line is not ours to collect either
    assert pytester.runpytest("docs/notes.md").ret != pytest.ExitCode.TESTS_FAILED


def test_the_verify_flag_turns_the_checker_on(pytester: pytest.Pytester) -> None:
    pytester.mkdir("docs")
    (pytester.path / "docs" / "other.md").write_text(OTHER, encoding="utf-8")
    pytester.runpytest("--verify").assert_outcomes(passed=1)
    assert (pytester.path / ".verify-cache" / "CACHEDIR.TAG").exists()


# ----------------------------------------------------------- pytest's options


def test_runxfail_shows_the_expected_failure_as_a_failure(site: pytest.Pytester) -> None:
    result = site.runpytest("docs/steps.md", "--runxfail", "-k", "28")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["expected-failure: expected failure (the cross term is missing): *", "*counterexample*"]
    )


def test_last_failed_reruns_only_the_failed_step(site: pytest.Pytester) -> None:
    site.runpytest().assert_outcomes(passed=3, failed=1, skipped=1, xfailed=1)
    again = site.runpytest("--lf")
    again.assert_outcomes(failed=1)
    again.stdout.fnmatch_lines(["FAILED docs/steps.md::line-18 - *"])


CONFTEST_LOG = """\
import json, os
import verify.running.check as check

_decide_all = check.decide_all


def _logged(tasks, *args, **kwargs):
    with open(os.environ["DECIDED_LOG"], "a", encoding="utf-8") as out:
        for task in tasks.values():
            out.write(json.dumps([os.path.basename(task.file), task.line]) + "\\n")
    return _decide_all(tasks, *args, **kwargs)


check.decide_all = _logged
"""


def test_xdist_workers_decide_only_the_items_they_run(
    site: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("xdist")
    log = site.path / "decided.log"
    monkeypatch.setenv("DECIDED_LOG", str(log))
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    site.makeconftest(CONFTEST_LOG)
    result = site.runpytest_subprocess("-n", "2", "-p", "xdist")
    result.assert_outcomes(passed=3, failed=1, skipped=1, xfailed=1)
    # the annotation of the failed step reaches the main process from its worker
    result.stdout.fnmatch_lines(["::error file=docs/steps.md,line=18,title=verify failed::*"])
    decided = [tuple(json.loads(line)) for line in log.read_text(encoding="utf-8").splitlines()]
    # every pair once, in whichever worker ran it: none decided twice
    assert sorted(decided) == sorted(
        [("other.md", 7), ("steps.md", 12), ("steps.md", 13), ("steps.md", 18),
         ("steps.md", 23), ("steps.md", 28)]
    )  # fmt: skip
