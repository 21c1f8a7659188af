"""Hostile and damaged import files: a plain refusal naming file, row and column, nothing written.

Each file here once gave a traceback (or, for the byte-order marks, a false "column is
missing"). Both `safehub import referrals` and `safehub import history` are run as a user runs
them, through the command, and every test checks that nothing at all was written.
"""

from __future__ import annotations

import codecs
import io
import random
import re
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from safehub.access.models import AgencyType, Role, User
from safehub.access.policy import SYSTEM
from safehub.audit.models import AuditEvent
from safehub.geo import services as geo
from safehub.interchange.models import LegacyIdentifier
from safehub.people.models import AddressPeriod, Child
from safehub.referrals.import_lock import import_transaction
from safehub.referrals.models import Referral, Screening
from tests.factories import AgencyFactory

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
BIG = 10 * 1024 * 1024  # a 10 MB cell


def _counts() -> tuple[int, ...]:
    return (
        Child.objects.count(),
        Referral.objects.count(),
        AddressPeriod.objects.count(),
        Screening.objects.count(),
        LegacyIdentifier.objects.count(),
        AuditEvent.objects.filter(action__in=("referral:imported", "history:imported")).count(),
    )


NOTHING = (0, 0, 0, 0, 0, 0)


@pytest.fixture
def importer_user(make_user: Callable[..., User]) -> User:
    AgencyFactory(name="Police – Child Exploitation Team", agency_type=AgencyType.POLICE)
    AgencyFactory(name="Education Safeguarding", agency_type=AgencyType.EDUCATION)
    return make_user(Role.HUB_MANAGER)


def _refused(kind: str, path: Path, user: User) -> list[str]:
    """Run the import, expect a refusal, and return the lines it wrote to standard error."""
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported") as refused:
        call_command(
            "import", kind, str(path), "--as", user.username, stdout=io.StringIO(), stderr=err
        )
    return [*err.getvalue().splitlines(), str(refused.value)]


def _example_referrals(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "referrals.csv"
    return path, (EXAMPLES / "referrals.csv").read_text(encoding="utf-8")


def _example_history(tmp_path: Path) -> Path:
    target = tmp_path / "history"
    shutil.copytree(EXAMPLES / "history", target)
    geo.load_reference_data(acting_user=SYSTEM)
    return target


RANDOM_BYTES = random.Random(9).randbytes(4096)  # noqa: S311 - test data, not a secret


# --- encodings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encode", "expected"),
    [
        (lambda _: RANDOM_BYTES, "file is not UTF-8: byte 0x"),
        (
            lambda t: t.encode("cp1252"),
            # The en dash in the police agency's name on line 2.
            (
                "file is not UTF-8: byte 0x96 on line 2 is not valid UTF-8 (it looks like Latin-1 "
                "or Windows-1252); re-save it as UTF-8"
            ),
        ),
        (
            lambda t: t.encode("utf-16"),
            (
                "file is not UTF-8: it is UTF-16 (it starts with a UTF-16 byte-order mark); "
                "re-save it as UTF-8"
            ),
        ),
    ],
    ids=["random-bytes", "windows-1252", "utf-16"],
)
def test_a_referral_file_not_in_utf8_is_refused_plainly(
    tmp_path: Path, importer_user: User, encode: Callable[[str], bytes], expected: str
) -> None:
    path, text = _example_referrals(tmp_path)
    path.write_bytes(encode(text))
    lines = _refused("referrals", path, importer_user)
    assert lines[0].startswith(f"referrals.csv: {expected}")
    assert lines[-1] == "1 problem(s) in referrals.csv; nothing was imported."
    assert _counts() == NOTHING


@pytest.mark.parametrize(
    ("filename", "encode", "expected"),
    [
        ("children.csv", lambda _: RANDOM_BYTES, "children.csv: file is not UTF-8: byte 0x"),
        (
            "children.csv",
            lambda t: t.replace("Testa", "Tésta").encode("latin-1"),
            "children.csv: file is not UTF-8: byte 0xE9 on line 2 is not valid UTF-8",
        ),
        (
            "referrals.csv",
            lambda t: t.encode("utf-16"),
            "referrals.csv: file is not UTF-8: it is UTF-16",
        ),
        ("manifest.json", lambda _: RANDOM_BYTES, "manifest.json: file is not UTF-8: byte 0x"),
        (
            "manifest.json",
            lambda t: t.encode("utf-16-le"),
            "manifest.json: file is not UTF-8: it looks like UTF-16 without a byte-order mark",
        ),
    ],
    ids=["random-bytes", "latin-1", "utf-16", "binary-manifest", "utf-16-manifest-no-bom"],
)
def test_a_history_file_not_in_utf8_is_refused_plainly(
    tmp_path: Path,
    importer_user: User,
    filename: str,
    encode: Callable[[str], bytes],
    expected: str,
) -> None:
    folder = _example_history(tmp_path)
    path = folder / filename
    path.write_bytes(encode(path.read_text(encoding="utf-8")))
    lines = _refused("history", folder, importer_user)
    assert lines[0].startswith(expected), lines
    assert lines[-1].endswith("; nothing was imported.")
    assert _counts() == NOTHING


@pytest.mark.parametrize("marks", [1, 2], ids=["one-bom", "two-boms"])
def test_utf8_with_byte_order_marks_imports(
    tmp_path: Path, importer_user: User, marks: int
) -> None:
    path, text = _example_referrals(tmp_path)
    path.write_bytes(codecs.BOM_UTF8 * marks + text.encode())
    call_command(
        "import", "referrals", str(path), "--as", importer_user.username, stdout=io.StringIO()
    )
    assert Referral.objects.count() == 3

    folder = _example_history(tmp_path)
    for file in folder.iterdir():
        file.write_bytes(codecs.BOM_UTF8 * marks + file.read_bytes())
    out = io.StringIO()
    call_command("import", "history", str(folder), "--as", importer_user.username, stdout=out)
    assert "children.csv: 3 rows, 3 new" in out.getvalue()


# --- values ------------------------------------------------------------------------------


def test_a_10_mb_cell_is_refused_with_its_row(tmp_path: Path, importer_user: User) -> None:
    path, text = _example_referrals(tmp_path)
    path.write_text(text.replace("Seen getting into cars", "x" * BIG, 1), encoding="utf-8")
    lines = _refused("referrals", path, importer_user)
    assert lines[0] == (
        "referrals.csv: row 2: has a value longer than 131,072 characters, the most one may "
        "hold; nothing after it was read"
    )
    jsonl = tmp_path / "referrals.jsonl"
    jsonl.write_text(
        (EXAMPLES / "referrals.jsonl").read_text(encoding="utf-8").replace("Seen", "x" * BIG, 1),
        encoding="utf-8",
    )
    lines = _refused("referrals", jsonl, importer_user)
    assert re.fullmatch(
        r"referrals\.jsonl: row 1, concerns: is 10,48\d,\d{3} characters long; a value may "
        r"hold at most 131,072",
        lines[0],
    )

    folder = _example_history(tmp_path)
    concerns = folder / "referrals.csv"
    concerns.write_text(
        concerns.read_text(encoding="utf-8").replace("Seen with", "x" * BIG, 1), encoding="utf-8"
    )
    lines = _refused("history", folder, importer_user)
    assert lines[0] == (
        "referrals.csv: row 2: has a value longer than 131,072 characters, the most one may "
        "hold; nothing after it was read"
    )
    assert _counts() == NOTHING


@pytest.mark.parametrize(
    ("char", "shown"),
    [("\x00", "U+0000 (NUL)"), ("\x1b", "U+001B (ESCAPE)"), ("\x85", "U+0085")],
    ids=["nul", "escape", "c1-control"],
)
def test_control_characters_in_text_are_refused_with_row_and_column(
    tmp_path: Path, importer_user: User, char: str, shown: str
) -> None:
    path, text = _example_referrals(tmp_path)
    path.write_text(text.replace("Exemplo", f"Exem{char}plo", 1), encoding="utf-8")
    lines = _refused("referrals", path, importer_user)
    assert lines[0].startswith(
        f"referrals.csv: row 3, given_name: contains the control character {shown}"
    )

    folder = _example_history(tmp_path)
    children = folder / "children.csv"
    children.write_text(
        children.read_text(encoding="utf-8").replace("Exemplo", f"Exem{char}plo", 1),
        encoding="utf-8",
    )
    lines = _refused("history", folder, importer_user)
    assert lines[0].startswith(
        f"children.csv: row 3, given_name: contains the control character {shown}"
    )
    assert _counts() == NOTHING


def test_json_escapes_cannot_smuggle_what_the_bytes_could_not(
    tmp_path: Path, importer_user: User
) -> None:
    jsonl = tmp_path / "referrals.jsonl"
    text = (EXAMPLES / "referrals.jsonl").read_text(encoding="utf-8")
    jsonl.write_text(text.replace('"Placida"', '"Plac\\u0000ida"').replace('"Nemo"', '"\\ud800"'))
    lines = _refused("referrals", jsonl, importer_user)
    assert lines[:2] == [
        (
            "referrals.jsonl: row 1, given_name: contains the control character U+0000 (NUL), "
            "which text may not hold"
        ),
        (
            "referrals.jsonl: row 2, family_name: contains U+D800, half of a character (a broken "
            "surrogate pair)"
        ),
    ]
    deep = tmp_path / "deep.jsonl"
    deep.write_text("[" * 100_000 + "\n", encoding="utf-8")
    assert _refused("referrals", deep, importer_user)[0] == (
        "deep.jsonl: row 1: is not JSON Safehub can read"
    )

    folder = _example_history(tmp_path)
    screenings = folder / "screenings.csv"
    screenings.write_text(
        screenings.read_text(encoding="utf-8").replace(
            "medium,,,,", 'medium,,,"{""q\\u0000"": true}",', 1
        ),
        encoding="utf-8",
    )
    lines = _refused("history", folder, importer_user)
    assert lines[0].startswith(
        "screenings.csv: row 2, answers: contains the control character U+0000 (NUL)"
    )
    assert _counts() == NOTHING


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[" * 60_000, "manifest.json: is not JSON Safehub can read"),
        ('{"version": ' + "9" * 5000 + "}", "manifest.json: is not JSON Safehub can read"),
        ("{", "manifest.json: is not valid JSON (Expecting property name enclosed in double"),
        ("[]", "manifest.json: is not a JSON object"),
        (" " * 70_000 + "{}", "manifest.json: is larger than 65,536 bytes: not a manifest"),
        (
            (
                '{"format": "safehub-history", "version": 1, "source_system": "legacy\\n", '
                '"extracted_at": "2024-03-31T18:00:00+01:00"}'
            ),
            "manifest.json: row 1, source_system: must be a name",
        ),
    ],
    ids=["deep", "huge-number", "broken", "not-object", "too-large", "newline-in-source"],
)
def test_a_malformed_manifest_is_refused(
    tmp_path: Path, importer_user: User, text: str, expected: str
) -> None:
    folder = _example_history(tmp_path)
    (folder / "manifest.json").write_text(text, encoding="utf-8")
    assert _refused("history", folder, importer_user)[0].startswith(expected)
    assert _counts() == NOTHING


def test_odd_numbers_and_far_dates_are_refused_not_crashed_on(
    tmp_path: Path, importer_user: User
) -> None:
    folder = _example_history(tmp_path)
    screenings = folder / "screenings.csv"
    screenings.write_text(
        screenings.read_text(encoding="utf-8").replace(
            "LS-001,LF-001,2015-06-02,,,", "LS-001,LF-001,2015-06-02,tool,²,", 1
        ),
        encoding="utf-8",
    )
    missing = folder / "missing_episodes.csv"
    missing.write_text(
        missing.read_text(encoding="utf-8").replace(
            "2015-11-19T07:30:00+00:00", "9999-12-31T23:00:00-05:00", 1
        ),
        encoding="utf-8",
    )
    lines = _refused("history", folder, importer_user)
    assert "screenings.csv: row 2, tool_version: '²' is not a whole number up to 2,147,483,647" in (
        lines
    )
    assert "missing_episodes.csv: row 2, ended_at: must be between 1900 and 2199" in lines
    assert _counts() == NOTHING


def test_a_repeated_header_column_is_refused(tmp_path: Path, importer_user: User) -> None:
    path, text = _example_referrals(tmp_path)
    path.write_text(text.replace(",postcode\n", ",given_name\n", 1), encoding="utf-8")
    lines = _refused("referrals", path, importer_user)
    assert "referrals.csv: row 1, given_name: is in the header more than once" in lines
    assert _counts() == NOTHING


# --- two imports at once -----------------------------------------------------------------


def _hold_the_lock(held: threading.Event, release: threading.Event) -> None:
    try:
        with import_transaction():
            held.set()
            release.wait(timeout=30)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_an_import_while_another_runs_is_refused_cleanly(
    tmp_path: Path, importer_user: User
) -> None:
    path, text = _example_referrals(tmp_path)
    path.write_text(text, encoding="utf-8")
    folder = _example_history(tmp_path)
    held, release = threading.Event(), threading.Event()
    other = threading.Thread(target=_hold_the_lock, args=(held, release))
    other.start()
    try:
        assert held.wait(timeout=30)
        lines = _refused_busy("referrals", path, importer_user)
        assert lines == [
            (
                "referrals.csv: another import is running (imports run one at a time); nothing was "
                "imported. Run this one again when it has finished."
            )
        ]
        assert _refused_busy("history", folder, importer_user)[0].startswith(
            f"{folder}: another import is running"
        )
        assert _counts() == NOTHING
    finally:
        release.set()
        other.join()
    # Once it has finished, the same import runs.
    call_command(
        "import", "referrals", str(path), "--as", importer_user.username, stdout=io.StringIO()
    )
    assert Referral.objects.count() == 3


def _refused_busy(kind: str, path: Path, user: User) -> list[str]:
    with pytest.raises(CommandError) as refused:
        call_command(
            "import",
            kind,
            str(path),
            "--as",
            user.username,
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    return [str(refused.value)]


@pytest.mark.django_db(transaction=True)
def test_two_history_imports_at_once_give_one_import_and_one_clean_refusal(
    tmp_path: Path, importer_user: User
) -> None:
    """The first is stopped part way through writing; the second starts meanwhile."""
    folder = _example_history(tmp_path)
    writing, release = threading.Event(), threading.Event()
    outcome: list[str] = []

    def first() -> None:
        def progress(kind: str, done: int, total: int) -> None:
            writing.set()
            release.wait(timeout=15)

        from safehub.interchange import importer  # noqa: PLC0415

        try:
            importer.import_history(folder, acting_user=importer_user, progress=progress)
            outcome.append("imported")
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert writing.wait(timeout=30)
        lines = _refused_busy("history", folder, importer_user)
    finally:
        release.set()
        thread.join()
    assert outcome == ["imported"]
    assert "another import is running" in lines[0]
    assert Child.objects.count() == 3
    assert LegacyIdentifier.objects.filter(kind="children").count() == 3
