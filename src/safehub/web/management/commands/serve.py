from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from safehub import config

# The path without its query string: search terms can be names, and names never go in logs.
ACCESS_LOG_FORMAT = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms request_id=%({x-request-id}o)s'


class Command(BaseCommand):
    help = (
        "Serve Safehub with gunicorn on SAFEHUB_HOST:PORT (replaces this process), with the task "
        "runner (`safehub tasks`: scheduled checks and their worker) beside it unless "
        "SAFEHUB_RUN_TASKS=false."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        bind = f"{config.get('SAFEHUB_HOST')}:{config.get('PORT')}"
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "safehub.wsgi:application",
            "--bind",
            bind,
            "--workers",
            config.get("SAFEHUB_WORKERS"),
            "--access-logfile",
            "-",
            "--access-logformat",
            ACCESS_LOG_FORMAT,
        ]
        env = dict(os.environ)
        env["DJANGO_SETTINGS_MODULE"] = settings.SETTINGS_MODULE
        if config.get_bool("SAFEHUB_RUN_TASKS"):
            # A child that ends itself when this process (gunicorn, after execve) has ended.
            tasks = [sys.executable, "-m", "safehub.cli", "tasks", "--parent-pid", str(os.getpid())]
            subprocess.Popen(tasks, env=env)  # noqa: S603 - our own interpreter, fixed argv
            self.stdout.write("Task runner started: scheduled checks and their worker.")
        self.stdout.write(f"Serving Safehub on http://{bind}/ (Ctrl+C to stop)")
        self.stdout.flush()
        os.execve(sys.executable, argv, env)  # noqa: S606 - our own interpreter, fixed argv
