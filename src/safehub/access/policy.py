"""The one policy entry point: `require(user, permission, obj)`.

Every service asks here before it reads or changes anything. Permissions are strings named
like audit tags ("geo:postcodes:import"); the table below says which roles hold each. Issue 4
extends `can` with per-object scoping (agency and explicit sharing) behind the same call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from safehub.access.models import Role, User

if TYPE_CHECKING:
    from safehub.access.api_keys import AgencyPrincipal

HUB_ROLES = frozenset({Role.HUB_PRACTITIONER, Role.HUB_MANAGER, Role.POLICE_HUB_OFFICER})
# Roles that read children's records: giving one to an account needs a second administrator.
CASE_ROLES = HUB_ROLES | {Role.PARTNER_WORKER}
ALL_ROLES = frozenset(Role)
# Roles that must prove a second factor (a TOTP code) before any page: everyone who sees case
# data, pseudonymised figures or other accounts. Elected members see only published reports,
# which are safe to publish by design, so a password is enough for them.
TWO_FACTOR_ROLES = ALL_ROLES - {Role.ELECTED_MEMBER}

PERMISSIONS: dict[str, frozenset[str]] = {
    "home:view": ALL_ROLES,
    # Everyone may read and mark their own notifications (scope: notifications.queries).
    "notifications:view": ALL_ROLES,
    # Per-agency API keys for partners' own systems (safehub.access.api_keys).
    "api_keys:manage": frozenset({Role.ADMINISTRATOR}),
    "users:manage": frozenset({Role.ADMINISTRATOR}),
    "agencies:manage": frozenset({Role.ADMINISTRATOR}),
    "geo:reference:manage": frozenset({Role.ADMINISTRATOR}),
    "geo:postcodes:import": frozenset({Role.ADMINISTRATOR}),
    "geo:ward:resolve": HUB_ROLES | {Role.PARTNER_WORKER, Role.ADMINISTRATOR},
    "audit:view": frozenset({Role.HUB_MANAGER, Role.ADMINISTRATOR}),
    # Case work: the hub's own roles. Issue 4 adds partner access through recorded sharing.
    # Partner workers see children shared with their agency (scope: people.queries).
    "child:view": HUB_ROLES | {Role.PARTNER_WORKER},
    "child:share": HUB_ROLES,
    "child:access_log:view": frozenset({Role.HUB_MANAGER}),
    "break_glass:use": frozenset({Role.PARTNER_WORKER}),
    "child:shared:list": frozenset({Role.PARTNER_WORKER}),
    "break_glass:review": frozenset({Role.HUB_MANAGER}),
    "child:search": HUB_ROLES,
    "child:create": HUB_ROLES,
    "child:update": HUB_ROLES,
    "child:note:add": HUB_ROLES,
    "referral:create": HUB_ROLES,
    # Candidate matches for a child being recorded: the hub's roles, never partners.
    "match:candidates": HUB_ROLES,
    "referral:view": HUB_ROLES,
    "referral:withdraw": HUB_ROLES,
    "referral:import": HUB_ROLES,
    "screening:record": HUB_ROLES,
    "screening:override:review": frozenset({Role.HUB_MANAGER}),
    "decision:record": HUB_ROLES,
    "episode:update": HUB_ROLES,
    "episode:review": HUB_ROLES,
    # Managing the team: who holds which child, caseloads, and second-pair-of-eyes sign-off.
    "episode:allocate": frozenset({Role.HUB_MANAGER}),
    "sign_off:decide": frozenset({Role.HUB_MANAGER}),
    "missing:record": HUB_ROLES,
    "triage:view": HUB_ROLES,
    # Warning flags: hub roles raise and correct them, a hub manager signs each off. Partner
    # workers see approved flags of a child whose risk section is shared (flags.queries).
    "flag:view": HUB_ROLES | {Role.PARTNER_WORKER},
    "flag:raise": HUB_ROLES,
    "flag:sign_off": frozenset({Role.HUB_MANAGER}),
    # A child's chronology is the hub's analysis for meetings and courts: hub roles only.
    "chronology:view": HUB_ROLES,
    "chronology:mark": HUB_ROLES,
    "chronology:export": HUB_ROLES,
    # Records of one child held twice: the matching engine offers pairs, managers decide.
    "duplicates:review": frozenset({Role.HUB_MANAGER}),
    "duplicates:decide": frozenset({Role.HUB_MANAGER}),
    "duplicates:offer": frozenset({Role.HUB_MANAGER}),
    # Pathway referrals to partner agencies' support services (safehub.partnership): the hub
    # refers; the service's agency answers, works with the child and reports back.
    "pathway:view": HUB_ROLES | {Role.PARTNER_WORKER},
    "pathway:refer": HUB_ROLES,
    "pathway:respond": frozenset({Role.PARTNER_WORKER}),
    "pathway:inbox": frozenset({Role.PARTNER_WORKER}),
    "observation:add": frozenset({Role.PARTNER_WORKER}),
    "concern:raise": frozenset({Role.PARTNER_WORKER}),
    # Intelligence about places and disruption activity: the hub's own roles.
    "location:view": HUB_ROLES,
    "location:record": HUB_ROLES,
    "disruption:view": HUB_ROLES,
    "disruption:record": HUB_ROLES,
    # Alleged perpetrators: hub managers and police only.
    "person_of_concern:view": frozenset({Role.HUB_MANAGER, Role.POLICE_HUB_OFFICER}),
    "person_of_concern:record": frozenset({Role.HUB_MANAGER, Role.POLICE_HUB_OFFICER}),
    # Multi-agency meetings (strategy discussions, MACE): the hub's own roles record and read
    # them; partner workers see none (safehub.meetings.queries). Persons of concern named in a
    # meeting show only to those holding "person_of_concern:view".
    "meeting:view": HUB_ROLES,
    "meeting:record": HUB_ROLES,
    "meeting:export": HUB_ROLES,
    # Analytics: pseudonymised snapshots and the committee report built from them.
    "snapshot:create": frozenset({Role.ANALYST}),
    "report:view:restricted": frozenset({Role.ANALYST, Role.HUB_MANAGER}),
    "report:view:public": frozenset({Role.ELECTED_MEMBER, Role.ANALYST, Role.HUB_MANAGER}),
    # Committee meetings, resolutions and actions: the council's public papers, no child data.
    # Analysts and hub managers record them; elected members read them.
    "scrutiny:view": frozenset({Role.ELECTED_MEMBER, Role.ANALYST, Role.HUB_MANAGER}),
    "scrutiny:record": frozenset({Role.ANALYST, Role.HUB_MANAGER}),
    # Moving a hub's whole history in (from a legacy system) and out (docs/history-format.md).
    "history:import": frozenset({Role.HUB_MANAGER}),
    "history:export": frozenset({Role.HUB_MANAGER, Role.ADMINISTRATOR}),
    # Prevention and awareness: no child data. Administrators keep programmes and targets and
    # import sessions; hub roles, hub managers and analysts read coverage. Partner workers
    # deliver no programme and have no need of the figures, so they are left out.
    "awareness:manage": frozenset({Role.ADMINISTRATOR}),
    "awareness:import": frozenset({Role.ADMINISTRATOR, Role.HUB_MANAGER}),
    "awareness:view": HUB_ROLES | {Role.ANALYST, Role.ADMINISTRATOR},
    # Only the operator at the server loads the synthetic demo history.
    "demo:load": frozenset(),
    # Only the operator at the server, who holds the field keys, re-encrypts with them.
    "keys:rotate": frozenset(),
}

# What the server operator may do from the command line without naming a user: reference
# data and accounts, and moving the hub's whole history in or out (audited), which is an
# operator's job at migration or exit; otherwise never case data.
SYSTEM_PERMISSIONS = frozenset(
    {
        "users:manage",
        "agencies:manage",
        "geo:reference:manage",
        "geo:postcodes:import",
        "geo:ward:resolve",
        "demo:load",
        "keys:rotate",
        "history:import",
        "history:export",
        # Snapshots hold pseudonymised data only, and reports are built from them.
        "snapshot:create",
        "report:view:restricted",
        "report:view:public",
        # The scheduled `safehub match dedupe` queues likely duplicate pairs (ids, probability
        # and evidence) for the hub managers; it reads and changes no record.
        "duplicates:offer",
        # Awareness programmes and sessions count people reached, never children: reference
        # data the operator (and the demo loader) may keep.
        "awareness:manage",
        "awareness:import",
        # Committee papers (the demo loads a meeting); no child data.
        "scrutiny:view",
        "scrutiny:record",
    }
)


class System:
    """The operator running a `safehub` command on the server itself."""

    is_authenticated = False
    is_active = True
    role = ""
    agency_id = None

    def __str__(self) -> str:
        return "system"


SYSTEM = System()

# An agency's API key (safehub.access.api_keys) answers as a partner worker of its agency.
Principal: TypeAlias = "AbstractBaseUser | AnonymousUser | System | AgencyPrincipal"


def user_or_none(principal: Principal) -> User | None:
    """The signed-in user behind a principal, for "recorded by" columns; None for the CLI."""
    return principal if isinstance(principal, User) else None


class AccessDeniedError(PermissionDenied):
    def __init__(self, permission: str, obj: object | None = None) -> None:
        super().__init__(permission)
        self.permission = permission
        self.obj = obj


class OutOfScopeError(Http404):
    """The object is outside the caller's scope: answered as "not found", audited as denied.

    404 rather than 403, so a guessed id does not reveal that a child exists. `child_id` names
    the child the object belongs to, when it exists, for that child's access log (the caller
    is told nothing of it).
    """

    def __init__(self, object_type: str, object_id: str, *, child_id: int | None = None) -> None:
        super().__init__("Not found")
        self.object_type = object_type
        self.object_id = object_id
        self.child_id = child_id


def can(user: Principal, permission: str, obj: object | None = None) -> bool:
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    if isinstance(user, System):
        return permission in SYSTEM_PERMISSIONS
    if not user.is_authenticated or not user.is_active:
        return False
    return getattr(user, "role", None) in PERMISSIONS[permission]


def require(user: Principal, permission: str, obj: object | None = None) -> None:
    """Raise AccessDeniedError unless `user` holds `permission` (for `obj`, when given).

    The denial is audited by AccessDeniedMiddleware (web) or the CLI, after the request's
    transaction has rolled back, so the record of a denial is never lost with it.
    """
    if not can(user, permission, obj):
        raise AccessDeniedError(permission, obj)


def needs_two_factor(user: Principal) -> bool:
    """Whether this signed-in user must verify a second factor before using Safehub."""
    return bool(user.is_authenticated) and getattr(user, "role", None) in TWO_FACTOR_ROLES
