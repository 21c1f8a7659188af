"""Narratives and case notes are encrypted in the database, history tables included.

The proof reads the columns with raw SQL, past the ORM, on SQLite and PostgreSQL alike: the
text is not there, a Fernet token is. Then key rotation: re-encrypt under a new key, drop the
old one, and everything still reads back.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management import call_command
from django.db import connection, models
from django.test import override_settings
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from safehub.access.models import Role, User
from safehub.access.policy import SYSTEM, AccessDeniedError
from safehub.audit.models import AuditEvent
from safehub.crypto import keys, services
from safehub.crypto.fields import EncryptedLookupError
from safehub.crypto.migration import encrypt_existing
from safehub.intelligence.models import Disruption, LocationLink, LocationOfConcern
from safehub.people.models import CaseNote, Child
from safehub.referrals.models import Referral

CONCERNS = "Seen getting into cars with older men outside the takeaway"
NOTE = "Spoke to her mother about the new phone and the late nights"
PLACE = "Back room of the takeaway, used for parties"
LINK_NOTE = "Seen there twice by the youth worker"
OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


@dataclass
class Records:
    referral: Referral
    note: CaseNote
    location: LocationOfConcern
    link: LocationLink


def _make_records(author: User) -> Records:
    child = Child.objects.create(given_name="Demi", family_name="Testwell", sex="F")
    referral = Referral.objects.create(
        child=child, received_at=timezone.now(), source="6", concerns=CONCERNS
    )
    note = CaseNote.objects.create(child=child, written_at=timezone.now(), author=author, text=NOTE)
    location = LocationOfConcern.objects.create(
        name="Takeaway", kind="business", description=PLACE, first_noted=dt.date(2026, 1, 5)
    )
    link = LocationLink.objects.create(
        location=location, child=child, noted_on=dt.date(2026, 1, 6), note=LINK_NOTE
    )
    return Records(referral, note, location, link)


@pytest.fixture
def author(make_user: Callable[..., User]) -> User:
    return make_user(Role.HUB_PRACTITIONER)


def _raw(table: str, column: str) -> list[str]:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote(column)} FROM {quote(table)}")  # noqa: S608 - our names
        return [row[0] for row in cursor.fetchall()]


STORED = [
    ("referrals_referral", "concerns", CONCERNS),
    ("referrals_historicalreferral", "concerns", CONCERNS),
    ("people_casenote", "text", NOTE),
    ("people_historicalcasenote", "text", NOTE),
    ("intelligence_locationofconcern", "description", PLACE),
    ("intelligence_historicallocationofconcern", "description", PLACE),
    ("intelligence_locationlink", "note", LINK_NOTE),
    ("intelligence_historicallocationlink", "note", LINK_NOTE),
]


@pytest.mark.parametrize(("table", "column", "text"), STORED)
def test_the_database_holds_tokens_not_text(
    author: User, engine: str, table: str, column: str, text: str
) -> None:
    _make_records(author)
    stored = _raw(table, column)
    assert stored, f"nothing stored in {table} on {engine}"
    for value in stored:
        assert text not in value
        assert "takeaway" not in value.lower()
        assert keys.decrypt(value) == text  # a Fernet token under the configured key


def test_the_orm_reads_the_text_back_everywhere(author: User) -> None:
    records = _make_records(author)
    assert Referral.objects.get(pk=records.referral.pk).concerns == CONCERNS
    assert records.referral.history.get().concerns == CONCERNS
    assert CaseNote.objects.values_list("text", flat=True).get() == NOTE
    assert LocationOfConcern.objects.get().description == PLACE
    assert LocationLink.objects.get().note == LINK_NOTE


def test_bulk_create_and_update_encrypt_too(author: User) -> None:
    child = Child.objects.create(given_name="Demi", family_name="Testwell", sex="F")
    bulk_create_with_history(
        [Referral(child=child, received_at=timezone.now(), source="6", concerns=CONCERNS)],
        Referral,
    )
    assert all(CONCERNS not in v for v in _raw("referrals_referral", "concerns"))
    assert all(CONCERNS not in v for v in _raw("referrals_historicalreferral", "concerns"))
    Referral.objects.update(concerns="Updated in bulk")
    [stored] = _raw("referrals_referral", "concerns")
    assert "Updated" not in stored
    assert Referral.objects.get().concerns == "Updated in bulk"


def test_the_database_cannot_be_asked_to_search_encrypted_text(author: User) -> None:
    _make_records(author)
    for lookup in ("concerns__icontains", "concerns__startswith", "concerns", "concerns__in"):
        with pytest.raises(EncryptedLookupError, match="is encrypted"):
            Referral.objects.filter(**{lookup: "cars"})
    with pytest.raises(EncryptedLookupError):
        Disruption.objects.filter(description__contains="arrest")
    assert Referral.objects.filter(concerns__isnull=False).count() == 1
    assert Referral.objects.filter(concerns=None).count() == 0


def test_the_migration_step_encrypts_existing_text_and_reverses(author: User) -> None:
    records = _make_records(author)
    plain = models.Value(CONCERNS, output_field=models.TextField())
    Referral.objects.update(concerns=plain)  # as the column was before the migration
    assert _raw("referrals_referral", "concerns") == [CONCERNS]
    step = encrypt_existing("referrals", {"Referral": ("concerns",)})
    schema_editor = SimpleNamespace(connection=connection)

    step.code(apps, schema_editor)
    [stored] = _raw("referrals_referral", "concerns")
    assert CONCERNS not in stored
    assert Referral.objects.get(pk=records.referral.pk).concerns == CONCERNS

    assert step.reverse_code is not None
    step.reverse_code(apps, schema_editor)
    assert _raw("referrals_referral", "concerns") == [CONCERNS]


def test_rotation_moves_everything_to_the_new_key_so_the_old_can_go(author: User) -> None:
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        records = _make_records(author)
        before = {t: _raw(t, c) for t, c, _ in STORED}

    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        out = io.StringIO()
        call_command("keys", "rotate", stdout=out)
    assert "referrals_historicalreferral (concerns): 1" in out.getvalue()
    event = AuditEvent.objects.get(action="keys:rotated")
    assert event.object_id == "2 keys"
    assert event.reason.startswith(f"{sum(len(v) for v in before.values())} values")

    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        for table, column, text in STORED:
            after = _raw(table, column)
            assert after != before[table]
            assert [keys.decrypt(v) for v in after] == [text] * len(after)
        assert Referral.objects.get().concerns == CONCERNS
        assert records.referral.history.get().concerns == CONCERNS
        assert CaseNote.objects.get().text == NOTE
        assert LocationOfConcern.objects.get().description == PLACE
        assert LocationLink.objects.get().note == LINK_NOTE
        assert LocationLink.history.get().note == LINK_NOTE


def test_a_value_no_key_opens_stops_rotation_and_changes_nothing(author: User) -> None:
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        _make_records(author)
    before = _raw("referrals_referral", "concerns")
    with (
        override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]),
        pytest.raises(keys.UnreadableValueError, match="nothing was rotated"),
    ):
        services.rotate(acting_user=SYSTEM)
    assert _raw("referrals_referral", "concerns") == before
    assert not AuditEvent.objects.filter(action="keys:rotated").exists()


def test_only_the_operator_at_the_server_rotates(author: User) -> None:
    with pytest.raises(AccessDeniedError):
        services.rotate(acting_user=author)


def test_every_encrypted_column_is_found_for_rotation() -> None:
    found = {
        (model._meta.db_table, name)  # noqa: SLF001
        for model, names in services.encrypted_columns()
        for name in names
    }
    assert {(t, c) for t, c, _ in STORED} <= found
    assert ("intelligence_historicaldisruption", "description") in found
    assert ("intelligence_historicalpersonofconcern", "description") in found
