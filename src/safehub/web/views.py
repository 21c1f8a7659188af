from __future__ import annotations

import datetime as dt
import sys
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from safehub.access import sessions
from safehub.access.policy import can, needs_two_factor, require
from safehub.audit import context
from safehub.episodes import allocation
from safehub.geo import queries as geo_queries
from safehub.meetings import queries as meeting_queries
from safehub.partnership import queries as partnership_queries
from safehub.triage.caseloads import caseloads
from safehub.triage.queries import DueItem, Filters, queue_page
from safehub.web.forms import SignInForm

ROLE_SUMMARY: dict[str, tuple[str, ...]] = {
    "hub_practitioner": (
        "Take referrals, find the child, screen the risk and record decisions.",
        "Route children to the right support and keep their record up to date.",
    ),
    "hub_manager": (
        "Oversee the triage queue and its timeliness.",
        "Allocate children to workers, watch caseloads, sign off decisions and closures.",
        "Review screening-tool overrides and emergency (break-glass) access.",
        "See who has looked at each child's record.",
    ),
    "police_hub_officer": (
        "Work referrals with hub colleagues, including persons and locations of concern.",
    ),
    "partner_worker": (
        "Accept pathway referrals to your agency's services and record the work with each child.",
        "Add observations to a child's record and raise new concerns with the hub.",
        "See the children shared with your agency, and only what was shared.",
        "In an emergency, open a record not shared with you: a hub manager reviews it.",
    ),
    "analyst": ("Produce figures from pseudonymised snapshots. You never see who a child is.",),
    "elected_member": ("Read the committee reports published for your area.",),
    "administrator": ("Manage accounts, agencies and reference data such as wards.",),
}


class SignInView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        """After the password, the code step (for roles that need one), then where they were
        going."""
        url = super().get_success_url()
        if needs_two_factor(self.request.user) and not sessions.is_verified(self.request):
            return f"{reverse('web:otp')}?{urlencode({'next': url})}"
        return url

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        reason = self.request.session.pop(sessions.SIGNED_OUT_REASON, "")
        if reason == sessions.IDLE:
            minutes = int(settings.SAFEHUB_SESSION_IDLE_TIMEOUT.total_seconds() // 60)
            context["signed_out"] = f"You were signed out after {minutes} minutes without activity"
        elif reason == sessions.ABSOLUTE:
            hours = int(settings.SAFEHUB_SESSION_ABSOLUTE_TIMEOUT.total_seconds() // 3600)
            context["signed_out"] = (
                f"You were signed out because you had been signed in for {hours} hours"
            )
        return context


# The home page lists this many of the items due today or overdue; the queue has the rest.
HOME_DUE_LIMIT = 10
# The home page lists this many of the children allocated to the caller; /my-children has all.
HOME_MINE_LIMIT = 20
# A partner worker's home page shows the most urgent of the agency's pathway referrals.
HOME_INBOX_LIMIT = 10


def home(request: HttpRequest) -> HttpResponse:
    """Who you are, and for the hub's own staff the work due today or already overdue."""
    require(request.user, "home:view")
    role = getattr(request.user, "role", "")
    due: list[DueItem] | None = None
    due_count = 0
    mine = None
    mine_count = 0
    if can(request.user, "triage:view"):
        end_of_today = timezone.make_aware(
            dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), dt.time.min)
        )
        today = queue_page(
            request.user, filters=Filters(due_before=end_of_today), size=HOME_DUE_LIMIT
        )
        due, due_count = today.items, today.total
        mine = allocation.allocated_to(request.user, limit=HOME_MINE_LIMIT)
        mine_count = len(mine)
        if mine_count == HOME_MINE_LIMIT:
            mine_count = allocation.count_allocated_to(request.user)
    loads = caseloads(request.user) if can(request.user, "episode:allocate") else None
    return TemplateResponse(
        request,
        "web/home.html",
        {
            "role_summary": ROLE_SUMMARY.get(role, ()),
            "ward_sets": geo_queries.ward_sets(),
            "due": due,
            "due_count": due_count,
            "my_episodes": mine,
            "my_count": mine_count,
            "caseloads": loads,
            "can_record_referral": can(request.user, "referral:create"),
            # A partner worker's workspace: their agency's pathway inbox and caseload.
            "pathway_rows": partnership_queries.inbox(request.user, limit=HOME_INBOX_LIMIT)
            if can(request.user, "pathway:inbox")
            else None,
            "my_actions": meeting_queries.my_actions(request.user),
            "today": timezone.localdate(),
        },
    )


@never_cache
@login_not_required
@require_GET
@transaction.non_atomic_requests
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers and monitoring."""
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


# Seconds a client is asked to wait before trying again while the database is out of reach.
RETRY_AFTER = 5


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page, rendered without context processors: they may need the broken database.

    Under /api/ the answer is a problem-details document (RFC 9457) like every other API error,
    in the shape safehub.api.problems gives them, naming the request for the logs. A database
    out of reach (stopped, restarting, a dropped connection) is not a fault of the service but
    a moment to wait: 503 with Retry-After, so a client knows to try again. Django calls this
    view inside its exception handler, so the exception is `sys.exc_info()`'s.
    """
    ctx = context.current()
    request_id = ctx.request_id if ctx else ""
    unavailable = isinstance(sys.exc_info()[1], (OperationalError, InterfaceError))
    status = 503 if unavailable else 500
    if request.path.startswith("/api/"):
        detail = (
            "The database cannot be reached just now; nothing was changed. Try again."
            if unavailable
            else "Something went wrong; nothing was changed."
        )
        response: HttpResponse = JsonResponse(
            {
                "type": "about:blank",
                "title": "Service Unavailable" if unavailable else "Internal Server Error",
                "status": status,
                "detail": f"{detail} Request {request_id}".strip(),
            },
            status=status,
            content_type="application/problem+json",
        )
    else:
        template = "503.html" if unavailable else "500.html"
        body = loader.get_template(template).render(
            {"service_name": "Safehub", "request_id": request_id}
        )
        response = HttpResponse(body, status=status)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER)
    return response
