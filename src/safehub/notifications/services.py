"""Notifying people: once per person per event, in the app and (after the commit) by email."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from safehub.access.policy import Principal, require
from safehub.audit import services as audit
from safehub.notifications.models import Notification

if TYPE_CHECKING:
    from safehub.access.models import User

logger = logging.getLogger(__name__)


@transaction.atomic
def notify(  # noqa: PLR0913 - the contract's keyword arguments, each a column
    *,
    recipients: Iterable[User],
    kind: str,
    key: str,
    title: str,
    link: str,
    reference: str,
    email: bool = True,
) -> int:
    """One in-app Notification per recipient unless one with the same (recipient, key) exists
    (a unique constraint makes this hold under concurrent workers); emails each NEW one on
    commit (body: the title, the reference and the link; no personal data). Returns how many
    were created."""
    if not link.startswith("/") or link.startswith("//"):
        raise ValueError("a notification links to a path in Safehub, starting with one /")
    created: list[Notification] = []
    # In id order, so two workers notifying the same people wait on each other, never deadlock.
    people = {u.pk: u for u in recipients if u.is_active}  # a closed account is told nothing
    for user in sorted(people.values(), key=lambda u: u.pk):
        if Notification.objects.filter(recipient=user, key=key).exists():
            continue
        try:
            # A savepoint: a worker that lost the race to insert the same row carries on.
            with transaction.atomic():
                note = Notification.objects.create(
                    recipient=user, kind=kind, key=key, title=title, link=link, reference=reference
                )
        except IntegrityError:
            continue
        created.append(note)
    audit.write_each(None, "notification:created", created, context=kind)
    if email:
        for note in created:
            if note.recipient.email:
                transaction.on_commit(partial(_send, note, note.recipient.email))
    return len(created)


def email_body(note: Notification) -> str:
    """Title, reference, link: nothing about a child, so an email sent astray discloses nothing."""
    return (
        f"{note.title}\n\n"
        f"Reference: {note.reference}\n"
        f"Open it in Safehub: {settings.SAFEHUB_SITE_URL}{note.link}\n\n"
        "Sign in to Safehub to see the details. Please do not reply to this email.\n"
    )


def _send(note: Notification, address: str) -> None:
    try:
        send_mail(f"Safehub: {note.title}", email_body(note), None, [address])
    except OSError as error:  # SMTP's errors too. A mail server down must not undo anything.
        # The error's kind only: SMTP errors quote the refused address, and logs hold no
        # addresses or names.
        logger.warning("notification %s: email not sent (%s)", note.pk, type(error).__name__)


@transaction.atomic
def mark_read(note: Notification, *, acting_user: Principal) -> None:
    require(acting_user, "notifications:view")
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
        audit.write(acting_user, "notification:read", note)


@transaction.atomic
def mark_all_read(*, acting_user: User) -> int:
    require(acting_user, "notifications:view")
    unread = Notification.objects.filter(recipient=acting_user, read_at__isnull=True)
    count = unread.update(read_at=timezone.now())
    audit.write(
        acting_user,
        "notification:read_all",
        object_type="notifications.notification",
        reason=f"{count} marked read",
    )
    return count
