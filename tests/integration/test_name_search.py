"""Finding a child by part of a name or an alias, through the name indexes (people 0009).

On SQLite the candidates come from FTS5 tables kept by triggers: renaming, adding and removing
names must reach the index, and a later migration that rebuilt the tables (dropping the
triggers) would make these tests fail.
"""

from __future__ import annotations

import datetime as dt

import pytest

from safehub.access.models import Role, User
from safehub.access.policy import SYSTEM
from safehub.people import queries, services
from safehub.people.models import Child, ChildAlias
from tests.factories import AgencyFactory, UserFactory


@pytest.fixture
def worker() -> User:
    return UserFactory(role=Role.HUB_PRACTITIONER, agency=AgencyFactory())


def _child(worker: User, given: str, family: str) -> Child:
    return services.register_child(
        acting_user=worker,
        given_name=given,
        family_name=family,
        date_of_birth=dt.date(2010, 5, 6),
        sex="F",
    )


def _found(worker: User, name: str) -> list[str]:
    return [c.full_name for c in queries.search_children(worker, name=name)]


def test_any_part_of_either_name_in_any_case_finds_the_child(worker: User) -> None:
    _child(worker, "Sammi", "Exampleton")
    _child(worker, "Jo", "Sampleford")
    assert _found(worker, "xampl") == ["Sammi Exampleton"]
    assert _found(worker, "AMPLE") == ["Sammi Exampleton", "Jo Sampleford"]
    assert _found(worker, "samm exampleton") == ["Sammi Exampleton"]
    assert _found(worker, "jo ford") == ["Jo Sampleford"]
    assert _found(worker, "ex") == ["Sammi Exampleton"]  # shorter than a trigram: still found
    assert _found(worker, "Exampletno") == []  # no fuzzy matching: the words must be there


def test_an_alias_finds_the_child_once_and_every_word_must_match(worker: User) -> None:
    child = _child(worker, "Sammi", "Exampleton")
    services.add_alias(
        child, given_name="Sam", family_name="Streetname", note="", acting_user=worker
    )
    services.add_alias(
        child, given_name="Smudge", family_name="", note="nickname", acting_user=worker
    )
    assert _found(worker, "streetn") == ["Sammi Exampleton"]
    assert _found(worker, "sam") == ["Sammi Exampleton"]  # name and alias: listed once
    assert _found(worker, "smudge exampleton") == ["Sammi Exampleton"]
    assert _found(worker, "smudge nobody") == []


def test_renaming_and_removing_names_reach_the_index(worker: User) -> None:
    child = _child(worker, "Sammi", "Exampleton")
    alias = services.add_alias(
        child, given_name="", family_name="Streetname", note="", acting_user=worker
    )
    Child.objects.filter(pk=child.pk).update(family_name="Renamedley")
    ChildAlias.objects.filter(pk=alias.pk).update(family_name="Otherlane")
    assert _found(worker, "exampleton") == []
    assert _found(worker, "renamed") == ["Sammi Renamedley"]
    assert _found(worker, "streetname") == []
    assert _found(worker, "otherlane") == ["Sammi Renamedley"]
    ChildAlias.objects.filter(pk=alias.pk).delete()
    assert _found(worker, "otherlane") == []


def test_search_is_scoped_a_partner_finds_nothing_unshared(worker: User) -> None:
    _child(worker, "Sammi", "Exampleton")
    partner = UserFactory(role=Role.PARTNER_WORKER, agency=AgencyFactory())
    assert queries.search_children(partner, name="exampleton") == []
    assert queries.search_children(SYSTEM, name="exampleton") == []
