"""`{% flag_banner child %}`: the warning flags on every page about a child."""

from __future__ import annotations

from typing import Any

from django import template

from safehub.flags import queries
from safehub.flags.models import WarningFlag

register = template.Library()


@register.inclusion_tag("flags/includes/banner.html", takes_context=True)
def flag_banner(
    context: template.Context, child: Any, flags: list[WarningFlag] | None = None
) -> dict[str, Any]:
    """`flags`: the banner's flags when the page has them already (`queries.banner_for`)."""
    request = context.get("request")
    if request is None or child is None:
        return {"flags": []}
    if flags is None:
        flags = queries.banner_for(request.user, child)
    return {"flags": flags, "child": child}
