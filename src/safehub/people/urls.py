from django.urls import path

from safehub.people import sharing_views, views

urlpatterns = [
    path("children/new", views.new_child, name="child-new"),
    path("children/<int:child_id>/notes/new", views.add_note, name="child-note-new"),
    path("children/<int:child_id>/address/new", views.add_address, name="child-address-new"),
    path("addresses/<int:address_id>", views.correct_address, name="address-correct"),
    path("addresses/<int:address_id>/withdraw", views.withdraw_address, name="address-withdraw"),
    path("children/<int:child_id>/care/new", views.add_care_period, name="child-care-new"),
    path("children/<int:child_id>/aliases/new", views.add_alias, name="child-alias-new"),
    path("children/<int:child_id>/share", sharing_views.share, name="child-share"),
    path("children/<int:child_id>/access-log", sharing_views.access_log, name="child-access-log"),
    path("shares/<int:share_id>/revoke", sharing_views.revoke, name="share-revoke"),
    path("shared", sharing_views.shared_with_me, name="shared"),
    path("emergency-access", sharing_views.emergency_access, name="emergency-access"),
    path("access/break-glass", sharing_views.break_glass_queue, name="break-glass-queue"),
    path(
        "access/break-glass/<int:grant_id>",
        sharing_views.break_glass_review,
        name="break-glass-review",
    ),
]
