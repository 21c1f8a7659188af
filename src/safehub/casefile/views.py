from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone

from safehub.access.policy import OutOfScopeError, can, require
from safehub.casefile import queries
from safehub.casefile.forms import AsOfForm
from safehub.flags import queries as flag_queries
from safehub.intelligence import queries as intelligence_queries
from safehub.partnership import queries as partnership_queries
from safehub.people import queries as people_queries
from safehub.people import services as people_services
from safehub.people.forms import ChildSearchForm
from safehub.rules import plausibility


def search(request: HttpRequest) -> HttpResponse:
    """Find a child: here rather than in people, because each result shows the episode, risk
    and latest referral that tell children of the same name apart."""
    require(request.user, "child:search")
    form = ChildSearchForm(request.GET or None)
    results = form.results(partial(queries.find_children, request.user))
    return TemplateResponse(
        request,
        "people/search.html",
        {"form": form, "results": results, "limit": people_queries.SEARCH_LIMIT},
    )


def child_page(request: HttpRequest, child_id: int) -> HttpResponse:
    try:
        child = people_queries.get_child(request.user, child_id)
    except OutOfScopeError:
        kept = people_queries.kept_record_of(request.user, child_id)
        if kept is None:
            raise
        messages.info(request, "That record was merged into this one, the same child's.")
        return redirect(f"/children/{kept}")
    today = timezone.localdate()
    as_of_form = AsOfForm(request.GET or None)
    on = today
    if as_of_form.is_bound and as_of_form.is_valid():
        asked = as_of_form.cleaned_data["on"]
        before_birth = plausibility.after_birth(
            "on", asked, people_services.birth_of(child), label="The date"
        )
        for field, message in before_birth:
            as_of_form.add_error(field, message)
        if not before_birth:
            on = asked
    record = queries.record_for(request.user, child, on)
    whole = record.sections is None
    user = request.user
    # Every flag, pending, ended and withdrawn ones too: for those who raise them. The banner's
    # are picked from these rather than read again.
    flags = flag_queries.flags_of(child) if can(user, "flag:raise") else None
    return TemplateResponse(
        request,
        "casefile/child.html",
        {
            "child": child,
            "record": record,
            "banner_flags": flag_queries.banner_for(
                user,
                child,
                sections=people_queries.ALL_SECTIONS if whole else record.sections,
                every=flags,
            ),
            "as_of_form": as_of_form,
            "historical": on != today,
            # Lists, not querysets: read here, in the transaction that audited the read.
            "aliases": list(child.aliases.only("child_id", "given_name", "family_name"))
            if whole
            else [],
            "whole_record": whole,
            "can_record": can(user, "referral:create"),
            # Address history with its corrections: for those who may change the record.
            "addresses": record.address_history
            if whole and on == today and can(user, "child:update")
            else [],
            "can_share": can(user, "child:share"),
            "can_view_log": can(user, "child:access_log:view"),
            "can_raise_flag": can(user, "flag:raise"),
            "can_view_chronology": can(user, "chronology:view"),
            "flags": flags or [],
            "shares": list(
                child.shares.select_related("agency").only(
                    "child_id", "agency__name", "sections", "expires_on", "revoked_at"
                )
            )
            if can(user, "child:share")
            else [],
            # Persons of concern are None unless the reader may see them.
            "concern_locations": intelligence_queries.locations_of_child(user, child, on=on),
            "concern_persons": intelligence_queries.persons_of_child(user, child, on=on),
            # Support involvement (pathway referrals): the hub's view of every agency's work.
            "pathway": partnership_queries.of_child(child) if can(user, "pathway:refer") else None,
            "can_refer": can(user, "pathway:refer"),
            "can_observe": can(user, "observation:add"),
            "can_raise_concern": can(user, "concern:raise"),
        },
    )
