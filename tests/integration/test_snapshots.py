"""Snapshots: pseudonymised, checksummed, never overwritten, and honest about knowledge time."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from unittest.mock import patch

import pyarrow.parquet as pq
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from safehub.access.models import Role
from safehub.access.policy import SYSTEM, AccessDeniedError
from safehub.analytics import snapshot
from safehub.audit.models import AuditEvent
from safehub.people.models import AddressPeriod, Child
from tests.factories import UserFactory


def _child(**kwargs: object) -> Child:
    values: dict[str, object] = {
        "given_name": "Avery",
        "family_name": "Example",
        "date_of_birth": dt.date(2003, 5, 17),
        "sex": "F",
        "ethnicity": "WBRI",
        "ethnicity_source": "self_identified",
        "first_language": "English",
        "school": "Made-up Academy",
    }
    values |= kwargs
    child = Child(**values)
    child.save()
    return child


def test_snapshot_holds_no_identifiable_data(tmp_path: Path) -> None:
    child = _child()
    AddressPeriod.objects.create(
        child=child, valid_from=dt.date(2015, 1, 1), address="1 Made-up Street", postcode="BD5 0AA"
    )
    manifest = snapshot.create(acting_user=SYSTEM, snapshot_id="t1", root=tmp_path)
    children = pq.read_table(manifest.file("children")).to_pylist()
    assert len(children) == 1
    row = children[0]
    assert row["birth_month"] == dt.date(2003, 5, 1)
    assert row["child"] != str(child.pk)
    assert len(row["child"]) == 32
    everything = b"".join(p.read_bytes() for p in manifest.path.iterdir())
    for secret in (b"Avery", b"Example", b"Made-up", b"BD5 0AA", b"2003-05-17"):
        assert secret not in everything
    addresses = pq.read_table(manifest.file("addresses")).column_names
    assert "postcode" not in addresses
    assert "address" not in addresses


def test_manifest_lists_hashes_counts_and_versions(tmp_path: Path) -> None:
    _child()
    manifest = snapshot.create(acting_user=SYSTEM, snapshot_id="t2", root=tmp_path)
    data = json.loads((manifest.path / "manifest.json").read_text())
    assert data["schema_version"] == snapshot.SCHEMA_VERSION
    assert data["code_version"].startswith("0.1.0+metrics.")
    assert data["tables"]["children"]["rows"] == 1
    assert data["tables"]["pathway_referrals"]["rows"] == 0
    assert data["tables"]["scrutiny_meetings"]["rows"] == 0
    assert data["not_recorded"] == []
    for entry in data["tables"].values():
        assert len(entry["sha256"]) == 64
    assert snapshot.verify(manifest) == []
    assert AuditEvent.objects.filter(action="snapshot:created", object_id="t2").exists()


def test_a_snapshot_is_never_overwritten(tmp_path: Path) -> None:
    snapshot.create(acting_user=SYSTEM, snapshot_id="same", root=tmp_path)
    with pytest.raises(snapshot.SnapshotError, match="never overwritten"):
        snapshot.create(acting_user=SYSTEM, snapshot_id="same", root=tmp_path)


def test_two_snapshots_as_known_at_one_time_in_one_second_get_two_ids(tmp_path: Path) -> None:
    moment = timezone.now()
    with patch.object(snapshot, "default_id", return_value="same-second"):
        first = snapshot.create(acting_user=SYSTEM, knowledge_time=moment, root=tmp_path)
        second = snapshot.create(acting_user=SYSTEM, knowledge_time=moment, root=tmp_path)
    assert (first.id, second.id) == ("same-second", "same-second-2")


def test_verify_finds_a_tampered_file(tmp_path: Path) -> None:
    _child()
    manifest = snapshot.create(acting_user=SYSTEM, snapshot_id="t3", root=tmp_path)
    target = manifest.file("children")
    target.chmod(0o644)
    target.write_bytes(target.read_bytes() + b"x")
    assert snapshot.verify(manifest) == ["children: children.parquet does not match its SHA-256"]


def test_knowledge_time_leaves_out_what_was_recorded_later(tmp_path: Path) -> None:
    _child(given_name="First")
    between = timezone.now()
    _child(given_name="Second")
    earlier = snapshot.create(
        acting_user=SYSTEM, snapshot_id="early", knowledge_time=between, root=tmp_path
    )
    later = snapshot.create(acting_user=SYSTEM, snapshot_id="late", root=tmp_path)
    assert earlier.data["tables"]["children"]["rows"] == 1
    assert later.data["tables"]["children"]["rows"] == 2


def test_a_correction_after_t_does_not_change_the_earlier_snapshot(tmp_path: Path) -> None:
    child = _child(sex="M")
    before = timezone.now()
    child.sex = "F"
    child.save()
    old = snapshot.create(acting_user=SYSTEM, snapshot_id="o", knowledge_time=before, root=tmp_path)
    new = snapshot.create(acting_user=SYSTEM, snapshot_id="n", root=tmp_path)
    assert pq.read_table(old.file("children")).column("sex").to_pylist() == ["M"]
    assert pq.read_table(new.file("children")).column("sex").to_pylist() == ["F"]


def test_pseudonyms_are_stable_and_keyed() -> None:
    one = snapshot.Pseudonymiser(b"k" * 32)
    assert one("child", 7) == one("child", 7)
    assert one("child", 7) != one("episode", 7)
    assert one("child", 7) != snapshot.Pseudonymiser(b"j" * 32)("child", 7)


@override_settings(SECRET_KEY="x" * 60, SAFEHUB_DEMO=False)
def test_production_refuses_the_placeholder_pseudonym_key() -> None:
    with pytest.raises(ImproperlyConfigured, match="SAFEHUB_PSEUDONYM_KEY"):
        snapshot.pseudonym_key()


def test_only_analysts_and_the_operator_create_snapshots(tmp_path: Path) -> None:
    member = UserFactory(role=Role.ELECTED_MEMBER)
    with pytest.raises(AccessDeniedError):
        snapshot.create(acting_user=member, snapshot_id="no", root=tmp_path)
    analyst = UserFactory(role=Role.ANALYST)
    assert snapshot.create(acting_user=analyst, snapshot_id="yes", root=tmp_path).id == "yes"


def test_commands_create_verify_and_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("snapshot", "create", "--id", "cmd", "--dir", str(tmp_path))
    call_command("snapshot", "verify", "cmd", "--dir", str(tmp_path))
    call_command("snapshot", "list", "--dir", str(tmp_path))
    out = capsys.readouterr().out
    assert "Snapshot cmd written" in out
    assert "Snapshot cmd verifies" in out
    assert out.strip().splitlines()[-1].startswith("cmd\tT=")


def test_a_revision_is_explained_by_cause(tmp_path: Path) -> None:
    from safehub.analytics import revisions  # noqa: PLC0415
    from safehub.episodes.models import Episode  # noqa: PLC0415

    day = dt.date(2016, 10, 27)
    kept = _child(given_name="Kept")
    Episode.objects.create(child=kept, opened_on=dt.date(2016, 1, 4))
    fixed = _child(given_name="Fixed")
    fixed_episode = Episode.objects.create(
        child=fixed, opened_on=dt.date(2016, 2, 1), closed_on=dt.date(2016, 3, 1)
    )
    duplicate = _child(given_name="Duplicate")
    duplicate_episode = Episode.objects.create(child=duplicate, opened_on=dt.date(2016, 5, 1))
    published = snapshot.create(acting_user=SYSTEM, snapshot_id="published", root=tmp_path)

    late = _child(given_name="Late")
    Episode.objects.create(child=late, opened_on=dt.date(2016, 9, 1))
    fixed_episode.closed_on = None  # the closure was recorded in error
    fixed_episode.save()
    duplicate_episode.delete()  # a duplicate record, merged into another
    duplicate.delete()
    today = snapshot.create(acting_user=SYSTEM, snapshot_id="today", root=tmp_path)

    revision = revisions.explain(published, today, as_of=day)
    assert (revision.published, revision.now) == (2, 3)
    assert revision.recorded_late == 1
    assert revision.corrected == 1
    assert revision.merged_or_removed == 1
    assert revision.adds_up()
