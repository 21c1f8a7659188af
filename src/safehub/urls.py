from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", include("safehub.web.urls")),
    # One sign-in page for everything, so every sign-in is audited and later gains two
    # factors in one place.
    path(
        "admin/login/",
        login_not_required(RedirectView.as_view(pattern_name="web:login", query_string=True)),
    ),
    path("admin/", admin.site.urls),
]

handler500 = "safehub.web.views.server_error"
