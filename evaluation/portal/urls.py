"""Partner portal URLs (namespace `portal`, mounted at /portail/ by programme/urls.py)."""

from django.urls import path

from ..judgement.urls import portal_urlpatterns as judgement_urlpatterns
from .views import (
    conversations,
    deliverables,
    events,
    filrouge,
    funding,
    indicators,
    maturity,
    organisation,
    project,
)

app_name = "portal"

urlpatterns = [
    # Mon projet
    path("", project.home, name="home"),
    path("projets/<int:pk>/", project.project, name="project"),
    path("projets/<int:pk>/financement/", funding.funding, name="funding"),
    path("projets/<int:pk>/fil-rouge/", filrouge.fil_rouge, name="filrouge"),
    # Deliverables, actions, shared workshops and committees
    path("livrables/<int:pk>/", deliverables.deliverable_detail, name="deliverable"),
    path(
        "livrables/<int:pk>/versions/<int:number>/",
        deliverables.deliverable_download,
        name="deliverable.download",
    ),
    path("documents/<int:pk>/telecharger/", deliverables.document_download, name="document.download"),
    path("actions/<int:pk>/faite/", deliverables.action_done, name="action.done"),
    path("ateliers/<int:pk>/", deliverables.workshop_detail, name="workshop"),
    path("comites/<int:pk>/", deliverables.committee_detail, name="committee"),
    # Events the partner's structure is invited to (prospects.events)
    path("evenements/", events.event_list, name="events"),
    path("evenements/<int:pk>/inscription/", events.event_register, name="event.register"),
    # The partner's structure and personal data
    path("ma-structure/", organisation.organisation_detail, name="organisation"),
    path("ma-structure/modifier/", organisation.organisation_edit, name="organisation.edit"),
    path("ma-structure/contacts/nouveau/", organisation.contact_create, name="contact.create"),
    path("ma-structure/contacts/<int:pk>/modifier/", organisation.contact_edit, name="contact.edit"),
    path("mes-donnees/", organisation.my_data, name="my_data"),
    # Indicators and cooperative maturity
    path("indicateurs/<int:pk>/", indicators.indicator_detail, name="indicator"),
    path("mesures/<int:pk>/", indicators.measurement_detail, name="measurement"),
    path("mesures/<int:pk>/justificatif/", indicators.measurement_evidence, name="measurement.evidence"),
    path("maturite/<int:pk>/", maturity.maturity_detail, name="maturity"),
    # Threads with the team (projects.conversations)
    path("discussion/<slug:key>/<int:object_id>/", conversations.comment_post, name="comment.post"),
    path(
        "projets/<int:pk>/maturite/<slug:phase>/<slug:moment>/",
        maturity.maturity_moment,
        name="maturity.moment",
    ),
    path("projets/<int:pk>/maturite/ouvrir/", maturity.maturity_open, name="maturity.open"),
]

# The team's findings, recommendations and dossiers, once shared (evaluation/judgement/).
urlpatterns += judgement_urlpatterns
