"""Why a published figure moved: the same D counted from an earlier and a later snapshot.

Members saw "the numbers changed on a daily basis" as a reason not to analyse them. A revision
is explained child by child (by pseudonym, which is stable while the key is), for the headline,
for each risk level and for each ward. A child counted now but not then was either
**recorded late** (their episode was not in the earlier snapshot at all), **re-graded in** (a
risk-level row only: counted then in the same place at another risk level) or **corrected in**
(the episode was there, but its dates or ward said otherwise). A child counted then but not now
was **withdrawn** (the episode was withdrawn as entered in error: the later snapshot's
`withdrawals` table names it), **merged** (the later snapshot's `merges` table names the child
as merged into another), **removed** (the child or episode is gone from the later snapshot for
another reason: a record deleted), **re-graded out** or **corrected out**. A child counted in
both at different risk levels is **re-graded**: the headline and the ward's count do not move,
but one risk-level row loses the child and another gains it.

Children merged into one another are compared as the one child they now are: two duplicate
records both counted then and one counted now is one child merged, not one removed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from safehub.analytics import engines, metrics, snapshot

# The parts of a revision in the order they are printed, each with the sign it moves the count.
PARTS: tuple[tuple[str, str, int], ...] = (
    ("recorded_late", "recorded late", 1),
    ("corrected_in", "corrected in", 1),
    ("regraded_in", "re-graded in", 1),
    ("corrected_out", "corrected out", -1),
    ("regraded_out", "re-graded out", -1),
    ("withdrawn", "withdrawn", -1),
    ("merged", "merged", -1),
    ("removed", "removed", -1),
)


@dataclass(frozen=True)
class Revision:
    """One figure then and now, and each cause of the change (all counts of children, >= 0)."""

    as_of: dt.date
    area: str | None
    published: int
    now: int
    recorded_late: int = 0
    corrected_in: int = 0
    corrected_out: int = 0
    withdrawn: int = 0
    merged: int = 0
    removed: int = 0
    regraded_in: int = 0
    regraded_out: int = 0
    # Counted in both snapshots at different risk levels: no change to this figure.
    regraded: int = 0
    label: str = "Children at risk"

    @property
    def difference(self) -> int:
        return self.now - self.published

    @property
    def corrected(self) -> int:
        """Corrections net: in minus out (kept for callers that print one number)."""
        return self.corrected_in - self.corrected_out

    @property
    def merged_or_removed(self) -> int:
        return self.merged + self.removed

    def signed(self, part: str) -> int:
        """A part with the sign it moves the figure: corrected out 1 is -1."""
        sign = next(s for name, _, s in PARTS if name == part)
        return sign * int(getattr(self, part))

    def adds_up(self) -> bool:
        return self.difference == sum(self.signed(name) for name, _, _ in PARTS)


@dataclass(frozen=True)
class Revisions:
    """The headline, each risk level and each ward, revised between two snapshots."""

    headline: Revision
    by_level: list[Revision]
    by_ward: list[tuple[str, Revision]]  # (ward code, revision labelled with the ward's name)

    def all(self) -> list[Revision]:
        return [self.headline, *self.by_level, *(r for _, r in self.by_ward)]


@dataclass(frozen=True)
class _Counted:
    """A child counted on D in one snapshot: where, at what risk level, through which episode."""

    episode: str
    area: str
    ward_code: str
    level: str


@dataclass(frozen=True)
class _Side:
    counted: dict[str, _Counted]  # child -> how they were counted on D (anywhere)
    children: set[str]
    episodes: set[str]
    withdrawn_episodes: set[str]
    merged_into: dict[str, str]  # child -> the child they were merged into
    ward_names: dict[str, str]


def _column(engine: engines.DuckDBEngine, sql: str) -> set[str]:
    return {str(r[0]) for r in engine.con.execute(sql).fetchall()}


def _read(manifest: snapshot.Manifest, as_of: dt.date) -> _Side:
    engine = engines.kept(manifest)
    tables = engine.manifest.data["tables"]
    try:
        counted = {
            r["child"]: _Counted(r["episode"], r["area"], r["ward_code"], r["risk_level"])
            for r in engine.run(metrics.get("open_children_detail"), d=as_of).dicts()
        }
        withdrawn = (
            _column(engine, "SELECT key FROM withdrawals WHERE kind = 'episode'")
            if "withdrawals" in tables
            else set()
        )
        # Written by the merge of two children's records; a snapshot older than merges has none.
        merged_into = (
            {
                str(child): str(into)
                for child, into in engine.con.execute(
                    "SELECT child, into_child FROM merges"
                ).fetchall()
            }
            if "merges" in tables
            else {}
        )
        names = dict(engine.con.execute("SELECT ward_code, ward_name FROM wards").fetchall())
        return _Side(
            counted=counted,
            children=_column(engine, "SELECT DISTINCT child FROM children"),
            episodes=_column(engine, "SELECT DISTINCT episode FROM episodes"),
            withdrawn_episodes=withdrawn,
            merged_into=merged_into,
            ward_names={str(k): str(v) for k, v in names.items()},
        )
    finally:
        engine.close()


def _survivor(child: str, merged_into: dict[str, str]) -> str:
    seen = {child}
    while child in merged_into and merged_into[child] not in seen:
        child = merged_into[child]
        seen.add(child)
    return child


class _Comparison:
    """The two snapshots' counted children, with the earlier one's seen through the merges."""

    def __init__(self, then: _Side, now: _Side, as_of: dt.date, area: str | None) -> None:
        self.then, self.now, self.as_of, self.area = then, now, as_of, area
        self.groups: dict[str, list[str]] = {}
        for child in then.counted:
            self.groups.setdefault(_survivor(child, now.merged_into), []).append(child)

    def revise(
        self, label: str, *, ward_code: str | None = None, level: str | None = None
    ) -> Revision:
        def placed(c: _Counted) -> bool:
            return (self.area is None or c.area == self.area) and (
                ward_code is None or c.ward_code == ward_code
            )

        def chosen(c: _Counted) -> bool:
            return placed(c) and (level is None or c.level == level)

        counts: dict[str, int] = dict.fromkeys((name for name, _, _ in PARTS), 0)
        counts["regraded"] = 0
        published = 0
        kept: set[str] = set()
        for survivor, members in self.groups.items():
            chosen_then = [m for m in members if chosen(self.then.counted[m])]
            if not chosen_then:
                continue
            published += len(chosen_then)
            counts["merged"] += len(chosen_then) - 1
            present = self.now.counted.get(survivor)
            if present is not None and chosen(present):
                kept.add(survivor)
                if self.then.counted[chosen_then[0]].level != present.level:
                    counts["regraded"] += 1
                continue
            counts[self._why_out(members, chosen_then[0], present, placed)] += 1
        now_count = 0
        for child, counted in self.now.counted.items():
            if not chosen(counted):
                continue
            now_count += 1
            if child not in kept:
                counts[self._why_in(child, counted, placed)] += 1
        return Revision(
            as_of=self.as_of,
            area=self.area,
            published=published,
            now=now_count,
            label=label,
            **counts,
        )

    def _why_out(
        self, members: list[str], first: str, present: _Counted | None, placed: Any
    ) -> str:
        then_episode = self.then.counted[first].episode
        if any(self.then.counted[m].episode in self.now.withdrawn_episodes for m in members):
            return "withdrawn"
        if any(m in self.now.merged_into for m in members):
            return "merged"
        if first not in self.now.children or then_episode not in self.now.episodes:
            return "removed"
        if present is not None and placed(present):
            return "regraded_out"
        return "corrected_out"

    def _why_in(self, child: str, counted: _Counted, placed: Any) -> str:
        if counted.episode not in self.then.episodes:
            return "recorded_late"
        before = [self.then.counted[m] for m in self.groups.get(child, [])]
        if any(placed(b) for b in before):
            return "regraded_in"
        return "corrected_in"


def explain_all(
    earlier: snapshot.Manifest,
    later: snapshot.Manifest,
    *,
    as_of: dt.date,
    area: str | None = None,
    levels: tuple[str, ...] = ("high", "medium", "low"),
) -> Revisions:
    """The headline (children at risk on `as_of` in `area`, or everywhere), each risk level and
    each ward counted in either snapshot, then and now, and why."""
    then, now = _read(earlier, as_of), _read(later, as_of)
    comparison = _Comparison(then, now, as_of, area)
    codes = {
        c.ward_code
        for side in (then, now)
        for c in side.counted.values()
        if area is None or c.area == area
    }
    names = then.ward_names | now.ward_names
    wards = sorted(codes, key=lambda code: (code == "unknown", names.get(code, code)))
    return Revisions(
        headline=comparison.revise("Children at risk"),
        by_level=[comparison.revise(f"{lvl.capitalize()} risk", level=lvl) for lvl in levels],
        by_ward=[
            (
                code,
                comparison.revise(names.get(code, "Ward not known"), ward_code=code),
            )
            for code in wards
        ],
    )


def explain(  # noqa: PLR0913 - the figure's coordinates, keyword-only
    earlier: snapshot.Manifest,
    later: snapshot.Manifest,
    *,
    as_of: dt.date,
    area: str | None = None,
    ward_code: str | None = None,
    level: str | None = None,
) -> Revision:
    """One figure: children at risk on `as_of` (in `area`/ward/at `level`, or everywhere)."""
    comparison = _Comparison(_read(earlier, as_of), _read(later, as_of), as_of, area)
    return comparison.revise("Children at risk", ward_code=ward_code, level=level)
