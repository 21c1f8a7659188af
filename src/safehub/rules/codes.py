"""Code lists the hub shares with national returns, each code with its plain-English label.

Codes are `StrEnum`s so they store as the code itself (`"1A"`, `"WBRI"`), the same value the
CIN census and DfE returns use, and compare equal to it. Labels live in a mapping beside each
enum, not in the member values, so `ReferralSource("6")` still finds a member by its code; a
unit test checks that every member has a label. Pure: no Django.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from enum import StrEnum
from typing import Final, Protocol


class _Labelled(Protocol):
    @property
    def label(self) -> str: ...


def choices(codes: Iterable[_Labelled]) -> list[tuple[str, str]]:
    """`(code, label)` pairs in list order, the shape form fields and model choices take."""
    return [(str(code), code.label) for code in codes]


class ReferralSource(StrEnum):
    """Who made the referral: the CIN census ReferralSource list."""

    INDIVIDUAL = "1A"
    INDIVIDUAL_FAMILY = "1B"
    INDIVIDUAL_ACQUAINTANCE = "1C"
    INDIVIDUAL_SELF = "1D"
    INDIVIDUAL_OTHER = "1E"
    SCHOOLS = "2A"
    EDUCATION_SERVICES = "2B"
    HEALTH_GP = "3A"
    HEALTH_VISITOR = "3B"
    HEALTH_SCHOOL_NURSE = "3C"
    HEALTH_OTHER_PRIMARY = "3D"
    HEALTH_EMERGENCY_DEPARTMENT = "3E"
    HEALTH_OTHER = "3F"
    HOUSING = "4"
    LA_SOCIAL_CARE = "5A"
    LA_OTHER_INTERNAL = "5B"
    LA_EXTERNAL = "5C"
    LA_YOUTH_SERVICES = "5D"
    POLICE = "6"
    OTHER_LEGAL_AGENCY = "7"
    OTHER = "8"
    ANONYMOUS = "9"
    UNKNOWN = "10"

    @property
    def label(self) -> str:
        return _REFERRAL_SOURCE_LABELS[self]


_REFERRAL_SOURCE_LABELS: Final[Mapping[ReferralSource, str]] = {
    ReferralSource.INDIVIDUAL: "Individual",
    ReferralSource.INDIVIDUAL_FAMILY: "Individual – family member/relative/carer",
    ReferralSource.INDIVIDUAL_ACQUAINTANCE: (
        "Individual – acquaintance (including neighbours and child minders)"
    ),
    ReferralSource.INDIVIDUAL_SELF: "Individual – self",
    ReferralSource.INDIVIDUAL_OTHER: (
        "Individual – other (including strangers, MP, councillors, etc.)"
    ),
    ReferralSource.SCHOOLS: "Schools",
    ReferralSource.EDUCATION_SERVICES: "Education services",
    ReferralSource.HEALTH_GP: "Health services – GP",
    ReferralSource.HEALTH_VISITOR: "Health services – health visitor",
    ReferralSource.HEALTH_SCHOOL_NURSE: "Health services – school nurse",
    ReferralSource.HEALTH_OTHER_PRIMARY: "Health services – other primary health services",
    ReferralSource.HEALTH_EMERGENCY_DEPARTMENT: "Health services – A&E (emergency department)",
    ReferralSource.HEALTH_OTHER: "Health services – other (e.g. hospice)",
    ReferralSource.HOUSING: "Housing (LA housing or housing association)",
    ReferralSource.LA_SOCIAL_CARE: "LA services – social care (e.g. adults social care)",
    ReferralSource.LA_OTHER_INTERNAL: "LA services – other internal department(s) of LA",
    ReferralSource.LA_EXTERNAL: (
        "LA services – external (e.g. from another LA's adult or children's services)"
    ),
    ReferralSource.LA_YOUTH_SERVICES: "LA services – youth services",
    ReferralSource.POLICE: "Police",
    ReferralSource.OTHER_LEGAL_AGENCY: (
        "Other legal agency (including courts, probation, immigration, CAFCASS, prison)"
    ),
    ReferralSource.OTHER: (
        "Other (including children's centres, independent agency providers, "
        "voluntary organisations)"
    ),
    ReferralSource.ANONYMOUS: "Anonymous",
    ReferralSource.UNKNOWN: "Unknown",
}


class EthnicGroup(StrEnum):
    """The broad groups the DfE ethnicity codes roll up to in published tables."""

    WHITE = "white"
    MIXED = "mixed"
    ASIAN = "asian"
    BLACK = "black"
    CHINESE = "chinese"
    OTHER = "other"
    NOT_KNOWN = "not_known"

    @property
    def label(self) -> str:
        return _ETHNIC_GROUP_LABELS[self]


_ETHNIC_GROUP_LABELS: Final[Mapping[EthnicGroup, str]] = {
    EthnicGroup.WHITE: "White",
    EthnicGroup.MIXED: "Mixed",
    EthnicGroup.ASIAN: "Asian or Asian British",
    EthnicGroup.BLACK: "Black or Black British",
    EthnicGroup.CHINESE: "Chinese",
    EthnicGroup.OTHER: "Other",
    EthnicGroup.NOT_KNOWN: "Not known",
}


class Ethnicity(StrEnum):
    """DfE ethnicity codes, as schools and children's social care record them."""

    WHITE_BRITISH = "WBRI"
    WHITE_IRISH = "WIRI"
    TRAVELLER_OF_IRISH_HERITAGE = "WIRT"
    ANY_OTHER_WHITE = "WOTH"
    GYPSY_ROMA = "WROM"
    WHITE_AND_BLACK_CARIBBEAN = "MWBC"
    WHITE_AND_BLACK_AFRICAN = "MWBA"
    WHITE_AND_ASIAN = "MWAS"
    ANY_OTHER_MIXED = "MOTH"
    INDIAN = "AIND"
    PAKISTANI = "APKN"
    BANGLADESHI = "ABAN"
    ANY_OTHER_ASIAN = "AOTH"
    BLACK_CARIBBEAN = "BCRB"
    BLACK_AFRICAN = "BAFR"
    ANY_OTHER_BLACK = "BOTH"
    CHINESE = "CHNE"
    ANY_OTHER_ETHNIC_GROUP = "OOTH"
    REFUSED = "REFU"
    NOT_OBTAINED = "NOBT"

    @property
    def label(self) -> str:
        return _ETHNICITY_LABELS[self][0]

    @property
    def group(self) -> EthnicGroup:
        return _ETHNICITY_LABELS[self][1]

    @property
    def is_emerging_community(self) -> bool:
        """Whether the code is where children of the district's newer communities are recorded.

        The committee asked for "a greater focus on new emerging communities". In a district like
        ours those are mainly families who have come from Central and Eastern Europe since 2004,
        who are recorded as "Any other White background", and Gypsy, Roma and Irish Traveller
        families, whom services have long under-identified. In the broad groups all of them
        vanish into "White", beside the White British majority, so the committee report counts
        these three codes separately. It is a proxy, not an identity: WOTH also holds long-settled
        families, and a child counts only if their ethnicity was recorded at all.
        """
        return self.community is not None

    @property
    def community(self) -> Community | None:
        """The emerging community the code is counted under, or None for any other code."""
        return _EMERGING_COMMUNITIES.get(self)


_ETHNICITY_LABELS: Final[Mapping[Ethnicity, tuple[str, EthnicGroup]]] = {
    Ethnicity.WHITE_BRITISH: ("White British", EthnicGroup.WHITE),
    Ethnicity.WHITE_IRISH: ("White Irish", EthnicGroup.WHITE),
    Ethnicity.TRAVELLER_OF_IRISH_HERITAGE: ("Traveller of Irish heritage", EthnicGroup.WHITE),
    Ethnicity.ANY_OTHER_WHITE: ("Any other White background", EthnicGroup.WHITE),
    Ethnicity.GYPSY_ROMA: ("Gypsy/Roma", EthnicGroup.WHITE),
    Ethnicity.WHITE_AND_BLACK_CARIBBEAN: ("White and Black Caribbean", EthnicGroup.MIXED),
    Ethnicity.WHITE_AND_BLACK_AFRICAN: ("White and Black African", EthnicGroup.MIXED),
    Ethnicity.WHITE_AND_ASIAN: ("White and Asian", EthnicGroup.MIXED),
    Ethnicity.ANY_OTHER_MIXED: ("Any other mixed background", EthnicGroup.MIXED),
    Ethnicity.INDIAN: ("Indian", EthnicGroup.ASIAN),
    Ethnicity.PAKISTANI: ("Pakistani", EthnicGroup.ASIAN),
    Ethnicity.BANGLADESHI: ("Bangladeshi", EthnicGroup.ASIAN),
    Ethnicity.ANY_OTHER_ASIAN: ("Any other Asian background", EthnicGroup.ASIAN),
    Ethnicity.BLACK_CARIBBEAN: ("Black Caribbean", EthnicGroup.BLACK),
    Ethnicity.BLACK_AFRICAN: ("Black African", EthnicGroup.BLACK),
    Ethnicity.ANY_OTHER_BLACK: ("Any other Black background", EthnicGroup.BLACK),
    Ethnicity.CHINESE: ("Chinese", EthnicGroup.CHINESE),
    Ethnicity.ANY_OTHER_ETHNIC_GROUP: ("Any other ethnic group", EthnicGroup.OTHER),
    Ethnicity.REFUSED: ("Refused", EthnicGroup.NOT_KNOWN),
    Ethnicity.NOT_OBTAINED: ("Information not yet obtained", EthnicGroup.NOT_KNOWN),
}


class Community(StrEnum):
    """The new emerging communities the committee asked to focus on (resolution 4).

    One definition for every figure split by community: a child belongs to one through the
    ethnicity code recorded (`Ethnicity.community`), and an awareness session is aimed at one
    when its deliverer says so (`safehub.awareness`). See `Ethnicity.is_emerging_community` for
    why these groups and not others.
    """

    GYPSY_ROMA_TRAVELLER = "gypsy_roma_traveller"
    OTHER_WHITE = "other_white"

    @property
    def label(self) -> str:
        return _COMMUNITY_LABELS[self]


_COMMUNITY_LABELS: Final[Mapping[Community, str]] = {
    Community.GYPSY_ROMA_TRAVELLER: "Gypsy, Roma or Irish Traveller",
    Community.OTHER_WHITE: "Any other White background",
}

_EMERGING_COMMUNITIES: Final[Mapping[Ethnicity, Community]] = {
    Ethnicity.GYPSY_ROMA: Community.GYPSY_ROMA_TRAVELLER,
    Ethnicity.TRAVELLER_OF_IRISH_HERITAGE: Community.GYPSY_ROMA_TRAVELLER,
    Ethnicity.ANY_OTHER_WHITE: Community.OTHER_WHITE,
}

# A child's group in a figure split by community: one of the communities, any other recorded
# ethnicity, or none recorded (refused, not obtained, or no record at all).
OTHER_COMMUNITY: Final = "other"
COMMUNITY_NOT_RECORDED: Final = "not_recorded"
COMMUNITY_GROUPS: Final[Mapping[str, str]] = {
    **{c.value: c.label for c in Community},
    OTHER_COMMUNITY: "Any other ethnicity recorded",
    COMMUNITY_NOT_RECORDED: "Ethnicity not recorded",
}


def community_group(ethnicity: str | None) -> str:
    """The group a child with this ethnicity code counts under (a key of `COMMUNITY_GROUPS`)."""
    if not ethnicity:
        return COMMUNITY_NOT_RECORDED
    code = Ethnicity(ethnicity)
    if code.group is EthnicGroup.NOT_KNOWN:
        return COMMUNITY_NOT_RECORDED
    return code.community.value if code.community else OTHER_COMMUNITY


class EthnicityRecordingSource(StrEnum):
    """Who said what the child's ethnicity is.

    The committee heard that ethnicity figures were unreliable because recording "did not always
    reflect how people identified themselves". Keeping the source beside the code lets the report
    say how much of a breakdown rests on self- or family identification.
    """

    SELF_IDENTIFIED = "self_identified"
    PARENT_CARER = "parent_carer"
    OBSERVED_BY_PROFESSIONAL = "observed_by_professional"
    NOT_OBTAINED = "not_obtained"

    @property
    def label(self) -> str:
        return _RECORDING_SOURCE_LABELS[self]

    @property
    def reflects_identity(self) -> bool:
        """True when the child or their family gave the ethnicity, rather than a professional."""
        return self in _IDENTIFIED_BY_FAMILY


_RECORDING_SOURCE_LABELS: Final[Mapping[EthnicityRecordingSource, str]] = {
    EthnicityRecordingSource.SELF_IDENTIFIED: "Given by the child",
    EthnicityRecordingSource.PARENT_CARER: "Given by a parent or carer",
    EthnicityRecordingSource.OBSERVED_BY_PROFESSIONAL: "Recorded by a professional's observation",
    EthnicityRecordingSource.NOT_OBTAINED: "Not obtained",
}


_IDENTIFIED_BY_FAMILY: Final = frozenset(
    {EthnicityRecordingSource.SELF_IDENTIFIED, EthnicityRecordingSource.PARENT_CARER}
)


class ExploitationType(StrEnum):
    CSE = "cse"
    CCE = "cce"
    TRAFFICKING = "trafficking"
    ONLINE = "online"

    @property
    def label(self) -> str:
        return _EXPLOITATION_TYPE_LABELS[self]


_EXPLOITATION_TYPE_LABELS: Final[Mapping[ExploitationType, str]] = {
    ExploitationType.CSE: "Child sexual exploitation",
    ExploitationType.CCE: "Child criminal exploitation (including county lines)",
    ExploitationType.TRAFFICKING: "Trafficking and modern slavery",
    ExploitationType.ONLINE: "Online exploitation",
}


class AssessmentFactor(StrEnum):
    """The CIN census assessment factors that bear on exploitation (not the full list)."""

    MISSING = "10A"
    CSE = "11A"
    TRAFFICKING = "12A"
    GANGS = "13A"
    CCE = "24A"

    @property
    def label(self) -> str:
        return _ASSESSMENT_FACTOR_LABELS[self]


_ASSESSMENT_FACTOR_LABELS: Final[Mapping[AssessmentFactor, str]] = {
    AssessmentFactor.MISSING: "Missing",
    AssessmentFactor.CSE: "Child sexual exploitation",
    AssessmentFactor.TRAFFICKING: "Trafficking",
    AssessmentFactor.GANGS: "Gangs",
    AssessmentFactor.CCE: "Child criminal exploitation",
}


class Sex(StrEnum):
    FEMALE = "F"
    MALE = "M"
    UNKNOWN = "U"
    INDETERMINATE = "I"

    @property
    def label(self) -> str:
        return _SEX_LABELS[self]


_SEX_LABELS: Final[Mapping[Sex, str]] = {
    Sex.FEMALE: "Female",
    Sex.MALE: "Male",
    Sex.UNKNOWN: "Unknown or not stated",
    Sex.INDETERMINATE: "Indeterminate",
}


class RiskLevel(StrEnum):
    """The hub's risk grades, lowest first.

    As strings "high" < "low", so never compare levels with `<` or sort them by value: use
    `rank`, `compare_risk` or `highest_risk`.
    """

    NONE = "none"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def rank(self) -> int:
        """0 for none up to 3 for high."""
        return _RISK_RANKS[self]


_RISK_RANKS: Final[Mapping[RiskLevel, int]] = {level: i for i, level in enumerate(RiskLevel)}


def compare_risk(a: RiskLevel, b: RiskLevel) -> int:
    """-1, 0 or 1 as `a` is lower than, the same as or higher than `b`, like the old `cmp`."""
    return (a.rank > b.rank) - (a.rank < b.rank)


def highest_risk(levels: Iterable[RiskLevel]) -> RiskLevel:
    """The highest of the levels; none when there are none."""
    return max(levels, key=lambda level: level.rank, default=RiskLevel.NONE)


class RiskChange(StrEnum):
    ESCALATED = "escalated"
    UNCHANGED = "unchanged"
    DE_ESCALATED = "de_escalated"


def risk_change(before: RiskLevel, after: RiskLevel) -> RiskChange:
    """Which way an episode's risk moved, for its history and for override oversight."""
    return {1: RiskChange.ESCALATED, 0: RiskChange.UNCHANGED, -1: RiskChange.DE_ESCALATED}[
        compare_risk(after, before)
    ]


_NHS_NUMBER = re.compile(r"^(?:[0-9]{10}|[0-9]{3} [0-9]{3} [0-9]{4})$")
_NHS_CHECK_MODULUS = 11


def nhs_number_is_valid(text: str) -> bool:
    """Ten digits, optionally spaced 3-3-4, whose last digit is the Modulus 11 check digit.

    The first nine digits are weighted 10 down to 2; the check digit is 11 minus the weighted
    sum modulo 11, with 11 read as 0. A result of 10 means no number is issued with that stem.
    The check catches every single mistyped digit and every swap of two neighbouring digits,
    which is why a failed check is worth refusing at the form.
    """
    stripped = text.strip()
    if not _NHS_NUMBER.match(stripped):
        return False
    digits = [int(c) for c in stripped.replace(" ", "")]
    total = sum(weight * digit for weight, digit in zip(range(10, 1, -1), digits[:9], strict=True))
    check = _NHS_CHECK_MODULUS - total % _NHS_CHECK_MODULUS
    if check == _NHS_CHECK_MODULUS:
        check = 0
    return check == digits[9]


def format_nhs_number(text: str) -> str:
    """A valid NHS number in the 3-3-4 form people read it in (`"943 476 5919"`)."""
    if not nhs_number_is_valid(text):
        raise ValueError("not a valid NHS number")
    digits = text.strip().replace(" ", "")
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def age_on(date_of_birth: date, on: date) -> int:
    """Age in whole years on a day. A 29 February birthday falls on 1 March in other years."""
    if on < date_of_birth:
        raise ValueError("the date is before the date of birth")
    had_birthday = (on.month, on.day) >= (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - (0 if had_birthday else 1)


# (band, lowest age in it), youngest first. Almost all the hub's children are 12 to 17, so the
# bands are narrow there and wide either side.
_AGE_BANDS: Final = (
    ("under 10", 0),
    ("10-11", 10),
    ("12-13", 12),
    ("14-15", 14),
    ("16-17", 16),
    ("18 and over", 18),
)
AGE_BANDS: Final[tuple[str, ...]] = tuple(band for band, _ in _AGE_BANDS)


def age_band(age: int) -> str:
    """The report's age band for an age in whole years; `AGE_BANDS` lists them in order."""
    if age < 0:
        raise ValueError(f"age must not be negative, got {age}")
    return next(band for band, lowest in reversed(_AGE_BANDS) if age >= lowest)


_UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # the 23 check letters (no I, O or S)
_UPN = re.compile(r"^[A-HJ-NP-RT-Z][0-9]{11}[0-9A-HJ-NP-RT-Z]$")


def upn_is_valid(text: str) -> bool:
    """A Unique Pupil Number: a check letter, then 11 digits, then a digit or (temporary) letter.

    The check letter is the sum of characters 2-13 weighted 2 to 13 (a trailing letter counts
    as its place in the check-letter alphabet), modulo 23, read in that alphabet.
    """
    return bool(_UPN.match(text)) and upn_check_letter(text[1:]) == text[0]


def upn_check_letter(tail: str) -> str:
    """The check letter for the 12 characters after it."""
    total = 0
    for weight, char in enumerate(tail, start=2):
        total += weight * (int(char) if char.isdigit() else _UPN_LETTERS.index(char))
    return _UPN_LETTERS[total % 23]
