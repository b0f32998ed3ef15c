"""Money URLs, included by projects/urls.py under the `projects` namespace (names `funding.*`)."""

from collections.abc import Callable
from typing import Any

from django.urls import URLPattern, path

from . import views

#: The French path segment of each action on a record.
ACTIONS = {"edit": "modifier", "delete": "supprimer"}


def record(segment: str, name: str, **actions: Callable[..., Any]) -> list[URLPattern]:
    """`financement/<segment>/<pk>/modifier/` (`funding.<name>.edit`) and `…/supprimer/`
    (`funding.<name>.delete`) for the actions given: one builder instead of a line per record and action."""
    return [
        path(
            f"financement/{segment}/<int:pk>/{ACTIONS.get(action, action)}/",
            view,
            name=f"funding.{name}.{action}",
        )
        for action, view in actions.items()
    ]


def child(
    parent: str, segment: str, name: str, view: Callable[..., Any], new: str = "nouvelle"
) -> URLPattern:
    """The page that adds a record under its parent (`<pk>` is the parent's)."""
    prefix = f"{parent}/" if parent else ""
    return path(f"{prefix}<int:pk>/{segment}/{new}/", view, name=f"funding.{name}.create")


urlpatterns = [
    path("financeurs/", views.funder_list, name="funding.funders"),
    path("financeurs/programmes/nouveau/", views.programme_create, name="funding.programme.create"),
    path("financeurs/programmes/<int:pk>/modifier/", views.programme_edit, name="funding.programme.edit"),
    path("<int:pk>/financement/", views.funding_page, name="funding.page"),
    path("<int:pk>/financement/partage/", views.funding_share, name="funding.share"),
    child("", "financement/lignes", "line", views.line_create),
    *record("lignes", "line", edit=views.line_edit, delete=views.line_delete),
    child("", "financement/demandes", "request", views.request_create),
    *record("demandes", "request", edit=views.request_edit),
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
    *record("conventions", "convention", edit=views.convention_edit),
    child("financement/conventions", "echeances", "instalment", views.instalment_create),
    *record("echeances", "instalment", edit=views.instalment_edit, delete=views.instalment_delete),
    child("financement/conventions", "versements", "payment", views.payment_create, new="nouveau"),
    *record("versements", "payment", edit=views.payment_edit, delete=views.payment_delete),
    child(
        "financement/conventions", "justificatifs", "justification", views.justification_create, new="nouveau"
    ),
    *record(
        "justificatifs", "justification", edit=views.justification_edit, delete=views.justification_delete
    ),
]
