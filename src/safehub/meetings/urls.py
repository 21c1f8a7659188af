from django.urls import path

from safehub.meetings import views

urlpatterns = [
    path("meetings", views.meeting_list, name="meetings"),
    path("meetings/new", views.new_meeting, name="meeting-new"),
    path("meetings/<int:meeting_id>", views.meeting_page, name="meeting"),
    path("meetings/<int:meeting_id>/actions/new", views.new_action, name="meeting-action-new"),
    path("meetings/<int:meeting_id>/minutes.pdf", views.minutes_pdf, name="meeting-minutes-pdf"),
    path("meetings/actions/<int:action_id>", views.action_status, name="meeting-action"),
]
