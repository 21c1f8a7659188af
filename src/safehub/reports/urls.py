from django.urls import path

from safehub.reports import views

app_name = "reports"
urlpatterns = [path("reports/committee", views.committee_report, name="committee")]
