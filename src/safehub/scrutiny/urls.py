from django.urls import path

from safehub.scrutiny import views

urlpatterns = [
    path("scrutiny/", views.index, name="scrutiny"),
    path("scrutiny/meetings/new", views.new_meeting, name="scrutiny-meeting-new"),
    path(
        "scrutiny/meetings/<int:committee_meeting_id>", views.meeting_page, name="scrutiny-meeting"
    ),
    path(
        "scrutiny/meetings/<int:committee_meeting_id>/resolutions/new",
        views.new_resolution,
        name="scrutiny-resolution-new",
    ),
    path(
        "scrutiny/resolutions/<int:resolution_id>/actions/new",
        views.new_action,
        name="scrutiny-action-new",
    ),
    path("scrutiny/actions/<int:scrutiny_action_id>", views.action_page, name="scrutiny-action"),
    path(
        "scrutiny/actions/<int:scrutiny_action_id>/progress",
        views.record_progress,
        name="scrutiny-progress",
    ),
]
