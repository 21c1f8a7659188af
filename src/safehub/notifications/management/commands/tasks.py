from __future__ import annotations

import logging
import os
import signal
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connections

from safehub.audit import chain
from safehub.notifications import schedule

logger = logging.getLogger(__name__)


def _scheduler(stop: threading.Event, seconds: float) -> None:
    """Queue the checks that are due, every `seconds`, until told to stop."""
    while not stop.is_set():
        close_old_connections()
        try:
            queued = schedule.enqueue_due()
            if queued:
                logger.info("queued checks: %s", ", ".join(queued))
        except Exception:  # a failed pass is retried at the next; the loop must not die
            logger.exception("scheduler pass failed")
        stop.wait(seconds)
    connections.close_all()


def seal_pass() -> int:
    """One pass of the audit sealer: link every committed, unsealed event into the chain.

    Server processes seal after a commit at most once in `AUDIT_SEAL_SECONDS`; this pass, run
    as often, links whatever the last of those left, so an event waits no longer than that.
    """
    return chain.seal_and_checkpoint()


def _sealer(stop: threading.Event, seconds: float) -> None:
    while not stop.is_set():
        close_old_connections()
        try:
            seal_pass()
        except Exception:  # a failed pass is retried at the next; the loop must not die
            logger.exception("audit sealing pass failed")
        stop.wait(seconds)
    connections.close_all()


def _watch_parent(parent: int) -> None:
    """End this process (gracefully, as Ctrl+C would) once the server that started it is gone."""
    while os.getppid() == parent:
        time.sleep(2)
    os.kill(os.getpid(), signal.SIGTERM)


class Command(BaseCommand):
    help = (
        "Run the task runner: a scheduler that queues each periodic check when it is due, the "
        "audit chain's sealer, and a "
        "worker (django-tasks' database worker) that runs queued tasks. `safehub serve` starts "
        "it; run it yourself where SAFEHUB_RUN_TASKS=false."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="Run queued tasks only (another process schedules).",
        )
        parser.add_argument(
            "--parent-pid", type=int, help="Stop when this process (the server) has ended."
        )
        parser.add_argument("--batch", action="store_true", help="Run what is queued, then stop.")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        if not options["no_scheduler"]:
            seconds = settings.SAFEHUB_SCHEDULER_SECONDS
            threading.Thread(target=_scheduler, args=(stop, seconds), daemon=True).start()
            sealing = max(settings.AUDIT_SEAL_SECONDS, 1.0)
            threading.Thread(target=_sealer, args=(stop, sealing), daemon=True).start()
        if options["parent_pid"]:
            threading.Thread(
                target=_watch_parent, args=(options["parent_pid"],), daemon=True
            ).start()
        worker = ["--queue-name", "*", "--no-startup-delay", "--no-reload"]
        try:
            call_command("db_worker", *worker, *(["--batch"] if options["batch"] else []))
        finally:
            stop.set()
