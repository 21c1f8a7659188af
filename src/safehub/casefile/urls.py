from django.urls import path

from safehub.casefile import views
from safehub.episodes import views as episode_views

urlpatterns = [
    path("children/search", views.search, name="child-search"),
    path("children/<int:child_id>", views.child_page, name="child"),
    path("children/<int:child_id>/missing/new", episode_views.new_missing, name="missing-new"),
]
