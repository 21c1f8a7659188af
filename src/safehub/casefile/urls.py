from django.urls import path

from safehub.casefile import chronology_views, views
from safehub.episodes import views as episode_views

urlpatterns = [
    path("children/search", views.search, name="child-search"),
    path("children/<int:child_id>", views.child_page, name="child"),
    path("children/<int:child_id>/chronology", chronology_views.chronology_page, name="chronology"),
    path("children/<int:child_id>/chronology.pdf", chronology_views.chronology_pdf),
    path("children/<int:child_id>/chronology.csv", chronology_views.chronology_csv),
    path("children/<int:child_id>/missing/new", episode_views.new_missing, name="missing-new"),
]
