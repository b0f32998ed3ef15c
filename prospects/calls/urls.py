"""The team's URLs of the calls for applications, included by prospects/urls.py under the `prospects`
namespace (names `call.*`)."""

from django.urls import path

from .views import team

urlpatterns = [
    path("appels/", team.call_list, name="call.list"),
    path("appels/nouveau/", team.call_create, name="call.create"),
    path("appels/<int:pk>/", team.call_detail, name="call.detail"),
    path("appels/<int:pk>/modifier/", team.call_edit, name="call.edit"),
    path("appels/<int:pk>/questions/", team.call_questions, name="call.questions"),
    path("appels/<int:pk>/candidatures/", team.application_list, name="call.applications"),
    path("appels/<int:pk>/candidatures/ajouter/", team.application_add, name="call.application.add"),
    path(
        "appels/<int:pk>/candidatures/export.<str:fmt>",
        team.application_export,
        name="call.applications.export",
    ),
    path("<int:pk>/candidatures/", team.prospect_applications, name="call.prospect"),
    path("candidatures/<int:pk>/", team.application_detail, name="call.application"),
    path("candidatures/reponses/<int:pk>/fichier/", team.answer_file, name="call.answer.file"),
]
