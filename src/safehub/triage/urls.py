from django.urls import path

from safehub.triage import views

urlpatterns = [path("triage", views.queue, name="triage")]
