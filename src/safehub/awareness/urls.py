from django.urls import path

from safehub.awareness import views

app_name = "awareness"
urlpatterns = [path("", views.coverage, name="coverage")]
