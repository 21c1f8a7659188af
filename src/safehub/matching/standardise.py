"""Pure functions that put identifying details into one comparable form.

No Django here: the same functions prepare a referral being typed, a child in the database and
a row of a benchmark file, so they are compared alike. Missing or invalid values become None
(a real null), never an empty string, so the model treats them as "missing", not "disagree".
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources

import jellyfish

from safehub.rules import codes

_NOT_LETTERS = re.compile(r"[^a-z ]+")
_SPACES = re.compile(r"\s+")
_HYPHENS = re.compile(r"[-\u2010-\u2015']")
# Letters that Unicode does not decompose into a base letter and an accent.
_FOLD = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i"})


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    return "".join(c for c in folded if not unicodedata.combining(c))


def name(text: str | None) -> str | None:
    """Lower case, no accents or punctuation; a double-barrelled name joined with a space.

    "Smith-Jones" and "Smith Jones" both become "smith jones"; "O'Neil" becomes "oneil".
    """
    if text is None:
        return None
    plain = _ascii(text).replace("'", "").replace("\u2019", "")
    plain = _HYPHENS.sub(" ", plain)
    plain = _SPACES.sub(" ", _NOT_LETTERS.sub("", plain)).strip()
    return plain or None


def name_parts(text: str | None) -> tuple[str, ...]:
    """The parts of a double-barrelled or multi-word name: "smith jones" -> ("smith", "jones")."""
    plain = name(text)
    return tuple(plain.split(" ")) if plain else ()


def joined(text: str | None) -> str | None:
    """The name with its parts run together, so "Smith-Jones" meets "Smithjones"."""
    parts = name_parts(text)
    return "".join(parts) or None


def initial(text: str | None) -> str | None:
    plain = name(text)
    return plain[0] if plain else None


def is_initial(text: str | None) -> bool:
    """A name given only as an initial ("J" or "J."), which agrees with any name it starts."""
    plain = name(text)
    return plain is not None and len(plain) == 1


@functools.cache
def _name_map() -> dict[str, str]:
    table: dict[str, str] = {}
    for filename in ("nicknames.csv", "transliterations.csv"):
        text = resources.files("safehub.matching").joinpath("data", filename).read_text("utf-8")
        for row in csv.reader(line for line in text.splitlines() if not line.startswith("#")):
            if len(row) == 2:  # noqa: PLR2004 - variant, canonical
                table[row[0].strip()] = row[1].strip()
    return table


def canonical(text: str | None) -> str | None:
    """The name's canonical form: nicknames and transliteration variants share one.

    "Mo", "Muhammad" and "Mohammed" all become "mohammed"; a name not in the maps is itself
    (its first part, for a double-barrelled forename).
    """
    parts = name_parts(text)
    if not parts:
        return None
    first = parts[0]
    return _name_map().get(first, first)


def phonetic(text: str | None) -> str | None:
    """A phonetic key (metaphone) of the name joined: "Smyth" and "Smith" both give "SM0"."""
    whole = joined(text)
    return jellyfish.metaphone(whole) or None if whole else None


# -- dates of birth -------------------------------------------------------------------------


@dataclass(frozen=True)
class BirthDate:
    date: dt.date
    approximate: bool

    @property
    def iso(self) -> str:
        return self.date.isoformat()

    @property
    def swapped(self) -> str | None:
        """The date with day and month exchanged, when that is also a date (3/7 <-> 7/3)."""
        return day_month_swapped(self.date)


def day_month_swapped(date: dt.date) -> str | None:
    if date.day == date.month or date.day > 12:  # noqa: PLR2004 - months in a year
        return None
    try:
        return date.replace(month=date.day, day=date.month).isoformat()
    except ValueError:
        return None


def birth_date(value: dt.date | str | None, *, approximate: bool = False) -> BirthDate | None:
    """A date of birth from a date or "YYYY-MM-DD"; None when missing or not a date.

    An approximate date (an age assessment) is flagged, so the model does not count an exact
    agreement on a guessed date as strong evidence.
    """
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return BirthDate(value, approximate=approximate)


# -- postcodes ------------------------------------------------------------------------------

_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][0-9A-Z]?)([0-9])([A-Z]{2})$")


@dataclass(frozen=True)
class Postcode:
    full: str  # "BD1 1AA"
    sector: str  # "BD1 1"
    district: str  # "BD1"


def postcode(text: str | None) -> Postcode | None:
    """A UK postcode normalised ("bd11aa" -> "BD1 1AA") with its sector and district."""
    if not text:
        return None
    compact = re.sub(r"[^A-Z0-9]", "", text.upper())
    match = _POSTCODE.match(compact)
    if not match:
        return None
    district, sector_digit, unit = match.groups()
    return Postcode(f"{district} {sector_digit}{unit}", f"{district} {sector_digit}", district)


# -- identifiers ----------------------------------------------------------------------------


def nhs_number(text: str | None) -> str | None:
    """Ten digits passing the modulus-11 check, or None (an invalid number is missing)."""
    if not text:
        return None
    compact = re.sub(r"[\s-]", "", text)
    return compact if codes.nhs_number_is_valid(compact) else None


upn_is_valid = codes.upn_is_valid
upn_check_letter = codes.upn_check_letter


def upn(text: str | None) -> str | None:
    if not text:
        return None
    compact = re.sub(r"\s", "", text).upper()
    return compact if upn_is_valid(compact) else None


def sex(value: str | None) -> str | None:
    """F or M; unknown, indeterminate or blank is None (not known is not a disagreement)."""
    code = (value or "").strip().upper()[:1]
    return code if code in {"F", "M"} else None


def school(text: str | None) -> str | None:
    plain = name(text)
    if not plain:
        return None
    words = [w for w in plain.split(" ") if w not in {"the", "school", "academy", "college"}]
    return " ".join(words) or plain


# -- one record, ready to compare ------------------------------------------------------------

COLUMNS = (
    "given_name",
    "given_canon",
    "given_ph",
    "family_name",
    "family_joined",
    "family_first",
    "family_last",
    "family_ph",
    "dob",
    "dob_swapped",
    "dob_year",
    "dob_approx",
    "sex",
    "postcode",
    "postcode_sector",
    "postcode_district",
    "nhs_number",
    "upn",
    "school",
)


def record(  # noqa: PLR0913 - the identifying details a referral may give
    *,
    given_name: str | None,
    family_name: str | None,
    date_of_birth: dt.date | str | None = None,
    dob_approximate: bool = False,
    sex_code: str | None = None,
    postcode_text: str | None = None,
    school_name: str | None = None,
    nhs: str | None = None,
    upn_text: str | None = None,
) -> dict[str, object]:
    """The standardised columns the model compares (see COLUMNS); missing values are None."""
    birth = birth_date(date_of_birth, approximate=dob_approximate)
    place = postcode(postcode_text)
    family_parts = name_parts(family_name)
    given = name(given_name)
    return {
        "given_name": given.split(" ")[0] if given else None,
        "given_canon": canonical(given_name),
        "given_ph": phonetic(given.split(" ")[0]) if given else None,
        "family_name": name(family_name),
        "family_joined": joined(family_name),
        "family_first": family_parts[0] if family_parts else None,
        "family_last": family_parts[-1] if family_parts else None,
        "family_ph": phonetic(family_name),
        "dob": birth.iso if birth else None,
        "dob_swapped": birth.swapped if birth else None,
        "dob_year": birth.date.year if birth else None,
        "dob_approx": birth.approximate if birth else None,
        "sex": sex(sex_code),
        "postcode": place.full if place else None,
        "postcode_sector": place.sector if place else None,
        "postcode_district": place.district if place else None,
        "nhs_number": nhs_number(nhs),
        "upn": upn(upn_text),
        "school": school(school_name),
    }
