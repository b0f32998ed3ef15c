from django.urls import path

from .conversations import urls as conversation_urls
from .funding import urls as funding_urls
from .inbox import urls as inbox_urls
from .mailing import urls as mailing_urls
from .phasetemplates import urls as phasetemplate_urls
from .relations import urls as relations_urls
from .selection import urls as selection_urls
from .views import calendar, collective, deliverables, deployment, governance, project, workshops

app_name = "projects"

urlpatterns: list = (
    [
        path("", project.project_list, name="project.list"),
        path("export.<str:fmt>", project.project_export, name="project.export"),
        path("actions/", project.project_bulk, name="project.bulk"),
        path("tableau/", project.project_board, name="project.board"),
        path("nouveau/", project.project_create, name="project.create"),
        path("choix/", project.project_options, name="project.options"),
        path("echeances/", calendar.deadline_list, name="deadline.list"),
        path("echeances/panneau/", calendar.deadlines_panel, name="panel.deadlines"),
        path("agenda/", calendar.calendar_settings, name="calendar"),
        path("agenda/lien/", calendar.calendar_token, name="calendar.token"),
        path("agenda/<str:token>.ics", calendar.calendar_feed, name="calendar.feed"),
        path("<int:pk>/", project.project_detail, name="project.detail"),
        path("<int:pk>/modifier/", project.project_edit, name="project.edit"),
        path("<int:pk>/collectif/", collective.project_collective, name="project.collective"),
        path("<int:pk>/frise/", project.project_timeline, name="project.timeline"),
        path("<int:pk>/ateliers/", workshops.project_workshops, name="project.workshops"),
        path("<int:pk>/gouvernance/", governance.project_governance, name="project.governance"),
        path("<int:pk>/deploiement/", deployment.project_deployment, name="project.deployment"),
        path("<int:pk>/livrables/", deliverables.project_deliverables, name="project.deliverables"),
        path("<int:pk>/documents/", deliverables.project_documents, name="project.documents"),
        path("<int:pk>/decision/", project.gate_dossier, name="gate.dossier"),
        path("<int:pk>/decision/decider/", project.gate_decide, name="gate.decide"),
        path("<int:pk>/collectif/ajouter/", collective.membership_create, name="membership.create"),
        path("membres/<int:pk>/modifier/", collective.membership_edit, name="membership.edit"),
        path("<int:pk>/parties-prenantes/ajouter/", collective.stakeholder_create, name="stakeholder.create"),
        path("parties-prenantes/<int:pk>/modifier/", collective.stakeholder_edit, name="stakeholder.edit"),
        path("<int:pk>/ateliers/nouveau/", workshops.workshop_create, name="workshop.create"),
        path("ateliers/<int:pk>/", workshops.workshop_detail, name="workshop.detail"),
        path("ateliers/<int:pk>/modifier/", workshops.workshop_edit, name="workshop.edit"),
        path("ateliers/<int:pk>/elements/", workshops.workshop_item_create, name="workshop.item.create"),
        path("<int:pk>/comites/nouveau/", governance.committee_create, name="committee.create"),
        path("comites/<int:pk>/", governance.committee_detail, name="committee.detail"),
        path("comites/<int:pk>/modifier/", governance.committee_edit, name="committee.edit"),
        path(
            "comites/<int:pk>/decisions/",
            governance.committee_decision_create,
            name="committee.decision.create",
        ),
        path("<int:pk>/actions/nouvelle/", governance.action_create, name="action.create"),
        path("actions/<int:pk>/modifier/", governance.action_edit, name="action.edit"),
        path("<int:pk>/sites/nouveau/", deployment.site_create, name="site.create"),
        path("sites/<int:pk>/modifier/", deployment.site_edit, name="site.edit"),
        path("<int:pk>/diffusions/nouvelle/", deployment.dissemination_create, name="dissemination.create"),
        path("diffusions/<int:pk>/modifier/", deployment.dissemination_edit, name="dissemination.edit"),
        path("<int:pk>/plaidoyer/nouveau/", deployment.advocacy_create, name="advocacy.create"),
        path("plaidoyer/<int:pk>/modifier/", deployment.advocacy_edit, name="advocacy.edit"),
        path("<int:pk>/jalons/nouveau/", deliverables.milestone_create, name="milestone.create"),
        path("jalons/<int:pk>/modifier/", deliverables.milestone_edit, name="milestone.edit"),
        path("<int:pk>/livrables/nouveau/", deliverables.deliverable_create, name="deliverable.create"),
        path("livrables/<int:pk>/modifier/", deliverables.deliverable_edit, name="deliverable.edit"),
        path("livrables/<int:pk>/deposer/", deliverables.deliverable_upload, name="deliverable.upload"),
        path("livrables/<int:pk>/examen/", deliverables.deliverable_review, name="deliverable.review"),
        path(
            "livrables/<int:pk>/versions/<int:number>/",
            deliverables.deliverable_download,
            name="deliverable.download",
        ),
        path("<int:pk>/documents/nouveau/", deliverables.document_create, name="document.create"),
        path("documents/<int:pk>/nouvelle-version/", deliverables.document_upload, name="document.upload"),
        path("documents/<int:pk>/telecharger/", deliverables.document_download, name="document.download"),
        path(
            "documents/<int:pk>/versions/<int:number>/",
            deliverables.document_version_download,
            name="document.version.download",
        ),
    ]
    + selection_urls.urlpatterns
    + funding_urls.urlpatterns
    + conversation_urls.urlpatterns
    + relations_urls.urlpatterns
    + mailing_urls.urlpatterns
    + phasetemplate_urls.urlpatterns
    + inbox_urls.urlpatterns
)
