"""Scoring a pair with a trained model's parameters, and saying why, in words.

Splink's match weight for a pair is the prior's log-odds plus, for each comparison, the
log2 of m/u for the level the pair falls in. This is that arithmetic in Python, for the few
candidates intake scores, with each field's part kept as evidence a practitioner can read.
Term-frequency adjustments are not applied here (the batch dedupe in Splink applies them).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from safehub.matching import comparisons


@dataclass(frozen=True)
class FieldEvidence:
    field: str  # "first name", "last name", "date of birth", "postcode", "NHS number", ...
    outcome: str  # in words: "agree exactly", "day and month swapped", "disagree", "missing"
    weight: float  # Splink match weight (log2 Bayes factor) this field contributed

    @property
    def counted(self) -> str:
        """How much it counted, in words."""
        if self.weight >= 5:  # noqa: PLR2004 - a Bayes factor of 32 or more
            return "counted strongly for a match"
        if self.weight >= 1:
            return "counted for a match"
        if self.weight > -1:
            return "hardly counted"
        if self.weight > -5:  # noqa: PLR2004
            return "counted against a match"
        return "counted strongly against a match"


@dataclass(frozen=True)
class PairPrediction:
    child_a: int  # Child.pk, child_a < child_b
    child_b: int
    probability: float
    evidence: tuple[FieldEvidence, ...]


@dataclass(frozen=True)
class Parameters:
    """A trained model's numbers: the prior and each level's weight, by comparison."""

    prior_weight: float
    weights: dict[tuple[str, str], float]

    @classmethod
    def from_model(cls, model: Mapping[str, Any]) -> Parameters:
        prior = float(model["probability_two_random_records_match"])
        weights: dict[tuple[str, str], float] = {}
        for comparison in model["comparisons"]:
            for level in comparison["comparison_levels"]:
                m, u = level.get("m_probability"), level.get("u_probability")
                # A level never seen in training carries no evidence either way.
                usable = not level.get("is_null_level") and m and u
                weight = math.log2(m / u) if usable else 0.0
                weights[(comparison["output_column_name"], level["label_for_charts"])] = weight
        return cls(math.log2(prior / (1 - prior)), weights)


def probability(weight: float) -> float:
    return 1 / (1 + 2 ** (-weight))


def score(
    left: Mapping[str, Any], right: Mapping[str, Any], parameters: Parameters
) -> tuple[float, tuple[FieldEvidence, ...]]:
    """The match probability of two standardised records, and each field's part in it."""
    total = parameters.prior_weight
    evidence = []
    for comparison in comparisons.COMPARISONS:
        level = comparison.level_of(left, right)
        weight = parameters.weights.get((comparison.column, level.label), 0.0)
        total += weight
        evidence.append(FieldEvidence(comparison.field, level.words, round(weight, 2)))
    return probability(total), tuple(evidence)
