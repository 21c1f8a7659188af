from django.urls import path

from safehub.duplicates import views

urlpatterns = [
    path("oversight/duplicates", views.queue, name="duplicates"),
    path("oversight/duplicates/<int:pair_id>", views.pair, name="duplicate-pair"),
    path("oversight/duplicates/<int:pair_id>/merge", views.merge, name="duplicate-merge"),
    path("oversight/duplicates/<int:pair_id>/dismiss", views.dismiss, name="duplicate-dismiss"),
    path("oversight/duplicates/<int:pair_id>/unmerge", views.unmerge, name="duplicate-unmerge"),
]
