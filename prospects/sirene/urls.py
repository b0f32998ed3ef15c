"""The register's URLs, in the prospects namespace (included by prospects/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("radar/", views.radar, name="radar"),
    path("radar/ajouter/", views.radar_add, name="radar.add"),
    path("radar/recherches/", views.saved_search_save, name="radar.search.save"),
    path("radar/recherches/<int:pk>/supprimer/", views.saved_search_delete, name="radar.search.delete"),
    path("radar/imports/", views.import_list, name="register.imports"),
    path("radar/panneau/", views.panel, name="panel.radar"),
    path("radar/repertoire/", views.lookup, name="register.lookup"),
    path("radar/territoires/<int:pk>/", views.territory_density, name="register.territory"),
    path("radar/structures/<int:pk>/", views.organisation_register, name="register.organisation"),
]
