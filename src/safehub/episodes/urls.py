from django.urls import path

from safehub.episodes import allocation_views, views

urlpatterns = [
    path("episodes/<int:episode_id>", views.episode_page, name="episode"),
    path("episodes/<int:episode_id>/risk", views.change_risk, name="episode-risk"),
    path("episodes/<int:episode_id>/review", views.review, name="episode-review"),
    path("episodes/<int:episode_id>/close", views.close, name="episode-close"),
    path(
        "episodes/<int:episode_id>/risk/<int:change_id>/withdraw",
        views.withdraw_risk_change,
        name="episode-risk-withdraw",
    ),
    path("allocation", allocation_views.allocate, name="allocation"),
    path("my-children", allocation_views.my_children, name="my-children"),
    path("missing/<int:missing_id>", views.update_missing, name="missing"),
    path("missing/<int:missing_id>/withdraw", views.withdraw_missing, name="missing-withdraw"),
]
