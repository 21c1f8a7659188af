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
from safehub.access.models import Agency, AgencyType, Role, User
from safehub.access.policy import TWO_FACTOR_ROLES, Principal
from safehub.demo import awareness, case_history, scrutiny
from safehub.demo import history as synth
from safehub.episodes import allocation
from safehub.episodes.models import Episode
from safehub.geo import services as geo
from safehub.partnership import services as partnership
from safehub.triage import store as triage_store

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


AREA_COMMITTEES = ("Bradford East", "Bradford South", "Bradford West", "Keighley", "Shipley")


def _support_services(agencies: dict[str, Agency], *, acting_user: Principal) -> None:
    """The Youth Service in each area committee, Early Help, and a voluntary specialist service
    (targets: the defaults, accept within 2 working days, first contact within 5)."""
    youth = agencies["Youth Service"]
    leads = list(User.objects.filter(agency=youth, role=Role.PARTNER_WORKER))
    for area in AREA_COMMITTEES:
        partnership.ensure_service(
            name=f"Youth Service – {area}",
            agency=youth,
            risk_levels=("low", "medium"),
            min_age=10,
            max_age=19,
            area_committees=(area,),
            managers=leads,
            description="Detached and centre-based youth work, one-to-one mentoring",
            acting_user=acting_user,
        )
    partnership.ensure_service(
        name="Early Help – family support",
        agency=agencies["Early Help"],
        risk_levels=("low", "medium"),
        max_age=17,
        description="Family support workers and parenting programmes",
        acting_user=acting_user,
    )
    partnership.ensure_service(
        name="Voluntary Sector Exploitation Project – specialist support",
        agency=agencies["Voluntary Sector Exploitation Project"],
        min_age=10,
        max_age=25,
        description="Specialist exploitation workers for young people at any level of risk",
        acting_user=acting_user,
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
    _support_services(agencies, acting_user=acting_user)
    if with_history and not case_history.already_loaded():
        case_history.load(synth.generate(until=timezone.localdate()), acting_user=acting_user)
        triage_store.refresh_all()  # the history was bulk-created, past the queue's signals
        _allocate_open_episodes()
    if with_history:
        awareness.load(acting_user=acting_user, today=timezone.localdate())
    scrutiny.load(acting_user=acting_user)
    return accounts


# The demo's hub workers hold its open episodes, shared out in turn by the demo manager.
DEMO_WORKERS = ("practitioner", "police")


def _allocate_open_episodes() -> None:
    manager = User.objects.get(username="manager")
    workers = [User.objects.get(username=name) for name in DEMO_WORKERS]
    waiting = Episode.objects.filter(
        closed_on__isnull=True, withdrawn_at__isnull=True, allocated_worker__isnull=True
    ).order_by("pk")
    shares: list[list[Episode]] = [[] for _ in workers]
    for n, episode in enumerate(waiting):
        shares[n % len(workers)].append(episode)
    for worker, episodes in zip(workers, shares, strict=True):
        if episodes:
            allocation.allocate(
                episodes,
                worker=worker,
                lead_agency=worker.agency,
                reason="Demo: open cases shared out when the demo was loaded",
                acting_user=manager,
            )
