from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from safehub.access.policy import can


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    current: bool


def service(request: HttpRequest) -> dict[str, object]:
    """The service name, phase and the navigation this user may follow."""
    items: list[NavItem] = []
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        home = reverse("web:home")
        items.append(NavItem("Home", home, request.path == home))
        if can(user, "triage:view"):
            items.append(NavItem("Triage queue", "/triage", request.path == "/triage"))
        if can(user, "child:search"):
            items.append(
                NavItem("Find a child", "/children/search", request.path.startswith("/children"))
            )
        if can(user, "location:view"):
            items.append(
                NavItem("Intelligence", "/intelligence", request.path.startswith("/intelligence"))
            )
        if can(user, "users:manage"):
            admin = reverse("admin:index")
            items.append(NavItem("Administration", admin, request.path.startswith(admin)))
    return {
        "service_name": "Safehub",
        "service_phase": settings.SAFEHUB_PHASE,
        "service_is_demo": settings.SAFEHUB_DEMO,
        "navigation": items,
    }
