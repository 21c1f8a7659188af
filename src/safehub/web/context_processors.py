from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from safehub.access.policy import can
from safehub.access.sessions import is_verified
from safehub.people.queries import emergency_access_notices


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    current: bool


def service(request: HttpRequest) -> dict[str, object]:
    """The service name, phase and the navigation this user may follow."""
    items: list[NavItem] = []
    user = getattr(request, "user", None)
    notices = []
    # Someone still at the code step sees no menu: nothing in it is open to them yet.
    if user is not None and user.is_authenticated and is_verified(request):
        home = reverse("web:home")
        items.append(NavItem("Home", home, request.path == home))
        if can(user, "triage:view"):
            items.append(NavItem("Triage queue", "/triage", request.path == "/triage"))
        if can(user, "child:shared:list"):
            items.append(NavItem("Shared with us", "/shared", request.path == "/shared"))
        if can(user, "break_glass:use"):
            items.append(
                NavItem(
                    "Emergency access", "/emergency-access", request.path == "/emergency-access"
                )
            )
            notices = emergency_access_notices(user, request.session)
        if can(user, "break_glass:review"):
            items.append(
                NavItem(
                    "Break-glass review", "/access/break-glass", request.path.startswith("/access")
                )
            )
        if can(user, "child:search"):
            items.append(
                NavItem("Find a child", "/children/search", request.path.startswith("/children"))
            )
        if can(user, "location:view"):
            items.append(
                NavItem("Intelligence", "/intelligence", request.path.startswith("/intelligence"))
            )
        if can(user, "report:view:public"):
            items.append(
                NavItem(
                    "Committee report",
                    "/reports/committee",
                    request.path.startswith("/reports"),
                )
            )
        if can(user, "users:manage"):
            admin = reverse("admin:index")
            items.append(NavItem("Administration", admin, request.path.startswith(admin)))
    return {
        "service_name": "Safehub",
        "service_phase": settings.SAFEHUB_PHASE,
        "service_is_demo": settings.SAFEHUB_DEMO,
        "navigation": items,
        "emergency_access_notices": notices,
        "can_break_glass": bool(user is not None and can(user, "break_glass:use")),
    }
