"""A page's `symbols:` front matter as a whole: the declarations that can be used,
and, for each entry that cannot, the symbols it blocks (contract §2).

An entry that cannot be understood — an unknown property, a size that is not
declared, a letter declared twice — is an error at its own line, and blocks
only the pairs that use its symbols: the checker says why when it meets one.
Only a `symbols:` that is not a mapping, or a key whose symbols cannot even be
named, blocks the whole page. Wholes and their parts (`entries`, `rows`) are
checked here too: each part's index must run over the whole's rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from verify.errors import NotationError
from verify.model import Declaration, Kind, Part
from verify.reading import conditioned, parts, twins
from verify.reading.dependence import dependence_problem
from verify.reading.embedded import embedded_indices
from verify.reading.notation import (
    DeclaredKind,
    SymbolShape,
    _index_names,
    argument_names,
    index_names,
    literal_form,
    parse_value,
    split_symbol,
    split_top,
)
from verify.shape import Size

_PART_TEXT = re.compile(r"\b(?:entries|rows|columns)\s+([^,]+)")


@dataclass
class Notation:
    """The usable declarations, the entries' problems, and the blocked symbols."""

    declarations: list[Declaration] = field(default_factory=list)
    problems: list[NotationError] = field(default_factory=list)
    broken: dict[str, str] = field(default_factory=dict)  # symbol -> why it cannot be used
    local: set[str] = field(default_factory=set)  # placeholders that only name a part's entries

    def block(self, names: list[str], line: int, message: str) -> None:
        """Report `message` at `line`, and block the symbols `names`."""
        self.problems.append(NotationError(message, line))
        for name in names:
            self.broken.setdefault(name, f"its entry in 'symbols:' (line {line}) has a problem")


def read_notation(
    symbols: object,
    key_lines: dict[str, int],
    default_line: int,
    meanings: dict[str, str] | None = None,
) -> Notation:
    """Every entry of `symbols:`; raises `NotationError` only when nothing can be read.

    `meanings` (key -> words, from the entry's `# comment`) go to each declaration
    of that key, for the readers' notation table; they never change a verdict."""
    if not isinstance(symbols, dict):
        raise NotationError("'symbols:' must be a mapping of symbol: kind", default_line)
    notation = Notation()
    notation.local = local_placeholders(symbols, _index_names(symbols))
    indices = _index_names(symbols) | notation.local
    for raw_key, raw_value in symbols.items():
        key = str(raw_key)
        line = key_lines.get(key, default_line)
        names = _names(key, raw_value, indices)
        if names is None:
            raise NotationError(
                f"symbols: '{key}': a key is one or more symbols, comma-separated, as in"
                " 'x, y: vector(n)'",
                line,
            )
        if not isinstance(raw_value, str):
            notation.block(names, line, f"'{key}': the kind must be text such as 'scalar'")
            continue
        try:
            declared = parse_value(raw_value)
            made = [
                _declaration(part, declared, indices, line, (meanings or {}).get(key, ""))
                for part in split_top(key)
            ]
        except ValueError as err:
            notation.block(names, line, f"symbols: '{key}': {err}")
            continue
        notation.declarations.extend(made)
    _restatements(notation)
    notation.declarations = twins.separate(notation.declarations)
    _duplicates(notation)
    _references(notation)
    _subset_sizes(notation)
    return notation


def _names(key: str, value: object, indices: set[str]) -> list[str] | None:
    """The symbols an entry declares, parts included, read as far as possible;
    None if the key itself cannot be read."""
    names = []
    texts = split_top(key)
    if isinstance(value, str):
        texts += [m.group(1).strip() for m in _PART_TEXT.finditer(value)]
    for text in texts:
        try:
            names.append(literal_form(split_symbol(text), indices).base)
        except ValueError:
            if text in split_top(key):
                return None
    return names


def _declaration(
    key: str, declared: DeclaredKind, indices: set[str], line: int, meaning: str = ""
) -> Declaration:
    written = form = split_symbol(key)
    condition = conditioned.split(form.sub, indices)
    if condition is not None:  # `\\phi_{j|y=1}`: a family in j, named with its condition
        form = SymbolShape(conditioned.base_name(form.base, *condition), condition[0], form.sup,
                           form.args)  # fmt: skip
    form = literal_form(form, indices)
    subs, _ = index_names(form.sub)
    sups, paren = index_names(form.sup)
    arguments = argument_names(form.args)
    # `\\mu_{z^{(i)}|x^{(i)}}`: declared indices inside a literal name (`verify.reading.embedded`)
    embedded = () if condition is not None else embedded_indices(written, form, indices)
    if declared.kind.is_integer and (arguments or embedded) and declared.random is None:
        raise ValueError("a size or index is a plain letter")
    if embedded and (subs or sups or arguments):
        raise ValueError(
            f"the name depends on {', '.join(embedded)} inside its script and takes index"
            " scripts too: write every index inside the name, or none"
        )
    # `N_k: size`, `y^{(i)}: index 0..1`: a family of whole numbers (class sizes, data
    # values), used as numbers and as indices (`\\phi_{z^{(i)}}`), never as placeholders
    parts = tuple(_part(word, text, declared, form, indices) for word, text in declared.parts)
    if parts and (subs or sups or arguments):
        raise ValueError("a family cannot have entries or rows: declare the whole, as in"
                         " 'X: matrix(m, n), rows x^{(i)}'")  # fmt: skip
    return Declaration(
        key=key, base=form.base, subscripts=subs, superscripts=sups,
        superscript_parenthesized=paren, kind=declared.kind, shape=declared.shape,
        properties=declared.properties, sums_over=declared.sums_over,
        index_range=declared.index_range, line=line, parts=parts,
        distribution=declared.random.family if declared.random else None,
        parameters=declared.random.parameters if declared.random else (),
        arguments=arguments, count=declared.count, meaning=meaning, embedded=embedded,
        depends_on=declared.depends_on,
    )  # fmt: skip


def _part(
    word: str, text: str, declared: DeclaredKind, whole: SymbolShape, indices: set[str]
) -> Part:
    """`entries y^{(i)}`, `entries A_{ij}`, `rows x^{(i)}`, `entries v_\\pi(s)`: a pattern
    of index placeholders (scripts that are not indices are part of the name)."""
    form = split_symbol(text)
    if form.args is not None:  # `v_\\pi(s)`: the scripts name the family, the arguments index it
        form = literal_form(form, indices)
    subs, _ = index_names(form.sub)
    sups, paren = index_names(form.sup)
    arguments = argument_names(form.args)
    placeholders = subs + sups + arguments
    wanted = parts.placeholders(word, declared.kind == Kind.MATRIX)
    example = parts.EXAMPLES[word]
    if len(placeholders) != wanted or len([s for s in (subs, sups, arguments) if s]) > 1:
        raise ValueError(
            f"'{parts.WORDS[word]} {text}': write the part with {wanted} index placeholder(s),"
            f" in one script, as in '{example}'"
        )
    for name in placeholders:
        if name not in indices:
            raise ValueError(
                f"'{word} {text}': '{name}' is not a declared index (declare it, e.g."
                f" '{name}: index 1..m')"
            )
    return Part(word, text, form.base, subs, sups, paren, arguments)


# What a restated part may say of each entry of its whole (`\\sigma_j: scalar, positive`).
RESTATABLE = {"positive", "negative", "nonnegative", "nonzero", "integer", "probability"}


def _restatements(notation: Notation) -> None:
    """A whole's part declared again on its own line, to say what each entry is
    (`\\sigma: vector(J), entries \\sigma_j` and `\\sigma_j: scalar, positive`): its
    properties become the whole's, entry by entry, and the line declares nothing
    else. `sums to 1 over j`, with j the part's index, makes the entries of the
    whole sum to 1."""
    for whole in list(notation.declarations):
        for part in whole.parts:
            for restated in [d for d in notation.declarations if _restates(d, part, whole)]:
                problem = _restatement_problem(whole, part, restated)
                notation.declarations.remove(restated)
                if problem:
                    notation.declarations.remove(whole)
                    notation.block([whole.base, restated.base], restated.line,
                                   f"symbols: '{restated.key}': {problem}")  # fmt: skip
                    break
                merged = replace(
                    whole,
                    properties=tuple(dict.fromkeys(whole.properties + restated.properties)),
                    sums_over=restated.sums_over or whole.sums_over,
                )
                notation.declarations[notation.declarations.index(whole)] = merged
                whole = merged


def _restates(d: Declaration, part: Part, whole: Declaration) -> bool:
    return (
        d is not whole and d.base == part.base and d.subscripts == part.subscripts
        and d.superscripts == part.superscripts
    )  # fmt: skip


def _restatement_problem(whole: Declaration, part: Part, restated: Declaration) -> str | None:
    wanted = Kind.VECTOR if part.kind in ("rows", "columns") else Kind.SCALAR
    row = parts.part_shape(part.kind, whole.shape) if whole.shape is not None else None
    if restated.kind != wanted or (wanted == Kind.VECTOR and restated.shape != row):
        what = f"vectors of size {row.rows}" if wanted == Kind.VECTOR and row else "scalars"
        return f"it restates the {part.kind} of {whole.key}, which are {what}"
    if whole.is_random or restated.is_random:
        return (
            f"the entries of the random {whole.key} follow its distribution: declare no properties"
        )
    extra = set(restated.properties) - RESTATABLE
    if extra:
        return (
            f"'{sorted(extra)[0]}' is not a property of each entry (an entry may be:"
            f" {', '.join(sorted(RESTATABLE))}, or sum to 1 over its index)"
        )
    if restated.sums_over is not None and (
        part.kind != "entries"
        or whole.kind != Kind.VECTOR
        or restated.sums_over not in part.indices
    ):
        return f"'sums to 1 over {restated.sums_over}': only the entries of a vector can sum to 1"
    return None


def _duplicates(notation: Notation) -> None:
    """One letter is one symbol or one family; a whole's part may share the whole's
    letter (`y` and `y^{(i)}`), or a plain symbol's (`x` and the rows `x^{(i)}`)."""
    owners: dict[str, Declaration] = {}
    clashes: list[tuple[Declaration, Declaration]] = []
    for d in notation.declarations:
        if d.base in owners:
            clashes.append((owners[d.base], d))
        else:
            owners[d.base] = d
    part_owners: dict[str, tuple[Declaration, Part]] = {}
    for d in notation.declarations:
        for part in d.parts:
            other = owners.get(part.base)
            if other is not None and other is not d and other.indices:
                clashes.append((other, d))
            elif part.base in part_owners:
                clashes.append((part_owners[part.base][0], d))
            part_owners[part.base] = (d, part)
    for first, second in clashes:
        message = _duplicate_message(first, second)
        notation.declarations = [d for d in notation.declarations if d not in (first, second)]
        notation.block([first.base, second.base] + [p.base for p in second.parts], second.line,
                       message)  # fmt: skip


def _duplicate_message(first: Declaration, second: Declaration) -> str:
    mine = {second.base, *(p.base for p in second.parts)}
    theirs = {first.base, *(p.base for p in first.parts)}
    letter = min(mine & theirs, default=second.base)
    message = (
        f"symbols: '{second.key}' (line {second.line}) and '{first.key}' (line {first.line})"
        f" both declare {letter}: one letter is one symbol or one family"
    )
    whole, part = (first, second) if second.indices else (second, first)
    if part.indices and not whole.indices and whole.kind in (Kind.VECTOR, Kind.MATRIX):
        word = "rows" if part.kind == Kind.VECTOR and whole.kind == Kind.MATRIX else "entries"
        message += (
            f". If {part.key} is {'row' if word == 'rows' else 'entry'} {part.indices[0]} of"
            f" {whole.key}, declare '{whole.key}: {whole.describe_kind()}, {word} {part.key}'"
            " and drop the other entry; otherwise rename one"
        )
    else:
        message += "; rename one"
    return message


def _references(notation: Notation) -> None:
    """Sizes name declared sizes, placeholders declared indices, parts run over their
    whole; a declaration that uses a blocked size or index is blocked too."""
    changed = True
    while changed:
        changed = False
        sizes = {d.base for d in notation.declarations if d.kind == Kind.SIZE and not d.indices}
        indices = {
            d.base: d for d in notation.declarations
            if d.kind == Kind.INDEX and not d.is_random and not d.indices
        }  # fmt: skip
        for d in list(notation.declarations):
            problem = _reference_problem(d, sizes, indices, notation.broken, notation.local) or (
                dependence_problem(d, notation.declarations, notation.broken)
            )
            if problem:
                notation.declarations.remove(d)
                notation.block([d.base] + [p.base for p in d.parts], d.line,
                               f"symbols: '{d.key}': {problem}")  # fmt: skip
                changed = True


def _reference_problem(
    d: Declaration, sizes: set[str], indices: dict[str, Declaration], broken: dict[str, str],
    local: set[str],
) -> str | None:  # fmt: skip
    used = ([d.shape.rows, d.shape.cols] if d.shape else []) + list(d.index_range or ())
    for name in sorted({n for size in used for n in size.names()}):
        if name not in sizes:
            if name in broken:
                return f"'{name}' cannot be used ({broken[name]})"
            return f"'{name}' is not a declared size (declare it, e.g. '{name}: size')"
    for placeholder in d.indices + tuple(i for p in d.parts for i in p.indices if i not in local):
        if placeholder not in indices:
            if placeholder in broken:
                return f"index '{placeholder}' cannot be used ({broken[placeholder]})"
            return f"index '{placeholder}' is not declared (declare it, e.g. 'i: index 1..m')"
    entry_indices = {i for p in d.parts if p.kind == "entries" for i in p.indices}
    if d.sums_over and d.sums_over not in d.indices and d.sums_over not in entry_indices:
        return f"'sums to 1 over {d.sums_over}' needs {d.sums_over} among its indices"
    for part in d.parts:
        problem = _part_range_problem(d, part, indices)
        if problem:
            return problem
    return None


def _subset_sizes(notation: Notation) -> None:
    """`\\mathcal{C}_k: subset of 1..N, size N_k`: the size names a declared size, or a
    family of sizes with the subset's own placeholders (one size per class)."""
    for d in list(notation.declarations):
        if d.kind != Kind.SUBSET or not d.count:
            continue
        try:
            form = split_symbol(d.count)
            subs, _ = index_names(form.sub)
        except ValueError:
            subs, form = (), None
        found = [
            s for s in notation.declarations
            if s.kind == Kind.SIZE and form is not None and (s.letter or s.base) == form.base
            and s.subscripts == subs and not s.superscripts
        ]  # fmt: skip
        if len(found) != 1 or subs != d.subscripts or d.superscripts:
            notation.declarations.remove(d)
            notation.block([d.base], d.line,
                           f"symbols: '{d.key}': 'size {d.count}' must name a declared size, or"
                           f" a family of sizes with the subset's indices (as in"
                           f" '\\mathcal{{C}}_k: subset of 1..N, size N_k' with 'N_k: size')")  # fmt: skip
            continue
        notation.declarations[notation.declarations.index(d)] = replace(d, count=found[0].base)


def _part_range_problem(d: Declaration, part: Part, indices: dict[str, Declaration]) -> str | None:
    """Each placeholder of a part must run over 1..(the whole's rows or columns)."""
    assert d.shape is not None
    for placeholder, (extent, name) in zip(
        part.indices, parts.extents(part.kind, d.shape, len(part.indices)), strict=True
    ):
        if placeholder not in indices:  # a local placeholder runs over the whole's rows
            continue
        declared = indices[placeholder].index_range
        wanted = (Size.number(1), extent)
        if declared != wanted:
            shown = f"{declared[0]}..{declared[1]}" if declared else "?"
            return (
                f"'{part.kind} {part.key}': {placeholder} runs over {shown}, but {d.key} has"
                f" {extent} {name}: the index of a part must run over 1..{extent}"
            )
    return None


def local_placeholders(symbols: dict[object, object], indices: set[str]) -> set[str]:
    """The placeholders of parts (`x: vector(H), entries x_i`) that the page declares
    nowhere else: each names the entries of its whole only, running over its rows,
    as a textbook writes `x_i` without declaring i. A letter declared as anything
    else keeps its meaning, and its use as a placeholder stays an error."""
    declared = {name for key in symbols for name in split_top(str(key))}
    found: set[str] = set()
    for value in symbols.values():
        if not isinstance(value, str):
            continue
        for match in _PART_TEXT.finditer(value):
            try:
                form = split_symbol(match.group(1).strip())
                if form.args is not None:  # `entries v_\\pi(s)`: the scripts name the family
                    continue
                names = index_names(form.sub)[0] + index_names(form.sup)[0]
            except ValueError:
                continue
            found.update(n for n in names if n not in indices and n not in declared)
    return found
