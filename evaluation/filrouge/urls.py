"""Fil rouge URLs (names `evaluation:filrouge*`), included by evaluation/urls.py."""

from django.urls import URLPattern, path

from . import views

urlpatterns: list[URLPattern] = [
    path("projets/<int:project_pk>/fil-rouge/", views.fil_rouge, name="filrouge"),
    path("suivi/<int:pk>/productions/", views.indicator_outputs, name="filrouge.indicator_outputs"),
    path(
        "projets/<int:project_pk>/enseignements/<int:pk>/sources/",
        views.lesson_sources,
        name="filrouge.lesson_sources",
    ),
]
