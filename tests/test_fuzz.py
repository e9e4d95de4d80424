"""Fuzzing: whatever a page holds, the checker answers with a verdict or a clean error.

Hypothesis makes LaTeX (from a vocabulary of tokens, from the grammar, and by
editing real pages), Markdown and front matter, and requires that

- the parser raises nothing but `LatexError`, and the mutation renderer writes
  every tree it can parse back to the same tree;
- extraction never raises, whatever the Markdown or the YAML;
- checking never raises, never answers with an "internal checker error", and
  every `error` has a message and a line inside the page.

The default run is modest (`max_examples` 150 for the fast properties, fewer
for those that run the whole checker); `FUZZ_EXAMPLES=5000 pytest
tests/test_fuzz.py` runs a long campaign (the slow properties get a third).
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verify import CheckOptions, Status, check_page
from verify.latex.parser import LatexError, parse_latex
from verify.latex.printer import round_trips
from verify.reading.markdown import extract_page

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
SLOW_EXAMPLES = max(10, EXAMPLES // 3)
OPTIONS = CheckOptions(timeout=5.0, workers=2, cache_dir=None)
FAST = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip
SLOW = settings(FAST, max_examples=SLOW_EXAMPLES)
REAL_PAGES = sorted(
    p for folder in ("docs", "tests/pages/corpus", "tests/pages/soundness", "tests/pages/mutation")
    for p in (ROOT / folder).rglob("*.md")
)  # fmt: skip
# Messages of known checker bugs, each with an xfail reproducer in
# tests/running/test_limits.py or tests/deciding/test_soundness.py; remove an entry when fixed.
KNOWN_BUGS: tuple[str, ...] = ()

NOTATION = """---
title: fuzz
symbols:
  n, m: size
  i: index 1..m
  j, l: index 1..3
  A, B: matrix(n, n)
  S: matrix(n, n), symmetric, positive-definite
  x, y: vector(n)
  \\mu_j: vector(n)
  w_j^{(i)}: scalar, positive, sums to 1 over j
  a, b: scalar
  p: scalar, positive
  g: function
wrt: x
---
"""

# --------------------------------------------------------------- strategies

TOKENS = [
    *"abcxyzABSTenmijlpg0123456789", "+", "-", "*", "/", "^", "_", "'", "=", ",", ";", "&",
    "{", "}", "(", ")", "[", "]", "|", "\\|", "\\\\", "!", ".", "~", "%", "<", ">", "\\",
    "\\frac", "\\dfrac", "\\sqrt", "\\sum", "\\prod", "\\nabla", "\\partial", "\\left",
    "\\right", "\\big", "\\Bigl", "\\cdot", "\\times", "\\odot", "\\top", "\\intercal", "\\T",
    "\\mathbf", "\\mathrm", "\\mathcal", "\\hat", "\\text", "\\operatorname", "\\log", "\\exp",
    "\\det", "\\sin", "\\alpha", "\\Sigma", "\\mu", "\\pi", "\\infty", "\\langle", "\\rangle",
    "\\{", "\\}", "\\,", "\\quad", "\\ne", "\\le", "\\lvert", "\\rVert", "\\prime",
    "\\begin{bmatrix}", "\\end{bmatrix}", "\\begin{pmatrix}", "\\end{cases}", "\\mathrm{T}",
    "\\text{const}", "\\operatorname{tr}", "\\unknowncommand", "é", "∑", "\t", "\n",
]  # fmt: skip

token_soup = st.lists(st.sampled_from(TOKENS), max_size=30).map(" ".join) | st.lists(
    st.sampled_from(TOKENS), max_size=30
).map("".join)

LEAVES = ["a", "b", "p", "x", "y", "A", "B", "S", "\\mu_j", "\\mu_l", "w_j^{(i)}", "w_l^{(i)}",
          "2", "3", "\\frac{1}{2}", "c", "\\alpha", "n", "i", "\\pi", "e"]  # fmt: skip
UNARY = ["-{0}", "({0})", "{{{0}}}^T", "{{{0}}}^{{-1}}", "{{{0}}}^2", "\\sqrt{{{0}}}", "|{0}|",
         "\\|{0}\\|", "\\log({0})", "e^{{{0}}}", "\\sum_{{j=1}}^{{3}} {0}", "\\nabla_x {0}",
         "\\operatorname{{tr}}({0})", "\\det({0})", "\\left({0}\\right)", "g({0})",
         "\\frac{{\\partial}}{{\\partial x}} {0}", "\\sin {0}", "{{{0}}}'"]  # fmt: skip
BINARY = ["{0} + {1}", "{0} - {1}", "{0} {1}", "{0} \\cdot {1}", "\\frac{{{0}}}{{{1}}}",
          "\\langle {0}, {1} \\rangle", "{0} \\odot {1}", "{{{0}}}^{{{1}}}", "{0} / {1}",
          "\\begin{{bmatrix}} {0} & {1} \\end{{bmatrix}}"]  # fmt: skip

grammar_latex = st.recursive(
    st.sampled_from(LEAVES),
    lambda inner: st.one_of(
        st.tuples(st.sampled_from(UNARY), inner).map(lambda t: t[0].format(t[1])),
        st.tuples(st.sampled_from(BINARY), inner, inner).map(lambda t: t[0].format(t[1], t[2])),
    ),
    max_leaves=12,
)

# Scalar expressions of moderate size (no exponential towers), for properties
# that need the checker to reach a verdict: E = E is never failed, and
# E = E + 1 is never verified.
SCALAR_LEAVES = ["a", "b", "p", "2", "3", "\\frac{1}{2}", "\\pi", "x^T y", "\\mu_j^T \\mu_l",
                 "w_j^{(i)}", "n", "x^T S x", "\\operatorname{tr}(A)", "\\det(B)"]  # fmt: skip
SCALAR_UNARY = ["-{0}", "({0})", "{{{0}}}^2", "\\sqrt{{{0}}}", "|{0}|", "\\log({0})",
                "\\sin({0})", "\\cos {0}", "\\left({0}\\right)", "\\sum_{{j=1}}^{{3}} {0}"]  # fmt: skip
SCALAR_BINARY = ["{0} + {1}", "{0} - {1}", "{0} {1}", "{0} \\cdot {1}", "\\frac{{{0}}}{{{1}}}"]
scalar_latex = st.recursive(
    st.sampled_from(SCALAR_LEAVES),
    lambda inner: st.one_of(
        st.tuples(st.sampled_from(SCALAR_UNARY), inner).map(lambda t: t[0].format(t[1])),
        st.tuples(st.sampled_from(SCALAR_BINARY), inner, inner).map(
            lambda t: t[0].format(t[1], t[2])
        ),
    ),
    max_leaves=8,
)

RELATIONS = ["=", "=", "=", "\\le", "<", "\\propto", ":=", "= \\text{const} +", "\\approx"]


@st.composite
def derivation_page(draw: st.DrawFn) -> str:
    """A page with the fixed notation and a few generated pairs."""
    blocks = []
    for _ in range(draw(st.integers(1, 3))):
        lhs, rhs = draw(grammar_latex), draw(grammar_latex)
        relation = draw(st.sampled_from(RELATIONS))
        blocks.append(f"$$\n{lhs} {relation} {rhs}\n$$\n")
    return NOTATION + "\n" + "\n".join(blocks)


@st.composite
def edited_page(draw: st.DrawFn, window: int | None = None) -> str:
    """A real page with a few random edits: deletions, insertions, moved lines.

    With `window`, only the front matter and that many lines of the body are
    kept, so that checking the page stays quick.
    """
    text = draw(st.sampled_from(REAL_PAGES)).read_text(encoding="utf-8")
    if window is not None:
        lines = text.split("\n")
        end = lines.index("---", 1) + 1 if lines[0] == "---" and "---" in lines[1:] else 0
        start = draw(st.integers(end, max(end, len(lines) - window)))
        text = "\n".join(lines[:end] + lines[start : start + window])
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["delete", "insert", "swap", "duplicate", "truncate"]))
        if not text:
            break
        at = draw(st.integers(0, len(text) - 1))
        if kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        elif kind == "insert":
            text = text[:at] + draw(token_soup | st.sampled_from(INSERTS)) + text[at:]
        elif kind == "truncate":
            text = text[:at]
        else:
            lines = text.split("\n")
            a, b = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            if kind == "swap":
                lines[a], lines[b] = lines[b], lines[a]
            else:
                lines.insert(a, lines[b])
            text = "\n".join(lines)
    return text


INSERTS = ["$$", "\n$$\n", "```math\n", "\n```\n", "---\n", "<!-- verify: skip -->\n",
           "<!-- verify: wrt -->\n", "<!-- verify: expect-fail \"x\" -->\n", "\\begin{aligned}",
           "\\end{aligned}", "&=", "&&", "\\\\", "\\tag{1}", "% verify: skip", ":=", "\\[",
           "symbols:\n  q: matrix(n)\n", "\\eqref{x}", "\r\n", "\x00", "\ufeff"]  # fmt: skip

yaml_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True),
    st.sampled_from(["scalar", "size", "index 1..m", "index m..1", "index 1..", "vector(n)",
                     "vector()", "matrix(n, n), symmetric", "matrix(n, m), orthogonal",
                     "identity(n)", "function", "scalar, sums to 1 over j", "scalar, wobbly",
                     "matrix(q, q)", "vector(n+1)", "vector(0)", "matrix(100000, 100000)", ""]),
    st.text(max_size=20),
)  # fmt: skip
yaml_keys = st.one_of(
    st.sampled_from(["x", "A", "\\mu_j", "w_j^{(i)}", "x^{(i)}", "n, m", "i", "j", "1x", "_",
                     "\\mathbf{x}", "x_{jk}", "x^{((i))}", "\\hat{\\mathbf{y}}", "x,", "{", "}"]),
    st.text(max_size=8),
)  # fmt: skip


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    import yaml

    symbols = draw(st.dictionaries(yaml_keys, yaml_scalar, max_size=6))
    data: dict[object, object] = {"title": draw(st.text(max_size=10)), "symbols": symbols}
    if draw(st.booleans()):
        data["wrt"] = draw(yaml_keys | yaml_scalar)
    if draw(st.booleans()):
        data["unverified"] = draw(yaml_scalar)
    if draw(st.booleans()):
        data["symbols"] = draw(st.sampled_from([None, [], "x: scalar", 3, {"x": ["scalar"]}]))
    body = yaml.safe_dump(data, allow_unicode=True)
    extra = draw(st.sampled_from(["", "!!python/object/apply:os.system ['true']\n",
                                  "x: !!binary aGk=\n", "a: &a [1]\nb: *a\n", "<<: {x: 1}\n",
                                  ": :\n", "  - bad\n", "? complex\n"]))  # fmt: skip
    return f"---\n{body}{extra}---\n"


@st.composite
def markdown_page(draw: st.DrawFn) -> str:
    parts = [draw(front_matter())] if draw(st.booleans()) else []
    for _ in range(draw(st.integers(0, 4))):
        parts.append(draw(st.sampled_from([
            "$$\n{}\n$$\n", "```math\n{}\n```\n", "$${}$$\n", "\\[\n{}\n\\]\n",
            "<!-- verify: {} -->\n$$\na = a\n$$\n", "\\begin{{align*}}\n{}\n\\end{{align*}}\n",
            "text ${}$ more\n", "    $$\n    {}\n    $$\n", "> $$\n> {}\n> $$\n", "- $$\n  {}\n  $$\n",
        ])).format(draw(token_soup | grammar_latex)))  # fmt: skip
    return "\n".join(parts)


# ---------------------------------------------------------------- properties


def assert_clean(text: str) -> None:
    """Check a page; every answer must be a verdict or an error with its place."""
    report = check_page("fuzz.md", OPTIONS, text=text)
    lines = text.replace("\r\n", "\n").count("\n") + 1
    for result in report.results:
        assert isinstance(result.status, Status)
        if result.status == Status.ERROR:
            assert result.message, f"an error without a message at line {result.line}"
            if any(bug in result.message for bug in KNOWN_BUGS):
                continue
            assert "internal checker error" not in result.message, result.message
            assert 1 <= result.line <= lines + 1, f"line {result.line} outside the page"


@FAST
@given(token_soup)
def test_parser_raises_only_latex_errors(text: str) -> None:
    try:
        tree = parse_latex(text)
    except LatexError as err:
        assert 0 <= err.offset <= len(text)
        return
    except RecursionError:
        return  # reported by the checker as too deep (`verify.errors.too_deep`)
    assert round_trips(tree)


@FAST
@given(grammar_latex)
def test_grammar_latex_parses_and_round_trips(text: str) -> None:
    try:
        tree = parse_latex(text)
    except LatexError as err:
        assert 0 <= err.offset <= len(text)
        return
    assert round_trips(tree), text


@FAST
@given(edited_page())
def test_extract_survives_edited_pages(text: str) -> None:
    page = extract_page("fuzz.md", text)
    lines = text.replace("\r\n", "\n").count("\n") + 1
    for problem in page.problems:
        assert problem.message and 1 <= problem.line <= lines + 1


@FAST
@given(markdown_page())
def test_extract_survives_random_markdown(text: str) -> None:
    page = extract_page("fuzz.md", text)
    for problem in page.problems:
        assert problem.message and problem.line >= 1


@SLOW
@given(derivation_page())
def test_check_answers_generated_pairs(text: str) -> None:
    assert_clean(text)


@SLOW
@given(st.lists(scalar_latex, min_size=1, max_size=3))
def test_identical_sides_never_fail_and_shifted_sides_never_pass(sides: list[str]) -> None:
    blocks = [f"$$\n{e} = {e}\n$$\n\n$$\n{e} = {e} + 1\n$$\n" for e in sides]
    report = check_page("fuzz.md", OPTIONS, text=NOTATION + "\n" + "\n".join(blocks))
    results = report.results[len(report.page.problems) :]
    assert len(results) == 2 * len(sides)
    for same, shifted in zip(results[::2], results[1::2], strict=True):
        assert same.status != Status.FAILED, (same.lhs, same.message)
        assert not shifted.status.is_verified, f"{shifted.lhs} = {shifted.rhs} passed"
        for r in (same, shifted):
            assert "internal checker error" not in r.message, r.message


@SLOW
@given(edited_page(window=30))
def test_check_answers_edited_pages(text: str) -> None:
    assert_clean(text)


@SLOW
@given(markdown_page())
def test_check_answers_random_markdown(text: str) -> None:
    assert_clean(text)


def test_propto_of_vectors_is_a_clean_error() -> None:
    """Found by this file's generated pairs: ∂a/∂x (a zero vector) ∝ x."""
    text = NOTATION + "\n$$\n\\frac{\\partial}{\\partial x} a \\propto x\n$$\n"
    report = check_page("fuzz.md", OPTIONS, text=text)
    (result,) = report.results
    assert "internal checker error" not in result.message, result.message
    assert result.status == Status.ERROR and "compares two scalars" in result.message


def test_real_pages_are_found() -> None:
    assert len(REAL_PAGES) >= 10
