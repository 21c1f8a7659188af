"""The history format as data: one file per kind, its columns, and what each must hold.

The importer checks, the exporter writes and docs/history-format.md describes exactly these
tables, so the three cannot drift apart (a test compares the docs with them).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum

from safehub.rules import codes

FORMAT_NAME = "safehub-history"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SOURCE_LENGTH = 60  # interchange.LegacyIdentifier.source_system
# Safehub's own source name: what its exports say they come from.
SAFEHUB_SOURCE = "safehub"
# A screening recorded in the old system as a level alone, with no tool behind it.
RECORDED_LEVEL_TOOL = "recorded-level"


class Kind(StrEnum):
    """The value type of a column, which says how it is read and written."""

    ID = "id"  # the row's own identifier in the source system
    REF = "ref"  # another file's identifier
    TEXT = "text"
    DATE = "date"  # YYYY-MM-DD
    MOMENT = "moment"  # date and time with an offset
    MOMENT_OR_DATE = "moment_or_date"  # as MOMENT; a bare date means the start of that day
    BOOL = "bool"  # true / false
    CODE = "code"  # one value of `codes`
    CODES = "codes"  # values of `codes` separated by ";"
    INT = "int"
    JSON = "json"  # a JSON object, or empty


# Kinds whose values are free text: exports neutralise spreadsheet formulas in them and
# imports restore them (safehub.rules.spreadsheet; docs/history-format.md).
TEXTUAL = frozenset({Kind.ID, Kind.REF, Kind.TEXT})


class MissingKind(StrEnum):
    MISSING = "missing"
    ABSENT = "absent"


class DecisionOutcome(StrEnum):
    NO_FURTHER_ACTION = "no_further_action"
    ADVICE = "advice"
    PATHWAY_REFERRAL = "pathway_referral"
    STRATEGY_DISCUSSION = "strategy_discussion"
    SOCIAL_CARE_REFERRAL = "social_care_referral"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    help: str
    required: bool = False
    attr: str = ""  # the model field it fills; empty for identifiers and record times
    max_length: int | None = None
    codes: type[Enum] | None = None
    refers_to: str = ""  # for REF: the file whose ids it names


@dataclass(frozen=True)
class FileSpec:
    name: str  # also the `kind` of its legacy identifiers
    help: str
    columns: tuple[Column, ...]

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    @property
    def id_column(self) -> Column:
        return self.columns[0]

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _id(name: str) -> Column:
    return Column(name, Kind.ID, "The record's identifier in the source system.", required=True)


def _ref(name: str, to: str, *, attr: str, required: bool = True) -> Column:
    return Column(
        name,
        Kind.REF,
        f"The `{FILES_ID[to]}` of a row of {to}.csv (this set or an earlier import).",
        required=required,
        attr=attr,
        refers_to=to,
    )


RECORDED_AT = Column(
    "recorded_at",
    Kind.MOMENT,
    "When the source system recorded this row as it now is; empty: the extract's time.",
)

FILES_ID = {
    "children": "child_id",
    "addresses": "address_id",
    "episodes": "episode_id",
    "risk_changes": "risk_change_id",
    "referrals": "referral_id",
    "screenings": "screening_id",
    "decisions": "decision_id",
    "missing_episodes": "missing_id",
}

CHILDREN = FileSpec(
    "children",
    "One row per child.",
    (
        _id("child_id"),
        Column(
            "given_name", Kind.TEXT, "Given name.", required=True, attr="given_name", max_length=100
        ),
        Column(
            "family_name",
            Kind.TEXT,
            "Family name.",
            required=True,
            attr="family_name",
            max_length=100,
        ),
        Column("date_of_birth", Kind.DATE, "Date of birth, if known.", attr="date_of_birth"),
        Column(
            "dob_approximate",
            Kind.BOOL,
            "true when the date of birth is an estimate; empty means false.",
            attr="dob_approximate",
        ),
        Column("sex", Kind.CODE, "F, M, U or I.", required=True, attr="sex", codes=codes.Sex),
        Column(
            "nhs_number",
            Kind.TEXT,
            "10 digits with a correct check digit; spaces are ignored.",
            attr="nhs_number",
            max_length=12,
        ),
        Column(
            "ethnicity",
            Kind.CODE,
            "DfE ethnicity code (WBRI … REFU, NOBT); empty means NOBT.",
            attr="ethnicity",
            codes=codes.Ethnicity,
        ),
        Column(
            "ethnicity_source",
            Kind.CODE,
            "How it was recorded: self_identified, parent_carer, observed_by_professional, "
            "not_obtained; empty means not_obtained.",
            attr="ethnicity_source",
            codes=codes.EthnicityRecordingSource,
        ),
        Column(
            "first_language", Kind.TEXT, "First language.", attr="first_language", max_length=60
        ),
        Column("nationality", Kind.TEXT, "Nationality.", attr="nationality", max_length=60),
        Column("arrived_uk", Kind.DATE, "Date of arrival in the UK.", attr="arrived_uk"),
        Column("school", Kind.TEXT, "School.", attr="school", max_length=200),
        RECORDED_AT,
    ),
)

ADDRESSES = FileSpec(
    "addresses",
    "Where a child lived: a period from `valid_from` up to the day before `valid_to`. "
    "A child's periods must not overlap.",
    (
        _id("address_id"),
        _ref("child_id", "children", attr="child"),
        Column(
            "valid_from", Kind.DATE, "First day at this address.", required=True, attr="valid_from"
        ),
        Column(
            "valid_to",
            Kind.DATE,
            "First day no longer at this address; empty: still there.",
            attr="valid_to",
        ),
        Column("postcode", Kind.TEXT, "Postcode, like BD5 0AA.", attr="postcode", max_length=8),
        Column(
            "ward_code",
            Kind.TEXT,
            "ONS ward code (E05…) of a ward loaded in Safehub. Given or found from the postcode.",
            max_length=9,
        ),
        Column("address", Kind.TEXT, "Address lines.", attr="address", max_length=300),
        RECORDED_AT,
    ),
)

EPISODES = FileSpec(
    "episodes",
    "A period in which the hub held the child as at risk. A child's episodes must not "
    "overlap, and only one may be open.",
    (
        _id("episode_id"),
        _ref("child_id", "children", attr="child"),
        Column("opened_on", Kind.DATE, "Date opened.", required=True, attr="opened_on"),
        Column("closed_on", Kind.DATE, "Date closed; empty: still open.", attr="closed_on"),
        Column(
            "closure_reason", Kind.TEXT, "Why it closed.", attr="closure_reason", max_length=200
        ),
        RECORDED_AT,
    ),
)

RISK_CHANGES = FileSpec(
    "risk_changes",
    "The episode's risk level from `effective_on` until its next change.",
    (
        _id("risk_change_id"),
        _ref("episode_id", "episodes", attr="episode"),
        Column(
            "level",
            Kind.CODE,
            "none, low, medium or high.",
            required=True,
            attr="level",
            codes=codes.RiskLevel,
        ),
        Column(
            "effective_on",
            Kind.DATE,
            "The day it took effect, within the episode.",
            required=True,
            attr="effective_on",
        ),
        Column("reason", Kind.TEXT, "Why the level changed.", attr="reason"),
        RECORDED_AT,
    ),
)

REFERRALS = FileSpec(
    "referrals",
    "A concern received by the hub about a child.",
    (
        _id("referral_id"),
        _ref("child_id", "children", attr="child"),
        Column(
            "received_at",
            Kind.MOMENT,
            "Date and time received, with its offset: 2016-10-03T10:15:00+01:00.",
            required=True,
            attr="received_at",
        ),
        Column(
            "source",
            Kind.CODE,
            "CIN census ReferralSource code (1A … 10).",
            required=True,
            attr="source",
            codes=codes.ReferralSource,
        ),
        Column(
            "exploitation_types",
            Kind.CODES,
            "cse, cce, trafficking, online, separated by ';'. At least one.",
            required=True,
            attr="exploitation_types",
            codes=codes.ExploitationType,
        ),
        Column("concerns", Kind.TEXT, "What was reported.", required=True, attr="concerns"),
        Column(
            "external_reference",
            Kind.TEXT,
            "The referral's reference in the system it came from; unique in Safehub.",
            attr="external_reference",
            max_length=100,
        ),
        _ref("episode_id", "episodes", attr="episode", required=False),
        RECORDED_AT,
    ),
)

SCREENINGS = FileSpec(
    "screenings",
    "A risk screening of a referral: with a version of a screening tool, or a plain recorded "
    f"level (leave `tool_id` empty; Safehub keeps it as tool `{RECORDED_LEVEL_TOOL}`).",
    (
        _id("screening_id"),
        _ref("referral_id", "referrals", attr="referral"),
        Column(
            "screened_at",
            Kind.MOMENT_OR_DATE,
            "When screened: a date and time with offset, or a date (the start of that day).",
            required=True,
            attr="screened_at",
        ),
        Column(
            "tool_id",
            Kind.TEXT,
            "Screening tool; empty for a recorded level.",
            attr="tool_id",
            max_length=60,
        ),
        Column(
            "tool_version",
            Kind.INT,
            "Tool version; empty for a recorded level.",
            attr="tool_version",
        ),
        Column(
            "computed_level",
            Kind.CODE,
            "The level the tool (or the old system) gave.",
            required=True,
            attr="computed_level",
            codes=codes.RiskLevel,
        ),
        Column(
            "final_level",
            Kind.CODE,
            "The level after professional judgement; empty: the computed level.",
            attr="final_level",
            codes=codes.RiskLevel,
        ),
        Column(
            "override_reason", Kind.TEXT, "Why the level was overridden.", attr="override_reason"
        ),
        Column(
            "answers",
            Kind.JSON,
            "The tool's answers as a JSON object; may be empty.",
            attr="answers",
        ),
        RECORDED_AT,
    ),
)

DECISIONS = FileSpec(
    "decisions",
    "What the hub decided on a referral: at most one per referral.",
    (
        _id("decision_id"),
        _ref("referral_id", "referrals", attr="referral"),
        Column(
            "outcome",
            Kind.CODE,
            "no_further_action, advice, pathway_referral, strategy_discussion or "
            "social_care_referral.",
            required=True,
            attr="outcome",
            codes=DecisionOutcome,
        ),
        Column(
            "decided_at",
            Kind.MOMENT,
            "When decided, with offset.",
            required=True,
            attr="decided_at",
        ),
        Column("rationale", Kind.TEXT, "Why.", attr="rationale"),
        RECORDED_AT,
    ),
)

MISSING_EPISODES = FileSpec(
    "missing_episodes",
    "A time the child went missing or was away from placement.",
    (
        _id("missing_id"),
        _ref("child_id", "children", attr="child"),
        Column(
            "kind",
            Kind.CODE,
            "missing or absent; empty means missing.",
            attr="kind",
            codes=MissingKind,
        ),
        Column(
            "started_at",
            Kind.MOMENT,
            "When it started, with offset.",
            required=True,
            attr="started_at",
        ),
        Column(
            "ended_at", Kind.MOMENT, "When the child returned; empty: not yet.", attr="ended_at"
        ),
        Column("reported_by", Kind.TEXT, "Who reported it.", attr="reported_by", max_length=200),
        Column(
            "police_reference",
            Kind.TEXT,
            "Police reference.",
            attr="police_reference",
            max_length=50,
        ),
        Column(
            "return_interview_offered_at",
            Kind.MOMENT,
            "When a return home interview was offered.",
            attr="return_interview_offered_at",
        ),
        Column(
            "return_interview_completed_at",
            Kind.MOMENT,
            "When the return home interview was done.",
            attr="return_interview_completed_at",
        ),
        RECORDED_AT,
    ),
)

# In dependency order: a file refers only to files before it.
FILES: tuple[FileSpec, ...] = (
    CHILDREN,
    ADDRESSES,
    EPISODES,
    RISK_CHANGES,
    REFERRALS,
    SCREENINGS,
    DECISIONS,
    MISSING_EPISODES,
)
BY_NAME = {spec.name: spec for spec in FILES}

MANIFEST_KEYS = {
    "format": f"Always {FORMAT_NAME!r}.",
    "version": f"The format version: {FORMAT_VERSION}.",
    "source_system": "The system the records come from (letters, digits, '-', '_', '.'): "
    "with each row's id it keys the import.",
    "extracted_at": "When the extract was taken, with offset: the record time of every row "
    "without its own recorded_at.",
}
