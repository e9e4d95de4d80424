"""Names that carry an index inside a literal script, read as patterns.

CS229 names the posterior mean of example i `\\mu_{z^{(i)}|x^{(i)}}`; Bishop
writes the responsibility of component k for point n as `\\gamma(z_{nk})`. The
script (or the bracket) is not a list of indices, so the whole is a name, but it
depends on the declared indices written inside it. The name is a template: each
declared index in it is a placeholder, and a written name matches when its tree
is the template's with an index expression in place of each placeholder
(`\\gamma(z_{nj})`, `\\mu_{z^{(2)}|x^{(2)}}`), the same one wherever a
placeholder repeats.
"""

from __future__ import annotations

from dataclasses import fields

from verify.latex import tree as ast
from verify.latex.printer import compact

NAME_KINDS = ("LETTER", "SYMBOL")


def placeholders(node: ast.Node | None, indices: set[str]) -> list[str]:
    """The declared indices written in `node`, in order of first appearance."""
    found: list[str] = []
    for atom in _atoms(node):
        if atom.kind in NAME_KINDS and atom.text in indices and atom.text not in found:
            found.append(atom.text)
    return found


def match(
    template: ast.Node | None, written: ast.Node | None, names: list[str]
) -> dict[str, ast.Node] | None:
    """Each placeholder's expression if `written` is `template` with indices put in
    for the placeholders `names`; None if it is not."""
    bound: dict[str, ast.Node] = {}
    return bound if _match(template, written, set(names), bound) else None


def _match(template: object, written: object, names: set[str], bound: dict[str, ast.Node]) -> bool:
    if isinstance(template, ast.Atom) and template.kind in NAME_KINDS and template.text in names:
        if not isinstance(written, ast.Node):
            return False
        if template.text in bound:
            return compact(bound[template.text]) == compact(written)
        bound[template.text] = written
        return True
    if isinstance(template, ast.Node):
        if type(template) is not type(written):
            return False
        return all(
            _match(getattr(template, f.name), getattr(written, f.name), names, bound)
            for f in fields(template)
            if f.name != "pos"
        )
    if isinstance(template, (list, tuple)):
        if not isinstance(written, (list, tuple)) or len(template) != len(written):
            return False
        return all(_match(t, w, names, bound) for t, w in zip(template, written, strict=True))
    return template == written


def _atoms(node: object) -> list[ast.Atom]:
    if isinstance(node, ast.Atom):
        return [node]
    out: list[ast.Atom] = []
    if isinstance(node, ast.Node):
        for f in fields(node):
            if f.name != "pos":
                out.extend(_atoms(getattr(node, f.name)))
    elif isinstance(node, (list, tuple)):
        for item in node:
            out.extend(_atoms(item))
    return out
