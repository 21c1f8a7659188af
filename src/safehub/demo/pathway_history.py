"""The demo's pathway referrals: every decision of "pathway referral" from April 2016 goes to a
support service the child could use, which answers and works with the child, mostly on time.

Deterministic (each referral's own seeded random numbers), invented, and consistent with the
history: the service is chosen by the child's risk, age and area on the day, each referral is
made with a share of the record, and no step falls after the end of the history.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from safehub.demo import history as synth
from safehub.geo.models import Ward
from safehub.partnership.models import (
    ContactMethod,
    Outcome,
    PathwayReferral,
    PathwayStep,
    Status,
    StepKind,
    SupportService,
)
from safehub.people.models import Child, Share
from safehub.referrals.models import Decision
from safehub.rules import codes, working_time

FROM = dt.date(2016, 4, 1)
SHARE_DAYS = 180
OUTCOMES = (
    (Outcome.ENGAGED_RISK_REDUCED, 45),
    (Outcome.ENGAGED_NO_CHANGE, 15),
    (Outcome.DECLINED_BY_YOUNG_PERSON, 12),
    (Outcome.NOT_ENGAGED, 10),
    (Outcome.MOVED_AWAY, 8),
    (Outcome.ESCALATED, 10),
)


def _area_on(child: synth.SynthChild, on: dt.date, wards: Mapping[str, Ward]) -> str | None:
    for a in child.addresses:
        if a.valid_from <= on and (a.valid_to is None or a.valid_to > on):
            ward = wards.get(a.ward_code)
            return ward.area_committee.name if ward is not None else None
    return None


def choose_services(history: synth.History, wards: Mapping[str, Ward]) -> dict[str, SupportService]:
    """Which service each pathway decision from April 2016 went to (by referral key)."""
    services = {s.name: s for s in SupportService.objects.select_related("agency")}
    if not services:
        return {}
    children = {c.key: c for c in history.children}
    chosen: dict[str, SupportService] = {}
    for r in history.referrals:
        on = timezone.localtime(r.decided_at).date()
        if r.decision != "pathway_referral" or on < FROM:
            continue
        child = children[r.child_key]
        age = codes.age_on(child.date_of_birth, on)
        area = _area_on(child, on, wards)
        name = "Voluntary Sector Exploitation Project – specialist support"
        if r.screened_level in {"low", "medium"} and 10 <= age <= 19 and area:  # noqa: PLR2004
            name = f"Youth Service – {area}"
        elif r.screened_level in {"low", "medium"} and age <= 17:  # noqa: PLR2004
            name = "Early Help – family support"
        if name in services:
            chosen[r.key] = services[name]
    return chosen


def load(
    history: synth.History,
    chosen: Mapping[str, SupportService],
    *,
    children: Mapping[str, Child],
    decisions: Mapping[str, Decision],
    end: dt.datetime,
) -> int:
    """Write the pathway referrals, their shares and their steps; returns how many."""
    by_key = {r.key: r for r in history.referrals}
    shares, made, steps_of = [], [], []
    for key, service in chosen.items():
        r = by_key[key]
        rng = random.Random(f"pathway:{key}")  # noqa: S311 - demo data, not security
        referred = r.decided_at + dt.timedelta(minutes=10)
        share = Share(
            child=children[r.child_key],
            agency=service.agency,
            lawful_basis="safeguarding",
            purpose="Support for the young person through a pathway referral",
            sections=["risk"],
            expires_on=referred.date() + dt.timedelta(days=SHARE_DAYS),
            reasons=f"Pathway referral to {service.name}",
            shared_at=referred,
        )
        referral = PathwayReferral(
            child=children[r.child_key],
            service=service,
            decision=decisions[key],
            share=share,
            message="Please offer the young person support (demo).",
            risk_level=r.screened_level if r.screened_level != "none" else "",
            referred_at=referred,
            accept_due_at=working_time.add_working_days(referred, service.accept_within_days),
        )
        steps: list[tuple[str, dt.datetime, str]] = [
            (StepKind.REFERRED, referred, referral.message)
        ]
        steps += _answer(referral, service, rng, end)
        shares.append(share)
        made.append(referral)
        steps_of.append(steps)
    bulk_create_with_history(shares, Share, batch_size=2000)
    for referral, share in zip(made, shares, strict=True):
        referral.share = share
    bulk_create_with_history(made, PathwayReferral, batch_size=2000)
    PathwayStep.objects.bulk_create(
        [
            PathwayStep(referral=referral, kind=kind, at=at, recorded_at=at, text=text)
            for referral, steps in zip(made, steps_of, strict=True)
            for kind, at, text in steps
        ],
        batch_size=2000,
    )
    return len(made)


def _answer(
    p: PathwayReferral, service: SupportService, rng: random.Random, end: dt.datetime
) -> list[tuple[str, dt.datetime, str]]:
    """Accept (mostly within target) or decline, first contact, then close or hand back."""
    answered = working_time.add_working_days(p.referred_at, rng.choice((0, 1, 1, 2, 2, 2, 3)))
    answered += dt.timedelta(hours=rng.randint(0, 5))
    if answered > end:
        return []
    if rng.random() < 0.1:  # noqa: PLR2004
        p.status, p.declined_at, p.returned_at = Status.DECLINED, answered, answered
        p.decline_reason = p.return_reason = "No capacity for new work this month (demo)"
        p.return_seen_at = answered + dt.timedelta(hours=20)
        return [(StepKind.DECLINED, answered, p.decline_reason)]
    p.status, p.accepted_at = Status.ACCEPTED, answered
    p.first_contact_due_at = working_time.add_working_days(
        answered, service.first_contact_within_days
    )
    steps: list[tuple[str, dt.datetime, str]] = [(StepKind.ACCEPTED, answered, "")]
    contact = working_time.add_working_days(answered, rng.choice((1, 2, 3, 3, 4, 5, 5, 7)))
    if contact > end:
        return steps
    p.first_contact_at = contact
    p.first_contact_method = rng.choice(ContactMethod.values)
    steps.append((StepKind.FIRST_CONTACT, contact, ContactMethod(p.first_contact_method).label))
    closed = contact + dt.timedelta(weeks=rng.randint(6, 20))
    if closed > end:
        return steps
    if rng.random() < 0.08:  # noqa: PLR2004
        p.status, p.closed_at, p.returned_at = Status.HANDED_BACK, closed, closed
        p.return_reason = "New concerns: back to the hub (demo)"
        p.return_seen_at = closed + dt.timedelta(hours=6)
        return [*steps, (StepKind.HANDED_BACK, closed, p.return_reason)]
    outcomes, weights = zip(*OUTCOMES, strict=True)
    p.status, p.closed_at = Status.CLOSED, closed
    p.outcome = rng.choices(outcomes, weights=weights)[0]
    return [*steps, (StepKind.CLOSED, closed, Outcome(p.outcome).label)]
