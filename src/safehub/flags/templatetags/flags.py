"""`{% flag_banner child %}`: the warning flags on every page about a child."""

from __future__ import annotations

from typing import Any

from django import template

from safehub.flags import queries

register = template.Library()


@register.inclusion_tag("flags/includes/banner.html", takes_context=True)
def flag_banner(context: template.Context, child: Any) -> dict[str, Any]:
    request = context.get("request")
    if request is None or child is None:
        return {"flags": []}
    return {"flags": queries.banner_for(request.user, child), "child": child}
