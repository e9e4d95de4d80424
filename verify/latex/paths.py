"""Paths into a syntax tree: name a node by the steps from the root, read it,
and put another node in its place. Mutants and repairs edit trees this way.

A step is (field, i, j): the field of the parent, and, for a list field, the
item (i) and, for a tuple item (a Sum's (sign, term), an indicator's further
condition (left, op, right)) or a matrix row, the second index (j); -1 where
there is none.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import fields

from verify.latex import tree as ast

Step = tuple[str, int, int]
Path = tuple[Step, ...]


def children(node: ast.Node) -> Iterator[tuple[Step, ast.Node]]:
    """Each child of `node` with the step that reaches it."""
    for f in fields(node):
        value = getattr(node, f.name)
        if isinstance(value, ast.Node):
            yield (f.name, -1, -1), value
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, ast.Node):
                    yield (f.name, i, -1), item
                elif isinstance(item, tuple):  # (sign, node), or an indicator's (node, op, node)
                    for j, part in enumerate(item):
                        if isinstance(part, ast.Node):
                            yield (f.name, i, j), part
                elif isinstance(item, list):  # matrix rows
                    for j, cell in enumerate(item):
                        yield (f.name, i, j), cell


def node_at(node: ast.Node, path: Path) -> ast.Node:
    for name, i, j in path:
        value = getattr(node, name)
        node = value if i < 0 else (value[i] if j < 0 else value[i][j])
    return node


def put(root: ast.Node, path: Path, new: ast.Node) -> ast.Node:
    """`root` with the node at `path` replaced by `new`, in place (`new` if the path is empty)."""
    if not path:
        return new
    parent = node_at(root, path[:-1])
    name, i, j = path[-1]
    value = getattr(parent, name)
    if i < 0:
        setattr(parent, name, new)
    elif j < 0:
        value[i] = new
    elif isinstance(value[i], tuple):
        value[i] = value[i][:j] + (new,) + value[i][j + 1 :]
    else:
        value[i][j] = new
    return root


def replace(root: ast.Node, path: Path, new: ast.Node) -> ast.Node:
    """A copy of `root` with the node at `path` replaced by `new`."""
    return put(copy.deepcopy(root), path, new) if path else new
