"""How a field's match weight reads to a hub manager."""

from __future__ import annotations

import pytest

from safehub.duplicates.queries import weight_in_words


@pytest.mark.parametrize(
    ("weight", "words"),
    [
        (6.2, "counted strongly for the same child"),
        (4.0, "counted strongly for the same child"),
        (3.9, "counted for the same child"),
        (0.5, "counted for the same child"),
        (0.0, "made no difference"),
        (-0.04, "made no difference"),
        (-1.4, "counted against"),
        (-4.0, "counted strongly against"),
        (-9.0, "counted strongly against"),
    ],
)
def test_a_weight_reads_as_how_much_it_counted(weight: float, words: str) -> None:
    assert weight_in_words(weight) == words
