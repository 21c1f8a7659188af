"""A child's case file: everything the hub holds about one child, as it stood on a date.

It reads across features (people, referrals, episodes), so it sits above them. Access is
checked by the caller through `people.queries.get_child`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from safehub.access.policy import Principal
from safehub.casefile.timeline import SECTION_OF_ENTRY, TimelineEntry, end_of, in_order
from safehub.casefile.timeline import timeline as timeline_of
from safehub.episodes.models import Episode, RiskChange
from safehub.flags import queries as flag_queries
from safehub.flags.models import WarningFlag
from safehub.geo.models import Ward
from safehub.people import queries as people_queries
from safehub.people.models import AddressPeriod, CarePeriod, Child, ShareSection
from safehub.referrals.models import Referral
from safehub.rules import codes


@dataclass
class ChildRecord:
    """A child's record as it stood on `on` (valid time), as recorded by now."""

    child: Child
    on: dt.date
    address: AddressPeriod | None
    care: list[CarePeriod]
    episode: Episode | None
    risk_level: str | None
    age: int | None
    timeline: list[TimelineEntry] = field(default_factory=list)
    sections: frozenset[str] | None = None  # None: the whole record
    # Every address row held now, withdrawn ones too (empty when the address is not shown):
    # read for `address`, and the page's address history shows them.
    addresses: list[AddressPeriod] = field(default_factory=list)

    @property
    def address_history(self) -> list[AddressPeriod]:
        """Every address held now, newest first, withdrawn ones too (as `addresses_of`)."""
        return sorted(self.addresses, key=lambda a: (a.valid_from, a.pk), reverse=True)

    @cached_property
    def shown(self) -> dict[str, bool]:
        """Section code -> whether it is shown, for templates ("Not shared" vs "Not recorded")."""
        return {s: self.sections is None or s in self.sections for s in ShareSection.values}

    @property
    def section_labels(self) -> list[str]:
        """The sections shown, in words, in the order the share form lists them."""
        return [label for code, label in ShareSection.choices if self.shown[code]]

    @property
    def not_shared(self) -> list[str]:
        return [code for code in ShareSection.values if not self.shown[code]]


def record_for(user: Principal, child: Child, on: dt.date, *, timeline: bool = True) -> ChildRecord:
    """The record as `user` may see it: every page and API answer about a child comes here.

    The caller has already read `child` through `people.queries.get_child` (scope and audit).
    `timeline=False` leaves the timeline out (empty) for a caller that shows none (the API).
    """
    sections = people_queries.visible_sections(user, child)
    whole = sections == people_queries.ALL_SECTIONS
    return record_as_of(child, on, sections=None if whole else sections, timeline=timeline)


def record_as_of(
    child: Child,
    on: dt.date,
    *,
    sections: frozenset[str] | None = None,
    timeline: bool = True,
) -> ChildRecord:
    """What was true on `on`: the address, care status, open episode and its risk then.

    Events after `on` are left out of the timeline, so the page reads as it would have then.
    `sections` limits the record to what a share disclosed (None: everything). A part not
    shown is not read at all: a hot page pays for each query it makes.
    """

    def shows(section: str | None) -> bool:
        return sections is None or section in sections

    held = _addresses_held(child) if shows("address") else []
    address = _address_on(child, on, held) if shows("address") else None
    periods = in_order(child.care_periods.order_by(), "valid_from", "pk") if shows("care") else []
    care = [c for c in periods if c.holds_on(on)]
    # The episodes and risk changes are read once, for the summary and the timeline both: a
    # child never held at risk has no risk changes nor allocations, and costs no query for them.
    episodes = in_order(_episodes(child), "-opened_on", "pk") if shows("risk") else []
    ids = [e.pk for e in episodes]
    changes = in_order(_risk_changes(ids, on), "effective_on", "pk") if ids else []
    episode = next(
        (
            e
            for e in episodes
            if e.opened_on <= on
            and not e.withdrawn_by_end_of(on)
            and (e.closed_on is None or e.closed_on > on)
        ),
        None,
    )
    risk = None
    if episode is not None:
        risk = max(
            (c for c in changes if c.episode_id == episode.pk and not c.withdrawn_by_end_of(on)),
            key=lambda c: (c.effective_on, c.pk),
            default=None,
        )
    entries = timeline_of(child, on, shows, episodes, changes) if timeline else []
    return ChildRecord(
        child,
        on,
        address,
        care,
        episode,
        None if risk is None else risk.level,
        _age(child, on),
        [e for e in entries if shows(SECTION_OF_ENTRY.get(e.kind))],
        sections,
        held,
    )


def _addresses_held(child: Child) -> list[AddressPeriod]:
    """Every address row of the child as held now, withdrawn ones too, each with its ward (its
    name and code: not its boundary, which nobody here draws)."""
    held = child.addresses.select_related("ward").defer("ward__boundary").order_by()
    return in_order(held, "valid_from", "pk")


def _address_on(child: Child, on: dt.date, held: list[AddressPeriod]) -> AddressPeriod | None:
    """The address on `on`, as the record held it at the end of `on`.

    An address recorded by then reads as it stood then (its history row), so a postcode
    corrected or an address removed later still shows as recorded; one recorded later
    (entered late) reads as recorded now (`held`). Removed ones are left out.
    """
    end = end_of(on)
    then: dict[int, AddressPeriod | None] = {}
    history = AddressPeriod.history.filter(child_id=child.pk, history_date__lt=end).order_by()
    for row in in_order(history, "history_date", "history_id"):
        then[row.id] = None if row.history_type == "-" else row.instance
    periods = [a for a in then.values() if a is not None]
    periods.extend(a for a in held if a.pk not in then)
    address = next(
        (
            a
            for a in sorted(periods, key=lambda a: a.valid_from)
            if (a.withdrawn_at is None or a.withdrawn_at >= end) and a.holds_on(on)
        ),
        None,
    )
    ward_read = address is not None and AddressPeriod.ward.is_cached(address)
    if address is not None and address.ward_id is not None and not ward_read:
        # A history row carries its ward's id only: the ward is one the child's rows hold
        # now, or (corrected since) read alone.
        wards = {a.ward_id: a.ward for a in held if a.ward_id is not None}
        ward = wards.get(address.ward_id)
        if ward is None:
            ward = Ward.objects.defer("boundary").filter(pk=address.ward_id).first()
        address.ward = ward
    return address


def _episodes(child: Child) -> QuerySet[Episode]:
    """Every episode of the child, withdrawn ones too (the timeline marks them), each with its
    lead agency (the API's answer names it); unordered (`in_order`)."""
    return child.episodes.select_related("lead_agency").order_by()


def _risk_changes(episode_ids: list[int], on: dt.date) -> QuerySet[RiskChange]:
    """Every risk change of these episodes in effect by `on`, withdrawn ones too."""
    return (
        RiskChange.objects.filter(episode_id__in=episode_ids, effective_on__lte=on)
        .only("episode_id", "level", "effective_on", "reason", "withdrawn_at", "withdrawal_reason")
        .order_by()
    )


def _age(child: Child, on: dt.date) -> int | None:
    born = child.date_of_birth
    return codes.age_on(born, on) if born is not None and born <= on else None


@dataclass(frozen=True)
class SearchResult:
    """What tells three children of the same name apart, and whether the hub holds them now."""

    child: Child
    age: int | None
    ward: str | None
    episode_opened_on: dt.date | None
    risk_level: str | None
    latest_referral_at: dt.datetime | None
    flags: list[WarningFlag] = field(default_factory=list)


def find_children(
    user: Principal,
    *,
    name: str = "",
    date_of_birth: dt.date | None = None,
    nhs_number: str = "",
) -> list[SearchResult]:
    """The scoped, audited search, each child with today's ward, episode, risk and latest
    referral: one query for the search and one for all the rows, however many are found."""
    children = people_queries.search_children(
        user, name=name, date_of_birth=date_of_birth, nhs_number=nhs_number
    )
    if not children:
        return []
    today = timezone.localdate()
    holds_today = Q(valid_from__lte=today) & (Q(valid_to__isnull=True) | Q(valid_to__gt=today))
    open_today = Q(opened_on__lte=today) & (Q(closed_on__isnull=True) | Q(closed_on__gt=today))
    address = (
        AddressPeriod.objects.filter(holds_today, child=OuterRef("pk"), withdrawn_at__isnull=True)
        .order_by("-valid_from", "-id")
        .values("ward__name")[:1]
    )
    episode = Episode.objects.filter(
        open_today, child=OuterRef("pk"), withdrawn_at__isnull=True
    ).values("opened_on")[:1]
    risk = (
        RiskChange.objects.filter(
            Q(episode__closed_on__isnull=True) | Q(episode__closed_on__gt=today),
            episode__child=OuterRef("pk"),
            episode__opened_on__lte=today,
            episode__withdrawn_at__isnull=True,
            effective_on__lte=today,
            withdrawn_at__isnull=True,
        )
        .order_by("-effective_on", "-id")
        .values("level")[:1]
    )
    referral = (
        Referral.objects.filter(child=OuterRef("pk"), withdrawn_at__isnull=True)
        .order_by("-received_at")
        .values("received_at")
    )[:1]
    facts = {
        row["pk"]: row
        for row in Child.objects.filter(pk__in=[c.pk for c in children])
        .annotate(
            ward_name=Subquery(address),
            episode_opened_on=Subquery(episode),
            risk_level=Subquery(risk),
            latest_referral_at=Subquery(referral),
        )
        .values("pk", "ward_name", "episode_opened_on", "risk_level", "latest_referral_at")
    }
    flags = flag_queries.current_by_child(user, children)
    return [
        SearchResult(
            child,
            _age(child, today),
            facts[child.pk]["ward_name"],
            facts[child.pk]["episode_opened_on"],
            facts[child.pk]["risk_level"],
            facts[child.pk]["latest_referral_at"],
            flags.get(child.pk, []),
        )
        for child in children
    ]
