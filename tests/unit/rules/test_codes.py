from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from safehub.rules import codes
from safehub.rules.codes import (
    AGE_BANDS,
    AssessmentFactor,
    EthnicGroup,
    Ethnicity,
    EthnicityRecordingSource,
    ExploitationType,
    ReferralSource,
    RiskChange,
    RiskLevel,
    Sex,
    age_band,
    age_on,
    choices,
    compare_risk,
    format_nhs_number,
    highest_risk,
    nhs_number_is_valid,
    risk_change,
)

LABELLED = [
    ReferralSource,
    EthnicGroup,
    Ethnicity,
    EthnicityRecordingSource,
    ExploitationType,
    AssessmentFactor,
    Sex,
    RiskLevel,
]


@pytest.mark.parametrize("codes", LABELLED)
def test_every_code_has_a_distinct_label(codes: type[StrEnum]) -> None:
    labels = [member.label for member in codes]  # type: ignore[attr-defined]
    assert all(label.strip() == label and label for label in labels)
    assert len(set(labels)) == len(labels)


@pytest.mark.parametrize("codes", LABELLED)
def test_codes_are_found_by_their_stored_value(codes: type[StrEnum]) -> None:
    for member in codes:
        assert codes(str(member)) is member


def test_referral_sources_are_the_cin_census_list_in_order() -> None:
    assert [str(s) for s in ReferralSource] == [
        *("1A", "1B", "1C", "1D", "1E", "2A", "2B", "3A", "3B", "3C", "3D", "3E", "3F", "4"),
        *("5A", "5B", "5C", "5D", "6", "7", "8", "9", "10"),
    ]
    assert ReferralSource("6") is ReferralSource.POLICE
    assert ReferralSource("3E").label == "Health services – A&E (emergency department)"
    assert ReferralSource("1C").label == (
        "Individual – acquaintance (including neighbours and child minders)"
    )
    assert ReferralSource.LA_YOUTH_SERVICES.label == "LA services – youth services"
    assert ReferralSource("10").label == "Unknown"


def test_choices_pair_each_code_with_its_label() -> None:
    assert choices(ExploitationType) == [
        ("cse", "Child sexual exploitation"),
        ("cce", "Child criminal exploitation (including county lines)"),
        ("trafficking", "Trafficking and modern slavery"),
        ("online", "Online exploitation"),
    ]
    assert choices([ReferralSource.POLICE, ReferralSource.ANONYMOUS]) == [
        ("6", "Police"),
        ("9", "Anonymous"),
    ]


def test_ethnicity_codes_roll_up_to_their_broad_groups() -> None:
    by_group: dict[EthnicGroup, set[str]] = {}
    for code in Ethnicity:
        by_group.setdefault(code.group, set()).add(str(code))
    assert by_group == {
        EthnicGroup.WHITE: {"WBRI", "WIRI", "WIRT", "WOTH", "WROM"},
        EthnicGroup.MIXED: {"MWBC", "MWBA", "MWAS", "MOTH"},
        EthnicGroup.ASIAN: {"AIND", "APKN", "ABAN", "AOTH"},
        EthnicGroup.BLACK: {"BCRB", "BAFR", "BOTH"},
        EthnicGroup.CHINESE: {"CHNE"},
        EthnicGroup.OTHER: {"OOTH"},
        EthnicGroup.NOT_KNOWN: {"REFU", "NOBT"},
    }
    assert Ethnicity("WROM").label == "Gypsy/Roma"
    assert Ethnicity("NOBT").label == "Information not yet obtained"
    assert EthnicGroup.ASIAN.label == "Asian or Asian British"


def test_emerging_communities_are_gypsy_roma_irish_travellers_and_other_white() -> None:
    assert {str(code) for code in Ethnicity if code.is_emerging_community} == {
        "WROM",
        "WIRT",
        "WOTH",
    }


def test_every_ethnicity_code_falls_in_one_community_group() -> None:
    groups = {str(code): codes.community_group(code) for code in Ethnicity}
    assert {c for c, g in groups.items() if g == "gypsy_roma_traveller"} == {"WROM", "WIRT"}
    assert {c for c, g in groups.items() if g == "other_white"} == {"WOTH"}
    assert {c for c, g in groups.items() if g == "not_recorded"} == {"REFU", "NOBT"}
    assert set(groups.values()) == set(codes.COMMUNITY_GROUPS)
    assert codes.community_group(None) == codes.community_group("") == "not_recorded"
    assert Ethnicity("WIRT").community is codes.Community.GYPSY_ROMA_TRAVELLER
    assert Ethnicity("WBRI").community is None
    assert list(codes.COMMUNITY_GROUPS.values()) == [
        "Gypsy, Roma or Irish Traveller",
        "Any other White background",
        "Any other ethnicity recorded",
        "Ethnicity not recorded",
    ]


def test_only_the_child_or_their_family_give_an_identity() -> None:
    assert {s for s in EthnicityRecordingSource if s.reflects_identity} == {
        EthnicityRecordingSource.SELF_IDENTIFIED,
        EthnicityRecordingSource.PARENT_CARER,
    }


def test_exploitation_assessment_factors_carry_their_cin_codes() -> None:
    assert {str(f): f.label for f in AssessmentFactor} == {
        "10A": "Missing",
        "11A": "Child sexual exploitation",
        "12A": "Trafficking",
        "13A": "Gangs",
        "24A": "Child criminal exploitation",
    }


def test_sex_codes() -> None:
    assert [str(s) for s in Sex] == ["F", "M", "U", "I"]
    assert Sex("U").label == "Unknown or not stated"


def test_risk_levels_rank_from_none_to_high() -> None:
    assert [level.rank for level in RiskLevel] == [0, 1, 2, 3]
    # Their string values sort wrongly ("high" < "low"), which is why rank exists.
    assert sorted(RiskLevel, key=lambda level: level.rank) == [
        RiskLevel.NONE,
        RiskLevel.LOW,
        RiskLevel.MEDIUM,
        RiskLevel.HIGH,
    ]
    assert RiskLevel.HIGH.label == "High"


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (RiskLevel.HIGH, RiskLevel.LOW, 1),
        (RiskLevel.LOW, RiskLevel.HIGH, -1),
        (RiskLevel.MEDIUM, RiskLevel.MEDIUM, 0),
        (RiskLevel.NONE, RiskLevel.LOW, -1),
    ],
)
def test_compare_risk(a: RiskLevel, b: RiskLevel, expected: int) -> None:
    assert compare_risk(a, b) == expected


def test_highest_risk() -> None:
    assert highest_risk([RiskLevel.LOW, RiskLevel.HIGH, RiskLevel.MEDIUM]) is RiskLevel.HIGH
    assert highest_risk([RiskLevel.LOW, RiskLevel.NONE]) is RiskLevel.LOW
    assert highest_risk([]) is RiskLevel.NONE


def test_risk_changes_escalate_and_de_escalate() -> None:
    assert risk_change(RiskLevel.LOW, RiskLevel.HIGH) is RiskChange.ESCALATED
    assert risk_change(RiskLevel.HIGH, RiskLevel.MEDIUM) is RiskChange.DE_ESCALATED
    assert risk_change(RiskLevel.MEDIUM, RiskLevel.MEDIUM) is RiskChange.UNCHANGED


@given(st.sampled_from(RiskLevel), st.sampled_from(RiskLevel))
def test_comparison_is_antisymmetric(a: RiskLevel, b: RiskLevel) -> None:
    assert compare_risk(a, b) == -compare_risk(b, a)
    assert (compare_risk(a, b) == 0) == (a is b)


# NHS numbers: built here in the 999 range, which is kept for test data and never issued, so
# no test can hold a real person's number.


def check_digit(stem: str) -> int | None:
    """The Modulus 11 check digit for nine digits, or None when no number has this stem."""
    remainder = (
        sum(int(d) * w for d, w in zip(stem, [10, 9, 8, 7, 6, 5, 4, 3, 2], strict=True)) % 11
    )
    check = (11 - remainder) % 11
    return None if check == 10 else check


stems = st.text(alphabet="0123456789", min_size=6, max_size=6).map(lambda tail: f"999{tail}")


@st.composite
def nhs_numbers(draw: st.DrawFn) -> str:
    stem = draw(stems)
    check = check_digit(stem)
    assume(check is not None)
    return f"{stem}{check}"


@given(nhs_numbers())
def test_generated_numbers_are_valid_with_or_without_spaces(number: str) -> None:
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}"
    assert nhs_number_is_valid(number)
    assert nhs_number_is_valid(spaced)
    assert nhs_number_is_valid(f" {spaced} ")
    assert format_nhs_number(number) == spaced
    assert format_nhs_number(spaced) == spaced


@given(nhs_numbers(), st.integers(0, 9), st.integers(1, 9))
def test_any_one_mistyped_digit_is_caught(number: str, position: int, shift: int) -> None:
    wrong = str((int(number[position]) + shift) % 10)
    assert not nhs_number_is_valid(number[:position] + wrong + number[position + 1 :])


@given(nhs_numbers(), st.integers(0, 8))
def test_any_swap_of_neighbouring_digits_is_caught(number: str, position: int) -> None:
    a, b = number[position], number[position + 1]
    assume(a != b)
    assert not nhs_number_is_valid(number[:position] + b + a + number[position + 2 :])


@st.composite
def stems_without_a_number(draw: st.DrawFn) -> str:
    """Stems weighing 1 modulo 11, whose check digit would be 10: solve for the last digit."""
    head = draw(stems)[:8]
    weighed = sum(int(d) * w for d, w in zip(head, [10, 9, 8, 7, 6, 5, 4, 3], strict=True))
    last = next((d for d in range(10) if (weighed + 2 * d) % 11 == 1), None)
    assume(last is not None)
    return f"{head}{last}"


@given(stems_without_a_number())
def test_a_stem_whose_check_would_be_ten_has_no_valid_number(stem: str) -> None:
    assert check_digit(stem) is None
    assert not any(nhs_number_is_valid(f"{stem}{d}") for d in range(10))


def test_worked_examples() -> None:
    # 999 765 432: 9*10 + 9*9 + 9*8 + 7*7 + 6*6 + 5*5 + 4*4 + 3*3 + 2*2 = 382; 382 % 11 = 8;
    # 11 - 8 = 3, so the check digit is 3.
    assert nhs_number_is_valid("9997654323")
    assert not nhs_number_is_valid("9997654324")
    # 999 123 456 weighs 320; 320 % 11 = 1 and 11 - 1 = 10: no number has this stem.
    assert not any(nhs_number_is_valid(f"999123456{d}") for d in range(10))
    # 999 000 001 weighs 245; 245 % 11 = 3 and 11 - 3 = 8.
    assert nhs_number_is_valid("999 000 0018")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "999765432",  # nine digits
        "99976543230",  # eleven
        "9997 654 323",  # not 3-3-4
        "999  765 4323",  # two spaces
        "999-765-4323",
        "999765432X",
        "٩٩٩٧٦٥٤٣٢٣",  # Arabic-Indic digits: str.isdigit() would let these through
    ],
)
def test_malformed_nhs_numbers_are_invalid(text: str) -> None:
    assert not nhs_number_is_valid(text)


def test_formatting_refuses_an_invalid_number() -> None:
    with pytest.raises(ValueError, match="NHS number"):
        format_nhs_number("9997654324")


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(2010, 6, 15), date(2024, 6, 14), 13),
        (date(2010, 6, 15), date(2024, 6, 15), 14),
        (date(2010, 6, 15), date(2010, 6, 15), 0),
        (date(2008, 2, 29), date(2024, 2, 28), 15),
        (date(2008, 2, 29), date(2024, 2, 29), 16),
        (date(2008, 2, 29), date(2023, 2, 28), 14),  # not yet 15 in a common year...
        (date(2008, 2, 29), date(2023, 3, 1), 15),  # ... until 1 March
        (date(2006, 12, 31), date(2024, 1, 1), 17),
    ],
)
def test_age_on(born: date, on: date, age: int) -> None:
    assert age_on(born, on) == age


def test_age_before_birth_is_refused() -> None:
    with pytest.raises(ValueError, match="before the date of birth"):
        age_on(date(2010, 6, 15), date(2010, 6, 14))


def birthday(born: date, years: int) -> date:
    """The day a child born on `born` turns `years`: 1 March for a leap-day birth in other years."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return date(born.year + years, 3, 1)


@given(st.dates(max_value=date(2100, 1, 1)), st.integers(0, 40_000))
def test_age_is_the_number_of_birthdays_reached(born: date, days: int) -> None:
    on = born + timedelta(days=days)
    age = age_on(born, on)
    assert birthday(born, age) <= on < birthday(born, age + 1)


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (0, "under 10"),
        (9, "under 10"),
        (10, "10-11"),
        (11, "10-11"),
        (12, "12-13"),
        (13, "12-13"),
        (14, "14-15"),
        (15, "14-15"),
        (16, "16-17"),
        (17, "16-17"),
        (18, "18 and over"),
        (25, "18 and over"),
    ],
)
def test_age_bands(age: int, band: str) -> None:
    assert age_band(age) == band


def test_age_bands_are_listed_youngest_first() -> None:
    assert AGE_BANDS == ("under 10", "10-11", "12-13", "14-15", "16-17", "18 and over")


def test_a_negative_age_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        age_band(-1)


@given(st.integers(0, 120), st.integers(0, 120))
def test_older_children_are_never_in_a_younger_band(a: int, b: int) -> None:
    younger, older = sorted((a, b))
    assert AGE_BANDS.index(age_band(younger)) <= AGE_BANDS.index(age_band(older))
