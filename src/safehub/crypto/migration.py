"""The data step of a migration that turns text columns into `EncryptedTextField`s.

The schema step (an AlterField, which changes no column type) runs first; this then encrypts
the text already stored, in the model and in its history table. Reversing it decrypts, so a
rolled-back migration leaves the text as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.db import migrations

from safehub.crypto import keys
from safehub.crypto.rewrite import rewrite_columns


def _encrypt(text: str, where: str) -> str:
    return keys.encrypt(text)


def _decrypt(token: str, where: str) -> str:
    return keys.decrypt(token, where=where)


def _runner(
    app_label: str, columns: Mapping[str, Sequence[str]], transform: Callable[[str, str], str]
) -> Callable[[Any, Any], None]:
    def run(apps: Any, schema_editor: Any) -> None:
        for model_name, field_names in columns.items():
            model = apps.get_model(app_label, model_name)
            rewrite_columns(model, field_names, transform, using=schema_editor.connection.alias)

    return run


def encrypt_existing(app_label: str, columns: Mapping[str, Sequence[str]]) -> migrations.RunPython:
    """A RunPython encrypting `columns` ({model name: field names}) of `app_label`'s models."""
    return migrations.RunPython(
        _runner(app_label, columns, _encrypt), _runner(app_label, columns, _decrypt)
    )
