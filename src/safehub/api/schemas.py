"""What the API accepts and returns, and how records become responses.

Coded values go out as `{"code": "6", "label": "Police"}`: the code is what a client stores
and compares (the CIN census and DfE codes), the label what it shows. Inputs take the code
alone; the OpenAPI document lists every code a field accepts.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import AfterValidator, AwareDatetime, StrictBool, StringConstraints
from pydantic_core import PydanticCustomError

from safehub.access.models import Agency
from safehub.casefile.queries import ChildRecord
from safehub.episodes.models import Episode, SignOffRequest
from safehub.people.models import AddressPeriod, CareStatus, Child
from safehub.referrals.models import Decision, DecisionOutcome, Referral, Screening
from safehub.rules import codes, plausibility
from safehub.rules.working_time import Rag
from safehub.triage.queries import DueItem


def _no_control_characters(value: str) -> str:
    """Text as a person types it: NUL and other control characters are refused at the door
    (PostgreSQL cannot even look a NUL up), as the services refuse them on the way to storage."""
    if plausibility.has_control_characters(value):
        raise PydanticCustomError(
            "control_characters", "must not include control characters (such as NUL)"
        )
    return value


Typed = AfterValidator(_no_control_characters)
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), Typed]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), Typed]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), Typed]
AgencyName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), Typed
]
# The kinds of triage.queries.KINDS; a test keeps the two in step.
DueKind = Literal[
    "decision",
    "strategy_discussion",
    "return_interview",
    "review",
    "sign_off",
    "flag_review",
    "flag_sign_off",
    "pathway_acceptance",
    "pathway_first_contact",
    "pathway_returned",
    "meeting_action",
]


# --- shared ------------------------------------------------------------------------------


class Coded(Schema):
    code: str
    label: str


def coded(value: StrEnum) -> Coded:
    return Coded(code=str(value), label=str(getattr(value, "label", value)))


class AgencyOut(Schema):
    id: int
    name: str


def agency_out(agency: Agency | None) -> AgencyOut | None:
    return None if agency is None else AgencyOut(id=agency.pk, name=agency.name)


# --- children ----------------------------------------------------------------------------


class ChildIn(Schema):
    """A child not yet known to the hub. Search before registering: this always adds one."""

    given_name: Name
    family_name: Name
    date_of_birth: dt.date | None = None
    dob_approximate: bool = False
    sex: codes.Sex
    nhs_number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=12), Typed] = ""
    ethnicity: codes.Ethnicity = codes.Ethnicity.NOT_OBTAINED
    ethnicity_source: codes.EthnicityRecordingSource = codes.EthnicityRecordingSource.NOT_OBTAINED
    first_language: Annotated[str, StringConstraints(max_length=60), Typed] = ""
    nationality: Annotated[str, StringConstraints(max_length=60), Typed] = ""
    arrived_uk: dt.date | None = None
    school: Short = ""
    postcode: Annotated[str, StringConstraints(strip_whitespace=True, max_length=10), Typed] = (
        Field(
            "",
            description="Where the child lives; recorded from the day the referral was received.",
        )
    )

    def identity(self) -> dict[str, object]:
        """The Child fields, for people.services.register_child."""
        return self.model_dump(exclude={"postcode"})


class WardOut(Schema):
    code: str
    name: str


class AddressOut(Schema):
    postcode: str
    ward: WardOut | None
    valid_from: dt.date


class EpisodeOut(Schema):
    id: int
    opened_on: dt.date
    lead_agency: AgencyOut | None
    allocated_worker_id: int | None


NOT_SHARED = "Null when not shared with your agency (see `not_shared`)."


class ChildOut(Schema):
    """A child's record as the caller may see it: name, age and sex always; every other field
    only when the share with the caller's agency names its section, else null."""

    id: int
    given_name: str
    family_name: str
    sex: Coded
    age: int | None
    not_shared: list[str] = Field(
        description="The sections of the record not shared with your agency (codes: identity, "
        "address, school, care, risk, referrals, missing, notes); their fields are null."
    )
    date_of_birth: dt.date | None = Field(description="identity section. " + NOT_SHARED)
    dob_approximate: bool | None = Field(description="identity section. " + NOT_SHARED)
    nhs_number: str | None = Field(description="identity section. " + NOT_SHARED)
    ethnicity: Coded | None = Field(description="identity section. " + NOT_SHARED)
    ethnicity_source: Coded | None = Field(description="identity section. " + NOT_SHARED)
    first_language: str | None = Field(description="identity section. " + NOT_SHARED)
    nationality: str | None = Field(description="identity section. " + NOT_SHARED)
    arrived_uk: dt.date | None = Field(description="identity section. " + NOT_SHARED)
    school: str | None = Field(description="school section. " + NOT_SHARED)
    as_of: dt.date = Field(description="The day the address, care, episode and risk are as of.")
    address: AddressOut | None = Field(description="address section. " + NOT_SHARED)
    care_statuses: list[Coded] | None = Field(description="care section. " + NOT_SHARED)
    open_episode: EpisodeOut | None = Field(description="risk section. " + NOT_SHARED)
    risk_level: Coded | None = Field(description="risk section. " + NOT_SHARED)


def _address_out(address: AddressPeriod | None) -> AddressOut | None:
    if address is None:
        return None
    ward = None if address.ward is None else WardOut(code=address.ward.code, name=address.ward.name)
    return AddressOut(postcode=address.postcode, ward=ward, valid_from=address.valid_from)


def _episode_out(episode: Episode | None) -> EpisodeOut | None:
    if episode is None:
        return None
    return EpisodeOut(
        id=episode.pk,
        opened_on=episode.opened_on,
        lead_agency=agency_out(episode.lead_agency),
        allocated_worker_id=episode.allocated_worker_id,
    )


def child_out(record: ChildRecord) -> ChildOut:
    child: Child = record.child
    shown = record.shown
    identity = shown["identity"]
    return ChildOut(
        id=child.pk,
        given_name=child.given_name,
        family_name=child.family_name,
        sex=coded(codes.Sex(child.sex)),
        age=record.age,
        not_shared=record.not_shared,
        date_of_birth=child.date_of_birth if identity else None,
        dob_approximate=child.dob_approximate if identity else None,
        nhs_number=child.nhs_number if identity else None,
        ethnicity=coded(codes.Ethnicity(child.ethnicity)) if identity else None,
        ethnicity_source=coded(codes.EthnicityRecordingSource(child.ethnicity_source))
        if identity
        else None,
        first_language=child.first_language if identity else None,
        nationality=child.nationality if identity else None,
        arrived_uk=child.arrived_uk if identity else None,
        school=child.school if shown["school"] else None,
        as_of=record.on,
        address=_address_out(record.address),
        care_statuses=[Coded(code=c.kind, label=CareStatus(c.kind).label) for c in record.care]
        if shown["care"]
        else None,
        open_episode=_episode_out(record.episode),
        risk_level=None if record.risk_level is None else coded(codes.RiskLevel(record.risk_level)),
    )


# --- referrals ---------------------------------------------------------------------------


class ReferralIn(Schema):
    """A referral about a known child (`child_id`) or about a new one (`child`): one of the two."""

    child_id: int | None = None
    child: ChildIn | None = None
    received_at: AwareDatetime = Field(description="ISO 8601 with its UTC offset.")
    source: codes.ReferralSource = Field(description="CIN census ReferralSource code.")
    exploitation_types: list[codes.ExploitationType] = Field(min_length=1)
    concerns: Text
    referring_agency: AgencyName | None = Field(
        None, description="The name of the referring agency, exactly as Safehub has it."
    )
    referrer_name: Short = ""
    referrer_contact: Short = ""
    external_reference: (
        Annotated[
            str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), Typed
        ]
        | None
    ) = Field(None, description="The referral's id in the system it came from; unique.")


class ReferralFilters(Schema):
    received_from: dt.date | None = Field(None, description="Received on or after (UK date).")
    received_to: dt.date | None = Field(None, description="Received on or before (UK date).")
    # Bounded to the ids a database can hold: SQLite cannot even compare a larger number.
    child_id: int | None = Field(None, ge=1, le=2**63 - 1)


class ScreeningOut(Schema):
    id: int
    referral_id: int
    tool_id: str
    tool_version: int
    screened_at: dt.datetime
    computed_level: Coded
    final_level: Coded
    overridden: bool
    override_reason: str
    fired: list[str] = Field(description="The indicators answered yes, in the tool's order.")
    band_rule: str | None
    age_floor: str | None
    episode_id: int | None = Field(description="The episode the screening placed the child in.")


def screening_out(screening: Screening) -> ScreeningOut:
    result = screening.result or {}
    return ScreeningOut(
        id=screening.pk,
        referral_id=screening.referral_id,
        tool_id=screening.tool_id,
        tool_version=screening.tool_version,
        screened_at=screening.screened_at,
        computed_level=coded(codes.RiskLevel(screening.computed_level)),
        final_level=coded(codes.RiskLevel(screening.final_level)),
        overridden=screening.overridden,
        override_reason=screening.override_reason,
        fired=list(result.get("fired", [])),
        band_rule=result.get("band_rule"),
        age_floor=result.get("age_floor"),
        episode_id=screening.referral.episode_id,
    )


class DecisionOut(Schema):
    id: int
    referral_id: int
    outcome: Coded
    decided_at: dt.datetime
    rationale: str
    pathway_agency: AgencyOut | None


class SignOffOut(Schema):
    """A decision held back: it takes effect only when a hub manager approves it."""

    id: int
    kind: str
    status: str
    referral_id: int | None
    requested_at: dt.datetime


def sign_off_out(request: SignOffRequest) -> SignOffOut:
    return SignOffOut(
        id=request.pk,
        kind=request.kind,
        status=request.status,
        referral_id=request.referral_id,
        requested_at=request.requested_at,
    )


def decision_out(decision: Decision) -> DecisionOut:
    return DecisionOut(
        id=decision.pk,
        referral_id=decision.referral_id,
        outcome=Coded(code=decision.outcome, label=DecisionOutcome(decision.outcome).label),
        decided_at=decision.decided_at,
        rationale=decision.rationale,
        pathway_agency=agency_out(decision.pathway_agency),
    )


class ReferralSummary(Schema):
    """A referral in a list: no narrative, so a list shows no more than it needs to."""

    id: int
    child_id: int
    received_at: dt.datetime
    source: Coded
    exploitation_types: list[Coded]
    external_reference: str | None
    decided: bool


class ReferralOut(ReferralSummary):
    concerns: str
    referring_agency: AgencyOut | None
    referrer_name: str
    referrer_contact: str
    episode_id: int | None
    recorded_at: dt.datetime
    latest_screening: ScreeningOut | None
    decision: DecisionOut | None


def _decision(referral: Referral) -> Decision | None:
    try:
        return referral.decision
    except Decision.DoesNotExist:
        return None


def _summary_fields(referral: Referral) -> dict[str, object]:
    return {
        "id": referral.pk,
        "child_id": referral.child_id,
        "received_at": referral.received_at,
        "source": coded(codes.ReferralSource(referral.source)),
        "exploitation_types": [
            coded(codes.ExploitationType(t)) for t in referral.exploitation_types
        ],
        "external_reference": referral.external_reference,
        "decided": _decision(referral) is not None,
    }


def referral_summary(referral: Referral) -> ReferralSummary:
    return ReferralSummary.model_validate(_summary_fields(referral))


def referral_out(referral: Referral) -> ReferralOut:
    latest = referral.screenings.order_by("-screened_at", "-pk").first()
    decision = _decision(referral)
    return ReferralOut.model_validate(
        {
            **_summary_fields(referral),
            "concerns": referral.concerns,
            "referring_agency": agency_out(referral.referring_agency),
            "referrer_name": referral.referrer_name,
            "referrer_contact": referral.referrer_contact,
            "episode_id": referral.episode_id,
            "recorded_at": referral.recorded_at,
            "latest_screening": None if latest is None else screening_out(latest),
            "decision": None if decision is None else decision_out(decision),
        }
    )


class ScreeningIn(Schema):
    answers: dict[str, StrictBool] = Field(
        description="Indicator key to yes (true) or no (false); an indicator left out is no."
    )
    override_level: codes.RiskLevel | None = Field(
        None, description="Professional judgement in place of the computed level."
    )
    override_reason: Annotated[str, Typed] = Field(
        "", description="Required when override_level changes it."
    )
    screened_at: AwareDatetime | None = Field(None, description="Default: now.")


class DecisionIn(Schema):
    outcome: DecisionOutcome
    rationale: Annotated[str, Typed] = ""
    pathway_agency: AgencyName | None = Field(
        None, description="Required for a pathway referral: the agency's name, exactly."
    )
    decided_at: AwareDatetime | None = Field(None, description="Default: now.")


# --- triage ------------------------------------------------------------------------------


class DueItemOut(Schema):
    kind: DueKind
    label: str
    child_id: int
    due: dt.datetime
    rag: Rag
    remaining_seconds: int = Field(description="Negative when overdue.")
    remaining: str = Field(description="The time left (or overdue) in words.")
    link: str = Field(description="The page in Safehub where the item is done.")


def due_item_out(item: DueItem) -> DueItemOut:
    return DueItemOut.model_validate(
        {
            "kind": item.kind,
            "label": item.label,
            "child_id": item.child.pk,
            # In UTC: an RFC 3339 offset has no seconds, which a zone's old local mean time has.
            "due": item.due.astimezone(dt.UTC),
            "rag": item.rag,
            "remaining_seconds": int(item.remaining.total_seconds()),
            "remaining": item.remaining_text,
            "link": item.link,
        }
    )
