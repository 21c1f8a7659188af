"""The scheduler queues a due check as a task row; django-tasks' own database worker runs it;
a breach alerts once however often the check runs and however many workers run it."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from safehub.access.models import Role, User
from safehub.notifications import schedule
from safehub.notifications.models import Notification, ScheduledCheck
from safehub.notifications.tasks import run_check
from tests.integration import checks_for_tests
from tests.integration.test_notifications import _child_with_share_ending

NAME = checks_for_tests.NAME


@pytest.fixture
def test_checks(settings: Any) -> Iterator[None]:
    settings.SAFEHUB_CHECK_MODULES = ("tests.integration.checks_for_tests",)
    yield
    checks_for_tests.BEFORE_NOTIFYING.clear()


def _work(*, tasks: int | None = None, worker_id: str = "test-worker") -> None:
    """Run django-tasks' database worker (as `safehub tasks` does): everything queued, or
    `tasks` of it, on a connection of its own."""
    try:
        Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=tasks,
            worker_id=worker_id,
            excluded_queue_names=[],
        ).run()
    finally:
        connection.close()


def _in_threads(*targets: Callable[[], None]) -> None:
    threads = [threading.Thread(target=t) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("test_checks")
def test_a_due_check_is_queued_once_per_period_and_run_by_the_worker(
    make_user: Callable[..., User],
) -> None:
    manager = make_user(Role.HUB_MANAGER)
    _child_with_share_ending(manager)
    now = timezone.now()

    assert schedule.enqueue_due(now) == [NAME]
    # Asked again within the period (another scheduler, or a restart), nothing more is queued.
    assert schedule.enqueue_due(now + dt.timedelta(minutes=59)) == []
    assert DBTaskResult.objects.count() == 1

    _in_threads(_work)

    task = DBTaskResult.objects.get()
    assert task.status == "SUCCESSFUL", task.exception_class_path
    assert task.return_value == 1
    assert Notification.objects.filter(recipient=manager).count() == 1
    state = ScheduledCheck.objects.get(name=NAME)
    assert state.last_run_at is not None
    assert state.last_result == 1

    # The next period: queued and run again, and the breach it finds again alerts nobody twice.
    assert schedule.enqueue_due(now + dt.timedelta(hours=1)) == [NAME]
    _in_threads(_work)
    assert [t.return_value for t in DBTaskResult.objects.order_by("enqueued_at")] == [1, 0]
    assert Notification.objects.filter(recipient=manager).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("test_checks")
def test_two_workers_running_the_check_at_once_alert_once(
    make_user: Callable[..., User], engine: str
) -> None:
    if engine == "sqlite":
        pytest.skip(
            "two writers at once need PostgreSQL: SQLite's in-memory test database refuses a "
            "second writer outright (the served WAL database queues them)"
        )
    managers = [make_user(Role.HUB_MANAGER) for _ in range(3)]
    _child_with_share_ending(managers[0])
    run_check.enqueue(NAME)
    run_check.enqueue(NAME)
    # Both runs reach the notifying together, so each inserts while the other is inserting.
    meet = threading.Barrier(2)
    checks_for_tests.BEFORE_NOTIFYING.append(lambda: meet.wait(timeout=30))

    _in_threads(
        lambda: _work(tasks=1, worker_id="worker-a"), lambda: _work(tasks=1, worker_id="worker-b")
    )

    results = DBTaskResult.objects.all()
    assert [t.status for t in results] == ["SUCCESSFUL"] * 2, [
        t.exception_class_path for t in results
    ]
    assert sorted(t.return_value for t in results) == [0, 3]
    assert {w for t in results for w in t.worker_ids} == {"worker-a", "worker-b"}
    assert Notification.objects.count() == 3
    assert sorted(Notification.objects.values_list("recipient_id", flat=True)) == sorted(
        m.pk for m in managers
    )
