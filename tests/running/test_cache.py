"""The verdict cache: an edited page is checked with its new notation; the database
is tagged, pruned, shared by processes, and never needed for a verdict."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from verify import CheckOptions, Status, check_page, check_paths
from verify.model import PageSummary
from verify.running.cache import DATABASE, Cache

PAGE = """\
---
title: "round {round_}"
symbols:
  n: size
  x, y: vector(n)
  A: matrix(n, n){props}
---

$$
x^T A y = y^T A x
$$
"""


def test_an_edited_page_is_checked_with_its_new_notation(tmp_path: Path) -> None:
    options = CheckOptions(workers=1, cache_dir=tmp_path / "cache")
    page = tmp_path / "page.md"
    for round_ in range(200):
        symmetric = round_ % 2 == 0
        text = PAGE.format(round_=round_, props=", symmetric" if symmetric else "")
        page.write_text(text, encoding="utf-8")
        # only the statuses are kept: the page object of this round is freed
        # before the next round, as in a long-running `mkdocs serve`
        statuses = [r.status for r in check_page(page, options).results]
        expected = Status.CHECKED if symmetric else Status.FAILED
        assert statuses == [expected], (round_, statuses)


def test_a_pair_key_changes_with_the_notation_of_the_same_page_object() -> None:
    """The key is a digest of the notation, not of which page object it came from."""
    from verify.reading.markdown import extract_page
    from verify.running.keys import notation_digest, pair_key

    page = extract_page("p.md", PAGE.format(round_=0, props=", symmetric"))
    pair = page.pairs[0]
    before = pair_key(pair, notation_digest(page), page.wrt, [])
    # the same object now carries the notation of the edited page
    page.declarations = extract_page("p.md", PAGE.format(round_=0, props="")).declarations
    after = pair_key(pair, notation_digest(page), page.wrt, [])
    assert before != after


# ------------------------------------------------------------- the database

STEPS = """\
---
symbols:
  n: size
  x: vector(n)
---

$$
(a + b)^2 = a^2 + 2ab + b^2
$$

$$
x^T x + {k} = {k} + x^T x
$$
"""


def _pairs(cache_dir: Path) -> int:
    cache = Cache(cache_dir)
    count = cache.count()
    cache.close()
    return count


def test_the_cache_folder_is_tagged_and_ignored(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / "verdicts.json").write_text("{}", encoding="utf-8")  # an old cache
    page = tmp_path / "p.md"
    page.write_text(STEPS.format(k=1), encoding="utf-8")
    check_page(page, CheckOptions(workers=1, cache_dir=folder))
    tag = (folder / "CACHEDIR.TAG").read_text(encoding="utf-8")
    assert tag.startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert (folder / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    assert not (folder / "verdicts.json").exists()
    assert _pairs(folder) == 2


def test_an_edited_step_replaces_its_old_entry(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    page = tmp_path / "p.md"
    for k in range(1, 5):
        page.write_text(STEPS.format(k=k), encoding="utf-8")
        check_page(page, CheckOptions(workers=1, cache_dir=folder))
        assert _pairs(folder) == 2, k  # the unchanged step, and this version of the other


def test_a_page_gone_from_a_checked_folder_is_forgotten(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text(STEPS.format(k=1), encoding="utf-8")
    (docs / "b.md").write_text(STEPS.format(k=2), encoding="utf-8")
    options = CheckOptions(workers=1, cache_dir=folder)
    check_paths([docs], options)
    assert _pairs(folder) == 3  # (a + b)^2 is the same pair on both pages
    (docs / "b.md").unlink()
    check_paths([docs / "a.md"], options)  # one file: nothing is known of the others
    assert _pairs(folder) == 3
    check_paths([docs], options)  # the folder, whole
    assert _pairs(folder) == 2


def test_a_shared_step_stays_while_another_page_uses_it(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    a.write_text(STEPS.format(k=1), encoding="utf-8")
    b.write_text(STEPS.format(k=2), encoding="utf-8")
    options = CheckOptions(workers=1, cache_dir=folder)
    check_paths([a, b], options)
    a.write_text(STEPS.format(k=3).replace("2ab", "ab + ba"), encoding="utf-8")
    check_paths([a], options)
    # b's two entries, and a's two new ones
    assert _pairs(folder) == 4
    warm = check_paths([b], options)[0]
    assert all(r.seconds == 0.0 for r in warm.results)


def test_a_damaged_database_is_started_again(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / DATABASE).write_bytes(b"this is not a database" * 100)
    page = tmp_path / "p.md"
    page.write_text(STEPS.format(k=1), encoding="utf-8")
    report = check_page(page, CheckOptions(workers=1, cache_dir=folder))
    assert len(report.results) == 2
    assert not any(r.status.is_problem for r in report.results)
    assert _pairs(folder) == 2


def test_a_cache_that_cannot_be_written_is_turned_off_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    page = tmp_path / "p.md"
    page.write_text(STEPS.format(k=1), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="verify"):
        report = check_page(page, CheckOptions(workers=1, cache_dir=blocker))
    assert not any(r.status.is_problem for r in report.results)
    assert any("verdict cache" in m and "turned off" in m for m in caplog.messages)


def test_only_the_selected_pairs_are_decided(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    page.write_text(STEPS.format(k=1), encoding="utf-8")
    options = CheckOptions(workers=1, cache_dir=tmp_path / "cache")
    report = check_paths([page], options, select={page: {"line-12"}})[0]
    assert list(report.verdicts) == ["line-12"]
    assert _pairs(tmp_path / "cache") == 1
    # a page checked in part is not stored whole: the next full run decides the rest
    full = check_paths([page], options)[0]
    assert list(full.verdicts) == ["line-8", "line-12"]
    assert full.verdicts["line-12"].seconds == 0.0 and full.verdicts["line-8"].seconds > 0


def test_processes_share_one_cache(tmp_path: Path) -> None:
    """Four processes write their verdicts to one database at the same time."""
    folder = tmp_path / "cache"
    pages = []
    for k in range(4):
        page = tmp_path / f"p{k}.md"
        page.write_text(STEPS.format(k=k + 1), encoding="utf-8")
        pages.append(page)
    command = [sys.executable, "-m", "verify", "check", "--workers", "1", "--quiet"]
    procs = [
        subprocess.Popen([*command, "--cache-dir", str(folder), str(p)], cwd=tmp_path)
        for p in pages
    ]
    assert [p.wait(timeout=300) for p in procs] == [0, 0, 0, 0]
    assert _pairs(folder) == 5  # one shared step, four others
    warm = check_paths(pages, CheckOptions(workers=1, cache_dir=folder))
    assert all(r.seconds == 0.0 for report in warm for r in report.results)


def test_a_step_on_two_pages_is_decided_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Equal keys in one run are one task; each page gets the verdict at its own line."""
    import verify.running.check as check

    decided: list[int] = []
    real = check.decide_all

    def counting(tasks, *args, **kwargs):  # type: ignore[no-untyped-def]
        decided.append(len(tasks))
        return real(tasks, *args, **kwargs)

    monkeypatch.setattr(check, "decide_all", counting)
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    a.write_text(STEPS.format(k=1), encoding="utf-8")
    lower = STEPS.format(k=1).replace("---\n\n$$", "---\n\n\n\n$$", 1)
    b.write_text(lower, encoding="utf-8")  # the same steps, two lines lower
    ra, rb = check_paths([a, b], CheckOptions(workers=1, cache_dir=None))
    assert decided == [2]
    assert [r.line for r in ra.verdicts.values()] == [8, 12]
    assert [r.line for r in rb.verdicts.values()] == [10, 14]
    assert [r.file for r in rb.verdicts.values()] == [rb.page.file] * 2
    assert [r.status for r in ra.verdicts.values()] == [r.status for r in rb.verdicts.values()]


# ------------------------------------------------------------- summaries


def _summaries(cache_dir: Path) -> int:
    cache = Cache(cache_dir)
    assert cache.db is not None
    (count,) = cache.db.execute("SELECT count(*) FROM summaries").fetchone()
    cache.close()
    return int(count)


def test_an_unchanged_page_is_answered_by_its_summary_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from verify.running import check

    folder = tmp_path / "cache"
    page = tmp_path / "p.md"
    page.write_text(STEPS.format(k=1).replace("2ab", "ab"), encoding="utf-8")  # one wrong step
    options = CheckOptions(workers=1, cache_dir=folder)
    (first,) = check.summarize_paths([page], options)
    assert first.report is not None  # checked: the report comes along
    assert first.summary.counts["failed"] == 1 and first.summary.counts["checked"] == 1
    (problem,) = first.summary.problems
    assert problem[:2] == (8, "failed") and "differ" in problem[2]

    def no_reports(*args: object, **kwargs: object) -> None:
        raise AssertionError("a report was decoded")

    monkeypatch.setattr(Cache, "get_page", no_reports)
    (again,) = check.summarize_paths([page], options)
    assert again.report is None and again.summary == first.summary
    page.write_text(STEPS.format(k=2), encoding="utf-8")  # edited: checked again
    monkeypatch.undo()
    (edited,) = check.summarize_paths([page], options)
    assert edited.report is not None and edited.summary.problems == ()
    assert _summaries(folder) == 1  # the old version's summary went with its page


def test_a_page_kept_without_a_summary_gets_one(tmp_path: Path) -> None:
    from verify.running import check

    folder = tmp_path / "cache"
    page = tmp_path / "p.md"
    page.write_text(STEPS.format(k=1), encoding="utf-8")
    options = CheckOptions(workers=1, cache_dir=folder)
    check_page(page, options)
    cache = Cache(folder)  # as an older checker left it: the page, no summary
    assert cache.db is not None
    cache.db.execute("DELETE FROM summaries")
    cache.close()
    (answer,) = check.summarize_paths([page], options)
    assert answer.report is not None and answer.summary == PageSummary.of(answer.report)
    assert _summaries(folder) == 1
    (again,) = check.summarize_paths([page], options)
    assert again.report is None and again.summary == answer.summary
