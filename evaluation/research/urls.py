from django.urls import path

from . import views

# Included by evaluation/urls.py (namespace `evaluation`), names prefixed `research.`.
urlpatterns = [
    path("territoires/<int:pk>/activite/", views.territory_activity, name="research.territory_activity"),
    path("territoires/<int:pk>/recherche/", views.territory_research, name="research.territory_research"),
    path("territoires/<int:pk>/ressources/", views.territory_resources, name="research.territory_resources"),
    path(
        "territoires/<int:pk>/projets/<int:project_pk>/pilote/",
        views.pilot_project,
        name="research.pilot_project",
    ),
    path("cadre/", views.framework, name="research.framework"),
    path("cadre/versions/nouvelle/", views.version_create, name="research.version.create"),
    path("cadre/conditions/nouvelle/", views.condition_create, name="research.condition.create"),
    path("cadre/conditions/<int:pk>/modifier/", views.condition_edit, name="research.condition.edit"),
    path("journal/", views.journal, name="research.journal"),
    path("journal/nouvelle/", views.observation_create, name="research.observation.create"),
    path("journal/<int:pk>/", views.observation_detail, name="research.observation"),
    path("journal/<int:pk>/sources/ajouter/", views.source_add, name="research.source.add"),
    path("sources/<int:pk>/", views.source_download, name="research.source.download"),
    path("matrice/", views.matrix, name="research.matrix"),
    path("matrice/export/", views.matrix_export, name="research.matrix.export"),
    path("matrice/pdf/", views.matrix_pdf, name="research.matrix.pdf"),
    path("conditions/<int:pk>/", views.condition_detail, name="research.condition"),
    path("ressources/", views.resource_list, name="research.resource.list"),
    path("ressources/nouvelle/", views.resource_create, name="research.resource.create"),
    path("ressources/<int:pk>/", views.resource_detail, name="research.resource"),
    path("ressources/<int:pk>/modifier/", views.resource_edit, name="research.resource.edit"),
    path("ressources/<int:pk>/fichier/", views.resource_download, name="research.resource.download"),
]
