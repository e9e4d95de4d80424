"""Packaging: the checker runs without the site stack; the version is written once;
the pre-commit hooks install the core only; the site address comes from the
environment."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

import verify

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SITE_STACK = {"mkdocs", "material", "pymdownx", "mathjax", "markdown"}

# Run the command line with the site's packages made unimportable.
WITHOUT_SITE_STACK = f"""
import importlib.abc, sys

class Blocked(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {sorted(SITE_STACK)!r}:
            raise ImportError("not installed here: " + name)
        return None

sys.meta_path.insert(0, Blocked())
import verify.adapters.pytest_plugin
from verify.adapters.cli import main
sys.exit(main(sys.argv[1:]))
"""

PAGE = """\
---
symbols:
  n: size
  x: vector(n)
  A: matrix(n, n), symmetric
---

$$
x^T A x = x^T A^T x
$$
"""


def test_the_checker_needs_none_of_the_site_stack(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(PAGE, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_SITE_STACK, "check", str(page), "--no-cache",
         "--workers", "1"],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1 pairs: 1 checked in 1 page(s)"


def test_the_core_dependencies_leave_out_the_site() -> None:
    names = {
        d.split(">")[0].split("<")[0].split("=")[0] for d in PYPROJECT["project"]["dependencies"]
    }
    assert not names & {"mkdocs", "mkdocs-material", "pymdown-extensions", "django-static-mathjax"}
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert any(d.startswith("mkdocs>=") for d in extras["mkdocs"])
    site = (ROOT / "requirements-site.txt").read_text(encoding="utf-8")
    assert "mkdocs-material" in site and "pymdown-extensions" in site


def test_the_version_is_written_once() -> None:
    assert "version" not in PYPROJECT["project"]
    assert PYPROJECT["project"]["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "verify.__version__"}
    assert verify.__version__.count(".") == 2
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


def test_the_pre_commit_hooks_install_the_core_only() -> None:
    published = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["language"] for h in published] == ["python"]
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    local = next(h for r in config["repos"] if r["repo"] == "local" for h in r["hooks"])
    assert local["language"] == "python"
    assert local["additional_dependencies"] == PYPROJECT["project"]["dependencies"]


def test_the_site_address_comes_from_the_environment() -> None:
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith("site_url:"))
    assert line.startswith("site_url: !ENV [SITE_URL,")
