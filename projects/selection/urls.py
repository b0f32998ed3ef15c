"""Selection committee URLs, included by projects/urls.py under the `projects` namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("selection/", views.selection_list, name="selection.list"),
    path("selection/<int:pk>/", views.selection_committee, name="selection.committee"),
    path(
        "selection/<int:pk>/candidats/<int:prospect_pk>/decision/",
        views.selection_decide,
        name="selection.decide",
    ),
]
