"""Partner portal URLs contributed by the projects app (namespace `portal`, mounted at /portail/).

"Mon projet" (`portal:home`, `portal:project`) is served by evaluation/portal_urls.py: it shows the
indicators to report and the maturity self-assessment, which this app may not import."""

from django.urls import path

from . import portal_views as views

urlpatterns: list = [
    path("livrables/<int:pk>/", views.deliverable_detail, name="deliverable"),
    path(
        "livrables/<int:pk>/versions/<int:number>/", views.deliverable_download, name="deliverable.download"
    ),
    path("documents/<int:pk>/telecharger/", views.document_download, name="document.download"),
    path("actions/<int:pk>/faite/", views.action_done, name="action.done"),
    path("ateliers/<int:pk>/", views.workshop_detail, name="workshop"),
    path("comites/<int:pk>/", views.committee_detail, name="committee"),
    path("ma-structure/", views.organisation_detail, name="organisation"),
    path("ma-structure/modifier/", views.organisation_edit, name="organisation.edit"),
    path("ma-structure/contacts/nouveau/", views.contact_create, name="contact.create"),
    path("ma-structure/contacts/<int:pk>/modifier/", views.contact_edit, name="contact.edit"),
    path("mes-donnees/", views.my_data, name="my_data"),
]
