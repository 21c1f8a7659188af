"""Metric definitions and report tables, without a database."""

from __future__ import annotations

import datetime as dt

import pytest

from safehub.analytics import engines, metrics
from safehub.reports.tables import Table, apply_disclosure_control, publish_total


def test_every_metric_file_has_a_complete_header() -> None:
    found = metrics.all_metrics()
    assert {
        "open_children",
        "referrals_by_financial_year",
        "referrals_by_source",
        "episode_activity",
        "timeliness",
        "youth_service",
        "monthly_open_children",
    } <= set(found)
    for metric in found.values():
        assert metric.title
        assert metric.unit
        assert metric.disclosure in {"count", "none"}
        assert metric.sql.upper().lstrip().startswith(("WITH", "SELECT"))


def test_render_puts_dates_in_as_literals() -> None:
    sql = metrics.get("open_children").render(d=dt.date(2016, 10, 27))
    assert "DATE '2016-10-27'" in sql
    assert "DATE '2011-10-27'" in sql  # five years earlier, for "arrived recently"
    assert "{{" not in sql


def test_render_refuses_missing_parameters() -> None:
    with pytest.raises(metrics.MetricError, match="needs start"):
        metrics.get("timeliness").render(end=dt.date(2016, 4, 1))


def test_a_header_without_a_definition_is_refused() -> None:
    with pytest.raises(metrics.MetricError, match="definition"):
        metrics.parse(
            "-- name: x\n-- title: X\n-- unit: u\n-- disclosure: count\n-- parameters: d\nSELECT 1"
        )


def test_every_metric_transpiles_to_spark() -> None:
    for metric in metrics.all_metrics().values():
        values = {
            "d": dt.date(2016, 10, 27),
            "start": dt.date(2015, 4, 1),
            "end": dt.date(2016, 4, 1),
        }
        spark_sql = engines.to_spark_sql(
            metric.render(**{k: v for k, v in values.items() if k in metric.parameters})
        )
        assert "SELECT" in spark_sql.upper()


def test_month_ends_end_on_the_reference_date() -> None:
    ends = metrics.month_ends(dt.date(2016, 10, 27), 4)
    assert ends == [
        dt.date(2016, 7, 31),
        dt.date(2016, 8, 31),
        dt.date(2016, 9, 30),
        dt.date(2016, 10, 27),
    ]


def test_public_tables_suppress_small_cells_and_keep_true_totals() -> None:
    table = Table(
        key="t",
        title="Wards by risk",
        row_header="Ward",
        row_labels=["A", "B", "C", "D"],
        columns=["High", "Medium", "Low"],
        counts=[[3, 9, 12], [7, 8, 10], [0, 11, 9], [6, 2, 14]],
    )
    (published,) = apply_disclosure_control([table])
    cells = [v for row in published.shown() for v in row]
    assert "c" in cells
    assert not any(isinstance(v, int) and 1 <= v <= 5 for v in cells)
    assert published.column_totals() == [16, 30, 45]
    assert published.suppressed_cells >= 2


def test_a_headline_count_of_one_to_five_is_c() -> None:
    assert [publish_total(n) for n in (0, 1, 5, 6)] == [0, "c", "c", 6]
