"""Every table a snapshot holds and the Parquet schema of each: the snapshot's format.

Kept apart from `snapshot` (which writes and reads the files) so the format is read in one place;
the pathway, awareness and scrutiny tables are defined beside their extracts and registered here.
A change to what is here is a change of `snapshot.SCHEMA_VERSION`. Apart from `snapshot` too so
that loading a snapshot's manifest (every report, every command that imports the report views)
does not import pyarrow; only writing one does.
"""

from __future__ import annotations

import pyarrow as pa

from safehub.analytics import awareness_tables, pathway_tables, scrutiny_tables

TS = pa.timestamp("us", tz="UTC")
SCHEMAS: dict[str, pa.Schema] = {
    "wards": pa.schema(
        [
            ("ward_id", pa.int64()),
            ("ward_code", pa.string()),
            ("ward_name", pa.string()),
            ("area", pa.string()),
            ("local_authority", pa.string()),
            ("ward_set", pa.string()),
            ("set_valid_from", pa.date32()),
            ("set_valid_to", pa.date32()),
            ("boundary_geojson", pa.string()),
        ]
    ),
    "children": pa.schema(
        [
            ("child", pa.string()),
            ("birth_month", pa.date32()),
            ("sex", pa.string()),
            ("ethnicity", pa.string()),
            ("ethnic_group", pa.string()),
            ("community", pa.string()),
            ("ethnicity_source", pa.string()),
            ("first_language", pa.string()),
            ("nationality", pa.string()),
            ("arrived_month", pa.date32()),
        ]
    ),
    "addresses": pa.schema(
        [
            ("child", pa.string()),
            ("valid_from", pa.date32()),
            ("valid_to", pa.date32()),
            ("ward_id", pa.int64()),
        ]
    ),
    "care_periods": pa.schema(
        [
            ("child", pa.string()),
            ("kind", pa.string()),
            ("valid_from", pa.date32()),
            ("valid_to", pa.date32()),
        ]
    ),
    "referrals": pa.schema(
        [
            ("referral", pa.string()),
            ("child", pa.string()),
            ("received_at", TS),
            ("received_on", pa.date32()),
            ("source", pa.string()),
            ("exploitation_types", pa.string()),
            ("episode", pa.string()),
            ("recorded_at", TS),
        ]
    ),
    "screenings": pa.schema(
        [
            ("referral", pa.string()),
            ("screened_at", TS),
            ("computed_level", pa.string()),
            ("final_level", pa.string()),
        ]
    ),
    "decisions": pa.schema(
        [
            ("referral", pa.string()),
            ("outcome", pa.string()),
            ("decided_at", TS),
            ("due_at", TS),
            ("pathway_agency_type", pa.string()),
        ]
    ),
    "episodes": pa.schema(
        [
            ("episode", pa.string()),
            ("child", pa.string()),
            ("opened_on", pa.date32()),
            ("closed_on", pa.date32()),
            ("lead_agency_type", pa.string()),
        ]
    ),
    "risk_changes": pa.schema(
        [
            ("episode", pa.string()),
            ("seq", pa.int64()),
            ("level", pa.string()),
            ("effective_on", pa.date32()),
            ("recorded_at", TS),
        ]
    ),
    "missing_episodes": pa.schema(
        [
            ("child", pa.string()),
            ("kind", pa.string()),
            ("started_at", TS),
            ("ended_at", TS),
            ("interview_offered_at", TS),
            ("interview_completed_at", TS),
        ]
    ),
    # What was withdrawn as entered in error by T. `key` is the pseudonym of the referral or
    # episode withdrawn (for a risk change: its episode); for an address or a missing episode,
    # of the child.
    "withdrawals": pa.schema(
        [
            ("kind", pa.string()),
            ("key", pa.string()),
            ("child", pa.string()),
            ("withdrawn_at", TS),
        ]
    ),
    # Records found to be one child and merged by T (and not unmerged by T): `child` was
    # merged into `into_child`. The merged record is not in `children`; its referrals,
    # episodes and the rest are the survivor's, so every figure counts the child once.
    "merges": pa.schema(
        [
            ("child", pa.string()),
            ("into_child", pa.string()),
            ("merged_at", TS),
        ]
    ),
    **scrutiny_tables.SCHEMAS,
}
SCHEMAS.update(pathway_tables.SCHEMAS)
SCHEMAS.update(awareness_tables.SCHEMAS)
