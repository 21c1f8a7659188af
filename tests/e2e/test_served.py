"""The site as `make demo` serves it: the `safehub` command, gunicorn, the embedded database."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

SAFEHUB = str(Path(sys.executable).with_name("safehub"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# A bound for a server that hangs, not a speed test: a first page can take seconds on a busy
# machine (`make test` runs two suites at once).
TIMEOUT = 30


def _get(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:  # noqa: S310 - localhost
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers.get("Content-Type", "")


def _serve(env: dict[str, str]) -> Iterator[str]:
    port = _free_port()
    env = {**env, "PORT": str(port), "SAFEHUB_WORKERS": "1"}
    log = Path(env["SAFEHUB_VAR_DIR"]) / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(  # noqa: S603 - our own console script
            [SAFEHUB, "serve"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                _get(f"{base}/healthz")
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
        print(log.read_text())  # noqa: T201 - pytest shows it only when a test fails


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    var = tmp_path_factory.mktemp("var")
    env = {
        "PATH": os.environ["PATH"],
        "SAFEHUB_VAR_DIR": str(var),
        "DJANGO_SETTINGS_MODULE": "safehub.settings.demo",
    }
    setup = subprocess.run(  # noqa: S603
        [SAFEHUB, "demo", "--no-serve"], env=env, capture_output=True, text=True, check=True
    )
    assert "practitioner  Hub practitioner" in setup.stdout
    again = subprocess.run(  # noqa: S603
        [SAFEHUB, "demo", "--no-serve"], env=env, capture_output=True, text=True, check=True
    )
    assert "existing account: password unchanged" in again.stdout
    assert (var / "safehub.sqlite3").exists()
    # The first run snapshotted the new history (for the report page); the second did not.
    manifests = list((var / "snapshots").glob("*/manifest.json"))
    assert len(manifests) == 1
    # `safehub totp` picks the demo settings itself.
    code = subprocess.run(  # noqa: S603
        [SAFEHUB, "totp", "practitioner"],
        env={k: v for k, v in env.items() if k != "DJANGO_SETTINGS_MODULE"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert code.stdout.strip().isdigit()
    assert len(code.stdout.strip()) == 6
    yield from _serve(env)


def test_demo_serves_health_sign_in_and_stylesheet(demo_site: str) -> None:
    status, body, kind = _get(f"{demo_site}/healthz")
    assert (status, json.loads(body), kind) == (
        200,
        {"status": "ok", "database": "ok"},
        "application/json",
    )
    status, body, _ = _get(f"{demo_site}/sign-in")
    page = body.decode()
    assert status == 200
    assert "Sign in to Safehub" in page
    stylesheet = page.split('rel="stylesheet" href="')[1].split('"')[0]
    assert stylesheet.startswith("/static/web/app.")  # hashed name: cacheable for ever
    status, css, kind = _get(f"{demo_site}{stylesheet}")
    assert (status, kind) == (200, 'text/css; charset="utf-8"')
    assert b".govuk-header" in css or b".govuk-generic-header" in css


def test_health_is_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "SAFEHUB_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "safehub.settings.demo",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/nothing",
    }
    for base in _serve(env):
        status, body, _ = _get(f"{base}/healthz")
        assert (status, json.loads(body)) == (503, {"status": "error", "database": "unreachable"})
