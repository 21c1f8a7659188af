"""A million synthetic child records in seconds: `synthetic.py`'s recipe, column by column.

The same names, schools, made-up postcodes (area "ZX") and the same kinds of error as
`synthetic.generate`, in the same shares, but drawn with numpy for whole columns at once, so
generating the records does not dominate a benchmark at a million. The records are not the
same ones `generate` yields for a seed (intake's benchmark keeps using `generate`).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from safehub.matching import synthetic

Strings = np.ndarray  # an object array of str
CHECK_LETTERS = np.array(list("ABCDEFGHJKLMNPQRTUVWXYZ"))
POSTCODE_UNIT = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))
RAW_COLUMNS = (
    "record_id", "cluster_id", "given_name", "family_name", "date_of_birth", "sex", "postcode",
    "school", "nhs_number", "upn",
)  # fmt: skip


def _zipf(rng: np.random.Generator, items: list[str], size: int) -> Strings:
    weights = 1 / np.arange(1, len(items) + 1) ** 0.7
    return np.array(items, dtype=object)[rng.choice(len(items), size, p=weights / weights.sum())]


def _invented(rng: np.random.Generator, size: int) -> Strings:
    syllables = np.array(synthetic.SYLLABLES, dtype=object)
    parts = syllables[rng.integers(0, len(syllables), (size, 4))]
    lengths = rng.integers(2, 5, size)
    names = parts[:, 0] + parts[:, 1]
    for extra in (2, 3):
        names = np.where(lengths > extra, names + parts[:, extra], names)
    return np.asarray(names, dtype=object)


def _surnames(rng: np.random.Generator, size: int) -> Strings:
    listed = rng.random(size) < 0.5  # noqa: PLR2004 - half from the list, half invented
    return np.where(listed, _zipf(rng, synthetic.SURNAMES, size), _invented(rng, size))


def _digits(rng: np.random.Generator, size: int, width: int) -> np.ndarray:
    return rng.integers(0, 10, (size, width))


def _join(digits: np.ndarray) -> Strings:
    text = np.ascontiguousarray(digits + ord("0"), dtype=np.uint8).view(f"S{digits.shape[1]}")
    return text.ravel().astype(str).astype(object)


def _nhs(rng: np.random.Generator, size: int) -> Strings:
    stems = _digits(rng, size, 9)
    checks = (11 - (stems * np.arange(10, 1, -1)).sum(axis=1) % 11) % 11
    while (bad := checks == 10).any():  # noqa: PLR2004 - no number is issued with such a stem
        stems[bad] = _digits(rng, int(bad.sum()), 9)
        checks = (11 - (stems * np.arange(10, 1, -1)).sum(axis=1) % 11) % 11
    return _join(np.column_stack([stems, checks]))


def _upn(rng: np.random.Generator, size: int) -> Strings:
    tails = _digits(rng, size, 12)
    letters = CHECK_LETTERS[(tails * np.arange(2, 14)).sum(axis=1) % 23]
    return np.asarray(letters.astype(object) + _join(tails), dtype=object)


def _postcodes(rng: np.random.Generator, districts: np.ndarray) -> Strings:
    size = len(districts)
    units = POSTCODE_UNIT[rng.integers(0, 20, (size, 2))]
    sectors = rng.integers(0, 10, size)
    return np.array(
        [
            f"ZX{d} {s}{a}{b}"
            for d, s, a, b in zip(districts, sectors, units[:, 0], units[:, 1], strict=True)
        ],
        dtype=object,
    )


def _blank_unless(rng: np.random.Generator, values: Strings, share: float) -> Strings:
    return np.where(rng.random(len(values)) < share, values, "")


def _originals(rng: np.random.Generator, size: int, today: dt.date) -> dict[str, Strings]:
    female = rng.random(size) < 0.5  # noqa: PLR2004
    given = np.where(
        female, _zipf(rng, synthetic.FIRST_F, size), _zipf(rng, synthetic.FIRST_M, size)
    )
    born = np.datetime64(today) - rng.integers(365 * 5, 365 * 18, size).astype("timedelta64[D]")
    sex = np.where(female, "F", "M").astype(object)
    return {
        "given_name": given,
        "family_name": _surnames(rng, size),
        "date_of_birth": np.datetime_as_string(born, unit="D").astype(object),
        "sex": _blank_unless(rng, sex, 0.97),
        "postcode": _blank_unless(rng, _postcodes(rng, rng.integers(1, 25, size)), 0.9),
        "school": _blank_unless(
            rng, np.array(synthetic.SCHOOLS, dtype=object)[rng.integers(0, 18, size)], 0.7
        ),
        "nhs_number": _blank_unless(rng, _nhs(rng, size), 0.35),
        "upn": _blank_unless(rng, _upn(rng, size), 0.4),
    }


def _each(values: Strings, change: object) -> Strings:
    return np.array([change(v) for v in values], dtype=object)  # type: ignore[operator]


def _corrupt(rng: np.random.Generator, dups: dict[str, Strings]) -> None:
    """One round of `synthetic._duplicate`'s errors, each record its own roll, in place."""
    import random  # noqa: PLC0415 - the per-value errors reuse synthetic.py's own functions

    one = random.Random(int(rng.integers(2**31)))  # noqa: S311 - synthetic data
    roll = rng.random(len(dups["given_name"]))

    def where(low: float, high: float) -> np.ndarray:
        return np.flatnonzero((roll >= low) & (roll < high))

    i = where(0, 0.2)
    dups["given_name"][i] = _each(dups["given_name"][i], lambda v: synthetic.variant(one, v))
    i = where(0.2, 0.35)
    dups["family_name"][i] = _each(dups["family_name"][i], lambda v: synthetic.variant(one, v))
    i = where(0.35, 0.5)
    dups["date_of_birth"][i] = _each(
        dups["date_of_birth"][i], lambda v: synthetic.corrupted_dob(one, v)
    )
    i = where(0.5, 0.65)
    i = i[dups["postcode"][i] != ""]  # a house move in the same district
    districts = [int(p.split(" ")[0][2:]) for p in dups["postcode"][i]]
    dups["postcode"][i] = _postcodes(rng, np.array(districts, dtype=int))
    i = where(0.65, 0.7)
    dups["given_name"][i], dups["family_name"][i] = dups["family_name"][i], dups["given_name"][i]
    i = where(0.7, 0.75)
    dups["given_name"][i] = _each(dups["given_name"][i], lambda v: v[0])
    i = where(0.75, 0.8)
    dups["family_name"][i] = dups["family_name"][i] + "-" + _surnames(rng, len(i))
    i = where(0.8, 0.9)
    dups["school"][i] = np.array(synthetic.SCHOOLS, dtype=object)[rng.integers(0, 18, len(i))]
    dups["postcode"][i] = ""
    i = where(0.9, 0.97)
    dups["sex"][i] = ""
    i = where(0.97, 1)  # recorded wrongly
    dups["sex"][i] = _each(dups["sex"][i], lambda v: {"F": "M", "M": "F"}.get(v, ""))


def frame(
    count: int, *, seed: int = 14, duplicate_share: float = 0.4, today: dt.date | None = None
) -> pd.DataFrame:
    """`count` raw records (the columns of `synthetic.Person`, ids as integers), about
    `duplicate_share` of them further records of an earlier child, in order of arrival.
    """
    rng = np.random.default_rng(seed)
    duplicate = rng.random(count) < duplicate_share
    duplicate[0] = False
    original_number = np.cumsum(~duplicate) - 1  # for an original: its place among them
    originals = int((~duplicate).sum())
    people = _originals(rng, originals, today or dt.date(2026, 1, 1))
    # Each further record is of an original that arrived before it, chosen evenly.
    before = original_number[duplicate] + 1
    of = (rng.random(len(before)) * before).astype(np.int64)
    dups = {k: v[of].copy() for k, v in people.items()}
    errors = rng.choice([1, 1, 2, 2, 3], len(of))
    for round_ in range(3):
        chosen = np.flatnonzero(errors > round_)
        part = {k: v[chosen] for k, v in dups.items()}
        _corrupt(rng, part)
        for k, v in part.items():
            dups[k][chosen] = v
    dups["nhs_number"] = _blank_unless(rng, dups["nhs_number"], 0.4)
    dups["upn"] = _blank_unless(rng, dups["upn"], 0.5)
    ids = np.arange(count, dtype=np.int64)
    clusters = np.empty(count, dtype=np.int64)
    original_ids = ids[~duplicate]
    clusters[~duplicate] = original_ids
    clusters[duplicate] = original_ids[of]
    columns: dict[str, object] = {"record_id": ids, "cluster_id": clusters}
    for key, values in people.items():
        column = np.empty(count, dtype=object)
        column[~duplicate] = values
        column[duplicate] = dups[key]
        columns[key] = column
    return pd.DataFrame(columns, columns=list(RAW_COLUMNS))
