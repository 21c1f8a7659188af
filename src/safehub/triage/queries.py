"""What is due, for whom, by when: the triage queue read from its due rows, in the database.

Filtering, colour (`safehub.rules.triage_rag`, as cut-off instants), counts, sorting and paging
all happen in one or two SQL queries, so the first page costs the same with 100 items or
100,000. Only the children on the page are audited as listed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When
from django.utils import timezone

from safehub.access.models import User
from safehub.access.policy import Principal, require, user_or_none
from safehub.audit import services as audit
from safehub.people.models import Child
from safehub.people.queries import children_for, sees_every_child
from safehub.rules import triage_rag, working_time
from safehub.rules.codes import RiskLevel
from safehub.rules.working_time import Rag
from safehub.triage import sources
from safehub.triage.models import DueRow

KINDS = sources.kinds()
PAGE_SIZE = 50
SCOPES = {
    "all": "Everyone's",
    "mine": "Mine",
    "team": "My team's",
    "unallocated": "Unallocated",
}
SORTS = {
    "due": ("due", "id"),
    "-due": ("-due", "-id"),
    "risk": ("-risk_rank", "due", "id"),
    "worker": ("worker__last_name", "worker__first_name", "due", "id"),
}


@dataclass(frozen=True)
class DueItem:
    kind: str
    child: Child
    due: dt.datetime
    rag: Rag
    remaining: dt.timedelta
    link: str
    risk_level: str = ""
    worker: User | None = None

    @property
    def label(self) -> str:
        return KINDS[self.kind]

    @property
    def remaining_text(self) -> str:
        return working_time.describe_remaining(self.remaining)

    @property
    def risk_label(self) -> str:
        return RiskLevel(self.risk_level).label if self.risk_level else "Not graded"


@dataclass(frozen=True)
class Filters:
    kinds: frozenset[str] = frozenset()
    rags: frozenset[str] = frozenset()
    risks: frozenset[str] = frozenset()
    scope: str = "all"
    due_before: dt.datetime | None = None


@dataclass
class Page:
    items: list[DueItem]
    total: int
    counts: dict[str, int]
    number: int
    pages: int
    size: int = PAGE_SIZE
    sort: str = "due"
    extra: dict[str, object] = field(default_factory=dict)


def _rag_case(now: dt.datetime) -> Case:
    cut = triage_rag.cutoffs(now)
    whens = [When(due__lt=cut.red_before, then=Value(Rag.RED.value))]
    for level in (*RiskLevel, None):
        at_level = Q(risk_level=level.value if level else "")
        whens.append(When(at_level & Q(due__lte=cut.amber_for(level)), then=Value(Rag.AMBER.value)))
    return Case(*whens, default=Value(Rag.GREEN.value), output_field=CharField())


def _rag_q(now: dt.datetime, rag: str) -> Q:
    """The rows of one colour, as a filter the database can use with its index on due."""
    cut = triage_rag.cutoffs(now)
    red = Q(due__lt=cut.red_before)
    amber = Q()
    for level in (*RiskLevel, None):
        amber |= Q(risk_level=level.value if level else "", due__lte=cut.amber_for(level))
    if rag == Rag.RED:
        return red
    if rag == Rag.AMBER:
        return ~red & amber
    return ~red & ~amber


def _scoped(user: Principal, filters: Filters, now: dt.datetime) -> QuerySet[DueRow]:
    rows = DueRow.objects.filter(sources.windowed(now))
    if not sees_every_child(user):
        rows = rows.filter(child__in=children_for(user))
    if filters.kinds:
        rows = rows.filter(kind__in=filters.kinds)
    if filters.risks:
        rows = rows.filter(risk_level__in=[("" if r == "unknown" else r) for r in filters.risks])
    account = user_or_none(user)
    if filters.scope == "mine":
        rows = rows.filter(worker=account)
    elif filters.scope == "team":
        rows = rows.filter(worker_agency_id=getattr(account, "agency_id", None))
    elif filters.scope == "unallocated":
        rows = rows.filter(worker__isnull=True)
    if filters.due_before is not None:
        rows = rows.filter(due__lt=filters.due_before)
    return rows


def _counts(rows: QuerySet[DueRow], now: dt.datetime) -> dict[str, int]:
    found = rows.aggregate(**{rag.value: Count("id", filter=_rag_q(now, rag)) for rag in Rag})
    return {rag.value: found[rag.value] for rag in Rag}


def _items(rows: Iterable[DueRow], now: dt.datetime) -> list[DueItem]:
    return [
        DueItem(
            kind=r.kind,
            child=r.child,
            due=timezone.localtime(r.due),
            rag=Rag(r.rag),  # type: ignore[attr-defined]
            remaining=working_time.time_remaining(now, r.due),
            link=r.link,
            risk_level=r.risk_level,
            worker=r.worker,
        )
        for r in rows
    ]


def queue_page(  # noqa: PLR0913 - each is a control on the queue
    user: Principal,
    *,
    filters: Filters | None = None,
    sort: str = "due",
    page: int = 1,
    size: int = PAGE_SIZE,
    now: dt.datetime | None = None,
    listed_as: str = "listed: triage",
) -> Page:
    """One page of the caller's due items, with the total and counts per colour.

    The counts ignore the colour filter (they are the header's "12 overdue, 30 due soon"), and
    every other filter applies. The children on the page are audited as listed, once each.
    """
    require(user, "triage:view")
    now = now or timezone.now()
    filters = filters or Filters()
    rows = _scoped(user, filters, now)
    counts = _counts(rows, now)
    if filters.rags:
        wanted = Q(pk__in=[])
        for rag in filters.rags:
            wanted |= _rag_q(now, rag)
        rows = rows.filter(wanted)
    total = sum(counts[r] for r in filters.rags) if filters.rags else sum(counts.values())
    pages = max(1, -(-total // size))
    number = min(max(1, page), pages)
    ordered = (
        rows.annotate(rag=_rag_case(now))
        .select_related("child", "worker")
        .order_by(*SORTS.get(sort, SORTS["due"]))
    )
    found = list(ordered[(number - 1) * size : number * size])
    items = _items(found, now)
    audit.write(user, "triage:viewed", object_type="triage", object_id=str(total))
    named = {item.child.pk: item.child for item in items}
    audit.write_each(user, "child:listed", named.values(), context=listed_as)
    return Page(items, total, counts, number, pages, size, sort if sort in SORTS else "due")
