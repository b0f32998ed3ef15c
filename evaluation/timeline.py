"""Evaluation's source of the structure's timeline (projects.relations.timeline): the measurements a
structure submitted — entered by one of its people, or of an indicator it reports. Registered from
`EvaluationConfig.ready()`, so projects never names evaluation."""

from typing import Any

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.translation import gettext as _

from programme import access
from programme.formatting import fr_date
from projects.relations.timeline import organisation_projects, shape

from .models import Measurement


def submitted_measurements(user: Any, organisation_id: int) -> QuerySet[Any, Any]:
    return shape(
        access.scoped(user, Measurement)
        .filter(
            submitted_at__isnull=False,
            project_indicator__project__in=organisation_projects(user, organisation_id),
        )
        .filter(
            Q(entered_by__organisation_id=organisation_id)
            | Q(project_indicator__reporter_organisation_id=organisation_id)
        ),
        kind="measurement",
        at="submitted_at",
        project="project_indicator__project_id",
        code=Cast("period_end", CharField()),  # one type per column in the UNION (text)
        title="project_indicator__indicator__name",
    )


def present_measurement(row: dict[str, Any]) -> tuple[str, str]:
    title = _("Mesure soumise — %(indicator)s, période au %(end)s") % {
        "indicator": row["row_title"],
        "end": fr_date(row["row_code"]) if row["row_code"] else "—",
    }
    return title, reverse("evaluation:protocol", args=[row["row_project"]])
