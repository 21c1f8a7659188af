"""Damaged import files, generated: whatever the damage, a clean import or a clean refusal.

Hypothesis takes the documented example files (docs/examples/) and damages them as files get
damaged in the wild — bytes inserted, deleted, changed or cut off; the whole file re-encoded;
a cell replaced by odd text (control characters, huge numbers, impossible dates, quotes, line
breaks, byte-order marks); rows repeated, dropped or given extra values; columns added or
lost; manifest values replaced — and runs the real command on the result. Each import must
either succeed and say so, or be refused with every problem naming its file (and its row and
column where there is one) and with nothing at all written. Any other exception fails the test.

The runs are derandomised, so the suite is repeatable; the number of damaged files tried is
printed with the test output.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safehub.access.models import AgencyType, Role, User
from safehub.access.policy import SYSTEM
from safehub.audit.models import AuditEvent
from safehub.geo import services as geo
from safehub.interchange import formats
from safehub.interchange.models import LegacyIdentifier
from safehub.people.models import AddressPeriod, Child
from safehub.referrals.models import Referral
from tests.factories import AgencyFactory

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
REFERRAL_EXAMPLES = 160
HISTORY_EXAMPLES = 100


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "\x7f",
    "\x85",
    "\ufeff",
    "\ufeffchild_id",
    '"',
    '""',
    "\n",
    "\r\n",
    ",",
    ";",
    ";;",
    '=HYPERLINK("x")',
    "9" * 5000,
    "²",
    "١٢",
    "-1",
    "NaN",
    "1e400",
    "2016-02-30",
    "0001-01-01",
    "9999-12-31",
    "9999-12-31T23:59:59-12:00",
    "0001-01-01T00:00:00+14:00",
    "2016-10-03T10:15:00",
    "2016-10-03T10:15:00+01:00",
    "true",
    "[]",
    "{}",
    '{"a": "\\u0000"}',
    "[" * 2000,
    "x" * 200_000,
]
cell_text = st.one_of(st.sampled_from(NASTY), st.text(max_size=30))
json_value: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20) | cell_text,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


# --- damage ------------------------------------------------------------------------------


def _byte_damage(data: bytes) -> st.SearchStrategy[bytes]:
    at = st.integers(0, len(data))

    def insert(t: tuple[int, bytes]) -> bytes:
        return data[: t[0]] + t[1] + data[t[0] :]

    def delete(t: tuple[int, int]) -> bytes:
        return data[: t[0]] + data[t[0] + t[1] :]

    def replace(t: tuple[int, int]) -> bytes:
        return data[: t[0]] + bytes([t[1]]) + data[t[0] + 1 :]

    def reencode(encoding: str) -> bytes:
        return data.decode("utf-8").encode(encoding, errors="replace")

    return st.one_of(
        st.tuples(at, st.binary(min_size=1, max_size=8)).map(insert),
        st.tuples(at, st.integers(1, 40)).map(delete),
        st.tuples(at, st.integers(0, 255)).map(replace),
        at.map(lambda n: data[:n]),
        st.sampled_from(["utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252", "utf-8-sig"]).map(
            reencode
        ),
    )


def _write_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8", errors="surrogatepass")


def _csv_damage(data: bytes) -> st.SearchStrategy[bytes]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    row = st.integers(0, len(rows) - 1)
    column = st.integers(0, len(rows[0]) - 1)

    def cell(t: tuple[int, int, str]) -> bytes:
        changed = [list(r) for r in rows]
        if t[1] < len(changed[t[0]]):
            changed[t[0]][t[1]] = t[2]
        return _write_csv(changed)

    def repeat(n: int) -> bytes:
        return _write_csv([*rows[: n + 1], rows[n], *rows[n + 1 :]])

    def drop_row(n: int) -> bytes:
        return _write_csv(rows[:n] + rows[n + 1 :])

    def extra_value(t: tuple[int, str]) -> bytes:
        return _write_csv([[*r, t[1]] if i == t[0] else r for i, r in enumerate(rows)])

    def drop_column(n: int) -> bytes:
        return _write_csv([r[:n] + r[n + 1 :] for r in rows])

    return st.one_of(
        st.tuples(row, column, cell_text).map(cell),
        row.map(repeat),
        row.map(drop_row),
        st.tuples(row, cell_text).map(extra_value),
        column.map(drop_column),
    )


def _jsonl_damage(data: bytes) -> st.SearchStrategy[bytes]:
    records = [json.loads(line) for line in data.decode("utf-8").splitlines()]
    keys = sorted({k for r in records for k in r} | {"unknown_key"})

    def value(t: tuple[int, str, Any]) -> bytes:
        changed = [dict(r) for r in records]
        changed[t[0]][t[1]] = t[2]
        return "\n".join(json.dumps(r) for r in changed).encode("utf-8", errors="surrogatepass")

    def drop(t: tuple[int, str]) -> bytes:
        changed = [{k: v for k, v in r.items() if k != t[1]} for r in records]
        return "\n".join(json.dumps(r) for r in changed).encode("utf-8")

    index = st.integers(0, len(records) - 1)
    return st.one_of(
        st.tuples(index, st.sampled_from(keys), json_value).map(value),
        st.tuples(index, st.sampled_from(keys)).map(drop),
    )


def _damage(data: bytes, kind: str) -> st.SearchStrategy[bytes]:
    structured = {"csv": _csv_damage, "jsonl": _jsonl_damage, "json": _manifest_damage}[kind]
    return st.one_of(_byte_damage(data), structured(data))


def _manifest_damage(data: bytes) -> st.SearchStrategy[bytes]:
    manifest = json.loads(data)

    def value(t: tuple[str, Any]) -> bytes:
        return json.dumps({**manifest, t[0]: t[1]}).encode("utf-8", errors="surrogatepass")

    return st.tuples(
        st.sampled_from([*formats.MANIFEST_KEYS, "extra"]), json_value | cell_text
    ).map(value)


# --- the check ---------------------------------------------------------------------------


def _state() -> tuple[int, ...]:
    return (
        Child.objects.count(),
        Referral.objects.count(),
        AddressPeriod.objects.count(),
        LegacyIdentifier.objects.count(),
        AuditEvent.objects.count(),
    )


PROBLEM = re.compile(r"^(?P<file>[\w.-]+): (row (?P<row>\d+)(, (?P<column>.+?))?: )?\S.*$")


def _import_cleanly(kind: str, target: Path, user: User, files: set[str]) -> str:
    """Run one import in a transaction rolled back after it; 'imported' or 'refused'."""
    with transaction.atomic():
        before = _state()
        out, err = io.StringIO(), io.StringIO()
        refusal = None
        try:
            call_command("import", kind, str(target), "--as", user.username, stdout=out, stderr=err)
        except CommandError as error:
            refusal = str(error)
        if refusal is not None:
            assert refusal.endswith("; nothing was imported."), refusal
            assert _state() == before, "a refused import wrote something"
            lines = [line for line in err.getvalue().splitlines() if " written (" not in line]
            assert lines, "a refusal lists its problems"
            for line in lines:
                found = PROBLEM.match(line)
                assert found is not None, line
                assert found["file"] in files, line
            outcome = "refused"
        else:
            assert out.getvalue().startswith(("Imported", "Dry run")), out.getvalue()
            outcome = "imported"
        transaction.set_rollback(True)
    return outcome


class Tally:
    def __init__(self) -> None:
        self.counts: dict[str, int] = {"imported": 0, "refused": 0}

    def add(self, outcome: str) -> None:
        self.counts[outcome] += 1

    def __str__(self) -> str:
        total = sum(self.counts.values())
        imported, refused = self.counts["imported"], self.counts["refused"]
        return (
            f"{total} damaged files tried: {imported} imported cleanly, {refused} refused cleanly"
        )


@pytest.fixture
def tally(capsys: pytest.CaptureFixture[str], request: pytest.FixtureRequest) -> Iterator[Tally]:
    counted = Tally()
    yield counted
    with capsys.disabled():
        print(f"\n{request.node.name}: {counted}")  # noqa: T201 - the count is the output asked for


@pytest.fixture
def importer_user(make_user: Callable[..., User]) -> User:
    AgencyFactory(name="Police – Child Exploitation Team", agency_type=AgencyType.POLICE)
    AgencyFactory(name="Education Safeguarding", agency_type=AgencyType.EDUCATION)
    return make_user(Role.HUB_MANAGER)


@pytest.mark.parametrize("name", ["referrals.csv", "referrals.jsonl"])
def test_damaged_referral_files_import_or_are_refused_cleanly(
    name: str, tmp_path: Path, importer_user: User, tally: Tally
) -> None:
    original = (EXAMPLES / name).read_bytes()
    target = tmp_path / name

    @_settings(REFERRAL_EXAMPLES // 2)
    @given(data=_damage(original, name.rsplit(".", 1)[1]))
    def attempt(data: bytes) -> None:
        target.write_bytes(data)
        tally.add(_import_cleanly("referrals", target, importer_user, {name}))

    attempt()
    assert tally.counts["refused"] > 0


def test_damaged_history_sets_import_or_are_refused_cleanly(
    tmp_path: Path, importer_user: User, tally: Tally
) -> None:
    geo.load_reference_data(acting_user=SYSTEM)
    folder = tmp_path / "history"
    shutil.copytree(EXAMPLES / "history", folder)
    originals = {p.name: p.read_bytes() for p in folder.iterdir()}
    names = sorted(originals)

    @st.composite
    def damaged(draw: st.DrawFn) -> tuple[str, bytes]:
        name = draw(st.sampled_from(names))
        kind = "json" if name.endswith(".json") else "csv"
        return name, draw(_damage(originals[name], kind))

    @_settings(HISTORY_EXAMPLES)
    @given(change=damaged())
    def attempt(change: tuple[str, bytes]) -> None:
        name, data = change
        (folder / name).write_bytes(data)
        try:
            tally.add(_import_cleanly("history", folder, importer_user, set(names)))
        finally:
            (folder / name).write_bytes(originals[name])

    attempt()
    assert tally.counts["refused"] > 0
