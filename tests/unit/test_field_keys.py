"""Field keys and the encrypted field, without a database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from safehub.crypto import keys
from safehub.crypto.fields import EncryptedLookupError, EncryptedTextField
from safehub.referrals.models import Referral
from safehub.settings.base import PLACEHOLDER_FIELD_KEY

A = Fernet.generate_key().decode()
B = Fernet.generate_key().decode()


def test_a_bad_or_missing_key_is_named_not_shown() -> None:
    with pytest.raises(ImproperlyConfigured, match="is empty"):
        keys.parse([])
    with pytest.raises(ImproperlyConfigured, match="key 2 is not a Fernet key") as error:
        keys.parse([A, "not-a-key"])
    assert "not-a-key" not in str(error.value)


def test_the_placeholder_is_a_real_key_so_demo_and_tests_work() -> None:
    keys.parse([PLACEHOLDER_FIELD_KEY])


def test_newest_key_encrypts_every_key_decrypts(settings: Any) -> None:
    settings.FIELD_ENCRYPTION_KEYS = [A]
    token = keys.encrypt("made-up narrative")
    assert "narrative" not in token
    settings.FIELD_ENCRYPTION_KEYS = [B, A]
    assert keys.decrypt(token) == "made-up narrative"
    rotated = keys.rotate(token)
    settings.FIELD_ENCRYPTION_KEYS = [B]
    assert keys.decrypt(rotated) == "made-up narrative"
    with pytest.raises(keys.UnreadableValueError, match=r"referrals\.Referral\.concerns") as error:
        keys.decrypt(token, where="referrals.Referral.concerns")
    assert token not in str(error.value)


def test_plain_text_in_the_column_is_an_error_not_a_silent_pass_through() -> None:
    with pytest.raises(keys.UnreadableValueError):
        keys.decrypt("text that was never encrypted — £5")


def test_generated_keys_are_fernet_keys_and_differ() -> None:
    first, second = keys.generate(), keys.generate()
    assert first != second
    keys.parse([first, second])


def test_the_field_deconstructs_to_a_stable_path_with_no_key_material() -> None:
    _, path, args, kwargs = EncryptedTextField(blank=True, max_length=300).deconstruct()
    assert path == "safehub.crypto.fields.EncryptedTextField"
    assert (args, kwargs) == ([], {"blank": True, "max_length": 300})


def test_history_tables_get_the_same_field() -> None:
    historical = Referral.history.model._meta.get_field("concerns")  # noqa: SLF001
    assert isinstance(historical, EncryptedTextField)


def test_a_search_of_encrypted_text_is_refused_with_a_clear_error() -> None:
    with pytest.raises(EncryptedLookupError, match=r"referrals.Referral.concerns is encrypted"):
        Referral.objects.filter(concerns__icontains="cars")


def test_an_indexed_encrypted_field_fails_the_system_check() -> None:
    field = EncryptedTextField(db_index=True)
    field.set_attributes_from_name("notes")
    assert [e.id for e in field.check()] == ["crypto.E001"]


def _production(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import safehub.settings.production"],
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src"),  # this checkout's
            "SAFEHUB_SECRET_KEY": "k" * 60,
            "SAFEHUB_AUDIT_KEY": "a" * 40,
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("field_keys", "message"),
    [
        ("", "SAFEHUB_FIELD_KEYS is empty"),
        (PLACEHOLDER_FIELD_KEY, "must not hold the demo and test placeholder"),
        (f"{A},{PLACEHOLDER_FIELD_KEY}", "must not hold the demo and test placeholder"),
        (f"{A},short", "key 2 is not a Fernet key"),
    ],
)
def test_production_refuses_missing_placeholder_or_bad_field_keys(
    field_keys: str, message: str
) -> None:
    result = _production({"SAFEHUB_FIELD_KEYS": field_keys})
    assert result.returncode != 0
    assert message in result.stderr


def test_production_starts_with_good_field_keys() -> None:
    assert _production({"SAFEHUB_FIELD_KEYS": f"{A},{B}"}).returncode == 0


def test_keys_generate_needs_no_settings_so_production_can_get_its_first_key() -> None:
    result = subprocess.run(  # noqa: S603 - our own console script
        [str(Path(sys.executable).with_name("safehub")), "keys", "generate"],
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    keys.parse([result.stdout.strip()])
