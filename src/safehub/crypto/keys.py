"""The field keys: Fernet keys from SAFEHUB_FIELD_KEYS (the FIELD_ENCRYPTION_KEYS setting).

Keys live in the environment, never in the database, so a copy of the database (a backup, a
stolen dump, a replica given to the wrong person) holds only tokens. The first key encrypts;
every key is tried to decrypt, which is what lets `safehub keys rotate` move from an old key to
a new one while the service keeps running (docs/keys.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class UnreadableValueError(Exception):
    """A stored token that none of the configured keys opens."""


def parse(keys: Sequence[str]) -> MultiFernet:
    """The keys as a MultiFernet, newest first; ImproperlyConfigured names a bad key by place."""
    if not keys:
        raise ImproperlyConfigured(
            "SAFEHUB_FIELD_KEYS is empty: give one or more Fernet keys, newest first "
            "(`safehub keys generate` prints a new one)."
        )
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key))
        except ValueError as error:  # binascii.Error is a ValueError
            raise ImproperlyConfigured(
                f"SAFEHUB_FIELD_KEYS: key {position} is not a Fernet key (32 url-safe "
                "base64-encoded bytes; `safehub keys generate` prints one)."
            ) from error
    return MultiFernet(fernets)


@lru_cache(maxsize=8)
def _multi(keys: tuple[str, ...]) -> MultiFernet:
    return parse(keys)


def current() -> MultiFernet:
    """The configured keys. Cached per key list, so tests that override the setting still work."""
    return _multi(tuple(settings.FIELD_ENCRYPTION_KEYS))


def count() -> int:
    return len(settings.FIELD_ENCRYPTION_KEYS)


def generate() -> str:
    return Fernet.generate_key().decode("ascii")


def encrypt(text: str) -> str:
    return current().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str, *, where: str = "a value") -> str:
    """The plaintext of `token`. The error names the column, never the token or the text."""
    try:
        return current().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError) as error:
        raise UnreadableValueError(
            f"None of SAFEHUB_FIELD_KEYS opens {where}: a key was removed before "
            "`safehub keys rotate` finished, or the value was never encrypted."
        ) from error


def rotate(token: str, *, where: str = "a value") -> str:
    """`token` re-encrypted with the newest key (MultiFernet.rotate keeps its timestamp)."""
    try:
        return current().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError) as error:
        raise UnreadableValueError(
            f"None of SAFEHUB_FIELD_KEYS opens {where}; nothing was rotated."
        ) from error
