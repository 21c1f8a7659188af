"""`EncryptedTextField`: a TextField whose column holds a Fernet token, never the text.

Why MultiFernet and not AES-GCM with the record id as associated data: binding a token to its
row needs the id before the row is written, and with auto-increment ids it is only known after
the INSERT (and never inside `bulk_create` on SQLite). The history tables copy each value into
rows with ids of their own, so a token bound to one id would need re-encrypting for every copy.
Fernet (AES-128-CBC with HMAC-SHA256) gives authenticated encryption per value; MultiFernet
gives key rotation (`safehub keys rotate`). What it does not give is binding to a row: someone
able to write to the database could move a token from one row to another. That is an integrity
threat the audit trail and history cover; the threat this field answers is disclosure by a
copy of the database.

The database can no longer compare or search the text, so a query that would have to is
refused with `EncryptedLookupError` instead of silently matching nothing: only
`field__isnull` and `field=None` are allowed. Ordering by the field orders by ciphertext, which
is meaningless; do not.
"""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.exceptions import FieldError
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.lookups import Exact, Lookup

from safehub.crypto import keys


class EncryptedLookupError(FieldError):
    """A query asked the database to compare or search encrypted text."""

    def __init__(self, field: models.Field[Any, Any], lookup_name: str) -> None:
        super().__init__(
            f"{field.model._meta.label}.{field.name} is encrypted, so the database cannot "  # noqa: SLF001
            f"apply `{lookup_name}` to it; only `isnull` and `=None` work. Filter on another "
            "field and compare the decrypted text in Python."
        )


class _NoneOnlyExact(Exact):  # type: ignore[type-arg]
    """`field=None` (which Django turns into `isnull`); any other value is refused."""

    def get_prep_lookup(self) -> Any:
        if self.rhs is not None:
            raise EncryptedLookupError(self.lhs.output_field, "exact")
        return super().get_prep_lookup()


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    description = "Text encrypted at rest with the field keys (Fernet)"

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        if self.unique or getattr(self, "db_index", False) or self.primary_key:
            errors.append(
                checks.Error(
                    "An encrypted field cannot be unique, indexed or a primary key: every "
                    "token differs, even for the same text.",
                    obj=self,
                    id="crypto.E001",
                )
            )
        return errors

    def get_db_prep_value(
        self,
        value: Any,
        connection: BaseDatabaseWrapper,
        prepared: bool = False,  # noqa: FBT001, FBT002 - Django calls it so
    ) -> Any:
        # Every way the ORM writes a value (save, bulk_create, update, bulk_update) comes
        # through here; only safehub.crypto.rewrite goes round it, on purpose.
        if not prepared:
            value = self.get_prep_value(value)
        if value is None:
            return None
        return keys.encrypt(value)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None:
            return None
        return keys.decrypt(value, where=self._where())

    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]] | None:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        if lookup_name == "exact":
            return _NoneOnlyExact
        raise EncryptedLookupError(self, lookup_name)

    def _where(self) -> str:
        model = getattr(self, "model", None)
        label = model._meta.label if model is not None else "?"  # noqa: SLF001
        return f"{label}.{self.name}"
