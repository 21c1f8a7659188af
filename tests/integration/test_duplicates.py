"""The duplicates queue: pairs offered once, reviewed by hub managers, merged into one child
and unmerged back exactly, on both databases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from safehub.access.models import Role, User
from safehub.access.policy import SYSTEM, AccessDeniedError
from safehub.analytics import snapshot
from safehub.audit.models import AuditEvent
from safehub.duplicates import repoint, services
from safehub.duplicates.models import DuplicatePair, Merge, PairStatus
from safehub.episodes import services as episodes
from safehub.geo import services as geo
from safehub.intelligence import services as intelligence
from safehub.people import services as people
from safehub.people import sharing
from safehub.people.models import BreakGlass, Child
from safehub.people.queries import access_log, children_for
from safehub.referrals import services as referrals
from safehub.rules.codes import RiskLevel
from tests.integration.conftest import sign_in_verified


@dataclass(frozen=True)
class Field:
    field: str
    outcome: str
    weight: float


@dataclass(frozen=True)
class Prediction:
    """Shaped like `safehub.matching.explain.PairPrediction`."""

    child_a: int
    child_b: int
    probability: float
    evidence: tuple[Field, ...] = (
        Field("first name", "similar (one letter differs)", 2.5),
        Field("date of birth", "day and month swapped", 4.8),
        Field("NHS number", "missing", 0.0),
        Field("postcode", "disagree", -1.2),
    )


@pytest.fixture
def manager(make_user: Callable[..., User]) -> User:
    geo.load_reference_data(acting_user=SYSTEM)
    return make_user(Role.HUB_MANAGER)


def _child(by: User, given: str, family: str, born: dt.date) -> Child:
    return people.register_child(
        acting_user=by, given_name=given, family_name=family, date_of_birth=born, sex="M"
    )


def _case(child: Child, by: User, place: Any, partner: User, *, close: bool) -> None:
    """A full record: referral, screening, episode and risk, missing episode, address, care,
    alias, note, share, break-glass, links to a location and a person, a disruption."""
    referral = referrals.receive_referral(
        child=child,
        received_at=timezone.now() - dt.timedelta(days=20),
        source="6",
        concerns="Concerns",
        exploitation_types=["cce"],
        acting_user=by,
    )
    referrals.record_screening(referral, {"disclosure": True}, acting_user=by)
    referral.refresh_from_db()
    if close:
        assert referral.episode is not None
        episodes.close_episode(
            referral.episode,
            closed_on=timezone.localdate(),
            reason="Risk reduced",
            acting_user=by,
        )
    now = timezone.now()
    episodes.record_missing_episode(
        child,
        started_at=now - dt.timedelta(days=5),
        ended_at=now - dt.timedelta(days=4),
        acting_user=by,
    )
    people.record_address(
        child, valid_from=dt.date(2020, 1, 1), ward_code="E05001365", acting_user=by
    )
    people.record_care_period(
        child, kind="child_in_need", valid_from=dt.date(2021, 1, 1), acting_user=by
    )
    people.add_alias(child, given_name="J", family_name="", note="nickname", acting_user=by)
    people.add_case_note(child, text="Seen at the station", acting_user=by)
    sharing.share_child(
        child,
        agency=partner.agency,
        lawful_basis="public_task",
        purpose="Joint work",
        sections=["risk"],
        expires_on=timezone.localdate() + dt.timedelta(days=30),
        reasons="Youth worker involved",
        acting_user=by,
    )
    BreakGlass.objects.create(
        child=child, user=partner, reason="Missing tonight", granted_at=now, expires_at=now
    )
    location, person = place
    intelligence.link_child_to_location(
        location, child, noted_on=dt.date(2024, 1, 1), acting_user=by
    )
    intelligence.link_child_to_person(person, child, noted_on=dt.date(2024, 1, 2), acting_user=by)
    intelligence.record_disruption(
        kind="warning_notice", occurred_on=dt.date(2024, 2, 1), child=child, acting_user=by
    )


@pytest.fixture
def pair(manager: User, make_user: Callable[..., User]) -> tuple[Child, Child]:
    partner = make_user(Role.PARTNER_WORKER)
    location = intelligence.record_location(
        name="The arcade", kind="public_space", first_noted=dt.date(2020, 1, 1), acting_user=manager
    )
    person = intelligence.record_person(name="Known as 'K'", acting_user=manager)
    jaden = _child(manager, "Jaden", "Smith", dt.date(2009, 3, 7))
    jayden = _child(manager, "Jayden", "Smyth", dt.date(2009, 7, 3))
    _case(jaden, manager, (location, person), partner, close=False)
    _case(jayden, manager, (location, person), partner, close=True)
    return jaden, jayden


def _dump() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table that holds anything of a child's, history tables included."""
    labels = {"people", "referrals", "episodes", "intelligence"}
    tables: dict[str, list[dict[str, Any]]] = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in labels or any(  # noqa: SLF001
            k.model is model for k in repoint.child_keys()
        ):
            manager = model._base_manager  # noqa: SLF001
            tables[model._meta.label_lower] = list(manager.order_by("pk").values())  # noqa: SLF001
    return tables


def _offer(a: Child, b: Child, probability: float = 0.97) -> int:
    return services.offer_pairs([Prediction(b.pk, a.pk, probability)], acting_user=SYSTEM)


def test_merge_moves_everything_and_unmerge_restores_every_row_exactly(
    pair: tuple[Child, Child], manager: User, engine: str
) -> None:
    jaden, jayden = pair
    assert _offer(jaden, jayden) == 1
    queued = DuplicatePair.objects.get()
    before = _dump()
    assert sum(len(rows) for label, rows in before.items() if ".historical" in label) > 20

    merge = services.merge(queued.pk, survivor_id=jaden.pk, acting_user=manager)

    jayden.refresh_from_db()
    assert jayden.merged_into_id == jaden.pk
    # Nothing is left on the tombstone but the one location and person link the survivor
    # already had (each pair may be linked once), with their history.
    left = {
        key.label: list(
            key.model._base_manager.filter(**{key.field.attname: jayden.pk}).values_list(  # noqa: SLF001
                "pk", flat=True
            )
        )
        for key in repoint.child_keys()
    }
    assert {label: ids for label, ids in left.items() if ids} == merge.kept
    assert set(merge.kept) == {
        "intelligence.locationlink.child",
        "intelligence.personlink.child",
        "intelligence.historicallocationlink.child",
        "intelligence.historicalpersonlink.child",
        # The matching keys the survivor already holds (the same name and birth date).
        "matching.childkey.child",
    }
    assert jaden.referrals.count() == 2
    assert jaden.episodes.count() == 2
    assert jaden.missing_episodes.count() == 2
    assert jaden.notes.count() == 2
    assert jaden.shares.count() == 2
    assert jaden.addresses.count() == 2
    assert BreakGlass.objects.filter(child=jaden).count() == 2
    assert merge.moved["referrals.historicalreferral.child"]
    assert list(children_for(manager).filter(pk__in=[jaden.pk, jayden.pk])) == [jaden]
    merged_events = AuditEvent.objects.filter(action__startswith="child:merged")
    assert {(e.action, e.child_id) for e in merged_events} == {
        ("child:merged", jaden.pk),
        ("child:merged:into", jayden.pk),
    }
    reason = merged_events.get(action="child:merged").reason
    assert reason.startswith(f"from {jayden.pk}: ")
    assert "referrals.referral 1" in reason
    # The two intelligence links, and the six matching keys the survivor already holds (of
    # the two names and of the nickname each child has, filed under the same keys).
    assert "kept with the merged record 8" in reason
    after_merge = _dump()
    assert after_merge != before

    services.unmerge(queued.pk, acting_user=manager)

    assert _dump() == before, f"unmerge on {engine} did not restore every row"
    queued.refresh_from_db()
    assert queued.status == PairStatus.UNMERGED
    assert Merge.objects.get().unmerged_at is not None
    assert _offer(jaden, jayden) == 0


def test_a_pair_is_offered_once_in_either_order_and_never_after_a_decision(
    manager: User,
) -> None:
    a = _child(manager, "Aisha", "Khan", dt.date(2010, 1, 2))
    b = _child(manager, "Ayesha", "Khan", dt.date(2010, 1, 2))
    c = _child(manager, "Ayesha", "Kahn", dt.date(2010, 2, 1))
    assert (
        services.offer_pairs(
            [Prediction(a.pk, b.pk, 0.9), Prediction(b.pk, a.pk, 0.8), Prediction(a.pk, a.pk, 1.0)],
            acting_user=SYSTEM,
        )
        == 1
    )
    assert _offer(b, a) == 0
    queued = DuplicatePair.objects.get()
    assert (queued.child_a_id, queued.child_b_id, queued.probability) == (a.pk, b.pk, 0.9)
    assert queued.evidence[1] == {
        "field": "date of birth",
        "outcome": "day and month swapped",
        "weight": 4.8,
    }
    for bad in ("  ", "Checked\x00"):
        with pytest.raises(ValidationError):
            services.dismiss(queued.pk, note=bad, acting_user=manager)
    services.dismiss(queued.pk, note="Different mothers, checked", acting_user=manager)
    assert _offer(a, b) == 0
    assert _offer(a, c) == 1
    events = AuditEvent.objects.filter(action="child:duplicate:offered")
    assert sorted(e.child_id for e in events) == sorted([a.pk, b.pk, a.pk, c.pk])


def test_a_record_merged_away_is_not_offered_and_cannot_be_merged_again(manager: User) -> None:
    a = _child(manager, "Tomasz", "Nowak", dt.date(2011, 4, 4))
    b = _child(manager, "Tomas", "Nowak", dt.date(2011, 4, 4))
    c = _child(manager, "Tom", "Nowak", dt.date(2011, 4, 4))
    _offer(a, b)
    _offer(b, c)
    first, second = DuplicatePair.objects.order_by("pk")
    services.merge(first.pk, survivor_id=a.pk, acting_user=manager)
    assert _offer(b, a) == 0
    assert services.offer_pairs([Prediction(a.pk, c.pk, 0.9)], acting_user=SYSTEM) == 1
    with pytest.raises(ValidationError, match="already been merged"):
        services.merge(second.pk, survivor_id=c.pk, acting_user=manager)
    with pytest.raises(ValidationError, match="already been decided"):
        services.merge(first.pk, survivor_id=a.pk, acting_user=manager)


def test_two_open_episodes_refuse_the_merge(manager: User) -> None:
    a = _child(manager, "Mohammed", "Ali", dt.date(2008, 9, 9))
    b = _child(manager, "Muhammad", "Ali", dt.date(2008, 9, 9))
    for child in (a, b):
        episodes.hold_at_risk(
            child, level=RiskLevel.MEDIUM, on=dt.date(2024, 1, 1), reason="r", acting_user=manager
        )
    _offer(a, b)
    with pytest.raises(ValidationError, match="open episode"):
        services.merge(DuplicatePair.objects.get().pk, survivor_id=a.pk, acting_user=manager)
    assert Child.objects.get(pk=b.pk).merged_into_id is None


def test_only_hub_managers_decide_and_the_system_only_offers(
    manager: User, make_user: Callable[..., User]
) -> None:
    a = _child(manager, "Lena", "Novak", dt.date(2012, 3, 3))
    b = _child(manager, "Lena", "Nowak", dt.date(2012, 3, 3))
    _offer(a, b)
    queued = DuplicatePair.objects.get()
    for role in (Role.HUB_PRACTITIONER, Role.POLICE_HUB_OFFICER, Role.PARTNER_WORKER):
        with pytest.raises(AccessDeniedError):
            services.merge(queued.pk, survivor_id=a.pk, acting_user=make_user(role))
    with pytest.raises(AccessDeniedError):
        services.merge(queued.pk, survivor_id=a.pk, acting_user=SYSTEM)
    with pytest.raises(AccessDeniedError):
        services.offer_pairs([], acting_user=make_user(Role.HUB_PRACTITIONER))


def test_the_queue_shows_the_evidence_in_words_and_audits_both_children(
    manager: User, hub_practitioner_client: Client, make_user: Callable[..., User]
) -> None:
    a = _child(manager, "Jaden", "Smith", dt.date(2009, 3, 7))
    b = _child(manager, "Jayden", "Smyth", dt.date(2009, 7, 3))
    _offer(a, b)
    queued = DuplicatePair.objects.get()
    client = sign_in_verified(Client(), manager)

    page = client.get("/oversight/duplicates")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Jaden Smith" in text
    assert "Jayden Smyth" in text
    assert "day and month swapped — counted strongly for the same child" in text
    assert "disagree — counted against" in text
    assert "97.0%" in text
    assert "Referrals, episodes" in text
    listed = AuditEvent.objects.filter(action="child:listed", reason="listed: duplicates queue")
    assert sorted(e.child_id for e in listed) == sorted([a.pk, b.pk])

    detail = client.get(f"/oversight/duplicates/{queued.pk}")
    assert detail.status_code == 200
    viewed = AuditEvent.objects.filter(action="child:duplicate:viewed")
    assert sorted(e.child_id for e in viewed) == sorted([a.pk, b.pk])

    refused = client.post(f"/oversight/duplicates/{queued.pk}/dismiss", {"note": ""})
    assert refused.status_code == 200
    assert "Enter why they are not the same child" in refused.content.decode()

    merged = client.post(f"/oversight/duplicates/{queued.pk}/merge", {"survivor": str(b.pk)})
    assert merged.status_code == 302
    assert merged["Location"] == f"/children/{b.pk}"
    followed = client.get(f"/children/{a.pk}")
    assert followed.status_code == 302
    assert followed["Location"] == f"/children/{b.pk}"
    assert AuditEvent.objects.filter(action="child:merged:followed", child_id=a.pk).exists()
    assert client.get(f"/children/{b.pk}").status_code == 200
    partner = sign_in_verified(Client(), make_user(Role.PARTNER_WORKER))
    assert partner.get(f"/children/{a.pk}").status_code == 404

    undone = client.post(f"/oversight/duplicates/{queued.pk}/unmerge")
    assert undone.status_code == 302
    assert client.get(f"/children/{a.pk}").status_code == 200

    assert hub_practitioner_client.get("/oversight/duplicates").status_code == 403
    assert hub_practitioner_client.get(f"/oversight/duplicates/{queued.pk}").status_code == 403


def test_a_snapshot_counts_a_merged_child_once_and_lists_the_merge(
    manager: User, tmp_path: Path
) -> None:
    a = _child(manager, "Jaden", "Smith", dt.date(2009, 3, 7))
    b = _child(manager, "Jayden", "Smyth", dt.date(2009, 7, 3))
    for child in (a, b):
        referrals.receive_referral(
            child=child,
            received_at=timezone.now() - dt.timedelta(days=3),
            source="6",
            concerns="Concerns",
            exploitation_types=["cse"],
            acting_user=manager,
        )
    _offer(a, b)
    before = snapshot.create(acting_user=SYSTEM, snapshot_id="before", root=tmp_path)
    services.merge(DuplicatePair.objects.get().pk, survivor_id=a.pk, acting_user=manager)
    after = snapshot.create(acting_user=SYSTEM, snapshot_id="after", root=tmp_path)

    assert pq.read_table(before.file("children")).num_rows == 2
    assert pq.read_table(before.file("merges")).num_rows == 0
    kids = pq.read_table(after.file("children")).column("child").to_pylist()
    merges = pq.read_table(after.file("merges")).to_pylist()
    assert len(kids) == 1
    assert len(merges) == 1
    assert merges[0]["into_child"] == kids[0]
    assert merges[0]["child"] not in kids
    assert set(pq.read_table(after.file("referrals")).column("child").to_pylist()) == set(kids)
    assert "merges" in after.data["tables"]


def test_every_key_to_a_child_is_found() -> None:
    """The registry finds the keys a hand-written list would: live tables and history."""
    labels = {k.label for k in repoint.child_keys()}
    for label in (
        "referrals.referral.child",
        "referrals.historicalreferral.child",
        "episodes.episode.child",
        "episodes.missingepisode.child",
        "people.casenote.child",
        "people.historicalcasenote.child",
        "people.share.child",
        "people.breakglass.child",
        "people.addressperiod.child",
        "people.careperiod.child",
        "people.childalias.child",
        "intelligence.locationlink.child",
        "intelligence.personlink.child",
        "intelligence.disruption.child",
    ):
        assert label in labels
    assert not any(label.startswith(("duplicates.", "people.child.")) for label in labels)


def test_the_kept_records_access_log_shows_the_merged_records_events(manager: User) -> None:
    a = _child(manager, "Aisha", "Begum", dt.date(2012, 6, 1))
    b = _child(manager, "Ayesha", "Begum", dt.date(2012, 6, 1))
    _offer(a, b)
    services.merge(DuplicatePair.objects.get().pk, survivor_id=a.pk, acting_user=manager)
    logged = {(e.action, e.child_id) for e in access_log(manager, a)}
    assert ("child:created", b.pk) in logged
    assert ("child:merged:into", b.pk) in logged
    assert ("child:merged", a.pk) in logged
    other = _child(manager, "Other", "Child", dt.date(2012, 6, 1))
    assert {e.child_id for e in access_log(manager, other)} == {other.pk}
