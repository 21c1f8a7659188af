"""Key rotation: every encrypted value, in every table and history table, to the newest key."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import models, transaction

from safehub.access.policy import Principal, require
from safehub.audit import services as audit
from safehub.crypto import keys
from safehub.crypto.fields import EncryptedTextField
from safehub.crypto.rewrite import rewrite_columns


@dataclass(frozen=True)
class RotatedTable:
    table: str
    columns: tuple[str, ...]
    values: int


def encrypted_columns() -> list[tuple[type[models.Model], tuple[str, ...]]]:
    """Every installed model (history models included) with its encrypted fields."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:  # noqa: SLF001
            continue
        names = tuple(
            f.name
            for f in model._meta.concrete_fields  # noqa: SLF001
            if isinstance(f, EncryptedTextField)
        )
        if names:
            found.append((model, names))
    return sorted(found, key=lambda item: item[0]._meta.db_table)  # noqa: SLF001


def _rotate(token: str, where: str) -> str:
    return keys.rotate(token, where=where)


@transaction.atomic
def rotate(*, acting_user: Principal) -> list[RotatedTable]:
    """Re-encrypt every value with the newest key, all or nothing.

    One transaction: if any value opens with none of the keys, nothing is rotated and the error
    names the column. After it commits, the older keys open nothing and can be removed.
    """
    require(acting_user, "keys:rotate")
    rotated = [
        RotatedTable(model._meta.db_table, names, rewrite_columns(model, names, _rotate))  # noqa: SLF001
        for model, names in encrypted_columns()
    ]
    values = sum(r.values for r in rotated)
    audit.write(
        acting_user,
        "keys:rotated",
        object_type="field_keys",
        object_id=f"{keys.count()} keys",
        reason=f"{values} values in {len(rotated)} tables re-encrypted with the newest key",
    )
    return rotated
