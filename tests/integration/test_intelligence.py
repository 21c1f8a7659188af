"""Intelligence: locations and persons of concern, disruption activity, and who may see what.

Persons of concern are alleged perpetrators: only hub managers and police hub officers see
them. The tests prove the restriction at each place a person could leak — their page, the
lists, a disruption's person, the child page — as well as the ordinary services and forms.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from safehub.access.models import Role, User
from safehub.access.policy import SYSTEM, AccessDeniedError, OutOfScopeError
from safehub.audit.models import AuditEvent
from safehub.geo import services as geo
from safehub.intelligence import queries, services
from safehub.intelligence.models import (
    Disruption,
    LocationLink,
    LocationOfConcern,
    PersonLink,
    PersonOfConcern,
)
from safehub.people import name_search
from safehub.people import services as people
from safehub.people.models import Child

PERSON_NAME = "Kestrel Exampleby"  # synthetic; also the string that must never leak
PLACE_NAME = "Takeaway on a high street"
YESTERDAY = timezone.localdate() - dt.timedelta(days=1)
TOMORROW = timezone.localdate() + dt.timedelta(days=1)


@dataclass
class World:
    child: Child
    location: LocationOfConcern
    person: PersonOfConcern
    disruption: Disruption


@pytest.fixture
def police(make_user: Callable[..., User]) -> User:
    geo.load_reference_data(acting_user=SYSTEM)
    return make_user(Role.POLICE_HUB_OFFICER)


@pytest.fixture
def practitioner(make_user: Callable[..., User]) -> User:
    return make_user(Role.HUB_PRACTITIONER)


def _child(user: User) -> Child:
    return people.register_child(
        acting_user=user,
        given_name="Robin",
        family_name="Samplecroft",
        date_of_birth=dt.date(2010, 2, 3),
        sex="F",
    )


@pytest.fixture
def world(police: User) -> World:
    """A child linked to a takeaway and to a person, and a warning notice naming both."""
    child = _child(police)
    location = services.record_location(
        name=PLACE_NAME,
        kind="business",
        first_noted=dt.date(2016, 9, 1),
        ward_code="E05001370",
        acting_user=police,
    )
    person = services.record_person(
        name=PERSON_NAME, description="Drives a silver hatchback", acting_user=police
    )
    services.link_child_to_location(
        location, child, noted_on=dt.date(2016, 9, 2), note="Seen late at night", acting_user=police
    )
    services.link_child_to_person(
        person, child, noted_on=dt.date(2016, 9, 3), relationship="Gives lifts", acting_user=police
    )
    disruption = services.record_disruption(
        kind="abduction_warning",
        occurred_on=dt.date(2016, 10, 1),
        person=person,
        location=location,
        child=child,
        police_reference="REF-0001",
        acting_user=police,
    )
    return World(child, location, person, disruption)


# --- services ----------------------------------------------------------------------------------


def test_recording_a_location_places_it_in_a_ward_with_history_and_audit(police: User) -> None:
    location = services.record_location(
        name=PLACE_NAME,
        kind="business",
        first_noted=dt.date(2016, 9, 1),
        ward_code="E05001370",
        description="Children seen there after school",
        acting_user=police,
    )
    assert location.ward is not None
    assert (location.ward.name, location.ward_method) == ("Wyke", "manual")
    [row] = location.history.all()
    assert (row.history_type, row.history_user) == ("+", police)
    event = AuditEvent.objects.get(action="location:recorded")
    assert (event.object_type, event.object_id) == (
        "intelligence.locationofconcern",
        str(location.pk),
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"first_noted": TOMORROW}, "first_noted"),
        ({"ward_code": "E05999999"}, "ward_code"),
        ({"postcode": "NOT A CODE"}, "postcode"),
        ({"name": "  "}, "name"),
    ],
)
def test_a_bad_location_is_refused_by_field_and_nothing_saved(
    police: User, fields: dict[str, object], field: str
) -> None:
    values: dict[str, object] = {"name": PLACE_NAME, "kind": "public_space"}
    values["first_noted"] = YESTERDAY
    values.update(fields)
    with pytest.raises(ValidationError) as refused:
        services.record_location(acting_user=police, **values)  # type: ignore[arg-type]
    assert field in refused.value.message_dict
    assert not LocationOfConcern.objects.exists()


def test_linking_and_unlinking_a_child_keeps_the_history(world: World, police: User) -> None:
    link = LocationLink.objects.get(location=world.location, child=world.child)
    with pytest.raises(ValidationError):
        services.link_child_to_location(
            world.location, world.child, noted_on=YESTERDAY, acting_user=police
        )
    link_id = link.pk
    services.unlink_child_from_location(link, acting_user=police)
    assert not LocationLink.objects.filter(pk=link_id).exists()
    kinds = [(h.history_type, h.history_user) for h in LocationLink.history.filter(id=link_id)]
    assert sorted(kinds, key=lambda k: k[0]) == [("+", police), ("-", police)]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"location:child:linked", "location:child:unlinked"} <= actions


def test_persons_and_their_links_are_recorded_with_history_and_audit(world: World) -> None:
    assert world.person.history.count() == 1
    assert PersonLink.history.filter(person_id=world.person.pk).count() == 1
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "person_of_concern:recorded",
        "person_of_concern:child:linked",
        "disruption:recorded",
    } <= actions
    link = services.link_person_to_location(
        world.person, world.location, noted_on=YESTERDAY, acting_user=world.location.recorded_by
    )
    assert link.history.count() == 1  # type: ignore[attr-defined]
    assert AuditEvent.objects.filter(action="person_of_concern:location:linked").count() == 1


def test_a_practitioner_cannot_record_or_name_a_person(world: World, practitioner: User) -> None:
    with pytest.raises(AccessDeniedError):
        services.record_person(name="Someone Else", acting_user=practitioner)
    with pytest.raises(AccessDeniedError):
        services.link_child_to_person(
            world.person, world.child, noted_on=YESTERDAY, acting_user=practitioner
        )
    with pytest.raises(AccessDeniedError) as denied:
        services.record_disruption(
            kind="arrest", occurred_on=YESTERDAY, person=world.person, acting_user=practitioner
        )
    assert denied.value.permission == "person_of_concern:record"
    # Without a person, a practitioner records disruption activity like any hub colleague.
    disruption = services.record_disruption(
        kind="premises_action",
        occurred_on=YESTERDAY,
        location=world.location,
        acting_user=practitioner,
    )
    assert disruption.history.first().history_user == practitioner  # type: ignore[attr-defined]


def test_a_disruption_in_the_future_is_refused(police: User) -> None:
    with pytest.raises(ValidationError) as refused:
        services.record_disruption(kind="arrest", occurred_on=TOMORROW, acting_user=police)
    assert "occurred_on" in refused.value.message_dict
    assert not Disruption.objects.exists()


# --- scoped reads ------------------------------------------------------------------------------


def test_a_practitioner_never_reads_a_person(world: World, practitioner: User) -> None:
    with pytest.raises(OutOfScopeError):
        queries.get_person(practitioner, world.person.pk)
    assert queries.list_persons(practitioner) == []
    assert queries.persons_of_child(practitioner, world.child) is None
    assert queries.persons_at_location(practitioner, world.location) == []
    [entry] = queries.list_disruptions(practitioner)
    assert (entry.person, entry.person_restricted) == (None, True)
    assert not AuditEvent.objects.filter(action__startswith="person_of_concern:viewed").exists()
    # No reverse accessor around the scoping: a child does not lead to its persons.
    assert not hasattr(world.child, "persons_of_concern")


def test_police_read_persons_and_each_read_is_audited(world: World, police: User) -> None:
    assert queries.get_person(police, world.person.pk) == world.person
    assert AuditEvent.objects.filter(
        action="person_of_concern:viewed", object_id=str(world.person.pk)
    ).exists()
    [entry] = queries.list_disruptions(police)
    assert (entry.person, entry.person_restricted) == (world.person, False)
    listed = AuditEvent.objects.get(action="disruption:listed")
    assert listed.reason == f"ids {world.disruption.pk}"


def test_a_long_menu_is_audited_in_batches_naming_every_id(police: User) -> None:
    for n in range(60):
        services.record_location(
            name=f"Car park {n}", kind="public_space", first_noted=YESTERDAY, acting_user=police
        )
    assert len(queries.location_choices(police)) == 60
    events = AuditEvent.objects.filter(action="location:listed")
    ids = [i for e in events for i in e.reason.removeprefix("ids ").split(",")]
    assert sorted(map(int, ids)) == sorted(LocationOfConcern.objects.values_list("pk", flat=True))
    assert all(len(e.reason) <= 500 for e in events)


# --- pages: the restriction --------------------------------------------------------------------


def test_a_practitioner_sees_locations_and_disruption_but_no_person(
    world: World, hub_practitioner_client: Client
) -> None:
    page = hub_practitioner_client.get("/intelligence").content.decode()
    assert PLACE_NAME in page
    assert "Child abduction warning notice" in page
    assert "Restricted" in page
    assert PERSON_NAME not in page
    assert 'href="#persons"' not in page
    assert "/intelligence/persons/" not in page

    location_page = hub_practitioner_client.get(f"/intelligence/locations/{world.location.pk}")
    text = location_page.content.decode()
    assert location_page.status_code == 200
    assert "Robin Samplecroft" in text
    assert PERSON_NAME not in text
    assert "Persons of concern linked" not in text

    child_page = hub_practitioner_client.get(f"/children/{world.child.pk}").content.decode()
    assert PLACE_NAME in child_page
    assert PERSON_NAME not in child_page
    assert "Persons of concern" not in child_page


@pytest.mark.parametrize(
    "path",
    [
        "/intelligence/persons/{person}",
        "/intelligence/persons/{person}/link?child={child}",
        "/intelligence/persons/{person}/locations/link",
        "/intelligence/persons/{person}/children/{child}/unlink",
        "/intelligence/disruptions/new?person={person}",
    ],
)
def test_every_person_address_is_not_found_for_a_practitioner_and_audited(
    world: World, hub_practitioner_client: Client, path: str
) -> None:
    url = path.format(person=world.person.pk, child=world.child.pk)
    response = hub_practitioner_client.get(url)
    assert response.status_code == 404
    assert PERSON_NAME not in response.content.decode()
    event = AuditEvent.objects.get(action="access:denied")
    assert event.object_type.startswith("intelligence.person")


def test_a_practitioner_cannot_open_the_person_form(hub_practitioner_client: Client) -> None:
    assert hub_practitioner_client.get("/intelligence/persons/new").status_code == 403
    response = hub_practitioner_client.post("/intelligence/persons/new", {"name": "Someone"})
    assert response.status_code == 403
    assert not PersonOfConcern.objects.exists()


@pytest.mark.parametrize("role", [Role.HUB_MANAGER, Role.POLICE_HUB_OFFICER])
def test_managers_and_police_see_persons_everywhere(
    world: World, role: Role, request: pytest.FixtureRequest
) -> None:
    client: Client = request.getfixturevalue(f"{role.value}_client")
    page = client.get("/intelligence").content.decode()
    assert 'href="#persons"' in page
    assert PERSON_NAME in page
    assert "Restricted</strong>" not in page

    person_page = client.get(f"/intelligence/persons/{world.person.pk}")
    text = person_page.content.decode()
    assert person_page.status_code == 200
    assert PERSON_NAME in text
    assert "Robin Samplecroft" in text
    assert "Gives lifts" in text
    assert AuditEvent.objects.filter(action="person_of_concern:viewed").count() == 1

    child_page = client.get(f"/children/{world.child.pk}").content.decode()
    assert PERSON_NAME in child_page
    assert PLACE_NAME in child_page
    listed = AuditEvent.objects.filter(action="person_of_concern:listed").last()
    assert listed is not None
    assert listed.reason == f"ids {world.person.pk}"
    assert PERSON_NAME not in listed.reason


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/intelligence", 403),
        ("/intelligence/locations/new", 403),
        ("/intelligence/disruptions/new", 403),
        ("/intelligence/locations/{location}", 404),
        ("/intelligence/persons/{person}", 404),
    ],
)
def test_partner_workers_see_none_of_it(
    world: World, partner_worker_client: Client, path: str, status: int
) -> None:
    url = path.format(location=world.location.pk, person=world.person.pk)
    response = partner_worker_client.get(url)
    assert response.status_code == status
    text = response.content.decode()
    assert PLACE_NAME not in text
    assert PERSON_NAME not in text


def test_the_intelligence_link_is_in_the_navigation_for_hub_roles_only(
    hub_practitioner_client: Client, partner_worker_client: Client
) -> None:
    assert 'href="/intelligence"' in hub_practitioner_client.get("/").content.decode()
    assert 'href="/intelligence"' not in partner_worker_client.get("/").content.decode()


# --- pages: forms ------------------------------------------------------------------------------


def test_the_location_form_names_each_missing_field(
    police: User, hub_practitioner_client: Client
) -> None:
    response = hub_practitioner_client.post("/intelligence/locations/new", {"name": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert '<a href="#id_name">Enter a name for the location</a>' in page
    assert '<a href="#id_kind_0">Choose what kind of location it is</a>' in page
    assert '<a href="#id_first_noted_0">Enter the date the hub first had concerns</a>' in page
    assert page.count("<title>Error:") == 1
    assert not LocationOfConcern.objects.exists()


def test_recording_a_location_through_the_form(
    police: User, hub_practitioner_client: Client
) -> None:
    response = hub_practitioner_client.post(
        "/intelligence/locations/new",
        {
            "name": PLACE_NAME,
            "kind": "business",
            "ward_code": "E05001365",
            "first_noted_0": "1",
            "first_noted_1": "9",
            "first_noted_2": "2016",
        },
    )
    location = LocationOfConcern.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/intelligence/locations/{location.pk}"
    assert location.ward is not None
    assert location.ward.name == "Tong"


def test_a_future_disruption_date_is_shown_in_the_error_summary(
    police: User, hub_practitioner_client: Client
) -> None:
    page = hub_practitioner_client.post(
        "/intelligence/disruptions/new",
        {
            "kind": "arrest",
            "occurred_on_0": TOMORROW.day,
            "occurred_on_1": TOMORROW.month,
            "occurred_on_2": TOMORROW.year,
        },
    ).content.decode()
    assert '<a href="#id_occurred_on_0">Date must be today or in the past</a>' in page
    assert not Disruption.objects.exists()


def test_police_record_a_disruption_against_a_person_from_the_person_page(
    world: World, police_hub_officer_client: Client
) -> None:
    response = police_hub_officer_client.post(
        f"/intelligence/disruptions/new?person={world.person.pk}",
        {
            "kind": "charge",
            "occurred_on_0": YESTERDAY.day,
            "occurred_on_1": YESTERDAY.month,
            "occurred_on_2": YESTERDAY.year,
            "location": str(world.location.pk),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/intelligence/persons/{world.person.pk}"
    charge = Disruption.objects.get(kind="charge")
    assert (charge.person, charge.location) == (world.person, world.location)


def test_linking_a_child_from_the_child_page(police: User, hub_practitioner_client: Client) -> None:
    child = _child(police)
    location = services.record_location(
        name=PLACE_NAME, kind="business", first_noted=YESTERDAY, acting_user=police
    )
    chooser = hub_practitioner_client.get(f"/intelligence?child={child.pk}").content.decode()
    link_url = f"/intelligence/locations/{location.pk}/link?child={child.pk}"
    assert f'href="{link_url}"' in chooser

    form = {"noted_on_0": YESTERDAY.day, "noted_on_1": YESTERDAY.month}
    page = hub_practitioner_client.post(link_url, form).content.decode()
    assert '<a href="#id_noted_on_0">The date the link was noted must include a year</a>' in page

    response = hub_practitioner_client.post(
        link_url, {**form, "noted_on_2": YESTERDAY.year, "note": "Works there"}
    )
    assert response.status_code == 302
    assert LocationLink.objects.get().note == "Works there"

    again = hub_practitioner_client.post(link_url, {**form, "noted_on_2": YESTERDAY.year})
    assert "This child is already linked to this location" in again.content.decode()
    assert LocationLink.objects.count() == 1


def test_the_link_page_without_a_child_searches_for_one(
    world: World, hub_practitioner_client: Client
) -> None:
    url = f"/intelligence/locations/{world.location.pk}/link"
    page = hub_practitioner_client.get(url, {"name": "samplecroft"}).content.decode()
    assert "1 child found" in page
    assert f'href="?child={world.child.pk}"' in page


def test_removing_a_link_asks_first_then_keeps_the_history(
    world: World, hub_manager_client: Client
) -> None:
    url = f"/intelligence/persons/{world.person.pk}/children/{world.child.pk}/unlink"
    assert "Remove the link" in hub_manager_client.get(url).content.decode()
    assert AuditEvent.objects.filter(action="person_of_concern:link:viewed").count() == 1
    assert PersonLink.objects.exists()
    assert hub_manager_client.post(url).status_code == 302
    assert not PersonLink.objects.exists()
    assert PersonLink.history.filter(history_type="-").count() == 1
    assert AuditEvent.objects.filter(action="person_of_concern:child:unlinked").count() == 1


def test_choosing_a_child_by_a_search_too_broad_asks_for_more_of_the_name(
    world: World, police_hub_officer_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def too_broad(*args: object, **kwargs: object) -> list[Child]:
        raise name_search.SearchTooBroadError

    monkeypatch.setattr(name_search, "find_by_name", too_broad)
    page = police_hub_officer_client.get(
        f"/intelligence/locations/{world.location.pk}/link", {"name": "zel ton ash bur"}
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "govuk-error-summary" in html
    assert "Too many children have names with these letters to search quickly" in html
