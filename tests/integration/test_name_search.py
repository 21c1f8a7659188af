"""Finding a child by part of a name or an alias, through the name indexes (people 0009).

On SQLite the candidates come from FTS5 tables kept by triggers: renaming, adding and removing
names must reach the index, and a later migration that rebuilt the tables (dropping the
triggers) would make these tests fail.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Q
from django.test import Client

from safehub.access.models import Role, User
from safehub.access.policy import SYSTEM
from safehub.people import name_search, queries, services
from safehub.people.models import Child, ChildAlias
from tests.factories import AgencyFactory, UserFactory


@pytest.fixture
def worker() -> User:
    return UserFactory(role=Role.HUB_PRACTITIONER, agency=AgencyFactory())


@pytest.fixture
def latest_schema_after() -> Iterator[None]:
    """Whatever the test did to the schema, it is migrated back to the latest afterwards."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


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
    monkeypatch.setattr(name_search, "CANDIDATE_LIMIT", limit)
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
    monkeypatch.setattr(name_search, "SEARCH_LIMIT", 3)
    assert _found(worker, "brook") == ["Zoe Ashbrook", "Brook Ashworth", "Ava Brookfield"]


@pytest.mark.parametrize("limit", [3000, 0])
def test_two_letters_walk_the_names_in_order(
    worker: User, monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    _names_with_brook(worker)
    monkeypatch.setattr(name_search, "CANDIDATE_LIMIT", limit)
    assert _found(worker, "ur") == ["Isla Burton"]
    assert _found(worker, "ll") == ["Kit Morland", "Olly Underhill"]  # Kit: "Millbrook"
    assert _found(worker, "ll brookfield") == []
    assert _found(worker, "ll brook") == ["Kit Morland"]
    assert _found(worker, "ll ur") == []


@pytest.mark.parametrize("limit", [3000, 2, 0])
def test_a_short_word_beside_a_long_one_is_found_in_an_alias_too(
    worker: User, monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    # The lookup keeps as candidates only the children with the short word too: in a name,
    # or only in an alias, beside the long word in a name or in an alias.
    in_alias = _child(worker, "Ava", "Ashmorton")
    services.add_alias(in_alias, given_name="Urwin", family_name="", note="", acting_user=worker)
    _child(worker, "Ava", "Ashmorfield")  # the long word only
    _child(worker, "Bea", "Ashmorley")  # so far: more than 2 children with it in their names
    _child(worker, "Kurt", "Ashmore")  # the short word in the given name
    long_in_alias = _child(worker, "Uri", "Tamsin")
    services.add_alias(
        long_in_alias, given_name="", family_name="Ashmoreton", note="", acting_user=worker
    )
    _child(worker, "Ur", "Nobody")  # the short word only
    monkeypatch.setattr(name_search, "CANDIDATE_LIMIT", limit)
    assert _found(worker, "ur ashmor") == ["Kurt Ashmore", "Ava Ashmorton", "Uri Tamsin"]
    assert _found(worker, "UR ashmorton") == ["Ava Ashmorton"]
    assert _found(worker, "ur ashmor ton") == ["Ava Ashmorton", "Uri Tamsin"]
    assert _found(worker, "ur ashmorfield") == []
    assert _found(worker, "ur va ashmor") == ["Ava Ashmorton"]
    # The own names' cut is judged on the four children with the long word in their names,
    # not on the two with the short word too: what the lookup reads stays bounded.
    found = name_search._look_up(["ur", "ashmor"])  # noqa: SLF001
    assert (found.candidates is None) == (limit < 4)


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
    monkeypatch.setattr(name_search, "CANDIDATE_LIMIT", 2)
    assert _found(worker, "quarrybank") == ["Ann Oneton", "Bea Twoton"]


SYLLABLES = ("ash", "brook", "ur", "mor", "ton", "Él", "field", "ew")


def _reference(name: str) -> list[int]:
    """The rule in its plainest form, no name index: each word `icontains` in a name or in some
    alias's name (per word: two words may be in two aliases)."""
    query = Q()
    for word in name.split():
        aliased = ChildAlias.objects.filter(
            Q(given_name__icontains=word) | Q(family_name__icontains=word)
        )
        query &= (
            Q(given_name__icontains=word)
            | Q(family_name__icontains=word)
            | Q(pk__in=aliased.values("child_id"))
        )
    found = Child.objects.filter(query).order_by("family_name", "given_name", "pk")
    return list(found.values_list("pk", flat=True)[: name_search.SEARCH_LIMIT])


@pytest.mark.parametrize("limit", [3000, 12, 3, 0])
def test_every_kind_of_search_finds_what_the_plain_query_finds(
    monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    # Candidates or the walk, aliases found by the indexes or looked up per child, a word in
    # an alias cut at the limit or not, words too short for the indexes, case beyond ASCII
    # ("él": SQLite's LIKE leaves it apart from "Él", its FTS5 folds it): always the same
    # children in the same order, at most SEARCH_LIMIT of them.
    rng = random.Random(7)  # noqa: S311 - invented names, not secrets
    made = Child.objects.bulk_create(
        Child(
            given_name=rng.choice(("Ava", "Umar", "Élise", "Tom")),
            family_name="".join(rng.choice(SYLLABLES) for _ in range(2)).capitalize(),
            date_of_birth=dt.date(2010, 1, 1),
            sex="F",
        )
        for _ in range(120)
    )
    ChildAlias.objects.bulk_create(
        ChildAlias(child=child, given_name="", family_name=rng.choice(SYLLABLES) + "wood")
        for child in made[::4] + made[::9]
    )
    monkeypatch.setattr(name_search, "CANDIDATE_LIMIT", limit)
    monkeypatch.setattr(name_search, "SEARCH_LIMIT", 8)
    scope = Child.objects.filter(merged_into=None)
    for name in (
        "brook", "ur", "ur ashmor", "ur mor", "ava brook", "wood", "brookwood", "él", "Él",
        "élise", "ÉLISE", "umar ur", "ash ton field", "ew ur", "tonbrook", "zzqx", "mor wood",
        "brook Brook", "as_", "o%d", 'wo"od', "ur wood", "ew ur brookwood", "l_ ton",
        "ur élise", "Él ash",
    ):  # fmt: skip
        found = [c.pk for c in name_search.find_by_name(scope, name)]
        assert found == _reference(name), name


@pytest.mark.django_db(transaction=True)
def test_the_name_indexes_have_no_pending_list_and_the_migration_goes_back(
    latest_schema_after: None,
) -> None:
    def fastupdate() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT coalesce(array_to_string(reloptions, ','), '') FROM pg_class"
                " WHERE relname LIKE %s",
                ["people_child%_trgm"],
            )
            return {options for (options,) in cursor.fetchall()}

    executor = MigrationExecutor(connection)
    executor.migrate([("people", "0009_name_search_indexes")])
    if connection.vendor == "postgresql":
        assert fastupdate() == {""}  # PostgreSQL's default: on
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    if connection.vendor == "postgresql":
        assert fastupdate() == {"fastupdate=off"}
    child = Child.objects.create(given_name="Sammi", family_name="Exampleton", sex="F")
    assert name_search.find_by_name(Child.objects.all(), "xampl") == [child]


def _slow_statement() -> str:
    """A statement that runs for seconds on either engine."""
    if connection.vendor == "postgresql":
        return "SELECT pg_sleep(5)"
    return (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000)"
        " SELECT count(*) FROM n"
    )


def _statement_timeout() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return str(cursor.fetchone()[0])


def test_a_search_out_of_time_is_stopped_and_the_request_goes_on(worker: User) -> None:
    # Words common one by one but rare together walk every name: at a million children that
    # took seconds, holding a server worker. The walk is stopped at its time limit.
    _child(worker, "Ava", "Ashbrook")
    with connection.cursor() as cursor:
        begin = time.monotonic()
        with pytest.raises(name_search.SearchTooBroadError), name_search.time_limit(0.2):
            cursor.execute(_slow_statement())
        assert time.monotonic() - begin < 3
        # The request's transaction is still usable, and its own limits are as they were.
        assert _found(worker, "ashbrook") == ["Ava Ashbrook"]
        if connection.vendor == "postgresql":
            before = _statement_timeout()
            with name_search.time_limit(5):
                cursor.execute("SELECT 1")
            assert _statement_timeout() == before
        else:
            with name_search.time_limit(0):  # the handler is gone once the block ends
                pass
            cursor.execute("SELECT count(*) FROM people_child")
            assert cursor.fetchone() == (1,)


def test_the_walk_runs_under_the_time_limit(worker: User, monkeypatch: pytest.MonkeyPatch) -> None:
    _names_with_brook(worker)
    monkeypatch.setattr(name_search, "CANDIDATE_LIMIT", 0)  # every search walks the names
    limits: list[float] = []
    real = name_search.time_limit

    def recorded(seconds: float) -> Any:
        limits.append(seconds)
        return real(seconds)

    monkeypatch.setattr(name_search, "time_limit", recorded)
    assert _found(worker, "ash brook") == ["Zoe Ashbrook", "Brook Ashworth"]
    assert limits == [name_search.WALK_SECONDS]
    monkeypatch.setattr(name_search, "CANDIDATE_LIMIT", 3000)  # the indexes' candidates
    assert _found(worker, "ash brook") == ["Zoe Ashbrook", "Brook Ashworth"]
    assert limits == [name_search.WALK_SECONDS]


def test_a_search_too_broad_asks_for_more_of_the_name(
    hub_practitioner_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def too_broad(*args: Any, **kwargs: Any) -> list[Child]:
        raise name_search.SearchTooBroadError

    monkeypatch.setattr(name_search, "find_by_name", too_broad)
    page = hub_practitioner_client.get("/children/search", {"name": "zel ton ash bur"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "govuk-error-summary" in html
    assert "Too many children have names with these letters to search quickly" in html
    assert 'value="zel ton ash bur"' in html  # what they typed is kept
    assert "found</h2>" not in html
