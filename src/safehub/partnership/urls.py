from django.urls import path

from safehub.partnership import views

urlpatterns = [
    path("children/<int:child_id>/pathway/new", views.refer, name="pathway-new"),
    path("children/<int:child_id>/observations/new", views.observation, name="observation-new"),
    path("children/<int:child_id>/concern", views.concern, name="concern-new"),
    path("pathway", views.inbox, name="pathway-inbox"),
    path("pathway/<int:pathway_id>", views.detail, name="pathway"),
    path("pathway/<int:pathway_id>/accept", views.accept, name="pathway-accept"),
    path("pathway/<int:pathway_id>/decline", views.decline, name="pathway-decline"),
    path("pathway/<int:pathway_id>/first-contact", views.first_contact, name="pathway-contact"),
    path("pathway/<int:pathway_id>/update", views.update, name="pathway-update"),
    path("pathway/<int:pathway_id>/close", views.close, name="pathway-close"),
    path("pathway/<int:pathway_id>/hand-back", views.hand_back, name="pathway-hand-back"),
    path("pathway/<int:pathway_id>/seen", views.seen, name="pathway-seen"),
]
