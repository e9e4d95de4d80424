"""The messages `verify.errors` writes itself."""

from __future__ import annotations

from verify.errors import DEEP_BRACKETS, too_deep


def test_a_long_chain_is_called_long_with_its_length() -> None:
    message = too_deep(" + ".join(["x"] * 400) + " - y")
    assert "too long" in message and "401 terms" in message and "nested" not in message


def test_deep_brackets_are_called_nested_with_their_depth() -> None:
    text = "{" * DEEP_BRACKETS + "x" + "}" * DEEP_BRACKETS
    assert too_deep(text) == (
        f"the expression is nested too deeply ({DEEP_BRACKETS} levels of brackets)"
    )
    assert "too long" in too_deep("(" * (DEEP_BRACKETS - 1) + "x")
