"""Re-checking an edited page in one process uses the page's new notation."""

from __future__ import annotations

from pathlib import Path

from verify import CheckOptions, Status, check_page

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
