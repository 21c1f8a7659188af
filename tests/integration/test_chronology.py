"""A child's chronology: generated from the record, marked by the practitioner, as it stood on
a past day, scoped to hub roles, and downloaded as a restricted PDF and CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from safehub.access.models import Role, User
from safehub.access.policy import SYSTEM, AccessDeniedError
from safehub.audit.models import AuditEvent
from safehub.casefile import chronology, chronology_export, services
from safehub.demo import case_history
from safehub.demo import history as synth
from safehub.demo import intelligence as demo_intelligence
from safehub.demo import services as demo
from safehub.episodes import services as episodes
from safehub.geo import services as geo
from safehub.intelligence import services as intelligence
from safehub.people import services as people
from safehub.people.models import Child
from safehub.referrals import services as referrals
from safehub.referrals.models import Referral

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def practitioner(make_user: Callable[..., User]) -> User:
    geo.load_reference_data(acting_user=SYSTEM)
    return make_user(Role.HUB_PRACTITIONER)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON)


def _history(user: User) -> tuple[Child, Referral, Referral]:
    """Two referrals a year apart: the first screened high (an episode opens), the second
    screened low; a missing episode between them."""
    today = timezone.localdate()
    child = people.register_child(
        acting_user=user,
        given_name="Chloe",
        family_name="Chronicle",
        date_of_birth=dt.date(2010, 3, 4),
        sex="F",
    )
    first = referrals.receive_referral(
        child=child,
        received_at=_at(today - dt.timedelta(days=400)),
        source="6",
        concerns="Older men outside school",
        exploitation_types=["cse"],
        acting_user=user,
    )
    referrals.record_screening(
        first,
        {"disclosure": True, "sex_in_exchange": True, "going_missing": True},
        acting_user=user,
    )
    episodes.record_missing_episode(
        child,
        started_at=_at(today - dt.timedelta(days=300), 21),
        ended_at=_at(today - dt.timedelta(days=299), 8),
        acting_user=user,
    )
    second = referrals.receive_referral(
        child=child,
        received_at=_at(today - dt.timedelta(days=5)),
        source="2A",
        concerns="New phone",
        exploitation_types=["cce"],
        acting_user=user,
    )
    return child, first, second


def _rows(user: User, child: Child, on: dt.date | None = None) -> list[chronology.Row]:
    return chronology.chronology_for(user, child, on or timezone.localdate()).rows


@pytest.mark.django_db
def test_the_chronology_is_generated_from_the_record_oldest_first(practitioner: User) -> None:
    child, first, second = _history(practitioner)
    rows = _rows(practitioner, child)
    keys = [r.event.key for r in rows]
    assert keys[0] == f"referral:{first.pk}"
    assert f"referral:{second.pk}" in keys
    days = [r.event.moment.date() for r in rows]
    assert days == sorted(days)
    texts = [r.event.text for r in rows]
    assert "Referral received (Police): Child sexual exploitation" in texts
    assert any(t.startswith("Missing (returned") for t in texts)
    assert "Episode opened" in texts
    referral_row = rows[0]
    assert referral_row.significant
    assert referral_row.event.agency == "Police"
    screened = [r for r in rows if r.event.key.startswith("screening:")]
    assert screened
    # The screening's agency is the screener's: the hub's agency, not the referrer's.
    assert {r.event.agency for r in screened} == {practitioner.agency.name}


@pytest.mark.django_db
def test_marks_and_the_analysis_are_stored_audited_and_read_as_they_stood(
    practitioner: User,
) -> None:
    child, first, _ = _history(practitioner)
    key = f"referral:{first.pk}"
    missing_key = next(
        r.event.key for r in _rows(practitioner, child) if r.event.key.startswith("missing:")
    )
    changed = services.mark_events(
        child,
        {
            key: (False, ""),
            missing_key: (True, "First missing episode: overnight, found with adults"),
        },
        acting_user=practitioner,
    )
    assert changed == 2
    rows = {r.event.key: r for r in _rows(practitioner, child)}
    assert not rows[key].significant
    assert rows[missing_key].significance == "First missing episode: overnight, found with adults"
    event = AuditEvent.objects.get(action="child:chronology:marked")
    assert (event.child_id, event.reason) == (child.pk, "marks: 2")
    # Marking again with the same values changes nothing and writes nothing.
    assert services.mark_events(child, {key: (False, "")}, acting_user=practitioner) == 0
    analysis = services.save_analysis(child, text="Escalating pattern", acting_user=practitioner)
    with pytest.raises(ValidationError, match="Someone else saved the analysis"):
        services.save_analysis(
            child, text="Older", expected_version=analysis.version - 1, acting_user=practitioner
        )
    # Yesterday, neither the marks nor the analysis existed: the defaults show.
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    past = chronology.chronology_for(practitioner, child, yesterday)
    assert {r.event.key: r.significant for r in past.rows}[key] is True
    assert past.analysis == ""
    assert chronology.chronology_for(practitioner, child, timezone.localdate()).analysis == (
        "Escalating pattern"
    )
    with pytest.raises(ValidationError, match="reload the page"):
        services.mark_events(child, {"referral:999999": (True, "")}, acting_user=practitioner)


@pytest.mark.django_db
def test_as_it_stood_on_a_past_day_leaves_out_later_events_and_later_withdrawals(
    practitioner: User, hub_practitioner_client: Client
) -> None:
    child, first, second = _history(practitioner)
    referrals.withdraw_referral(
        first, reason="Duplicate of another record", acting_user=practitioner
    )
    today = timezone.localdate()
    keys_now = {r.event.key for r in _rows(practitioner, child)}
    assert f"referral:{first.pk}" not in keys_now
    month_ago = today - dt.timedelta(days=30)
    keys_then = {r.event.key for r in _rows(practitioner, child, month_ago)}
    # A month ago the first referral was still held, and the second not yet received.
    assert f"referral:{first.pk}" in keys_then
    assert f"referral:{second.pk}" not in keys_then
    page = hub_practitioner_client.get(
        f"/children/{child.pk}/chronology", {"on": month_ago.isoformat()}
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "as it stood on" in text
    assert "Child criminal exploitation" not in text  # the second referral's type
    assert 'name="analysis"' not in text  # a past view is read-only


@pytest.mark.django_db
def test_the_page_saves_marks_and_analysis(
    practitioner: User, hub_practitioner_client: Client
) -> None:
    child, first, _ = _history(practitioner)
    rows = _rows(practitioner, child)
    data: dict[str, Any] = {
        "event": [r.event.key for r in rows],
        "analysis": "Pattern",
        "analysis_version": "0",
    }
    for r in rows:
        if r.significant and r.event.key != f"referral:{first.pk}":
            data[f"significant:{r.event.key}"] = "yes"
    data[f"why:referral:{first.pk}"] = "Police referral, but no disclosure"
    response = hub_practitioner_client.post(f"/children/{child.pk}/chronology", data)
    assert response.status_code == 302
    saved = {r.event.key: r for r in _rows(practitioner, child)}
    assert saved[f"referral:{first.pk}"].significant is False
    assert saved[f"referral:{first.pk}"].significance == "Police referral, but no disclosure"
    page = hub_practitioner_client.get(f"/children/{child.pk}/chronology").content.decode()
    assert "Police referral, but no disclosure" in page
    assert ">Pattern</textarea>" in page
    assert AuditEvent.objects.filter(action="child:chronology:viewed", child_id=child.pk).exists()


@pytest.mark.django_db
def test_partners_get_no_chronology_and_other_roles_no_child(
    practitioner: User,
    partner_worker_client: Client,
    analyst_client: Client,
    make_user: Callable[..., User],
) -> None:
    from safehub.people import sharing  # noqa: PLC0415

    child, _, _ = _history(practitioner)
    partner = partner_worker_client.get("/").wsgi_request.user
    sharing.share_child(
        child,
        agency=partner.agency,  # type: ignore[union-attr]
        lawful_basis="safeguarding",
        purpose="Youth work",
        sections=["referrals", "risk", "missing"],
        expires_on=timezone.localdate(),
        reasons="Agreed",
        acting_user=practitioner,
    )
    for suffix in ("", ".pdf", ".csv"):
        assert (
            partner_worker_client.get(f"/children/{child.pk}/chronology{suffix}").status_code == 403
        )
        assert analyst_client.get(f"/children/{child.pk}/chronology{suffix}").status_code == 404
    with pytest.raises(AccessDeniedError):
        chronology.chronology_for(make_user(Role.PARTNER_WORKER), child, timezone.localdate())


@pytest.mark.django_db
def test_the_csv_is_marked_restricted_and_safe_to_open_in_a_spreadsheet(
    practitioner: User, hub_practitioner_client: Client
) -> None:
    child, first, _ = _history(practitioner)
    services.mark_events(
        child, {f"referral:{first.pk}": (True, '=HYPERLINK("x")')}, acting_user=practitioner
    )
    response = hub_practitioner_client.get(f"/children/{child.pk}/chronology.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="RESTRICTED-not-for-publication-chronology-child-{child.pk}-'
        f'{timezone.localdate().isoformat()}.csv"'
    )
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert lines[0] == ["RESTRICTED — not for publication"]
    assert lines[1] == ["date", "time", "source_agency", "event", "significant", "significance"]
    referral = next(line for line in lines[2:] if line[3].startswith("Referral received (Police)"))
    assert referral[4:] == ["yes", '\'=HYPERLINK("x")']
    assert (
        AuditEvent.objects.filter(action="child:chronology:exported:csv", child_id=child.pk).count()
        == 1
    )
    # An old sign-in must be confirmed first, like every export.
    session = hub_practitioner_client.session
    session["safehub_authenticated_at"] = 0
    session.save()
    again = hub_practitioner_client.get(f"/children/{child.pk}/chronology.csv")
    assert again.status_code == 302
    assert again["Location"].startswith("/sign-in/confirm")


@dataclass(frozen=True)
class DemoChronology:
    pdf: bytes
    events: list[str]
    dates: list[str]
    keys: list[str]
    unmarked: str
    marked: str


def _longest_demo_histories(count: int = 5) -> synth.History:
    """The demo generator's children with the most referrals and missing episodes: the whole
    demo takes minutes to load on a busy machine, a few children a moment."""
    history = synth.generate(until=timezone.localdate())
    counts = Counter(r.child_key for r in history.referrals)
    counts.update(m.child_key for m in history.missing)
    keys = set(sorted(counts, key=lambda k: (-counts[k], k))[:count])
    return synth.History(
        children=tuple(c for c in history.children if c.key in keys),
        referrals=tuple(r for r in history.referrals if r.child_key in keys),
        episodes=tuple(e for e in history.episodes if e.child_key in keys),
        missing=tuple(m for m in history.missing if m.child_key in keys),
    )


@pytest.fixture
def demo_chronology(practitioner: User, monkeypatch: pytest.MonkeyPatch) -> DemoChronology:
    """The chronology PDF of the demo child with the longest history, with one default
    event unmarked and one marked significant with a reason, and a disruption linked."""
    demo.load(acting_user=SYSTEM, with_history=False)
    # The demo's places and people need hundreds of children to pick from; one is added below.
    monkeypatch.setattr(demo_intelligence, "load", dict)
    case_history.load(_longest_demo_histories(), acting_user=SYSTEM)
    child = (
        Child.objects.annotate(
            n=Count("referrals", distinct=True) + Count("missing_episodes", distinct=True)
        )
        .order_by("-n", "pk")
        .first()
    )
    assert child is not None
    intelligence.record_disruption(
        kind="abduction_warning",
        occurred_on=child.referrals.earliest("received_at").received_at.date(),
        child=child,
        acting_user=practitioner,
    )
    today = timezone.localdate()
    rows = chronology.chronology_for(practitioner, child, today).rows
    unmark = next(r for r in rows if r.significant)
    mark = next(r for r in rows if not r.significant)
    services.mark_events(
        child,
        {unmark.event.key: (False, ""), mark.event.key: (True, "Shows the pattern")},
        acting_user=practitioner,
    )
    services.save_analysis(
        child, text="Risk rose after each missing episode.", acting_user=practitioner
    )
    record = chronology.chronology_for(practitioner, child, today)
    assert len(record.significant) >= 20, "the demo child's history is too short to test"
    return DemoChronology(
        pdf=chronology_export.to_pdf(record),
        events=[r.event.text for r in record.significant],
        dates=[f"{r.event.moment:%d/%m/%Y}" for r in record.significant],
        keys=[r.event.key for r in record.significant],
        unmarked=unmark.event.key,
        marked=mark.event.key,
    )


def _column(page: Any, header: str, next_header: str | None) -> str:
    """The text of one table column below its header on a page ("" when no table is there)."""
    words = page.extract_words()
    anchor = next((w for w in words if w["text"] == "Significance"), None)
    if anchor is None:
        return ""
    row = [w for w in words if abs(w["top"] - anchor["top"]) < 1]
    head = next(w for w in row if w["text"] == header)
    right = next(w for w in row if w["text"] == next_header)["x0"] if next_header else page.width
    bottom = page.height - 60  # above the marking in the bottom margin
    return str(page.crop((head["x0"] - 1, head["bottom"] + 1, right - 1, bottom)).extract_text())


@pytest.mark.django_db
def test_the_demo_chronology_pdf_lists_every_significant_event_in_date_order(
    demo_chronology: DemoChronology,
) -> None:
    import pdfplumber  # noqa: PLC0415

    found_events, found_dates, whole = [], [], ""
    with pdfplumber.open(io.BytesIO(demo_chronology.pdf)) as pdf:
        assert len(pdf.pages) >= 2
        for page in pdf.pages:
            text = page.extract_text() or ""
            whole += " " + " ".join(text.split())
            # The marking at the top and the bottom of every page.
            assert text.count("RESTRICTED — not for publication") == 2, text
            found_events.append(_column(page, "Event", "Significance"))
            found_dates.append(_column(page, "Date", "Source"))
            # Rendered to PNG: a real image with ink on it (the red marking in the top band).
            image = page.to_image(resolution=60).original.convert("RGB")
            png = io.BytesIO()
            image.save(png, format="PNG")
            assert png.getvalue().startswith(b"\x89PNG")
            top = image.crop((0, 0, image.width, image.height // 10))
            colours = top.getcolors(maxcolors=1 << 20) or []
            assert any(r > 180 and g < 90 and b < 90 for _, (r, g, b) in colours)
    events = " ".join(" ".join(found_events).split())
    assert events == " ".join(" ".join(demo_chronology.events).split())
    dates = " ".join(found_dates).split()
    assert dates == demo_chronology.dates
    as_days = [dt.date(int(d[6:]), int(d[3:5]), int(d[:2])) for d in dates]
    assert as_days == sorted(as_days)
    assert demo_chronology.marked in demo_chronology.keys
    assert demo_chronology.unmarked not in demo_chronology.keys
    assert "Shows the pattern" in whole
    assert "Disruption: Child abduction warning notice" in demo_chronology.events
    assert "Risk rose after each missing episode." in whole
