"""Safehub keeps its own record time beside the old system's, and a snapshot as known at T
reads it: what Safehub held at T, or before its first import what the old system had recorded.

The scenario: a set is imported without `recorded_at`, then a corrected set whose changed
episodes carry a `recorded_at` earlier than the first set's extraction time. A snapshot taken
now shows the new dates; one as known between the two imports shows the old dates with their
children.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.utils import timezone

from safehub.access.policy import SYSTEM
from safehub.analytics import snapshot
from safehub.episodes.models import Episode
from safehub.geo import services as geo
from safehub.interchange.models import LegacyIdentifier
from safehub.people.models import Child

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "history"
FIRST_EXTRACT = "2024-03-31T18:00:00+01:00"
BACKDATED = "2023-01-02T09:00:00+00:00"  # before the first extract


@pytest.fixture(autouse=True)
def wards() -> None:
    geo.load_reference_data(acting_user=SYSTEM)


def _set(tmp_path: Path, name: str) -> Path:
    """The example set with no `recorded_at` anywhere: every row recorded at the extract."""
    target = tmp_path / name
    shutil.copytree(EXAMPLES, target)
    for path in target.glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as stream:
            rows = list(csv.DictReader(stream))
            header = list(rows[0])
        for row in rows:
            row["recorded_at"] = ""
        with path.open("w", encoding="utf-8", newline="") as stream:
            writer = csv.DictWriter(stream, fieldnames=header, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _import(directory: Path) -> str:
    out = io.StringIO()
    call_command("import", "history", str(directory), stdout=out)
    return out.getvalue()


def _episode(legacy_id: str) -> Episode:
    pk = LegacyIdentifier.objects.get(kind="episodes", legacy_id=legacy_id).object_id
    return Episode.objects.get(pk=pk)


def _closed(manifest: snapshot.Manifest) -> list[dt.date | None]:
    return sorted(
        pq.read_table(manifest.file("episodes")).column("closed_on").to_pylist(),
        key=lambda d: d or dt.date.max,
    )


def _corrected_set(tmp_path: Path) -> Path:
    """Two episodes' closing dates corrected, dated by the source before the first extract."""
    second = _set(tmp_path, "second")
    _edit(second / "manifest.json", FIRST_EXTRACT, "2024-06-30T18:00:00+01:00")
    episodes = second / "episodes.csv"
    _edit(
        episodes,
        "2017-03-31,Risk reduced: support in place,",
        "2016-12-31,Risk reduced: support in place," + BACKDATED,
    )
    _edit(
        episodes,
        "2020-06-30,Moved out of the district,",
        "2020-03-31,Moved out of the district," + BACKDATED,
    )
    return second


def test_a_history_row_keeps_safehubs_time_beside_the_old_systems(tmp_path: Path) -> None:
    native = Child.objects.create(given_name="Made", family_name="Here", sex="F", ethnicity="WBRI")
    row = native.history.get()
    assert row.learned_at == row.history_date
    assert row.source_recorded_at is None
    before = timezone.now()
    _import(_set(tmp_path, "first"))
    imported = _episode("LE-01").history.get()
    assert imported.history_date == dt.datetime.fromisoformat(FIRST_EXTRACT)
    assert imported.source_recorded_at == imported.history_date
    assert imported.learned_at >= before > imported.history_date


def test_a_backdated_correction_is_recorded_as_learned_now(tmp_path: Path) -> None:
    first_out = _import(_set(tmp_path, "first"))
    assert "learned now" not in first_out
    between = timezone.now()
    out = _import(_corrected_set(tmp_path))
    assert "episodes.csv: 3 rows, 0 new, 2 corrected, 1 unchanged" in out
    assert "2 correction(s) dated before Safehub's history of the record" in out
    assert (
        f"episodes.csv: row 2, recorded_at: {dt.datetime.fromisoformat(BACKDATED).isoformat()} "
        "is before Safehub's history of LE-01"
    ) in out
    corrected = _episode("LE-01")
    assert corrected.closed_on == dt.date(2016, 12, 31)
    latest = corrected.history.order_by("-history_date").first()
    assert latest is not None
    assert latest.history_date == latest.learned_at > between
    assert latest.source_recorded_at == dt.datetime.fromisoformat(BACKDATED)

    now = snapshot.create(acting_user=SYSTEM, snapshot_id="now", root=tmp_path / "s")
    assert _closed(now) == [dt.date(2016, 12, 31), dt.date(2020, 3, 31), None]
    then = snapshot.create(
        acting_user=SYSTEM, snapshot_id="then", knowledge_time=between, root=tmp_path / "s"
    )
    assert _closed(then) == [dt.date(2017, 3, 31), dt.date(2020, 6, 30), None]
    children = set(pq.read_table(then.file("children")).column("child").to_pylist())
    assert set(pq.read_table(then.file("episodes")).column("child").to_pylist()) <= children
    assert len(children) == 3
    # Before the first extract nothing was recorded: no episode stands without its child.
    early = snapshot.create(
        acting_user=SYSTEM,
        snapshot_id="early",
        knowledge_time=dt.datetime(2023, 6, 1, tzinfo=dt.UTC),
        root=tmp_path / "s",
    )
    assert early.data["tables"]["episodes"]["rows"] == 0
    assert early.data["tables"]["children"]["rows"] == 0


def test_what_safehub_learned_later_is_not_in_a_snapshot_as_known_before(tmp_path: Path) -> None:
    """A row the old system recorded long ago, imported only in the second set, was not known
    to Safehub between the imports; before the first import (the old system's era) it was."""
    _import(_set(tmp_path, "first"))
    between = timezone.now()
    second = _set(tmp_path, "second")
    _edit(second / "manifest.json", FIRST_EXTRACT, "2024-06-30T18:00:00+01:00")
    with (second / "children.csv").open("a", encoding="utf-8") as stream:
        stream.write(
            "LC-0004,Latea,Example,2005-01-02,false,F,,WBRI,self_identified,,,,,2020-01-06T10:00:00+00:00\n"
        )
    _import(second)
    root = tmp_path / "s"

    def children(at: dt.datetime | None, name: str) -> int:
        made = snapshot.create(acting_user=SYSTEM, snapshot_id=name, knowledge_time=at, root=root)
        return int(made.data["tables"]["children"]["rows"])

    assert children(between, "between") == 3
    assert children(None, "now") == 4
    assert children(dt.datetime(2021, 1, 1, tzinfo=dt.UTC), "legacy-era") == 1
    first = snapshot.load("now", root=root).data["legacy_era_until"]
    assert first is not None
    assert dt.datetime.fromisoformat(first) < between


def test_report_committee_as_known_at_builds_from_a_new_snapshot_in_one_step(
    tmp_path: Path,
) -> None:
    _import(_set(tmp_path, "first"))
    between = timezone.now()
    _import(_corrected_set(tmp_path))
    root, out = tmp_path / "s", io.StringIO()
    common = [
        "--area",
        "Bradford",
        "--as-of",
        "2017-02-01",
        "--format",
        "json",
        "--snapshot-dir",
        str(root),
    ]
    call_command(
        "report",
        "committee",
        *common,
        "--as-known-at",
        between.isoformat(),
        "--out",
        str(tmp_path / "then.json"),
        stdout=out,
    )
    assert "as known at" in out.getvalue()
    then = json.loads((tmp_path / "then.json").read_text())
    assert dt.datetime.fromisoformat(then["snapshot"]["knowledge_time"]) == between
    assert then["headline"]["open_children"] == 2  # LE-01 then closed on 31 March 2017
    published = then["snapshot"]["id"]
    call_command(
        "report",
        "committee",
        *common,
        "--as-known-at",
        timezone.now().isoformat(),
        "--compare-with",
        published,
        "--out",
        str(tmp_path / "now.json"),
        stdout=out,
    )
    revision = json.loads((tmp_path / "now.json").read_text())["revision"]
    assert (revision["published"], revision["now"], revision["corrected_out"]) == (2, 1, -1)
