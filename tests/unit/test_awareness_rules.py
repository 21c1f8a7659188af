"""Awareness: the plausibility rule for a session, and how a programme's target is chosen."""

from __future__ import annotations

import datetime as dt
from typing import Any

from safehub.awareness.queries import Cell
from safehub.awareness.wardmap import BANDS, NO_TARGET, band
from safehub.reports.sections.awareness import _target
from safehub.rules import plausibility

TODAY = dt.date(2016, 10, 31)


def test_a_session_is_on_a_real_past_day_and_reaches_a_plausible_number() -> None:
    assert plausibility.awareness_session(dt.date(2016, 5, 12), 24, today=TODAY) == []
    assert plausibility.awareness_session(TODAY, 1, today=TODAY) == []
    assert plausibility.awareness_session(TODAY, 5000, today=TODAY) == []
    assert plausibility.awareness_session(TODAY + dt.timedelta(days=1), 24, today=TODAY) == [
        ("date", "Date must be today or in the past")
    ]
    assert plausibility.awareness_session(dt.date(1899, 12, 31), 24, today=TODAY) == [
        ("date", "Date must be in or after 1900")
    ]
    for reached in (0, 5001):
        assert plausibility.awareness_session(TODAY, reached, today=TODAY) == [
            ("reached", "Number reached must be between 1 and 5,000")
        ]


def _row(population: int | None, ward: str | None, year: int | None) -> dict[str, Any]:
    return {"population": population, "ward_code": ward, "financial_year": year}


def test_a_years_own_target_replaces_the_every_year_one_for_the_same_place() -> None:
    rows = [_row(100, "W1", None), _row(60, "W1", 2016), _row(40, "W2", None)]
    assert _target(rows, 2016, district=False) == 100  # 60 + 40
    assert _target(rows, 2015, district=False) == 140  # 100 + 40
    assert _target(list(reversed(rows)), 2016, district=False) == 100


def test_the_district_uses_its_own_target_else_the_sum_of_its_wards() -> None:
    wards = [_row(100, "W1", None), _row(40, "W2", None)]
    assert _target(wards, 2016, district=True) == 140
    assert _target([*wards, _row(1000, None, None)], 2016, district=True) == 1000
    assert _target([*wards, _row(1000, None, None)], 2016, district=False) == 140
    assert _target([_row(None, None, None)], 2016, district=True) is None
    assert _target([_row(900, None, 2015)], 2016, district=True) is None


def test_coverage_bands_on_the_map() -> None:
    assert Cell(5, None).percent is None
    assert band(Cell(5, None)) == NO_TARGET
    assert band(Cell(0, 100)) == BANDS[0][1]
    assert band(Cell(24, 100)) == BANDS[0][1]
    assert band(Cell(25, 100)) == BANDS[1][1]
    assert band(Cell(99, 100)) == BANDS[3][1]
    assert band(Cell(100, 100)) == BANDS[4][1]
    assert band(Cell(250, 100)) == BANDS[4][1]
