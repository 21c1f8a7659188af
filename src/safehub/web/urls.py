from django.contrib.auth import views as django_auth_views
from django.urls import path

from safehub.web import auth_views, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in", views.SignInView.as_view(), name="login"),
    path("sign-in/code", auth_views.sign_in_code, name="otp"),
    path("sign-in/set-up", auth_views.sign_in_set_up, name="otp_setup"),
    path("sign-in/confirm", auth_views.reauthenticate, name="reauthenticate"),
    path("sign-out", django_auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
]
