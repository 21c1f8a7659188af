"""Scrutiny actions: recorded on their pages, read by elected members, reported to the committee
from the snapshot, and an overdue action told to its owner role once."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from safehub.access.models import Role, User
from safehub.analytics import snapshot
from safehub.audit.models import AuditEvent
from safehub.demo import scrutiny as demo_scrutiny
from safehub.notifications.models import Notification
from safehub.reports import committee, render
from safehub.scrutiny import services
from safehub.scrutiny.models import Resolution, ScrutinyAction
from tests.integration.conftest import DemoHistory

OWNER = "Strategic Director, Children's Services"


def _report(demo_history: DemoHistory, area: str, as_of: str, edition: str) -> Any:
    manifest = snapshot.load("demo", root=demo_history.root)
    return committee.build(manifest, area=area, as_of=dt.date.fromisoformat(as_of), edition=edition)


@pytest.mark.parametrize("edition", ["restricted", "public"])
def test_bradford_south_report_shows_the_four_resolutions_with_actions_and_progress(
    demo_history: DemoHistory, edition: str
) -> None:
    report = _report(demo_history, "Bradford South", "2018-03-31", edition)
    document = json.loads(json.dumps(render.to_json(report)))
    progress = document["content"]["scrutiny"]
    assert progress["since"] == "2016-11-10"
    [meeting] = progress["meetings"]
    assert meeting["committee"] == "Bradford South Area Committee"
    resolutions = meeting["resolutions"]
    assert [r["number"] for r in resolutions] == ["1", "2", "3", "4"]
    assert "clarity on the data sets" in resolutions[0]["text"]
    assert "Youth Service" in resolutions[1]["text"]
    assert "lower-risk cases" in resolutions[2]["text"]
    assert "emerging communities" in resolutions[3]["text"]
    for r in resolutions:
        [action] = r["actions"]
        assert action["owner"] == OWNER
        assert action["status"] == "Complete"
        assert [u["status"] for u in action["updates"]] == ["In progress", "Complete"]
    assert "scrutiny_actions" not in {n["section"] for n in document["not_recorded"]}
    html = render.to_html(report)
    assert "Progress on previous resolutions" in html
    assert "Progress on scrutiny actions" not in html
    assert html.count('class="app-resolution"') == 4


def test_the_status_is_the_one_reported_by_the_reference_date(demo_history: DemoHistory) -> None:
    report = _report(demo_history, "Bradford South", "2017-04-01", "restricted")
    [meeting] = report.content["scrutiny"]["meetings"]
    statuses = [r["actions"][0]["status"] for r in meeting["resolutions"]]
    # Resolution 1's first update (14 March 2017) is known by D; resolution 4's (22 May) is not.
    assert statuses == ["In progress", "Not started", "Not started", "Not started"]
    assert [len(r["actions"][0]["updates"]) for r in meeting["resolutions"]] == [1, 0, 0, 0]


def test_another_areas_report_lists_no_meeting_and_an_earlier_day_none_yet(
    demo_history: DemoHistory,
) -> None:
    west = _report(demo_history, "Bradford West", "2018-03-31", "restricted")
    assert west.content["scrutiny"]["meetings"] == []
    before = _report(demo_history, "Bradford South", "2016-10-27", "restricted")
    assert before.content["scrutiny"]["meetings"] == []
    assert "No committee meeting of this area" in render.to_html(before)


def test_the_public_edition_prints_no_small_count_in_the_new_section(
    demo_history: DemoHistory,
) -> None:
    report = _report(demo_history, "Bradford South", "2018-03-31", "public")

    def small(value: object) -> list[object]:
        if isinstance(value, dict):
            return [s for v in value.values() for s in small(v)]
        if isinstance(value, list):
            return [s for v in value for s in small(v)]
        is_count = isinstance(value, int) and not isinstance(value, bool)
        return [value] if is_count and 1 <= value <= 5 else []  # type: ignore[operator]

    assert small(render.to_json(report)["content"]) == []


@pytest.mark.django_db
def test_an_analyst_records_a_meeting_resolution_action_and_progress_on_the_pages(
    analyst_client: Client,
) -> None:
    response = analyst_client.post(
        "/scrutiny/meetings/new",
        {
            "committee": "Keighley Area Committee",
            "held_on_0": "3",
            "held_on_1": "2",
            "held_on_2": "2022",
        },
    )
    assert response.status_code == 302
    meeting = response["Location"]
    assert (
        analyst_client.post(
            f"{meeting}/resolutions/new", {"number": "1", "text": "That links be strengthened."}
        ).status_code
        == 302
    )
    resolution = Resolution.objects.get()
    response = analyst_client.post(
        f"/scrutiny/resolutions/{resolution.pk}/actions/new",
        {
            "text": "Agree a protocol.",
            "owner_title": OWNER,
            "owner_role": Role.HUB_MANAGER,
            "due_on_0": "1",
            "due_on_1": "6",
            "due_on_2": "2022",
        },
    )
    assert response.status_code == 302
    action = response["Location"]
    response = analyst_client.post(
        f"{action}/progress",
        {
            "reported_on_0": "10",
            "reported_on_1": "5",
            "reported_on_2": "2022",
            "text": "Protocol agreed.",
            "status": "complete",
            "evidence": "youth_service",
        },
    )
    assert response.status_code == 302
    page = analyst_client.get(action).content.decode()
    assert "Protocol agreed." in page
    assert ScrutinyAction.objects.get().status == "complete"
    assert AuditEvent.objects.filter(action="scrutiny:progress:recorded").count() == 1


@pytest.mark.django_db
def test_a_meeting_in_the_future_is_refused_with_the_field_named(analyst_client: Client) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = analyst_client.post(
        "/scrutiny/meetings/new",
        {
            "committee": "Shipley Area Committee",
            "held_on_0": str(tomorrow.day),
            "held_on_1": str(tomorrow.month),
            "held_on_2": str(tomorrow.year),
        },
    )
    assert response.status_code == 200
    assert "The date of the meeting must be today or in the past" in response.content.decode()
    assert not ScrutinyAction.objects.exists()


@pytest.mark.django_db
def test_elected_members_read_but_cannot_record(
    elected_member_client: Client, make_user: Callable[..., User]
) -> None:
    meeting = demo_scrutiny.load(acting_user=make_user(Role.ANALYST))
    page = elected_member_client.get(f"/scrutiny/meetings/{meeting.pk}").content.decode()
    assert "Bradford South Area Committee" in page
    assert OWNER.replace("'", "&#x27;") in page
    assert "Add a resolution" not in page
    assert elected_member_client.get("/scrutiny/meetings/new").status_code == 403


@pytest.mark.django_db
def test_an_overdue_action_tells_its_owner_role_once(make_user: Callable[..., User]) -> None:
    analyst = make_user(Role.ANALYST)
    managers = [make_user(Role.HUB_MANAGER), make_user(Role.HUB_MANAGER)]
    practitioner = make_user(Role.HUB_PRACTITIONER)
    meeting = services.record_meeting(
        committee="Shipley Area Committee",
        area=None,
        held_on=timezone.localdate() - dt.timedelta(days=90),
        acting_user=analyst,
    )
    resolution = services.add_resolution(meeting, number=1, text="Act.", acting_user=analyst)
    due = timezone.localdate() - dt.timedelta(days=1)
    overdue = services.add_action(
        resolution,
        text="Late",
        owner_role=Role.HUB_MANAGER,
        owner_title=OWNER,
        due_on=due,
        acting_user=analyst,
    )
    done = services.add_action(
        resolution,
        text="Done",
        owner_role=Role.HUB_MANAGER,
        owner_title=OWNER,
        due_on=due,
        acting_user=analyst,
    )
    services.record_progress(
        done,
        reported_on=timezone.localdate(),
        text="Done.",
        status="complete",
        acting_user=analyst,
    )
    services.add_action(
        resolution,
        text="Not yet due",
        owner_role=Role.HUB_MANAGER,
        owner_title=OWNER,
        due_on=timezone.localdate() + dt.timedelta(days=30),
        acting_user=analyst,
    )
    for _ in range(3):
        call_command("checks", "run", "scrutiny-actions-overdue")
    told = Notification.objects.filter(kind="scrutiny_action:overdue")
    assert sorted(n.recipient_id for n in told) == sorted(m.pk for m in managers)
    assert {n.link for n in told} == {f"/scrutiny/actions/{overdue.pk}"}
    assert not told.filter(recipient=practitioner).exists()


def test_a_snapshot_without_scrutiny_tables_says_not_recorded(tmp_path: Path) -> None:
    manifest = snapshot.Manifest("old", tmp_path, {"tables": {}, "not_recorded": []})
    assert [n.key for n in committee._not_recorded(manifest)] == ["scrutiny_actions"]  # noqa: SLF001
