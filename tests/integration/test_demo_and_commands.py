from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from safehub.access.models import Role, User
from safehub.access.policy import SYSTEM
from safehub.audit.models import AuditEvent
from safehub.demo import services as demo
from safehub.geo.models import Ward


def test_demo_has_one_account_per_role_and_reloading_keeps_what_exists() -> None:
    demo.load(acting_user=SYSTEM, with_history=False)
    assert sorted(User.objects.values_list("role", flat=True)) == sorted(Role)
    assert Ward.objects.count() == 30
    practitioner = User.objects.get(username="practitioner")
    assert practitioner.check_password(demo.demo_password())
    practitioner.set_password("changed-by-the-user-2026")
    practitioner.save()

    reloaded = demo.load(acting_user=SYSTEM, with_history=False)
    assert not any(created for _, created in reloaded)
    assert User.objects.count() == len(Role)
    assert User.objects.get(username="practitioner").check_password("changed-by-the-user-2026")
    assert AuditEvent.objects.filter(action="user:created").count() == len(Role)


def test_createuser_checks_the_password_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    demo.load(acting_user=SYSTEM, with_history=False)
    agency = User.objects.get(username="partner").agency.name
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    with pytest.raises(CommandError, match="too short"):
        call_command(
            "createuser", "newbie", agency=agency, role="partner_worker", password_stdin=True
        )
    monkeypatch.setattr("sys.stdin", io.StringIO("a-properly-long-passphrase\n"))
    out = io.StringIO()
    call_command(
        "createuser",
        "newbie",
        agency=agency,
        role="partner_worker",
        password_stdin=True,
        stdout=out,
    )
    assert "Created newbie (Partner worker)" in out.getvalue()
    assert User.objects.get(username="newbie").agency.name == agency


def test_createuser_names_the_agencies_when_one_is_wrong() -> None:
    demo.load(acting_user=SYSTEM, with_history=False)
    with pytest.raises(CommandError, match=r"No agency is called 'Nowhere'\. Agencies: "):
        call_command("createuser", "x", agency="Nowhere", role="analyst", password_stdin=True)
