"""The demo history, loaded into the database, reproduces what the district published.

The figures are computed once per session from the case tables (tests/integration/
demo_oracle.py) while the demo is loaded, and each test checks one published fact.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from tests.integration.conftest import DemoHistory


@pytest.fixture(scope="module")
def figures(demo_history: DemoHistory) -> dict[str, Any]:
    return demo_history.figures


def test_referrals_by_financial_year(figures: dict[str, Any]) -> None:
    assert figures["referrals_by_year"] == [431, 713, 1153]


def test_2015_16_referrals_concern_569_children_106_more_than_once(figures: dict[str, Any]) -> None:
    assert figures["children_2015_16"] == (569, 106)


def test_bradford_south_on_27_october_2016(figures: dict[str, Any]) -> None:
    rows = figures["south"]
    assert len(rows) == 76
    assert sum(1 for r in rows if r[1] == "high") == 11
    wards = Counter(r[0] for r in rows).most_common()
    assert wards[0][0] == "Wyke"
    assert wards[0][1] > wards[1][1]
    assert {w for w, _ in wards[1:4]} == {"Tong", "Wibsey", "Royds"}
    assert min(n for _, n in wards[1:4]) > max(n for _, n in wards[4:])


def test_bradford_west_on_31_october_2016(figures: dict[str, Any]) -> None:
    rows = figures["west"]
    assert len(rows) == 60
    assert Counter(r[1] for r in rows) == {"high": 9, "medium": 23, "low": 28}
    assert dict(Counter(r[0] for r in rows)) == {
        "Thornton and Allerton": 16,
        "Manningham": 12,
        "Heaton": 11,
        "Clayton and Fairweather Green": 10,
        "City": 7,
        "Toller": 4,
    }


def test_age_sex_and_social_care_of_children_at_risk(figures: dict[str, Any]) -> None:
    rows = figures["south"] + figures["west"]
    ages = Counter(r[2] for r in rows)
    assert ages.most_common(1)[0][0] == 14
    assert sum(n for age, n in ages.items() if 12 <= age <= 17) / len(rows) >= 0.9
    female = sum(1 for r in rows if r[4] == "F") / len(rows)
    assert 0.85 <= female <= 0.89
    known = sum(1 for r in rows if r[3]) / len(rows)
    assert 0.4 <= known <= 0.6


def test_the_demo_has_intelligence_to_show(figures: dict[str, Any]) -> None:
    assert figures["intelligence"] == (8, 48, 3)


def test_the_demo_holds_pathway_referrals_from_2016_mostly_in_time(
    figures: dict[str, Any],
) -> None:
    made, accepted_in_time, contact_in_time = figures["pathway_2016_17"]
    assert made > 0
    assert 0 < accepted_in_time < made
    assert 0 < contact_in_time < made
