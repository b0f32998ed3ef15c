"""Phase template URLs, included by projects/urls.py under the `projects` namespace (names `phasetemplate.*`)."""

from django.urls import path

from . import views

urlpatterns = [
    path("modeles-de-phase/", views.template_list, name="phasetemplate.list"),
    path("modeles-de-phase/modifier/", views.template_edit, name="phasetemplate.edit"),
    path("modeles-de-phase/<int:pk>/", views.template_detail, name="phasetemplate.detail"),
    path("<int:pk>/modeles-de-phase/", views.project_templates, name="phasetemplate.project"),
]
