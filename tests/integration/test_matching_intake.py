"""Candidates at intake: found by blocking keys, scored and explained, chosen and audited."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from safehub.access.models import Role, User
from safehub.audit.models import AuditEvent
from safehub.duplicates import checks as duplicate_checks
from safehub.duplicates.models import DuplicatePair
from safehub.matching import candidates, dedupe, index, keys
from safehub.matching.models import ChildKey, IntakeChoice
from safehub.people import services as people
from safehub.people.models import Child
from safehub.rules import codes


def _child(user: User, given: str, family: str, born: dt.date, **more: object) -> Child:
    return people.register_child(
        acting_user=user, given_name=given, family_name=family, date_of_birth=born, sex="M", **more
    )


@pytest.fixture
def jaden(make_user: Callable[..., User]) -> Child:
    return _child(make_user(Role.HUB_MANAGER), "Jaden", "Smith", dt.date(2009, 3, 7))


def _typed(given: str = "Jayden", family: str = "Smyth", born: str = "3-7-2009") -> dict[str, str]:
    day, month, year = born.split("-")
    return {
        "given_name": given,
        "family_name": family,
        "date_of_birth_0": day,
        "date_of_birth_1": month,
        "date_of_birth_2": year,
        "sex": "M",
        "ethnicity": "NOBT",
        "ethnicity_source": "not_obtained",
        "no_ward": "on",
    }


def test_a_child_is_filed_under_their_keys_when_recorded_and_when_their_address_changes(
    jaden: Child, make_user: Callable[..., User]
) -> None:
    stored = set(ChildKey.objects.filter(child=jaden).values_list("key", flat=True))
    assert "gd:jaden|2009-03-07" in stored
    assert "ph:JTN|SM0" in stored
    assert not any(k.startswith("pd:") for k in stored)
    people.record_address(
        jaden,
        valid_from=dt.date(2024, 1, 1),
        postcode="ZX1 1AB",
        ward_code="",
        require_ward=False,
        acting_user=make_user(Role.HUB_MANAGER),
    )
    assert ChildKey.objects.filter(child=jaden, key="pd:ZX1 1AB|2009-03-07").exists()


def test_jayden_smyth_born_3_7_finds_jaden_smith_born_7_3_with_the_reasons(jaden: Child) -> None:
    found = candidates.find(
        candidates.Details(
            given_name="Jayden", family_name="Smyth", date_of_birth=dt.date(2009, 7, 3), sex="M"
        )
    )
    assert [c.child for c in found] == [jaden.pk]
    best = found[0]
    assert best.probability >= candidates.HIGH
    words = {e.field: e.outcome for e in best.evidence}
    assert words["date of birth"] == "day and month swapped"
    assert words["first name"] == "similar (a letter or two differs)"
    assert words["last name"] == "sound alike"
    assert words["NHS number"] == "missing on one record"
    assert next(e for e in best.evidence if e.field == "date of birth").weight > 5


def test_a_referral_under_an_alias_finds_the_child_and_the_alias_is_unfiled_when_removed(
    jaden: Child, make_user: Callable[..., User]
) -> None:
    under_alias = candidates.Details(
        given_name="Jay", family_name="Bashir", date_of_birth=dt.date(2009, 3, 7), sex="M"
    )
    assert candidates.find(under_alias) == []

    alias = people.add_alias(
        jaden, given_name="Jay", family_name="Bashir", note="street name",
        acting_user=make_user(Role.HUB_MANAGER),
    )  # fmt: skip
    stored = set(ChildKey.objects.filter(child=jaden).values_list("key", flat=True))
    assert {"gd:jay|2009-03-07", "fd:bashir|2009-03-07", "gd:jaden|2009-03-07"} <= stored

    (found,) = candidates.find(under_alias)
    assert (found.child, found.alias, found.band) == (jaden.pk, "Jay Bashir", "high")
    assert {e.field: e.outcome for e in found.evidence}["last name"] == "agree exactly"
    # Under the child's own name the alias plays no part.
    own = candidates.find(
        candidates.Details(
            given_name="Jaden", family_name="Smith", date_of_birth=jaden.date_of_birth
        )
    )
    assert own[0].alias == ""

    alias.delete()
    assert not ChildKey.objects.filter(child=jaden, key="fd:bashir|2009-03-07").exists()
    assert candidates.find(under_alias) == []
    ChildKey.objects.all().delete()
    people.add_alias(
        jaden, given_name="", family_name="Bashir", note="", acting_user=make_user(Role.HUB_MANAGER)
    )
    assert index.rebuild() == 1
    # A part left blank on the alias is the child's own: Jaden Bashir.
    assert ChildKey.objects.filter(child=jaden, key="gd:jaden|2009-03-07").exists()
    assert ChildKey.objects.filter(child=jaden, key="nm:jaden|bashir").exists()


def test_a_common_key_is_read_only_up_to_its_cap(make_user: Callable[..., User]) -> None:
    user = make_user(Role.HUB_MANAGER)
    for day in range(1, candidates.PER_KEY + 12):
        born = dt.date(2000, 1, 1) + dt.timedelta(days=day * 3)
        ChildKey.objects.filter(child=_child(user, "Kai", "Smith", born)).delete()
    crowd = list(Child.objects.values_list("pk", flat=True))
    ChildKey.objects.bulk_create(ChildKey(child_id=pk, key="fi:smith|k") for pk in crowd)
    assert candidates.shortlist({"fi:smith|k"}) == sorted(crowd)[-candidates.PER_KEY :]


def test_a_different_child_is_not_offered(jaden: Child) -> None:
    found = candidates.find(
        candidates.Details(
            given_name="Amira", family_name="Khan", date_of_birth=dt.date(2012, 5, 1)
        )
    )
    assert found == []


def test_the_keys_sought_include_the_swapped_date_and_the_names_reversed() -> None:
    from safehub.matching import standardise  # noqa: PLC0415

    row = standardise.record(given_name="Jayden", family_name="Smyth", date_of_birth="2009-07-03")
    sought = keys.sought(row)
    assert "gd:jayden|2009-03-07" in sought
    assert "nm:smyth|jayden" in sought


def test_the_practitioner_is_offered_the_child_preselected_and_choosing_links_the_referral(
    jaden: Child, hub_practitioner_client: Client
) -> None:
    page = hub_practitioner_client.post("/referrals/new-child", _typed())
    assert page.status_code == 200
    text = page.content.decode()
    assert "Jaden Smith" in text
    assert "day and month swapped" in text
    assert f'value="{jaden.pk}" checked' in text
    assert AuditEvent.objects.filter(action="child:listed", child_id=jaden.pk).exists()
    assert not Child.objects.exclude(pk=jaden.pk).exists()

    done = hub_practitioner_client.post(
        "/referrals/new-child", {**_typed(), "match_step": "1", "match": str(jaden.pk)}
    )
    assert done.status_code == 302
    assert done["Location"] == f"/referrals/new?child={jaden.pk}"
    choice = IntakeChoice.objects.get()
    assert choice.chosen_id == jaden.pk
    assert choice.preselected_id == jaden.pk
    assert choice.offered[0]["child"] == jaden.pk
    assert AuditEvent.objects.filter(action="match:chosen", child_id=jaden.pk).exists()
    assert Child.objects.count() == 1


def test_none_of_these_records_a_new_child_and_the_refusal(
    jaden: Child, hub_practitioner_client: Client
) -> None:
    done = hub_practitioner_client.post(
        "/referrals/new-child", {**_typed(), "match_step": "1", "match": "new"}
    )
    assert done.status_code == 302
    new = Child.objects.exclude(pk=jaden.pk).get()
    assert done["Location"] == f"/referrals/new?child={new.pk}"
    choice = IntakeChoice.objects.get()
    assert choice.chosen_new
    assert choice.chosen is None
    assert AuditEvent.objects.filter(action="match:none-chosen").exists()


def test_in_the_review_band_nothing_is_preselected_and_a_choice_is_required(
    make_user: Callable[..., User], hub_practitioner_client: Client
) -> None:
    # Names spelt differently and a digit out in the date of birth: likely, not certain.
    other = _child(make_user(Role.HUB_MANAGER), "Jayden", "Smyth", dt.date(2009, 7, 20))
    typed = _typed("Jaden", "Smith", born="20-6-2009")
    page = hub_practitioner_client.post("/referrals/new-child", typed)
    text = page.content.decode()
    found = candidates.find(
        candidates.Details(
            given_name="Jaden", family_name="Smith", date_of_birth=dt.date(2009, 6, 20), sex="M"
        )
    )
    assert found
    assert candidates.REVIEW <= found[0].probability < candidates.HIGH
    assert f'value="{other.pk}" checked' not in text
    assert "Choose one" in text

    again = hub_practitioner_client.post("/referrals/new-child", {**typed, "match_step": "1"})
    assert again.status_code == 200
    assert "Choose the child this referral is about" in again.content.decode()
    assert not IntakeChoice.objects.exists()
    assert Child.objects.count() == 1


def test_a_child_not_offered_cannot_be_chosen(
    jaden: Child, make_user: Callable[..., User], hub_practitioner_client: Client
) -> None:
    stranger = _child(make_user(Role.HUB_MANAGER), "Amira", "Khan", dt.date(2012, 5, 1))
    page = hub_practitioner_client.post(
        "/referrals/new-child", {**_typed(), "match_step": "1", "match": str(stranger.pk)}
    )
    assert page.status_code == 200
    assert "Choose one of the children offered" in page.content.decode()
    assert not IntakeChoice.objects.exists()


def test_a_partner_worker_is_never_offered_candidates(
    jaden: Child, partner_worker_client: Client
) -> None:
    page = partner_worker_client.post("/referrals/new-child", _typed())
    assert page.status_code == 403
    assert "Jaden" not in page.content.decode()


def test_the_form_says_when_an_nhs_number_or_upn_fails_its_check(
    hub_practitioner_client: Client,
) -> None:
    tail = "801200001001"
    wrong_letter = next(c for c in "ABC" if c != codes.upn_check_letter(tail))
    page = hub_practitioner_client.post(
        "/referrals/new-child",
        {**_typed(), "nhs_number": "943 476 5918", "upn": wrong_letter + tail},
    )
    text = page.content.decode()
    assert "Enter a valid NHS number" in text
    assert "its check letter (the first) does not match" in text
    assert not Child.objects.exists()


def test_a_valid_upn_is_kept_on_the_child(hub_practitioner_client: Client) -> None:
    tail = "801200001001"
    upn = codes.upn_check_letter(tail) + tail
    done = hub_practitioner_client.post("/referrals/new-child", {**_typed(), "upn": upn.lower()})
    assert done.status_code == 302
    assert Child.objects.get().upn == upn


def test_dedupe_predicts_the_pair_with_its_evidence(
    jaden: Child, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.HUB_MANAGER)
    twin = _child(user, "Jayden", "Smyth", dt.date(2009, 7, 3))
    _child(user, "Amira", "Khan", dt.date(2012, 5, 1))
    seen: list[tuple[int, int]] = []
    pairs = list(dedupe.predict_pairs(threshold=0.5, progress=lambda d, t: seen.append((d, t))))
    assert [(p.child_a, p.child_b) for p in pairs] == [(jaden.pk, twin.pk)]
    evidence = {e.field: e.outcome for e in pairs[0].evidence}
    assert evidence["date of birth"] == "day and month swapped"
    assert seen[-1] == (1, 1)


def test_rebuilding_the_index_files_every_child_again(jaden: Child) -> None:
    ChildKey.objects.all().delete()
    assert index.rebuild() == 1
    assert ChildKey.objects.filter(child=jaden, key="gd:jaden|2009-03-07").exists()


def test_match_dedupe_fills_the_review_queue_once_and_the_schedule_does_the_same(
    jaden: Child, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.HUB_MANAGER)
    twin = _child(user, "Jayden", "Smyth", dt.date(2009, 7, 3))
    out = io.StringIO()
    call_command("match", "dedupe", stdout=out, stderr=io.StringIO())
    assert "1 new pairs offered for review" in out.getvalue()
    (pair,) = DuplicatePair.objects.all()
    assert (pair.child_a_id, pair.child_b_id) == (jaden.pk, twin.pk)
    assert {e["field"]: e["outcome"] for e in pair.evidence}["date of birth"] == (
        "day and month swapped"
    )
    # The daily check finds the same pair and offers nothing new.
    assert duplicate_checks.find_duplicates(timezone.now()) == 0
    assert DuplicatePair.objects.count() == 1


def test_the_form_carries_the_live_region_and_its_script_from_a_file(
    hub_practitioner_client: Client,
) -> None:
    text = hub_practitioner_client.get("/referrals/new-child").content.decode()
    assert '<div id="match-as-typed" class="app-match-as-typed" aria-live="polite"' in text
    assert 'data-candidates-url="/api/v1/matching/candidates"' in text
    assert '<script src="/static/referrals/intake-candidates.js" defer></script>' in text


def test_the_page_says_which_other_name_matched(
    jaden: Child, make_user: Callable[..., User], hub_practitioner_client: Client
) -> None:
    people.add_alias(
        jaden, given_name="Jay", family_name="Bashir", note="street name",
        acting_user=make_user(Role.HUB_MANAGER),
    )  # fmt: skip
    page = hub_practitioner_client.post("/referrals/new-child", _typed("Jay", "Bashir", "7-3-2009"))
    text = page.content.decode()
    assert "Matched on another name this child is known by: Jay Bashir." in text
    assert f'value="{jaden.pk}" checked' in text
    assert 'id="match-as-typed"' not in text
