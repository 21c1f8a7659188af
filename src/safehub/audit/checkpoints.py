"""Signed checkpoints of the audit chain's head, kept outside the database.

One JSON line per checkpoint, appended (never rewritten) to `SAFEHUB_AUDIT_CHECKPOINT_FILE`:
the chain's length and newest hash, when, and an HMAC-SHA256 signature over the three with
`SAFEHUB_AUDIT_KEY`, so a line cannot be edited or forged without the key. Each line is also
logged (logger `safehub.audit.checkpoint`, no personal data in it), so a deployment that sends
its logs to syslog or a log store keeps a second copy out of reach of the database host.
`docs/audit.md` says how to make the file append-only for the operating system too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

log = logging.getLogger("safehub.audit.checkpoint")


class CheckpointError(Exception):
    """The checkpoint file cannot be trusted: a line is unreadable or not signed by our key."""


@dataclass(frozen=True)
class Checkpoint:
    position: int
    hash: str
    written_at: str

    def signature(self, key: bytes) -> str:
        message = f"checkpoint|{self.position}|{self.hash}|{self.written_at}".encode()
        return hmac.new(key, message, hashlib.sha256).hexdigest()

    def line(self, key: bytes) -> str:
        fields = {
            "position": self.position,
            "hash": self.hash,
            "written_at": self.written_at,
            "signature": self.signature(key),
        }
        return json.dumps(fields, separators=(",", ":"))


def append(path: Path, key: bytes, position: int, newest: str) -> Checkpoint:
    """Add a signed line; the file is opened for appending only and flushed to disk."""
    mark = Checkpoint(position, newest, dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    line = mark.line(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(descriptor, f"{line}\n".encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    log.info("audit checkpoint %s", line)
    return mark


def due(path: Path) -> bool:
    """Whether the automatic schedule wants a checkpoint now (see the setting's help text)."""
    minutes: int = settings.AUDIT_CHECKPOINT_MINUTES
    try:
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return True
    return age >= minutes * 60


def read(path: Path, key: bytes) -> list[Checkpoint]:
    """Every checkpoint in the file, each signature checked; none when there is no file yet."""
    if not path.exists():
        return []
    marks = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        problem = f"checkpoint file {path} line {number}"
        try:
            fields = json.loads(line)
            mark = Checkpoint(int(fields["position"]), str(fields["hash"]), fields["written_at"])
            signature = str(fields["signature"])
        except (ValueError, KeyError, TypeError) as error:
            raise CheckpointError(f"{problem} cannot be read: the file was damaged") from error
        if not hmac.compare_digest(mark.signature(key), signature):
            raise CheckpointError(
                f"{problem} is not signed with the audit key: the file was edited, or "
                "SAFEHUB_AUDIT_KEY changed"
            )
        marks.append(mark)
    return marks
