"""Selection committee URLs (the flow that turns a retained candidate into a project).

Included by projects/urls.py: the selection view owns the flow, so it lives in the higher app and calls
the prospects service (decision) then the projects service (project creation)."""

from django.urls import path

from . import selection_views

urlpatterns = [
    path("selection/", selection_views.selection_list, name="selection.list"),
    path("selection/<int:pk>/", selection_views.selection_committee, name="selection.committee"),
    path(
        "selection/<int:pk>/candidats/<int:prospect_pk>/decision/",
        selection_views.selection_decide,
        name="selection.decide",
    ),
]
