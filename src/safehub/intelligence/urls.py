from django.urls import path

from safehub.intelligence import views

urlpatterns = [
    path("intelligence", views.intelligence, name="intelligence"),
    path("intelligence/locations/new", views.new_location, name="location-new"),
    path("intelligence/locations/<int:location_id>", views.location_page, name="location"),
    path(
        "intelligence/locations/<int:location_id>/link",
        views.link_child_to_location,
        name="location-link-child",
    ),
    path(
        "intelligence/locations/<int:location_id>/children/<int:child_id>/unlink",
        views.unlink_child_from_location,
        name="location-unlink-child",
    ),
    path("intelligence/persons/new", views.new_person, name="person-new"),
    path("intelligence/persons/<int:person_id>", views.person_page, name="person"),
    path(
        "intelligence/persons/<int:person_id>/link",
        views.link_child_to_person,
        name="person-link-child",
    ),
    path(
        "intelligence/persons/<int:person_id>/children/<int:child_id>/unlink",
        views.unlink_child_from_person,
        name="person-unlink-child",
    ),
    path(
        "intelligence/persons/<int:person_id>/locations/link",
        views.link_location_to_person,
        name="person-link-location",
    ),
    path(
        "intelligence/persons/<int:person_id>/locations/<int:location_id>/unlink",
        views.unlink_location_from_person,
        name="person-unlink-location",
    ),
    path("intelligence/disruptions/new", views.new_disruption, name="disruption-new"),
]
