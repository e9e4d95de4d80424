"""Recursive definitions, written as their cases: a base case and a step, each
its own `:=` row, as algorithms (Kingma and Ba's `m_0 := 0`,
`m_t := \\beta_1 m_{t-1} + (1-\\beta_1)g_t`; `\\theta^{(0)}`, `\\theta^{(t)}`) and
Rabiner's forward and backward variables are written:

    \\alpha_1(i) := \\pi_i b_i(O_1)
    \\alpha_{t+1}(j) := \\left[\\sum_{i=1}^{N} \\alpha_t(i) a_{ij}\\right] b_j(O_{t+1})
    \\beta_T(i) := 1
    \\beta_t(i) := \\sum_j a_{ij} b_j(O_{t+1}) \\beta_{t+1}(j)     (where t \\le T - 1)

Definitions of one name whose subscripts (or superscripts) differ — a number or a
size (`1`, `T`), a declared index (`t`), or an expression in one (`t + 1`) — and
at least one of which runs over an index, are the cases of one definition; so is
a lone definition whose body uses its own name, which is an error for want of a
base case. This module is the one place that reads such definitions. `\\alpha_n(i)` is the
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
from verify.shape import SCALAR, Shape, Size

MEMORY = 32  # instances whose values a family remembers at once
MAX_DEPTH = 200  # nested evaluations of one family before its recursion is given up
_RUNNING = object()  # a member whose value is being computed


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
    script: str = "_"  # the cases are told apart by subscripts, or by superscripts ("^")
    cases: list[Case] = field(default_factory=list)
    state: str = "unread"  # "unread", "reading", "read"
    free: list[str] = field(default_factory=list)  # declared indices the bodies use freely
    memory: dict[tuple[int, int], tuple[Any, Any, dict[Any, Any]]] = field(default_factory=dict)
    walking: bool = False
    depth: int = 0  # how deep the evaluation running now has recursed
    known: Shape | None = None  # the shape of a member, once the cases' bodies fixed it

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
        # The cases that do not use the name first: a use in the others' bodies has
        # their shape. Where they are a bare 0, it has the shape the others' bodies
        # come out with, read a second time with it (`x^{(0)} := 0`).
        ordered = sorted(self.infos, key=lambda i: self.name in atoms(i.body))
        try:
            self.cases = []
            for info in ordered:
                self.cases.append(self.read_case(reader, info, pos))
            shape = self.shape_now()
            if shape not in (None, SCALAR) and not any(
                self.name not in atoms(c.info.body) and not _is_zero(c.body) for c in self.cases
            ):  # fmt: skip
                self.known = shape
                self.cases = [self.read_case(reader, info, pos) for info in ordered]
        except TranslateError:
            self.state = "unread"
            self.known = None
            raise
        self.cases.sort(key=lambda c: c.info.order)
        if all(case.placeholder is not None for case in self.cases):
            self.state = "unread"
            first = self.infos[0]
            raise TranslateError(
                f"{self.name} is defined by a recursion (line {first.line}) with no base case:"
                f" define it at a number or a size too, as in {self.written('0')} := …",
                pos,
            )
        shapes = {case.body.shape for case in self.cases
                  if case.body.shape is not None and not _is_zero(case.body)}  # fmt: skip
        if len(shapes) > 1:
            self.state = "unread"
            raise TranslateError(
                f"the cases of {self.name} (lines {self.lines}) have different shapes", pos
            )
        if shapes:  # `\\theta^{(0)} := 0`: the zero of the other cases' shape
            shape = next(iter(shapes))
            for case in self.cases:
                if _is_zero(case.body) and case.body.shape != shape:
                    case.body = T.Zero(shape=shape, pos=case.body.pos)
        own = {name for case in self.cases for name in (case.variable, *case.parameters)}
        found: set[str] = set()
        for case in self.cases:
            for term in (case.pattern, case.body, *case.conditions):
                found |= T.free_indices(term)
        self.free = sorted(n for n in found - own if n in self.declarations)
        self.state = "read"

    def shape_now(self) -> Shape | None:
        """The shape of a member: that of the cases read so far that are not a bare 0."""
        if self.known is not None:
            return self.known
        shapes = (c.body.shape for c in self.cases if not _is_zero(c.body))
        return next((shape for shape in shapes if shape is not None), None)

    def written(self, script: str) -> str:
        """The family's name with `script` in its place: `m_{0}`, `x^{(0)}`."""
        if self.script == "^":
            return f"{self.name}^{{({script})}}"
        return f"{self.name}_{script}" if len(script) == 1 else f"{self.name}_{{{script}}}"

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
        """The declared index a case's script runs over (`t` in `\\alpha_{t+1}`)."""
        if info.case is None:
            return (info.subscripts + info.superscripts)[0]
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
            if table[key] is _RUNNING:
                raise EvaluationError(
                    f"{written}: the definition of {self.name} (lines {self.lines}) uses"
                    f" {self.name} where its subscript is {n} to compute that very member"
                )
            return table[key]
        if self.depth >= MAX_DEPTH:
            raise EvaluationError(
                f"{written}: the recursion of {self.name} (lines {self.lines}) does not reach"
                f" a base case within {MAX_DEPTH} steps"
            )
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
        table[key] = _RUNNING
        self.depth += 1
        try:
            result = case.body.value(inner)
        except BaseException:
            del table[key]
            raise
        finally:
            self.depth -= 1
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
    subscripts (or superscripts) differ, at least one of which runs over a declared
    index; or one such definition that uses its own name (a recursion without a
    base case, an error when used)."""
    groups: dict[str, list[tuple[str, DefinitionInfo]]] = {}
    for info in definitions:
        script = _script(info)
        if script is not None and info.family and info.family not in declarations:
            groups.setdefault(info.family, []).append((script, info))
    families = {}
    for name, found in groups.items():
        scripts = {script for script, _ in found}
        infos = [info for _, info in found]
        runs = [i for i in infos if i.case is None or any(
            _is_index(declarations.get(a)) for a in atoms(i.case))]  # fmt: skip
        if len(scripts) != 1 or not runs:
            continue
        if len(infos) >= 2 or any(name in atoms(i.body) for i in runs):
            families[name] = CaseFamily(name, infos, declarations, scripts.pop())
    return families


def _script(info: DefinitionInfo) -> str | None:
    """Which script tells a case of `info`'s name apart: "_" (`m_t`, `\\alpha_{t+1}`,
    `\\beta_T`), "^" (`x^{(t)}`, `x^{(0)}`), or None for a definition of another form."""
    placeholders = info.subscripts + info.superscripts
    if info.case is not None and not placeholders:  # the name's literal script
        return info.base[len(info.family) : len(info.family) + 1]
    if len(placeholders) == 1 and info.case is None:
        return "_" if info.subscripts else "^"
    return None


def _is_zero(term: T.Term) -> bool:
    return isinstance(term, T.Zero) or (
        isinstance(term, T.Number) and getattr(term.number, "is_zero", False) is True
    )


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
    shape = family.shape_now()
    if shape is None and family.state != "reading":
        shape = SCALAR  # every case a bare 0; while the cases are read, a use's shape is open
    return CaseRef(family, index, values, written, shape=shape, pos=pos)


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


def minimum_sizes(terms: list[T.Term], declarations: dict[str, Declaration]) -> dict[str, int]:
    """Smallest sizes for the members a pair uses at a number (`m_2`, with `m_t` defined
    for `t: index 1..T`), so that no instance draws a range too small to have them,
    as for the literal members of a declared family."""
    needed: dict[str, int] = {}
    for term in terms:
        for t in term.walk():
            if not isinstance(t, CaseRef) or not isinstance(t.index, T.Number):
                continue
            if not getattr(t.index.number, "is_Integer", False):
                continue
            for case in t.family.cases:
                plain = (
                    isinstance(case.pattern, T.IndexValue) and case.pattern.name == case.variable
                )
                decl = declarations.get(case.placeholder) if case.placeholder else None
                if not plain or decl is None or decl.index_range is None:
                    continue
                low, high = decl.index_range
                names = high.names()
                if low == Size.number(1) and len(names) == 1 and high == Size.name(min(names)):
                    name = min(names)
                    needed[name] = max(needed.get(name, 1), int(t.index.number))
    return needed
