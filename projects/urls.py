from django.urls import path

from . import views
from .selection import urls as selection_urls

app_name = "projects"

urlpatterns: list = [
    path("", views.project_list, name="project.list"),
    path("tableau/", views.project_board, name="project.board"),
    path("nouveau/", views.project_create, name="project.create"),
    path("echeances/", views.deadline_list, name="deadline.list"),
    path("agenda/", views.calendar_settings, name="calendar"),
    path("agenda/lien/", views.calendar_token, name="calendar.token"),
    path("agenda/<str:token>.ics", views.calendar_feed, name="calendar.feed"),
    path("<int:pk>/", views.project_detail, name="project.detail"),
    path("<int:pk>/modifier/", views.project_edit, name="project.edit"),
    path("<int:pk>/collectif/", views.project_collective, name="project.collective"),
    path("<int:pk>/frise/", views.project_timeline, name="project.timeline"),
    path("<int:pk>/ateliers/", views.project_workshops, name="project.workshops"),
    path("<int:pk>/gouvernance/", views.project_governance, name="project.governance"),
    path("<int:pk>/deploiement/", views.project_deployment, name="project.deployment"),
    path("<int:pk>/livrables/", views.project_deliverables, name="project.deliverables"),
    path("<int:pk>/documents/", views.project_documents, name="project.documents"),
    path("<int:pk>/decision/", views.gate_dossier, name="gate.dossier"),
    path("<int:pk>/decision/decider/", views.gate_decide, name="gate.decide"),
    path("<int:pk>/collectif/ajouter/", views.membership_create, name="membership.create"),
    path("membres/<int:pk>/modifier/", views.membership_edit, name="membership.edit"),
    path("<int:pk>/parties-prenantes/ajouter/", views.stakeholder_create, name="stakeholder.create"),
    path("parties-prenantes/<int:pk>/modifier/", views.stakeholder_edit, name="stakeholder.edit"),
    path("<int:pk>/ateliers/nouveau/", views.workshop_create, name="workshop.create"),
    path("ateliers/<int:pk>/", views.workshop_detail, name="workshop.detail"),
    path("ateliers/<int:pk>/modifier/", views.workshop_edit, name="workshop.edit"),
    path("ateliers/<int:pk>/elements/", views.workshop_item_create, name="workshop.item.create"),
    path("<int:pk>/comites/nouveau/", views.committee_create, name="committee.create"),
    path("comites/<int:pk>/", views.committee_detail, name="committee.detail"),
    path("comites/<int:pk>/modifier/", views.committee_edit, name="committee.edit"),
    path("comites/<int:pk>/decisions/", views.committee_decision_create, name="committee.decision.create"),
    path("<int:pk>/actions/nouvelle/", views.action_create, name="action.create"),
    path("actions/<int:pk>/modifier/", views.action_edit, name="action.edit"),
    path("<int:pk>/sites/nouveau/", views.site_create, name="site.create"),
    path("sites/<int:pk>/modifier/", views.site_edit, name="site.edit"),
    path("<int:pk>/diffusions/nouvelle/", views.dissemination_create, name="dissemination.create"),
    path("diffusions/<int:pk>/modifier/", views.dissemination_edit, name="dissemination.edit"),
    path("<int:pk>/plaidoyer/nouveau/", views.advocacy_create, name="advocacy.create"),
    path("plaidoyer/<int:pk>/modifier/", views.advocacy_edit, name="advocacy.edit"),
    path("<int:pk>/jalons/nouveau/", views.milestone_create, name="milestone.create"),
    path("jalons/<int:pk>/modifier/", views.milestone_edit, name="milestone.edit"),
    path("<int:pk>/livrables/nouveau/", views.deliverable_create, name="deliverable.create"),
    path("livrables/<int:pk>/modifier/", views.deliverable_edit, name="deliverable.edit"),
    path("livrables/<int:pk>/deposer/", views.deliverable_upload, name="deliverable.upload"),
    path("livrables/<int:pk>/examen/", views.deliverable_review, name="deliverable.review"),
    path(
        "livrables/<int:pk>/versions/<int:number>/", views.deliverable_download, name="deliverable.download"
    ),
    path("<int:pk>/documents/nouveau/", views.document_create, name="document.create"),
    path("documents/<int:pk>/nouvelle-version/", views.document_upload, name="document.upload"),
    path("documents/<int:pk>/telecharger/", views.document_download, name="document.download"),
    path(
        "documents/<int:pk>/versions/<int:number>/",
        views.document_version_download,
        name="document.version.download",
    ),
] + selection_urls.urlpatterns
