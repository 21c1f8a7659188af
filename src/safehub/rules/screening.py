"""The exploitation screening engine: versioned tools defined as data, scored into a risk level.

A tool is a TOML file in `safehub/rules/tools/`, named `<id>-v<version>.toml`. Indicators, bands
and age floors are all data, so a new version is a reviewed file rather than a code change, and
a screening scored with version 1 scores the same way after version 2 is published. A result
records everything needed to explain the level later: the tool version, the indicators that
fired, the counts, the band rule that decided and any age floor that raised it. Pure: no Django.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from types import MappingProxyType
from typing import Final

from safehub.rules.codes import RiskChange, RiskLevel, risk_change

TOOLS_PACKAGE: Final = "safehub.rules.tools"
DEFAULT_TOOL: Final = "exploitation-screening"

# The counter a band can ask for besides the groups: fired indicators marked `alone_is_high`.
ALONE_IS_HIGH: Final = "alone_is_high"

_FILE_NAME = re.compile(r"^(?P<id>[a-z0-9]+(?:-[a-z0-9]+)*)-v(?P<version>[1-9][0-9]*)\.toml$")
_TOOL_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


class ToolError(ValueError):
    """A screening tool file that cannot be used, with the key at fault in the message."""


def _frozen(mapping: Mapping[str, int]) -> Mapping[str, int]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class Indicator:
    key: str
    text: str
    hint: str | None = None
    alone_is_high: bool = False


@dataclass(frozen=True)
class Group:
    key: str
    title: str
    indicators: tuple[Indicator, ...]
    description: str | None = None


@dataclass(frozen=True)
class BandRule:
    """The tool reaches `level` when every count in `requires` is at least the number given."""

    id: str
    level: RiskLevel
    description: str
    requires: Mapping[str, int]

    def holds(self, counters: Mapping[str, int]) -> bool:
        return all(counters[name] >= least for name, least in self.requires.items())


@dataclass(frozen=True)
class AgeFloor:
    """The least level for a child no older than `max_age` when `requires` holds.

    An unknown age counts as young enough: the floor is a protection, and a child whose age is
    not yet known must not lose it.
    """

    id: str
    min_level: RiskLevel
    description: str
    max_age: int | None = None
    requires: Mapping[str, int] = field(default_factory=lambda: _frozen({}))

    def applies(self, counters: Mapping[str, int], age: int | None) -> bool:
        young_enough = age is None or self.max_age is None or age <= self.max_age
        return young_enough and all(counters[n] >= least for n, least in self.requires.items())


@dataclass(frozen=True)
class Tool:
    id: str
    version: int
    title: str
    valid_from: date
    groups: tuple[Group, ...]
    bands: tuple[BandRule, ...]
    age_floors: tuple[AgeFloor, ...] = ()

    @property
    def indicator_keys(self) -> tuple[str, ...]:
        """Every indicator's key, in the order the tool asks them."""
        return tuple(i.key for g in self.groups for i in g.indicators)

    def rule_description(self, rule_id: str) -> str:
        """The plain-English description of a band rule or age floor, to explain a result."""
        rules: tuple[BandRule | AgeFloor, ...] = (*self.bands, *self.age_floors)
        for rule in rules:
            if rule.id == rule_id:
                return rule.description
        raise LookupError(f"{self.id} v{self.version} has no rule {rule_id!r}")


@dataclass(frozen=True)
class ScreeningResult:
    """What scoring found, kept with the screening so the level can be explained for ever."""

    tool_id: str
    tool_version: int
    level: RiskLevel
    band_level: RiskLevel  # before any age floor
    band_rule: str | None  # None when no rule held and the level is none
    age_floor: str | None  # the floor that raised the level, if one did
    age: int | None
    counts: Mapping[str, int]  # fired indicators per group
    fired: tuple[str, ...]  # keys of the indicators answered yes, in the tool's order

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready copy: plain dicts, lists, strings and numbers."""
        return {
            "tool_id": self.tool_id,
            "tool_version": self.tool_version,
            "level": str(self.level),
            "band_level": str(self.band_level),
            "band_rule": self.band_rule,
            "age_floor": self.age_floor,
            "age": self.age,
            "counts": dict(self.counts),
            "fired": list(self.fired),
        }


@dataclass(frozen=True)
class FinalRisk:
    """The level the hub acts on: the computed level, or a practitioner's override of it."""

    computed: RiskLevel
    final: RiskLevel
    reason: str | None = None

    def __post_init__(self) -> None:
        if self.overridden != (self.reason is not None):
            raise ValueError("a reason is recorded exactly when the level is overridden")

    @property
    def overridden(self) -> bool:
        return self.final != self.computed

    @property
    def change(self) -> RiskChange:
        """Which way the override moved the level; managers look hardest at de-escalations."""
        return risk_change(self.computed, self.final)

    def to_dict(self) -> dict[str, object]:
        return {
            "computed": str(self.computed),
            "final": str(self.final),
            "overridden": self.overridden,
            "reason": self.reason,
        }


def accept(result: ScreeningResult) -> FinalRisk:
    """The computed level, taken as it is."""
    return FinalRisk(computed=result.level, final=result.level)


def apply_override(result: ScreeningResult, level: RiskLevel, reason: str) -> FinalRisk:
    """A practitioner's professional judgement in place of the computed level.

    An override must change the level and say why: managers review every override by its reason,
    and a "same level" override would only add noise to that list. Agreement is `accept`.
    """
    reason = reason.strip()
    if not reason:
        raise ValueError("an override needs a reason")
    if level == result.level:
        raise ValueError(f"the computed level is already {level}; an override must change it")
    return FinalRisk(computed=result.level, final=level, reason=reason)


def score(tool: Tool, answers: Mapping[str, bool], *, age: int | None) -> ScreeningResult:
    """Score yes/no answers with a tool. A missing answer counts as no.

    The level is the highest level of any band rule that holds, then raised to the highest age
    floor that applies. Bands and floors only ask for "at least" counts, so another "yes" never
    lowers the level.
    """
    unknown = sorted(set(answers) - set(tool.indicator_keys))
    if unknown:
        raise ValueError(f"{tool.id} v{tool.version} has no indicator {', '.join(unknown)}")
    not_yes_or_no = sorted(key for key, value in answers.items() if not isinstance(value, bool))
    if not_yes_or_no:
        raise TypeError(f"answers must be True or False: {', '.join(not_yes_or_no)}")
    if age is not None and age < 0:
        raise ValueError(f"age must not be negative, got {age}")

    fired = tuple(key for key in tool.indicator_keys if answers.get(key, False))
    counts = {g.key: sum(1 for i in g.indicators if i.key in fired) for g in tool.groups}
    alone = sum(1 for g in tool.groups for i in g.indicators if i.alone_is_high and i.key in fired)
    counters = {**counts, ALONE_IS_HIGH: alone}

    # max() keeps the first of equal levels, so the earliest rule in the file decides a tie.
    band = max(
        (rule for rule in tool.bands if rule.holds(counters)),
        key=lambda rule: rule.level.rank,
        default=None,
    )
    band_level = band.level if band else RiskLevel.NONE
    floor = max(
        (
            floor
            for floor in tool.age_floors
            if floor.min_level.rank > band_level.rank and floor.applies(counters, age)
        ),
        key=lambda floor: floor.min_level.rank,
        default=None,
    )
    return ScreeningResult(
        tool_id=tool.id,
        tool_version=tool.version,
        level=floor.min_level if floor else band_level,
        band_level=band_level,
        band_rule=band.id if band else None,
        age_floor=floor.id if floor else None,
        age=age,
        counts=_frozen(counts),
        fired=fired,
    )


# Loading and validating tool files ------------------------------------------------------------


def _tool_files() -> dict[tuple[str, int], str]:
    """(tool id, version) -> file name, for every tool file in the package."""
    found: dict[tuple[str, int], str] = {}
    for entry in resources.files(TOOLS_PACKAGE).iterdir():
        match = _FILE_NAME.match(entry.name)
        if match:
            found[match["id"], int(match["version"])] = entry.name
    return found


def available_tools() -> tuple[Tool, ...]:
    """Every packaged tool version, by id then version. Loading them all also validates them."""
    return tuple(load_tool(tool_id, version) for tool_id, version in sorted(_tool_files()))


def load_tool(tool_id: str = DEFAULT_TOOL, version: int | None = None) -> Tool:
    """A packaged tool; the highest version when `version` is None."""
    versions = sorted(v for t, v in _tool_files() if t == tool_id)
    if not versions:
        raise LookupError(f"no screening tool {tool_id!r}")
    if version is None:
        version = versions[-1]
    if version not in versions:
        raise LookupError(f"no version {version} of screening tool {tool_id!r}")
    return _load(tool_id, version)


@functools.cache
def _load(tool_id: str, version: int) -> Tool:
    """Tools are immutable and their files never change once published, so each is read once."""
    name = _tool_files()[tool_id, version]
    tool = parse_tool(
        resources.files(TOOLS_PACKAGE).joinpath(name).read_text(encoding="utf-8"), source=name
    )
    if (tool.id, tool.version) != (tool_id, version):
        raise ToolError(f"{name}: id and version must match the file name")
    return tool


def parse_tool(text: str, *, source: str = "<string>") -> Tool:
    """Read and validate a tool from TOML text; `source` names it in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ToolError(f"{source}: not valid TOML: {error}") from error
    return _read_tool(_Table(data, "", source))


class _Table:
    """A TOML table being validated. It knows its own path, so every error names its key."""

    def __init__(self, data: object, path: str, source: str) -> None:
        self.path = path
        self.source = source
        if not isinstance(data, dict):
            raise self.error("", "must be a table")
        self._data: dict[str, object] = data
        self._read: set[str] = set()

    def where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def error(self, key: str, message: str) -> ToolError:
        where = self.where(key) if key else self.path or "top level"
        return ToolError(f"{self.source}: {where}: {message}")

    def get(self, key: str, *, required: bool = True) -> object:
        self._read.add(key)
        if key not in self._data and required:
            raise self.error(key, "missing")
        return self._data.get(key)

    def text(self, key: str) -> str:
        value = self.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, "must be non-blank text")
        return value.strip()

    def optional_text(self, key: str) -> str | None:
        return self.text(key) if key in self._data else None

    def name(self, key: str, pattern: re.Pattern[str]) -> str:
        value = self.text(key)
        if not pattern.match(value):
            raise self.error(key, f"{value!r} must match {pattern.pattern}")
        return value

    def whole_number(self, key: str, *, least: int) -> int:
        value = self.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise self.error(key, f"must be a whole number of at least {least}")
        return value

    def flag(self, key: str) -> bool:
        value = self.get(key, required=False)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise self.error(key, "must be true or false")
        return value

    def level(self, key: str) -> RiskLevel:
        value = self.get(key)
        allowed = [str(level) for level in RiskLevel if level is not RiskLevel.NONE]
        if value not in allowed:
            raise self.error(key, f"must be one of {', '.join(allowed)}")
        return RiskLevel(str(value))

    def day(self, key: str) -> date:
        value = self.get(key)
        if isinstance(value, datetime) or not isinstance(value, date):
            raise self.error(key, "must be a TOML date such as 2026-04-01")
        return value

    def table(self, key: str) -> _Table:
        return _Table(self.get(key), self.where(key), self.source)

    def tables(self, key: str, *, required: bool = True) -> list[_Table]:
        value = self.get(key, required=required)
        if value is None:
            return []
        if not isinstance(value, list) or not value:
            raise self.error(key, "must be a non-empty array of tables")
        return [
            _Table(item, f"{self.where(key)}[{i}]", self.source) for i, item in enumerate(value)
        ]

    def names(self) -> list[str]:
        """Every key of the table, each counted as read."""
        self._read.update(self._data)
        return list(self._data)

    def done(self) -> None:
        """Refuse keys nobody read, so a misspelt `alone_is_hgh` is an error, not a silent no."""
        unknown = sorted(set(self._data) - self._read)
        if unknown:
            raise self.error(unknown[0], "unknown key")


def _read_tool(top: _Table) -> Tool:
    tool_id = top.name("id", _TOOL_ID)
    version = top.whole_number("version", least=1)
    title = top.text("title")
    valid_from = top.day("valid_from")
    groups = _read_groups(top.table("groups"))
    counters = {g.key for g in groups} | {ALONE_IS_HIGH}
    bands = tuple(_read_band(t, counters) for t in top.tables("bands"))
    floors = tuple(_read_floor(t, counters) for t in top.tables("age_floors", required=False))
    top.done()

    ids = [rule.id for rule in bands] + [floor.id for floor in floors]
    twice = sorted({rule_id for rule_id in ids if ids.count(rule_id) > 1})
    if twice:
        raise top.error("bands", f"rule id {twice[0]!r} is used twice (bands and age_floors)")
    return Tool(tool_id, version, title, valid_from, groups, bands, floors)


def _read_groups(table: _Table) -> tuple[Group, ...]:
    groups: list[Group] = []
    keys_seen: set[str] = set()
    for key in table.names():
        if not _KEY.match(key) or key == ALONE_IS_HIGH:
            raise table.error(key, "is not a usable group name")
        group_table = table.table(key)
        indicators: list[Indicator] = []
        for item in group_table.tables("indicators"):
            indicator = Indicator(
                key=item.name("key", _KEY),
                text=item.text("text"),
                hint=item.optional_text("hint"),
                alone_is_high=item.flag(ALONE_IS_HIGH),
            )
            item.done()
            if indicator.key in keys_seen:
                raise item.error("key", f"indicator {indicator.key!r} is used twice")
            keys_seen.add(indicator.key)
            indicators.append(indicator)
        groups.append(
            Group(
                key=key,
                title=group_table.text("title"),
                indicators=tuple(indicators),
                description=group_table.optional_text("description"),
            )
        )
        group_table.done()
    if not groups:
        raise table.error("", "must define at least one group")
    return tuple(groups)


def _read_requires(table: _Table, counters: set[str], *, required: bool) -> Mapping[str, int]:
    if not required and table.get("requires", required=False) is None:
        return _frozen({})
    requires = table.table("requires")
    counts = {}
    for name in requires.names():
        if name not in counters:
            raise requires.error(name, f"is not a group or {ALONE_IS_HIGH}")
        counts[name] = requires.whole_number(name, least=1)
    if required and not counts:
        raise requires.error("", "must ask for at least one count")
    return _frozen(counts)


def _read_band(table: _Table, counters: set[str]) -> BandRule:
    band = BandRule(
        id=table.name("id", _TOOL_ID),
        level=table.level("level"),
        description=table.text("description"),
        requires=_read_requires(table, counters, required=True),
    )
    table.done()
    return band


def _read_floor(table: _Table, counters: set[str]) -> AgeFloor:
    has_age = table.get("max_age", required=False) is not None
    floor = AgeFloor(
        id=table.name("id", _TOOL_ID),
        min_level=table.level("min_level"),
        description=table.text("description"),
        max_age=table.whole_number("max_age", least=0) if has_age else None,
        requires=_read_requires(table, counters, required=False),
    )
    table.done()
    if not has_age and not floor.requires:
        raise table.error("", "an age floor needs max_age, requires or both")
    return floor
