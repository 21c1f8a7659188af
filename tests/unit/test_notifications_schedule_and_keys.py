"""Registering periodic checks, and what an agency's API key may do, without a database."""

from __future__ import annotations

import datetime as dt

import pytest

from safehub.access.api_keys import KEY_FORMAT, AgencyPrincipal
from safehub.access.models import Agency, AgencyType, Role
from safehub.access.policy import PERMISSIONS, can
from safehub.notifications import schedule


def test_a_check_needs_a_positive_period_and_a_name_of_its_own() -> None:
    with pytest.raises(ValueError, match="positive"):
        schedule.periodic("unit-zero", every=dt.timedelta(0))

    @schedule.periodic("unit-once", every=dt.timedelta(minutes=5))
    def once(now: dt.datetime) -> int:
        return 0

    assert schedule.REGISTRY["unit-once"].every == dt.timedelta(minutes=5)
    with pytest.raises(ValueError, match="two checks"):

        @schedule.periodic("unit-once", every=dt.timedelta(minutes=5))
        def another(now: dt.datetime) -> int:
            return 1


def test_only_the_listed_modules_checks_are_loaded(settings: object) -> None:
    settings.SAFEHUB_CHECK_MODULES = ("safehub.notifications.checks",)  # type: ignore[attr-defined]
    assert set(schedule.load()) == {"api-keys-expiring"}
    settings.SAFEHUB_CHECK_MODULES = ()  # type: ignore[attr-defined]
    assert schedule.load() == {}


def _principal() -> AgencyPrincipal:
    agency = Agency(pk=7, name="Youth Service", agency_type=AgencyType.YOUTH_SERVICE)
    return AgencyPrincipal(agency=agency, key_id=1, prefix="0123abcd")


def test_a_key_holds_exactly_a_partner_workers_permissions() -> None:
    principal = _principal()
    partner_may = {p for p, roles in PERMISSIONS.items() if Role.PARTNER_WORKER in roles}
    assert {p for p in PERMISSIONS if can(principal, p)} == partner_may
    assert not can(principal, "child:search")
    assert principal.agency_id == 7
    assert principal.pk is None
    assert principal.description == "api-key:0123abcd"


@pytest.mark.parametrize(
    ("key", "valid"),
    [
        ("shk_0123abcd_" + "A" * 43, True),
        ("shk_0123ABCD_" + "A" * 43, False),
        ("shk_0123abcd_" + "A" * 42, False),
        ("0123abcd_" + "A" * 43, False),
        ("shk_0123abcd_" + "A" * 42 + "=", False),
    ],
)
def test_the_key_format(key: str, valid: bool) -> None:
    assert (KEY_FORMAT.match(key) is not None) is valid
