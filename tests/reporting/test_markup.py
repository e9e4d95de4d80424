"""Status markup put into a page's HTML: each chain around its own formula."""

from __future__ import annotations

import pytest

from verify.reporting.markup import (
    HEADER_PLACEHOLDER,
    Chain,
    Markup,
    escape_math,
    math_key,
    put_markup,
)

ALIGNED = "\\begin{aligned}\na &= b && \\text{why} \\\\\n&= c\n\\end{aligned}"
SHOWN = "\\begin{aligned}\na &= b \\\\\n&= c\n\\end{aligned}"


def chain(key_of: str = ALIGNED, occurrence: int = 0, line: int = 3) -> Chain:
    return Chain(line, math_key(escape_math(key_of)), occurrence, SHOWN, "<OPEN>", "<CLOSE>")


def formula(math: str, tag: str = "div") -> str:
    escaped = math.replace("&", "&amp;").replace("<", "&lt;")
    return f'<{tag} class="arithmatex">\\[\n{escaped}\n\\]</{tag}>'


def test_a_chain_wraps_its_formula_shown_without_justifications() -> None:
    page = f"<h1>T</h1>\n<p>{HEADER_PLACEHOLDER}</p>\n{formula(ALIGNED)}\n<p>after</p>"
    out = put_markup(page, Markup(header="<HEADER>", chains=[chain()]))
    assert out == (f"<h1>T</h1>\n<HEADER>\n<OPEN>{formula(SHOWN)}<CLOSE>\n<p>after</p>")


def test_a_fenced_formula_and_white_space_still_match() -> None:
    page = formula("  " + ALIGNED.replace("\n", "\n    "), tag="pre")
    out = put_markup(page, Markup(chains=[chain()]))
    assert out.startswith('<OPEN><pre class="arithmatex">') and out.endswith("</pre><CLOSE>")


def test_the_second_of_two_equal_formulas_gets_the_second_chain() -> None:
    page = f"{formula('x = y')}<p>between</p>{formula('x = y')}"
    second = Chain(9, math_key("x = y"), 1, "x = y", "<OPEN>", "<CLOSE>")
    out = put_markup(page, Markup(chains=[second]))
    assert out.index("between") < out.index("<OPEN>")


def test_a_formula_not_found_is_shown_under_the_title() -> None:
    page = f"<h1>T</h1>{HEADER_PLACEHOLDER}<p>no formula</p>"
    out = put_markup(page, Markup(loose=[(1, "<PANEL>")], chains=[chain(line=5)]))
    top = out[: out.index("<p>no formula")]
    assert "Problems on this page" in top and top.index("<PANEL>") < top.index("<OPEN>")
    assert "a &amp;= b" in top  # its formula, drawn as the page would


def test_markup_survives_the_cache() -> None:
    markup = Markup(header="<H>", loose=[(2, "<P>")], chains=[chain(), chain(occurrence=1)])
    assert Markup.unpack(markup.pack("# T\n\n{x}", "")) == (["# T\n\n{x}", ""], markup)
    assert Markup.unpack(Markup().pack()) == ([], Markup())
    assert not Markup() and markup
    with pytest.raises(ValueError):
        Markup.unpack(markup.pack("text")[:-1])


def test_the_header_comes_first_when_its_placeholder_is_gone() -> None:
    out = put_markup("<p>text</p>", Markup(header="<HEADER>", loose=[(1, "<PANEL>")]))
    assert out.startswith("<HEADER>") and out.index("<PANEL>") < out.index("<p>text</p>")
