"""Resolution 4: how the recording of ethnicity, first language and arrival stands, by year
and ward, on the demo; the public edition publishes no count from 1 to 5 in these tables."""

from __future__ import annotations

import datetime as dt

import pytest

from safehub.analytics import snapshot
from safehub.reports import committee, render
from tests.integration.conftest import DemoHistory

NEW_TABLES = (
    "ethnicity_recording_by_year",
    "ethnicity_recording_by_ward",
    "language_arrival_recording",
)


def _build(demo_history: DemoHistory, area: str, as_of: str, edition: str) -> committee.Report:
    manifest = snapshot.load("demo", root=demo_history.root)
    return committee.build(manifest, area=area, as_of=dt.date.fromisoformat(as_of), edition=edition)


@pytest.mark.parametrize(
    ("area", "as_of"), [("Bradford South", "2016-10-27"), ("Bradford", "2017-03-31")]
)
def test_each_year_counts_the_children_referred_that_year(
    demo_history: DemoHistory, area: str, as_of: str
) -> None:
    report = _build(demo_history, area, as_of, "restricted")
    referred = report.tables["referrals_by_financial_year"]
    children = [row[referred.columns.index("Individual children")] for row in referred.counts]
    by_year = report.tables["ethnicity_recording_by_year"]
    assert [by_year.row_total(i) for i in range(len(by_year.counts))] == children
    assert sum(children) > 0
    by_ward = report.tables["ethnicity_recording_by_ward"]
    assert by_ward.grand_total() == by_year.row_total(len(by_year.counts) - 1)
    language = report.tables["language_arrival_recording"]
    assert [row[0] for row in language.counts] == children
    for row in language.counts:
        assert row[3] <= row[2] <= row[0]  # no arrival date ⊆ not English ⊆ referred
    assert "not obtained" in report.notes["ethnicity_recording_trend"]
    assert "%" in report.notes["ethnicity_recording_trend"]


def test_the_public_edition_has_no_small_count_in_the_new_tables(
    demo_history: DemoHistory,
) -> None:
    report = _build(demo_history, "Bradford South", "2016-10-27", "public")
    document = render.to_json(report)
    for key in NEW_TABLES:
        table = document["tables"][key]
        values = [v for row in table["rows"] for v in [*row["values"], row.get("total")]]
        values += table.get("totals", [])
        small = [v for v in values if isinstance(v, int) and 1 <= v <= 5]
        assert small == [], key
    assert "%" not in report.notes["ethnicity_recording_trend"]
    assert "language_arrival_trend" not in report.notes
    html = render.to_html(report)
    assert "Is the recording of ethnicity, language and arrival improving?" in html
