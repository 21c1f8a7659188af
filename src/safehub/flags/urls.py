from django.urls import path

from safehub.flags import views

urlpatterns = [
    path("children/<int:child_id>/flags/new", views.new_flag, name="flag-new"),
    path("flags/<int:flag_id>", views.flag_page, name="flag"),
    path("flags/<int:flag_id>/edit", views.edit_flag, name="flag-edit"),
    path("flags/<int:flag_id>/sign-off", views.sign_off, name="flag-sign-off"),
    path("flags/<int:flag_id>/end", views.end_flag, name="flag-end"),
    path("flags/<int:flag_id>/withdraw", views.withdraw_flag, name="flag-withdraw"),
]
