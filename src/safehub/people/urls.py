from django.urls import path

from safehub.people import views

urlpatterns = [
    path("children/search", views.search, name="child-search"),
    path("children/new", views.new_child, name="child-new"),
    path("children/<int:child_id>/notes/new", views.add_note, name="child-note-new"),
]
