"""Definitions by cases, as recursions are written: a base case and a step,
each its own `:=` row (Rabiner's forward and backward variables):

    \\alpha_1(i) := \\pi_i b_i(O_1)
    \\alpha_{t+1}(j) := \\left[\\sum_{i=1}^{N} \\alpha_t(i) a_{ij}\\right] b_j(O_{t+1})
    \\beta_T(i) := 1
    \\beta_t(i) := \\sum_j a_{ij} b_j(O_{t+1}) \\beta_{t+1}(j)     (where t \\le T - 1)

Definitions of one name whose subscripts differ — a number or a size (`1`, `T`),
a declared index (`t`), or an expression in one (`t + 1`) — and at least one of
which runs over an index, are the cases of one definition. `\\alpha_n(i)` is the
body of the case whose subscript takes the value n, at an index value in the
index's declared range where the case's `where` conditions hold. Where no case
applies, or two do (overlapping patterns without a condition to separate them),
that is an error, never a choice. Each body is read once, with its placeholder
and arguments as variables, and evaluated on demand, with the values it has
taken remembered for the instance (so a recursion costs one evaluation per
member, not one per path).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from verify.errors import EvaluationError, TranslateError
from verify.latex import tree as ast
from verify.latex.syntax import atoms
from verify.meaning import terms as T
from verify.meaning.conditions import condition_term, holds
from verify.meaning.dual import exact_mode, plain
from verify.meaning.scope import DefinitionInfo, Reader, Scope
from verify.model import Declaration, Kind
from verify.shape import SCALAR

MEMORY = 32  # instances whose values a family remembers at once


@dataclass
class Case:
    """One case, read: its placeholder's variable, its subscript, conditions and body."""

    info: DefinitionInfo
    placeholder: str | None  # the declared index the case runs over, if any
    variable: str  # the placeholder's bound name inside the case
    pattern: T.Term  # the subscript, as a term in `variable`
    parameters: list[str]  # bound names of the arguments
    conditions: list[T.Indicator]
    body: T.Term


@dataclass
class CaseFamily:
    """The cases of one defined name, read once per pair and evaluated on demand."""

    name: str
    infos: list[DefinitionInfo]
    declarations: dict[str, Declaration]
    cases: list[Case] = field(default_factory=list)
    state: str = "unread"  # "unread", "reading", "read"
    free: list[str] = field(default_factory=list)  # declared indices the bodies use freely
    memory: dict[tuple[int, int], tuple[Any, Any, dict[Any, Any]]] = field(default_factory=dict)
    walking: bool = False

    @property
    def arity(self) -> int:
        return len(self.infos[0].params)

    @property
    def lines(self) -> str:
        return ", ".join(str(info.line) for info in self.infos)

    # ------------------------------------------------------------------ reading

    def read(self, reader: Reader, pos: int) -> None:
        """Read every case (once); a body that uses the family refers back to it."""
        if self.state != "unread":
            return
        self.state = "reading"
        try:
            self.cases = [self.read_case(reader, info, pos) for info in self.infos]
        except TranslateError:
            self.state = "unread"
            raise
        shapes = {case.body.shape for case in self.cases if case.body.shape is not None}
        if len(shapes) > 1:
            self.state = "unread"
            raise TranslateError(
                f"the cases of {self.name} (lines {self.lines}) have different shapes", pos
            )
        own = {name for case in self.cases for name in (case.variable, *case.parameters)}
        found: set[str] = set()
        for case in self.cases:
            for term in (case.pattern, case.body, *case.conditions):
                found |= _free_indices(term)
        self.free = sorted(n for n in found - own if n in self.declarations)
        self.state = "read"

    def read_case(self, reader: Reader, info: DefinitionInfo, pos: int) -> Case:
        placeholder = self.placeholder(info, pos)
        variable = reader.fresh_placeholder()
        parameters = [reader.fresh_placeholder() for _ in info.params]
        scope = Scope(
            indices={placeholder: T.IndexValue(variable)} if placeholder else {},
            params={p: T.IndexValue(v) for p, v in zip(info.params, parameters, strict=True)},
        )
        saved = reader.definitions
        reader.definitions = {k: v for k, v in saved.items() if v.order < info.order}
        try:
            if info.case is not None:
                pattern = reader.index(info.case, scope)
            else:
                pattern = T.IndexValue(variable)
            conditions = [condition_term(reader, c, scope) for c in info.conditions]
            body = reader.translate(info.body, scope)
        except TranslateError as err:
            raise TranslateError(
                f"in the definition of {info.base} (line {info.line}): {err.message}", pos
            ) from None
        finally:
            reader.definitions = saved
        return Case(info, placeholder, variable, pattern, parameters, conditions, body)

    def placeholder(self, info: DefinitionInfo, pos: int) -> str | None:
        """The declared index a case's subscript runs over (`t` in `\\alpha_{t+1}`)."""
        if info.case is None:
            return info.subscripts[0]
        found = sorted({a for a in atoms(info.case) if _is_index(self.declarations.get(a))})
        if len(found) > 1:
            raise TranslateError(
                f"the subscript of {info.base} (line {info.line}) runs over {' and '.join(found)}:"
                " a case of a definition runs over one index",
                pos,
            )
        return found[0] if found else None

    # --------------------------------------------------------------- evaluating

    def evaluate(self, n: int, arguments: list[int], env: T.Env, written: str) -> T.Value:
        table = self.table(env)
        key = (n, tuple(arguments), tuple(env.indices.get(f) for f in self.free))
        if key in table:
            return table[key]
        matches = [(case, value) for case in self.cases for value in self.match(case, n, env)]
        if not matches:
            raise EvaluationError(
                f"{written}: no case of the definition of {self.name} (lines {self.lines})"
                f" applies where its subscript is {n}"
            )
        if len(matches) > 1:
            lines = " and ".join(str(case.info.line) for case, _ in matches)
            raise EvaluationError(
                f"{written}: the cases of {self.name} on lines {lines} both apply where its"
                f" subscript is {n}: separate them with a condition, as"
                " <!-- verify: where t \\le T - 1 --> before the step's definition"
            )
        case, value = matches[0]
        indices = dict(env.indices)
        if value is not None:
            indices[case.variable] = value
        indices.update(zip(case.parameters, arguments, strict=True))
        inner = T.Env(env.sizes, indices, env.values, env.families, env.functions, env.depth,
                      env.symbolic)  # fmt: skip
        result = case.body.value(inner)
        table[key] = result
        return result

    def match(self, case: Case, n: int, env: T.Env) -> list[int | None]:
        """The placeholder values (None for a case without one) at which `case` gives
        the subscript n and its conditions hold."""
        if case.placeholder is None:
            return [None] if _whole(case.pattern, env) == n and holds(case.conditions, env) else []
        decl = self.declarations[case.placeholder]
        assert decl.index_range is not None
        low, high = (env.size(s) for s in decl.index_range)
        found: list[int | None] = []
        for value in range(low, high + 1):
            at = env.with_index(case.variable, value)
            if _whole(case.pattern, at) == n and holds(case.conditions, at):
                found.append(value)
        return found

    def table(self, env: T.Env) -> dict[Any, Any]:
        """The values remembered for this instance (its symbols' values, exactness,
        derivative depth)."""
        key = (id(env.values), id(env.families))
        entry = self.memory.get(key)
        if entry is None or entry[0] is not env.values or entry[1] is not env.families:
            if len(self.memory) >= MEMORY:
                self.memory.clear()
            entry = (env.values, env.families, {})
            self.memory[key] = entry
        tables: dict[Any, dict[Any, Any]] = entry[2]
        return tables.setdefault((exact_mode(), env.depth, env.symbolic), {})


@dataclass
class CaseRef(T.Term):
    """`\\alpha_t(i)`: the member of a definition by cases at a subscript and arguments."""

    family: CaseFamily
    index: T.Term
    arguments: list[T.Term]
    written: str = ""

    def value(self, env: T.Env) -> T.Value:
        n = _whole(self.index, env)
        arguments = [_whole(a, env) for a in self.arguments]
        return self.family.evaluate(n, arguments, env, self.written)

    def children(self) -> list[T.Term]:
        return [self.index, *self.arguments]

    def walk(self) -> list[T.Term]:
        """The terms of the call, and (once) those of every case's body."""
        out = super().walk()
        if self.family.walking:
            return out
        self.family.walking = True
        try:
            for case in self.family.cases:
                for term in (case.body, *case.conditions):
                    out.extend(term.walk())
        finally:
            self.family.walking = False
        return out


def case_families(
    definitions: list[DefinitionInfo], declarations: dict[str, Declaration]
) -> dict[str, CaseFamily]:
    """The names defined by cases: two or more definitions of one name whose
    subscripts differ, at least one of which runs over a declared index."""
    groups: dict[str, list[DefinitionInfo]] = {}
    for info in definitions:
        if info.superscripts or not info.family or info.family in declarations:
            continue
        if info.case is not None or len(info.subscripts) == 1:
            groups.setdefault(info.family, []).append(info)
    families = {}
    for name, infos in groups.items():
        runs = [i for i in infos if i.case is None or any(
            _is_index(declarations.get(a)) for a in atoms(i.case))]  # fmt: skip
        if len(infos) >= 2 and runs:
            families[name] = CaseFamily(name, infos, declarations)
    return families


def case_member(
    reader: Reader, family: CaseFamily, sub: ast.Node, arguments: list[ast.Node], scope: Scope,
    written: str, pos: int,
) -> T.Term:  # fmt: skip
    """`\\alpha_t(i)` at `pos`: its subscript and arguments read as index values."""
    if len(arguments) != family.arity or any(
        len(i.params) != family.arity for i in family.infos
    ):  # fmt: skip
        raise TranslateError(
            f"{written}: {family.name} is defined (lines {family.lines}) with"
            f" {len(family.infos[0].params)} argument(s) in each case",
            pos,
        )
    family.read(reader, pos)
    index = reader.index(sub, scope)
    values = [reader.index(a, scope) for a in arguments]
    shape = next((c.body.shape for c in family.cases if c.body.shape is not None), None)
    return CaseRef(family, index, values, written, shape=shape or SCALAR, pos=pos)


def _is_index(decl: Declaration | None) -> bool:
    return decl is not None and decl.kind == Kind.INDEX and not decl.indices and not decl.is_random


def _whole(term: T.Term, env: T.Env) -> int:
    value = plain(T.scalar_of(term.value(env)))
    if not getattr(value, "is_Integer", False):
        raise EvaluationError(
            f"a subscript or argument of a definition by cases took the value {value}, not a"
            " whole number"
        )
    return int(value)


def _free_indices(term: T.Term, bound: frozenset[str] = frozenset()) -> set[str]:
    """Index names a term reads that no sum inside it binds."""
    if isinstance(term, T.IndexValue):
        return set() if term.name in bound else {term.name}
    if isinstance(term, T.Sum):
        inner = _free_indices(term.body, bound | {term.variable})
        limits = [term.lower, term.upper] + ([term.exclude] if term.exclude else [])
        return inner.union(*(_free_indices(t, bound) for t in limits))
    return set().union(*(_free_indices(c, bound) for c in term.children()))
