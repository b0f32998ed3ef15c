from django.urls import path

from . import views
from .reports import urls as report_urls

app_name = "evaluation"

urlpatterns: list = [
    path("", views.home, name="home"),
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
    path("tableau-de-bord/export/<slug:table>.<slug:fmt>", views.dashboard_export, name="dashboard.export"),
    # Indicator library
    path("indicateurs/", views.indicator_list, name="indicator.list"),
    path("indicateurs/nouveau/", views.indicator_create, name="indicator.create"),
    path("indicateurs/<int:pk>/modifier/", views.indicator_edit, name="indicator.edit"),
    # Protocol of a project
    path("projets/<int:project_pk>/", views.protocol, name="protocol"),
    path("projets/<int:project_pk>/questions/nouvelle/", views.question_create, name="question.create"),
    path("questions/<int:pk>/modifier/", views.question_edit, name="question.edit"),
    path("questions/<int:pk>/supprimer/", views.question_delete, name="question.delete"),
    path("questions/<int:question_pk>/criteres/nouveau/", views.criterion_create, name="criterion.create"),
    path("criteres/<int:pk>/modifier/", views.criterion_edit, name="criterion.edit"),
    path("criteres/<int:pk>/supprimer/", views.criterion_delete, name="criterion.delete"),
    path(
        "projets/<int:project_pk>/indicateurs/ajouter/",
        views.project_indicator_create,
        name="project_indicator.create",
    ),
    path("suivi/<int:pk>/", views.project_indicator_detail, name="project_indicator.detail"),
    path("suivi/<int:pk>/modifier/", views.project_indicator_edit, name="project_indicator.edit"),
    path("suivi/<int:pk>/retirer/", views.project_indicator_delete, name="project_indicator.delete"),
    path("suivi/<int:pk>/cibles/", views.target_add, name="target.add"),
    path("cibles/<int:pk>/supprimer/", views.target_delete, name="target.delete"),
    # Measurements
    path("mesures/a-valider/", views.measurement_queue, name="measurement.queue"),
    path("suivi/<int:pk>/mesures/nouvelle/", views.measurement_create, name="measurement.create"),
    path("mesures/<int:pk>/modifier/", views.measurement_edit, name="measurement.edit"),
    path("mesures/<int:pk>/valider/", views.measurement_validate, name="measurement.validate"),
    path("mesures/<int:pk>/renvoyer/", views.measurement_return, name="measurement.return"),
    path("mesures/<int:pk>/deverrouiller/", views.measurement_unlock, name="measurement.unlock"),
    path("mesures/<int:pk>/justificatif/", views.measurement_evidence, name="measurement.evidence"),
    path("projets/<int:project_pk>/verrouiller/", views.measurement_lock, name="measurement.lock"),
    # Cooperative maturity
    path("projets/<int:project_pk>/maturite/nouvelle/", views.maturity_create, name="maturity.create"),
    path("maturite/<int:pk>/modifier/", views.maturity_edit, name="maturity.edit"),
    # Lessons learned
    path("enseignements/", views.lesson_list, name="lesson.list"),
    path("enseignements/kit-essaimage/", views.lesson_kit, name="lesson.kit"),
    path("enseignements/nouveau/", views.lesson_create, name="lesson.create"),
    path("enseignements/<int:pk>/", views.lesson_detail, name="lesson.detail"),
    path("enseignements/<int:pk>/modifier/", views.lesson_edit, name="lesson.edit"),
    path("enseignements/<int:pk>/supprimer/", views.lesson_delete, name="lesson.delete"),
] + report_urls.urlpatterns
