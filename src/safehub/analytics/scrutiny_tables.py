"""The snapshot's scrutiny tables: committee meetings, resolutions, actions and progress.

They hold no child data (the council's public papers), so their words go in as written; keys
are pseudonyms like every other table's, so no database id leaves Safehub. Each row is taken as
its history stood at the knowledge time T, so a report rebuilt from the snapshot shows each
action's status as it was known then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pyarrow as pa

from safehub.analytics.known import rows_as_of
from safehub.geo.models import AreaCommittee
from safehub.scrutiny.models import CommitteeMeeting, ProgressUpdate, Resolution, ScrutinyAction

Pseudo = Callable[[str, object], str | None]

SCHEMAS: dict[str, pa.Schema] = {
    "scrutiny_meetings": pa.schema(
        [
            ("meeting", pa.string()),
            ("committee", pa.string()),
            ("area", pa.string()),  # empty for a committee of the whole district
            ("held_on", pa.date32()),
        ]
    ),
    "scrutiny_resolutions": pa.schema(
        [
            ("resolution", pa.string()),
            ("meeting", pa.string()),
            ("number", pa.int64()),
            ("text", pa.string()),
        ]
    ),
    "scrutiny_actions": pa.schema(
        [
            ("action", pa.string()),
            ("resolution", pa.string()),
            ("text", pa.string()),
            ("owner_title", pa.string()),
            ("owner_role", pa.string()),
            ("due_on", pa.date32()),
            ("status", pa.string()),
        ]
    ),
    "scrutiny_updates": pa.schema(
        [
            ("action", pa.string()),
            ("reported_on", pa.date32()),
            ("text", pa.string()),
            ("status", pa.string()),
            ("evidence", pa.string()),
        ]
    ),
}


def extract(
    knowledge_time: dt.datetime, pseudo: Pseudo, legacy_until: dt.datetime | None
) -> dict[str, list[dict[str, Any]]]:
    areas = dict(AreaCommittee.objects.values_list("pk", "name"))
    meetings = rows_as_of(CommitteeMeeting, knowledge_time, legacy_until)
    resolutions = rows_as_of(Resolution, knowledge_time, legacy_until)
    actions = rows_as_of(ScrutinyAction, knowledge_time, legacy_until)
    updates = rows_as_of(ProgressUpdate, knowledge_time, legacy_until)
    return {
        "scrutiny_meetings": [
            {
                "meeting": pseudo("scrutiny_meeting", m["id"]),
                "committee": m["committee"],
                "area": areas.get(m["area_id"], ""),
                "held_on": m["held_on"],
            }
            for m in sorted(meetings, key=lambda m: (m["held_on"], m["id"]))
        ],
        "scrutiny_resolutions": [
            {
                "resolution": pseudo("scrutiny_resolution", r["id"]),
                "meeting": pseudo("scrutiny_meeting", r["meeting_id"]),
                "number": r["number"],
                "text": r["text"],
            }
            for r in sorted(resolutions, key=lambda r: r["id"])
        ],
        "scrutiny_actions": [
            {
                "action": pseudo("scrutiny_action", a["id"]),
                "resolution": pseudo("scrutiny_resolution", a["resolution_id"]),
                "text": a["text"],
                "owner_title": a["owner_title"],
                "owner_role": a["owner_role"],
                "due_on": a["due_on"],
                "status": a["status"],
            }
            for a in sorted(actions, key=lambda a: a["id"])
        ],
        "scrutiny_updates": [
            {
                "action": pseudo("scrutiny_action", u["action_id"]),
                "reported_on": u["reported_on"],
                "text": u["text"],
                "status": u["status"],
                "evidence": u["evidence"],
            }
            for u in sorted(updates, key=lambda u: (u["reported_on"], u["id"]))
        ],
    }
