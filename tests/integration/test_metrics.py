"""Metrics over a snapshot of the demo reproduce the published figures, on DuckDB and Spark.

The demo is loaded once per session and one snapshot written from it (conftest.demo_history);
every test reads that snapshot.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from safehub import config
from safehub.analytics import engines, metrics, snapshot
from tests.integration.conftest import DemoHistory

SOUTH_DAY = dt.date(2016, 10, 27)
WEST_DAY = dt.date(2016, 10, 31)


@pytest.fixture(scope="module")
def demo_snapshot(demo_history: DemoHistory) -> snapshot.Manifest:
    return demo_history.manifest


@pytest.fixture(scope="module")
def duck(demo_snapshot: snapshot.Manifest) -> Iterator[engines.DuckDBEngine]:
    engine = engines.DuckDBEngine(demo_snapshot)
    yield engine
    engine.close()


def _open(duck: engines.DuckDBEngine, day: dt.date, area: str) -> list[dict[str, Any]]:
    rows = duck.run(metrics.get("open_children"), d=day).dicts()
    return [r for r in rows if r["area"] == area]


def test_bradford_south_on_27_october_2016(duck: engines.DuckDBEngine) -> None:
    rows = _open(duck, SOUTH_DAY, "Bradford South")
    assert sum(r["children"] for r in rows) == 76
    assert sum(r["children"] for r in rows if r["risk_level"] == "high") == 11
    wards: Counter[str] = Counter()
    for r in rows:
        wards[r["ward_name"]] += r["children"]
    ranked = wards.most_common()
    assert ranked[0][0] == "Wyke"
    assert {w for w, _ in ranked[1:4]} == {"Tong", "Wibsey", "Royds"}


def test_bradford_west_on_31_october_2016(duck: engines.DuckDBEngine) -> None:
    rows = _open(duck, WEST_DAY, "Bradford West")
    levels: Counter[str] = Counter()
    wards: Counter[str] = Counter()
    for r in rows:
        levels[r["risk_level"]] += r["children"]
        wards[r["ward_name"]] += r["children"]
    assert levels == {"high": 9, "medium": 23, "low": 28}
    assert dict(wards) == {
        "Thornton and Allerton": 16,
        "Manningham": 12,
        "Heaton": 11,
        "Clayton and Fairweather Green": 10,
        "City": 7,
        "Toller": 4,
    }


def test_district_referrals_by_financial_year(duck: engines.DuckDBEngine) -> None:
    rows = duck.run(
        metrics.get("referrals_by_financial_year"),
        start=dt.date(2014, 4, 1),
        end=dt.date(2017, 4, 1),
    ).dicts()
    by_year: dict[int, Counter[str]] = {}
    for r in rows:
        year = by_year.setdefault(r["financial_year"], Counter())
        for key in ("referrals", "children", "children_referred_more_than_once"):
            year[key] += r[key]
    assert [by_year[y]["referrals"] for y in (2014, 2015, 2016)] == [431, 713, 1153]
    assert by_year[2015]["children"] == 569
    assert by_year[2015]["children_referred_more_than_once"] == 106


def test_every_metric_has_a_definition_and_runs(duck: engines.DuckDBEngine) -> None:
    # Two financial years: the demo's pathway referrals start in April 2016.
    values = {"d": SOUTH_DAY, "start": dt.date(2015, 4, 1), "end": dt.date(2017, 4, 1)}
    for metric in metrics.all_metrics().values():
        assert len(metric.definition) > 40, metric.name
        given = {k: v for k, v in values.items() if k in metric.parameters}
        result = duck.run(metric, dates=metrics.month_ends(SOUTH_DAY, 3), **given)
        assert result.rows, metric.name


def test_the_snapshot_kept_in_memory_gives_every_metric_the_same_rows(
    demo_snapshot: snapshot.Manifest, duck: engines.DuckDBEngine
) -> None:
    values = {"d": SOUTH_DAY, "start": dt.date(2015, 4, 1), "end": dt.date(2017, 4, 1)}
    dates = metrics.month_ends(SOUTH_DAY, 3)
    first, again = engines.kept(demo_snapshot), engines.kept(demo_snapshot)
    try:
        assert first.con is not again.con  # a connection each, to one database
        for metric in metrics.all_metrics().values():
            given = {k: v for k, v in values.items() if k in metric.parameters}
            expected = duck.run(metric, dates=dates, **given)
            assert first.run(metric, dates=dates, **given) == expected, metric.name
            assert again.run(metric, dates=dates, **given) == expected, metric.name
    finally:
        first.close()
        again.close()


def test_timeliness_counts_decisions_and_interviews(duck: engines.DuckDBEngine) -> None:
    rows = duck.run(
        metrics.get("timeliness"), start=dt.date(2015, 4, 1), end=dt.date(2016, 4, 1)
    ).dicts()
    decisions = [r for r in rows if r["measure"] == "decisions"]
    assert sum(r["cases"] for r in decisions) == 713
    assert 0 < sum(r["within_target"] for r in decisions) <= 713


def test_every_metric_gives_identical_results_on_spark(demo_snapshot: snapshot.Manifest) -> None:
    """Required when SAFEHUB_REQUIRE_SPARK=1 (CI); skipped otherwise where Java is missing.

    Spark runs in a child process (see safehub.analytics.parity): a JVM kept in this process
    leaked state into later tests. It reads the snapshot, not the database, so it runs in one
    suite only (80 s each time): the PostgreSQL one, which CI requires to skip nothing.
    """
    if config.get("SAFEHUB_TEST_DATABASE") != "postgres":
        pytest.skip("reads the snapshot, not the database: runs in the PostgreSQL suite")
    required = config.get_bool("SAFEHUB_REQUIRE_SPARK")
    if shutil.which("java") is None:
        if required:
            pytest.fail("Java is missing and SAFEHUB_REQUIRE_SPARK=1")
        pytest.skip(
            "Java is missing: the Spark parity test needs it (SAFEHUB_REQUIRE_SPARK=1 in CI)"
        )
    if importlib.util.find_spec("pyspark") is None:
        if required:
            pytest.fail("PySpark is missing and SAFEHUB_REQUIRE_SPARK=1")
        pytest.skip("PySpark is missing: the Spark parity test needs it (required in CI)")
    done = subprocess.run(  # noqa: S603 - our own module, our own arguments
        [sys.executable, "-m", "safehub.analytics.parity", str(demo_snapshot.path)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    verdicts = json.loads(done.stdout)
    assert set(verdicts) == set(metrics.all_metrics())
    assert verdicts == dict.fromkeys(verdicts, "identical")
    assert done.returncode == 0


def test_snapshot_file_is_where_the_manifest_says(demo_snapshot: snapshot.Manifest) -> None:
    assert Path(demo_snapshot.file("children")).is_file()
