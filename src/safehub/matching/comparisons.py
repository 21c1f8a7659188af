"""The model's comparisons, written once for Splink (SQL, any backend) and for Python.

Each level has a label (Splink's `label_for_charts`, which is how a trained model's m and u
values are found again), the words a practitioner reads, the Splink level, and the same test
in Python, used to score a handful of candidates at intake without a database engine.
Levels are in order: the first that holds is the one that counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import jellyfish

from safehub.lazy import LazyModule

# Splink (and DuckDB, SQLGlot and pandas under it) loads when a model is built, not at start.
if TYPE_CHECKING:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator
    from splink.internals.blocking_rule_creator import BlockingRuleCreator
    from splink.internals.comparison_creator import ComparisonCreator
    from splink.internals.comparison_level_creator import ComparisonLevelCreator
else:
    cll = LazyModule("splink.comparison_level_library")
    cl = LazyModule("splink.comparison_library")

Row = Mapping[str, Any]
Test = Callable[[Row, Row], bool]

JARO_WINKLER = 0.92
JARO_WINKLER_LOOSE = 0.8
NEUTRAL = 0.01


@dataclass(frozen=True)
class Level:
    label: str
    words: str
    splink: Callable[[], ComparisonLevelCreator]
    test: Test
    null: bool = False
    # Evidence already counted by another comparison: m = u (weight 0), never trained.
    neutral: bool = False


@dataclass(frozen=True)
class Comparison:
    column: str  # Splink's output column name
    field: str  # what the practitioner reads: "first name"
    levels: tuple[Level, ...]

    def to_splink(self) -> ComparisonCreator:
        levels: list[ComparisonLevelCreator | dict[str, Any]] = []
        for level in self.levels:
            creator = level.splink().configure(label_for_charts=level.label)
            if level.null:
                creator = creator.configure(is_null_level=True)
            if level.neutral:
                creator = creator.configure(
                    m_probability=NEUTRAL,
                    u_probability=NEUTRAL,
                    fix_m_probability=True,
                    fix_u_probability=True,
                )
            levels.append(creator)
        return cl.CustomComparison(
            levels, output_column_name=self.column, comparison_description=self.field
        )

    def level_of(self, left: Row, right: Row) -> Level:
        for level in self.levels:
            if level.test(left, right):
                return level
        raise AssertionError("the last level always holds")  # pragma: no cover


def _either_null(*columns: str) -> Test:
    return lambda a, b: any(a.get(c) is None or b.get(c) is None for c in columns)


def _same(column: str) -> Test:
    return lambda a, b: a[column] == b[column]


def _jw(column: str, threshold: float = JARO_WINKLER) -> Test:
    return lambda a, b: jellyfish.jaro_winkler_similarity(a[column], b[column]) >= threshold


def _loose(column: str) -> Level:
    return Level(
        "close",
        "close (several letters differ)",
        lambda: cll.JaroWinklerLevel(column, JARO_WINKLER_LOOSE),
        _jw(column, JARO_WINKLER_LOOSE),
    )


def _sql(condition: str) -> Callable[[], ComparisonLevelCreator]:
    # Written in DuckDB's SQL ("double quotes" name columns); Splink translates for Spark.
    return lambda: cll.CustomLevel(condition, base_dialect_str="duckdb")


def _null(column: str) -> Level:
    return Level(
        "missing",
        "missing on one record",
        lambda: cll.NullLevel(column),
        _either_null(column),
        null=True,
    )


def _exact(column: str, words: str = "agree exactly", *, tf: bool = False) -> Level:
    return Level(
        "exact",
        words,
        lambda: cll.ExactMatchLevel(column, term_frequency_adjustments=tf),
        _same(column),
    )


# A lambda, not `cll.ElseLevel` itself: naming it here would import Splink with this module.
ELSE = Level("else", "disagree", lambda: cll.ElseLevel(), lambda _a, _b: True)  # noqa: PLW0108


def _initial(a: Row, b: Row) -> bool:
    x, y = a["given_name"], b["given_name"]
    return bool((len(x) == 1 or len(y) == 1) and x[0] == y[0])


def _swapped(a: Row, b: Row) -> bool:
    return bool(a["given_name"] == b["family_first"] and b["given_name"] == a["family_first"])


SWAPPED_SQL = '"given_name_l" = "family_first_r" AND "given_name_r" = "family_first_l"'


def _family_part(a: Row, b: Row) -> bool:
    return bool(a["family_first"] == b["family_first"] or a["family_last"] == b["family_last"])


def _days_apart(a: Row, b: Row) -> int:
    return abs((dt.date.fromisoformat(a["dob"]) - dt.date.fromisoformat(b["dob"])).days)


FORENAME = Comparison(
    "given_name",
    "first name",
    (
        _null("given_name"),
        _exact("given_name", tf=True),
        Level(
            "variant",
            "agree as a nickname or another spelling of the same name",
            _sql('"given_canon_l" = "given_canon_r"'),
            _same("given_canon"),
        ),
        Level(
            "similar",
            "similar (a letter or two differs)",
            lambda: cll.JaroWinklerLevel("given_name", JARO_WINKLER),
            _jw("given_name"),
        ),
        Level(
            "initial",
            "one is the initial of the other",
            _sql(
                '(length("given_name_l") = 1 OR length("given_name_r") = 1) '
                'AND substr("given_name_l", 1, 1) = substr("given_name_r", 1, 1)'
            ),
            _initial,
        ),
        Level(
            "sounds",
            "sound alike",
            _sql('"given_ph_l" = "given_ph_r"'),
            _same("given_ph"),
        ),
        _loose("given_name"),
        Level(
            "swapped",
            "first and last names swapped",
            _sql(SWAPPED_SQL),
            _swapped,
        ),
        ELSE,
    ),
)

SURNAME = Comparison(
    "family_name",
    "last name",
    (
        _null("family_name"),
        _exact("family_name", tf=True),
        Level(
            "joined",
            "agree once the parts of a double-barrelled name are joined",
            _sql('"family_joined_l" = "family_joined_r"'),
            _same("family_joined"),
        ),
        Level(
            "part",
            "one part of a double-barrelled name agrees",
            _sql('"family_first_l" = "family_first_r" OR "family_last_l" = "family_last_r"'),
            _family_part,
        ),
        Level(
            "similar",
            "similar (a letter or two differs)",
            lambda: cll.JaroWinklerLevel("family_name", JARO_WINKLER),
            _jw("family_name"),
        ),
        Level(
            "sounds",
            "sound alike",
            _sql('"family_ph_l" = "family_ph_r"'),
            _same("family_ph"),
        ),
        _loose("family_name"),
        Level(
            "swapped",
            "first and last names swapped (counted with the first name)",
            _sql(SWAPPED_SQL),
            _swapped,
            neutral=True,
        ),
        ELSE,
    ),
)

DOB = Comparison(
    "dob",
    "date of birth",
    (
        _null("dob"),
        Level(
            "exact",
            "agree exactly",
            _sql('"dob_l" = "dob_r" AND "dob_approx_l" = 0 AND "dob_approx_r" = 0'),
            lambda a, b: a["dob"] == b["dob"] and not (a["dob_approx"] or b["dob_approx"]),
        ),
        Level(
            "estimated",
            "same year, and one date is an estimate",
            _sql('("dob_approx_l" = 1 OR "dob_approx_r" = 1) AND "dob_year_l" = "dob_year_r"'),
            lambda a, b: (
                bool(a["dob_approx"] or b["dob_approx"]) and a["dob_year"] == b["dob_year"]
            ),
        ),
        Level(
            "swapped",
            "day and month swapped",
            _sql('"dob_l" = "dob_swapped_r"'),
            lambda a, b: a["dob"] == b["dob_swapped"],
        ),
        Level(
            "typo",
            "one digit differs",
            lambda: cll.DamerauLevenshteinLevel("dob", 1),
            lambda a, b: jellyfish.damerau_levenshtein_distance(a["dob"], b["dob"]) <= 1,
        ),
        Level(
            "month",
            "within a month",
            lambda: cll.AbsoluteTimeDifferenceLevel(
                "dob", input_is_string=True, threshold=31, metric="day"
            ),
            lambda a, b: _days_apart(a, b) <= 31,  # noqa: PLR2004 - days
        ),
        Level(
            "year",
            "same year of birth",
            _sql('"dob_year_l" = "dob_year_r"'),
            _same("dob_year"),
        ),
        ELSE,
    ),
)


def _simple(column: str, field: str) -> Comparison:
    return Comparison(column, field, (_null(column), _exact(column), ELSE))


POSTCODE = Comparison(
    "postcode",
    "postcode",
    (
        _null("postcode"),
        _exact("postcode"),
        Level(
            "sector",
            "same postcode sector (neighbouring streets)",
            _sql('"postcode_sector_l" = "postcode_sector_r"'),
            _same("postcode_sector"),
        ),
        Level(
            "district",
            "same postcode district",
            _sql('"postcode_district_l" = "postcode_district_r"'),
            _same("postcode_district"),
        ),
        ELSE,
    ),
)

COMPARISONS: tuple[Comparison, ...] = (
    FORENAME,
    SURNAME,
    DOB,
    _simple("nhs_number", "NHS number"),
    _simple("upn", "Unique Pupil Number"),
    _simple("sex", "sex"),
    POSTCODE,
    _simple("school", "school"),
)


def identifier(column: str, field: str) -> Comparison:
    """An identifier other than the NHS number or UPN: exact, or one character out."""
    return Comparison(
        column,
        field,
        (
            _null(column),
            _exact(column),
            Level(
                "typo",
                "one character differs",
                lambda: cll.DamerauLevenshteinLevel(column, 1),
                lambda a, b: jellyfish.damerau_levenshtein_distance(a[column], b[column]) <= 1,
            ),
            ELSE,
        ),
    )


def text(column: str, field: str) -> Comparison:
    """Free text such as an address line: exact, or similar."""
    return Comparison(
        column,
        field,
        (
            _null(column),
            _exact(column),
            Level(
                "similar",
                "similar",
                lambda: cll.JaroWinklerLevel(column, JARO_WINKLER_LOOSE),
                _jw(column, JARO_WINKLER_LOOSE),
            ),
            ELSE,
        ),
    )


def blocking_rules() -> list[BlockingRuleCreator | str]:
    """Pairs worth scoring: wide enough for recall, narrow enough not to explode.

    Each rule asks two details to agree, at least one of them rare (a date of birth, a
    postcode, an identifier), so no rule grows with the square of a common name: at a
    million synthetic records they propose about 25 million pairs between them and bring
    together about 94% of the true pairs (docs/matching.md has the figures per rule). Intake
    asks its own, wider questions of the database through the keys in `keys.py`.
    """
    from splink import block_on  # noqa: PLC0415

    month_day = "substr(dob, 6, 5)"
    return [
        block_on("nhs_number"),
        block_on("upn"),
        block_on("postcode", "dob"),
        block_on("substr(given_name, 1, 1)", "family_ph", "dob"),
        block_on("given_canon", "substr(family_name, 1, 1)", "dob"),
        block_on("substr(given_name, 1, 2)", "substr(family_name, 1, 2)", "dob"),
        block_on("dob", "substr(family_name, 1, 1)"),
        block_on("postcode", "family_ph"),
        block_on("postcode", "given_ph"),
        block_on("postcode", "substr(given_name, 1, 1)"),
        block_on("given_name", "family_name", month_day),
        block_on("family_ph", month_day, "substr(given_name, 1, 1)"),
        block_on("given_name", "family_name", "dob_year"),
        block_on("given_ph", "family_ph", "dob_year"),
        block_on("school", "given_name", "family_ph"),
        # First and last names the other way round.
        "l.given_name = r.family_first AND l.dob = r.dob",
        "l.family_first = r.given_name AND l.dob = r.dob",
        "l.given_ph = r.family_ph AND l.family_ph = r.given_ph",
    ]


def settings(
    *,
    link_type: Literal["link_only", "link_and_dedupe", "dedupe_only"] = "dedupe_only",
    extra: tuple[Comparison, ...] = (),
    extra_blocking: tuple[BlockingRuleCreator | str, ...] = (),
) -> SettingsCreator:
    """The model's settings; `extra` comparisons for a dataset with more fields (FEBRL)."""
    from splink import SettingsCreator  # noqa: PLC0415

    # Splink accepts blocking rules written as SQL text too, though its types say otherwise.
    blocking: list[Any] = [*blocking_rules(), *extra_blocking]
    return SettingsCreator(
        link_type=link_type,
        unique_id_column_name="unique_id",
        comparisons=[c.to_splink() for c in (*COMPARISONS, *extra)],
        blocking_rules_to_generate_predictions=blocking,
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
