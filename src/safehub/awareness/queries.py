"""Coverage: people reached by a programme's sessions against its target population.

No child data: sessions count people reached, so the only scope is the permission. Coverage
for a programme, ward and financial year is the sum of `reached` over its sessions delivered in
that ward in that year, divided by the target population for that ward and year (or, without
one, the ward's target for every year). For the district it is every session of the year over
the district target; without a district target, over the sum of the ward targets. Someone who
attends twice is counted twice, so coverage can pass 100%.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Sum

from safehub.access.policy import Principal, require
from safehub.audit import services as audit
from safehub.awareness.models import Programme, Session, Target
from safehub.geo.models import Ward, WardSet
from safehub.geo.services import ward_set_on
from safehub.rules.codes import Community


def financial_year_of(day: dt.date) -> int:
    return day.year if day.month >= 4 else day.year - 1  # noqa: PLR2004


def year_label(start: int) -> str:
    return f"{start}/{(start + 1) % 100:02d}"


@dataclass
class Cell:
    reached: int = 0
    target: int | None = None

    @property
    def percent(self) -> int | None:
        if not self.target:
            return None
        return round(100 * self.reached / self.target)


@dataclass
class ProgrammeCoverage:
    programme: Programme
    district: Cell
    sessions: int
    wards: dict[str, Cell] = field(default_factory=dict)  # by ward code


@dataclass(frozen=True)
class CommunityReach:
    """Sessions aimed at one emerging community (or open to everyone) in the year."""

    code: str
    label: str
    sessions: int
    reached: int


@dataclass
class Coverage:
    year: int
    years: list[int]
    wards: list[Ward]
    programmes: list[ProgrammeCoverage]
    communities: list[CommunityReach] = field(default_factory=list)

    @property
    def label(self) -> str:
        return year_label(self.year)


def years_with_sessions() -> list[int]:
    days = Session.objects.dates("delivered_on", "month")
    return sorted({financial_year_of(d) for d in days})


def _target(
    targets: dict[tuple[int | None, int | None], int], ward_id: int | None, year: int
) -> int | None:
    return targets.get((ward_id, year), targets.get((ward_id, None)))


def coverage(user: Principal, *, year: int | None = None) -> Coverage:
    """Every active programme's coverage in one financial year, for the district and by ward.

    Wards are those in force at the end of the year (or today, for the current year; else at
    its start; else the latest drawn); a session placed in a ward of another ward set counts
    for the district only.
    """
    require(user, "awareness:view")
    today = dt.date.today()  # noqa: DTZ011 - a calendar day, not a moment
    years = years_with_sessions()
    if year is None:
        year = years[-1] if years else financial_year_of(today)
    start, end = dt.date(year, 4, 1), dt.date(year + 1, 4, 1)
    ward_set = (
        ward_set_on(min(end - dt.timedelta(days=1), today))
        or ward_set_on(start)
        or WardSet.objects.order_by("-valid_from").first()
    )
    wards = list(Ward.objects.filter(ward_set=ward_set).order_by("name")) if ward_set else []
    codes = {w.pk: w.code for w in wards}
    reached: dict[tuple[int, int | None], int] = defaultdict(int)
    counts: dict[int, int] = defaultdict(int)
    for row in (
        Session.objects.filter(delivered_on__gte=start, delivered_on__lt=end)
        .values("programme_id", "ward_id")
        .annotate(total=Sum("reached"))
    ):
        reached[(row["programme_id"], row["ward_id"])] += row["total"]
    for pid in Session.objects.filter(delivered_on__gte=start, delivered_on__lt=end).values_list(
        "programme_id", flat=True
    ):
        counts[pid] += 1
    targets: dict[int, dict[tuple[int | None, int | None], int]] = defaultdict(dict)
    for t in Target.objects.all():
        targets[t.programme_id][(t.ward_id, t.financial_year)] = t.population
    result = []
    for programme in Programme.objects.filter(is_active=True):
        own = targets[programme.pk]
        cells = {
            codes[wid]: Cell(reached[(programme.pk, wid)], _target(own, wid, year)) for wid in codes
        }
        district_target = _target(own, None, year)
        if district_target is None and any(c.target for c in cells.values()):
            district_target = sum(c.target or 0 for c in cells.values())
        total = sum(v for (pid, _), v in reached.items() if pid == programme.pk)
        result.append(
            ProgrammeCoverage(programme, Cell(total, district_target), counts[programme.pk], cells)
        )
    aimed = {
        row["community"]: (row["sessions"], row["total"])
        for row in Session.objects.filter(
            delivered_on__gte=start, delivered_on__lt=end, programme__is_active=True
        )
        .values("community")
        .annotate(sessions=Count("pk"), total=Sum("reached"))
    }
    communities = [
        CommunityReach(code, label, *aimed.get(code, (0, 0)))
        for code, label in [(c.value, c.label) for c in Community] + [("", "Open to everyone")]
    ]
    audit.write(
        user, "awareness:coverage:viewed", object_type="awareness.coverage", object_id=str(year)
    )
    return Coverage(year, years or [year], wards, result, communities)
