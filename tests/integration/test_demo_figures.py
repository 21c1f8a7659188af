"""The demo history, loaded into the database, reproduces what the district published.

Figures are computed here from the case tables with the ORM, independently of the generator's
own arithmetic, so a loader that drops or misplaces rows fails.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.db.models import Count, Q

from safehub.access.policy import SYSTEM
from safehub.concerns.models import Disruption, LocationLink, LocationOfConcern
from safehub.demo import services as demo
from safehub.episodes.models import Episode, RiskChange
from safehub.people.models import AddressPeriod, CarePeriod
from safehub.referrals.models import Referral
from safehub.rules.codes import age_on

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(scope="module", autouse=True)
def demo_history(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[None]:
    """Load once for the module, inside a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():  # type: ignore[attr-defined]
        demo.load(acting_user=SYSTEM)
        yield
        transaction.set_rollback(True)


def _fy(start_year: int) -> Q:
    start = dt.datetime(start_year, 4, 1, tzinfo=LONDON)
    end = dt.datetime(start_year + 1, 4, 1, tzinfo=LONDON)
    return Q(received_at__gte=start, received_at__lt=end)


def test_referrals_by_financial_year() -> None:
    counts = [Referral.objects.filter(_fy(y)).count() for y in (2014, 2015, 2016)]
    assert counts == [431, 713, 1153]


def test_2015_16_referrals_concern_569_children_106_more_than_once() -> None:
    per_child = (
        Referral.objects.filter(_fy(2015))
        .values("child")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )
    assert len(per_child) == 569
    assert sum(1 for n in per_child if n > 1) == 106


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


def test_bradford_south_on_27_october_2016() -> None:
    rows = _open_on(dt.date(2016, 10, 27), "Bradford South")
    assert len(rows) == 76
    assert sum(1 for r in rows if r[2] == "high") == 11
    wards = Counter(r[1] for r in rows).most_common()
    assert wards[0][0] == "Wyke"
    assert wards[0][1] > wards[1][1]
    assert {w for w, _ in wards[1:4]} == {"Tong", "Wibsey", "Royds"}
    assert min(n for _, n in wards[1:4]) > max(n for _, n in wards[4:])


def test_bradford_west_on_31_october_2016() -> None:
    rows = _open_on(dt.date(2016, 10, 31), "Bradford West")
    assert len(rows) == 60
    assert Counter(r[2] for r in rows) == {"high": 9, "medium": 23, "low": 28}
    assert dict(Counter(r[1] for r in rows)) == {
        "Thornton and Allerton": 16,
        "Manningham": 12,
        "Heaton": 11,
        "Clayton and Fairweather Green": 10,
        "City": 7,
        "Toller": 4,
    }


def test_age_sex_and_social_care_of_children_at_risk() -> None:
    rows = _open_on(dt.date(2016, 10, 27), "Bradford South") + _open_on(
        dt.date(2016, 10, 31), "Bradford West"
    )
    ages = Counter(r[3] for r in rows)
    assert ages.most_common(1)[0][0] == 14
    assert sum(n for age, n in ages.items() if 12 <= age <= 17) / len(rows) >= 0.9
    female = sum(1 for r in rows if r[5] == "F") / len(rows)
    assert 0.85 <= female <= 0.89
    known = sum(1 for r in rows if r[4]) / len(rows)
    assert 0.4 <= known <= 0.6


def test_the_demo_has_intelligence_to_show() -> None:
    assert LocationOfConcern.objects.count() == 8
    assert LocationLink.objects.count() == 48
    assert Disruption.objects.filter(occurred_on__year=2016).count() == 3
