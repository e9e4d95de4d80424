"""Operators that reach to the right, and function application.

`\\sum`, `\\prod`, `\\nabla`, `\\partial_x` and `\\frac{\\partial}{\\partial x}` take the rest
of their product term as their body; `\\log x`, `\\det A`, `g(x)` and defined
functions take their arguments. The `OperatorReader` is given the translator
(as a `scope.Reader`) and calls back into it for everything else.
"""

from __future__ import annotations

import sympy as sp

from verify.errors import TranslateError
from verify.latex import tree as ast
from verify.latex.printer import compact
from verify.latex.syntax import (
    derivative_marker,
    derivative_order,
    head_kind,
    simple,
    symbol_name,
    unwrap,
    variable_name,
)
from verify.meaning import subsets, templated, textbook
from verify.meaning import terms as T
from verify.meaning.ambiguity import (
    operand_group,
    refuse_ambiguous_product,
    refuse_open_argument,
    refuse_scalar_matrix,
    refuse_unknown_call,
)
from verify.meaning.arguments import (
    argument_member,
    argument_part,
    filled,
    is_open,
    open_placeholder,
    part_member,
)
from verify.meaning.cases import case_member
from verify.meaning.expectation import ExpectationReader
from verify.meaning.extrema import EXTREMA, over_index
from verify.meaning.functions import canonical, known
from verify.meaning.known import inverse_function, several_arguments
from verify.meaning.scope import DefinitionInfo, Reader, Scope
from verify.meaning.textbook_terms import Tabulated
from verify.model import Kind
from verify.reading.notation import canonical_script
from verify.shape import SCALAR, Shape, Size, show_shape

OPERATOR_HEADS = ("SUM", "PROD", "NABLA")
MATRIX_FUNCTIONS = {"det", "tr", "diag"}


class OperatorReader:
    """Products, big operators, derivatives and calls, read for a translator."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.expectations = ExpectationReader(reader)  # \mathbb{E}, Var, Cov, KL

    def product(self, factors: list[ast.Node], ops: list[str], scope: Scope, pos: int) -> T.Term:
        items: list[tuple[str, T.Term]] = []
        firsts: list[int] = []  # the factor each item starts at
        k = 0
        while k < len(factors):
            node = factors[k]
            op = ops[k - 1] if k > 0 else ""
            firsts.append(k)
            named = self.named_value(factors, ops, k, scope)
            if named is not None:  # `\\mathbb{V}[f_*]` after `\\mathbb{V}[f_*] := …`
                items.append((op, named))
                k += 2
                continue
            if self.expectations.starts(node):
                term, k = self.expectations.read(factors, k, scope)
                items.append((op, term))
                continue
            head, base = head_kind(node)
            if (
                head in OPERATOR_HEADS
                or self.derivative_operator(node)
                or (head == "PARTIAL" and isinstance(node, ast.Scripted) and node.sub is not None)
            ):
                rest = factors[k + 1 :]
                if not rest:
                    raise TranslateError(f"'{compact(node)}' has nothing to act on", node.pos)
                if head in ("SUM", "PROD") and isinstance(node, ast.Scripted):
                    items.append((op, self.big_operator(node, head, rest, ops[k + 1 :], scope)))
                    break
                if head in ("SUM", "PROD"):
                    raise TranslateError(f"write \\{head.lower()}_{{i=1}}^{{m}}", node.pos)
                group = operand_group(node, rest[0], ops[k])
                if group is not None:  # `\frac{d}{dx}(u)\,v`: the operator takes (u) only
                    items.append((op, self.operator(node, self.reader.translate(group, scope),
                                                    scope)))  # fmt: skip
                    k += 2
                    continue
                body = self.product(rest, ops[k + 1 :], scope, rest[0].pos)
                items.append((op, self.operator(node, body, scope)))
                break
            if head in ("FUNC",):
                term, k = self.function_application(factors, ops, k, scope)
                items.append((op, term))
                continue
            callable_name = self.callable_name(node, scope, factors[k + 1 : k + 2])
            if callable_name is not None:
                term, k = self.call(callable_name, factors, k, scope)
                items.append((op, term))
                continue
            if k + 1 < len(factors) and ops[k] == "":
                refuse_unknown_call(self.reader, node, factors[k + 1], scope)
            items.append((op, self.reader.translate(node, scope)))
            k += 1
        refuse_ambiguous_product(self.reader, items, firsts, factors)
        result = items[0][1]
        for op, term in items[1:]:
            result = self.reader.multiply(result, term, op, result.pos)
        return result

    def named_value(
        self, factors: list[ast.Node], ops: list[str], k: int, scope: Scope
    ) -> T.Term | None:
        """A defined name written as a head and brackets, used as written."""
        if k + 1 >= len(factors) or ops[k] != "":
            return None
        args = factors[k + 1]
        if not isinstance(args, ast.Delimited) or args.delimiter not in ("(", "["):
            return None
        key = canonical_script(compact(ast.Product(factors[k : k + 2], [""], pos=0)))
        definition = self.reader.definitions.get(key)
        if definition is None or definition.template is not None:  # `\\gamma(z_{nj})`
            return templated.named_value(self.reader, factors[k], args, scope, factors[k].pos)
        if definition.params:
            return None
        term, _ = self.reader.expand(definition, None, None, [], scope, factors[k].pos)
        return term

    def derivative_operator(self, node: ast.Node) -> bool:
        """Whether `node` is `\\frac{\\partial}{\\partial x}` or `\\frac{d}{dx}` (no body)."""
        if not isinstance(node, ast.Fraction):
            return False
        parsed = self.derivative_parts(node)
        return parsed is not None and parsed[0] is None

    def derivative_parts(self, node: ast.Fraction) -> tuple[ast.Node | None, list[ast.Node]] | None:
        """(body or None, variables) if the fraction is a derivative, else None."""
        num = unwrap(node.numerator) or node.numerator
        den = unwrap(node.denominator) or node.denominator
        num_items = num.factors if isinstance(num, ast.Product) else [num]
        den_items = den.factors if isinstance(den, ast.Product) else [den]
        marker = derivative_marker(num_items[0]) if num_items else None
        if marker is None or (marker == "d" and "d" in self.reader.declarations):
            return None
        order = derivative_order(num_items[0])
        variables: list[ast.Node] = []
        k = 0
        while k < len(den_items):
            if derivative_marker(den_items[k]) != marker or k + 1 >= len(den_items):
                return None
            var = den_items[k + 1]
            power = 1
            if isinstance(var, ast.Scripted) and var.sup is not None and symbol_name(var.base):
                text = compact(unwrap(var.sup))
                if text.isdigit():
                    power = int(text)
                    var = ast.Scripted(var.base, var.sub, None, var.primes, pos=var.pos)
            group = den_items[k + 2] if k + 2 < len(den_items) else None
            if isinstance(group, ast.Delimited) and group.delimiter == "(" and power == 1:
                var = ast.Product([var, group], [""], pos=var.pos)  # `\partial \bar{b}_j(k)`
                k += 1
            variables.extend([var] * power)
            k += 2
        if not variables or len(variables) != order:
            if variables and order != len(variables):
                raise TranslateError(
                    f"the derivative's order ({order}) does not match its denominator"
                    f" ({len(variables)} variable(s))",
                    node.pos,
                )
            return None
        body_nodes = num_items[1:]
        if not body_nodes:
            return None, variables
        ops = num.ops[1:] if isinstance(num, ast.Product) else []
        body = (
            body_nodes[0]
            if len(body_nodes) == 1
            else ast.Product(body_nodes, ops, pos=body_nodes[0].pos)
        )
        return body, variables

    def operator(self, node: ast.Node, body: T.Term, scope: Scope) -> T.Term:
        """Apply `\\sum`, `\\prod`, `\\nabla` or a derivative operator to its body."""
        if isinstance(node, ast.Fraction):
            parts = self.derivative_parts(node)
            assert parts is not None
            return self.differentiate(body, parts[1], scope, node.pos)
        head, base = head_kind(node)
        sub = node.sub if isinstance(node, ast.Scripted) else None
        sup = node.sup if isinstance(node, ast.Scripted) else None
        if head == "PARTIAL":
            if sub is None:
                raise TranslateError("write ∂ with its variable: \\partial_x f", node.pos)
            order = derivative_order(node)
            return self.differentiate(body, [sub] * order, scope, node.pos)
        if head == "NABLA":
            if sub is None:
                raise TranslateError("write the variable of ∇ as a subscript: \\nabla_x", node.pos)
            order = 1
            if sup is not None:
                text = compact(unwrap(sup))
                if text != "2":
                    raise TranslateError("only ∇ and ∇² are supported", node.pos)
                order = 2
            return self.differentiate(body, [sub] * order, scope, node.pos)
        raise TranslateError("internal: unknown operator", node.pos)

    def differentiate(
        self, body: T.Term, variables: list[ast.Node], scope: Scope, pos: int
    ) -> T.Term:
        for var_node in reversed(variables):
            var = self.reader.translate(unwrap(var_node) or var_node, scope)
            if not isinstance(var, T.Ref):
                raise TranslateError(
                    f"can only differentiate with respect to a symbol, not"
                    f" '{compact(unwrap(var_node))}'",
                    var_node.pos,
                )
            if body.shape in (SCALAR, None):
                shape = var.shape
            elif var.shape == SCALAR:
                shape = body.shape
            elif (
                body.shape is not None
                and body.shape.is_column
                and var.shape
                and var.shape.is_column
            ):
                shape = Shape(var.shape.rows, body.shape.rows)
            else:
                raise TranslateError(
                    f"the derivative of a {show_shape(body.shape)} by a {show_shape(var.shape)}"
                    " is not supported",
                    pos,
                )
            body = T.Derivative(var, body, shape=shape, pos=pos)
        return body

    def big_operator(
        self, node: ast.Scripted, head: str, rest: list[ast.Node], ops: list[str], scope: Scope
    ) -> T.Term:
        sub = unwrap(node.sub)
        if isinstance(sub, ast.Limit) and isinstance(sub.left, ast.Sequence):
            # `\\sum_{i,j=1}^{m}`: one sum per variable, each over the same range
            limits = [
                self.sum_operator(ast.Scripted(node.base, ast.Limit(v, sub.right, sub.op),
                                               node.sup, pos=node.pos), head, scope)
                for v in sub.left.items
            ]  # fmt: skip
            inner = scope
            names = []
            for var, *_ in limits:
                inner, name = inner.bind_variable(var, self.reader.fresh_placeholder())
                names.append(name)
            body = self.product(rest, ops, inner, rest[0].pos)
            if head == "PROD":
                self.reader.scalar(body, "the body of a product")
            for var, (_, lower, upper, excluded) in reversed(list(zip(names, limits,
                                                                      strict=True))):  # fmt: skip
                body = T.Sum("sum" if head == "SUM" else "prod", var, lower, upper, body,
                             excluded, shape=body.shape, pos=node.pos)  # fmt: skip
            return body
        if subsets.is_membership(node.sub):  # `\sum_{n \in \mathcal{C}_k}`
            var = subsets.summation_variable(self.reader, node)
            body = self.product(rest, ops, scope.binding(var), rest[0].pos)
            return subsets.set_sum(self.reader, node, head, body, var, scope)
        var, lower, upper, excluded = self.sum_operator(node, head, scope)
        inner, var = scope.bind_variable(var, self.reader.fresh_placeholder())
        body = self.product(rest, ops, inner, rest[0].pos)
        if head == "PROD":
            self.reader.scalar(body, "the body of a product")
        return T.Sum("sum" if head == "SUM" else "prod", var, lower, upper, body, excluded,
                     shape=body.shape, pos=node.pos)  # fmt: skip

    def sum_operator(
        self, node: ast.Scripted, head: str, scope: Scope
    ) -> tuple[str, T.Term, T.Term, T.Term | None]:
        """(variable, lower, upper, excluded) of `\\sum_{i=1}^{m}` or `\\sum_{j \\ne l}`."""
        sub = unwrap(node.sub)
        excluded = None
        if isinstance(sub, ast.Limit):
            var = variable_name(sub.left)
            if var is None:
                raise TranslateError("the summation variable must be a letter", sub.pos)
            if sub.op == "=":
                lower: T.Term | None = self.reader.index(sub.right, scope)
            else:
                lower = None
                excluded = self.reader.index(sub.right, scope)
        else:
            var = variable_name(sub)
            if var is None:
                raise TranslateError(f"write \\{head.lower()}_{{i=1}}^{{m}}", node.pos)
            lower = None
        upper = self.reader.index(node.sup, scope) if node.sup is not None else None
        decl = self.reader.declarations.get(var)
        if lower is None or upper is None:
            if decl is None or decl.index_range is None:
                raise TranslateError(
                    f"the range of {var} is not given: write limits, or declare"
                    f" '{var}: index 1..m'",
                    node.pos,
                )
            lo, hi = decl.index_range
            lower = lower or _size_term(lo, node.pos)
            upper = upper or _size_term(hi, node.pos)
        return var, lower, upper, excluded

    # ------------------------------------------------------------- functions

    def function_application(
        self, factors: list[ast.Node], ops: list[str], k: int, scope: Scope
    ) -> tuple[T.Term, int]:
        node = factors[k]
        _, base = head_kind(node)
        assert isinstance(base, ast.Atom)
        name = base.text
        sup = node.sup if isinstance(node, ast.Scripted) else None
        log_base = None
        sup, name = inverse_function(name, sup, node.pos)
        row = known(name)
        if name in EXTREMA and isinstance(node, ast.Scripted) and node.sub is not None:
            return over_index(self, node, name, factors, ops, k, scope), len(factors)  # `\\min_l`
        if row is not None and row.arity != (1, 1):
            return several_arguments(self.reader, name, factors, k, scope)
        if isinstance(node, ast.Scripted) and node.sub is not None:
            if name != "log":
                raise TranslateError(f"\\{name} takes no subscript here", node.pos)
            log_base = self.reader.scalar(
                self.reader.translate(node.sub, scope), "the base of a logarithm"
            )
        if k + 1 >= len(factors):
            raise TranslateError(f"\\{name} needs an argument", node.pos)
        nxt = factors[k + 1]
        after_sup = None
        named = self.named_value(factors, ops, k + 1, scope)
        if named is not None:  # `\log p(x \mid y = 1)`: the log of a defined value
            arg, end = named, k + 3
        elif isinstance(nxt, ast.Delimited) and nxt.delimiter == "(":
            arg = self.reader.translate(nxt, scope)
            end = k + 2
        elif (
            isinstance(nxt, ast.Scripted) and isinstance(nxt.base, ast.Delimited)
            and nxt.base.delimiter == "(" and nxt.sub is None
        ):  # fmt: skip
            arg = self.reader.translate(nxt.base, scope)
            after_sup = nxt.sup
            end = k + 2
        elif self.expectations.starts(nxt):
            arg, end = self.expectations.read(factors, k + 1, scope)
        elif head_kind(nxt)[0] in OPERATOR_HEADS or self.derivative_operator(nxt):
            arg = self.product(factors[k + 1 :], ops[k + 1 :], scope, nxt.pos)
            end = len(factors)
        elif head_kind(nxt)[0] == "FUNC":
            arg, end = self.function_application(factors, ops, k + 1, scope)
        elif (callee := self.callable_name(nxt, scope, factors[k + 2 : k + 3])) is not None:
            arg, end = self.call(callee, factors, k + 1, scope)
        else:
            end = k + 2
            while (
                simple(nxt) and end < len(factors) and ops[end - 1] == "" and simple(factors[end])
            ):
                end += 1
            if end < len(factors) and ops[end - 1] == "":  # `\log \phi(x)`: is φ a function?
                refuse_unknown_call(self.reader, factors[end - 1], factors[end], scope)
                refuse_open_argument(node, factors[k + 1 : end], factors[end])
            arg = self.product(factors[k + 1 : end], ops[k + 1 : end - 1], scope, nxt.pos)
        if name == "vec":  # the columns stacked into one vector
            term: T.Term = textbook.vec(arg, node.pos)
        elif name in MATRIX_FUNCTIONS:
            refuse_scalar_matrix(self.reader, f"\\{name}", [arg], node.pos)
            if name == "diag":
                if arg.shape in (SCALAR, None):
                    shape: Shape | None = SCALAR
                elif arg.shape.is_column:
                    shape = Shape(arg.shape.rows, arg.shape.rows)
                else:
                    self.reader.square(arg, "diag", node.pos)
                    shape = Shape(arg.shape.rows, Size.number(1))
            else:
                self.reader.square(arg, f"\\{name}", node.pos)
                shape = SCALAR
            term = T.MatrixFunction(name, arg, shape=shape, pos=node.pos)
        else:
            if row is None:
                raise TranslateError(f"\\{name} is not a known function", node.pos)
            self.reader.entrywise(arg, f"the argument of \\{name}")
            term = T.Apply(canonical(name), arg, shape=arg.shape or SCALAR, pos=node.pos)
            if log_base is not None:
                term = T.Div(term, T.Apply("log", log_base, pos=node.pos), pos=node.pos)
        if sup is not None:
            term = self.reader.superscript(term, sup, 0, scope, node.pos)
        if after_sup is not None:
            term = self.reader.superscript(term, after_sup, 0, scope, node.pos)
        return term, end

    def callable_name(
        self, node: ast.Node, scope: Scope, following: list[ast.Node] | None = None
    ) -> str | None:
        """The name of a function being applied (`g`, `f_j^{(i)}`, `\\mathcal{N}`), or of a
        whole whose entry is written with arguments (`v_\\pi(s)`, when `following`
        holds the parentheses)."""
        base = node.base if isinstance(node, ast.Scripted) else node
        if not isinstance(base, ast.Atom):
            return None
        if base.kind == "OPNAME":
            return f"\\operatorname{{{base.text}}}"
        if base.kind not in ("LETTER", "SYMBOL") or base.text in scope.params:
            return None
        name = base.text
        family = self.reader.cases.get(name)
        if family is not None and family.arity and isinstance(node, ast.Scripted) and (
            node.sub is not None and _opens_call(following)
        ):  # fmt: skip
            return name  # `\\alpha_t(i)`: a member of a definition by cases
        if isinstance(node, ast.Scripted):
            literal = self.reader.literal(name, node.sub, node.sup)
            if literal is not None:
                name = literal[0]
        definition = self.reader.definitions.get(name)
        if definition is not None:
            return name if definition.params else None
        decl = self.reader.declarations.get(name)
        if argument_part(self.reader, name) is not None and _opens_call(following):
            return name  # `v_\\pi(s)`: an entry of v_\\pi
        if decl is not None:
            return name if decl.kind == Kind.FUNCTION or decl.arguments else None
        if name == "\\mathcal{N}":
            return name
        return None

    def call(self, name: str, factors: list[ast.Node], k: int, scope: Scope) -> tuple[T.Term, int]:
        node = factors[k]
        if k + 1 >= len(factors):
            raise TranslateError(f"{name} needs its arguments in parentheses", node.pos)
        nxt = factors[k + 1]
        after_sup = None
        if (
            isinstance(nxt, ast.Scripted)
            and isinstance(nxt.base, ast.Delimited)
            and (nxt.base.delimiter == "(" and nxt.sub is None)
        ):
            after_sup = nxt.sup
            nxt = nxt.base
        if not (isinstance(nxt, ast.Delimited) and nxt.delimiter == "("):
            raise TranslateError(f"{name} needs its arguments in parentheses", node.pos)
        if name in self.reader.cases and isinstance(node, ast.Scripted) and node.sub is not None:
            written = compact(node) + compact(nxt)
            member = case_member(self.reader, self.reader.cases[name], node.sub, nxt.items, scope,
                                 written, node.pos)  # fmt: skip
            member = self.reader.superscript(member, node.sup, 0, scope, node.pos)
            return self.reader.superscript(member, after_sup, 0, scope, node.pos), k + 2
        if any(is_open(item) for item in nxt.items):  # `\\pi(\\cdot | s)`: a vector
            vector = self.open_call(name, node, nxt, scope)
            return self.reader.superscript(vector, after_sup, 0, scope, node.pos), k + 2
        family = self.reader.declarations.get(name)
        part = argument_part(self.reader, name)
        if (family is not None and family.arguments) or part is not None:
            if isinstance(node, ast.Scripted) and node.primes:
                raise TranslateError(f"'{compact(node)}': a prime on an indexed family;"
                                     " declare the primed name", node.pos)  # fmt: skip
            if part is not None:  # `v_\\pi(s)`: an entry of a declared whole
                member = part_member(self.reader, *part, node, nxt, scope)
            else:  # `p(s' | s, a)`: a family member
                assert family is not None
                member = argument_member(self.reader, family, node, nxt, scope)
            return self.reader.superscript(member, after_sup, 0, scope, node.pos), k + 2
        args = [self.reader.translate(a, scope) for a in nxt.items]
        sub = node.sub if isinstance(node, ast.Scripted) else None
        sup = node.sup if isinstance(node, ast.Scripted) else None
        primes = node.primes if isinstance(node, ast.Scripted) else 0
        base = node.base if isinstance(node, ast.Scripted) else node
        if isinstance(base, ast.Atom) and base.text != name:
            literal = self.reader.literal(base.text, sub, sup)
            if literal is not None and literal[0] == name:
                _, sub, sup = literal
        if name in self.reader.definitions:
            definition = self.reader.definitions[name]
            pointwise = len(definition.params) == 1 and (
                primes or args[0].shape not in (SCALAR, None)
            )
            expanded: T.Term | None = None
            if not pointwise or not primes:
                try:
                    expanded, rest_sup = self.reader.expand(
                        definition, sub, sup, args, scope, node.pos
                    )
                except TranslateError:
                    if not pointwise:
                        raise
            if expanded is None:
                expanded, rest_sup = self.pointwise(definition, sub, sup, args[0], primes, scope,
                                                    node.pos)  # fmt: skip
            term = self.reader.superscript(expanded, rest_sup, 0, scope, node.pos)
        elif name == "\\mathcal{N}":
            if len(args) != 3 or nxt.separators[:1] not in ([";"], [","], ["|"]):
                raise TranslateError("write the normal density as \\mathcal{N}(x; \\mu, \\Sigma)",
                                     node.pos)  # fmt: skip
            x, mu, cov = args
            if (mu.shape is not None and x.shape != mu.shape) or (
                x.shape is not None and x.shape != SCALAR
                and cov.shape != Shape(x.shape.rows, x.shape.rows)
            ):  # fmt: skip
                raise TranslateError(
                    f"\\mathcal{{N}}: shapes {show_shape(x.shape)}, {show_shape(mu.shape)},"
                    f" {show_shape(cov.shape)} do not fit (x, mean, covariance)",
                    node.pos,
                )
            term = T.Gaussian(x, mu, cov, pos=node.pos)
            term = self.reader.superscript(term, sup, 0, scope, node.pos)
        else:
            decl = self.reader.declarations.get(name)
            if decl is None:
                raise TranslateError(
                    f"unknown function {name}: declare it ('{name}: function') or define it",
                    node.pos,
                )
            if sub is not None:
                raise TranslateError(f"the function {name} takes no subscript", node.pos)
            for a in args:
                if a.shape not in (SCALAR, None) and not a.shape.is_column:
                    raise TranslateError(f"{name} takes scalars and vectors", a.pos)
            self.reader.functions_used.add(name)
            term = T.FunctionCall(name, args, primes, pos=node.pos)
            term = self.reader.superscript(term, sup, 0, scope, node.pos)
        if after_sup is not None:
            term = self.reader.superscript(term, after_sup, 0, scope, node.pos)
        return term, k + 2

    def open_call(self, name: str, node: ast.Node, group: ast.Delimited, scope: Scope) -> T.Term:
        """`\\pi(\\cdot | s, \\theta)`: the vector whose entry a is `\\pi(a | s, \\theta)`, over
        the range of the index the `\\cdot` leaves open."""
        placeholder = open_placeholder(self.reader, name, group, node.pos)
        index = self.reader.declarations[placeholder]
        assert index.index_range is not None
        variable = self.reader.fresh_placeholder()
        body, _ = self.call(name, [node, filled(group, variable)], 0, scope.binding(variable))
        if body.shape not in (SCALAR, None):
            raise TranslateError(
                f"{compact(node)}(…) with an open argument must be a number for each value of"
                f" {placeholder}, got a {show_shape(body.shape)}",
                node.pos,
            )
        extent = index.index_range[1]
        return Tabulated([variable], [extent], body, shape=Shape(extent, Size.number(1)),
                                  pos=node.pos)  # fmt: skip

    def pointwise(
        self, definition: DefinitionInfo, sub: ast.Node | None, sup: ast.Node | None,
        arg: T.Term, primes: int, scope: Scope, pos: int,
    ) -> tuple[T.Term, ast.Node | None]:  # fmt: skip
        """A scalar function applied entry by entry (σ(z) for a vector z), or its
        derivative σ'(z): the body is read once with a scalar placeholder."""
        slot = self.reader.fresh_placeholder()
        placeholder = T.Ref(slot, shape=SCALAR, pos=pos)
        body, rest = self.reader.expand(definition, sub, sup, [placeholder], scope, pos)
        if body.shape not in (SCALAR, None):
            raise TranslateError(
                f"{definition.base} is not a scalar function, so it cannot be applied entry by"
                " entry or differentiated with a prime",
                pos,
            )
        shape = arg.shape if arg.shape is not None else SCALAR
        return T.Pointwise(slot, body, arg, primes, shape=shape, pos=pos), rest

    def fraction(self, node: ast.Fraction, scope: Scope) -> T.Term:
        parts = self.derivative_parts(node)
        if parts is not None:
            body_node, variables = parts
            if body_node is None:
                raise TranslateError("this derivative operator has nothing to act on", node.pos)
            return self.differentiate(
                self.reader.translate(body_node, scope), variables, scope, node.pos
            )
        num = self.reader.translate(node.numerator, scope)
        den = self.reader.scalar(self.reader.translate(node.denominator, scope), "a denominator")
        return T.Div(num, den, shape=num.shape if num.shape is not None else SCALAR, pos=node.pos)


def _opens_call(following: list[ast.Node] | None) -> bool:
    """Whether the factor after a name is a parenthesised group (perhaps scripted)."""
    nxt = following[0] if following else None
    if isinstance(nxt, ast.Scripted) and nxt.sub is None:
        nxt = nxt.base
    return isinstance(nxt, ast.Delimited) and nxt.delimiter == "("


def _size_term(size: Size, pos: int) -> T.Term:
    """A bound of a declared index range as a term: a number or a size's value."""
    constant = size.constant
    if constant is not None:
        return T.Number(sp.Integer(constant), pos=pos)
    names = size.names()
    if len(names) == 1 and size == Size.name(next(iter(names))):
        return T.IndexValue(next(iter(names)), pos=pos)
    return T.SizeValue(size, pos=pos)
