from django.urls import path

from safehub.referrals import intake_views, override_views, signoff_views, views

urlpatterns = [
    path("referrals/new", views.new_referral, name="referral-new"),
    path("referrals/new-child", intake_views.new_child_referral, name="referral-new-child"),
    path("referrals/<int:referral_id>", views.referral_page, name="referral"),
    path("referrals/<int:referral_id>/screening", views.screen, name="referral-screening"),
    path("referrals/<int:referral_id>/decision", views.decide, name="referral-decision"),
    path("oversight/overrides", override_views.override_list, name="overrides"),
    path(
        "oversight/overrides/<int:screening_id>/review",
        override_views.review,
        name="override-review",
    ),
    path("oversight/sign-off", signoff_views.queue, name="sign-off"),
    path("oversight/sign-off/<int:request_id>", signoff_views.decide, name="sign-off-decide"),
    path("referrals/<int:referral_id>/withdraw", views.withdraw, name="referral-withdraw"),
]
