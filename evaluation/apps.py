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
