"""Snapshots: an immutable, pseudonymised, checksummed extract of the history at a time T.

Every published figure is computed from a snapshot, never from the live tables, so a figure can
be reproduced years later from the same files and a revision can be explained by comparing two
snapshots. What a snapshot holds is chosen so that an analyst sees no identifiable data: no
names, no dates of birth (month only), no postcodes (wards only), no free text, and every key a
keyed HMAC rather than a database id (an id would let anyone with the database re-identify).

Knowledge time T is honoured through the history tables (django-simple-history): each row is
taken as it stood in its latest history record known at T, and a row with none is left out, by
the rule in `safehub.analytics.known` (the hub's record time, and Safehub's own time of learning
it). So a referral recorded late changes the figures of a later snapshot, not of an earlier one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from safehub import config
from safehub.access.models import Agency
from safehub.access.policy import Principal, require
from safehub.analytics.known import legacy_era_until, rows_as_of
from safehub.audit import services as audit
from safehub.duplicates.models import Merge
from safehub.episodes.models import Episode, MissingEpisode, RiskChange
from safehub.geo.models import Ward
from safehub.people.models import AddressPeriod, CarePeriod, Child
from safehub.referrals.models import Decision, Referral, Screening
from safehub.rules import codes, working_time

# pyarrow is imported where a snapshot is written (`schemas`), not by every command that
# loads this module: reading a manifest does not need it.
if TYPE_CHECKING:
    import pyarrow as pa

# 3: adds `merges` (records merged into another, counted once) and leaves merged records out
# of `children`. Additive: a reader of version 2 finds every table it knew.
# 4: adds `awareness_programmes`, `awareness_targets` and `awareness_sessions` (people reached
# by prevention and awareness sessions; no child data). Additive.
# 5: adds the scrutiny tables (`analytics.scrutiny_tables`); additive too.
# 6: adds `community` to `children` (the emerging-community group of the child's recorded
# ethnicity, `rules.codes.community_group`) and to `awareness_sessions` (the community a
# session was aimed at, or null). Additive: a reader of version 5 finds every column it knew.
SCHEMA_VERSION = 6
LONDON = ZoneInfo("Europe/London")
PLACEHOLDER_PSEUDONYM_KEY = "insecure-pseudonym-key-for-demo-and-tests-only"
MIN_KEY_LENGTH = 32
SNAPSHOT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")

# Features whose records Safehub does not hold yet. The manifest lists them so a report can say
# "not recorded" rather than print a misleading zero.
NOT_RECORDED: tuple[str, ...] = ()


class SnapshotError(Exception):
    """A snapshot could not be written or does not verify."""


def snapshot_root() -> Path:
    configured = config.get("SAFEHUB_SNAPSHOT_DIR")
    return Path(configured) if configured else Path(config.get("SAFEHUB_VAR_DIR")) / "snapshots"


def pseudonym_key() -> bytes:
    """The HMAC key; the placeholder is refused outside the demo and test profiles.

    The production profile already refuses a placeholder secret key, so a real secret key with
    a placeholder pseudonym key means a production deployment that forgot this one.
    """
    key = config.get("SAFEHUB_PSEUDONYM_KEY")
    from safehub.settings.base import PLACEHOLDER_SECRET_KEY  # noqa: PLC0415

    production = not settings.SAFEHUB_DEMO and settings.SECRET_KEY != PLACEHOLDER_SECRET_KEY
    if production and (key == PLACEHOLDER_PSEUDONYM_KEY or len(key) < MIN_KEY_LENGTH):
        raise ImproperlyConfigured(
            "SAFEHUB_PSEUDONYM_KEY must be set to 32 or more random characters in production "
            "(the demo and test placeholder is refused)."
        )
    return key.encode()


class Pseudonymiser:
    """Keyed HMAC-SHA256 of "kind:id": stable across snapshots, useless without the key."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def __call__(self, kind: str, pk: object) -> str | None:
        if pk is None:
            return None
        return hmac.new(self._key, f"{kind}:{pk}".encode(), hashlib.sha256).hexdigest()[:32]


def _live(
    rows: list[dict[str, Any]],
    kind: str,
    withdrawals: list[dict[str, Any]],
    key: Any,
) -> list[dict[str, Any]]:
    """The rows not withdrawn by T; each withdrawn one is noted in `withdrawals`."""
    live = []
    for row in rows:
        if row["withdrawn_at"] is None:
            live.append(row)
        else:
            pseudonym, child = key(row)
            withdrawals.append(
                {
                    "kind": kind,
                    "key": pseudonym,
                    "child": child,
                    "withdrawn_at": _utc(row["withdrawn_at"]),
                }
            )
    return live


def _month(day: dt.date | None) -> dt.date | None:
    return None if day is None else day.replace(day=1)


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    return None if moment is None else moment.astimezone(LONDON).date()


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    return None if moment is None else moment.astimezone(dt.UTC)


@dataclass(frozen=True)
class Manifest:
    id: str
    path: Path
    data: dict[str, Any]

    @property
    def knowledge_time(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.data["knowledge_time"])

    @property
    def sha256(self) -> str:
        return str(self.data["sha256"])

    def file(self, table: str) -> Path:
        return self.path / f"{table}.parquet"


def code_version() -> str:
    """The package version plus a digest of the metric definitions that produced the figures."""
    try:
        version = metadata.version("safehub")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        version = "0+unknown"
    digest = hashlib.sha256()
    for sql in sorted((Path(__file__).parent / "metrics").glob("*.sql")):
        digest.update(sql.name.encode())
        digest.update(sql.read_bytes())
    return f"{version}+metrics.{digest.hexdigest()[:12]}"


def _extract(
    knowledge_time: dt.datetime, pseudo: Pseudonymiser, legacy_until: dt.datetime | None
) -> dict[str, list[dict[str, Any]]]:
    """The rows of every table, pseudonymised, as known at `knowledge_time`."""
    # They import pyarrow for their schemas (`schemas`).
    from safehub.analytics import (  # noqa: PLC0415
        awareness_tables,
        pathway_tables,
        scrutiny_tables,
    )

    agency_types = {a.pk: a.agency_type for a in Agency.objects.all()}
    wards = [
        {
            "ward_id": w.pk,
            "ward_code": w.code,
            "ward_name": w.name,
            "area": w.area_committee.name,
            "local_authority": w.ward_set.local_authority.name,
            "ward_set": w.ward_set.name,
            "set_valid_from": w.ward_set.valid_from,
            "set_valid_to": w.ward_set.valid_to,
            "boundary_geojson": json.dumps(w.boundary) if w.boundary else None,
        }
        for w in Ward.objects.select_related(
            "ward_set__local_authority", "area_committee"
        ).order_by("pk")
    ]
    merges = [
        {
            "child": pseudo("child", m.merged_id),
            "into_child": pseudo("child", m.survivor_id),
            "merged_at": _utc(m.merged_at),
        }
        for m in Merge.objects.filter(merged_at__lte=knowledge_time)
        .exclude(unmerged_at__lte=knowledge_time)
        .order_by("merged_at", "pk")
    ]
    merged_away = {m["child"] for m in merges}
    children = [
        {
            "child": pseudo("child", c["id"]),
            "birth_month": _month(c["date_of_birth"]),
            "sex": c["sex"],
            "ethnicity": c["ethnicity"],
            "ethnic_group": codes.Ethnicity(c["ethnicity"]).group.value,
            "community": codes.community_group(c["ethnicity"]),
            "ethnicity_source": c["ethnicity_source"],
            "first_language": c["first_language"] or None,
            "nationality": c["nationality"] or None,
            "arrived_month": _month(c["arrived_uk"]),
        }
        for c in rows_as_of(Child, knowledge_time, legacy_until)
        if pseudo("child", c["id"]) not in merged_away
    ]
    withdrawals: list[dict[str, Any]] = []
    addresses = [
        {
            "child": pseudo("child", a["child_id"]),
            "valid_from": a["valid_from"],
            "valid_to": a["valid_to"],
            "ward_id": a["ward_id"],
        }
        for a in _live(
            rows_as_of(AddressPeriod, knowledge_time, legacy_until),
            "address",
            withdrawals,
            lambda a: (pseudo("child", a["child_id"]), pseudo("child", a["child_id"])),
        )
    ]
    care = [
        {
            "child": pseudo("child", p["child_id"]),
            "kind": p["kind"],
            "valid_from": p["valid_from"],
            "valid_to": p["valid_to"],
        }
        for p in rows_as_of(CarePeriod, knowledge_time, legacy_until)
    ]
    live_referrals = _live(
        rows_as_of(Referral, knowledge_time, legacy_until),
        "referral",
        withdrawals,
        lambda r: (pseudo("referral", r["id"]), pseudo("child", r["child_id"])),
    )
    received = {r["id"]: r["received_at"] for r in live_referrals}
    referrals = [
        {
            "referral": pseudo("referral", r["id"]),
            "child": pseudo("child", r["child_id"]),
            "received_at": _utc(r["received_at"]),
            "received_on": _local_date(r["received_at"]),
            "source": r["source"],
            "exploitation_types": ",".join(sorted(r["exploitation_types"] or [])),
            "episode": pseudo("episode", r["episode_id"]),
            "recorded_at": _utc(r["recorded_at"]),
        }
        for r in live_referrals
    ]
    screenings = [
        {
            "referral": pseudo("referral", s["referral_id"]),
            "screened_at": _utc(s["screened_at"]),
            "computed_level": s["computed_level"],
            "final_level": s["final_level"],
        }
        for s in rows_as_of(Screening, knowledge_time, legacy_until)
        if s["referral_id"] in received
    ]
    decisions = [
        {
            "referral": pseudo("referral", d["referral_id"]),
            "outcome": d["outcome"],
            "decided_at": _utc(d["decided_at"]),
            # Working days need the bank-holiday calendar, which lives in the pure rules; the
            # due time is computed here once so every engine's SQL compares two timestamps.
            "due_at": _utc(working_time.decision_due(received[d["referral_id"]])),
            "pathway_agency_type": agency_types.get(d["pathway_agency_id"]),
        }
        for d in rows_as_of(Decision, knowledge_time, legacy_until)
        if d["referral_id"] in received
    ]
    live_episodes = _live(
        rows_as_of(Episode, knowledge_time, legacy_until),
        "episode",
        withdrawals,
        lambda e: (pseudo("episode", e["id"]), pseudo("child", e["child_id"])),
    )
    held = {e["id"] for e in live_episodes}
    episodes = [
        {
            "episode": pseudo("episode", e["id"]),
            "child": pseudo("child", e["child_id"]),
            "opened_on": e["opened_on"],
            "closed_on": e["closed_on"],
            "lead_agency_type": agency_types.get(e["lead_agency_id"]),
        }
        for e in live_episodes
    ]
    risk = [
        {
            "episode": pseudo("episode", r["episode_id"]),
            "seq": r["id"],  # only the order matters; replaced by a rank below
            "level": r["level"],
            "effective_on": r["effective_on"],
            "recorded_at": _utc(r["recorded_at"]),
        }
        for r in _live(
            rows_as_of(RiskChange, knowledge_time, legacy_until),
            "risk_change",
            withdrawals,
            lambda r: (pseudo("episode", r["episode_id"]), None),
        )
        if r["episode_id"] in held
    ]
    # The order of entry breaks ties between changes on one day; a rank keeps that order
    # without carrying a database id into the snapshot.
    for rank, row in enumerate(sorted(risk, key=lambda r: r["seq"]), start=1):
        row["seq"] = rank
    missing = [
        {
            "child": pseudo("child", m["child_id"]),
            "kind": m["kind"],
            "started_at": _utc(m["started_at"]),
            "ended_at": _utc(m["ended_at"]),
            "interview_offered_at": _utc(m["return_interview_offered_at"]),
            "interview_completed_at": _utc(m["return_interview_completed_at"]),
        }
        for m in _live(
            rows_as_of(MissingEpisode, knowledge_time, legacy_until),
            "missing_episode",
            withdrawals,
            lambda m: (pseudo("child", m["child_id"]), pseudo("child", m["child_id"])),
        )
    ]
    return {
        "wards": wards,
        "children": children,
        "addresses": addresses,
        "care_periods": care,
        "referrals": referrals,
        "screenings": screenings,
        "decisions": decisions,
        "episodes": episodes,
        "risk_changes": risk,
        "missing_episodes": missing,
        "withdrawals": withdrawals,
        "merges": merges,
        **awareness_tables.extract(knowledge_time),
        **scrutiny_tables.extract(knowledge_time, pseudo, legacy_until),
    } | pathway_tables.extract(
        lambda model, at: rows_as_of(model, at, legacy_until),
        knowledge_time,
        pseudo,
        utc=_utc,
        local_date=_local_date,
    )


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_tables(
    directory: Path,
    tables: Iterable[tuple[str, pa.Table]],
    *,
    snapshot_id: str,
    knowledge_time: dt.datetime,
    extra: dict[str, Any] | None = None,
) -> Manifest:
    """Write Parquet files and the manifest into a directory that must not exist yet."""
    import pyarrow.parquet  # noqa: PLC0415

    if directory.exists():
        raise SnapshotError(
            f"snapshot {snapshot_id} already exists at {directory}; never overwritten"
        )
    directory.mkdir(parents=True)
    files: dict[str, dict[str, Any]] = {}
    for name, table in tables:
        path = directory / f"{name}.parquet"
        pyarrow.parquet.write_table(table, path, compression="zstd")
        files[name] = {"file": path.name, "rows": table.num_rows, "sha256": sha256_file(path)}
    combined = hashlib.sha256(
        json.dumps({k: v["sha256"] for k, v in sorted(files.items())}).encode()
    ).hexdigest()
    data = {
        "id": snapshot_id,
        "knowledge_time": knowledge_time.astimezone(dt.UTC).isoformat(),
        "created_at": timezone.now().astimezone(dt.UTC).isoformat(),
        "schema_version": SCHEMA_VERSION,
        "code_version": code_version(),
        "not_recorded": list(NOT_RECORDED),
        "tables": files,
        "sha256": combined,
        **(extra or {}),
    }
    manifest_path = directory / "manifest.json"
    manifest_path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    for path in directory.iterdir():
        path.chmod(0o444)
    return Manifest(snapshot_id, directory, data)


def arrow_tables(rows: dict[str, list[dict[str, Any]]]) -> Iterator[tuple[str, pa.Table]]:
    import pyarrow as pa  # noqa: PLC0415

    from safehub.analytics.schemas import SCHEMAS  # noqa: PLC0415

    for name, schema in SCHEMAS.items():
        yield name, pa.Table.from_pylist(rows[name], schema=schema)


def default_id(knowledge_time: dt.datetime) -> str:
    now = timezone.now().astimezone(dt.UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-as-of-{knowledge_time.astimezone(dt.UTC):%Y%m%dT%H%M}"


@transaction.atomic
def create(
    *,
    acting_user: Principal,
    knowledge_time: dt.datetime | None = None,
    snapshot_id: str | None = None,
    root: Path | None = None,
) -> Manifest:
    """Write a snapshot of the history as recorded by `knowledge_time` (default: now).

    One transaction, so every table is read from the same state and the audit row commits with
    the act; the files are written before the commit, and a failure leaves no manifest.
    """
    require(acting_user, "snapshot:create")
    knowledge_time = knowledge_time or timezone.now()
    if timezone.is_naive(knowledge_time):
        raise SnapshotError("the knowledge time must carry a time zone")
    base = root or snapshot_root()
    if not snapshot_id:
        # Two snapshots asked for in one second (a report as known at T, twice): -2, -3, ...
        snapshot_id = first = default_id(knowledge_time)
        for n in itertools.count(2):
            if not (base / snapshot_id).exists():
                break
            snapshot_id = f"{first}-{n}"
    if not SNAPSHOT_ID.match(snapshot_id):
        raise SnapshotError(f"{snapshot_id!r} is not a valid snapshot id (letters, digits, .-_)")
    pseudo = Pseudonymiser(pseudonym_key())
    legacy_until = legacy_era_until()
    rows = _extract(knowledge_time, pseudo, legacy_until)
    manifest = write_tables(
        base / snapshot_id,
        arrow_tables(rows),
        snapshot_id=snapshot_id,
        knowledge_time=knowledge_time,
        # Before this time a snapshot holds what the old system had recorded by T; from it on,
        # what Safehub itself held at T (`safehub.analytics.known`).
        extra={
            "legacy_era_until": legacy_until.astimezone(dt.UTC).isoformat()
            if legacy_until
            else None
        },
    )
    audit.write(acting_user, "snapshot:created", object_type="snapshot", object_id=snapshot_id)
    return manifest


def load(snapshot_id: str, *, root: Path | None = None) -> Manifest:
    if not SNAPSHOT_ID.match(snapshot_id):
        raise SnapshotError(f"{snapshot_id!r} is not a valid snapshot id")
    directory = (root or snapshot_root()) / snapshot_id
    manifest = directory / "manifest.json"
    if not manifest.is_file():
        raise SnapshotError(f"no snapshot {snapshot_id} in {directory.parent}")
    return Manifest(snapshot_id, directory, json.loads(manifest.read_text(encoding="utf-8")))


def open_path(directory: Path) -> Manifest:
    """A snapshot anywhere on disk (a synthetic one, say), by its directory."""
    data = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    return Manifest(str(data["id"]), directory, data)


def verify(manifest: Manifest) -> list[str]:
    """Problems found; empty when every file is present and hashes as the manifest says."""
    problems = []
    for name, entry in sorted(manifest.data["tables"].items()):
        path = manifest.path / entry["file"]
        if not path.is_file():
            problems.append(f"{name}: {entry['file']} is missing")
        elif sha256_file(path) != entry["sha256"]:
            problems.append(f"{name}: {entry['file']} does not match its SHA-256")
    listed = {e["file"] for e in manifest.data["tables"].values()} | {"manifest.json"}
    problems.extend(
        f"{path.name}: not listed in the manifest"
        for path in sorted(manifest.path.iterdir())
        if path.name not in listed
    )
    return problems


def list_all(root: Path | None = None) -> list[Manifest]:
    base = root or snapshot_root()
    if not base.is_dir():
        return []
    found = [open_path(d) for d in sorted(base.iterdir()) if (d / "manifest.json").is_file()]
    return sorted(found, key=lambda m: str(m.data.get("created_at", "")))


def latest(root: Path | None = None) -> Manifest | None:
    found = list_all(root)
    return found[-1] if found else None
