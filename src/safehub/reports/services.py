"""Building a committee report: permission, snapshot, figures, format, audit, in one call."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.db import transaction

from safehub.access.policy import Principal, require
from safehub.analytics import snapshot
from safehub.audit import services as audit
from safehub.reports import committee, render


def permission_for(edition: str) -> str:
    return "report:view:public" if edition == "public" else "report:view:restricted"


def find_snapshot(snapshot_id: str | None, root: Path | None = None) -> snapshot.Manifest:
    if snapshot_id:
        return snapshot.load(snapshot_id, root=root)
    latest = snapshot.latest(root)
    if latest is None:
        raise snapshot.SnapshotError("there is no snapshot yet: run `safehub snapshot create`")
    return latest


@transaction.atomic
def committee_report(  # noqa: PLR0913 - the command's options, one to one
    *,
    area: str,
    as_of: dt.date,
    edition: str,
    fmt: str,
    acting_user: Principal,
    snapshot_id: str | None = None,
    root: Path | None = None,
    compare_with: str | None = None,
) -> bytes:
    """The report as bytes in `fmt`. A public edition that fails its disclosure audit raises
    `DisclosureError` and nothing is returned: it is never rendered."""
    require(acting_user, permission_for(edition))
    manifest = find_snapshot(snapshot_id, root)
    if snapshot.verify(manifest):
        raise snapshot.SnapshotError(f"snapshot {manifest.id} does not verify; not reported")
    return _render(manifest, area, as_of, edition, fmt, acting_user, root, compare_with)


@transaction.atomic
def committee_report_as_known_at(  # noqa: PLR0913 - the command's options, one to one
    *,
    as_known_at: dt.datetime,
    area: str,
    as_of: dt.date,
    edition: str,
    fmt: str,
    acting_user: Principal,
    root: Path | None = None,
    compare_with: str | None = None,
) -> tuple[snapshot.Manifest, bytes]:
    """A new snapshot as known at `as_known_at`, and the report built from it, in one step.

    One transaction: a report that cannot be built (an unknown area, a public edition failing
    its audit) leaves no audit row for the snapshot; its files stay, as any snapshot's do."""
    require(acting_user, permission_for(edition))
    manifest = snapshot.create(acting_user=acting_user, knowledge_time=as_known_at, root=root)
    return manifest, _render(manifest, area, as_of, edition, fmt, acting_user, root, compare_with)


def _render(  # noqa: PLR0913, PLR0917 - the report's coordinates, from the two services above
    manifest: snapshot.Manifest,
    area: str,
    as_of: dt.date,
    edition: str,
    fmt: str,
    acting_user: Principal,
    root: Path | None,
    compare_with: str | None,
) -> bytes:
    earlier = snapshot.load(compare_with, root=root) if compare_with else None
    report = committee.build(
        manifest, area=area, as_of=as_of, edition=edition, compare_with=earlier
    )
    content = render.render(report, fmt)
    audit.write(
        acting_user,
        f"report:committee:{edition}",
        object_type="snapshot",
        object_id=manifest.id,
    )
    return content


@transaction.atomic
def committee_view(  # noqa: PLR0913
    *,
    area: str,
    as_of: dt.date,
    edition: str,
    acting_user: Principal,
    snapshot_id: str | None = None,
    root: Path | None = None,
    compare_with: str | None = None,
) -> committee.Report:
    """The report's view model for the web page (charts drawn), with the same checks."""
    require(acting_user, permission_for(edition))
    manifest = find_snapshot(snapshot_id, root)
    earlier = snapshot.load(compare_with, root=root) if compare_with else None
    report = committee.build(
        manifest, area=area, as_of=as_of, edition=edition, compare_with=earlier
    )
    render.context(report)
    audit.write(
        acting_user, f"report:committee:{edition}", object_type="snapshot", object_id=manifest.id
    )
    return report
