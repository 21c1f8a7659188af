"""A synthetic snapshot at national scale, written straight to Parquet with no database.

The metrics must answer for every area and ward of England in a minute; the demo's 11,000
children cannot show that. This writes the snapshot schema (`schemas.SCHEMAS`) for N children
over Y years with numpy, vectorised, so two million children take seconds, not hours. The
numbers are plausible in shape (ages 10-17 at referral, mostly female for CSE, a share of
repeat referrals, open episodes of months) and mean nothing. Pseudonyms are random: there is
nobody behind them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from safehub.analytics import schemas, snapshot
from safehub.rules import codes

ETHNICITIES = np.array(
    ["WBRI", "WOTH", "WROM", "MWAS", "APKN", "AIND", "BAFR", "CHNE", "OOTH", "NOBT", "REFU"]
)
ETHNICITY_WEIGHTS = np.array([0.55, 0.06, 0.02, 0.03, 0.12, 0.04, 0.04, 0.01, 0.03, 0.08, 0.02])
GROUP_OF = {
    "WBRI": "white",
    "WOTH": "white",
    "WROM": "white",
    "MWAS": "mixed",
    "APKN": "asian",
    "AIND": "asian",
    "BAFR": "black",
    "CHNE": "chinese",
    "OOTH": "other",
    "NOBT": "not_known",
    "REFU": "not_known",
}
SOURCES = np.array(["6", "2A", "5A", "3F", "5D", "8", "1B", "10"])
SOURCE_WEIGHTS = np.array([0.3, 0.2, 0.15, 0.1, 0.08, 0.07, 0.05, 0.05])
RECORDING = np.array(
    ["self_identified", "parent_carer", "observed_by_professional", "not_obtained"]
)
LEVELS = np.array(["low", "medium", "high"])


def _dates(days: np.ndarray[Any, Any]) -> pa.Array:
    return pa.array(days.astype("datetime64[D]"), type=pa.date32())


def _ids(prefix: str, n: int) -> pa.Array:
    return pa.array([f"{prefix}{i:031x}" for i in range(n)], type=pa.string())


def generate(  # noqa: PLR0915 - one table after another
    *, children: int, years: int, out: Path, seed: int = 2016, wards_per_area: int = 24
) -> snapshot.Manifest:
    """Write a synthetic snapshot of `children` children referred over `years` years to `out`."""
    rng = np.random.default_rng(seed)
    end = np.datetime64(dt.datetime.now(dt.UTC).date(), "D")
    start = end - np.timedelta64(365 * years, "D")
    span = int((end - start).astype(int))
    n_areas = max(1, min(300, children // 7000))
    n_wards = n_areas * wards_per_area
    ward_ids = np.arange(1, n_wards + 1)
    wards = pa.table(
        {
            "ward_id": pa.array(ward_ids, type=pa.int64()),
            "ward_code": pa.array([f"E05{i:06d}" for i in ward_ids]),
            "ward_name": pa.array([f"Ward {i:05d}" for i in ward_ids]),
            "area": pa.array([f"Area {(i - 1) // wards_per_area + 1:03d}" for i in ward_ids]),
            "local_authority": pa.array(["Synthetic district"] * n_wards),
            "ward_set": pa.array(["Synthetic wards"] * n_wards),
            "set_valid_from": pa.array([dt.date(2000, 1, 1)] * n_wards, type=pa.date32()),
            "set_valid_to": pa.nulls(n_wards, type=pa.date32()),
            "boundary_geojson": pa.nulls(n_wards, type=pa.string()),
        },
        schema=schemas.SCHEMAS["wards"],
    )

    # Each child is first referred on a day in the period, aged 10 to 17.
    first_referral = start + rng.integers(0, span, children).astype("timedelta64[D]")
    age_days = rng.integers(10 * 365, 18 * 365, children).astype("timedelta64[D]")
    birth = first_referral - age_days
    birth_month = birth.astype("datetime64[M]").astype("datetime64[D]")
    ethnicity = rng.choice(ETHNICITIES, children, p=ETHNICITY_WEIGHTS / ETHNICITY_WEIGHTS.sum())
    arrived = np.where(
        rng.random(children) < 0.08,  # noqa: PLR2004
        (birth + rng.integers(0, 10 * 365, children).astype("timedelta64[D]"))
        .astype("datetime64[M]")
        .astype("datetime64[D]"),
        np.datetime64("NaT"),
    )
    child_ids = _ids("c", children)
    kids = pa.table(
        {
            "child": child_ids,
            "birth_month": _dates(birth_month),
            "sex": pa.array(np.where(rng.random(children) < 0.8, "F", "M")),  # noqa: PLR2004
            "ethnicity": pa.array(ethnicity),
            "ethnic_group": pa.array([GROUP_OF[e] for e in ethnicity.tolist()]),
            "community": pa.array([codes.community_group(e) for e in ethnicity.tolist()]),
            "ethnicity_source": pa.array(rng.choice(RECORDING, children, p=[0.45, 0.2, 0.25, 0.1])),
            "first_language": pa.array(
                np.where(rng.random(children) < 0.85, "English", "Polish")  # noqa: PLR2004
            ),
            "nationality": pa.nulls(children, type=pa.string()),
            "arrived_month": _dates(arrived),
        },
        schema=schemas.SCHEMAS["children"],
    )
    ward_of = rng.integers(1, n_wards + 1, children)
    addresses = pa.table(
        {
            "child": child_ids,
            "valid_from": _dates(birth),
            "valid_to": pa.nulls(children, type=pa.date32()),
            "ward_id": pa.array(ward_of, type=pa.int64()),
        },
        schema=schemas.SCHEMAS["addresses"],
    )
    in_care = rng.random(children) < 0.45  # noqa: PLR2004
    care_idx = np.flatnonzero(in_care)
    care_from = first_referral[care_idx] - rng.integers(0, 400, care_idx.size).astype(
        "timedelta64[D]"
    )
    care = pa.table(
        {
            "child": child_ids.take(pa.array(care_idx)),
            "kind": pa.array(
                rng.choice(
                    ["child_in_need", "child_protection_plan", "looked_after"], care_idx.size
                )
            ),
            "valid_from": _dates(care_from),
            "valid_to": _dates(
                care_from + rng.integers(90, 900, care_idx.size).astype("timedelta64[D]")
            ),
        },
        schema=schemas.SCHEMAS["care_periods"],
    )

    # Referrals: one per child, and a second (or third) for some within a year.
    extra = rng.random(children)
    repeats = (extra < 0.2).astype(int) + (extra < 0.05).astype(int)  # noqa: PLR2004
    ref_child = np.repeat(np.arange(children), 1 + repeats)
    offsets = np.concatenate([[0], np.cumsum(1 + repeats)[:-1]])
    order_in_child = np.arange(ref_child.size) - np.repeat(offsets, 1 + repeats)
    ref_day = first_referral[ref_child] + (
        order_in_child * rng.integers(20, 300, ref_child.size)
    ).astype("timedelta64[D]")
    keep = ref_day < end
    ref_child, ref_day = ref_child[keep], ref_day[keep]
    n_ref = ref_child.size
    received = ref_day.astype("datetime64[s]") + rng.integers(8 * 3600, 18 * 3600, n_ref).astype(
        "timedelta64[s]"
    )
    referral_ids = _ids("r", n_ref)
    episode_of_child = np.where(rng.random(children) < 0.55, np.arange(children), -1)  # noqa: PLR2004
    has_episode = episode_of_child >= 0
    episode_ids = _ids("e", children)
    ref_episode = pa.array(
        [
            f"e{c:031x}" if h else None
            for c, h in zip(ref_child.tolist(), has_episode[ref_child].tolist(), strict=True)
        ],
        type=pa.string(),
    )
    received_ts = pa.array(received.astype("datetime64[us]"), type=schemas.TS)
    referrals = pa.table(
        {
            "referral": referral_ids,
            "child": child_ids.take(pa.array(ref_child)),
            "received_at": received_ts,
            "received_on": _dates(ref_day),
            "source": pa.array(rng.choice(SOURCES, n_ref, p=SOURCE_WEIGHTS)),
            "exploitation_types": pa.array(
                rng.choice(["cse", "cce", "cse,online", "cce,trafficking", ""], n_ref)
            ),
            "episode": ref_episode,
            "recorded_at": received_ts,
        },
        schema=schemas.SCHEMAS["referrals"],
    )
    levels = rng.choice(LEVELS, n_ref, p=[0.45, 0.38, 0.17])
    screenings = pa.table(
        {
            "referral": referral_ids,
            "screened_at": pa.array(
                (received + np.timedelta64(2 * 3600, "s")).astype("datetime64[us]"),
                type=schemas.TS,
            ),
            "computed_level": pa.array(levels),
            "final_level": pa.array(levels),
        },
        schema=schemas.SCHEMAS["screenings"],
    )
    due = received + np.timedelta64(24 * 3600, "s")
    decided = received + rng.integers(3600, 40 * 3600, n_ref).astype("timedelta64[s]")
    decisions = pa.table(
        {
            "referral": referral_ids,
            "outcome": pa.array(
                rng.choice(["advice", "pathway_referral", "strategy_discussion"], n_ref)
            ),
            "decided_at": pa.array(decided.astype("datetime64[us]"), type=schemas.TS),
            "due_at": pa.array(due.astype("datetime64[us]"), type=schemas.TS),
            "pathway_agency_type": pa.array(
                ["youth_service" if y else None for y in (rng.random(n_ref) < 0.15).tolist()],  # noqa: PLR2004
                type=pa.string(),
            ),
        },
        schema=schemas.SCHEMAS["decisions"],
    )
    ep_idx = np.flatnonzero(has_episode)
    opened = first_referral[ep_idx] + np.timedelta64(1, "D")
    length = rng.integers(30, 500, ep_idx.size).astype("timedelta64[D]")
    closed = np.where(opened + length < end, opened + length, np.datetime64("NaT"))
    episodes = pa.table(
        {
            "episode": episode_ids.take(pa.array(ep_idx)),
            "child": child_ids.take(pa.array(ep_idx)),
            "opened_on": _dates(opened),
            "closed_on": _dates(closed),
            "lead_agency_type": pa.array(["childrens_services"] * ep_idx.size),
        },
        schema=schemas.SCHEMAS["episodes"],
    )
    # Graded on opening, and regraded once for half of the episodes.
    regraded = rng.random(ep_idx.size) < 0.5  # noqa: PLR2004
    rc_episode = np.concatenate([ep_idx, ep_idx[regraded]])
    rc_day = np.concatenate([opened, opened[regraded] + (length[regraded] // 2)])
    rc_level = rng.choice(LEVELS, rc_episode.size, p=[0.45, 0.38, 0.17])
    risk = pa.table(
        {
            "episode": episode_ids.take(pa.array(rc_episode)),
            "seq": pa.array(np.arange(1, rc_episode.size + 1), type=pa.int64()),
            "level": pa.array(rc_level),
            "effective_on": _dates(rc_day),
            "recorded_at": pa.array(rc_day.astype("datetime64[us]"), type=schemas.TS),
        },
        schema=schemas.SCHEMAS["risk_changes"],
    )
    miss_idx = np.flatnonzero(rng.random(children) < 0.06)  # noqa: PLR2004
    m_start = first_referral[miss_idx].astype("datetime64[s]") + rng.integers(
        0, 200 * 86400, miss_idx.size
    ).astype("timedelta64[s]")
    m_end = m_start + rng.integers(3600, 4 * 86400, miss_idx.size).astype("timedelta64[s]")
    interview = m_end + rng.integers(3600, 6 * 86400, miss_idx.size).astype("timedelta64[s]")
    missing = pa.table(
        {
            "child": child_ids.take(pa.array(miss_idx)),
            "kind": pa.array(["missing"] * miss_idx.size),
            "started_at": pa.array(m_start.astype("datetime64[us]"), type=schemas.TS),
            "ended_at": pa.array(m_end.astype("datetime64[us]"), type=schemas.TS),
            "interview_offered_at": pa.array(m_end.astype("datetime64[us]"), type=schemas.TS),
            "interview_completed_at": pa.array(interview.astype("datetime64[us]"), type=schemas.TS),
        },
        schema=schemas.SCHEMAS["missing_episodes"],
    )
    tables = {
        "wards": wards,
        "children": kids,
        "addresses": addresses,
        "care_periods": care,
        "referrals": referrals,
        "screenings": screenings,
        "decisions": decisions,
        "episodes": episodes,
        "risk_changes": risk,
        "missing_episodes": missing,
        "withdrawals": schemas.SCHEMAS["withdrawals"].empty_table(),
        "merges": schemas.SCHEMAS["merges"].empty_table(),
        "pathway_referrals": schemas.SCHEMAS["pathway_referrals"].empty_table(),
        **{
            name: schemas.SCHEMAS[name].empty_table()
            for name in ("awareness_programmes", "awareness_targets", "awareness_sessions")
        },
    }
    return snapshot.write_tables(
        out,
        tables.items(),
        snapshot_id=out.name,
        knowledge_time=dt.datetime.now(dt.UTC),
        extra={"synthetic": {"children": children, "years": years, "seed": seed}},
    )
