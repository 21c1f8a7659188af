"""CPU time and queries per request for the hot pages, in-process (no gunicorn, no network).

    .venv/bin/python -m bench.load.profile --reuse /tmp/safehub-load-XXXX [--engine postgres]
        [--runs 20] [--cprofile "GET /triage" [--sort tottime] [--lines 45]]
        [--queries "GET /triage"]

Uses a database kept by `python -m bench.load run --keep`. Each page is requested `runs` times
through Django's test client, signed in as the demo account of its role (two factors done);
prints the median CPU milliseconds of this process (less sensitive to other load than wall
time), the CPU milliseconds of it spent rendering the page's template, the median wall
milliseconds and the number of queries. `--cprofile` prints the top
functions by cumulative time for one page; `--queries` the SQL one request of it runs.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import os
import pstats
import statistics
import time
from pathlib import Path
from typing import Any

import django

from bench.load.runner import server_env


def main() -> None:  # noqa: C901, PLR0915 - one straight script
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reuse", type=Path, required=True)
    parser.add_argument("--engine", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--cprofile", default="")
    parser.add_argument("--sort", default="cumulative", help="cProfile order: tottime …")
    parser.add_argument("--lines", type=int, default=45, help="functions cProfile prints")
    parser.add_argument("--queries", default="", help="print the SQL one page runs (trimmed)")
    parser.add_argument(
        "--as-load-user",
        action="store_true",
        help="sign in as the load test's first account of each role, not the demo's",
    )
    args = parser.parse_args()
    os.environ.update(server_env(args.engine, args.reuse))
    django.setup()
    from django.db import connection, transaction  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415
    from django_otp import DEVICE_ID_SESSION_KEY  # noqa: PLC0415
    from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: PLC0415

    from safehub.access.models import User  # noqa: PLC0415

    sample = json.loads((args.reuse / "sample.json").read_text(encoding="utf-8"))
    child = sample["children"][0]
    shared = sample["shared_children"][0] if sample["shared_children"] else child
    name = sample["family_names"][0]
    referable = sample["referable_children"][0]

    def client_for(username: str) -> Client:
        client = Client(HTTP_HOST="127.0.0.1")
        with transaction.atomic():
            client.force_login(User.objects.get(username=username))
        session = client.session
        device = TOTPDevice.objects.get(user__username=username)
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    pages = [
        ("practitioner", "GET /", "/"),
        ("practitioner", "GET /triage", "/triage"),
        ("practitioner", "GET /children/[id]", f"/children/{child}"),
        ("practitioner", "GET /children/search", f"/children/search?name={name}"),
        ("practitioner", "GET /referrals/new", f"/referrals/new?child={child}"),
        ("practitioner", "GET /api/v1/referrals", "/api/v1/referrals"),
        ("practitioner", "GET /api/v1/children/[id]", f"/api/v1/children/{child}"),
        ("practitioner", "GET /api/v1/due-items", "/api/v1/due-items"),
        ("partner", "GET / (partner)", "/"),
        ("partner", "GET /shared", "/shared"),
        ("partner", "GET /children/[id] (partner)", f"/children/{shared}"),
        ("analyst", "GET /reports/committee", "/reports/committee"),
        ("practitioner", "POST /referrals/new", f"/referrals/new?child={referable}"),
    ]
    yesterday = dt.date.today() - dt.timedelta(days=1)  # noqa: DTZ011 - as the load test does
    referral = {  # the load test's referral
        "received_at_0_0": yesterday.day,
        "received_at_0_1": yesterday.month,
        "received_at_0_2": yesterday.year,
        "received_at_1": "10:00",
        "source": "6",
        "exploitation_types": ["cse"],
        "concerns": "Load test: seen with older associates.",
    }

    def request(client: Client, label: str, path: str) -> Any:
        if label.startswith("POST"):
            response = client.post(path, referral)
            assert response.status_code == 302, (path, response.status_code)
            return response
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response

    clients: dict[str, Client] = {}
    template_cpu = _time_templates()
    print(f"{'page':<32} {'cpu ms':>7} {'template':>8} {'wall ms':>8} {'queries':>8}")
    for role, label, path in pages:
        client = clients.setdefault(
            role, client_for(f"load-{role}-0" if args.as_load_user else role)
        )
        if args.queries:
            if label != args.queries:
                continue
            request(client, label, path)
            with CaptureQueriesContext(connection) as queries:
                request(client, label, path)
            for number, query in enumerate(queries.captured_queries, start=1):
                print(f"{number:3d} {query['time']:>6}s {query['sql'][:300]}")
            return
        if args.cprofile:
            if label != args.cprofile:
                continue
            request(client, label, path)  # warm: imports, templates compiled, connection open
            profiler = cProfile.Profile(time.process_time)  # CPU, not waits
            profiler.enable()
            for _ in range(args.runs):
                request(client, label, path)
            profiler.disable()
            stats = pstats.Stats(profiler).sort_stats(args.sort)
            stats.print_stats(args.lines)
            return
        request(client, label, path)  # warm: templates compiled, connection open
        cpu, wall, templates = [], [], []
        for _ in range(args.runs):
            template_cpu.clear()
            begin_cpu, begin_wall = time.process_time(), time.perf_counter()
            request(client, label, path)
            cpu.append(time.process_time() - begin_cpu)
            wall.append(time.perf_counter() - begin_wall)
            templates.append(sum(template_cpu))
        with CaptureQueriesContext(connection) as queries:
            request(client, label, path)
        print(
            f"{label:<32} {statistics.median(cpu) * 1000:7.1f} "
            f"{statistics.median(templates) * 1000:8.1f} "
            f"{statistics.median(wall) * 1000:8.1f} {len(queries):8d}"
        )


def _time_templates() -> list[float]:
    """CPU seconds of each whole-page template render from now on (Django's backend, whose
    render is the page's outermost; included templates and inclusion tags are inside it)."""
    from django.template.backends.django import Template  # noqa: PLC0415

    spent: list[float] = []
    render = Template.render

    def timed(self: Any, *args: Any, **kwargs: Any) -> Any:
        begin = time.process_time()
        try:
            return render(self, *args, **kwargs)
        finally:
            spent.append(time.process_time() - begin)

    Template.render = timed  # type: ignore[method-assign]
    return spent


if __name__ == "__main__":
    main()
