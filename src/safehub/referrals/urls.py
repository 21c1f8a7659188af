from django.urls import path

from safehub.referrals import views

urlpatterns = [
    path("referrals/new", views.new_referral, name="referral-new"),
    path("referrals/<int:referral_id>", views.referral_page, name="referral"),
    path("referrals/<int:referral_id>/screening", views.screen, name="referral-screening"),
    path("referrals/<int:referral_id>/decision", views.decide, name="referral-decision"),
    path("referrals/<int:referral_id>/withdraw", views.withdraw, name="referral-withdraw"),
]
