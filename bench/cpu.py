"""CPU seconds used by this process and by its PostgreSQL backend: figures a busy machine keeps.

On a machine shared with others the elapsed time of a run says as much about the neighbours as
about the code. The CPU time the importer and its database connection's server process used is
what the work itself cost; on an otherwise idle machine the run takes roughly their sum (the
importer waits while the server works). Reads /proc, so Linux with the server on this machine.
"""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Cpu:
    client: float
    server: float

    def __sub__(self, other: Cpu) -> Cpu:
        return Cpu(self.client - other.client, self.server - other.server)

    def __str__(self) -> str:
        return (
            f"CPU {self.client:.1f} s in the importer + {self.server:.1f} s in PostgreSQL = "
            f"{self.client + self.server:.1f} s"
        )


def now() -> Cpu:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return Cpu(usage.ru_utime + usage.ru_stime, _server())


def _server() -> float:
    from django.db import connection  # noqa: PLC0415

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone() or (0,)
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime
