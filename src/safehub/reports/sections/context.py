"""What every section reads: the snapshot's figures for one area on one day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from safehub.analytics import engines, metrics
from safehub.reports.tables import Table


def financial_year_label(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def financial_year_of(day: dt.date) -> int:
    return day.year if day.month >= 4 else day.year - 1  # noqa: PLR2004


@dataclass
class Part:
    """What one section adds to the report: its tables, in order, and its notes; `content` is
    what a section prints that is not a table of counts (words, such as resolutions), by key."""

    tables: list[Table] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)
    content: dict[str, Any] = field(default_factory=dict)


@dataclass
class Context:
    """One area (or the whole district) on the reference date D, from one snapshot.

    `wards` are the wards in force on D; empty when that day's wards are not loaded.
    """

    engine: engines.Engine
    area: str
    district: str
    as_of: dt.date
    wards: list[dict[str, Any]]
    public: bool

    def in_area(self, row_area: str) -> bool:
        return self.area in {self.district, row_area}

    _cache: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict, repr=False)

    def rows(self, metric: str, **parameters: Any) -> list[dict[str, Any]]:
        """A metric's rows for this area (every row, for the district).

        Asked again with the same parameters (the year-earlier figures feed the headline and
        two tables), the rows come from the first answer: a snapshot does not change.
        """
        key = (metric, repr(sorted(parameters.items())))
        if key not in self._cache:
            found = self.engine.run(metrics.get(metric), **parameters).dicts()
            self._cache[key] = [r for r in found if self.in_area(r["area"])]
        return self._cache[key]

    def every_row(self, metric: str) -> list[dict[str, Any]]:
        """A metric's rows for every area, whatever this report's area; asked once."""
        key = (metric, "every area")
        if key not in self._cache:
            self._cache[key] = self.engine.run(metrics.get(metric)).dicts()
        return self._cache[key]

    def rows_this_period(self, metric: str) -> list[dict[str, Any]]:
        """A metric's rows from the start of the financial year two years back to D."""
        return self.rows(metric, start=self.period_start, end=self.as_of + dt.timedelta(days=1))

    def schema_at_least(self, version: int) -> bool:
        """Whether the snapshot was written in format `version` or later (an older one lacks
        the tables or columns a newer section reads; a section then adds nothing)."""
        manifest = getattr(self.engine, "manifest", None)
        return manifest is not None and int(manifest.data.get("schema_version") or 0) >= version

    @cached_property
    def open_now(self) -> list[dict[str, Any]]:
        return self.rows("open_children", d=self.as_of)

    @property
    def total_now(self) -> int:
        return sum(int(r["children"]) for r in self.open_now)

    @property
    def area_wards(self) -> list[dict[str, Any]]:
        return [w for w in self.wards if self.in_area(w["area"])]

    @property
    def fy_now(self) -> int:
        return financial_year_of(self.as_of)

    @property
    def years(self) -> list[int]:
        return [self.fy_now - 2, self.fy_now - 1, self.fy_now]

    @property
    def period_start(self) -> dt.date:
        return dt.date(self.years[0], 4, 1)

    @property
    def this_year(self) -> str:
        """ "2016/17 to 31 October 2016": the words for the financial year so far."""
        return f"{financial_year_label(self.fy_now)} to {self.as_of:%-d %B %Y}"
