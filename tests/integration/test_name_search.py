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


def _names_with_brook(worker: User) -> None:
    """Children whose names share a common word in many ways, and some who do not."""
    _child(worker, "Ava", "Brookfield")
    _child(worker, "Zoe", "Ashbrook")
    _child(worker, "Brooke", "Tamsin")
    _child(worker, "Ava", "Brookfield")  # the same name twice: the older record first
    _child(worker, "Olly", "Underhill")
    aliased = _child(worker, "Kit", "Morland")
    services.add_alias(aliased, given_name="", family_name="Millbrook", note="", acting_user=worker)
    _child(worker, "Brook", "Ashworth")
    _child(worker, "Isla", "Burton")


@pytest.mark.parametrize("limit", [3000, 2, 0])
def test_a_common_word_gives_the_same_children_by_either_way(
    worker: User, monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    # Above the limit the longest word is too common for the name indexes' candidates, and
    # the names are walked in order instead: the answer must not change.
    _names_with_brook(worker)
    monkeypatch.setattr(queries, "CANDIDATE_LIMIT", limit)
    assert _found(worker, "brook") == [
        "Zoe Ashbrook",
        "Brook Ashworth",
        "Ava Brookfield",
        "Ava Brookfield",
        "Kit Morland",
        "Brooke Tamsin",
    ]
    assert _found(worker, "ava BROOK") == ["Ava Brookfield", "Ava Brookfield"]
    assert _found(worker, "ash brook") == ["Zoe Ashbrook", "Brook Ashworth"]
    assert _found(worker, "kit brook") == ["Kit Morland"]  # the word only in an alias
    monkeypatch.setattr(queries, "SEARCH_LIMIT", 3)
    assert _found(worker, "brook") == ["Zoe Ashbrook", "Brook Ashworth", "Ava Brookfield"]


@pytest.mark.parametrize("limit", [3000, 0])
def test_two_letters_walk_the_names_in_order(
    worker: User, monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    _names_with_brook(worker)
    monkeypatch.setattr(queries, "CANDIDATE_LIMIT", limit)
    assert _found(worker, "ur") == ["Isla Burton"]
    assert _found(worker, "ll") == ["Kit Morland", "Olly Underhill"]  # Kit: "Millbrook"
    assert _found(worker, "ll brookfield") == []
    assert _found(worker, "ll brook") == ["Kit Morland"]
    assert _found(worker, "ll ur") == []


def test_a_child_with_many_aliases_does_not_hide_another(
    worker: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The aliases' candidates are cut at the limit: three aliases of one child fill the cut,
    # which must then count as too many, not as one child found.
    many = _child(worker, "Ann", "Oneton")
    for n in range(3):
        services.add_alias(
            many, given_name="", family_name=f"Quarrybank{n}", note="", acting_user=worker
        )
    other = _child(worker, "Bea", "Twoton")
    services.add_alias(other, given_name="", family_name="Quarrybank", note="", acting_user=worker)
    monkeypatch.setattr(queries, "CANDIDATE_LIMIT", 2)
    assert _found(worker, "quarrybank") == ["Ann Oneton", "Bea Twoton"]
