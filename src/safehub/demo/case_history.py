"""Load the generated Bradford history (`safehub.demo.history`) into the case tables.

Rows are written in bulk with their history rows (django-simple-history), so the demo's
record is as complete as one built through the services, in a few seconds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from safehub.access.models import Agency, AgencyType
from safehub.access.policy import Principal, require
from safehub.audit import services as audit
from safehub.demo import history as synth
from safehub.demo import intelligence, pathway_history
from safehub.episodes.models import Episode, MissingEpisode, Review, RiskChange
from safehub.geo.models import Ward
from safehub.matching import index as matching_index
from safehub.meetings.models import Meeting, MeetingKind
from safehub.people.models import AddressPeriod, CarePeriod, Child
from safehub.referrals.models import Decision, Referral, Screening
from safehub.rules import working_time

DEMO_REFERENCE_PREFIX = "DEMO-"
AGENCY_BY_SOURCE = {
    "6": AgencyType.POLICE,
    "2A": AgencyType.EDUCATION,
    "2B": AgencyType.EDUCATION,
    "5D": AgencyType.YOUTH_SERVICE,
    "8": AgencyType.VOLUNTARY_SECTOR,
}


def already_loaded() -> bool:
    return Referral.objects.filter(external_reference__startswith=DEMO_REFERENCE_PREFIX).exists()


@transaction.atomic
def load(history: synth.History, *, acting_user: Principal) -> dict[str, int]:
    """Write the history. Refuses to load twice: the external references are unique."""
    require(acting_user, "demo:load")
    wards = _wards_by_code()
    children = {c.key: _child(c) for c in history.children}
    _bulk(children.values(), Child)
    addresses: list[AddressPeriod] = []
    cares: list[CarePeriod] = []
    for c in history.children:
        addresses.extend(
            AddressPeriod(
                child=children[c.key],
                valid_from=a.valid_from,
                valid_to=a.valid_to,
                postcode=a.postcode,
                ward=wards.get(a.ward_code),
                ward_method="postcode",
            )
            for a in c.addresses
        )
        cares.extend(
            CarePeriod(
                child=children[c.key], kind=p.kind, valid_from=p.valid_from, valid_to=p.valid_to
            )
            for p in c.care_periods
        )
    _bulk(addresses, AddressPeriod)
    _bulk(cares, CarePeriod)
    # Bulk inserts skip the signals that file a child under their matching keys.
    matching_index.refresh(c.pk for c in children.values())

    episodes = {
        e.key: Episode(
            child=children[e.child_key],
            opened_on=e.opened,
            closed_on=e.closed,
            closure_reason=e.closure_reason or "",
        )
        for e in history.episodes
    }
    _bulk(episodes.values(), Episode)
    tz = timezone.get_current_timezone()
    changes = [
        RiskChange(
            episode=episodes[e.key],
            level=r.level,
            effective_on=r.effective,
            reason=r.reason,
            recorded_at=dt.datetime.combine(r.effective, dt.time(10), tzinfo=tz),
        )
        for e in history.episodes
        for r in e.risk
    ]
    _bulk(changes, RiskChange)
    # A strategy discussion was held for every grading to high risk, within the working day
    # for most; the last few days' are left for the triage queue to show as due.
    recent = history_end(history) - dt.timedelta(days=3)
    held = [
        (c.episode, _discussion_time(c.recorded_at, i))
        for i, c in enumerate(changes)
        if c.level == "high" and c.effective_on < recent
    ]
    discussions = [_strategy_discussion(episode, at) for episode, at in held]
    _bulk(discussions, Meeting)
    Meeting.children.through.objects.bulk_create(
        [
            Meeting.children.through(meeting_id=m.pk, child_id=episode.child_id)
            for m, (episode, _) in zip(discussions, held, strict=True)
        ],
        batch_size=2000,
    )
    reviews = [
        Review(episode=episodes[e.key], reviewed_on=day, summary="Twelve-weekly review")
        for e in history.episodes
        for day in _review_days(e.opened, e.closed or history_end(history))
    ]
    _bulk(reviews, Review)

    agencies = {a.agency_type: a for a in Agency.objects.all()}
    referrals = {
        r.key: Referral(
            child=children[r.child_key],
            received_at=r.received_at,
            source=r.source,
            concerns=r.concerns,
            exploitation_types=list(r.exploitation_types),
            referring_agency=agencies.get(AGENCY_BY_SOURCE.get(r.source, "")),
            external_reference=f"{DEMO_REFERENCE_PREFIX}{r.key}",
            episode=episodes.get(r.episode_key) if r.episode_key else None,
            recorded_at=r.received_at,
        )
        for r in history.referrals
    }
    _bulk(referrals.values(), Referral)
    screenings = [
        Screening(
            referral=referrals[r.key],
            tool_id="recorded-level",
            tool_version=0,
            result={"level": r.screened_level, "source": "demo history"},
            computed_level=r.screened_level,
            final_level=r.screened_level,
            screened_at=r.received_at + dt.timedelta(hours=2),
        )
        for r in history.referrals
    ]
    _bulk(screenings, Screening)
    chosen = pathway_history.choose_services(history, wards)
    decisions = {
        r.key: Decision(
            referral=referrals[r.key],
            outcome=r.decision,
            decided_at=r.decided_at,
            pathway_agency=chosen[r.key].agency if r.key in chosen else None,
        )
        for r in history.referrals
    }
    _bulk(decisions.values(), Decision)
    pathway = pathway_history.load(
        history,
        chosen,
        children=children,
        decisions=decisions,
        end=min(
            timezone.now(),
            dt.datetime.combine(history_end(history), dt.time(18), tzinfo=tz),
        ),
    )
    missing = [
        MissingEpisode(
            child=children[m.child_key],
            started_at=m.started_at,
            ended_at=m.ended_at,
            reported_by="Police",
            return_interview_offered_at=m.return_interview_offered_at,
            return_interview_completed_at=m.return_interview_completed_at,
        )
        for m in history.missing
    ]
    _bulk(missing, MissingEpisode)
    counts = intelligence.load()
    counts |= {
        "strategy discussions": len(discussions),
        "children": len(children),
        "referrals": len(referrals),
        "episodes": len(episodes),
        "missing episodes": len(missing),
        "pathway referrals": pathway,
    }
    audit.write(
        acting_user,
        "demo:history:loaded",
        object_type="referrals.referral",
        object_id=str(len(referrals)),
    )
    return counts


def _discussion_time(graded_at: dt.datetime, index: int) -> dt.datetime:
    """Due within a working day: most are held in time, one in nine a day or two late."""
    due = working_time.strategy_discussion_due(graded_at)
    if index % 9 == 0:
        return due + dt.timedelta(days=1, hours=2)
    return due - dt.timedelta(hours=3)


def history_end(history: synth.History) -> dt.date:
    return max(r.received_at for r in history.referrals).date()


def _review_days(opened: dt.date, until: dt.date) -> list[dt.date]:
    days, day = [], opened + dt.timedelta(weeks=12)
    while day < until:
        days.append(day)
        day += dt.timedelta(weeks=12)
    return days


def _wards_by_code() -> dict[str, Ward]:
    """The demo places its whole history on Bradford's 2004 wards, as the issue allows:
    the wards in force from May 2026 are not shipped."""
    return {
        w.code: w
        for w in Ward.objects.select_related("area_committee").order_by("ward_set__valid_from")
    }


# The generated child's identity fields carry the model's own names.
IDENTITY = (
    "given_name",
    "family_name",
    "date_of_birth",
    "dob_approximate",
    "sex",
    "ethnicity",
    "ethnicity_source",
    "first_language",
    "nationality",
    "arrived_uk",
)


def _child(c: synth.SynthChild) -> Child:
    return Child(**{name: getattr(c, name) for name in IDENTITY})


def _strategy_discussion(episode: Episode, held_at: dt.datetime) -> Meeting:
    """A strategy discussion is a meeting filed on the episode, about its child."""
    return Meeting(
        kind=MeetingKind.STRATEGY_DISCUSSION,
        held_at=held_at,
        decisions="Multi-agency strategy discussion held",
        recorded_at=held_at,
        episode=episode,
    )


def _bulk(objs: Iterable[object], model: type) -> None:
    bulk_create_with_history(list(objs), model, batch_size=2000)
