"""PostgreSQL stopped dead (`pg_ctl stop -m immediate`) in the middle of a burst of API
referral creations: every referral the server acknowledged is there after the restart, whole,
and the audit chain verifies.

The server is a real gunicorn (`safehub serve`) on a PostgreSQL cluster of this test's own,
never the shared server. PostgreSQL only: the SQLite run skips it.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Self

import pytest

from tests.integration.crash_support import (
    HUB_PRACTITIONER,
    ROOT,
    Database,
    Migrated,
    Templates,
)
from tests.integration.crash_support import private_cluster as _private_cluster
from tests.support.postgres_cluster import Cluster, free_port

pytestmark = pytest.mark.crash

SENDERS = 4
BEFORE_STOP = 20  # referrals acknowledged before PostgreSQL is stopped
REFUSED_WHILE_DOWN = 8  # requests that fail while it is down, before it is started again
AFTER_RESTART = 10  # referrals acknowledged after the restart: the server came back
PER_SENDER = 2000  # a bound on the burst, whatever happens
PAUSE_AFTER_FAILURE = 0.2  # seconds: a sender does not hammer a server that cannot write
DEADLINE = 120.0  # seconds: a bound on each wait

# A session of a hub practitioner who has passed both factors, as signing in leaves one.
SESSION = (
    HUB_PRACTITIONER
    + """
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
device, _ = TOTPDevice.objects.get_or_create(user=user, name="Test app", confirmed=True)
from django.db import transaction
client = Client()
with transaction.atomic():  # signing in is audited, and an audit write needs a transaction
    client.force_login(user)
session = client.session
session[DEVICE_ID_SESSION_KEY] = device.persistent_id
session.save()
from django.conf import settings
print(json.dumps({
    "cookie": settings.SESSION_COOKIE_NAME,
    "csrf_cookie": settings.CSRF_COOKIE_NAME,
    "session": client.cookies[settings.SESSION_COOKIE_NAME].value,
}))
"""
)

PRESENT = """
import json
from safehub.audit.models import AuditEvent
from safehub.referrals.models import Referral
received = set(
    AuditEvent.objects.filter(action="referral:received").values_list("object_id", flat=True)
)
print(json.dumps({
    "referrals": {
        r.external_reference: [r.pk, r.child.given_name, str(r.pk) in received]
        for r in Referral.objects.select_related("child")
    },
}))
"""


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    yield from _private_cluster()


class Burst:
    """Senders posting referrals until told to stop; what was acknowledged, and what not."""

    def __init__(self, port: int, session: dict[str, str]) -> None:
        self.port = port
        csrf = secrets.token_hex(16)
        self.headers = {
            "Content-Type": "application/json",
            "Cookie": f"{session['cookie']}={session['session']}; {session['csrf_cookie']}={csrf}",
            "X-CSRFToken": csrf,
        }
        self.lock = threading.Lock()
        self.acknowledged: dict[str, int] = {}  # external reference -> referral id
        self.failed = 0
        self.refusals: set[int] = set()  # the statuses of requests not acknowledged
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._send, args=(n,)) for n in range(SENDERS)]

    def __enter__(self) -> Self:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(30)

    def counts(self) -> tuple[int, int]:
        with self.lock:
            return len(self.acknowledged), self.failed

    def _send(self, sender: int) -> None:
        for n in range(PER_SENDER):
            if self.stop.is_set():
                return
            reference = f"BURST-{sender}-{n:03d}"
            body = {
                "child": {
                    "given_name": f"Testa{sender}x{n}",
                    "family_name": "Samplewell",
                    "date_of_birth": "2008-05-06",
                    "sex": "F",
                },
                "received_at": "2016-10-03T10:15:00+01:00",
                "source": "6",
                "exploitation_types": ["cse"],
                "concerns": "Seen with older associates at the bus station.",
                "external_reference": reference,
            }
            status, answer = self._post(json.dumps(body))
            with self.lock:
                if 200 <= status < 300:
                    self.acknowledged[reference] = json.loads(answer)["id"]
                else:
                    self.failed += 1
                    self.refusals.add(status)
            if not 200 <= status < 300:
                time.sleep(PAUSE_AFTER_FAILURE)

    def _post(self, body: str) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("POST", "/api/v1/referrals", body=body, headers=self.headers)
            response = connection.getresponse()
            return response.status, response.read()
        except OSError:
            return 0, b""
        finally:
            connection.close()


def _wait_for(condition: object, what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def _serve(database: Database, port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "safehub.cli", "serve"],
            env=database.env(PORT=str(port), SAFEHUB_HOST="127.0.0.1", SAFEHUB_WORKERS="2"),
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )

    def healthy() -> bool:
        assert server.poll() is None, log.read_text()[-3000:]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/healthz")
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()

    _wait_for(healthy, "the server to answer")
    return server


def test_every_acknowledged_referral_survives_postgres_stopped_immediately(
    cluster: Cluster, tmp_path_factory: pytest.TempPathFactory, migrated: Migrated
) -> None:
    folder = tmp_path_factory.mktemp("crash-postgres")
    database = Templates(folder, migrated).new_postgres(cluster, "burst")
    session: dict[str, str] = database.python(SESSION)  # type: ignore[assignment]
    port = free_port()
    server = _serve(database, port, folder / "server.log")
    try:
        with Burst(port, session) as burst:
            _wait_for(lambda: burst.counts()[0] >= BEFORE_STOP, "the first acknowledgements")
            cluster.stop("immediate")
            failed_before = burst.counts()[1]
            _wait_for(
                lambda: burst.counts()[1] >= failed_before + REFUSED_WHILE_DOWN,
                "requests refused while PostgreSQL is down",
            )
            cluster.start()
            acknowledged_before = burst.counts()[0]
            _wait_for(
                lambda: burst.counts()[0] >= acknowledged_before + AFTER_RESTART,
                "acknowledgements after the restart",
            )
        acknowledged = dict(burst.acknowledged)
        refusals = set(burst.refusals)
    finally:
        os.kill(server.pid, signal.SIGTERM)
        server.wait(60)

    present = database.python(PRESENT)["referrals"]  # type: ignore[index]
    # While the database was down the server said so: 503, try again; never a 500.
    assert refusals == {503}, f"refused with {sorted(refusals)}"
    missing = sorted(set(acknowledged) - set(present))
    assert missing == [], f"acknowledged but lost: {missing}"
    for reference, referral_id in acknowledged.items():
        pk, given_name, audited = present[reference]
        assert pk == referral_id
        assert given_name.startswith("Testa")
        assert audited, f"{reference} has no referral:received audit event"
    # Nothing half-written either: every referral there was audited with it.
    assert all(audited for _, _, audited in present.values())
    verified = database.run("audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
