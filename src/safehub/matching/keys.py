"""Blocking keys: the questions intake asks the database to find candidates quickly.

Each child has a handful of keys ("gd:jayden|2009-07-03"), stored in an indexed table, so a
new referral finds the few children worth scoring with one indexed lookup, however many
children the hub holds. They are wider than the model's blocking rules (`comparisons.py`),
which must stay narrow over a whole database: one new referral can afford to look further.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _key(kind: str, *parts: object) -> str | None:
    if any(p is None or p == "" for p in parts):
        return None
    return f"{kind}:" + "|".join(str(p) for p in parts)


def stored(row: Mapping[str, Any]) -> set[str]:
    """The keys a child's standardised record is filed under."""
    given, family, dob = row["given_name"], row["family_name"], row["dob"]
    keys = {
        _key("nhs", row["nhs_number"]),
        _key("upn", row["upn"]),
        _key("gd", given, dob),
        _key("fd", family, dob),
        _key("pd", row["postcode"], dob),
        _key("py", given and given[:2], family and family[:2], row["dob_year"]),
        _key("ph", row["given_ph"], row["family_ph"]),
        _key("cy", row["given_canon"], row["family_ph"], row["dob_year"]),
        _key("fi", family, given and given[0]),
        _key("gf", given, row["family_ph"]),
        _key("nm", given, row["family_first"]),
    }
    keys.discard(None)
    return keys  # type: ignore[return-value]


def sought(row: Mapping[str, Any]) -> set[str]:
    """The keys to look up for details being typed: the stored ones, plus the variants a
    record of the same child might hold (day and month swapped; names the other way round).
    """
    keys = stored(row)
    if row["dob_swapped"]:
        keys |= stored({**row, "dob": row["dob_swapped"]})
    reversed_names = _key("nm", row["family_first"], row["given_name"])
    if reversed_names:
        keys.add(reversed_names)
    return keys
