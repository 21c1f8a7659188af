"""What the simulated users do: each signs in as its own account of one demo role, then works.

Run by `python -m bench.load` (which sets LOAD_SAMPLE and LOAD_THINK); on its own:

    LOAD_SAMPLE=sample.json LOAD_THINK=1-3 locust -f bench/load/locustfile.py --headless ...

Hub practitioners, managers and police officers work the triage queue, open children's pages,
search by name, record referrals through the form (with its CSRF token) and call the API;
a partner worker reads the children shared with the agency; an analyst opens the committee
report. Requests are named by route, not by URL, so the table has one row per page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import json
import os
import random
import re
import struct
import time
from typing import Any, ClassVar
from urllib.parse import urlencode

from locust import FastHttpUser, between, constant, events, task
from locust.env import Environment

SAMPLE: dict[str, Any] = json.loads(
    open(os.environ["LOAD_SAMPLE"], encoding="utf-8").read()  # noqa: PTH123, SIM115
)
_THINK = os.environ.get("LOAD_THINK", "1-3")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DEMO_PASSWORD = SAMPLE["password"]


def _wait() -> Any:
    if _THINK in {"0", "none"}:
        return constant(0)
    low, high = (float(part) for part in _THINK.split("-"))
    return between(low, high)


def totp(username: str, at: float | None = None) -> str:
    """The code the demo account's app shows (RFC 6238, 30 s steps, 6 digits), from the key
    the demo derives from the demo password (`safehub.demo.services.demo_totp_key`)."""
    key_hex = hmac.new(DEMO_PASSWORD.encode(), f"totp:{username}".encode(), hashlib.sha1)
    key = bytes.fromhex(key_hex.hexdigest())
    counter = struct.pack(">Q", int((time.time() if at is None else at) // 30))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


_signed_in = itertools.count(1)


@events.init.add_listener
def _note_environment(environment: Environment, **kwargs: Any) -> None:
    global _ENVIRONMENT  # noqa: PLW0603
    _ENVIRONMENT = environment


_ENVIRONMENT: Environment | None = None


def _everyone_signed_in() -> None:
    """When the last user has signed in, start the figures afresh: signing in (a slow password
    hash by design) happens once a session, so it is left out of the table."""
    environment = _ENVIRONMENT
    if environment is None or environment.runner is None or environment.parsed_options is None:
        return
    if next(_signed_in) == environment.parsed_options.num_users:
        environment.runner.stats.reset_all()


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _form(fields: dict[str, Any]) -> str:
    return urlencode(fields, doseq=True)


def _token(html: str) -> str:
    found = CSRF.search(html)
    if found is None:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1)


class SignedInUser(FastHttpUser):
    """One simulated person: signs in once (password, then the code) with an account of its own.

    locust's FastHttpUser (geventhttpclient) rather than HttpUser (requests): it costs the load
    generator, which shares the server's cores, a fraction of the CPU per request.
    """

    abstract = True
    role: ClassVar[str] = ""
    wait_time = _wait()
    _numbers: ClassVar[itertools.count[int]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._numbers = itertools.count()

    def _post_form(self, path: str, fields: dict[str, Any]) -> str:
        """POST a form as a browser would; where it redirects to (FastHttpUser's response
        keeps the requested URL, so redirects are followed by hand)."""
        answer = self.client.post(
            path, data=_form(fields), headers=FORM, name="sign in", allow_redirects=False
        )
        return str(answer.headers.get("Location", ""))

    def on_start(self) -> None:
        number = next(self._numbers) % SAMPLE["accounts"]
        self.username = f"load-{self.role}-{number}"
        self.rng = random.Random(f"{self.username}")
        page = self.client.get("/sign-in", name="sign in")
        fields = {"username": self.username, "password": DEMO_PASSWORD}
        where = self._post_form("/sign-in", {**fields, "csrfmiddlewaretoken": _token(page.text)})
        if "/sign-in/code" not in where:
            raise RuntimeError(f"{self.username}: password step did not ask for a code")
        code_page = self.client.get(where, name="sign in")
        where = self._post_form(
            where, {"otp_token": totp(self.username), "csrfmiddlewaretoken": _token(code_page.text)}
        )
        if not where or "/sign-in" in where:
            raise RuntimeError(f"{self.username}: the code was refused")
        _everyone_signed_in()

    def child(self) -> int:
        return int(self.rng.choice(SAMPLE["children"]))


class HubWorker(SignedInUser):
    """A hub practitioner: the queue, children's pages, search, referrals, the API."""

    abstract = True
    weight = 0

    @task(3)
    def triage(self) -> None:
        self.client.get("/triage", name="GET /triage")

    @task(3)
    def child_page(self) -> None:
        self.client.get(f"/children/{self.child()}", name="GET /children/[id]")

    @task(3)
    def search(self) -> None:
        name = self.rng.choice(SAMPLE["family_names"])
        self.client.get(f"/children/search?name={name}", name="GET /children/search")

    @task(1)
    def home(self) -> None:
        self.client.get("/", name="GET /")

    @task(1)
    def record_referral(self) -> None:
        url = f"/referrals/new?child={self.rng.choice(SAMPLE['referable_children'])}"
        form = self.client.get(url, name="GET /referrals/new")
        day = dt.date.today() - dt.timedelta(days=1)  # noqa: DTZ011 - the server's day, roughly
        fields = {
            "csrfmiddlewaretoken": _token(form.text),
            "received_at_0_0": day.day,
            "received_at_0_1": day.month,
            "received_at_0_2": day.year,
            "received_at_1": "10:00",
            "source": "6",
            "exploitation_types": ["cse"],
            "concerns": "Load test: seen with older associates.",
        }
        with self.client.post(
            url,
            data=_form(fields),
            headers=FORM,
            name="POST /referrals/new",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302 or "/screening" not in response.headers["Location"]:
                response.failure(f"not recorded: {response.status_code}")

    @task(1)
    def api_referrals(self) -> None:
        self.client.get("/api/v1/referrals", name="GET /api/v1/referrals")

    @task(1)
    def api_child(self) -> None:
        self.client.get(f"/api/v1/children/{self.child()}", name="GET /api/v1/children/[id]")


class Practitioner(HubWorker):
    role = "practitioner"
    weight = 4


class Manager(HubWorker):
    role = "manager"
    weight = 1


class PoliceOfficer(HubWorker):
    role = "police"
    weight = 1


class Partner(SignedInUser):
    """A Youth Service worker: the agency's inbox and the children shared with it."""

    role = "partner"
    weight = 1

    @task(1)
    def home(self) -> None:
        self.client.get("/", name="GET /")

    @task(1)
    def shared(self) -> None:
        self.client.get("/shared", name="GET /shared")

    @task(2)
    def shared_child(self) -> None:
        if SAMPLE["shared_children"]:
            child = self.rng.choice(SAMPLE["shared_children"])
            self.client.get(f"/children/{child}", name="GET /children/[id]")


class Analyst(SignedInUser):
    """A performance officer: the committee report and the home page."""

    role = "analyst"
    weight = 1

    @task(1)
    def report(self) -> None:
        self.client.get("/reports/committee", name="GET /reports/committee")

    @task(1)
    def home(self) -> None:
        self.client.get("/", name="GET /")
