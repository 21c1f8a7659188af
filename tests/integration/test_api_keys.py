"""Agencies' API keys: issued by an administrator and shown once, stored hashed, acting as the
agency's partner (what is shared with that agency, nothing else), expiring, revocable, and
audited at every use and every refusal."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from safehub.access import api_keys
from safehub.access.models import Agency, AgencyApiKey, AgencyType, Role, User
from safehub.access.policy import SYSTEM, AccessDeniedError
from safehub.audit.models import AuditEvent, Outcome
from safehub.geo import services as geo
from safehub.people import services as people
from safehub.people import sharing
from safehub.people.models import Child

URL = "/api/v1/shared-children"


def _agency(name: str) -> Agency:
    return Agency.objects.create(name=name, agency_type=AgencyType.YOUTH_SERVICE)


def _child(manager: User, given: str) -> Child:
    return people.register_child(
        acting_user=manager,
        given_name=given,
        family_name="Keytest",
        date_of_birth=dt.date(2011, 5, 6),
        sex="M",
    )


def _share(child: Child, agency: Agency, manager: User, sections: list[str]) -> None:
    sharing.share_child(
        child,
        agency=agency,
        lawful_basis="public_task",
        purpose="Support",
        sections=sections,
        expires_on=timezone.localdate() + dt.timedelta(days=30),
        reasons="Reasons",
        acting_user=manager,
    )


@pytest.fixture
def setting(make_user: Callable[..., User]) -> dict[str, Any]:
    """Two partner agencies, a child shared with each, and an administrator."""
    geo.load_reference_data(acting_user=SYSTEM)
    manager = make_user(Role.HUB_MANAGER)
    youth, other = _agency("Youth Service north"), _agency("Another partner")
    ours, theirs = _child(manager, "Ours"), _child(manager, "Theirs")
    _share(ours, youth, manager, ["risk"])
    _share(theirs, other, manager, ["risk", "notes"])
    return {
        "admin": make_user(Role.ADMINISTRATOR),
        "agency": youth,
        "ours": ours,
        "theirs": theirs,
    }


def _get(key: str, url: str = URL) -> Any:
    return Client().get(url, headers={"authorization": f"Bearer {key}"})


def test_a_key_is_stored_hashed_and_reaches_only_its_agencys_shares(
    setting: dict[str, Any],
) -> None:
    row, key = api_keys.issue(
        setting["agency"], name="Youth case system", days=30, acting_user=setting["admin"]
    )
    assert re.fullmatch(r"shk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}", key)
    stored = AgencyApiKey.objects.filter(pk=row.pk).values().get()
    assert key not in {str(v) for v in stored.values()}
    secret = key.split("_", 2)[2]  # base64url: the secret may hold "_" itself
    assert secret not in str(stored)

    answer = _get(key)

    assert answer.status_code == 200, answer.content
    assert answer.json() == [
        {
            "child_id": setting["ours"].pk,
            "given_name": "Ours",
            "family_name": "Keytest",
            "sections": ["risk"],
            "expires_on": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        }
    ]
    used = AuditEvent.objects.get(action="api_key:used")
    assert (used.actor_id, used.actor_agency_id, used.actor_role, used.channel) == (
        None,
        setting["agency"].pk,
        f"api-key:{row.prefix}",
        "api",
    )
    listed = AuditEvent.objects.get(action="child:listed", child_id=setting["ours"].pk)
    assert listed.actor_role == f"api-key:{row.prefix}"
    assert not AuditEvent.objects.filter(action="child:listed", child_id=setting["theirs"].pk)
    row.refresh_from_db()
    assert row.last_used_at is not None


def test_a_key_acts_as_a_partner_so_hub_only_routes_refuse_it(setting: dict[str, Any]) -> None:
    _, key = api_keys.issue(setting["agency"], name="s", days=30, acting_user=setting["admin"])
    # Routes that have not adopted key sign-in answer as to anyone not signed in.
    assert _get(key, f"/api/v1/children/{setting['ours'].pk}").status_code == 401
    assert _get(key, "/api/v1/referrals").status_code == 401


@pytest.mark.parametrize("fault", ["expired", "revoked", "wrong secret", "malformed"])
def test_a_bad_key_is_refused_and_the_refusal_audited(setting: dict[str, Any], fault: str) -> None:
    row, key = api_keys.issue(setting["agency"], name="s", days=30, acting_user=setting["admin"])
    reason = fault
    if fault == "expired":
        AgencyApiKey.objects.filter(pk=row.pk).update(expires_at=timezone.now())
    elif fault == "revoked":
        api_keys.revoke(row, acting_user=setting["admin"])
        assert AuditEvent.objects.filter(action="api_key:revoked", object_id=str(row.pk)).exists()
    elif fault == "wrong secret":
        key = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
        reason = "unknown"
    else:
        key = "not-a-key"

    answer = _get(key)

    assert answer.status_code == 401
    assert answer["Content-Type"] == "application/problem+json"
    refused = AuditEvent.objects.get(action="api_key:refused")
    assert refused.outcome == Outcome.DENIED
    assert refused.reason.startswith(reason)
    assert not AuditEvent.objects.filter(action__in=["api_key:used", "child:listed"]).exists()


def test_only_an_administrator_issues_or_revokes(
    setting: dict[str, Any], make_user: Callable[..., User]
) -> None:
    manager = make_user(Role.HUB_MANAGER)
    with pytest.raises(AccessDeniedError):
        api_keys.issue(setting["agency"], name="s", days=30, acting_user=manager)
    row, _ = api_keys.issue(setting["agency"], name="s", days=30, acting_user=setting["admin"])
    with pytest.raises(AccessDeniedError):
        api_keys.revoke(row, acting_user=manager)
    with pytest.raises(ValueError, match="days"):
        api_keys.issue(setting["agency"], name="s", days=0, acting_user=setting["admin"])


def test_the_admin_issues_a_key_once_and_revokes_it(
    setting: dict[str, Any], administrator_client: Client
) -> None:
    page = administrator_client.post(
        "/admin/access/agencyapikey/add/",
        {"agency": setting["agency"].pk, "name": "Youth case system", "days": "30"},
    )
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    shown = re.search(r'<code id="issued-key">(shk_[^<]+)</code>', page.content.decode())
    assert shown is not None
    key = shown.group(1)
    row = AgencyApiKey.objects.get()
    assert AuditEvent.objects.filter(action="api_key:issued", object_id=str(row.pk)).exists()
    assert _get(key).status_code == 200
    # The key's own page never shows it again.
    assert (
        key
        not in administrator_client.get(
            f"/admin/access/agencyapikey/{row.pk}/change/"
        ).content.decode()
    )

    administrator_client.post(
        "/admin/access/agencyapikey/",
        {"action": "revoke_keys", "_selected_action": [row.pk]},
    )

    row.refresh_from_db()
    assert row.revoked_at is not None
    assert _get(key).status_code == 401


def test_a_partner_worker_signed_in_gets_the_same_list_and_the_hub_is_refused(
    setting: dict[str, Any], make_user: Callable[..., User], hub_practitioner_client: Client
) -> None:
    from tests.integration.conftest import sign_in_verified  # noqa: PLC0415

    worker = make_user(Role.PARTNER_WORKER)
    User.objects.filter(pk=worker.pk).update(agency=setting["agency"])
    worker.refresh_from_db()
    client = sign_in_verified(Client(), worker)
    assert [c["child_id"] for c in client.get(URL).json()] == [setting["ours"].pk]
    assert hub_practitioner_client.get(URL).status_code == 403


def test_administrators_are_told_once_when_a_key_is_about_to_expire(
    setting: dict[str, Any], make_user: Callable[..., User]
) -> None:
    from django.core.management import call_command  # noqa: PLC0415

    from safehub.notifications.models import Notification  # noqa: PLC0415

    soon, _ = api_keys.issue(setting["agency"], name="s", days=10, acting_user=setting["admin"])
    api_keys.issue(setting["agency"], name="later", days=60, acting_user=setting["admin"])
    gone, _ = api_keys.issue(setting["agency"], name="r", days=3, acting_user=setting["admin"])
    api_keys.revoke(gone, acting_user=setting["admin"])
    other_admin = make_user(Role.ADMINISTRATOR)

    for _ in range(2):
        call_command("checks", "run", "api-keys-expiring")

    told = Notification.objects.filter(kind="api_key:expiring")
    assert sorted(told.values_list("recipient_id", "reference")) == sorted(
        [(setting["admin"].pk, f"KEY-{soon.prefix}"), (other_admin.pk, f"KEY-{soon.prefix}")]
    )


def test_a_keys_request_refused_later_is_audited_as_that_key(setting: dict[str, Any]) -> None:
    """A route that takes keys and then finds the object out of the agency's scope: the
    refusal, written after the rollback, names the key and its agency, not "anonymous"."""
    from django.test import RequestFactory  # noqa: PLC0415

    from safehub.access.middleware import AccessDeniedMiddleware  # noqa: PLC0415
    from safehub.access.policy import OutOfScopeError  # noqa: PLC0415

    row, key = api_keys.issue(setting["agency"], name="s", days=30, acting_user=setting["admin"])
    request = RequestFactory().get(f"/api/v1/children/{setting['theirs'].pk}")
    request.auth = api_keys.authenticate(key)  # type: ignore[attr-defined]
    from django.contrib.auth.models import AnonymousUser  # noqa: PLC0415

    request.user = AnonymousUser()

    answer = AccessDeniedMiddleware(lambda _: None).process_exception(  # type: ignore[arg-type, return-value]
        request, OutOfScopeError("people.child", str(setting["theirs"].pk))
    )

    assert answer is not None
    assert answer.status_code == 404
    denied = AuditEvent.objects.get(action="access:denied")
    assert (denied.actor_role, denied.actor_agency_id) == (
        f"api-key:{row.prefix}",
        setting["agency"].pk,
    )
