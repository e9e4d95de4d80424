"""No code runs from a page: not through LaTeX, not through names, not through YAML.

Two kinds of test:

- behaviour: pages that try to run code (through `\\operatorname{…}`,
  `\\text{…}`, function names such as `eval` or `__import__`, YAML tags such as
  `!!python/object/apply:` in front matter) are checked in this process with
  every evaluator of strings watched (`eval`, `exec`, `compile`, SymPy's
  `parse_expr`, `yaml.load` with an unsafe loader); the test asserts that none
  of them ever sees text from a page, that the payloads left no trace, and
  that every page ends in verdicts or clean errors;
- source: a scan of `verify/` for `eval(`, `exec(`, `compile(`,
  `sympify(`/`parse_expr(`/`S(` on strings, `yaml.load(` without a safe
  loader, `yaml.unsafe_load`/`full_load`, and `pickle` loads.
"""

from __future__ import annotations

import ast
import builtins
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from verify import Status
from verify.deciding.decide import decide
from verify.mutation.mutate import mutation_task as task_for
from verify.reading.markdown import extract_page

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "verify"
CANARY = "pwned"


def _payloads(marker: Path) -> list[str]:
    """Pages that would create `marker` (or print CANARY) if any of their text ran."""
    touch = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    system = f"__import__('os').system('touch {marker}')"
    notation = "symbols:\n  x: scalar\n  A: matrix(n, n)\n  n: size\n"
    pages = [
        f"---\n{notation}---\n\n$$\n\\operatorname{{eval}}(x) = x\n$$\n",
        f"---\n{notation}---\n\n$$\n\\operatorname{{exec}}(x) = \\operatorname{{{CANARY}}}(x)\n$$\n",
        f"---\n{notation}---\n\n$$\n\\text{{{touch}}} = x\n$$\n",
        f"---\n{notation}---\n\n$$\n\\mathrm{{{system}}} = x\n$$\n",
        f"---\n{notation}---\n\n$$\n\\operatorname{{{touch}}}(x) = x\n$$\n",
        f"---\n{notation}---\n\n$$\neval(x) = \\_\\_import\\_\\_(x)\n$$\n",
        f"---\n{notation}---\n\n$$\n__import__(x) = x\n$$\n",
        "---\nsymbols:\n  x: scalar\n  eval: function\n  __import__: function\n"
        f"  {CANARY}: function\n---\n\n$$\neval(x) = x\n$$\n\n$$\n{CANARY}(x) = x\n$$\n",
        f"---\nsymbols:\n  x: scalar\n  \\operatorname{{{touch}}}: function\n---\n\n$$\nx = x\n$$\n",
        f"---\nsymbols:\n  x: scalar\nwrt: {system!r}\n---\n\n$$\nx \\propto x\n$$\n",
        f"---\nsymbols: !!python/object/apply:os.system ['touch {marker}']\n---\n\n$$\nx = x\n$$\n",
        f"---\ntitle: !!python/object/apply:os.system ['touch {marker}']\nsymbols:\n"
        "  x: scalar\n---\n\n$$\nx = x\n$$\n",
        f"---\nsymbols:\n  x: !!python/object/new:os.system ['touch {marker}']\n---\n",
        "---\nsymbols:\n  x: !!python/name:os.system\n---\n\n$$\nx = x\n$$\n",
        f"---\nsymbols:\n  x: scalar\n---\n\n<!-- verify: wrt {touch} -->\n$$\nx \\propto 2x\n$$\n",
        f"---\nsymbols:\n  x: scalar\n---\n\n$$\nx = {CANARY} + x - {CANARY}\n$$\n",
        f"---\nsymbols:\n  x: scalar\n---\n\n$$\nf(x) := {touch}\n$$\n\n$$\nf(x) = x\n$$\n",
        "---\nsymbols:\n  x: scalar\n  lambda: scalar\n---\n\n$$\n\\lambda = x\n$$\n",
    ]
    return pages


class Watch:
    """Records every string handed to an evaluator while it is installed."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def wrap(self, name: str, function: Any) -> Any:
        def watched(source: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(source, (str, bytes)):
                self.seen.append((name, source if isinstance(source, str) else repr(source)))
            return function(source, *args, **kwargs)

        return watched


@pytest.fixture
def watch(monkeypatch: pytest.MonkeyPatch) -> Iterator[Watch]:
    import sympy.parsing.sympy_parser as sympy_parser
    import yaml

    w = Watch()
    for name in ("eval", "exec", "compile"):
        monkeypatch.setattr(builtins, name, w.wrap(name, getattr(builtins, name)))
    monkeypatch.setattr(sympy_parser, "parse_expr", w.wrap("parse_expr", sympy_parser.parse_expr))
    monkeypatch.setattr(yaml, "unsafe_load", w.wrap("yaml.unsafe_load", yaml.unsafe_load))
    monkeypatch.setattr(yaml, "full_load", w.wrap("yaml.full_load", yaml.full_load))

    real_load = yaml.load

    def load(stream: Any, Loader: Any = None) -> Any:  # noqa: N803 - PyYAML's name
        if Loader not in (yaml.SafeLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            w.seen.append(("yaml.load", repr(Loader)))
        return real_load(stream, Loader=Loader)

    monkeypatch.setattr(yaml, "load", load)
    yield w


def test_the_watch_sees_string_evaluation(watch: Watch) -> None:
    """The watchers are installed where SymPy and the builtins look them up."""
    import sympy
    import yaml

    sympy.sympify("x + 1")
    eval("1 + 1")  # noqa: S307 - the point of the test
    yaml.load("a: 1", Loader=yaml.Loader)
    kinds = {name for name, _ in watch.seen}
    assert {"parse_expr", "eval", "yaml.load"} <= kinds, kinds


def test_pages_run_no_code(tmp_path: Path, watch: Watch, capfd: pytest.CaptureFixture[str]) -> None:
    marker = tmp_path / "ran"
    for n, text in enumerate(_payloads(marker)):
        page = extract_page(f"attack-{n}.md", text)
        results = list(page.problems) + [decide(task_for(page, pair)) for pair in page.pairs]
        for r in results:
            assert isinstance(r.status, Status)
            assert "internal checker error" not in r.message, (n, r.message)
    assert not marker.exists(), "a page ran code"
    page_strings = [s for _, s in watch.seen if CANARY in s or "__import__(" in s or "touch" in s]
    assert not page_strings, f"page text reached an evaluator: {page_strings[:3]}"
    assert not [s for s in watch.seen if s[0].startswith("yaml")], watch.seen
    assert CANARY not in capfd.readouterr().out


def test_yaml_tags_are_errors_not_crashes(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = (
        f"---\nsymbols: !!python/object/apply:os.system ['touch {marker}']\n---\n\n$$\nx = x\n$$\n"
    )
    page = extract_page("attack.md", text)
    assert page.problems and page.problems[0].line >= 1
    assert not marker.exists()


def test_command_line_runs_no_code(tmp_path: Path) -> None:
    """The same pages through `python -m verify check`, in worker processes."""
    marker = tmp_path / "ran"
    for n, text in enumerate(_payloads(marker)):
        (tmp_path / f"attack-{n}.md").write_text(text, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "verify", "check", str(tmp_path), "--no-cache", "--workers", "2",
         "--timeout", "10", "--quiet"],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert not marker.exists(), "a page ran code"


# ---------------------------------------------------------------- the source

STRING_EVALUATORS = {"sympify", "parse_expr", "S", "parse_latex_lark", "Symbol_eval"}
FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__", "unsafe_load", "full_load",
                   "load_all", "unsafe_load_all", "full_load_all"}  # fmt: skip
SAFE_LOADERS = {"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"}


def _called_name(call: ast.Call) -> str:
    f = call.func
    if isinstance(f, ast.Name):
        return f.id
    if isinstance(f, ast.Attribute):
        return f.attr
    return ""


def _stringy(node: ast.AST | None) -> bool:
    """A literal string, an f-string, a concatenation or a `str(...)` call."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (str, bytes))
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _stringy(node.left) or _stringy(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id in ("str", "repr", "format")
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr in ("format", "join", "strip", "group", "replace")
    return False


def scan(source: str, filename: str) -> list[str]:
    """Dangerous calls in one module, as `file:line: what`."""
    problems = []
    tree = ast.parse(source, filename)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _called_name(node)
            where = f"{filename}:{node.lineno}"
            first = node.args[0] if node.args else None
            if name in FORBIDDEN_CALLS and not (
                name == "compile" and isinstance(node.func, ast.Attribute)  # re.compile
            ):
                problems.append(f"{where}: {name}(")
            if name in STRING_EVALUATORS and _stringy(first):
                problems.append(f"{where}: {name}( on a string")
            if name == "load" and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                if isinstance(owner, ast.Name) and owner.id in ("yaml", "pickle", "marshal"):
                    loader = next((k.value for k in node.keywords if k.arg == "Loader"), None)
                    loader_name = getattr(loader, "attr", getattr(loader, "id", None))
                    if owner.id != "yaml" or loader_name not in SAFE_LOADERS:
                        problems.append(f"{where}: {owner.id}.load( without a safe loader")
            if name == "loads" and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                if isinstance(owner, ast.Name) and owner.id in ("pickle", "marshal", "dill"):
                    problems.append(f"{where}: {owner.id}.loads(")
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names]
            module = getattr(node, "module", None) or ""
            if "parse_expr" in names or module.endswith("sympy_parser"):
                problems.append(f"{filename}:{node.lineno}: imports SymPy's string parser")
    return problems


def test_scanner_finds_what_it_looks_for() -> None:
    bad = (
        "import yaml\nfrom sympy.parsing.sympy_parser import parse_expr\n"
        "eval(text)\nexec('x')\nsympify('x+1')\nsp.sympify(f'{a}')\nyaml.load(s)\n"
        "yaml.load(s, Loader=yaml.Loader)\nyaml.unsafe_load(s)\npickle.loads(b)\n"
        "S(str(x))\n__import__('os')\n"
    )
    found = scan(bad, "bad.py")
    assert len(found) == 11, found
    good = "import re\nre.compile('x')\nyaml.safe_load(s)\nyaml.load(s, Loader=yaml.SafeLoader)\n"
    good += "sp.sympify(value)\nyaml.compose(s, Loader=yaml.SafeLoader)\n"
    assert scan(good, "good.py") == []


def test_package_has_no_string_evaluation() -> None:
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        problems += scan(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert not problems, "\n".join(problems)
