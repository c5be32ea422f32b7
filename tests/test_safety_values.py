"""Hostile values: answers written that read back the same, and no input that takes
quadratic time. Each test is named by what it guards."""

from __future__ import annotations

import time
from collections.abc import Callable

from qa_tool.legacy import parse_legacy


def _legacy(paragraph: str) -> str:
    return (
        "Is this a question?\nA short answer.\nWhat the research says\n"
        f"{paragraph}\nWhat to ask your doctor\n- Is it safe?\n"
    )


def assert_linear(run: Callable[[int], object], small: int, large: int) -> None:
    """``run(large)`` takes at most 10 times what linear growth from ``run(small)`` allows.

    The budget has a floor of one second, so a busy machine never makes it fail; a
    quadratic algorithm is still far over it (``large / small`` times more again).
    """
    started = time.perf_counter()
    run(small)
    base = time.perf_counter() - started
    started = time.perf_counter()
    run(large)
    took = time.perf_counter() - started
    budget = max(1.0, 10 * base * large / small)
    assert took < budget, f"{took:.2f}s for n={large}, over {budget:.2f}s (base {base:.3f}s)"


# --- quadratic time in the legacy converter -------------------------------------------


def test_bracket_run_before_a_parenthesis_is_linear():
    assert_linear(lambda n: parse_legacy(_legacy("Text " + "[1]" * n + "(")), 1000, 20000)


def test_number_list_not_ending_a_sentence_is_linear():
    assert_linear(lambda n: parse_legacy(_legacy("Text a " + "1, " * n + "x")), 1000, 20000)


def test_bracket_runs_keep_their_meaning():
    # a run before a link is cut after its last group followed by a space
    answer = parse_legacy(_legacy("Seen in trials [1] [2](https://example.org) and [3]."))
    assert "trials [@1] [2](https://example.org) and [@3]." in answer.body_markdown()
    answer = parse_legacy(_legacy("A label [1][2]: kept, and a stop moves. [2]"))
    assert "A label [1][2]: kept, and a stop moves [@2]." in answer.body_markdown()
    answer = parse_legacy(_legacy("Listed at the end 1, 2."))
    assert "Listed at the end [@1; @2]." in answer.body_markdown()
