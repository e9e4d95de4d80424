"""Sums over a set of indices, as Bishop writes the classes of a data set:
`\\sum_{n \\in \\mathcal{C}_k}(y_n - m_k)^2`, with `\\mathcal{C}_k: subset of 1..N, size N_k`
declared (contract §2 extension).

A subset is drawn at each instance as a set of whole numbers in its range (a
class of training points, `verify.deciding.instances.draw_subsets`), so a step
is tested with classes of several sizes, and the sum runs over exactly those
members. A subset is nothing but the range of such a sum: used anywhere else it
is an error.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from verify.errors import EvaluationError, TranslateError
from verify.latex import tree as ast
from verify.latex.printer import compact
from verify.latex.syntax import index_items, symbol_name, unwrap, variable_name
from verify.meaning import terms as T
from verify.meaning.scope import Reader, Scope
from verify.model import Kind
from verify.shape import SCALAR


@dataclass
class SetSum(T.Sum):
    """`\\sum_{n \\in C}` (or `\\prod`): the body summed over the members of a drawn set.
    `lower` holds the set (so that what reads a sum's limits reads it); `upper` is 0."""

    def value(self, env: T.Env) -> T.Value:
        members = self.lower.value(env)
        if not isinstance(members, tuple):
            raise EvaluationError("a sum over a set whose value is not a set of indices")
        if len(members) > T.MAX_TERMS:
            raise EvaluationError(f"a sum over {len(members)} terms is more than {T.MAX_TERMS}")
        return self.over(env, members)

    def children(self) -> list[T.Term]:
        return [self.lower, self.body]


def is_membership(sub: ast.Node | None) -> bool:
    """Whether a big operator's subscript is `n \\in C`."""
    node = unwrap(sub)
    return isinstance(node, ast.Limit) and node.op == "in"


def set_sum(
    reader: Reader, node: ast.Scripted, head: str, body_of: T.Term, variable: str, scope: Scope
) -> T.Term:
    """The sum (or product) of `body_of`, read with `variable` bound, over the set."""
    if node.sup is not None:
        raise TranslateError(
            f"\\{head.lower()} over a set takes no upper limit: write \\{head.lower()}_{{n \\in C}}",
            node.pos,
        )
    sub = unwrap(node.sub)
    assert isinstance(sub, ast.Limit)
    members = read_set(reader, sub.right, scope)
    if head == "PROD":
        reader.scalar(body_of, "the body of a product")
    kind = "sum" if head == "SUM" else "prod"
    zero = T.Number(sp.Integer(0), pos=node.pos)
    return SetSum(kind, variable, members, zero, body_of, None, shape=body_of.shape, pos=node.pos)


def summation_variable(reader: Reader, node: ast.Scripted) -> str:
    """The variable of `\\sum_{n \\in C}`: a letter, declared over the set's own range
    if it is declared at all."""
    sub = unwrap(node.sub)
    assert isinstance(sub, ast.Limit)
    var = variable_name(sub.left)
    if var is None:
        raise TranslateError("the summation variable must be a letter", sub.pos)
    name = symbol_name(sub.right.base if isinstance(sub.right, ast.Scripted) else sub.right)
    decl = reader.declarations.get(var)
    subset = reader.declarations.get(name or "")
    if (
        decl is not None and subset is not None and decl.kind == Kind.INDEX
        and decl.index_range != subset.index_range
    ):  # fmt: skip
        low, high = decl.index_range or ("?", "?")
        raise TranslateError(
            f"{var} runs over {low}..{high}, but {compact(sub.right)} is a {subset.describe_kind()}",
            sub.pos,
        )
    return var


def read_set(reader: Reader, node: ast.Node, scope: Scope) -> T.Term:
    """`\\mathcal{C}_k`: a declared subset (a member of a family of them) as a term."""
    base = node.base if isinstance(node, ast.Scripted) else node
    sub = node.sub if isinstance(node, ast.Scripted) else None
    name = symbol_name(base)
    decl = reader.declarations.get(name or "")
    if decl is None or decl.kind != Kind.SUBSET:
        raise TranslateError(
            f"{compact(node)} after \\in must be a declared set of indices, as in"
            " '\\mathcal{C}_k: subset of 1..N, size N_k'",
            node.pos,
        )
    items = index_items(sub, len(decl.subscripts)) if decl.subscripts else []
    if len(items) != len(decl.subscripts) or (sub is not None and not decl.subscripts):
        raise TranslateError(
            f"'{compact(node)}' does not match '{decl.key}': expected"
            f" {len(decl.subscripts)} subscript index(es)",
            node.pos,
        )
    indices = [reader.index(n, scope) for n in items]
    return T.Ref(decl.base, indices, family=bool(decl.indices), shape=SCALAR, pos=node.pos)
