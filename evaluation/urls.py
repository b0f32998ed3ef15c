from django.urls import URLPattern, URLResolver, include, path

from .filrouge import urls as filrouge_urls
from .judgement import urls as judgement_urls
from .reports import urls as report_urls
from .research import urls as research_urls
from .views import events, lessons, library, maturity, measurements, panels, protocol
from .views.measurements import Transition

app_name = "evaluation"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", library.home, name="home"),
    # Events (prospects.events): figures, attendance sheet and certificates
    path("evenements/<int:pk>/chiffres/", events.event_figures_panel, name="event.figures"),
    path("evenements/<int:pk>/emargement.pdf", events.attendance_sheet, name="event.sheet"),
    path("inscriptions/<int:pk>/attestation.pdf", events.attendance_certificate, name="event.certificate"),
    # Indicator library
    path("indicateurs/", library.indicator_list, name="indicator.list"),
    path("indicateurs/nouveau/", library.indicator_form, name="indicator.create"),
    path("indicateurs/<int:pk>/modifier/", library.indicator_form, name="indicator.edit"),
    # Protocol of a project
    path("projets/<int:project_pk>/", protocol.protocol, name="protocol"),
    path(
        "projets/<int:project_pk>/dossier-decision/",
        protocol.gate_dossier_section,
        name="gate_dossier.section",
    ),
    path("projets/<int:project_pk>/questions/nouvelle/", protocol.question_form, name="question.create"),
    path("questions/<int:pk>/modifier/", protocol.question_form, name="question.edit"),
    path("questions/<int:pk>/supprimer/", protocol.question_delete, name="question.delete"),
    path("questions/<int:question_pk>/criteres/nouveau/", protocol.criterion_form, name="criterion.create"),
    path("criteres/<int:pk>/modifier/", protocol.criterion_form, name="criterion.edit"),
    path("criteres/<int:pk>/supprimer/", protocol.criterion_delete, name="criterion.delete"),
    path(
        "projets/<int:project_pk>/indicateurs/ajouter/",
        protocol.project_indicator_form,
        name="project_indicator.create",
    ),
    path("suivi/<int:pk>/", protocol.project_indicator_detail, name="project_indicator.detail"),
    path("suivi/<int:pk>/modifier/", protocol.project_indicator_form, name="project_indicator.edit"),
    path("suivi/<int:pk>/retirer/", protocol.project_indicator_delete, name="project_indicator.delete"),
    path("suivi/<int:pk>/cibles/", protocol.target_add, name="target.add"),
    path("cibles/<int:pk>/supprimer/", protocol.target_delete, name="target.delete"),
    # Measurements
    path("mesures/a-valider/", measurements.measurement_queue, name="measurement.queue"),
    path("mesures/a-valider/panneau/", panels.measurements_panel, name="panel.measurements"),
    path("suivi/<int:pk>/mesures/nouvelle/", measurements.measurement_create, name="measurement.create"),
    path("mesures/<int:pk>/modifier/", measurements.measurement_edit, name="measurement.edit"),
    path(
        "mesures/<int:pk>/valider/",
        measurements.measurement_transition,
        {"transition": Transition.VALIDATE},
        name="measurement.validate",
    ),
    path(
        "mesures/<int:pk>/renvoyer/",
        measurements.measurement_transition,
        {"transition": Transition.RETURN},
        name="measurement.return",
    ),
    path(
        "mesures/<int:pk>/deverrouiller/",
        measurements.measurement_transition,
        {"transition": Transition.UNLOCK},
        name="measurement.unlock",
    ),
    path("mesures/<int:pk>/justificatif/", measurements.measurement_evidence, name="measurement.evidence"),
    path("projets/<int:project_pk>/verrouiller/", measurements.measurement_lock, name="measurement.lock"),
    # Cooperative maturity
    path("projets/<int:project_pk>/maturite/nouvelle/", maturity.maturity_form, name="maturity.create"),
    path("maturite/<int:pk>/modifier/", maturity.maturity_form, name="maturity.edit"),
    path("projets/<int:project_pk>/maturite/dispense/", maturity.maturity_waive, name="maturity.waive"),
    # Lessons learned
    path("enseignements/", lessons.lesson_list, name="lesson.list"),
    path("enseignements/kit-essaimage/", lessons.lesson_kit, name="lesson.kit"),
    path("enseignements/nouveau/", lessons.lesson_form, name="lesson.create"),
    path("enseignements/<int:pk>/", lessons.lesson_detail, name="lesson.detail"),
    path("enseignements/<int:pk>/modifier/", lessons.lesson_form, name="lesson.edit"),
    path("enseignements/<int:pk>/supprimer/", lessons.lesson_delete, name="lesson.delete"),
    path("enseignements/<int:pk>/partage/", lessons.lesson_share, name="lesson.share"),
]
urlpatterns += report_urls.urlpatterns + judgement_urls.urlpatterns + filrouge_urls.urlpatterns

# Action-research and the territory page's sections (evaluation/research/).
urlpatterns += [path("recherche-action/", include(research_urls.urlpatterns))]
