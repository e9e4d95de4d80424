"""A symbol's meaning: the `# comment` that ends its `symbols:` line.

YAML drops comments, so the front matter reader takes them from the source;
the meaning is shown in the notation table and never changes a verdict.
"""

from __future__ import annotations

from verify.model import Block, Page
from verify.reading.markdown import extract_page
from verify.running.keys import notation_digest

PAGE = """\
---
title: "Meanings"
symbols:
  n, m: size                       # dimension and number of points
  x^{(i)}: vector(n)               # the $i$-th data point # with a hash
  i: index 1..m
  A: "matrix(n, n)"  # a quoted value
---

# Meanings
"""


def meanings(source: str) -> dict[str, str]:
    return {d.key: d.meaning for d in extract_page("p.md", source).declarations}


def test_a_trailing_comment_is_the_meaning() -> None:
    assert meanings(PAGE) == {
        "n": "dimension and number of points",
        "m": "dimension and number of points",
        "x^{(i)}": "the $i$-th data point # with a hash",
        "i": "",
        "A": "a quoted value",
    }


def test_a_meaning_changes_no_verdict() -> None:
    def digest(source: str) -> str:
        page = extract_page("p.md", source)
        return notation_digest(Page("p.md", {}, 0, [Block(1, 1, "")], page.declarations, []))

    assert digest(PAGE) == digest(PAGE.replace("# the $i$-th data point", "# another meaning"))
    assert digest(PAGE) != digest(PAGE.replace("x^{(i)}: vector(n)", "x^{(i)}: vector(m)"))
