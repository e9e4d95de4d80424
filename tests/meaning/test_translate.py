"""Meaning, as a table: LaTeX and one page's notation in, a typed term and its shape out.

Each row is one reading the translator must give for the notation in
`NOTATION`: the shape, and the term as an S-expression (`(Mul a b)`,
`(Transpose x)`, `z[#i]` a family member at index i, `(sum i …)`,
`(d/dx …)` a derivative). Error rows give the message. No numbers are drawn:
these run in about a second.
"""

from __future__ import annotations

import pytest

from verify.errors import LatexError, TranslateError
from verify.latex.parser import parse_latex
from verify.meaning import terms as T
from verify.meaning.translate import Translator
from verify.reading.notation import declare

NOTATION = {
    "n, m": "size", "i": "index 1..m", "j, l": "index 1..n",
    "x, y": "vector(n)", "z^{(i)}": "vector(n)", "u": "vector(m)", "A, B": "matrix(n, n)",
    "M": "matrix(n, m)", "S": "matrix(n, n), symmetric, invertible", "w_j": "scalar",
    "a, b": "scalar", "g": "function", "I": "identity(n)",
}  # fmt: skip
DECLARATIONS = declare(NOTATION, {}, 1)


def tsexp(t: T.Term) -> str:
    """A term as a short S-expression: symbols by name, `#i` an index's value."""
    name = type(t).__name__
    if isinstance(t, T.Ref):
        return t.name if not t.indices else f"{t.name}[{','.join(tsexp(i) for i in t.indices)}]"
    if isinstance(t, T.Number):
        return str(t.number)
    if isinstance(t, T.IndexValue):
        return f"#{t.name}"
    if isinstance(t, T.Apply):
        return f"({t.function} {tsexp(t.body)})"
    if isinstance(t, T.MatrixFunction):
        return f"({t.function} {tsexp(t.body)})"
    if isinstance(t, T.Add):
        return "(+ " + " ".join(tsexp(x) if s > 0 else f"(- {tsexp(x)})" for s, x in t.terms) + ")"
    if isinstance(t, T.Sum):
        return f"({t.kind} {t.variable} {tsexp(t.body)})"
    if isinstance(t, T.Derivative):
        return f"(d/d{tsexp(t.variable)} {tsexp(t.body)})"
    if isinstance(t, T.FunctionCall):
        return f"({t.name}{chr(39) * t.derivative} " + " ".join(tsexp(a) for a in t.args) + ")"
    kids = t.children()
    return f"({name} " + " ".join(tsexp(k) for k in kids) + ")" if kids else name


MEANINGS = [
    ("a", "scalar", "a"),
    ("a + b", "scalar", "(+ a b)"),
    ("a b", "scalar", "(Mul a b)"),
    ("2a", "scalar", "(Mul 2 a)"),
    ("-a", "scalar", "(+ (- a))"),
    ("a / b", "scalar", "(Div a b)"),
    ("\\frac{a}{b}", "scalar", "(Div a b)"),
    ("a^2", "scalar", "(Power a 2)"),
    ("x", "vector(n)", "x"),
    ("x + y", "vector(n)", "(+ x y)"),
    ("x - y", "vector(n)", "(+ x (- y))"),
    ("2x", "vector(n)", "(Mul 2 x)"),
    ("a x", "vector(n)", "(Mul a x)"),
    ("x^T", "matrix(1, n)", "(Transpose x)"),
    ("x^T y", "scalar", "(Mul (Transpose x) y)"),
    ("x^T A y", "scalar", "(Mul (Mul (Transpose x) A) y)"),
    ("A x", "vector(n)", "(Mul A x)"),
    ("A B", "matrix(n, n)", "(Mul A B)"),
    ("A^T", "matrix(n, n)", "(Transpose A)"),
    ("A^{-1}", "matrix(n, n)", "(Inverse A)"),
    ("A^{-T}", "matrix(n, n)", "(Transpose (Inverse A))"),
    ("S^{-1}", "matrix(n, n)", "(Inverse S)"),
    ("A'", "matrix(n, n)", "(Transpose A)"),
    ("x'", "matrix(1, n)", "(Transpose x)"),
    ("M^T x", "vector(m)", "(Mul (Transpose M) x)"),
    ("u^T M^T x", "scalar", "(Mul (Mul (Transpose u) (Transpose M)) x)"),
    ("x y^T", "matrix(n, n)", "(Mul x (Transpose y))"),
    ("(A + B)^T", "matrix(n, n)", "(Transpose (+ A B))"),
    ("|A|", "scalar", "(det A)"),
    ("\\det A", "scalar", "(det A)"),
    ("\\det(A)", "scalar", "(det A)"),
    ("|a|", "scalar", "(abs a)"),
    ("\\|x\\|", "scalar", "(norm x)"),
    ("\\|x\\|^2", "scalar", "(normsq x)"),
    ("\\|x\\|_1", "scalar", "(norm x)"),
    ("\\operatorname{tr}(A)", "scalar", "(tr A)"),
    ("\\operatorname{tr}(A B)", "scalar", "(tr (Mul A B))"),
    ("\\operatorname{diag}(x)", "matrix(n, n)", "(diag x)"),
    ("\\operatorname{diag}(A)", "vector(n)", "(diag A)"),
    ("x \\odot y", "vector(n)", "(Hadamard x y)"),
    ("A \\odot B", "matrix(n, n)", "(Hadamard A B)"),
    ("A \\otimes B", "matrix(n n, n n)", "(Kronecker A B)"),
    ("x \\cdot y", "scalar", "(Mul (Transpose x) y)"),
    ("\\langle x, y \\rangle", "scalar", "(Mul (Transpose x) y)"),
    ("\\sum_{i=1}^{m} z^{(i)}", "vector(n)", "(sum i z[#i])"),
    ("\\sum_{i} z^{(i)}", "vector(n)", "(sum i z[#i])"),
    ("\\sum_{j=1}^{n} w_j", "scalar", "(sum j w[#j])"),
    ("\\sum_{j \\ne l} w_j", "scalar", "(sum j w[#j])"),
    ("\\prod_{j=1}^{n} w_j", "scalar", "(prod j w[#j])"),
    ("z^{(i)}", "vector(n)", "z[#i]"),
    ("z^{(2)}", "vector(n)", "z[2]"),
    ("w_j", "scalar", "w[#j]"),
    ("w_l", "scalar", "w[#l]"),
    ("\\nabla_x x^T A x", "vector(n)", "(d/dx (Mul (Mul (Transpose x) A) x))"),
    ("\\nabla_A x^T A x", "matrix(n, n)", "(d/dA (Mul (Mul (Transpose x) A) x))"),
    ("\\frac{\\partial}{\\partial a} a^2", "scalar", "(d/da (Power a 2))"),
    ("\\frac{d}{da} a^3", "scalar", "(d/da (Power a 3))"),
    ("\\partial_a a^2", "scalar", "(d/da (Power a 2))"),
    ("\\nabla^2_x x^T A x", "matrix(n, n)", "(d/dx (d/dx (Mul (Mul (Transpose x) A) x)))"),
    ("g(a)", "scalar", "(g a)"),
    ("g(a, b)", "scalar", "(g a b)"),
    ("g(x)", "scalar", "(g x)"),
    ("g'(a)", "scalar", "(g' a)"),
    ("\\exp(a)", "scalar", "(exp a)"),
    ("\\log(a)", "scalar", "(log a)"),
    ("\\log_2 a", "scalar", "(Div (log a) (log 2))"),
    ("\\sin a", "scalar", "(sin a)"),
    ("e^{a}", "scalar", "(exp a)"),
    ("e^{x}", "vector(n)", "(exp x)"),
    ("\\exp(x)", "vector(n)", "(exp x)"),
    ("\\pi", "scalar", "pi"),
    ("\\sqrt{a}", "scalar", "(Root a)"),
    ("\\sqrt[3]{a}", "scalar", "(Root a 3)"),
    ("n", "scalar", "#n"),
    ("i", "scalar", "#i"),
    ("\\frac{n}{2}", "scalar", "(Div #n 2)"),
    ("I x", "vector(n)", "(Mul Identity x)"),
    ("I", "matrix(n, n)", "Identity"),
    ("\\mathcal{N}(x; y, A)", "scalar", "(Gaussian x y A)"),
    ("\\mathcal{N}(a; b, a)", "scalar", "(Gaussian a b a)"),
    ("\\begin{bmatrix} a & b \\\\ b & a \\end{bmatrix}", "matrix(2, 2)", "(MatrixLiteral a b b a)"),
    ("\\begin{bmatrix} x \\\\ y \\end{bmatrix}", "vector(2n)", "(MatrixLiteral x y)"),
    (
        "\\begin{bmatrix} A & 0 \\\\ 0 & B \\end{bmatrix}",
        "matrix(2n, 2n)",
        "(MatrixLiteral A Zero Zero B)",
    ),
    ("\\text{const}", "scalar", "Constant"),
    ("\\sum_{k=1}^{n} w_k", "scalar", "(sum k w[#k])"),
]

ERRORS = [
    ("z", "'z' does not match 'z^{(i)}': missing the superscript index"),
    ("z_1", "'z_{1}' does not match 'z^{(i)}': z takes no subscript"),
    ("x + A", "cannot add a vector(n) and a matrix(n, n)"),
    ("A x^T", "cannot multiply a matrix(n, n) (n×n) by a matrix(1, n) (1×n)"),
    ("M A", "cannot multiply a matrix(n, m) (n×m) by a matrix(n, n) (n×n)"),
    ("z^{(i)} + u", "cannot add a vector(n) and a vector(m)"),
    ("w", "'w' does not match 'w_j': missing the subscript index"),
    ("w_{jk}", "'k' is used as an index but is not declared (e.g. 'k: index 1..m')"),
    ("g", "the function g needs arguments, as in g(x)"),
    ("\\sum x_i", "write \\sum_{i=1}^{m}"),
    ("z^{(i)}_j", "'z_{j}^{(i)}' does not match 'z^{(i)}': z takes no subscript"),
    ("\\frac{a}{x}", "a denominator must be a scalar, got vector(n)"),
    ("\\|A\\|", "‖·‖ is defined here for vectors, got matrix(n, n)"),
    ("\\sqrt{x}", "a root must be a scalar, got vector(n)"),
    ("|z^{(i)}|", "a determinant |A| needs a square matrix, got vector(n)"),
    ("\\operatorname{tr}(M)", "\\tr needs a square matrix, got matrix(n, m)"),
    ("\\det M", "\\det needs a square matrix, got matrix(n, m)"),
    ("M^{-1}", "an inverse needs a square matrix, got matrix(n, m)"),
    ("\\infty", "∞ cannot be evaluated"),
    ("\\nabla x", "write the variable of ∇ as a subscript: \\nabla_x"),
    ("\\frac{\\partial}{\\partial x}", "this derivative operator has nothing to act on"),
    ("\\langle x, u \\rangle", "⟨a, b⟩ needs two vectors of one size, got vector(n) and vector(m)"),
    ("x \\odot u", "⊙ needs two of one shape, got vector(n) and vector(m)"),
    (
        "\\mathcal{N}(x; u, A)",
        "\\mathcal{N}: shapes vector(n), vector(m), matrix(n, n) do not fit (x, mean, covariance)",
    ),
    ("\\nabla_{2a} a", "can only differentiate with respect to a symbol, not '2 a'"),
]


def read(latex: str) -> T.Term:
    return Translator(DECLARATIONS).translate(parse_latex(latex))


@pytest.mark.parametrize(("latex", "shape", "term"), MEANINGS)
def test_means(latex: str, shape: str, term: str) -> None:
    found = read(latex)
    assert ("any" if found.shape is None else found.shape.show(), tsexp(found)) == (shape, term)


@pytest.mark.parametrize(("latex", "message"), ERRORS)
def test_is_refused_with(latex: str, message: str) -> None:
    with pytest.raises((TranslateError, LatexError)) as caught:
        read(latex)
    assert caught.value.message == message
