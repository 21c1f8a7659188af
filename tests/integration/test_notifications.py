"""Notifications: once per person per event, the inbox is the recipient's own, the header
counts what is unread, and emails (sent through a real SMTP server here) name no child."""

from __future__ import annotations

import datetime as dt
import socket
import time
from collections.abc import Callable
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from safehub.access.models import Role, User
from safehub.access.policy import SYSTEM
from safehub.audit.models import AuditEvent, Outcome
from safehub.geo import services as geo
from safehub.notifications.models import Notification
from safehub.notifications.services import email_body, notify
from safehub.people import services as people
from safehub.people import sharing
from safehub.people.models import Child, Share
from tests.integration import checks_for_tests

TITLE = "A pathway referral is overdue for acceptance"


def _notify(users: list[User], key: str = "pathway-referral:1:accept-breach", **kw: Any) -> int:
    return notify(
        recipients=users,
        kind="pathway:accept:overdue",
        key=key,
        title=kw.pop("title", TITLE),
        link="/pathway/1/",
        reference="PR-000001",
        **kw,
    )


def test_notify_is_once_per_recipient_and_key(
    make_user: Callable[..., User], django_capture_on_commit_callbacks: Any
) -> None:
    first = make_user(Role.HUB_MANAGER, email="first@example.test")
    second = make_user(Role.HUB_MANAGER, email="second@example.test")

    with django_capture_on_commit_callbacks(execute=True):
        made = [_notify([first, second]), _notify([first, second]), _notify([second, first])]

    assert made == [2, 0, 0]
    assert Notification.objects.filter(key="pathway-referral:1:accept-breach").count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["first@example.test", "second@example.test"]
    # Another event for the same people is a new notification.
    assert _notify([first], key="pathway-referral:2:accept-breach") == 1
    created = AuditEvent.objects.filter(action="notification:created")
    assert created.count() == 3


def test_a_notification_links_inside_safehub_only(make_user: Callable[..., User]) -> None:
    user = make_user(Role.HUB_MANAGER)
    for link in ("https://elsewhere.example/", "//elsewhere.example/x", "pathway/1"):
        with pytest.raises(ValueError, match="path in Safehub"):
            notify(recipients=[user], kind="k:x", key=link, title="t", link=link, reference="R")
    assert not Notification.objects.exists()


def _user_of(client: Client) -> User:
    return User.objects.get(pk=client.session["_auth_user_id"])


def test_the_header_counts_unread_with_one_indexed_count(hub_manager_client: Client) -> None:
    manager = _user_of(hub_manager_client)
    assert 'id="unread-count"' not in hub_manager_client.get("/").content.decode()
    _notify([manager], key="a")
    _notify([manager], key="b")

    with CaptureQueriesContext(connection) as queries:
        page = hub_manager_client.get("/").content.decode()

    assert 'id="unread-count">2<' in page
    counts = [
        q["sql"] for q in queries.captured_queries if "notifications_notification" in q["sql"]
    ]
    assert len(counts) == 1, counts
    assert "COUNT(" in counts[0].upper()
    assert "read_at" in counts[0]


def test_the_inbox_shows_and_marks_the_users_own_only(
    hub_manager_client: Client, make_user: Callable[..., User]
) -> None:
    manager = _user_of(hub_manager_client)
    someone_else = make_user(Role.HUB_MANAGER)
    _notify([manager], key="mine", title="Yours to see")
    _notify([someone_else], key="theirs", title="Someone else's")
    mine = Notification.objects.get(recipient=manager)
    theirs = Notification.objects.get(recipient=someone_else)

    page = hub_manager_client.get("/notifications/").content.decode()
    assert "Yours to see" in page
    assert "Someone else" not in page
    assert "PR-000001" in page

    refused = hub_manager_client.post(f"/notifications/{theirs.pk}/read")
    assert refused.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert AuditEvent.objects.filter(
        action="access:denied", outcome=Outcome.DENIED, object_id=str(theirs.pk)
    ).exists()

    opened = hub_manager_client.post(f"/notifications/{mine.pk}/read", {"open": "1"})
    assert opened.status_code == 302
    assert opened["Location"] == "/pathway/1/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert 'id="unread-count"' not in hub_manager_client.get("/").content.decode()


def test_mark_all_read_marks_only_the_users_own(
    partner_worker_client: Client, make_user: Callable[..., User]
) -> None:
    worker = _user_of(partner_worker_client)
    other = make_user(Role.PARTNER_WORKER)
    for key in ("a", "b", "c"):
        _notify([worker, other], key=key)

    answer = partner_worker_client.post("/notifications/read-all", follow=True)

    assert "3 notifications marked as read" in answer.content.decode()
    assert not Notification.objects.filter(recipient=worker, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=other, read_at__isnull=True).count() == 3


# A share ending within the week, for the test-only check in checks_for_tests.


def _child_with_share_ending(manager: User) -> tuple[Child, Share]:
    geo.load_reference_data(acting_user=SYSTEM)
    child = people.register_child(
        acting_user=manager,
        given_name="Zephyrine",
        family_name="Quillfeather",
        date_of_birth=dt.date(2011, 3, 4),
        sex="F",
    )
    from safehub.access.models import Agency, AgencyType  # noqa: PLC0415

    agency = Agency.objects.create(name="Youth Service test", agency_type=AgencyType.YOUTH_SERVICE)
    share = sharing.share_child(
        child,
        agency=agency,
        lawful_basis="public_task",
        purpose="Support",
        sections=[],
        expires_on=timezone.localdate() + dt.timedelta(days=3),
        reasons="Reasons",
        acting_user=manager,
    )
    return child, share


class _Sink:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope)
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_check_run_three_times_sends_one_email_through_smtp_with_no_child_named(
    settings: Any, make_user: Callable[..., User], django_capture_on_commit_callbacks: Any
) -> None:
    sink = _Sink()
    smtp = Controller(sink, hostname="127.0.0.1", port=_free_port())
    smtp.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = smtp.hostname, smtp.port
        settings.SAFEHUB_CHECK_MODULES = ("tests.integration.checks_for_tests",)
        settings.SAFEHUB_SITE_URL = "https://hub.example.test"
        manager = make_user(Role.HUB_MANAGER, email="manager@example.test")
        child, share = _child_with_share_ending(manager)

        for _ in range(3):
            with django_capture_on_commit_callbacks(execute=True):
                call_command("checks", "run", checks_for_tests.NAME)

        deadline = time.monotonic() + 10
        while not sink.messages and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)  # a second email, were one sent, would have arrived by now
    finally:
        smtp.stop()

    assert len(sink.messages) == 1
    envelope = sink.messages[0]
    assert envelope.rcpt_tos == ["manager@example.test"]
    body = envelope.content.decode()
    assert f"SH-{share.pk:06d}" in body
    assert f"https://hub.example.test/children/{child.pk}#shares" in body
    for personal in (child.given_name, child.family_name, "2011"):
        assert personal not in body
    assert Notification.objects.filter(recipient=manager).count() == 1


def test_the_email_body_is_title_reference_and_link(make_user: Callable[..., User]) -> None:
    user = make_user(Role.HUB_MANAGER)
    _notify([user])
    body = email_body(Notification.objects.get())
    assert body.splitlines()[:4] == [
        TITLE,
        "",
        "Reference: PR-000001",
        "Open it in Safehub: http://127.0.0.1:8000/pathway/1/",
    ]


def test_an_unreachable_mail_server_loses_no_notification_and_logs_no_address(
    settings: Any,
    make_user: Callable[..., User],
    django_capture_on_commit_callbacks: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _free_port(), 2
    user = make_user(Role.HUB_MANAGER, email="someone@example.test")

    with django_capture_on_commit_callbacks(execute=True):
        assert _notify([user]) == 1

    note = Notification.objects.get(recipient=user)
    assert [
        r.getMessage() for r in caplog.records if r.name == "safehub.notifications.services"
    ] == [f"notification {note.pk}: email not sent (ConnectionRefusedError)"]
    assert "someone@example.test" not in caplog.text
