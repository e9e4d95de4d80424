"""The round-trip printer: what it writes reads back as the same tree and the same term.

Hypothesis builds expressions from the constructs a derivation uses (the known
functions, indicators, factorials, operators with their scopes, scripts,
primes, slashes), parses them, prints the tree with `round_trip`, and reads
the printed LaTeX back. The property: the same tree, and, translated with one
fixed notation, the same term (or the same error). A printer that dropped a
bracket or a space that matters would change the term a reviewer is shown.
"""

from __future__ import annotations

import os
from dataclasses import fields
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verify.errors import LatexError, TranslateError
from verify.latex.parser import parse_latex
from verify.latex.printer import round_trip, shape_of_tree
from verify.meaning import terms as T
from verify.meaning.translate import Translator
from verify.reading.notation import declare

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])  # fmt: skip

NOTATION = declare(
    {
        "n": "size",
        "\\beta": "scalar",
        "j": "index 1..3",
        "a, b": "scalar",
        "a'": "scalar",
        "p": "scalar, probability",
        "x, y": "vector(n)",
        "u, v": "vector(3)",
        "A": "matrix(n, n)",
        "g": "function",
    },
    {},
    1,
)

LEAVES = ["a", "b", "p", "a'", "2", "3", "n", "j", "\\pi", "e", "x^T y", "u^T v", "c",
          "\\frac{1}{2}", "\\operatorname{tr}(A)", "x^\\top A y"]  # fmt: skip
UNARY = [
    "-{0}", "({0})", "{{{0}}}^2", "\\sqrt{{{0}}}", "|{0}|", "\\log({0})", "\\sin^{{-1}}({0})",
    "\\cos^2 {0}", "\\tanh^{{-1}} {0}", "\\max({0}, a)", "\\min\\{{{0}, b, 1\\}}",
    "\\lfloor {0} \\rfloor", "\\left\\lceil {0} \\right\\rceil", "\\operatorname{{sign}}({0})",
    "1\\{{{0} > a\\}}", "\\mathbb{{1}}\\{{{0} \\le b\\}}", "({0})!", "\\binom{{{0}}}{{2}}",
    "\\frac{{d}}{{da}}({0})", "\\frac{{\\partial}}{{\\partial a}} {0}", "g({0})", "g'({0})",
    "\\sum_{{j=1}}^{{3}} {0}", "e^{{{0}}}", "\\exp\\left({0}\\right)", "\\log_2 ({0})",
    "{{{0}}}^T", "c({0})", "\\beta^T {0}",
]  # fmt: skip
BINARY = ["{0} + {1}", "{0} - {1}", "{0} {1}", "{0} \\cdot {1}", "\\frac{{{0}}}{{{1}}}",
          "{0} / {1}", "{0}/2 {1}", "({0})({1})", "\\frac{{d}}{{da}}({0})\\, {1}",
          "\\nabla_x ({0})\\, {1}", "u \\times v {0}", "{0} \\times {1}"]  # fmt: skip

expressions = st.recursive(
    st.sampled_from(LEAVES),
    lambda inner: st.one_of(
        st.tuples(st.sampled_from(UNARY), inner).map(lambda t: t[0].format(t[1])),
        st.tuples(st.sampled_from(BINARY), inner, inner).map(lambda t: t[0].format(t[1], t[2])),
    ),
    max_leaves=8,
)


def shape_of_term(term: Any) -> Any:
    """A term as plain tuples without positions, to compare two terms."""
    if isinstance(term, T.Term):
        return (type(term).__name__,) + tuple(
            shape_of_term(getattr(term, f.name)) for f in fields(term) if f.name != "pos"
        )
    if isinstance(term, (list, tuple)):
        return tuple(shape_of_term(x) for x in term)
    return term


def meaning(tree: Any) -> Any:
    """The translated term (as tuples), or the translation error's message."""
    try:
        return shape_of_term(Translator(NOTATION).translate(tree))
    except TranslateError as err:
        return ("error", err.message)


@SETTINGS
@given(expressions)
def test_printed_expression_reads_back_as_the_same_term(text: str) -> None:
    try:
        tree = parse_latex(text)
    except LatexError:
        return
    printed = round_trip(tree)
    again = parse_latex(printed)
    assert shape_of_tree(again) == shape_of_tree(tree), (text, printed)
    assert meaning(again) == meaning(tree), (text, printed)


def test_the_new_constructs_round_trip() -> None:
    """Each construct of the known-function table, once, by name."""
    for text in ["n!", "(n + 1)! 2", "\\binom{n}{2}", "\\lfloor a \\rfloor", "\\lceil a \\rceil",
                 "1\\{a = b\\}", "\\mathbb{1}\\{a \\ne b\\}", "\\max\\{a, b\\}", "\\min(a, b)",
                 "\\sin^{-1} a", "\\operatorname{sgn}(a)", "a'", "u \\times v"]:  # fmt: skip
        tree = parse_latex(text)
        printed = round_trip(tree)
        assert shape_of_tree(parse_latex(printed)) == shape_of_tree(tree), (text, printed)
        assert meaning(parse_latex(printed)) == meaning(tree), (text, printed)
        assert meaning(tree)[0] != "error", (text, meaning(tree))
