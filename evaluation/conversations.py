"""What evaluation adds to the conversations (projects.conversations): the measurements' threads, and the
portal pages where partners read every thread. Registered from `EvaluationConfig.ready()`."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from programme.formatting import fr_date
from projects.conversations.registry import Target, register_portal_page, register_target


def register_threads() -> None:
    from .models import Measurement

    def title(measurement: Measurement) -> str:
        indicator = measurement.project_indicator.indicator.name
        return f"{indicator} — {fr_date(measurement.period_start)} – {fr_date(measurement.period_end)}"

    register_target(
        Target(
            key="measurement",
            model=Measurement,
            label=_("la mesure"),
            project_of=lambda m: m.project_indicator.project,
            related=("project_indicator__project", "project_indicator__indicator"),
            tab="evaluation",
            title=title,
        )
    )
    register_portal_page("project", lambda p: reverse("portal:project", args=[p.pk]))
    register_portal_page("deliverable", lambda d: reverse("portal:deliverable", args=[d.pk]))
    register_portal_page("action", lambda a: reverse("portal:action.done", args=[a.pk]))
    register_portal_page("measurement", lambda m: reverse("portal:measurement", args=[m.pk]))
