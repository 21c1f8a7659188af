"""Reference tables the generator draws from: wards, postcode districts, code lists, names.

Weights are judgement, not data: shaped to look like an exploitation hub's caseload in a
large, young, diverse northern district, so the demo's figures and breakdowns read
plausibly. They are not estimates of anything real.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib.resources import files


@dataclass(frozen=True)
class Ward:
    code: str
    name: str
    area_committee: str


@cache
def wards() -> tuple[Ward, ...]:
    """Bradford's 30 wards (the 2004 to 2026 boundaries) from the geography package's data file.

    Read as data rather than imported, so the generator stays free of Django and of the
    geography app's code. The demo places its whole history on these wards: they are the
    only ward set shipped.
    """
    text = (files("safehub.geo") / "data" / "bradford-wards.csv").read_text(encoding="utf-8")
    return tuple(
        Ward(row["ward_code"], row["ward_name"], row["area_committee"])
        for row in csv.DictReader(io.StringIO(text))
    )


@cache
def ward_by_name() -> dict[str, Ward]:
    return {w.name: w for w in wards()}


@cache
def ward_by_code() -> dict[str, Ward]:
    return {w.code: w for w in wards()}


# Real postcode districts that cover each ward, so a synthetic postcode looks local.
POSTCODE_DISTRICTS: dict[str, tuple[str, ...]] = {
    "Baildon": ("BD17",),
    "Bingley": ("BD16",),
    "Bingley Rural": ("BD16", "BD13", "BD20"),
    "Bolton and Undercliffe": ("BD2",),
    "Bowling and Barkerend": ("BD3", "BD4"),
    "Bradford Moor": ("BD3",),
    "City": ("BD1", "BD5", "BD7"),
    "Clayton and Fairweather Green": ("BD14", "BD8"),
    "Craven": ("BD20",),
    "Eccleshill": ("BD2", "BD10"),
    "Great Horton": ("BD7",),
    "Heaton": ("BD9",),
    "Idle and Thackley": ("BD10",),
    "Ilkley": ("LS29",),
    "Keighley Central": ("BD21",),
    "Keighley East": ("BD21", "BD20"),
    "Keighley West": ("BD22", "BD21"),
    "Little Horton": ("BD5", "BD7"),
    "Manningham": ("BD8",),
    "Queensbury": ("BD13",),
    "Royds": ("BD6", "BD12"),
    "Shipley": ("BD18",),
    "Thornton and Allerton": ("BD13", "BD15"),
    "Toller": ("BD8", "BD9"),
    "Tong": ("BD4",),
    "Wharfedale": ("LS29", "LS21"),
    "Wibsey": ("BD6",),
    "Windhill and Wrose": ("BD18", "BD2"),
    "Worth Valley": ("BD22",),
    "Wyke": ("BD12",),
}

# Share of the hub's children living in each area committee, and within it each ward's
# relative weight. Bradford South and West follow the published October 2016 ward counts so
# the background around the fixed snapshots has the same shape as the snapshots themselves.
AREA_SHARE: dict[str, float] = {
    "Bradford East": 27,
    "Bradford South": 24,
    "Keighley": 20,
    "Bradford West": 19,
    "Shipley": 10,
}
WARD_WEIGHT: dict[str, float] = {
    "Wyke": 18,
    "Tong": 16,
    "Wibsey": 15,
    "Royds": 15,
    "Great Horton": 6,
    "Queensbury": 6,
    "Thornton and Allerton": 16,
    "Manningham": 12,
    "Heaton": 11,
    "Clayton and Fairweather Green": 10,
    "City": 7,
    "Toller": 4,
    "Bowling and Barkerend": 22,
    "Little Horton": 22,
    "Bradford Moor": 18,
    "Bolton and Undercliffe": 14,
    "Eccleshill": 14,
    "Idle and Thackley": 10,
    "Keighley Central": 30,
    "Keighley East": 28,
    "Keighley West": 26,
    "Worth Valley": 10,
    "Craven": 4,
    "Ilkley": 2,
    "Windhill and Wrose": 30,
    "Shipley": 28,
    "Bingley": 14,
    "Baildon": 12,
    "Bingley Rural": 10,
    "Wharfedale": 6,
}

# CIN census ReferralSource codes, weighted towards police, schools, social care, early
# help, health and "other" (voluntary sector), as exploitation referrals are.
REFERRAL_SOURCES: dict[str, float] = {
    "1A": 1,
    "1B": 4,
    "1C": 1,
    "1D": 1,
    "1E": 1,
    "2A": 14,
    "2B": 2,
    "3A": 2,
    "3B": 1,
    "3C": 3,
    "3D": 2,
    "3E": 3,
    "3F": 3,
    "4": 2,
    "5A": 12,
    "5B": 2,
    "5C": 2,
    "5D": 8,
    "6": 30,
    "7": 1,
    "8": 8,
    "9": 1,
    "10": 0.5,
}

EXPLOITATION_TYPES = ("cse", "cce", "trafficking", "online")
LEVELS = ("low", "medium", "high")


@dataclass(frozen=True)
class Heritage:
    """What goes with an ethnicity code: languages, nationalities, and whether the child
    is likely to have arrived in the UK recently (a "new emerging community")."""

    weight: float
    languages: dict[str, float]
    nationalities: dict[str, float]
    emerging: bool = False


_ENGLISH = {"English": 1.0}
_BRITISH = {"British": 1.0}

ETHNICITIES: dict[str, Heritage] = {
    "WBRI": Heritage(46, _ENGLISH, _BRITISH),
    "WIRI": Heritage(0.5, _ENGLISH, {"British": 1, "Irish": 1}),
    "WIRT": Heritage(0.5, _ENGLISH, _BRITISH),
    "WOTH": Heritage(
        4,
        {"English": 1},
        {
            "Polish": 35,
            "Slovak": 10,
            "Romanian": 15,
            "Lithuanian": 10,
            "Latvian": 10,
            "Czech": 5,
            "Hungarian": 5,
            "Bulgarian": 5,
            "British": 5,
        },
        emerging=True,
    ),
    "WROM": Heritage(
        3.5, {"Romani": 1}, {"Slovak": 50, "Czech": 25, "Romanian": 20, "British": 5}, emerging=True
    ),
    "MWBC": Heritage(3, _ENGLISH, _BRITISH),
    "MWBA": Heritage(1.5, _ENGLISH, _BRITISH),
    "MWAS": Heritage(3, _ENGLISH, _BRITISH),
    "MOTH": Heritage(1.5, _ENGLISH, _BRITISH),
    "AIND": Heritage(1, {"English": 70, "Punjabi": 20, "Gujarati": 10}, _BRITISH),
    "APKN": Heritage(
        20, {"English": 60, "Urdu": 22, "Punjabi": 15, "Pahari": 3}, {"British": 95, "Pakistani": 5}
    ),
    "ABAN": Heritage(1.5, {"English": 65, "Bengali": 35}, {"British": 95, "Bangladeshi": 5}),
    "AOTH": Heritage(
        1,
        {"English": 50, "Pashto": 15, "Dari": 15, "Arabic": 20},
        {"British": 50, "Afghan": 30, "Yemeni": 20},
        emerging=True,
    ),
    "BCRB": Heritage(1, _ENGLISH, _BRITISH),
    "BAFR": Heritage(
        1.5,
        {"English": 60, "Tigrinya": 10, "Somali": 15, "French": 15},
        {"British": 60, "Eritrean": 10, "Somali": 10, "Nigerian": 20},
        emerging=True,
    ),
    "BOTH": Heritage(0.5, _ENGLISH, _BRITISH),
    "CHNE": Heritage(
        0.3, {"English": 60, "Cantonese": 20, "Mandarin": 20}, {"British": 80, "Chinese": 20}
    ),
    "OOTH": Heritage(
        2,
        {"Kurdish": 35, "Arabic": 40, "Farsi": 15, "English": 10},
        {"Iraqi": 35, "Syrian": 30, "Iranian": 20, "British": 15},
        emerging=True,
    ),
    "REFU": Heritage(2, {"English": 70, "Urdu": 10, "Polish": 10, "Arabic": 10}, _BRITISH),
    "NOBT": Heritage(
        4.5,
        {"English": 75, "Urdu": 10, "Slovak": 10, "Arabic": 5},
        {"British": 60, "Not known": 40},
    ),
}

# Languages spoken by a nationality's arrivals, where the heritage table says "English" only
# because the child may be British-born.
LANGUAGE_OF_NATIONALITY: dict[str, str] = {
    "Polish": "Polish",
    "Slovak": "Slovak",
    "Romanian": "Romanian",
    "Lithuanian": "Lithuanian",
    "Latvian": "Latvian",
    "Czech": "Czech",
    "Hungarian": "Hungarian",
    "Bulgarian": "Bulgarian",
}

# Names: invented given names (a few may exist somewhere, but rarely) and family names built
# from obviously fake parts ("Testington", "Sampleby"), so no generated full name can be taken
# for a real person's. Names carry no heritage: a made-up name that signalled ethnicity would
# be a stereotype.
# fmt: off
GIVEN_NAMES_F = (
    "Ambrel", "Bryndle", "Calvette", "Dovey", "Elsin", "Fennet", "Gildry", "Hollin", "Ilvra",
    "Junett", "Kessa", "Lirra", "Mabbet", "Nerrin", "Orvelle", "Pimmy", "Quilla", "Renna",
    "Saffet", "Tamsel", "Ullory", "Vessa", "Wrenna", "Yarrel", "Zephra",
)
GIVEN_NAMES_M = (
    "Alvo", "Bramlet", "Corrin", "Dashet", "Ebbin", "Fitzel", "Gorran", "Harlo", "Ivet",
    "Jorrel", "Kittock", "Lindrel", "Marrow", "Nyle", "Oskin", "Pellan", "Quorrel", "Rafferdy",
    "Sorrin", "Tobbet", "Urrin", "Vaughlan", "Wystel", "Yorrin", "Zeppard",
)
FAMILY_NAME_STEMS = (
    "Test", "Sample", "Demo", "Mock", "Fixture", "Synth", "Dummy", "Example", "Proxy", "Stub",
)
FAMILY_NAME_ENDINGS = (
    "ington", "by", "worth", "ridge", "field", "ley", "ham", "stead", "cott", "well",
)
# fmt: on

CONCERNS: dict[str, tuple[str, ...]] = {
    "cse": (
        "Seen getting into cars with older males after school.",
        "Older 'boyfriend' reported by school; new phone and gifts.",
        "Staying out overnight; friends say at parties with adults.",
        "Carer found messages from adult contacts on phone.",
        "Found by police late at night at address of adult of concern.",
        "Disclosed to school nurse that she is meeting older men.",
    ),
    "cce": (
        "Found with cash and two phones; suspected drug running.",
        "Missing, then found in another town: county lines concern.",
        "Excluded from school; associating with older youths in supply.",
        "Carrying a knife; believed to be holding items for others.",
        "Unexplained injuries and new clothes; linked to local dealing.",
    ),
    "trafficking": (
        "Arrived recently; unclear who is responsible for care.",
        "Moved between addresses by adults who are not family.",
        "Working unpaid in a business; not attending school.",
    ),
    "online": (
        "Shared images after online grooming by an unknown adult.",
        "Adults contacting via gaming platform and asking to meet.",
        "Being pressured online to send images.",
    ),
}

RISK_UP_REASONS = (
    "further missing episodes",
    "new police intelligence",
    "disclosure to school staff",
    "seen with adults of concern",
    "online contact with unknown adults",
)
RISK_DOWN_REASONS = (
    "engaging with youth worker",
    "settled in placement",
    "adults of concern disrupted",
    "attending school regularly",
    "safety plan working",
)
