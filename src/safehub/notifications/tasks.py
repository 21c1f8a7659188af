"""Work done by the task runner (django-tasks, database backend): a task is a row, so queued
work survives a restart and is run by whichever worker claims it first."""

from __future__ import annotations

from django_tasks import task

from safehub.notifications import schedule


@task()
def run_check(name: str) -> int:
    """Run the periodic check `name`, as queued by the scheduler."""
    return schedule.run(name)
