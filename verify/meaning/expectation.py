"""Reading `\\mathbb{E}`, `\\operatorname{Var}`, `\\operatorname{Cov}` and `\\mathrm{KL}` into terms.

The operator reader hands over a factor that starts one of these (`starts`),
and gets back the term and the factor after it (`read`):

- `\\mathbb{E}[f]` integrates every random symbol that f uses;
  `\\mathbb{E}_{z}[f]` and `\\mathbb{E}_{z^{(i)}}[f]` only z, or one member of
  the family z; `\\mathbb{E}_{z \\sim q}[f]` also states z's distribution, which
  must be the declared one;
- `\\operatorname{Var}[x] = E[(x - E[x])^2]` for a scalar;
  `\\operatorname{Cov}[x, y] = E[(x - E[x])(y - E[y])^T]`, `\\operatorname{Cov}[x]`
  the covariance matrix of a vector;
- `\\mathrm{KL}(q \\| p)` and `D_{\\mathrm{KL}}(q \\| p)` between two written
  distributions of one family.

Linearity is applied as the term is built (E[a + b] = E[a] + E[b], a sum over
i of expectations, a factor that is not random taken out), which is exact and
keeps each expectation small. Anything under E that is not random, not
declared, or not a supported function of a Gaussian is an error with a reason.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from verify.errors import TranslateError
from verify.latex import tree as ast
from verify.latex.printer import compact
from verify.latex.syntax import symbol_name, unwrap
from verify.meaning import terms as T
from verify.meaning.distributions import declared, written_distribution
from verify.meaning.integrable import densities, obstacle
from verify.meaning.integrate import SUPPORTED, Divergence, Expectation, RandomSymbol, Target
from verify.meaning.scope import Reader, Scope
from verify.model import Kind
from verify.shape import SCALAR, Shape, show_shape

EXPECTATION_SYMBOLS = {"\\mathbb{E}", "\\mathrm{E}"}
EXAMPLE = "e.g. 'z: vector(n), random \\mathcal{N}(\\mu, \\Sigma)'"


class ExpectationReader:
    """Reads expectations, variances, covariances and divergences for a translator."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.randoms: dict[str, RandomSymbol] = {}
        self.found: list[tuple[str, T.Term]] = []  # what was read, for `verify explain`

    # -------------------------------------------------------------- recognising

    def head(self, node: ast.Node) -> str | None:
        """ "E", "Var", "Cov" or "KL" if `node` starts one, else None."""
        base = node.base if isinstance(node, ast.Scripted) else node
        if not isinstance(base, ast.Atom):
            return None
        if base.kind == "OPNAME" and base.text in ("Var", "Cov", "KL", "E"):
            return base.text
        known = base.text in self.reader.declarations or base.text in self.reader.definitions
        if base.kind == "SYMBOL" and base.text in EXPECTATION_SYMBOLS and not known:
            return "E"
        if base.kind == "LETTER" and base.text == "D" and isinstance(node, ast.Scripted):
            sub = unwrap(node.sub)
            if isinstance(sub, ast.Atom) and sub.kind == "OPNAME" and sub.text == "KL":
                return "KL"
        return None

    def starts(self, node: ast.Node) -> bool:
        return self.head(node) is not None

    # ------------------------------------------------------------------ reading

    def read(self, factors: list[ast.Node], k: int, scope: Scope) -> tuple[T.Term, int]:
        """The term for `factors[k]` and its bracket; returns the index after them."""
        node = factors[k]
        head = self.head(node)
        assert head is not None
        name = compact(node)
        if k + 1 >= len(factors):
            raise TranslateError(f"{name} needs its argument in brackets: {name}[…]", node.pos)
        bracket, after_sup = factors[k + 1], None
        if isinstance(bracket, ast.Scripted) and bracket.sub is None:
            after_sup = bracket.sup
            bracket = bracket.base
        wanted = ("(",) if head == "KL" else ("[", "(")
        if not (isinstance(bracket, ast.Delimited) and bracket.delimiter in wanted):
            raise TranslateError(f"{name} needs its argument in brackets: {name}[…]", node.pos)
        written = name + compact(bracket)
        sub = node.sub if isinstance(node, ast.Scripted) else None
        sup = node.sup if isinstance(node, ast.Scripted) else None
        if sup is not None or (sub is not None and head in ("Var", "Cov")):
            raise TranslateError(f"{name}: a script here is not supported", node.pos)
        if head == "E":
            term = self.expectation(bracket, sub, scope, written, node.pos)
        elif head == "KL":
            term = self.divergence(bracket, scope, written, node.pos)
        else:
            term = self.moment(head, bracket, scope, written, node.pos)
        self.found.append((written, term))
        if after_sup is not None:
            term = self.reader.superscript(term, after_sup, 0, scope, node.pos)
        return term, k + 2

    def expectation(
        self, bracket: ast.Delimited, sub: ast.Node | None, scope: Scope, written: str, pos: int
    ) -> T.Term:
        body = densities(self.reader.translate(self.single(bracket, "\\mathbb{E}"), scope))
        if sub is None:
            targets = self.everything(body, written, pos)
        else:
            targets = self.subscript(sub, scope)
        return self.expect(body, targets, written, pos)

    def moment(
        self, head: str, bracket: ast.Delimited, scope: Scope, written: str, pos: int
    ) -> T.Term:
        """Var[x] = E[(x - E x)^2]; Cov[x, y] = E[(x - E x)(y - E y)^T]."""
        items = [self.reader.translate(item, scope) for item in bracket.items]
        if head == "Var" and len(items) == 1 and items[0].shape not in (SCALAR, None):
            raise TranslateError(
                f"\\operatorname{{Var}} of a {show_shape(items[0].shape)}: write"
                " \\operatorname{Cov}[x] for the covariance matrix of a vector",
                pos,
            )
        if not 1 <= len(items) <= (2 if head == "Cov" else 1):
            raise TranslateError(f"{written}: write {'Cov[x, y]' if head == 'Cov' else 'Var[x]'}",
                                 pos)  # fmt: skip
        for item in items:
            if item.shape is not None and not item.shape.is_column:
                raise TranslateError(
                    f"{written}: a covariance of scalars or vectors, got {show_shape(item.shape)}",
                    item.pos,
                )
        targets = self.everything(T.Add([(1, i) for i in items], shape=None), written, pos)
        left, right = items[0], items[-1]
        deviations = [
            T.Add([(1, x), (-1, self.expect(x, targets, written, pos))],
                  shape=x.shape or SCALAR, pos=pos)
            for x in (left, right)
        ]  # fmt: skip
        a, b = (d.shape or SCALAR for d in deviations)
        product: T.Term
        if a == SCALAR and b == SCALAR:
            product = T.Mul(deviations[0], deviations[1], shape=SCALAR, pos=pos)
        else:
            transposed = T.Transpose(deviations[1], shape=b.transposed(), pos=pos)
            product = T.Mul(deviations[0], transposed, shape=Shape(a.rows, b.rows), pos=pos)
        return self.expect(product, targets, written, pos)

    def divergence(self, bracket: ast.Delimited, scope: Scope, written: str, pos: int) -> T.Term:
        if len(bracket.items) != 2 or bracket.separators != ["\\|"]:
            raise TranslateError(
                f"{written}: write the divergence as \\mathrm{{KL}}(q \\| p), with two"
                " distributions such as \\mathcal{N}(\\mu, \\Sigma)",
                pos,
            )
        q, p = (written_distribution(self.reader, item, scope) for item in bracket.items)
        if q.family != p.family or q.shape != p.shape:
            raise TranslateError(
                f"{written}: both distributions must be of one family and shape, got"
                f" {q.written} and {p.written}",
                pos,
            )
        return Divergence(q, p, written, shape=SCALAR, pos=pos)

    def single(self, bracket: ast.Delimited, name: str) -> ast.Node:
        if len(bracket.items) != 1:
            raise TranslateError(f"{name}[…] takes one expression", bracket.pos)
        return bracket.items[0]

    # ------------------------------------------------------------------ targets

    def random(self, name: str, pos: int) -> RandomSymbol:
        """The declared random symbol `name`, its distribution read once per pair."""
        if name not in self.randoms:
            decl = self.reader.declarations[name]
            try:
                distribution = declared(self.reader, decl)
            except TranslateError as err:
                raise TranslateError(err.message, pos) from None
            for term in distribution.terms():
                for ref in term.walk():
                    if isinstance(ref, T.Ref) and self.is_random(ref.name):
                        raise TranslateError(
                            f"the parameters of {distribution.written} are random ({ref.name}):"
                            " a distribution with random parameters is not supported",
                            pos,
                        )
            ranges = []
            for placeholder in decl.indices:
                index = self.reader.declarations[placeholder]
                assert index.index_range is not None
                ranges.append(index.index_range)
            shape = decl.shape if decl.kind == Kind.VECTOR and decl.shape else SCALAR
            self.randoms[name] = RandomSymbol(name, distribution, shape, ranges)
        return self.randoms[name]

    def is_random(self, name: str) -> bool:
        decl = self.reader.declarations.get(name)
        return decl is not None and decl.is_random

    def mentioned(self, term: T.Term) -> list[str]:
        """The random symbols a term uses, in order."""
        names = [t.name for t in term.walk() if isinstance(t, T.Ref) and self.is_random(t.name)]
        return list(dict.fromkeys(names))

    def everything(self, body: T.Term, written: str, pos: int) -> list[Target]:
        names = self.mentioned(body)
        if not names:
            raise TranslateError(
                f"nothing under {written} is random: declare the random symbol with its"
                f" distribution ({EXAMPLE}), or write the expression without the expectation",
                pos,
            )
        return [Target(self.random(n, pos)) for n in names]

    def subscript(self, sub: ast.Node, scope: Scope) -> list[Target]:
        """`\\mathbb{E}_{z}`, `_{z^{(i)}}`, `_{z, y}` or `_{z \\sim q}`."""
        sub = unwrap(sub) or sub
        if isinstance(sub, ast.Limit) and sub.op == "sim":
            target = self.target(sub.left, scope)
            stated = written_distribution(self.reader, sub.right, scope)
            own = target.symbol.distribution
            if stated.family != own.family or stated.shape != own.shape:
                raise TranslateError(
                    f"{stated.written} is not the declared distribution of"
                    f" {target.symbol.name}, {own.written}",
                    sub.right.pos,
                )
            target.stated = stated
            return [target]
        if isinstance(sub, ast.Limit):
            raise TranslateError("write the subscript of \\mathbb{E} as z or z \\sim q", sub.pos)
        items = sub.items if isinstance(sub, ast.Sequence) else [sub]
        return [self.target(item, scope) for item in items]

    def target(self, node: ast.Node, scope: Scope) -> Target:
        node = unwrap(node) or node
        name = symbol_name(node)
        if name is not None and self.is_random(name):
            decl = self.reader.declarations[name]
            if decl.indices and isinstance(node, ast.Atom):
                return Target(self.random(name, node.pos))  # every member of a family
        term = self.reader.translate(node, scope)
        if isinstance(term, T.Ref) and self.is_random(term.name):
            member = list(term.indices) if term.family else None
            return Target(self.random(term.name, node.pos), member)
        raise TranslateError(
            f"an expectation over {compact(node)}, which is not a random symbol: declare it"
            f" with its distribution ({EXAMPLE})",
            node.pos,
        )

    # --------------------------------------------------------------- linearity

    def expect(self, body: T.Term, targets: list[Target], written: str, pos: int) -> T.Term:
        """E[body], with linearity applied where it is exact."""
        names = {t.symbol.name for t in targets}

        def random(term: T.Term) -> bool:
            return any(isinstance(t, T.Ref) and t.name in names for t in term.walk())

        def inner(term: T.Term) -> T.Term:
            return self.expect(term, targets, written, pos)

        if not random(body):
            return body
        if isinstance(body, T.Add):
            return T.Add([(s, inner(t)) for s, t in body.terms], shape=body.shape, pos=body.pos)
        if isinstance(body, T.Sum) and body.kind == "sum" and _fixed(body, targets, random):
            return replace(body, body=inner(body.body))
        if isinstance(body, T.Mul) and not random(body.left):
            return T.Mul(body.left, inner(body.right), shape=body.shape, pos=body.pos)
        if isinstance(body, T.Mul) and not random(body.right):
            return T.Mul(inner(body.left), body.right, shape=body.shape, pos=body.pos)
        if isinstance(body, T.Div) and not random(body.denominator):
            return T.Div(inner(body.numerator), body.denominator, shape=body.shape, pos=body.pos)
        if isinstance(body, T.Transpose):
            return T.Transpose(inner(body.body), shape=body.shape, pos=body.pos)
        if isinstance(body, T.MatrixFunction) and body.function == "tr":
            return T.MatrixFunction("tr", inner(body.body), shape=body.shape, pos=body.pos)
        gaussians = {t.symbol.name for t in targets if not t.symbol.distribution.finite}
        found = obstacle(body, gaussians)
        if found is not None:
            part, what = found
            used = " and ".join(sorted(n for n in gaussians if _uses(part, n)))
            raise TranslateError(f"under {written}: {what} of the Gaussian {used} {SUPPORTED}",
                                 part.pos)  # fmt: skip
        return Expectation(body, targets, written, shape=body.shape or SCALAR, pos=pos)


def _uses(term: T.Term, name: str) -> bool:
    return any(isinstance(t, T.Ref) and t.name == name for t in term.walk())


def _fixed(body: T.Sum, targets: list[Target], random: Any) -> bool:
    """A sum whose range is not random, and whose variable names no target's member."""
    limits = [body.lower, body.upper] + ([body.exclude] if body.exclude else [])
    if any(random(t) for t in limits):
        return False
    members = [t for target in targets for term in target.member or () for t in term.walk()]
    return not any(isinstance(t, T.IndexValue) and t.name == body.variable for t in members)
