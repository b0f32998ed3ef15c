from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Évaluation")

    def ready(self) -> None:
        # The project page's « Évaluation » tab: an evaluation view rendered inside the project page
        # (projects.views.base.render_tab). projects never names evaluation, so the tab is registered from here.
        from projects.views.base import Tab, register_tab

        register_tab(Tab("evaluation", "evaluation:protocol", _("Évaluation")), before="funding")
        # The « Fil rouge » tab (evaluation.filrouge): need → idea → prototype → indicator → result → lesson.
        register_tab(Tab("filrouge", "evaluation:filrouge", _("Fil rouge")))
        # Conversations: measurements have a thread, and the portal's pages are where partners read them.
        from .conversations import register_threads

        register_threads()

        # The structure's timeline (projects.relations.timeline): the measurements a structure submitted.
        from projects.relations.timeline import register_source

        from .timeline import present_measurement, submitted_measurements

        register_source("measurement", _("Mesures soumises"), submitted_measurements, present_measurement)

        # The team inbox « À traiter »: measurements to validate, maturity self-assessments to read.
        from . import inbox

        inbox.register()

        # A gate decision keeps the dossier the committee saw (evaluation.judgement): projects' decision
        # form and service call the hook, never naming evaluation.
        from projects.gate_hooks import DecisionHook, register_decision_hook

        from .judgement.services import decision_check, decision_fields, decision_record

        register_decision_hook(DecisionHook("dossier", decision_fields, decision_check, decision_record))
