"""Words and counts shared by the page header, the report and the plugin.

Kept apart from `render` so that a build whose pages all come rendered from
the cache imports none of the rendering itself.
"""

from __future__ import annotations

from collections.abc import Mapping

from verify.model import Status

_VERIFIED = (Status.PROVED, Status.CHECKED, Status.SAMPLED)


def verified_count(counts: Mapping[str, int]) -> int:
    """Steps a reader can rely on: proved, checked or sampled."""
    return sum(counts.get(s.value, 0) for s in _VERIFIED)


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def count_sentence(counts: Mapping[str, int]) -> str:
    """E.g. "22 of 24 steps verified: 2 proved, 20 checked. 6 mistakes caught. 1 skipped."

    Deliberately wrong steps (`expect-fail`) are not steps that verified: they
    are counted apart, as mistakes the checker caught."""
    caught = counts.get(Status.EXPECTED_FAILURE.value, 0)
    steps = sum(counts.values()) - caught
    sentences = []
    if steps:
        kinds = [f"{counts[s.value]} {s.value}" for s in _VERIFIED if counts.get(s.value, 0)]
        verified = f"{verified_count(counts)} of {plural(steps, 'step')} verified"
        sentences.append(verified + (": " + ", ".join(kinds) if kinds else ""))
    if caught:
        sentences.append(f"{plural(caught, 'mistake')} caught")
    others = [
        f"{counts.get(s.value, 0)} {s.value}"
        for s in (Status.SKIPPED, Status.FAILED, Status.ERROR)
        if counts.get(s.value, 0)
    ]
    if others:
        sentences.append(", ".join(others))
    return ". ".join(sentences) + "." if sentences else "No steps."
