"""The committee report's charts, kept under `SAFEHUB_VAR_DIR/cache/charts`: the same report
asked again gets the same bytes without drawing, and a report that draws anything else (another
day, edition or area, or a figure a later snapshot changed) gets charts drawn afresh."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from safehub.analytics import snapshot
from safehub.reports import charts, committee, render
from tests.integration.conftest import DemoHistory

DAY = dt.date(2016, 10, 31)
CHARTS = {"trend": "trend_chart", "referrals": "referrals_chart", "map": "ward_map"}


@pytest.fixture
def cache(settings: Any, tmp_path: Path) -> Path:
    settings.VAR_DIR = tmp_path
    return tmp_path / "cache" / "charts"


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many times each chart is really drawn (with matplotlib), by name."""
    count: Counter[str] = Counter()

    def counting(name: str, draw: Callable[[Any], bytes]) -> Callable[[Any], bytes]:
        def wrapper(report: Any) -> bytes:
            count[name] += 1
            return draw(report)

        return wrapper

    for name, function in CHARTS.items():
        monkeypatch.setattr(charts, function, counting(name, getattr(charts, function)))
    return count


def _report(history: DemoHistory, area: str = "Bradford West", **kwargs: Any) -> Any:
    manifest = snapshot.load("demo", root=history.root)
    options = {"as_of": DAY, "edition": "public"} | kwargs
    return committee.build(manifest, area=area, **options)


def _drawn_now(report: Any, count: Counter[str]) -> set[str]:
    before = Counter(count)
    charts.draw_all(report, fmt="png")
    return {name for name in CHARTS if count[name] > before[name]}


def test_a_report_asked_again_gets_the_same_chart_bytes_without_drawing(
    demo_history: DemoHistory, cache: Path, drawn: Counter[str]
) -> None:
    report = _report(demo_history)
    first = dict(charts.draw_all(report, fmt="png"))
    assert set(drawn) == set(CHARTS)
    kept = sorted(p.name for p in cache.iterdir())
    assert len(kept) == sum(1 for uri in first.values() if uri)
    assert all(name.endswith(".png") for name in kept)

    again = _report(demo_history)
    assert _drawn_now(again, drawn) == set()
    assert again.charts == first
    assert sorted(p.name for p in cache.iterdir()) == kept
    # The PDF embeds the kept charts as they are.
    assert render.to_pdf(again).startswith(b"%PDF")
    assert _drawn_now(again, drawn) == set()


def test_the_page_s_svg_charts_are_kept_apart_from_the_pdf_s_png(
    demo_history: DemoHistory, cache: Path, drawn: Counter[str]
) -> None:
    report = _report(demo_history)
    png = dict(charts.draw_all(report, fmt="png"))
    svg = dict(charts.draw_all(report))
    assert all(svg[name].startswith("data:image/svg+xml;base64,") for name in CHARTS)
    assert all(png[name].startswith("data:image/png;base64,") for name in CHARTS)
    assert drawn == Counter(dict.fromkeys(CHARTS, 2))


@pytest.mark.parametrize(
    "other",
    [
        {"as_of": dt.date(2016, 9, 30)},
        {"edition": "restricted"},
        {"area": "Bradford South"},
    ],
)
def test_another_day_edition_or_area_draws_afresh(
    demo_history: DemoHistory, cache: Path, drawn: Counter[str], other: dict[str, Any]
) -> None:
    first = dict(charts.draw_all(_report(demo_history), fmt="png"))
    report = _report(demo_history, **other)
    assert _drawn_now(report, drawn) >= {"trend", "map"}
    assert report.charts["trend"] != first["trend"]
    # (The map may come out the same: its wards can change within their shades.)


def test_a_figure_changed_by_a_later_snapshot_redraws_its_chart_only(
    demo_history: DemoHistory, cache: Path, drawn: Counter[str]
) -> None:
    first = dict(charts.draw_all(_report(demo_history), fmt="png"))
    report = _report(demo_history)
    # As a snapshot taken later would count it: one more child at the end of one month.
    month = dict(report.trend[-2])
    month["total"] = month["total"] + 1 if isinstance(month["total"], int) else 6
    changed = dataclasses.replace(report, trend=[*report.trend[:-2], month, report.trend[-1]])
    assert _drawn_now(changed, drawn) == {"trend"}
    assert changed.charts["trend"] != first["trend"]
    assert {k: v for k, v in changed.charts.items() if k != "trend"} == {
        k: v for k, v in first.items() if k != "trend"
    }


def test_a_cache_that_cannot_be_written_only_costs_the_drawing(
    demo_history: DemoHistory, settings: Any, tmp_path: Path, drawn: Counter[str]
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would go")
    settings.VAR_DIR = blocked
    report = _report(demo_history)
    first = dict(charts.draw_all(report, fmt="png"))
    assert first["map"].startswith("data:image/png;base64,")
    assert _drawn_now(report, drawn) == set(CHARTS)
    assert report.charts == first
