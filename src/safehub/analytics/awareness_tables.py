"""The snapshot's awareness tables: prevention programmes, their targets and the sessions
recorded by T (people reached; no child data, no venue or deliverer text).

Separate from `snapshot` (which calls it) so each stays a readable size.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa

from safehub.awareness.models import Programme, Session, Target

TS = pa.timestamp("us", tz="UTC")


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC)


SCHEMAS: dict[str, pa.Schema] = {
    # Prevention and awareness: programmes (by their code), their target populations (for the
    # district when `ward_id` is null; for every year when `financial_year` is null) and the
    # sessions recorded by T. No venue or deliverer: free text stays out of a snapshot. A session's
    # `community` is the emerging community it was aimed at (`rules.codes.Community`), or null.
    "awareness_programmes": pa.schema(
        [
            ("programme", pa.string()),
            ("name", pa.string()),
            ("target_description", pa.string()),
            ("sort_order", pa.int64()),
        ]
    ),
    "awareness_targets": pa.schema(
        [
            ("programme", pa.string()),
            ("ward_id", pa.int64()),
            ("financial_year", pa.int64()),
            ("population", pa.int64()),
        ]
    ),
    "awareness_sessions": pa.schema(
        [
            ("programme", pa.string()),
            ("delivered_on", pa.date32()),
            ("ward_id", pa.int64()),
            ("audience_type", pa.string()),
            ("community", pa.string()),
            ("reached", pa.int64()),
            ("recorded_at", TS),
        ]
    ),
}


def extract(knowledge_time: dt.datetime) -> dict[str, list[dict[str, Any]]]:
    """Awareness programmes, targets and the sessions recorded by T.

    Sessions are never edited after import, so "recorded by T" is what was known at T.
    Programmes and targets are reference data without history: they are taken as they are now.
    """
    return {
        "awareness_programmes": [
            {
                "programme": p.code,
                "name": p.name,
                "target_description": p.target_description,
                "sort_order": p.order,
            }
            for p in Programme.objects.filter(is_active=True)
        ],
        "awareness_targets": [
            {
                "programme": t.programme.code,
                "ward_id": t.ward_id,
                "financial_year": t.financial_year,
                "population": t.population,
            }
            for t in Target.objects.select_related("programme").filter(programme__is_active=True)
        ],
        "awareness_sessions": [
            {
                "programme": s.programme.code,
                "delivered_on": s.delivered_on,
                "ward_id": s.ward_id,
                "audience_type": s.audience_type,
                "community": s.community or None,
                "reached": s.reached,
                "recorded_at": _utc(s.recorded_at),
            }
            for s in Session.objects.select_related("programme")
            .filter(recorded_at__lte=knowledge_time, programme__is_active=True)
            .order_by("delivered_on", "reference")
        ],
    }
