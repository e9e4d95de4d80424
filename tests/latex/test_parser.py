"""The LaTeX surface, as a table: LaTeX in, syntax tree (as an S-expression) or error out.

Each row is one reading the parser must give. Trees are written compactly:
`(+ a (- b))` a sum, `(* a cdot:b)` a product with its written operator,
`(scr base sub sup primes)` a scripted symbol, `(group …)` braces,
`(paren …)` parentheses, `<kind text>` a token that is not a symbol.
These tests run in well under a second, without the worker pool.
"""

from __future__ import annotations

import pytest

from verify.errors import LatexError
from verify.latex import tree as ast
from verify.latex.parser import parse_latex


def sexp(node: ast.Node | None) -> str:
    """A tree as a short S-expression, without positions."""
    if node is None:
        return "-"
    if isinstance(node, ast.Atom):
        if node.kind in ("LETTER", "SYMBOL", "NUMBER"):
            return node.text
        return f"<{node.kind.lower()} {node.text}>"
    if isinstance(node, ast.Scripted):
        return f"(scr {sexp(node.base)} {sexp(node.sub)} {sexp(node.sup)}{' ' + str(node.primes) if node.primes else ''})"
    if isinstance(node, ast.Sum):
        return "(+ " + " ".join(sexp(t) if s > 0 else f"(- {sexp(t)})" for s, t in node.terms) + ")"
    if isinstance(node, ast.Negate):
        return f"(neg {sexp(node.body)})"
    if isinstance(node, ast.Product):
        parts = [sexp(node.factors[0])]
        for op, f in zip(node.ops, node.factors[1:], strict=True):
            parts.append((op + ":" if op else "") + sexp(f))
        return "(* " + " ".join(parts) + ")"
    if isinstance(node, ast.Delimited):
        name = {"(": "paren", "[": "brack", "{": "group", "\\{": "set"}[node.delimiter]
        inner = [sexp(node.items[0])]
        for sep, item in zip(node.separators, node.items[1:], strict=True):
            inner.append(sep + " " + sexp(item))
        return f"({name} " + " ".join(inner) + ")"
    if isinstance(node, ast.Bars):
        return f"({'norm' if node.double else 'bars'} {sexp(node.body)})"
    if isinstance(node, ast.Inner):
        return f"(inner {sexp(node.left)} {sexp(node.right)})"
    if isinstance(node, ast.Fraction):
        return f"(frac {sexp(node.numerator)} {sexp(node.denominator)})"
    if isinstance(node, ast.Root):
        return (
            f"(sqrt {sexp(node.body)})"
            if node.degree is None
            else f"(root {sexp(node.degree)} {sexp(node.body)})"
        )
    if isinstance(node, ast.MatrixLiteral):
        return (
            "(matrix "
            + " ".join("(" + " ".join(sexp(c) for c in row) + ")" for row in node.rows)
            + ")"
        )
    if isinstance(node, ast.Limit):
        return f"({'=' if node.op == '=' else 'ne'} {sexp(node.left)} {sexp(node.right)})"
    if isinstance(node, ast.Sequence):
        return "(seq " + " ".join(sexp(i) for i in node.items) + ")"
    if isinstance(node, ast.Equation):
        return f"(eq {sexp(node.left)} {sexp(node.right)})"
    raise TypeError(type(node))


PARSES = [
    ("x", "x"),
    ("42", "42"),
    ("3.5", "3.5"),
    ("\\alpha", "\\alpha"),
    ("\\Sigma", "\\Sigma"),
    ("\\ell", "\\ell"),
    ("a + b", "(+ a b)"),
    ("a - b", "(+ a (- b))"),
    ("a + b - c", "(+ a b (- c))"),
    ("-a", "(neg a)"),
    ("-a + b", "(+ (neg a) b)"),
    ("+a", "a"),
    ("a - -b", "(+ a (- (neg b)))"),
    ("ab", "(* a b)"),
    ("a b c", "(* a b c)"),
    ("2x", "(* 2 x)"),
    ("2 x y", "(* 2 x y)"),
    ("a \\cdot b", "(* a cdot:b)"),
    ("a \\times b", "(* a times:b)"),
    ("a * b", "(* a *:b)"),
    ("a / b", "(* a /:b)"),
    ("a / b c", "(* a /:b c)"),
    ("a \\odot b", "(* a odot:b)"),
    ("a \\otimes b", "(* a otimes:b)"),
    ("x^2", "(scr x - 2)"),
    ("x^{10}", "(scr x - (group 10))"),
    ("x^10", "(* (scr x - 1) 0)"),
    ("x_1", "(scr x 1 -)"),
    ("x_{12}", "(scr x (group 12) -)"),
    ("x_i^2", "(scr x i 2)"),
    ("x^{(i)}", "(scr x - (group (paren i)))"),
    ("x^{(i)}_j", "(scr x j (group (paren i)))"),
    ("w_j^{(i)}", "(scr w j (group (paren i)))"),
    ("A^T", "(scr A - T)"),
    ("A^\\top", "(scr A - <transpose top>)"),
    ("A^\\intercal", "(scr A - <transpose intercal>)"),
    ("A^{\\mathsf{T}}", "(scr A - (group <transpose \\mathsf{T}>))"),
    ("A^{\\mathrm{T}}", "(scr A - (group <transpose \\mathrm{T}>))"),
    ("A^{-1}", "(scr A - (group (neg 1)))"),
    ("A^{-T}", "(scr A - (group (neg T)))"),
    ("A'", "(scr A - - 1)"),
    ("x''", "(scr x - - 2)"),
    ("x^{T}y", "(* (scr x - (group T)) y)"),
    ("(a + b)", "(paren (+ a b))"),
    ("(a + b)^2", "(scr (paren (+ a b)) - 2)"),
    ("[a + b]", "(brack (+ a b))"),
    ("\\{a\\}", "(set a)"),
    ("{a + b}", "(group (+ a b))"),
    ("f(x)", "(* f (paren x))"),
    ("f(x, y)", "(* f (paren x , y))"),
    ("\\mathcal{N}(x; \\mu, \\Sigma)", "(* \\mathcal{N} (paren x ; \\mu , \\Sigma))"),
    ("\\frac{a}{b}", "(frac a b)"),
    ("\\frac12", "(frac 1 2)"),
    ("\\frac1n", "(frac 1 n)"),
    ("\\frac{1}{2} x", "(* (frac 1 2) x)"),
    ("\\dfrac{a}{b}", "(frac a b)"),
    ("\\tfrac{a}{b}", "(frac a b)"),
    ("\\sqrt{x}", "(sqrt x)"),
    ("\\sqrt2", "(sqrt 2)"),
    ("\\sqrt[3]{x}", "(root 3 x)"),
    ("|x|", "(bars x)"),
    ("|A|", "(bars A)"),
    ("\\|x\\|", "(norm x)"),
    ("\\|x\\|_2", "(scr (norm x) 2 -)"),
    ("\\|x\\|^2", "(scr (norm x) - 2)"),
    ("\\left| x \\right|", "(bars x)"),
    ("\\left\\| x \\right\\|", "(norm x)"),
    ("\\lvert x \\rvert", "(bars x)"),
    ("\\lVert x \\rVert", "(norm x)"),
    ("\\vert x \\vert", "(bars x)"),
    ("|a| + |b|", "(+ (bars a) (bars b))"),
    ("|a - |b||", "(bars (+ a (- (bars b))))"),
    ("\\langle x, y \\rangle", "(inner x y)"),
    ("\\sin x", "(* <func sin> x)"),
    ("\\sin(x)", "(* <func sin> (paren x))"),
    ("\\sin^2 x", "(* (scr <func sin> - 2) x)"),
    ("\\log x", "(* <func log> x)"),
    ("\\log_2 x", "(* (scr <func log> 2 -) x)"),
    ("\\ln(x + 1)", "(* <func ln> (paren (+ x 1)))"),
    ("\\exp(x)", "(* <func exp> (paren x))"),
    ("\\det A", "(* <func det> A)"),
    ("\\det(A)", "(* <func det> (paren A))"),
    ("\\operatorname{tr}(A)", "(* <func tr> (paren A))"),
    ("\\mathrm{tr}(A)", "(* <func tr> (paren A))"),
    ("\\text{tr}(A)", "(* <func tr> (paren A))"),
    ("\\operatorname{diag}(x)", "(* <func diag> (paren x))"),
    ("\\operatorname{foo}(x)", "(* <opname foo> (paren x))"),
    ("\\sum_{i=1}^{m} x_i", "(* (scr <sum sum> (group (= i 1)) (group m)) (scr x i -))"),
    ("\\sum_{i=1}^m x_i", "(* (scr <sum sum> (group (= i 1)) m) (scr x i -))"),
    ("\\sum_i x_i", "(* (scr <sum sum> i -) (scr x i -))"),
    ("\\sum_{j \\ne l} x_j", "(* (scr <sum sum> (group (ne j l)) -) (scr x j -))"),
    ("\\prod_{i=1}^{n} a_i", "(* (scr <prod prod> (group (= i 1)) (group n)) (scr a i -))"),
    ("\\nabla_x f", "(* (scr <nabla nabla> x -) f)"),
    ("\\nabla^2_x f", "(* (scr <nabla nabla> x 2) f)"),
    ("\\partial_x f", "(* (scr <partial partial> x -) f)"),
    ("\\frac{\\partial f}{\\partial x}", "(frac (* <partial partial> f) (* <partial partial> x))"),
    ("\\frac{\\partial}{\\partial x} f", "(* (frac <partial partial> (* <partial partial> x)) f)"),
    ("\\frac{d}{dx} f", "(* (frac d (* d x)) f)"),
    (
        "\\frac{\\partial^2 f}{\\partial x \\partial y}",
        "(frac (* (scr <partial partial> - 2) f) (* <partial partial> x <partial partial> y))",
    ),
    (
        "\\frac{\\partial^2 f}{\\partial x^2}",
        "(frac (* (scr <partial partial> - 2) f) (* <partial partial> (scr x - 2)))",
    ),
    ("\\mathbf{x}", "\\mathbf{x}"),
    ("\\mathbf{1}", "\\mathbf{1}"),
    ("\\boldsymbol{\\mu}", "\\boldsymbol{\\mu}"),
    ("\\bm{x}", "\\bm{x}"),
    ("\\hat{\\mu}", "\\hat{\\mu}"),
    ("\\bar{x}", "\\bar{x}"),
    ("\\tilde{x}", "\\tilde{x}"),
    ("\\mathcal{L}", "\\mathcal{L}"),
    ("\\mathbb{R}", "\\mathbb{R}"),
    ("\\hat{\\mathbf{x}}", "\\hat{\\mathbf{x}}"),
    ("\\mathrm{d}x", "(* d x)"),
    ("\\text{const}", "<const const>"),
    ("\\text{const} + x", "(+ <const const> x)"),
    ("\\mathrm{const}", "<const const>"),
    ("\\text{constant}", "<const constant>"),
    ("\\infty", "<infty infty>"),
    ("x \\, y", "(* x y)"),
    ("x \\; y", "(* x y)"),
    ("x \\quad y", "(* x y)"),
    ("\\displaystyle x", "x"),
    ("\\left( a + b \\right)", "(paren (+ a b))"),
    ("\\bigl( a \\bigr)", "(paren a)"),
    ("\\Big[ a \\Big]", "(brack a)"),
    ("x~y", "(* x y)"),
    ("\\begin{bmatrix} a & b \\\\ c & d \\end{bmatrix}", "(matrix (a b) (c d))"),
    ("\\begin{pmatrix} a \\\\ b \\end{pmatrix}", "(matrix (a) (b))"),
    ("\\begin{matrix} 1 & 0 \\end{matrix}", "(matrix (1 0))"),
    ("\\begin{bmatrix} A & 0 \\\\ 0 & B \\end{bmatrix}", "(matrix (A 0) (0 B))"),
    ("x^{-1/2}", "(scr x - (group (neg (* 1 /:2))))"),
    ("x^{1/2}", "(scr x - (group (* 1 /:2)))"),
    ("e^{x}", "(scr e - (group x))"),
    ("e^x", "(scr e - x)"),
    ("e^{-x^2/2}", "(scr e - (group (neg (* (scr x - 2) /:2))))"),
    ("2^{n}", "(scr 2 - (group n))"),
    ("(2\\pi)^{n/2}", "(scr (paren (* 2 \\pi)) - (group (* n /:2)))"),
    ("|\\Sigma|^{1/2}", "(scr (bars \\Sigma) - (group (* 1 /:2)))"),
    ("\\Sigma^{-1}(x - \\mu)", "(* (scr \\Sigma - (group (neg 1))) (paren (+ x (- \\mu))))"),
    (
        "(x - \\mu)^T \\Sigma^{-1} (x - \\mu)",
        "(* (scr (paren (+ x (- \\mu))) - T) (scr \\Sigma - (group (neg 1))) (paren (+ x (- \\mu))))",
    ),
    ("a^{b^c}", "(scr a - (group (scr b - c)))"),
    ("{a^b}^c", "(scr (group (scr a - b)) - c)"),
    ("\\frac{a + b}{c + d}", "(frac (+ a b) (+ c d))"),
    ("\\frac{\\frac{a}{b}}{c}", "(frac (frac a b) c)"),
    ("-\\frac{1}{2}", "(neg (frac 1 2))"),
    (
        "\\sum_{i=1}^{m} \\sum_{j=1}^{k} w_j^{(i)}",
        "(* (scr <sum sum> (group (= i 1)) (group m)) (scr <sum sum> (group (= j 1)) (group k)) (scr w j (group (paren i))))",
    ),
    ("a b + c d", "(+ (* a b) (* c d))"),
    ("a (b + c)", "(* a (paren (+ b c)))"),
    ("(a + b)(c - d)", "(* (paren (+ a b)) (paren (+ c (- d))))"),
    ("x^T A x", "(* (scr x - T) A x)"),
    ("x^{\\top} A x", "(* (scr x - (group <transpose top>)) A x)"),
    ("\\frac{n}{2}\\log(2\\pi)", "(* (frac n 2) <func log> (paren (* 2 \\pi)))"),
    ("f_j^{(i)}(\\mu)", "(* (scr f j (group (paren i))) (paren \\mu))"),
    ("\\sigma'(z)", "(* (scr \\sigma - - 1) (paren z))"),
    ("g''(x)", "(* (scr g - - 2) (paren x))"),
    ("\\alpha_{i}", "(scr \\alpha (group i) -)"),
    ("\\mu_{jk}", "(scr \\mu (group (* j k)) -)"),
    ("\\Sigma_{11}", "(scr \\Sigma (group 11) -)"),
    ("W^{[1]}", "(scr W - (group (brack 1)))"),
    ("\\log\\det\\Sigma", "(* <func log> <func det> \\Sigma)"),
    ("\\tanh(z)", "(* <func tanh> (paren z))"),
    ("\\operatorname{sign}(x)", "(* <func sign> (paren x))"),
    ("\\left. x", "x"),
]

ERRORS = [
    ("% comment", 0, "a '%' comment inside an expression"),
    (")", 0, "unexpected ')'; expected '{'"),
    ("(a", 2, "unexpected the end of the expression"),
    ("a +", 3, "unexpected the end of the expression; expected '{'"),
    ("\\frac{a}", 8, "\\frac or \\sqrt is missing an argument"),
    ("\\frac{a}{", 8, "unclosed '{'"),
    ("{a", 2, "unexpected the end of the expression; expected '}'"),
    ("a}", 1, "unexpected '}'"),
    ("\\sqrt[3]", 8, "unexpected the end of the expression; expected '{'"),
    ("|x", 2, "'|' is never closed"),
    ("x|", 2, "'|' is never closed"),
    ("\\|x", 3, "'\\|' is never closed"),
    ("\\right. x", 0, "'\\right.' is not supported"),
    ("\\foo", 0, "unknown command \\foo"),
    (
        "\\begin{align} x \\end{align}",
        0,
        "environment 'align' is not supported inside an expression",
    ),
    ("\\text{hello}", 0, "text inside an expression: \\text{hello}"),
    ("\\mathbf{xy}", 0, "\\mathbf{xy}: a font applies to one letter here"),
    ("x^", 2, "unexpected the end of the expression; expected '{'"),
    ("x_", 2, "unexpected the end of the expression; expected '{'"),
    ("x^2^3", 4, "double superscript"),
    ("x_1_2", 4, "double subscript"),
    ("\\", 0, "a lone backslash"),
    ("a @ b", 2, "unexpected character '@'"),
    ("\\sqrt", 5, "\\frac or \\sqrt is missing an argument"),
    ("\\begin{bmatrix} a & b", 21, "unexpected the end of the expression; expected '\\end'"),
]


@pytest.mark.parametrize(("latex", "tree"), PARSES)
def test_parses_to(latex: str, tree: str) -> None:
    assert sexp(parse_latex(latex)) == tree


@pytest.mark.parametrize(("latex", "offset", "message"), ERRORS)
def test_reports_at_its_offset(latex: str, offset: int, message: str) -> None:
    with pytest.raises(LatexError) as caught:
        parse_latex(latex)
    assert (caught.value.offset, caught.value.message) == (offset, message)


def test_an_implication_premise_parses_as_an_equation() -> None:
    assert sexp(parse_latex("2x = 4", equation=True)) == "(eq (* 2 x) 4)"
