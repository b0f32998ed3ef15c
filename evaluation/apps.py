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

        # The territory page (programme.territories): its projects and figures, its action-research and its
        # resources, each a view of ours loaded into the page by URL.
        from programme.territories.sections import Section, register_section

        register_section(
            Section("activity", "evaluation:research.territory_activity", _("Projets et chiffres"), 10)
        )
        register_section(
            Section("research", "evaluation:research.territory_research", _("Recherche-action"), 20)
        )
        register_section(
            Section(
                "resources", "evaluation:research.territory_resources", _("Ressources"), 30, partners=True
            )
        )

        # Rows no figure reads, written often (a report's progress, the reminders sent): no new data version.
        from programme import dataversion
        from projects.models import ReminderLog

        from .models import Report

        dataversion.ignore(Report, ReminderLog)
