"""Distributions: read from a declaration or from the math, and evaluated at an instance.

A random symbol's declaration (`z: vector(n), random \\mathcal{N}(\\mu, \\Sigma)`) and
the arguments of a divergence (`\\mathrm{KL}(\\mathcal{N}(m, s^2) \\| \\mathcal{N}(0, 1))`)
both become a `Distribution`: a family and its parameters as typed terms. At an
instance it yields exact parameters, checked to describe a distribution at all
(a covariance that is symmetric positive semi-definite, probabilities that are
non-negative and sum to 1); where they do not, that is an error naming the
parameter, never a silent pass.

`Categorical(\\phi)` takes a vector of probabilities, or a declared family of
scalars with one index left open (`\\phi` for `\\phi_j`, `w^{(i)}` for
`w_j^{(i)}`): that index runs over the outcomes.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from verify.errors import EvaluationError, LatexError, TranslateError
from verify.latex import tree as ast
from verify.latex.parser import parse_latex
from verify.latex.printer import compact
from verify.latex.syntax import symbol_name, unwrap
from verify.meaning import terms as T
from verify.meaning.dual import Dual, Mat, is_matrix, plain
from verify.meaning.scope import Reader, Scope
from verify.model import Declaration, Kind
from verify.shape import SCALAR, Shape, Size, show_shape

OUTCOME = "\\outcome"  # the bound name of a categorical's outcome (cannot be written)
HEADS = {"\\mathcal{N}": "normal", "Categorical": "categorical", "Bernoulli": "bernoulli"}
USAGE = (
    "write \\mathcal{N}(\\mu, \\Sigma), \\mathrm{Categorical}(\\phi) or \\mathrm{Bernoulli}(\\phi)"
)
TINY = sp.Float("1e-40", 70)  # below this, an irrational difference counts as zero


@dataclass
class Distribution:
    """A family (normal, bernoulli, categorical) with its parameters as terms."""

    family: str
    parameters: list[T.Term]
    shape: Shape  # of one draw: a scalar or a vector; an outcome index is a scalar
    written: str
    support: tuple[T.Term, T.Term] | None = None  # a categorical's first and last outcome
    outcome: str | None = None  # the index left open in a family of probabilities
    placeholders: tuple[str, ...] = field(default=())  # a random family's own indices

    @property
    def finite(self) -> bool:
        return self.family != "normal"

    def terms(self) -> list[T.Term]:
        return [*self.parameters, *(self.support or ())]

    def normal(self, env: T.Env) -> tuple[list[Any], list[list[Any]]]:
        """The mean and covariance as lists of exact numbers, checked."""
        mean, covariance = (_plain_value(p, env, self.written) for p in self.parameters)
        if is_matrix(covariance):
            rows = covariance.rows
            means = [mean[r, 0] for r in range(rows)] if is_matrix(mean) else [mean] * rows
            entries = [[covariance[r, c] for c in range(rows)] for r in range(rows)]
        else:
            means, entries = [mean], [[covariance]]
        _check_covariance(entries, self.written)
        return means, entries

    def outcomes(self, env: T.Env) -> list[tuple[int, Any]]:
        """Each outcome with its probability, checked to be a distribution."""
        if self.family == "bernoulli":
            p = _plain_value(self.parameters[0], env, self.written)
            pairs = [(0, 1 - p), (1, p)]
        else:
            assert self.support is not None
            first, last = (_whole(t.value(env), self.written) for t in self.support)
            if self.outcome is not None:
                pairs = [
                    (v, _plain_value(self.parameters[0], env.with_index(self.outcome, v),
                                     self.written))
                    for v in range(first, last + 1)
                ]  # fmt: skip
            else:
                vector = _plain_value(self.parameters[0], env, self.written)
                entries = list(vector) if is_matrix(vector) else [vector]
                if len(entries) != last - first + 1:
                    raise EvaluationError(
                        f"{self.written}: {len(entries)} probabilities for"
                        f" {last - first + 1} outcomes"
                    )
                pairs = list(zip(range(first, last + 1), entries, strict=True))
        _check_probabilities([p for _, p in pairs], self.written)
        return pairs


# ----------------------------------------------------------------- checking


def _plain_value(term: T.Term, env: T.Env, written: str) -> Any:
    value = term.value(env)
    entries = list(value) if is_matrix(value) else [value]
    if any(isinstance(x, Dual) for x in entries):
        raise EvaluationError(
            f"a derivative with respect to a parameter of {written} is not supported:"
            " differentiate the expectation's closed form instead"
        )
    return value


def _whole(value: Any, written: str) -> int:
    v = plain(value)
    if not getattr(v, "is_Integer", False):
        raise EvaluationError(f"{written}: the outcomes must be whole numbers, got {v}")
    return int(v)


def _sign(x: Any) -> int | None:
    """-1, 0 or 1 for a number (0 within `TINY`); None if it cannot be told."""
    x = sp.sympify(x)
    if x.is_Rational:
        return int(sp.sign(x))
    if x.is_number:
        v = sp.N(x, 60)
        return 0 if abs(v) < TINY else (1 if v > 0 else -1)
    return 0 if x.is_zero else 1 if x.is_positive else -1 if x.is_negative else None


def _nonnegative(x: Any) -> bool:
    """x ≥ 0 for a number; for a symbol (in a proof), only if its assumptions say so."""
    sign = _sign(x)
    if sign is None:
        return bool(sp.sympify(x).is_nonnegative)
    return sign >= 0


def _check_probabilities(probabilities: list[Any], written: str) -> None:
    for p in probabilities:
        if not _nonnegative(p):
            raise EvaluationError(
                f"{written}: the probability {p} is negative (or its sign is unknown):"
                " declare the parameter 'probability', or 'positive, sums to 1 over j'"
            )
    if _sign(sum(probabilities, sp.Integer(0)) - 1) != 0:
        raise EvaluationError(
            f"{written}: the probabilities do not sum to 1 here: declare them"
            " 'sums to 1 over <index>' (or 'probability' for a Bernoulli)"
        )


# Covariances already found admissible: an expectation of a vector or matrix
# integrates entry by entry, and each entry would check all 2^n - 1 minors again.
_ADMISSIBLE: set[tuple[Any, ...]] = set()
_ADMISSIBLE_CAP = 512


def _check_covariance(entries: list[list[Any]], written: str) -> None:
    """Symmetric and positive semi-definite: every principal minor is ≥ 0."""
    try:
        key: tuple[Any, ...] | None = (written, *map(tuple, entries))
        if key in _ADMISSIBLE:
            return
    except TypeError:  # an entry that cannot be hashed (a dual): check every time
        key = None
    _check_minors(entries, written)
    if key is not None:
        if len(_ADMISSIBLE) >= _ADMISSIBLE_CAP:
            _ADMISSIBLE.clear()
        _ADMISSIBLE.add(key)


def _check_minors(entries: list[list[Any]], written: str) -> None:
    n = len(entries)
    for r, c in itertools.combinations(range(n), 2):
        if _sign(entries[r][c] - entries[c][r]) != 0:
            raise EvaluationError(
                f"{written}: the covariance is not symmetric here: declare it symmetric,"
                " positive-definite"
            )
    for size in range(1, n + 1):
        for rows in itertools.combinations(range(n), size):
            minor = Mat([[entries[r][c] for c in rows] for r in rows]).det()
            if not _nonnegative(minor):
                raise EvaluationError(
                    f"{written}: the covariance is not positive semi-definite here (or that"
                    " cannot be told): declare it positive-definite, or a variance as a square"
                )


# ------------------------------------------------------------------ reading


def declared(reader: Reader, decl: Declaration) -> Distribution:
    """The distribution of a declared random symbol, its parameters read in the page's
    notation; problems are `TranslateError`s whose message names the declaration."""
    written = f"{decl.key} ~ {decl.describe_random().removeprefix(', random ')}"
    try:
        nodes = [parse_latex(text) for text in decl.parameters]
    except LatexError as err:
        raise TranslateError(f"{written} (symbols: line {decl.line}): {err.message}", 0) from None
    try:
        if decl.distribution == "normal":
            shape = decl.shape if decl.kind == Kind.VECTOR and decl.shape else SCALAR
            found = _normal(reader, nodes, Scope(), written, shape)
        elif decl.distribution == "bernoulli":
            found = _bernoulli(reader, nodes, Scope(), written)
        else:
            assert decl.index_range is not None
            found = _categorical(reader, nodes[0], Scope(), written, decl.index_range)
    except TranslateError as err:
        raise TranslateError(
            f"in the distribution of {decl.key} (symbols: line {decl.line}): {err.message}", 0
        ) from None
    found.placeholders = decl.indices
    return found


def written_distribution(reader: Reader, node: ast.Node, scope: Scope) -> Distribution:
    """A distribution as the math writes it, or a name defined as one (`q := …`)."""
    node = unwrap(node) or node
    name = symbol_name(node)
    definition = reader.definitions.get(name) if name else None
    if definition is not None and not (definition.params or definition.subscripts
                                       or definition.superscripts):  # fmt: skip
        return written_distribution(reader, definition.body, Scope())
    written = compact(node)
    head, arguments = _head(node)
    if head is None or arguments is None:
        pmf = _probability_vector(reader, node, scope, written)
        if pmf is not None:  # `A \\sim \\pi(\\cdot | s)`: the probabilities of the outcomes
            return pmf
        raise TranslateError(f"'{written}' is not a distribution here: {USAGE}", node.pos)
    if head == "normal":
        return _normal(reader, arguments, scope, written, None)
    if head == "bernoulli":
        return _bernoulli(reader, arguments, scope, written)
    return _categorical(reader, arguments[0] if len(arguments) == 1 else node, scope, written,
                        None, count=len(arguments))  # fmt: skip


def _probability_vector(
    reader: Reader, node: ast.Node, scope: Scope, written: str
) -> Distribution | None:
    """A distribution written as the vector of its probabilities (`\\pi(\\cdot | s)`, a
    function with its outcome left open): a categorical over 1..(its size); None if
    the node is not a vector."""
    if not (isinstance(node, ast.Product) and any(
        isinstance(f, ast.Delimited) and any(_open(i) for i in f.items) for f in node.factors
    )):  # fmt: skip
        return None
    return _categorical(reader, node, scope, written, None)


def _open(node: ast.Node) -> bool:
    return isinstance(node, ast.Atom) and node.kind == "SYMBOL" and node.text == "\\cdot"


def _head(node: ast.Node) -> tuple[str | None, list[ast.Node] | None]:
    if not (isinstance(node, ast.Product) and len(node.factors) == 2):
        return None, None
    head, args = node.factors
    if not (isinstance(head, ast.Atom) and isinstance(args, ast.Delimited)
            and args.delimiter == "("):  # fmt: skip
        return None, None
    family = HEADS.get(head.text) if head.kind in ("SYMBOL", "OPNAME") else None
    if head.kind == "SYMBOL" and head.text != "\\mathcal{N}":
        family = None
    return family, list(args.items)


def _normal(
    reader: Reader, nodes: list[ast.Node], scope: Scope, written: str, shape: Shape | None
) -> Distribution:
    if len(nodes) != 2:
        raise TranslateError(
            f"{written}: a normal distribution takes a mean and a covariance,"
            " \\mathcal{N}(\\mu, \\Sigma) (the density at a point is \\mathcal{N}(x; \\mu,"
            " \\Sigma))",
            nodes[0].pos if nodes else 0,
        )
    mean, covariance = (reader.translate(n, scope) for n in nodes)
    if covariance.shape is None or not covariance.shape.is_square:
        raise TranslateError(
            f"{written}: the covariance must be a scalar variance or a square matrix,"
            f" got {show_shape(covariance.shape)}",
            nodes[1].pos,
        )
    size = covariance.shape.rows
    draw = SCALAR if covariance.shape == SCALAR else Shape(size, Size.number(1))
    if shape is not None and shape != draw:
        wanted = "a variance" if shape == SCALAR else f"a covariance of {shape.rows} × {shape.rows}"
        raise TranslateError(
            f"{written}: a {shape.show()} needs {wanted}, got {show_shape(covariance.shape)}",
            nodes[1].pos,
        )
    if mean.shape is None:
        mean = T.Zero(shape=draw, pos=mean.pos)
    elif mean.shape != draw:
        raise TranslateError(
            f"{written}: the mean is a {show_shape(mean.shape)} but the covariance is for a"
            f" {draw.show()}",
            nodes[0].pos,
        )
    return Distribution("normal", [mean, covariance], draw, written)


def _bernoulli(reader: Reader, nodes: list[ast.Node], scope: Scope, written: str) -> Distribution:
    if len(nodes) != 1:
        raise TranslateError(f"{written}: Bernoulli takes one probability", 0)
    p = reader.scalar(reader.translate(nodes[0], scope), "the parameter of a Bernoulli")
    return Distribution("bernoulli", [p], SCALAR, written)


def _categorical(
    reader: Reader, node: ast.Node, scope: Scope, written: str,
    support: tuple[Size, Size] | None, count: int = 1,
) -> Distribution:  # fmt: skip
    """`Categorical(\\phi)`: a vector of probabilities, or a family with one index open."""
    if count != 1:
        raise TranslateError(f"{written}: Categorical takes one vector of probabilities", 0)
    filled = _fill(reader, node, scope)  # before reading it: `\\pi` beside `\\pi_k` is π
    if filled is not None:
        term, open_range = filled
        if support is not None and open_range != support:
            raise TranslateError(
                f"{written}: the probabilities run over {open_range[0]}..{open_range[1]} but"
                f" the outcomes over {support[0]}..{support[1]}",
                node.pos,
            )
        first, last = support or open_range
        return Distribution("categorical", [term], SCALAR, written,
                            (T.SizeValue(first), T.SizeValue(last)), OUTCOME)  # fmt: skip
    vector = reader.translate(node, scope)
    if vector.shape is None or not vector.shape.is_column:
        raise TranslateError(
            f"{written}: the probabilities must be a vector, got {show_shape(vector.shape)}",
            node.pos,
        )
    if support is None:
        support = (Size.number(1), vector.shape.rows)
    elif support[1] - support[0] + Size.number(1) != vector.shape.rows:
        raise TranslateError(
            f"{written}: {vector.shape.rows} probabilities for the outcomes"
            f" {support[0]}..{support[1]}",
            node.pos,
        )
    return Distribution("categorical", [vector], SCALAR, written,
                        (T.SizeValue(support[0]), T.SizeValue(support[1])))  # fmt: skip


def _fill(reader: Reader, node: ast.Node, scope: Scope) -> tuple[T.Term, tuple[Size, Size]] | None:
    """`\\phi` for the family `\\phi_j`: the member at the open index, and its range."""
    node = unwrap(node) or node
    scripted = node if isinstance(node, ast.Scripted) else None
    base = scripted.base if scripted else node
    name = symbol_name(base)
    decl = reader.declarations.get(name) if name else None
    if decl is None or decl.kind != Kind.SCALAR or not decl.indices:
        return None
    sub = scripted.sub if scripted else None
    sup = scripted.sup if scripted else None
    open_sub = len(decl.subscripts) == 1 and sub is None
    open_sup = len(decl.superscripts) == 1 and sup is None
    if open_sub == open_sup:
        return None
    placeholder = decl.subscripts[0] if open_sub else decl.superscripts[0]
    index = reader.declarations.get(placeholder)
    if index is None or index.index_range is None:
        return None
    outcome = ast.Atom("SYMBOL", OUTCOME, pos=node.pos)
    member = ast.Scripted(base, outcome if open_sub else sub, sup if open_sub else outcome,
                          pos=node.pos)  # fmt: skip
    term = reader.scalar(reader.translate(member, scope.binding(OUTCOME)), "a probability")
    return term, index.index_range
