"""Load the demo: geography, agencies and one account for each role.

Everything here is invented. Re-running adds what is missing and changes nothing that exists,
so a demo database keeps whatever was entered in it.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from safehub import config
from safehub.access import services as access
from safehub.access import two_factor
from safehub.access.models import AgencyType, Role, User
from safehub.access.policy import TWO_FACTOR_ROLES, Principal
from safehub.demo import case_history, scrutiny
from safehub.demo import history as synth
from safehub.geo import services as geo

AGENCIES: tuple[tuple[str, AgencyType], ...] = (
    ("Children's Services – Exploitation Hub", AgencyType.CHILDRENS_SERVICES),
    ("Police – Child Exploitation Team", AgencyType.POLICE),
    ("Health – Safeguarding Children Team", AgencyType.HEALTH),
    ("Youth Service", AgencyType.YOUTH_SERVICE),
    ("Early Help", AgencyType.EARLY_HELP),
    ("Education Safeguarding", AgencyType.EDUCATION),
    ("Voluntary Sector Exploitation Project", AgencyType.VOLUNTARY_SECTOR),
    ("Taxi and Private Hire Licensing", AgencyType.TRANSPORT_LICENSING),
    ("Council Corporate Services", AgencyType.COUNCIL_CORPORATE),
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    agency: str
    first_name: str


ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("practitioner", Role.HUB_PRACTITIONER, AGENCIES[0][0], "Pat"),
    DemoAccount("manager", Role.HUB_MANAGER, AGENCIES[0][0], "Morgan"),
    DemoAccount("police", Role.POLICE_HUB_OFFICER, AGENCIES[1][0], "Parker"),
    DemoAccount("partner", Role.PARTNER_WORKER, AGENCIES[3][0], "Robin"),
    DemoAccount("analyst", Role.ANALYST, AGENCIES[8][0], "Alex"),
    DemoAccount("member", Role.ELECTED_MEMBER, AGENCIES[8][0], "Casey"),
    DemoAccount("admin", Role.ADMINISTRATOR, AGENCIES[8][0], "Jordan"),
)


def demo_password() -> str:
    return config.get("SAFEHUB_DEMO_PASSWORD")


def demo_totp_key(username: str) -> str:
    """The demo account's authenticator key (hex): HMAC-SHA1 of "totp:<username>" keyed with
    the demo password. Anyone who knows the demo password can compute every demo code, which is
    the point of a demo and why real accounts enrol their own app instead."""
    digest = hmac.new(demo_password().encode(), f"totp:{username}".encode(), hashlib.sha1)
    return digest.hexdigest()


@transaction.atomic
def load(*, acting_user: Principal, with_history: bool = True) -> list[tuple[DemoAccount, bool]]:
    """Load everything; returns each demo account with whether it was created just now.

    `with_history` also loads the generated Bradford case history (once: a database that
    already holds it keeps what it has).
    """
    geo.load_reference_data(acting_user=acting_user)
    agencies = {
        name: access.ensure_agency(name=name, agency_type=kind, acting_user=acting_user)
        for name, kind in AGENCIES
    }
    accounts = []
    for account in ACCOUNTS:
        exists = User.objects.filter(username=account.username).exists()
        if not exists:
            access.create_user(
                username=account.username,
                agency=agencies[account.agency],
                role=account.role,
                password=demo_password(),
                first_name=account.first_name,
                last_name="(demo)",
                acting_user=acting_user,
                check_password=False,
            )
        user = User.objects.get(username=account.username)
        if account.role in TWO_FACTOR_ROLES and not two_factor.has_confirmed_device(user):
            two_factor.issue_device(
                user, key_hex=demo_totp_key(account.username), acting_user=acting_user
            )
        accounts.append((account, not exists))
    if with_history and not case_history.already_loaded():
        case_history.load(synth.generate(until=timezone.localdate()), acting_user=acting_user)
    scrutiny.load(acting_user=acting_user)
    return accounts
