"""Exchanges and the structure page's pieces, included by projects/urls.py under the `projects` namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("structures/<int:pk>/projets/", views.structure_projects, name="structure.projects"),
    path("structures/<int:pk>/historique/", views.structure_timeline, name="structure.timeline"),
    path(
        "structures/<int:pk>/echanges/nouveau/",
        views.structure_exchange_create,
        name="structure.exchange.create",
    ),
    path("<int:pk>/echanges/nouveau/", views.exchange_create, name="exchange.create"),
    path("echanges/<int:pk>/modifier/", views.exchange_edit, name="exchange.edit"),
    path("echanges/<int:pk>/fait/", views.exchange_done, name="exchange.done"),
]
