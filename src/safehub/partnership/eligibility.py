"""What a service's eligibility is checked against: the child's risk, age and area today."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from safehub.episodes.models import RiskChange
from safehub.partnership.models import SupportService
from safehub.people.models import AddressPeriod, Child
from safehub.rules import codes
from safehub.rules.plausibility import ServiceTerms, pathway_service


@dataclass(frozen=True)
class ChildFacts:
    risk_level: str | None
    age: int | None
    area: str | None


def facts_of(child: Child, on: dt.date) -> ChildFacts:
    """The level of the child's open episode, their age, and their ward's area committee."""
    risk = (
        RiskChange.objects.filter(
            Q(episode__closed_on__isnull=True) | Q(episode__closed_on__gt=on),
            episode__child=child,
            episode__opened_on__lte=on,
            episode__withdrawn_at__isnull=True,
            effective_on__lte=on,
            withdrawn_at__isnull=True,
        )
        .order_by("-effective_on", "-id")
        .values_list("level", flat=True)
        .first()
    )
    address = (
        AddressPeriod.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=on),
            child=child,
            valid_from__lte=on,
            withdrawn_at__isnull=True,
        )
        .order_by("-valid_from", "-id")
        .values_list("ward__area_committee__name", flat=True)
        .first()
    )
    born = child.date_of_birth
    age = codes.age_on(born, on) if born is not None and born <= on else None
    return ChildFacts(risk_level=risk, age=age, area=address)


def terms_of(service: SupportService) -> ServiceTerms:
    return ServiceTerms(
        active=service.is_active and service.agency.is_active,
        risk_levels=frozenset(service.risk_levels or ()),
        min_age=service.min_age,
        max_age=service.max_age,
        areas=frozenset(service.area_committees.values_list("name", flat=True)),
    )


def eligible(child: Child, services: Iterable[SupportService], on: dt.date) -> list[SupportService]:
    """The services among `services` the child may be referred to on `on`."""
    facts = facts_of(child, on)
    return [
        s
        for s in services
        if not pathway_service(
            terms_of(s), risk_level=facts.risk_level, age=facts.age, area=facts.area
        )
    ]
