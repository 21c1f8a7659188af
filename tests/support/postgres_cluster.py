"""A throwaway PostgreSQL server: initdb in a temporary folder, served on a free port.

`make test` uses it when no server answers at SAFEHUB_TEST_POSTGRES_URL, so the PostgreSQL
suite runs on a machine without one; the crash tests use one of their own to stop it hard
without touching anyone's shared server. The programs come from the system's PostgreSQL
(/usr/lib/postgresql/*/bin, or `pg_ctl` on PATH), else from the `pgserver` wheel (in the dev
extras, so `make setup` installs it).

PostgreSQL refuses to run as root, so as root the server runs as the unprivileged `nobody`;
when `nobody` cannot reach the programs where they are installed (a checkout under /root,
say), they are copied into the temporary folder first.

    python -m tests.support.postgres_cluster -- COMMAND [ARG ...]

runs COMMAND with SAFEHUB_TEST_POSTGRES_URL pointing at a throwaway server when none answers
at the configured one (COMMAND runs as is when one does), then stops the server and deletes
its folder, whether COMMAND passed, failed or was interrupted.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from types import FrameType, TracebackType
from typing import Self
from urllib.parse import urlsplit

import psycopg

PREFIX = "safehub-postgres-"
OWNER_FILE = "owner.pid"
UNPRIVILEGED = "nobody"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/safehub"
SERVER_SETTINGS_FAST = (
    "-c",
    "fsync=off",
    "-c",
    "synchronous_commit=off",
    "-c",
    "full_page_writes=off",
)
NO_PROGRAMS = (
    "no PostgreSQL programs to start a throwaway server: run `make setup` (it installs the "
    "pgserver wheel) or install PostgreSQL (Debian: apt-get install postgresql)"
)


class NoPostgresError(RuntimeError):
    """Neither the pgserver wheel nor a system PostgreSQL is installed."""


def programs() -> Path:
    """The folder holding initdb, pg_ctl and postgres: the system's, else the wheel's.

    The system's come first: they are the build a council runs, with the contrib extensions
    (pg_trgm for name search); the wheel's is a minimal build without them, for a machine that
    has no PostgreSQL at all (the migrations then leave out the trigram indexes).
    """
    system = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    for folder in reversed(system):
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    on_path = shutil.which("pg_ctl")
    if on_path and (Path(on_path).parent / "initdb").is_file():
        return Path(on_path).parent
    spec = importlib.util.find_spec("pgserver")
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            wheel = Path(location) / "pginstall" / "bin"
            if (wheel / "pg_ctl").is_file():
                return wheel
    raise NoPostgresError(NO_PROGRAMS)


def free_port() -> int:
    """A port nothing listens on now (the server binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers(url: str) -> str | None:
    """None when a PostgreSQL server answers at `url`'s host and port; else why not."""
    url = url.replace("postgres://", "postgresql://", 1)
    try:
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", connect_timeout=3):
            return None
    except psycopg.OperationalError as error:
        return str(error).splitlines()[0] if str(error) else "no answer"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Cluster:
    """One PostgreSQL cluster in a temporary folder, trusting user `postgres` on 127.0.0.1.

    `fast=True` turns off fsync and synchronous commit: right for a test suite's server,
    wrong for a test of what survives a crash.
    """

    def __init__(self, *, fast: bool = False) -> None:
        self.bin = programs()
        self.fast = fast
        self.port = 0
        self.root = Path(tempfile.mkdtemp(prefix=PREFIX))
        (self.root / OWNER_FILE).write_text(str(os.getpid()))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.user: pwd.struct_passwd | None = None
        if os.geteuid() == 0:
            self.user = pwd.getpwnam(UNPRIVILEGED)
            self.root.chmod(0o755)
            self.bin = self._reachable_programs()

    # --- running the programs --------------------------------------------------------------

    def _run(self, *argv: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        kwargs: dict[str, object] = {}
        if self.user is not None:
            kwargs = {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}
        return subprocess.run(  # noqa: S603 - PostgreSQL's own programs, our arguments
            argv,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=self.root,
            env={**os.environ, "LC_ALL": "C", "TZ": "UTC"},
            **kwargs,  # type: ignore[arg-type]
        )

    def _reachable_programs(self) -> Path:
        """The programs where `nobody` may run them: in place, or copied here."""
        try:
            if self._run(str(self.bin / "postgres"), "--version").returncode == 0:
                return self.bin
        except PermissionError:
            pass
        # The wheel's programs find their libraries at ../../../pgserver.libs: keep the layout.
        install = self.bin.parent
        copy = self.root / "programs" / install.parent.name / install.name
        shutil.copytree(install, copy, symlinks=True, ignore=shutil.ignore_patterns("include"))
        for libraries in install.parent.parent.glob(f"{install.parent.name}.libs"):
            shutil.copytree(libraries, self.root / "programs" / libraries.name, symlinks=True)
        return copy / "bin"

    def _check(self, done: subprocess.CompletedProcess[str], what: str) -> None:
        if done.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"{what} failed: {done.stderr.strip()}\n{log[-2000:]}")

    # --- life ------------------------------------------------------------------------------

    def start(self) -> None:
        """initdb on the first start; then start the server, waiting until it answers."""
        if not (self.data / "PG_VERSION").exists():
            self.data.mkdir(mode=0o700, exist_ok=True)
            if self.user is not None:
                os.chown(self.data, self.user.pw_uid, self.user.pw_gid)
            done = self._run(
                str(self.bin / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            )
            self._check(done, "initdb")
        if self.user is not None and not self.log.exists():
            self.log.touch()
            os.chown(self.log, self.user.pw_uid, self.user.pw_gid)
        for _attempt in range(3):  # a free port can be taken before the server binds it
            self.port = self.port or free_port()
            options = ["-p", str(self.port), "-h", "127.0.0.1", "-k", str(self.data)]
            if self.fast:
                options += SERVER_SETTINGS_FAST
            done = self._run(
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.log),
                "-w",
                "-t",
                "60",
                "-o",
                " ".join(options),
                "start",
            )
            if done.returncode == 0:
                return
            if "could not bind" not in self.log.read_text():
                break
            self.port = 0
        self._check(done, "pg_ctl start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: `fast` ends sessions cleanly, `immediate` as a power cut would
        leave it (WAL replay on the next start)."""
        if (self.data / "postmaster.pid").exists():
            done = self._run(
                str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"
            )
            self._check(done, f"pg_ctl stop -m {mode}")

    def destroy(self) -> None:
        """Stop the server if it runs and delete its folder."""
        try:
            self.stop("immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str, template: str | None = None) -> str:
        """A new database on this cluster (a copy of `template` if given); its URL."""
        url = self.url().replace("postgres://", "postgresql://", 1)
        with psycopg.connect(url, autocommit=True) as connection:
            sql = f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
            connection.execute(sql)  # type: ignore[arg-type] - names are ours
        return self.url(name)

    def __enter__(self) -> Self:
        try:
            self.start()
        except BaseException:
            self.destroy()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.destroy()


def remove_abandoned() -> None:
    """Stop and delete throwaway clusters whose owner has died (killed before it could)."""
    for root in Path(tempfile.gettempdir()).glob(f"{PREFIX}*"):
        owner = root / OWNER_FILE
        try:
            pid = int(owner.read_text())
        except (OSError, ValueError):
            continue
        if _pid_alive(pid):
            continue
        postmaster = root / "data" / "postmaster.pid"
        with contextlib.suppress(OSError, ValueError, ProcessLookupError):
            os.kill(int(postmaster.read_text().split()[0]), signal.SIGQUIT)
        shutil.rmtree(root, ignore_errors=True)


def _interrupted(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def main(argv: list[str]) -> int:
    """Run argv against the configured PostgreSQL server, or a throwaway one if none answers."""
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        sys.stderr.write("usage: python -m tests.support.postgres_cluster -- COMMAND [ARG ...]\n")
        return 2
    configured = os.environ.get("SAFEHUB_TEST_POSTGRES_URL") or DEFAULT_URL
    problem = answers(configured)
    if problem is None:
        return subprocess.call(argv)  # noqa: S603 - the Makefile's own command
    place = urlsplit(configured)
    remove_abandoned()
    try:
        cluster = Cluster(fast=True)
    except NoPostgresError as error:
        sys.stderr.write(f"test-postgres: no PostgreSQL server at {place.netloc}; {error}.\n")
        return 1
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupted)
    child: subprocess.Popen[bytes] | None = None
    try:
        cluster.start()
        database = place.path.lstrip("/") or "safehub"
        sys.stderr.write(
            f"test-postgres: no PostgreSQL server at {place.netloc} ({problem}); running on a "
            f"throwaway one at 127.0.0.1:{cluster.port} ({cluster.bin.parent}), deleted after.\n"
        )
        sys.stderr.flush()
        # pg_dump and pg_restore (backup tests) of the server's own version come first.
        env = {
            **os.environ,
            "SAFEHUB_TEST_POSTGRES_URL": cluster.url(database),
            "PATH": os.pathsep.join([str(cluster.bin), os.environ.get("PATH", "")]),
        }
        child = subprocess.Popen(argv, env=env)  # noqa: S603 - the Makefile's own command
        return child.wait()
    except KeyboardInterrupt:
        if child is not None and child.poll() is None:
            child.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(30)
        return 130
    finally:
        if child is not None and child.poll() is None:
            child.kill()
        cluster.destroy()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
