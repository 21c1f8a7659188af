"""Metric definitions: one SQL file per figure, with a header that says what it means.

The header (`-- name:`, `-- title:`, `-- definition:`, `-- unit:`, `-- disclosure:`,
`-- parameters:`) is the single place a figure is defined; the committee report prints the
definition in its appendix, so the words and the query cannot drift apart.

Parameters are written `{{d}}`, `{{start}}`, `{{end}}`, `{{d_minus_5_years}}` and rendered as
ANSI date literals before the SQL reaches an engine, so the same text runs on DuckDB and,
transpiled by SQLGlot, on Spark. A metric over several dates reads the table `series` (one
column `d`) that the engine registers.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

METRICS_DIR = Path(__file__).parent / "metrics"
_HEADER = re.compile(r"^--\s*(\w+):\s*(.*)$")
_PARAM = re.compile(r"\{\{\s*(\w+)\s*\}\}")
REQUIRED = ("name", "title", "definition", "unit", "disclosure", "parameters")
DISCLOSURE_CLASSES = frozenset({"count", "rate", "none"})


class MetricError(ValueError):
    """A metric file is malformed or was given the wrong parameters."""


@dataclass(frozen=True)
class Metric:
    name: str
    title: str
    definition: str
    unit: str
    disclosure: str
    parameters: tuple[str, ...]
    sql: str

    def render(self, **values: dt.date) -> str:
        """The SQL with every `{{parameter}}` replaced by a date literal."""
        missing = {p for p in self.parameters if p != "dates"} - set(values)
        if missing:
            raise MetricError(f"{self.name} needs {', '.join(sorted(missing))}")
        if "d" in values:
            values = {**values, "d_minus_5_years": _years_before(values["d"], 5)}

        def literal(match: re.Match[str]) -> str:
            key = match.group(1)
            if key not in values:
                raise MetricError(f"{self.name}: no value for {{{{{key}}}}}")
            return f"DATE '{values[key].isoformat()}'"

        return _PARAM.sub(literal, self.sql)


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def parse(text: str, *, origin: str = "<text>") -> Metric:
    header: dict[str, str] = {}
    body: list[str] = []
    for line in text.splitlines():
        match = _HEADER.match(line) if not body else None
        if match:
            header[match.group(1)] = match.group(2).strip()
        elif line.strip() or body:
            body.append(line)
    missing = [key for key in REQUIRED if key not in header]
    if missing:
        raise MetricError(f"{origin}: header lacks {', '.join(missing)}")
    if header["disclosure"] not in DISCLOSURE_CLASSES:
        raise MetricError(f"{origin}: disclosure must be one of {sorted(DISCLOSURE_CLASSES)}")
    parameters = tuple(p.strip() for p in header["parameters"].split(",") if p.strip())
    return Metric(
        name=header["name"],
        title=header["title"],
        definition=header["definition"],
        unit=header["unit"],
        disclosure=header["disclosure"],
        parameters=parameters,
        sql="\n".join(body).strip().rstrip(";"),
    )


_INCLUDE = re.compile(r"^\{\{> (_[a-z0-9_]+)\}\}$", re.MULTILINE)


def _fragment(name: str) -> str:
    """A shared fragment's SQL, without the comment that heads its file."""
    lines = (METRICS_DIR / f"{name}.sql").read_text(encoding="utf-8").rstrip().splitlines()
    while lines and lines[0].startswith("--"):
        lines.pop(0)
    return "\n".join(lines)


def _with_includes(text: str) -> str:
    """Replace each `{{> _fragment}}` line with `metrics/_fragment.sql`: shared CTEs live once."""
    return _INCLUDE.sub(lambda m: _fragment(m.group(1)), text)


@cache
def all_metrics() -> dict[str, Metric]:
    found: dict[str, Metric] = {}
    for path in sorted(METRICS_DIR.glob("[!_]*.sql")):
        metric = parse(_with_includes(path.read_text(encoding="utf-8")), origin=path.name)
        if metric.name != path.stem:
            raise MetricError(f"{path.name}: name {metric.name!r} differs from the file name")
        found[metric.name] = metric
    return found


def get(name: str) -> Metric:
    try:
        return all_metrics()[name]
    except KeyError:
        raise MetricError(f"no metric {name!r}") from None


def month_ends(until: dt.date, months: int) -> list[dt.date]:
    """The last day of each of `months` months ending with the month before `until`'s, plus
    `until` itself: a trend line that ends on the reference date."""
    ends: list[dt.date] = []
    first = until.replace(day=1)
    for _ in range(months - 1):
        last = first - dt.timedelta(days=1)
        ends.append(last)
        first = last.replace(day=1)
    return [*reversed(ends), until]
