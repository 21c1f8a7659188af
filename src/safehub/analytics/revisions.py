"""Why a published figure moved: the same D counted from an earlier and a later snapshot.

Members saw "the numbers changed on a daily basis" as a reason not to analyse them. A revision
is explained child by child (by pseudonym, which is stable while the key is): a child counted
now but not then was either **recorded late** (their episode was not in the earlier snapshot at
all) or **corrected** (the episode was there, but its dates, ward or risk said otherwise); a
child counted then but not now was either **merged or removed** (the child or episode is gone
from the later snapshot: duplicate records merged, or a record deleted), **withdrawn** (the
episode was withdrawn as entered in error, with the referral that opened it: the later
snapshot's `withdrawals` table names it) or **corrected**.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from safehub.analytics import engines, metrics, snapshot


@dataclass(frozen=True)
class Revision:
    as_of: dt.date
    area: str | None
    published: int
    now: int
    recorded_late: int
    corrected_in: int
    corrected_out: int
    merged_or_removed: int
    withdrawn: int = 0

    @property
    def difference(self) -> int:
        return self.now - self.published

    @property
    def corrected(self) -> int:
        return self.corrected_in - self.corrected_out

    def adds_up(self) -> bool:
        return self.difference == (
            self.recorded_late + self.corrected - self.merged_or_removed - self.withdrawn
        )


def _keys(engine: engines.DuckDBEngine, table: str, column: str) -> set[str]:
    rows = engine.con.execute(f"SELECT DISTINCT {column} FROM {table}").fetchall()  # noqa: S608 - fixed names
    return {str(r[0]) for r in rows}


def _withdrawn_episodes(engine: engines.DuckDBEngine) -> set[str]:
    """Episodes withdrawn by the snapshot's T (none in a snapshot older than the table)."""
    if "withdrawals" not in engine.manifest.data["tables"]:
        return set()
    rows = engine.con.execute("SELECT key FROM withdrawals WHERE kind = 'episode'").fetchall()
    return {str(r[0]) for r in rows}


def explain(
    earlier: snapshot.Manifest,
    later: snapshot.Manifest,
    *,
    as_of: dt.date,
    area: str | None = None,
    ward_code: str | None = None,
) -> Revision:
    """Children at risk on `as_of` (in `area`/ward, or everywhere) then and now, and why."""
    detail = metrics.get("open_children_detail")
    old_engine, new_engine = engines.DuckDBEngine(earlier), engines.DuckDBEngine(later)
    try:

        def selected(engine: engines.DuckDBEngine) -> dict[str, str]:
            return {
                r["child"]: r["episode"]
                for r in engine.run(detail, d=as_of).dicts()
                if (area is None or r["area"] == area)
                and (ward_code is None or r["ward_code"] == ward_code)
            }

        then, now = selected(old_engine), selected(new_engine)
        old_episodes = _keys(old_engine, "episodes", "episode")
        new_children = _keys(new_engine, "children", "child")
        new_episodes = _keys(new_engine, "episodes", "episode")
        withdrawn_episodes = _withdrawn_episodes(new_engine)
    finally:
        old_engine.close()
        new_engine.close()
    added = {c: e for c, e in now.items() if c not in then}
    dropped = {c: e for c, e in then.items() if c not in now}
    late = sum(1 for e in added.values() if e not in old_episodes)
    withdrawn = sum(1 for e in dropped.values() if e in withdrawn_episodes)
    gone = sum(
        1
        for c, e in dropped.items()
        if e not in withdrawn_episodes and (c not in new_children or e not in new_episodes)
    )
    return Revision(
        as_of=as_of,
        area=area,
        published=len(then),
        now=len(now),
        recorded_late=late,
        corrected_in=len(added) - late,
        corrected_out=len(dropped) - gone - withdrawn,
        merged_or_removed=gone,
        withdrawn=withdrawn,
    )
