"""Figures computed from the case tables with the ORM, for the demo history tests.

Independent of the generator's own arithmetic, so a loader that drops or misplaces rows is
caught. Called once per session, while the demo is loaded (see conftest.demo_history).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q

from safehub.episodes.models import Episode, RiskChange
from safehub.intelligence.models import Disruption, LocationLink, LocationOfConcern
from safehub.partnership.models import PathwayReferral
from safehub.people.models import AddressPeriod, CarePeriod
from safehub.referrals.models import Referral
from safehub.rules.codes import age_on

LONDON = ZoneInfo("Europe/London")


def _fy(start_year: int) -> Q:
    start = dt.datetime(start_year, 4, 1, tzinfo=LONDON)
    end = dt.datetime(start_year + 1, 4, 1, tzinfo=LONDON)
    return Q(received_at__gte=start, received_at__lt=end)


def _open_on(on: dt.date, area: str) -> list[tuple[Episode, str, str, int, bool, str]]:
    episodes = (
        Episode.objects.filter(opened_on__lte=on)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=on))
        .select_related("child")
    )
    rows = []
    for episode in episodes:
        address = (
            AddressPeriod.objects.filter(child=episode.child, valid_from__lte=on)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
            .select_related("ward__area_committee")
            .first()
        )
        if address is None or address.ward is None or address.ward.area_committee.name != area:
            continue
        level = (
            RiskChange.objects.filter(episode=episode, effective_on__lte=on)
            .order_by("-effective_on", "-id")
            .values_list("level", flat=True)
            .first()
        )
        care = (
            CarePeriod.objects.filter(child=episode.child, valid_from__lte=on)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
            .exists()
        )
        child = episode.child
        assert child.date_of_birth is not None
        rows.append(
            (
                episode,
                address.ward.name,
                str(level),
                age_on(child.date_of_birth, on),
                care,
                child.sex,
            )
        )
    return rows


def _types_named(episode: Episode, on: dt.date) -> list[str]:
    """The exploitation types named on the episode's referrals received by the end of `on`."""
    end = dt.datetime.combine(on + dt.timedelta(days=1), dt.time(), tzinfo=LONDON)
    named = Referral.objects.filter(episode=episode, received_at__lt=end).values_list(
        "exploitation_types", flat=True
    )
    return sorted({t for types in named for t in types or []})


def _pathway(start_year: int) -> tuple[int, int, int]:
    """Pathway referrals made in the financial year, those accepted within target, and those
    whose first contact was within target: counted row by row, not by the metric's SQL."""
    start = dt.datetime(start_year, 4, 1, tzinfo=LONDON)
    end = dt.datetime(start_year + 1, 4, 1, tzinfo=LONDON)
    made = list(PathwayReferral.objects.filter(referred_at__gte=start, referred_at__lt=end))
    accepted = sum(
        1 for p in made if p.accepted_at is not None and p.accepted_at <= p.accept_due_at
    )
    contact = sum(
        1
        for p in made
        if p.first_contact_at is not None
        and p.first_contact_due_at is not None
        and p.first_contact_at <= p.first_contact_due_at
    )
    return len(made), accepted, contact


def compute() -> dict[str, Any]:
    per_child = (
        Referral.objects.filter(_fy(2015))
        .values("child")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )
    return {
        "referrals_by_year": [Referral.objects.filter(_fy(y)).count() for y in (2014, 2015, 2016)],
        "children_2015_16": (len(per_child), sum(1 for n in per_child if n > 1)),
        "south": [r[1:] for r in _open_on(dt.date(2016, 10, 27), "Bradford South")],
        "west": [r[1:] for r in _open_on(dt.date(2016, 10, 31), "Bradford West")],
        "west_year_earlier": [r[1:3] for r in _open_on(dt.date(2015, 10, 31), "Bradford West")],
        "west_types": [
            _types_named(r[0], dt.date(2016, 10, 31))
            for r in _open_on(dt.date(2016, 10, 31), "Bradford West")
        ],
        "pathway_2016_17": _pathway(2016),
        "intelligence": (
            LocationOfConcern.objects.count(),
            LocationLink.objects.count(),
            Disruption.objects.filter(occurred_on__year=2016).count(),
        ),
    }
