from django.urls import path

from safehub.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in", views.SignInView.as_view(), name="login"),
    path("sign-out", views.SignOutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
]
