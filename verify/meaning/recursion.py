"""Recursive definitions, as algorithms write them: `m_0 := 0` and
`m_t := \\beta_1 m_{t-1} + (1-\\beta_1)g_t` (Kingma and Ba's Algorithm 1), or
`\\theta^{(0)} := …` and `\\theta^{(t)} := \\theta^{(t-1)} - \\alpha g^{(t)}`.

A definition with index placeholders whose body uses its own name is a
recurrence. Its base cases are the definitions of that name at whole-number
indices written before it (`m_0 := 0`). A use such as `m_t` is read into a
`Recurrence`: the rule's body, translated once with each placeholder a fresh
index, in which every use of the name itself is a `SelfReference` that carries
its index terms only. At an instance, `m_t` runs the recursion down to a base
case; one that is not reached within `MAX_STEPS` steps (`m_{-1}`, or a rule
that does not move towards a base case) is an evaluation error, never a value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from verify.errors import EvaluationError, TranslateError
from verify.latex.syntax import atoms
from verify.meaning import terms as T
from verify.meaning.scope import DefinitionInfo, Reader, Scope
from verify.shape import SCALAR, Shape, show_shape

MAX_STEPS = 200
_WHOLE = r"-?\d+"


class RecursionReader(Reader, Protocol):
    """The translator, with the rules whose bodies it is reading."""

    recursions: dict[str, RecursionRule]
    rules: dict[str, RecursionRule]


def recursive(definition: DefinitionInfo) -> bool:
    """A definition with index placeholders whose body uses its own name."""
    placeholders = definition.subscripts + definition.superscripts
    return bool(placeholders) and definition.base in atoms(definition.body)


@dataclass(eq=False)
class RecursionRule:
    """One recurrence: its placeholders (fresh index names), its body, its base cases."""

    definition: DefinitionInfo
    placeholders: list[str]
    body: T.Term | None = None
    bases: dict[tuple[int, ...], T.Term] = field(default_factory=dict)
    reads: list[T.Term] = field(default_factory=list)  # the symbols the body reads
    shape: Shape | None = None  # of the name at any index (None: a bare 0 so far)
    outer: tuple[str, ...] = ()  # the indices the body reads from around it
    steps: int = 0  # how deep the evaluation running now has recursed
    memo: dict[tuple[Any, ...], tuple[Any, ...]] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"RecursionRule({self.name!r}, line {self.definition.line})"

    @property
    def name(self) -> str:
        return self.definition.base

    def at(self, env: T.Env, key: tuple[int, ...]) -> T.Value:
        """The value of the defined name at the whole-number indices `key`."""
        if key in self.bases:
            return self.bases[key].value(env)
        assert self.body is not None
        around = tuple(env.indices.get(name) for name in self.outer)
        memo_key = (key, id(env.values), id(env.families), id(env.functions), env.depth,
                    env.symbolic, around)  # fmt: skip
        if memo_key in self.memo:
            return self.memo[memo_key][-1]
        if self.steps >= MAX_STEPS:
            shown = ", ".join(str(k[0]) if len(k) == 1 else str(k) for k in self.bases)
            raise EvaluationError(
                f"the recursion of {self.name} (line {self.definition.line}) does not reach a"
                f" base case ({shown or 'none is defined'}) within {MAX_STEPS} steps"
            )
        inner = env
        for name, value in zip(self.placeholders, key, strict=True):
            inner = inner.with_index(name, value)
        self.steps += 1
        try:
            value = self.body.value(inner)
        finally:
            self.steps -= 1
        # the dictionaries are kept alive with the entry, so that their ids stay theirs
        self.memo[memo_key] = (env.values, env.families, env.functions, value)
        return value


def _key(indices: list[T.Term], env: T.Env, name: str) -> tuple[int, ...]:
    key = []
    for index in indices:
        value = T.scalar_of(index.value(env))
        if not getattr(value, "is_Integer", False):
            raise EvaluationError(
                f"{name} is defined by a recursion on whole numbers, but its index took the"
                f" value {value}"
            )
        key.append(int(value))
    return tuple(key)


@dataclass
class Recurrence(T.Term):
    """A use of a recursively defined name (`m_t`): the rule at its index terms."""

    rule: RecursionRule
    indices: list[T.Term]

    def value(self, env: T.Env) -> T.Value:
        key = _key(self.indices, env, self.rule.name)
        if self.rule.steps == 0:
            self.rule.memo.clear()  # a new evaluation: earlier values may not hold here
        return self.rule.at(env, key)

    def children(self) -> list[T.Term]:
        assert self.rule.body is not None
        return [*self.indices, self.rule.body, *self.rule.bases.values()]


@dataclass
class SelfReference(T.Term):
    """The defined name inside its own body (`m_{t-1}`): evaluated through the rule.
    Its children are its index terms and the symbols the body reads, never the body,
    so that walking a term ends, and still sees every symbol it depends on."""

    rule: RecursionRule
    indices: list[T.Term]

    def value(self, env: T.Env) -> T.Value:
        return self.rule.at(env, _key(self.indices, env, self.rule.name))

    def children(self) -> list[T.Term]:
        return [*self.indices, *self.rule.reads]


def use(
    reader: RecursionReader, definition: DefinitionInfo, indices: list[T.Term],
    args: list[T.Term], pos: int,
) -> T.Term:  # fmt: skip
    """A use of the recursively defined `definition` at the index terms `indices`:
    `m_{t-1}` inside its own body, or `m_t` anywhere after it."""
    if definition.base in reader.recursions:
        return self_reference(reader.recursions[definition.base], indices, pos)
    if definition.params or args:
        raise TranslateError(
            f"{definition.base} is defined by a recursion with arguments: only recursions on"
            " index placeholders (m_t := … m_{t-1} …) are supported",
            pos,
        )
    rule = reader.rules.get(definition.base)
    if rule is None:
        rule = _rule(reader, definition, pos)
    assert rule.body is not None
    return Recurrence(rule, indices, shape=rule.body.shape, pos=pos)


def self_reference(rule: RecursionRule, indices: list[T.Term], pos: int) -> T.Term:
    """`m_{t-1}` inside the body of `m_t := …`."""
    if len(indices) != len(rule.placeholders):
        raise TranslateError(
            f"{rule.name} is defined with {len(rule.placeholders)} index(es), got {len(indices)}",
            pos,
        )
    return SelfReference(rule, indices, shape=rule.shape, pos=pos)


def _rule(reader: RecursionReader, definition: DefinitionInfo, pos: int) -> RecursionRule:
    """Read the rule once. A use of the name in its own body has the shape of the base
    cases; where they are a bare 0, that of the body, read a second time with it."""
    placeholders = definition.subscripts + definition.superscripts
    fresh = [reader.fresh_placeholder() for _ in placeholders]
    rule = RecursionRule(definition, fresh)
    scope = Scope(frozenset(fresh), {p: T.IndexValue(f, pos=pos) for p, f in
                                     zip(placeholders, fresh, strict=True)})  # fmt: skip
    saved = reader.definitions
    reader.definitions = {k: v for k, v in saved.items() if v.order < definition.order}
    reader.recursions[definition.base] = rule
    try:
        rule.bases = _bases(reader, definition, len(placeholders), pos)
        rule.shape = next((b.shape for b in rule.bases.values() if b.shape is not None), None)
        body = reader.translate(definition.body, scope)
        if rule.shape is None and body.shape is not None:
            rule.shape = body.shape
            body = reader.translate(definition.body, scope)
        if body.shape is not None and rule.shape is not None and body.shape != rule.shape:
            raise TranslateError(
                f"its body is a {show_shape(body.shape)}, but {definition.base} at another"
                f" index is a {show_shape(rule.shape)}",
                pos,
            )
    except TranslateError as err:
        raise TranslateError(
            f"in the definition of {definition.base} (line {definition.line}): {err.message}",
            pos,
        ) from None
    finally:
        reader.definitions = saved
        del reader.recursions[definition.base]
    if not rule.bases:
        raise TranslateError(
            f"{definition.base} is defined by a recursion (line {definition.line}) with no base"
            f" case: define it at a whole-number index first, as in {definition.base}_0 := …",
            pos,
        )
    for key, base in rule.bases.items():
        if base.shape is None and rule.shape not in (None, SCALAR):
            rule.bases[key] = T.Zero(shape=rule.shape, pos=pos)  # `\\theta^{(0)} := 0`
    rule.body = body
    rule.reads = [t for t in body.walk() if isinstance(t, T.Ref)]
    rule.outer = tuple(sorted(_free_indices(body, frozenset(fresh))))
    reader.rules[definition.base] = rule
    return rule


def _free_indices(term: T.Term, bound: frozenset[str]) -> set[str]:
    """The index names a term reads that no sum inside it binds: what a value of the
    body may depend on besides its own placeholders (which `bound` starts with)."""
    if isinstance(term, T.IndexValue):
        return set() if term.name in bound else {term.name}
    if isinstance(term, T.Sum):
        limits = [term.lower, term.upper] + ([term.exclude] if term.exclude else [])
        inner = _free_indices(term.body, bound | {term.variable})
        return inner.union(*(_free_indices(t, bound) for t in limits))
    children = term.indices if isinstance(term, SelfReference) else term.children()
    return set().union(*(_free_indices(c, bound) for c in children))


def _bases(
    reader: RecursionReader, definition: DefinitionInfo, count: int, pos: int
) -> dict[tuple[int, ...], T.Term]:
    """The definitions of the same name at whole-number indices (`m_0`, `\\theta^{(0)}`),
    written before the rule, each read in the scope of its own line; all of one shape."""
    where = "_" if definition.subscripts else "^"
    prefix = f"{definition.base}{where}{{"
    found: dict[tuple[int, ...], T.Term] = {}
    shape = None
    for name, base in reader.definitions.items():
        if not name.startswith(prefix) or base.params or base.subscripts or base.superscripts:
            continue
        key = _literal_key(name[len(prefix) : -1], count)
        if key is None:
            continue
        term, _ = reader.expand(base, None, None, [], Scope(), pos)
        if term.shape is not None and shape is not None and term.shape != shape:
            raise TranslateError(
                f"the base cases of {definition.base} have different shapes:"
                f" {show_shape(shape)} and {show_shape(term.shape)} ({name}, line {base.line})",
                pos,
            )
        shape = shape or term.shape
        found[key] = term
    return found


def _literal_key(script: str, count: int) -> tuple[int, ...] | None:
    """`0` -> (0,); `(0)` -> (0,); `0,1` or `01` -> (0, 1) for two indices."""
    text = script.strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    items = text.split(",")
    if len(items) == 1 and count > 1 and re.fullmatch(r"\d+", text) and len(text) == count:
        items = list(text)
    if len(items) != count or not all(re.fullmatch(_WHOLE, i.strip()) for i in items):
        return None
    return tuple(int(i.strip()) for i in items)
