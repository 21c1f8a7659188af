"""Changes to agencies and accounts. Each function is one transaction and writes its audit."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from safehub.access.models import Agency, Role, User
from safehub.access.policy import Principal, require
from safehub.audit import services as audit


@transaction.atomic
def ensure_agency(*, name: str, agency_type: str, acting_user: Principal) -> Agency:
    """The agency of that name, created if new (reference data loads are re-runnable)."""
    require(acting_user, "agencies:manage")
    agency, created = Agency.objects.get_or_create(name=name, defaults={"agency_type": agency_type})
    if created:
        audit.write(acting_user, "agency:created", agency)
    return agency


@transaction.atomic
def create_user(  # noqa: PLR0913 - one keyword per field of the account
    *,
    username: str,
    agency: Agency,
    role: Role | str,
    password: str,
    acting_user: Principal,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    check_password: bool = True,
) -> User:
    """Create an account. The password must pass the validators unless it is a demo account."""
    require(acting_user, "users:manage")
    role = Role(role)
    user = User(
        username=username,
        agency=agency,
        role=role,
        first_name=first_name,
        last_name=last_name,
        email=email,
    )
    if check_password:
        validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    audit.write(acting_user, "user:created", user)
    return user
