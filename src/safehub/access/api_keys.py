"""Per-agency API keys: how an agency's own case system calls the API without a person.

A key reads `shk_<prefix>_<secret>`: the prefix (8 random hex digits) finds the row, the secret
(32 random bytes) is never stored, only the SHA-256 of the whole key. SHA-256 without a salt or
stretching is enough here: the secret is 256 random bits, not a password anyone could guess.
A key is shown once, expires, can be revoked, and every use (and every refused key) is audited
with the agency as actor and the key's prefix as its description.

Whoever holds a key acts as a partner worker of its agency: `AgencyPrincipal` answers the
policy as that role, so it reaches only what the agency's shares (and, with pathway referrals,
its referrals) allow, through the same scoped queries as a person would.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from safehub.access.models import Agency, AgencyApiKey, Role, User
from safehub.access.policy import require
from safehub.audit import services as audit

KEY_FORMAT = re.compile(r"^shk_(?P<prefix>[0-9a-f]{8})_(?P<secret>[A-Za-z0-9_-]{43})$")
MAX_DAYS = 366


@dataclass(frozen=True)
class AgencyPrincipal:
    """Who is calling when a request carries an agency's API key: that agency's partner."""

    agency: Agency
    key_id: int
    prefix: str
    is_api_key: bool = True
    is_authenticated: bool = True
    is_active: bool = True
    role: str = Role.PARTNER_WORKER
    # No person stands behind a key: "recorded by" columns stay empty, the audit trail names
    # the agency and the key.
    pk: None = field(default=None, init=False)

    @property
    def agency_id(self) -> int:
        return int(self.agency.pk)

    @property
    def description(self) -> str:
        """What the audit trail records as the actor's role: which key, of which agency."""
        return f"api-key:{self.prefix}"

    def __str__(self) -> str:
        return f"{self.agency} ({self.description})"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def issue(agency: Agency, *, name: str, days: int, acting_user: User) -> tuple[AgencyApiKey, str]:
    """A new key for `agency`, valid for `days`; returns the row and the key, shown only now."""
    require(acting_user, "api_keys:manage")
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"a key lasts 1 to {MAX_DAYS} days")
    while True:
        prefix = secrets.token_hex(4)
        if not AgencyApiKey.objects.filter(prefix=prefix).exists():
            break
    key = f"shk_{prefix}_{secrets.token_urlsafe(32)}"
    now = timezone.now()
    row = AgencyApiKey.objects.create(
        agency=agency,
        name=name,
        prefix=prefix,
        key_hash=_hash(key),
        created_by=acting_user,
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    audit.write(acting_user, "api_key:issued", row, reason=f"agency {agency.pk}; {days} days")
    return row, key


@transaction.atomic
def revoke(row: AgencyApiKey, *, acting_user: User) -> None:
    """Stop the key working from the next request on."""
    require(acting_user, "api_keys:manage")
    if row.revoked_at is None:
        row.revoked_at = timezone.now()
        row.revoked_by = acting_user
        row.save(update_fields=["revoked_at", "revoked_by"])
        audit.write(acting_user, "api_key:revoked", row, reason=f"agency {row.agency_id}")


class ApiKeyRefusedError(Exception):
    """A key that is unknown, malformed, expired, revoked or of an inactive agency.

    Raised out of the API view so the request's transaction rolls back first; then
    `AccessDeniedMiddleware` audits the refusal in a transaction of its own (so it survives)
    and answers 401, the same for every reason.
    """

    def __init__(self, reason: str, prefix: str = "", agency_id: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason if agency_id is None else f"{reason}; agency {agency_id}"
        self.prefix = prefix


def authenticate(key: str) -> AgencyPrincipal:
    """The agency's partner principal for a valid key, recording the use; None otherwise.

    An unknown, malformed, expired or revoked key raises ApiKeyRefusedError: the caller gets
    the same answer whichever it was, and the audit trail the reason.
    """
    match = KEY_FORMAT.match(key)
    if match is None:
        raise ApiKeyRefusedError("malformed")
    prefix = match["prefix"]
    row = AgencyApiKey.objects.select_related("agency").filter(prefix=prefix).first()
    if row is None or not hmac.compare_digest(row.key_hash, _hash(key)):
        raise ApiKeyRefusedError("unknown", prefix)
    now = timezone.now()
    if row.revoked_at is not None:
        raise ApiKeyRefusedError("revoked", prefix, row.agency_id)
    if row.expires_at <= now:
        raise ApiKeyRefusedError("expired", prefix, row.agency_id)
    if not row.agency.is_active:
        raise ApiKeyRefusedError("agency inactive", prefix, row.agency_id)
    principal = AgencyPrincipal(agency=row.agency, key_id=row.pk, prefix=prefix)
    with transaction.atomic():
        AgencyApiKey.objects.filter(pk=row.pk).update(last_used_at=now)
        audit.write(principal, "api_key:used", row)
    return principal
