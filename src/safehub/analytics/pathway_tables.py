"""The snapshot's pathway table: each pathway referral as recorded by T, pseudonymised.

Separate from `snapshot` (which calls it) so each stays a readable size. What is kept: the
child's pseudonym, the service (its name and its agency's type: reference data, not personal),
the risk level when referred, and the times of each step with their due times; no message, no
reason, no worker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pyarrow as pa

from safehub.partnership.models import PathwayReferral, SupportService

TS = pa.timestamp("us", tz="UTC")
SCHEMAS: dict[str, pa.Schema] = {
    "pathway_referrals": pa.schema(
        [
            ("pathway_referral", pa.string()),
            ("child", pa.string()),
            ("service", pa.string()),
            ("agency_type", pa.string()),
            ("risk_level", pa.string()),
            ("referred_at", TS),
            ("referred_on", pa.date32()),
            ("accept_due_at", TS),
            ("accepted_at", TS),
            ("declined_at", TS),
            ("first_contact_due_at", TS),
            ("first_contact_at", TS),
            ("closed_at", TS),
            ("closed_on", pa.date32()),
            ("status", pa.string()),
            ("outcome", pa.string()),
        ]
    ),
}


def extract(
    rows_as_of: Callable[..., list[dict[str, Any]]],
    knowledge_time: dt.datetime,
    pseudo: Callable[[str, object], str | None],
    *,
    utc: Callable[[dt.datetime | None], dt.datetime | None],
    local_date: Callable[[dt.datetime | None], dt.date | None],
) -> dict[str, list[dict[str, Any]]]:
    services = {
        s.pk: (s.name, s.agency.agency_type)
        for s in SupportService.objects.select_related("agency")
    }
    return {
        "pathway_referrals": [
            {
                "pathway_referral": pseudo("pathway_referral", p["id"]),
                "child": pseudo("child", p["child_id"]),
                "service": services[p["service_id"]][0],
                "agency_type": services[p["service_id"]][1],
                "risk_level": p["risk_level"] or None,
                "referred_at": utc(p["referred_at"]),
                "referred_on": local_date(p["referred_at"]),
                "accept_due_at": utc(p["accept_due_at"]),
                "accepted_at": utc(p["accepted_at"]),
                "declined_at": utc(p["declined_at"]),
                "first_contact_due_at": utc(p["first_contact_due_at"]),
                "first_contact_at": utc(p["first_contact_at"]),
                "closed_at": utc(p["closed_at"]),
                "closed_on": local_date(p["closed_at"]),
                "status": p["status"],
                "outcome": p["outcome"] or None,
            }
            for p in rows_as_of(PathwayReferral, knowledge_time)
        ]
    }
