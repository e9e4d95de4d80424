"""Terms that integrate: an expectation, a log-density, a KL divergence.

`Expectation.value` computes E[body] exactly at the instance `env`, over the
random symbols it integrates (contract §4):

- each finitely-valued symbol (Bernoulli, Categorical) is bound to a `Pending`
  placeholder; the first use of one raises `Need`, and the expectation branches
  there over its outcomes, weighting each by its probability. So only the
  outcomes of the members the body actually uses are summed over: an ELBO term
  for point i enumerates the k labels of z^{(i)}, not all k^m labellings;
- each Gaussian symbol is bound to fresh SymPy symbols, and what the body
  evaluates to is integrated by `verify.meaning.moments` (Isserlis, the MGF).

Random symbols the expectation does not integrate keep the value they have
around it: a value in their support outside any expectation (contract §4:
a random symbol outside an expectation ranges over its support, so pointwise
identities are checked for every value), or an enclosing expectation's own
placeholder. Different random symbols, and different members of a family, are
independent.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NoReturn

import sympy as sp

from verify.errors import EvaluationError, Undefined
from verify.meaning import terms as T
from verify.meaning.distributions import Distribution
from verify.meaning.dual import Dual, Mat, is_matrix, is_zero, power
from verify.meaning.functions import function
from verify.meaning.memo import fingerprint, remembered
from verify.meaning.moments import GaussianBlock, Unsupported, gaussian_expectation
from verify.shape import SCALAR, Shape, Size

Key = tuple[int, ...]
SUPPORTED = (
    "has no exact expectation here (exact: polynomials of Gaussian symbols up to degree"
    " 8, e^{aᵀz}, log 𝒩(z; μ, Σ), and any function of Bernoulli or Categorical symbols)"
)


class Need(Exception):  # noqa: N818 - a signal, not an error
    """A finitely-valued random member was used before its outcome was chosen."""

    def __init__(self, pending: Pending) -> None:
        super().__init__(pending.name)
        self.pending = pending


class Pending:
    """A finitely-valued random member whose outcome is not chosen yet: any use raises
    `Need`, so that the expectation that owns it branches over its outcomes."""

    _op_priority = 1e9  # SymPy hands arithmetic with a Pending to the Pending

    def __init__(self, owner: object, name: str, key: Key) -> None:
        self.owner, self.name, self.key = owner, name, key

    def need(self, *_: Any) -> NoReturn:
        raise Need(self)

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = need
    __truediv__ = __rtruediv__ = __pow__ = __rpow__ = __neg__ = __pos__ = need
    __int__ = __index__ = __float__ = __bool__ = __abs__ = need
    __lt__ = __le__ = __gt__ = __ge__ = need

    def __eq__(self, other: object) -> bool:
        self.need()

    def __ne__(self, other: object) -> bool:
        self.need()

    __hash__ = object.__hash__

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        self.need()


@dataclass
class RandomSymbol:
    """A declared random symbol: its name, distribution, shape and, for a family, the
    ranges of its indices."""

    name: str
    distribution: Distribution
    shape: Shape
    ranges: list[tuple[Size, Size]] = field(default_factory=list)

    @property
    def family(self) -> bool:
        return bool(self.ranges)

    def keys(self, env: T.Env) -> list[Key]:
        spans = [range(env.size(lo), env.size(hi) + 1) for lo, hi in self.ranges]
        return [tuple(k) for k in itertools.product(*spans)]

    def at(self, env: T.Env, key: Key) -> T.Env:
        """`env` with the family's own indices set to a member's key."""
        for name, value in zip(self.distribution.placeholders, key, strict=True):
            env = env.with_index(name, value)
        return env


@dataclass
class Target:
    """What an expectation integrates: a random symbol, all of it or one member."""

    symbol: RandomSymbol
    member: list[T.Term] | None = None  # index terms of one family member
    stated: Distribution | None = None  # `\\mathbb{E}_{z \\sim q}`: must be z's distribution

    def keys(self, env: T.Env) -> list[Key]:
        if not self.symbol.family:
            return [()]
        if self.member is None:
            return self.symbol.keys(env)
        return [tuple(int(T.scalar_of(i.value(env))) for i in self.member)]


@dataclass
class _Binding:
    """One evaluation of an expectation: who owns the placeholders, and which
    Gaussian symbols stand for which member."""

    owner: object
    symbols: dict[str, RandomSymbol]
    gaussians: list[tuple[RandomSymbol, Key, list[sp.Symbol]]] = field(default_factory=list)


@dataclass
class Expectation(T.Term):
    """E[body] over the targets, exactly at each instance."""

    body: T.Term
    targets: list[Target]
    written: str = ""
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def value(self, env: T.Env) -> T.Value:
        return remembered(self.memo, fingerprint(self, env), lambda: self._value(env))

    def _value(self, env: T.Env) -> T.Value:
        for target in self.targets:
            if target.stated is not None:
                _same_distribution(target, env)
        binding = _Binding(object(), {t.symbol.name: t.symbol for t in self.targets})
        inner = _bind(self.targets, env, binding)
        try:
            return _branch(self.body, inner, env, binding)
        except Unsupported as err:
            if err.message.startswith("under "):
                raise
            raise Unsupported(f"under {self.written}: {err.message} {SUPPORTED}") from None

    def children(self) -> list[T.Term]:
        out: list[T.Term] = [self.body]
        for target in self.targets:
            out.extend(target.symbol.distribution.terms())
            out.extend(target.member or ())
        return out

    def walk(self) -> list[T.Term]:
        """As `Term.walk`, without the symbols it integrates whole: inside, they are
        bound (like a summation variable), so the side does not depend on them."""
        bound = {t.symbol.name for t in self.targets if t.member is None}
        out: list[T.Term] = [self]
        for child in self.children():
            out.extend(t for t in child.walk() if not (isinstance(t, T.Ref) and t.name in bound))
        return out


def integrates(term: T.Term) -> bool:
    """Whether a side holds an expectation or a divergence (for the verdict's method)."""
    return any(isinstance(t, (Expectation, Divergence)) for t in term.walk())


def _bind(targets: list[Target], env: T.Env, binding: _Binding) -> T.Env:
    values, families = dict(env.values), dict(env.families)
    for target in targets:
        symbol = target.symbol
        for key in target.keys(env):
            if symbol.distribution.finite:
                value: Any = Pending(binding.owner, symbol.name, key)
            else:
                value = _gaussian_symbols(symbol, key, env, binding)
            if symbol.family:
                families[symbol.name] = {**families.get(symbol.name, {}), key: value}
            else:
                values[symbol.name] = value
    return T.Env(env.sizes, env.indices, values, families, env.functions, env.depth,
                 env.symbolic)  # fmt: skip


def _gaussian_symbols(symbol: RandomSymbol, key: Key, env: T.Env, binding: _Binding) -> Any:
    rows = 1 if symbol.shape == SCALAR else env.size(symbol.shape.rows)
    entries = [sp.Dummy(f"{symbol.name}{r}", real=True) for r in range(rows)]
    binding.gaussians.append((symbol, key, entries))
    return entries[0] if symbol.shape == SCALAR else Mat([[e] for e in entries])


def _assign(env: T.Env, pending: Pending, outcome: int) -> T.Env:
    value = sp.Integer(outcome)
    if pending.key == () and pending.name in env.values:
        values = {**env.values, pending.name: value}
        return T.Env(env.sizes, env.indices, values, env.families, env.functions, env.depth,
                     env.symbolic)  # fmt: skip
    members = {**env.families[pending.name], pending.key: value}
    families = {**env.families, pending.name: members}
    return T.Env(env.sizes, env.indices, env.values, families, env.functions, env.depth,
                 env.symbolic)  # fmt: skip


def _branch(body: T.Term, inner: T.Env, outer: T.Env, binding: _Binding) -> Any:
    """E[body] with the finite placeholders resolved one at a time, as they are used."""
    try:
        value = body.value(inner)
        for entry in _entries(value):
            if isinstance(entry, Pending):
                entry.need()
    except Need as need:
        pending = need.pending
        if pending.owner is not binding.owner:
            raise
        symbol = binding.symbols[pending.name]
        total: Any = None
        for outcome, p in symbol.distribution.outcomes(symbol.at(outer, pending.key)):
            if is_zero(p):
                continue
            part = _branch(body, _assign(inner, pending, outcome), outer, binding)
            total = p * part if total is None else total + p * part
        return total
    return _integrate_gaussians(value, outer, binding)


def _entries(value: Any) -> Iterator[Any]:
    if is_matrix(value):
        yield from value
    else:
        yield value


def _integrate_gaussians(
    value: Any, env: T.Env, binding: _Binding, normals: dict[Any, Any] | None = None
) -> Any:
    """The Gaussian part of the expectation: a value in this binding's symbols.
    `normals` keeps each member's mean and covariance, read once for all entries."""
    normals = {} if normals is None else normals
    if isinstance(value, Dual):
        return Dual(_integrate_gaussians(value.value, env, binding, normals),
                    _integrate_gaussians(value.slope, env, binding, normals),
                    value.tag)  # fmt: skip
    if is_matrix(value):
        return value.applyfunc(lambda x: _integrate_gaussians(x, env, binding, normals))
    expr = sp.sympify(value)
    present = expr.free_symbols
    blocks: list[GaussianBlock] = []
    names: list[str] = []
    for symbol, key, entries in binding.gaussians:
        if present.isdisjoint(entries):
            continue
        if (symbol.name, key) not in normals:
            normals[symbol.name, key] = symbol.distribution.normal(symbol.at(env, key))
        mean, covariance = normals[symbol.name, key]
        blocks.append(GaussianBlock(entries, mean, covariance))
        names.append(symbol.name)
    if not blocks:
        return value
    return gaussian_expectation(expr, blocks, " and ".join(dict.fromkeys(names)))


def _same_distribution(target: Target, env: T.Env) -> None:
    """`\\mathbb{E}_{z \\sim q}`: q must be the distribution z is declared with."""
    stated, own = target.stated, target.symbol.distribution
    assert stated is not None
    for key in target.keys(env):
        at = target.symbol.at(env, key)
        if stated.family != own.family:
            agree = False
        elif own.finite:
            agree = _close(stated.outcomes(env), own.outcomes(at))
        else:
            agree = _close(stated.normal(env), own.normal(at))
        if not agree:
            raise EvaluationError(
                f"the distribution under \\mathbb{{E}}, {stated.written}, is not the declared"
                f" distribution of {target.symbol.name}, {own.written}, at this instance: write"
                " the declared one, or declare another random symbol"
            )


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    difference = sp.sympify(a) - sp.sympify(b)
    if difference.is_Rational or not difference.is_number:
        return bool(difference == 0) or sp.simplify(difference) == 0
    return bool(abs(sp.N(difference, 60)) < sp.Float("1e-40", 70))


# ---------------------------------------------------------------- densities


def log_density(point: Any, mean: Any, covariance: Any) -> Any:
    """log N(point; mean, covariance): -(n/2) log 2π - ½ log|Σ| - ½ (x-μ)ᵀΣ⁻¹(x-μ)."""
    if is_matrix(covariance):
        n = covariance.rows
        det = covariance.det()
        if is_zero(det):
            raise Undefined("a singular covariance")
        d = point - mean
        quadratic = T.scalar_of(d.T * covariance.inv() * d)
        return (-sp.Rational(n, 2) * function("log", 2 * sp.pi) - function("log", det) / 2
                - quadratic / 2)  # fmt: skip
    if is_zero(covariance):
        raise Undefined("a zero variance")
    d = point - mean
    return -function("log", 2 * sp.pi * covariance) / 2 - power(d, sp.Integer(2)) / (2 * covariance)


@dataclass
class LogDensity(T.Term):
    """`\\log \\mathcal{N}(x; \\mu, \\Sigma)` as the polynomial in x that it is, so that
    its expectation over a Gaussian x is exact."""

    point: T.Term
    mean: T.Term
    covariance: T.Term

    def value(self, env: T.Env) -> T.Value:
        return log_density(*(t.value(env) for t in (self.point, self.mean, self.covariance)))

    def children(self) -> list[T.Term]:
        return [self.point, self.mean, self.covariance]


@dataclass
class Divergence(T.Term):
    """KL(q ‖ p) = E_{x∼q}[log q(x) − log p(x)], exactly."""

    q: Distribution
    p: Distribution
    written: str = ""

    def value(self, env: T.Env) -> T.Value:
        if self.q.finite:
            return _finite_divergence(self.q.outcomes(env), self.p.outcomes(env))
        q_mean, q_cov = self.q.normal(env)
        p_mean, p_cov = self.p.normal(env)
        entries = [sp.Dummy(f"x{r}", real=True) for r in range(len(q_mean))]

        def column(values: list[Any]) -> Any:
            return Mat([[v] for v in values]) if len(values) > 1 else values[0]

        def matrix(values: list[list[Any]]) -> Any:
            return Mat(values) if len(values) > 1 else values[0][0]

        x = column(entries)
        ratio = log_density(x, column(q_mean), matrix(q_cov)) - log_density(
            x, column(p_mean), matrix(p_cov)
        )
        return gaussian_expectation(ratio, [GaussianBlock(entries, q_mean, q_cov)], "x")

    def children(self) -> list[T.Term]:
        return [*self.q.terms(), *self.p.terms()]


def _finite_divergence(q: list[tuple[int, Any]], p: list[tuple[int, Any]]) -> Any:
    if [v for v, _ in q] != [v for v, _ in p]:
        raise EvaluationError("KL(q ‖ p) between distributions over different outcomes")
    total: Any = sp.Integer(0)
    for (_, a), (_, b) in zip(q, p, strict=True):
        if is_zero(a):
            continue  # 0 log 0 = 0
        if is_zero(b):
            raise Undefined("KL(q ‖ p) is infinite: p gives 0 where q does not")
        total += a * (function("log", a) - function("log", b))
    return total
