from django.urls import path

from safehub.people import views

urlpatterns = [
    path("children/search", views.search, name="child-search"),
    path("children/new", views.new_child, name="child-new"),
    path("children/<int:child_id>/notes/new", views.add_note, name="child-note-new"),
    path("children/<int:child_id>/address/new", views.add_address, name="child-address-new"),
    path("children/<int:child_id>/care/new", views.add_care_period, name="child-care-new"),
    path("children/<int:child_id>/aliases/new", views.add_alias, name="child-alias-new"),
]
