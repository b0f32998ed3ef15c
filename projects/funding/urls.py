"""Money URLs, included by projects/urls.py under the `projects` namespace (names `funding.*`)."""

from django.urls import path

from . import views

urlpatterns = [
    path("financeurs/", views.funder_list, name="funding.funders"),
    path("financeurs/programmes/nouveau/", views.programme_create, name="funding.programme.create"),
    path("financeurs/programmes/<int:pk>/modifier/", views.programme_edit, name="funding.programme.edit"),
    path("<int:pk>/financement/", views.funding_page, name="funding.page"),
    path("<int:pk>/financement/partage/", views.funding_share, name="funding.share"),
    path("<int:pk>/financement/lignes/nouvelle/", views.line_create, name="funding.line.create"),
    path("financement/lignes/<int:pk>/modifier/", views.line_edit, name="funding.line.edit"),
    path("financement/lignes/<int:pk>/supprimer/", views.line_delete, name="funding.line.delete"),
    path("<int:pk>/financement/demandes/nouvelle/", views.request_create, name="funding.request.create"),
    path("financement/demandes/<int:pk>/modifier/", views.request_edit, name="funding.request.edit"),
    path("financement/demandes/<int:pk>/etat/", views.request_move, name="funding.request.move"),
    path("financement/demandes/<int:pk>/document/", views.request_document, name="funding.request.document"),
    path(
        "financement/documents/<int:pk>/",
        views.request_document_download,
        name="funding.request.document.download",
    ),
    path(
        "financement/demandes/<int:pk>/convention/", views.convention_create, name="funding.convention.create"
    ),
    path("financement/conventions/<int:pk>/modifier/", views.convention_edit, name="funding.convention.edit"),
    path(
        "financement/conventions/<int:pk>/echeances/nouvelle/",
        views.instalment_create,
        name="funding.instalment.create",
    ),
    path("financement/echeances/<int:pk>/modifier/", views.instalment_edit, name="funding.instalment.edit"),
    path(
        "financement/conventions/<int:pk>/versements/nouveau/",
        views.payment_create,
        name="funding.payment.create",
    ),
    path(
        "financement/conventions/<int:pk>/justificatifs/nouveau/",
        views.justification_create,
        name="funding.justification.create",
    ),
    path(
        "financement/justificatifs/<int:pk>/modifier/",
        views.justification_edit,
        name="funding.justification.edit",
    ),
]
