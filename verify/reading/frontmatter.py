"""A page's YAML front matter, with the line of each `symbols:` key."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml


@dataclass
class FrontMatter:
    """The mapping, how many lines it takes, and where each key stands.

    `key_lines` maps each `symbols:` key to its 1-based line, and `@name` to the
    line of each top-level key. `meanings` maps a `symbols:` key to the comment
    that ends its line (`x^{(i)}: vector(n)  # the i-th data point`), which YAML
    itself drops. `error` is set (at `error_line`) when the front matter cannot
    be read; `data` is then empty.
    """

    data: dict[str, Any] = field(default_factory=dict)
    lines: int = 0
    key_lines: dict[str, int] = field(default_factory=dict)
    key_columns: dict[str, int] = field(default_factory=dict)  # `@given.N`: its column
    error: str | None = None
    error_line: int = 0
    duplicates: list[tuple[str, int]] = field(default_factory=list)  # keys written twice
    meanings: dict[str, str] = field(default_factory=dict)


def read_front_matter(source: str) -> FrontMatter:
    lines = source.split("\n")
    if not lines or lines[0].strip() != "---":
        return FrontMatter()
    for n in range(1, len(lines)):
        if lines[n].strip() not in ("---", "..."):
            continue
        body = "\n".join(lines[1:n])
        try:
            data = yaml.safe_load(body) or {}
            node = yaml.compose(body, Loader=yaml.SafeLoader)
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            line = (mark.line + 2) if mark is not None else 1
            return FrontMatter(lines=n + 1, error=f"front matter is not valid YAML: {err}",
                               error_line=line)  # fmt: skip
        if not isinstance(data, dict):
            return FrontMatter(lines=n + 1, error="front matter must be a mapping", error_line=1)
        front = FrontMatter(data, n + 1)
        if isinstance(node, yaml.MappingNode):
            _record_lines(node, front, lines[1:n])
        return front
    return FrontMatter(error="front matter opened with '---' is never closed", error_line=1)


def _record_lines(node: yaml.MappingNode, front: FrontMatter, body: list[str]) -> None:
    """Where each top-level key, each `symbols:` key and each `given:` item stands,
    and the meaning comment that ends each `symbols:` entry."""
    seen: set[str] = set()
    for k, v in node.value:
        if k.value in seen:
            front.duplicates.append((str(k.value), k.start_mark.line + 2))
        seen.add(k.value)
        if k.value == "symbols" and isinstance(v, yaml.MappingNode):
            symbols: set[str] = set()
            for sk, sv in v.value:
                if sk.value in symbols:
                    front.duplicates.append((f"symbols: {sk.value}", sk.start_mark.line + 2))
                symbols.add(sk.value)
                front.key_lines[str(sk.value)] = sk.start_mark.line + 2
                meaning = _trailing_comment(body, sv)
                if meaning:
                    front.meanings[str(sk.value)] = meaning
        if k.value == "given" and isinstance(v, yaml.SequenceNode):
            for n, item in enumerate(v.value):
                front.key_lines[f"@given.{n}"] = item.start_mark.line + 2
                front.key_columns[f"@given.{n}"] = item.start_mark.column + 1
        front.key_lines.setdefault(f"@{k.value}", k.start_mark.line + 2)


_COMMENT = re.compile(r"\s+#\s?(.*)$")


def _trailing_comment(body: list[str], value: yaml.Node) -> str:
    """The `# comment` after a value on its last line (YAML keeps no comments)."""
    mark = value.end_mark
    if mark.line >= len(body):
        return ""
    match = _COMMENT.match(body[mark.line][mark.column :])
    return match.group(1).strip() if match else ""
