"""Information sharing, break-glass and the access log: a partner sees exactly what was shared."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from safehub.access.models import Agency, Role, User
from safehub.access.policy import SYSTEM, AccessDeniedError
from safehub.audit.models import AuditEvent
from safehub.geo import services as geo
from safehub.people import queries, sharing
from safehub.people import services as people
from safehub.people.models import Child, Share


@pytest.fixture
def hub(make_user: Callable[..., User]) -> User:
    geo.load_reference_data(acting_user=SYSTEM)
    return make_user(Role.HUB_MANAGER)


def _child(hub: User, given: str) -> Child:
    child = people.register_child(
        acting_user=hub,
        given_name=given,
        family_name="Sharewell",
        date_of_birth=dt.date(2011, 1, 2),
        sex="F",
    )
    people.record_address(
        child, valid_from=dt.date(2020, 1, 1), ward_code="E05001370", acting_user=hub
    )
    people.add_case_note(child, text="A note only the hub should read.", acting_user=hub)
    return child


def _share(hub: User, child: Child, agency: Agency, **extra: object) -> Share:
    values: dict[str, object] = {
        "agency": agency,
        "lawful_basis": "safeguarding",
        "purpose": "One-to-one youth work",
        "sections": ["address"],
        "expires_on": timezone.localdate() + dt.timedelta(days=30),
        "reasons": "Agreed at the daily meeting",
    }
    values.update(extra)
    return sharing.share_child(child, acting_user=hub, **values)  # type: ignore[arg-type]


def _partner_agency(client: Client) -> Agency:
    user = client.get("/").wsgi_request.user
    assert isinstance(user, User)
    return user.agency


def test_a_partner_sees_only_shared_children_and_only_the_shared_sections(
    hub: User, partner_worker_client: Client
) -> None:
    shared = _child(hub, "Shara")
    _child(hub, "Otto")
    _share(hub, shared, _partner_agency(partner_worker_client))
    listing = partner_worker_client.get("/shared").content.decode()
    assert "Shara Sharewell" in listing
    assert "Otto" not in listing
    page = partner_worker_client.get(f"/children/{shared.pk}").content.decode()
    assert "Wyke ward" in page  # address was shared
    assert "A note only the hub should read." not in page  # notes were not
    assert "Record a referral" not in page
    assert AuditEvent.objects.filter(action="child:shared").count() == 1


def test_guessing_an_unshared_id_is_404_and_audited(
    hub: User, partner_worker_client: Client
) -> None:
    other = _child(hub, "Otto")
    response = partner_worker_client.get(f"/children/{other.pk}")
    assert response.status_code == 404
    denied = AuditEvent.objects.get(action="access:denied")
    assert (denied.object_type, denied.object_id, denied.actor_role) == (
        "people.child",
        str(other.pk),
        "partner_worker",
    )


def test_an_expired_or_revoked_share_ends_access(hub: User, partner_worker_client: Client) -> None:
    child = _child(hub, "Shara")
    share = _share(hub, child, _partner_agency(partner_worker_client))
    assert partner_worker_client.get(f"/children/{child.pk}").status_code == 200
    Share.objects.filter(pk=share.pk).update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    assert partner_worker_client.get(f"/children/{child.pk}").status_code == 404
    share = _share(hub, child, _partner_agency(partner_worker_client))
    sharing.revoke_share(share, reason="Work finished", acting_user=hub)
    assert partner_worker_client.get(f"/children/{child.pk}").status_code == 404
    assert AuditEvent.objects.filter(action="child:share:revoked").count() == 1


def test_a_share_needs_its_facts(hub: User, partner_worker_client: Client) -> None:
    child = _child(hub, "Shara")
    with pytest.raises(ValidationError) as refused:
        _share(
            hub,
            child,
            _partner_agency(partner_worker_client),
            lawful_basis="because",
            purpose=" ",
            expires_on=timezone.localdate() - dt.timedelta(days=1),
        )
    assert set(refused.value.message_dict) == {"lawful_basis", "purpose", "expires_on"}


def test_the_share_form_shows_errors_by_field(hub: User, hub_practitioner_client: Client) -> None:
    child = _child(hub, "Shara")
    page = hub_practitioner_client.post(f"/children/{child.pk}/share", {}).content.decode()
    assert '<a href="#id_agency">Choose the agency</a>' in page
    assert '<a href="#id_lawful_basis_0">Choose the lawful basis for sharing</a>' in page


def test_only_partner_workers_break_glass_and_only_managers_review(hub: User) -> None:
    _child(hub, "Otto")
    with pytest.raises(AccessDeniedError):
        sharing.break_glass(
            given_name="Otto",
            family_name="Sharewell",
            date_of_birth=dt.date(2011, 1, 2),
            reason="A good enough reason here",
            acting_user=hub,
        )


def test_managers_see_who_has_looked_at_a_record(
    hub: User, hub_practitioner_client: Client, hub_manager_client: Client
) -> None:
    child = _child(hub, "Shara")
    hub_practitioner_client.get(f"/children/{child.pk}")
    log = hub_manager_client.get(f"/children/{child.pk}/access-log").content.decode()
    assert "Viewed the record" in log
    assert "Hub practitioner" in log
    assert hub_practitioner_client.get(f"/children/{child.pk}/access-log").status_code == 403


def test_scope_is_computed_per_request_from_the_shares(
    hub: User, make_user: Callable[..., User]
) -> None:
    child = _child(hub, "Shara")
    partner = make_user(Role.PARTNER_WORKER)
    assert list(queries.children_for(partner)) == []
    _share(hub, child, partner.agency)
    assert list(queries.children_for(partner)) == [child]
    assert queries.visible_sections(partner, child) == frozenset({"address"})
    analyst = make_user(Role.ANALYST)
    assert list(queries.children_for(analyst)) == []
