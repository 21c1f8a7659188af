from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safehub.rules import screening
from safehub.rules.codes import RiskChange, RiskLevel
from safehub.rules.screening import (
    FinalRisk,
    Tool,
    ToolError,
    accept,
    apply_override,
    available_tools,
    load_tool,
    parse_tool,
    score,
)

TOOL = load_tool()


def keys(group: str, *, alone_is_high: bool | None = None) -> list[str]:
    """The tool's indicator keys in a group, optionally only those (not) marked alone_is_high."""
    (found,) = [g for g in TOOL.groups if g.key == group]
    return [
        i.key for i in found.indicators if alone_is_high is None or i.alone_is_high is alone_is_high
    ]


VULNERABILITIES = keys("vulnerabilities")
MODERATE = keys("moderate")
SIGNIFICANT = keys("significant", alone_is_high=False)  # significant, but not high on their own
ALONE = keys("significant", alone_is_high=True)


def yes(*answered: str) -> dict[str, bool]:
    return dict.fromkeys(answered, True)


# The packaged tool -------------------------------------------------------------------------


def test_the_packaged_tool_loads_and_is_the_latest() -> None:
    assert (TOOL.id, TOOL.version) == ("exploitation-screening", 1)
    assert load_tool("exploitation-screening", 1) is TOOL
    assert TOOL in available_tools()
    assert TOOL.title
    assert [g.key for g in TOOL.groups] == ["vulnerabilities", "moderate", "significant"]


def test_each_group_asks_eight_to_twelve_questions_with_unique_keys() -> None:
    for group in TOOL.groups:
        assert 8 <= len(group.indicators) <= 12, group.key
        assert all(i.text and i.text[0].isupper() for i in group.indicators)
    assert len(set(TOOL.indicator_keys)) == len(TOOL.indicator_keys)


def test_only_significant_indicators_are_high_on_their_own() -> None:
    assert set(ALONE) == {"disclosure", "sex_in_exchange", "controlled_by_others"}
    assert not [k for k in VULNERABILITIES + MODERATE if k in ALONE]


def test_the_tool_covers_the_main_indicators_of_exploitation() -> None:
    for key in [
        "going_missing",
        "older_associates",
        "unexplained_items",
        "cars_with_unknown_adults",
        "school_absence",
        "substance_misuse",
        "sexual_health",
        "exploited_peers",
        "locations_of_concern",
        "online_contact",
        "weapons_or_cash",
        "found_out_of_area",
        "unexplained_injuries",
        "self_harm",
        "care_experience",
        "disclosure",
    ]:
        assert key in TOOL.indicator_keys


def test_every_rule_is_described() -> None:
    assert TOOL.rule_description("two-significant") == "Two or more significant indicators"
    assert "under 13" in TOOL.rule_description("under-13-significant")
    with pytest.raises(LookupError, match="no-such-rule"):
        TOOL.rule_description("no-such-rule")


def test_unknown_tools_and_versions_are_not_found() -> None:
    with pytest.raises(LookupError, match="no screening tool"):
        load_tool("no-such-tool")
    with pytest.raises(LookupError, match="no version 99"):
        load_tool("exploitation-screening", 99)


# Bands ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "level", "rule"),
    [
        ({}, RiskLevel.NONE, None),
        (yes(VULNERABILITIES[0]), RiskLevel.NONE, None),
        (yes(*VULNERABILITIES[:2]), RiskLevel.LOW, "two-vulnerabilities"),
        (yes(MODERATE[0]), RiskLevel.LOW, "one-moderate"),
        (yes(*MODERATE[:2]), RiskLevel.LOW, "one-moderate"),
        (yes(*MODERATE[:3]), RiskLevel.MEDIUM, "three-moderate"),
        (yes(SIGNIFICANT[0]), RiskLevel.MEDIUM, "one-significant"),
        (yes(SIGNIFICANT[0], MODERATE[0]), RiskLevel.MEDIUM, "one-significant"),
        (yes(*SIGNIFICANT[:2]), RiskLevel.HIGH, "two-significant"),
        (yes(SIGNIFICANT[0], *MODERATE[:2]), RiskLevel.HIGH, "significant-and-two-moderate"),
        (yes(ALONE[0]), RiskLevel.HIGH, "significant-alone-is-high"),
        # When several rules reach the same level, the first in the file decides.
        (yes(*MODERATE[:2], *VULNERABILITIES[:2]), RiskLevel.LOW, "one-moderate"),
        (yes(*ALONE[:2], *SIGNIFICANT[:2]), RiskLevel.HIGH, "significant-alone-is-high"),
        # Vulnerabilities alone never reach medium, however many there are.
        (yes(*VULNERABILITIES), RiskLevel.LOW, "two-vulnerabilities"),
        (yes(*MODERATE), RiskLevel.MEDIUM, "three-moderate"),
    ],
)
def test_bands(answers: dict[str, bool], level: RiskLevel, rule: str | None) -> None:
    result = score(TOOL, answers, age=15)
    assert (result.level, result.band_rule) == (level, rule)
    assert result.band_level is level
    assert result.age_floor is None


@pytest.mark.parametrize("key", ALONE)
def test_each_indicator_marked_alone_is_high_means_high(key: str) -> None:
    assert score(TOOL, yes(key), age=16).level is RiskLevel.HIGH


@pytest.mark.parametrize("key", SIGNIFICANT)
def test_each_other_significant_indicator_alone_means_medium(key: str) -> None:
    assert score(TOOL, yes(key), age=16).level is RiskLevel.MEDIUM


def test_answers_of_no_count_for_nothing() -> None:
    answers = dict.fromkeys(TOOL.indicator_keys, False)
    result = score(TOOL, answers, age=14)
    assert result.level is RiskLevel.NONE
    assert result.fired == ()
    assert dict(result.counts) == {"vulnerabilities": 0, "moderate": 0, "significant": 0}


def test_the_result_counts_each_group_and_lists_what_fired_in_the_tools_order() -> None:
    answers = yes("drug_supply", "going_missing", "care_experience", "self_harm")
    answers["online_contact"] = False
    result = score(TOOL, answers, age=14)
    assert dict(result.counts) == {"vulnerabilities": 1, "moderate": 2, "significant": 1}
    assert result.fired == ("care_experience", "going_missing", "self_harm", "drug_supply")
    assert (result.tool_id, result.tool_version, result.age) == ("exploitation-screening", 1, 14)


def test_unknown_answer_keys_are_refused_by_name() -> None:
    with pytest.raises(ValueError, match="no indicator not_a_question, typo_key"):
        score(TOOL, {"typo_key": True, "going_missing": True, "not_a_question": False}, age=14)


def test_answers_must_be_yes_or_no() -> None:
    with pytest.raises(TypeError, match="going_missing"):
        score(TOOL, {"going_missing": "false"}, age=14)  # type: ignore[dict-item]


def test_a_negative_age_is_refused() -> None:
    with pytest.raises(ValueError, match="age"):
        score(TOOL, {}, age=-1)


# Age floors -------------------------------------------------------------------------------


@given(
    st.sets(st.sampled_from(TOOL.indicator_keys)),
    st.sampled_from(SIGNIFICANT + ALONE),
    st.one_of(st.none(), st.integers(0, 12)),
)
def test_a_child_under_13_with_a_significant_indicator_is_never_low(
    answered: set[str], significant: str, age: int | None
) -> None:
    result = score(TOOL, yes(*answered, significant), age=age)
    assert result.level.rank >= RiskLevel.MEDIUM.rank


# A tool whose bands alone would leave a significant sign at low, so the floor has work to do.
FLOORED = """
id = "floored"
version = 1
title = "Floors"
valid_from = 2025-04-01

[groups.moderate]
title = "Moderate"
[[groups.moderate.indicators]]
key = "m"
text = "M"

[groups.significant]
title = "Significant"
[[groups.significant.indicators]]
key = "s"
text = "S"

[[bands]]
id = "any-significant"
level = "low"
description = "Any significant"
requires = { significant = 1 }

[[bands]]
id = "significant-and-moderate"
level = "high"
description = "Significant and moderate"
requires = { significant = 1, moderate = 1 }

[[age_floors]]
id = "under-13"
max_age = 12
min_level = "medium"
description = "Under 13 with a significant sign"
requires = { significant = 1 }
"""


@pytest.fixture
def floored() -> Tool:
    return parse_tool(FLOORED)


@pytest.mark.parametrize(
    ("age", "level", "floor"),
    [
        (12, RiskLevel.MEDIUM, "under-13"),
        (0, RiskLevel.MEDIUM, "under-13"),
        (13, RiskLevel.LOW, None),
        (17, RiskLevel.LOW, None),
        (None, RiskLevel.MEDIUM, "under-13"),  # an unknown age keeps the protection
    ],
)
def test_an_age_floor_raises_a_young_childs_level(
    floored: Tool, age: int | None, level: RiskLevel, floor: str | None
) -> None:
    result = score(floored, {"s": True}, age=age)
    assert (result.level, result.age_floor) == (level, floor)
    assert (result.band_level, result.band_rule) == (RiskLevel.LOW, "any-significant")


def test_an_age_floor_is_not_recorded_when_the_band_is_already_higher(floored: Tool) -> None:
    result = score(floored, {"s": True, "m": True}, age=10)
    assert (result.level, result.age_floor) == (RiskLevel.HIGH, None)


def test_an_age_floor_needs_its_condition(floored: Tool) -> None:
    assert score(floored, {"m": True}, age=10).level is RiskLevel.NONE


def test_an_age_floor_without_max_age_applies_at_any_age() -> None:
    tool = parse_tool(FLOORED.replace("max_age = 12\n", ""))
    assert score(tool, {"s": True}, age=17).level is RiskLevel.MEDIUM


def test_an_age_floor_without_a_condition_applies_to_every_young_child() -> None:
    tool = parse_tool(FLOORED.rsplit("requires", 1)[0])
    assert score(tool, {}, age=8).level is RiskLevel.MEDIUM
    assert score(tool, {}, age=13).level is RiskLevel.NONE


# Monotonicity ------------------------------------------------------------------------------


@given(
    st.sets(st.sampled_from(TOOL.indicator_keys)),
    st.sets(st.sampled_from(TOOL.indicator_keys)),
    st.one_of(st.none(), st.integers(0, 20)),
)
def test_another_yes_never_lowers_the_level(
    before: set[str], more: set[str], age: int | None
) -> None:
    lower = score(TOOL, yes(*before), age=age)
    higher = score(TOOL, yes(*before, *more), age=age)
    assert higher.level.rank >= lower.level.rank


@given(st.sets(st.sampled_from(["m", "s"])), st.integers(0, 20), st.integers(0, 20))
def test_a_younger_child_is_never_rated_lower(answered: set[str], a: int, b: int) -> None:
    tool = parse_tool(FLOORED)
    younger, older = sorted((a, b))
    assert score(tool, yes(*answered), age=younger).level.rank >= (
        score(tool, yes(*answered), age=older).level.rank
    )


# Results are data --------------------------------------------------------------------------


def test_a_result_is_immutable() -> None:
    result = score(TOOL, yes(MODERATE[0]), age=14)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.level = RiskLevel.HIGH  # type: ignore[misc]
    with pytest.raises(TypeError):
        result.counts["moderate"] = 9  # type: ignore[index]


def test_a_result_stores_as_json() -> None:
    result = score(TOOL, yes("disclosure", "going_missing"), age=11)
    stored = json.loads(json.dumps(result.to_dict()))
    assert stored == {
        "tool_id": "exploitation-screening",
        "tool_version": 1,
        "level": "high",
        "band_level": "high",
        "band_rule": "significant-alone-is-high",
        "age_floor": None,
        "age": 11,
        "counts": {"vulnerabilities": 0, "moderate": 1, "significant": 1},
        "fired": ["going_missing", "disclosure"],
    }


# Overrides ---------------------------------------------------------------------------------


@pytest.fixture
def medium() -> screening.ScreeningResult:
    return score(TOOL, yes(SIGNIFICANT[0]), age=15)


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_an_override_needs_a_reason(medium: screening.ScreeningResult, reason: str) -> None:
    with pytest.raises(ValueError, match="reason"):
        apply_override(medium, RiskLevel.HIGH, reason)


def test_an_override_must_change_the_level(medium: screening.ScreeningResult) -> None:
    with pytest.raises(ValueError, match="already medium"):
        apply_override(medium, RiskLevel.MEDIUM, "Agree with the tool")


def test_an_override_records_both_levels_and_the_reason(
    medium: screening.ScreeningResult,
) -> None:
    final = apply_override(medium, RiskLevel.HIGH, "  Seen with a person of concern last night ")
    assert (final.computed, final.final) == (RiskLevel.MEDIUM, RiskLevel.HIGH)
    assert final.overridden
    assert final.reason == "Seen with a person of concern last night"
    assert final.change is RiskChange.ESCALATED
    assert final.to_dict() == {
        "computed": "medium",
        "final": "high",
        "overridden": True,
        "reason": "Seen with a person of concern last night",
    }


def test_a_downward_override_is_a_de_escalation(medium: screening.ScreeningResult) -> None:
    final = apply_override(medium, RiskLevel.LOW, "The concern was about a different child")
    assert final.change is RiskChange.DE_ESCALATED


def test_accepting_the_computed_level_is_not_an_override(
    medium: screening.ScreeningResult,
) -> None:
    final = accept(medium)
    assert (final.computed, final.final, final.overridden, final.reason) == (
        RiskLevel.MEDIUM,
        RiskLevel.MEDIUM,
        False,
        None,
    )
    assert final.change is RiskChange.UNCHANGED


@pytest.mark.parametrize(
    ("final", "reason"), [(RiskLevel.HIGH, None), (RiskLevel.MEDIUM, "A reason with no change")]
)
def test_a_final_risk_keeps_reason_and_override_together(
    final: RiskLevel, reason: str | None
) -> None:
    with pytest.raises(ValueError, match="reason"):
        FinalRisk(computed=RiskLevel.MEDIUM, final=final, reason=reason)


# Validating tool files ---------------------------------------------------------------------


def test_the_floored_example_is_valid(floored: Tool) -> None:
    assert (floored.id, floored.version, floored.indicator_keys) == ("floored", 1, ("m", "s"))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('id = "floored"\n', "", "<string>: id: missing"),
        ('id = "floored"', 'id = "Floored Tool"', "id: 'Floored Tool' must match"),
        ("version = 1", "version = 0", "version: must be a whole number of at least 1"),
        ("version = 1", "version = true", "version: must be a whole number"),
        ("version = 1", 'version = "1"', "version: must be a whole number"),
        ('title = "Floors"', 'title = " "', "title: must be non-blank text"),
        ("valid_from = 2025-04-01", 'valid_from = "2025-04-01"', "valid_from: must be a TOML date"),
        ("valid_from = 2025-04-01", "valid_from = 2025-04-01T09:00:00", "valid_from: must be"),
        ("valid_from = 2025-04-01\n", 'valid_from = 2025-04-01\nauthor = "x"\n', "author: unknown"),
        ('text = "M"', "", "groups.moderate.indicators[0].text: missing"),
        ('key = "s"', 'key = "m"', "groups.significant.indicators[0].key: indicator 'm' is used"),
        ('key = "m"', 'key = "Bad Key"', "groups.moderate.indicators[0].key: 'Bad Key' must"),
        (
            'text = "S"',
            'text = "S"\nalone_is_hgh = true',
            "groups.significant.indicators[0].alone_is_hgh: unknown key",
        ),
        (
            'text = "S"',
            'text = "S"\nalone_is_high = "yes"',
            "groups.significant.indicators[0].alone_is_high: must be true or false",
        ),
        ('text = "S"', 'text = "S"\nhint = ""', "groups.significant.indicators[0].hint: must be"),
        ('title = "Moderate"', "", "groups.moderate.title: missing"),
        ("[groups.moderate]", "[groups.alone_is_high]", "groups.alone_is_high: is not a usable"),
        ('level = "low"', 'level = "severe"', "bands[0].level: must be one of low, medium, high"),
        ('level = "low"', 'level = "none"', "bands[0].level: must be one of low, medium, high"),
        (
            "requires = { significant = 1 }\n\n[[bands]]",
            "requires = { signifcant = 1 }\n\n[[bands]]",
            "bands[0].requires.signifcant: is not a group or alone_is_high",
        ),
        (
            "requires = { significant = 1 }\n\n[[bands]]",
            "requires = { significant = 0 }\n\n[[bands]]",
            "bands[0].requires.significant: must be a whole number of at least 1",
        ),
        (
            "requires = { significant = 1 }\n\n[[bands]]",
            "requires = {}\n\n[[bands]]",
            "bands[0].requires: must ask for at least one count",
        ),
        ('description = "Any significant"\n', "", "bands[0].description: missing"),
        ("max_age = 12", "max_age = -1", "age_floors[0].max_age: must be a whole number"),
        ('min_level = "medium"', 'min_level = "urgent"', "age_floors[0].min_level: must be"),
        ('id = "under-13"', 'id = "any-significant"', "rule id 'any-significant' is used twice"),
    ],
)
def test_a_bad_tool_is_refused_naming_the_key(old: str, new: str, message: str) -> None:
    assert old in FLOORED
    with pytest.raises(ToolError) as error:
        parse_tool(FLOORED.replace(old, new, 1))
    assert message in str(error.value)


def before(marker: str) -> str:
    """The FLOORED tool up to a marker: a tool with the rest left out."""
    return FLOORED.partition(marker)[0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id = ", "<string>: not valid TOML"),
        (before("[groups.moderate]") + "groups = 3\n", "groups: must be a table"),
        (before("[groups.moderate]") + "[groups]\n", "groups: must define at least"),
        (before("[[bands]]"), "bands: missing"),
        ("bands = []\n" + before("[[bands]]"), "bands: must be a non-empty array"),
        (
            before("[[age_floors]]") + '[[age_floors]]\nid = "x"\nmin_level = "low"\n'
            'description = "Nothing to go on"\n',
            "age_floors[0]: an age floor needs max_age, requires or both",
        ),
    ],
)
def test_a_malformed_tool_is_refused(text: str, message: str) -> None:
    with pytest.raises(ToolError, match=re.escape(message)):
        parse_tool(text)


def test_the_error_names_the_file() -> None:
    with pytest.raises(ToolError, match=r"^floored-v1\.toml: version: "):
        parse_tool(FLOORED.replace("version = 1", "version = 0"), source="floored-v1.toml")


# Loading from a package --------------------------------------------------------------------


@pytest.fixture
def test_tools(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Point the loader at the tool files beside these tests, with a fresh cache either side."""
    monkeypatch.setattr(screening, "TOOLS_PACKAGE", "tests.unit.rules.tool_files")
    screening._load.cache_clear()  # noqa: SLF001
    yield
    screening._load.cache_clear()  # noqa: SLF001


@pytest.mark.usefixtures("test_tools")
def test_the_latest_version_is_loaded_unless_one_is_named() -> None:
    assert load_tool("demo-tool").version == 2
    assert load_tool("demo-tool").bands[0].level is RiskLevel.MEDIUM
    assert load_tool("demo-tool", 1).title == "Demo tool, first version"


@pytest.mark.usefixtures("test_tools")
def test_a_file_must_hold_the_tool_its_name_says() -> None:
    with pytest.raises(ToolError, match=r"misnamed-v1\.toml: id and version must match"):
        load_tool("misnamed")
    with pytest.raises(ToolError, match=r"misnamed-v1\.toml"):
        available_tools()
