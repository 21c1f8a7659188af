from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", include("safehub.web.urls")),
    path("", include("safehub.people.urls")),
    path("", include("safehub.referrals.urls")),
    path("", include("safehub.episodes.urls")),
    path("", include("safehub.flags.urls")),
    path("", include("safehub.scrutiny.urls")),
    path("", include("safehub.intelligence.urls")),
    path("", include("safehub.partnership.urls")),
    path("", include("safehub.meetings.urls")),
    path("", include("safehub.triage.urls")),
    path("", include("safehub.casefile.urls")),
    path("", include("safehub.duplicates.urls")),
    path("", include("safehub.reports.urls")),
    path("awareness/", include("safehub.awareness.urls")),
    path("notifications/", include("safehub.notifications.urls")),
    # One sign-in page for everything, so every sign-in is audited and later gains two
    # factors in one place.
    path(
        "admin/login/",
        login_not_required(RedirectView.as_view(pattern_name="web:login", query_string=True)),
    ),
    path("admin/", admin.site.urls),
    path("api/v1/", include("safehub.api.urls")),
]

handler500 = "safehub.web.views.server_error"
