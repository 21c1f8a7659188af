from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from safehub.access.policy import can
from safehub.access.sessions import is_verified
from safehub.people.queries import EmergencyAccessNotice, emergency_access_notices


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    current: bool


# The menu: (permission, label, address, the path prefix that makes the item current; empty:
# only the address itself).
MENU: tuple[tuple[str, str, str, str], ...] = (
    ("triage:view", "Triage queue", "/triage", ""),
    ("pathway:inbox", "Pathway referrals", "/pathway", "/pathway"),
    ("meeting:view", "Meetings", "/meetings", ""),
    ("child:shared:list", "Shared with us", "/shared", ""),
    ("break_glass:use", "Emergency access", "/emergency-access", ""),
    ("break_glass:review", "Break-glass review", "/access/break-glass", "/access"),
    ("episode:allocate", "Allocation", "/allocation", ""),
    ("sign_off:decide", "Sign-off", "/oversight/sign-off", "/oversight/sign-off"),
    ("screening:override:review", "Overrides", "/oversight/overrides", "/oversight/overrides"),
    ("duplicates:review", "Duplicates", "/oversight/duplicates", "/oversight/duplicates"),
    ("child:search", "Find a child", "/children/search", "/children"),
    ("location:view", "Intelligence", "/intelligence", "/intelligence"),
    ("awareness:view", "Awareness", "/awareness/", "/awareness"),
    ("report:view:public", "Committee report", "/reports/committee", "/reports"),
)


def _navigation(request: HttpRequest, user: Any) -> list[NavItem]:
    home = reverse("web:home")
    items = [NavItem("Home", home, request.path == home)]
    for permission, label, href, prefix in MENU:
        if can(user, permission):
            current = request.path.startswith(prefix) if prefix else request.path == href
            items.append(NavItem(label, href, current))
    if can(user, "users:manage"):
        admin = reverse("admin:index")
        items.append(NavItem("Administration", admin, request.path.startswith(admin)))
    return items


def service(request: HttpRequest) -> dict[str, object]:
    """The service name, phase, the navigation this user may follow and, for a partner worker,
    the emergency-access banner."""
    items: list[NavItem] = []
    notices: list[EmergencyAccessNotice] = []
    user = getattr(request, "user", None)
    # Someone still at the code step sees no menu: nothing in it is open to them yet.
    if user is not None and user.is_authenticated and is_verified(request):
        items = _navigation(request, user)
        notices = emergency_access_notices(user, request.session)
    return {
        "service_name": "Safehub",
        "service_phase": settings.SAFEHUB_PHASE,
        "service_is_demo": settings.SAFEHUB_DEMO,
        "navigation": items,
        "emergency_access_notices": notices,
        "can_break_glass": bool(user is not None and can(user, "break_glass:use")),
    }
