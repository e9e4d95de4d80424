"""The benchmark's synthetic pages: renamed copies are the same mathematics, new keys.

A cold run of the benchmark is cold only if no renamed copy shares a cache
key with another; it measures the checker only if a renamed copy verifies
exactly as the original. Both are tested here on a few pages.
"""

from __future__ import annotations

from pathlib import Path

from bench.run import (
    fresh_name,
    is_derivation,
    rename_math,
    rename_page,
    targets,
    template_pages,
)
from verify import CheckOptions, check_paths
from verify.reading.markdown import extract_page
from verify.running.cache import Cache
from verify.running.check import read_page

ROOT = Path(__file__).resolve().parent.parent
PAGES = [
    ROOT / "tests" / "pages" / "mutation" / "identities.md",
    ROOT / "tests" / "pages" / "corpus" / "indexed-families.md",
    ROOT / "tests" / "pages" / "corpus" / "matrix-calculus.md",
]


def test_rename_math_leaves_text_names_and_fonts_alone() -> None:
    names = {"x": "\\hat{\\mathcal{A}}", "\\mu": "\\bar{\\mathbb{B}}"}
    text = (
        r"x^T \mu_j + \mathbf{x} + \text{max x} + \operatorname{tr}(x) + \hat x + \mum && \text{x}"
    )
    assert rename_math(text, names) == (
        r"\hat{\mathcal{A}}^T \bar{\mathbb{B}}_j + \mathbf{x} + \text{max x} + \operatorname{tr}"
        r"(\hat{\mathcal{A}}) + \hat x + \mum && \text{x}"
    )


def test_a_renamed_script_is_braced() -> None:
    """`d_k` with `k` renamed is `d_{\\hat{S}}`: unbraced, the subscript would be `\\hat`."""
    names = {"k": "\\hat{\\tilde{S}}"}
    assert rename_math(r"d_k + x^k_j + d_{k} + \mathrm{d}_k", names) == (
        r"d_{\hat{\tilde{S}}} + x^{\hat{\tilde{S}}}_j + d_{\hat{\tilde{S}}}"
        r" + \mathrm{d}_{\hat{\tilde{S}}}"
    )


def test_every_derivation_page_reads_the_same_renamed() -> None:
    """Each docs page the benchmark copies reads, renamed, with the problems of the
    original (none) and the same pairs: a declaration the renaming broke would stop
    the benchmark's cold build."""
    for page in sorted((ROOT / "docs").rglob("*.md")):
        source = page.read_text(encoding="utf-8")
        if not is_derivation(page):
            continue
        original, problems = read_page(page, source)
        per_copy = len(targets(original.front_matter["symbols"]))
        renamed, renamed_problems = read_page(page, rename_page(source, 1, per_copy))
        assert [r.message for r in renamed_problems] == [r.message for r in problems], page
        assert [p.line for p in renamed.pairs] == [p.line for p in original.pairs], page


def test_fresh_names_are_distinct() -> None:
    names = [fresh_name(k) for k in range(9000)]
    assert len(set(names)) == len(names)


def test_renamed_copies_verify_like_the_original(tmp_path: Path) -> None:
    for n, page in enumerate(PAGES):
        source = page.read_text(encoding="utf-8")
        (tmp_path / f"original-{n}.md").write_text(source, encoding="utf-8")
        per_copy = len(targets(extract_page(str(page), source).front_matter["symbols"]))
        for copy in (1, 2):
            renamed = rename_page(source, copy, per_copy)
            assert renamed != source
            (tmp_path / f"copy{copy}-{n}.md").write_text(renamed, encoding="utf-8")
    reports = check_paths([tmp_path], CheckOptions(workers=2, cache_dir=None))
    statuses = {Path(r.page.file).name: [(x.line, x.status) for x in r.results] for r in reports}
    for n in range(len(PAGES)):
        assert statuses[f"copy1-{n}.md"] == statuses[f"original-{n}.md"]
        assert statuses[f"copy2-{n}.md"] == statuses[f"original-{n}.md"]


def test_renamed_copies_share_no_cache_key(tmp_path: Path) -> None:
    """Checking a second copy with the first copy's cache adds a verdict for every pair."""
    source = PAGES[0].read_text(encoding="utf-8")
    cache = tmp_path / "cache"
    counts = []
    for copy in range(2):
        page = tmp_path / f"copy{copy}.md"
        page.write_text(rename_page(source, copy, 12), encoding="utf-8")
        check_paths([page], CheckOptions(workers=2, cache_dir=cache))
        counts.append(Cache(cache).count())
    pairs = len(extract_page("p.md", source).pairs)
    assert counts == [pairs, 2 * pairs]


def test_templates_are_the_verifying_derivation_pages() -> None:
    templates = template_pages()
    assert templates, "no derivation page under docs/ verifies"
    assert all(p.suffix == ".md" and p.is_file() for p in templates)
