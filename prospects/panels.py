"""Home-page panel (settings.PARCOURS_HOME_PANELS): the pipeline at a glance and the signed-in user's
prospect next actions (overdue first)."""

from datetime import timedelta

from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone

from .models import Stage
from .selectors import prospects_for

HORIZON_DAYS = 14


def pipeline_panel(request: HttpRequest) -> dict:
    today = timezone.localdate()
    prospects = prospects_for(request.user)
    counts = dict(prospects.order_by().values_list("stage").annotate(n=Count("pk")).values_list("stage", "n"))
    actions = list(
        prospects.filter(owner=request.user, next_action_date__lte=today + timedelta(days=HORIZON_DAYS))
        .select_related("organisation")
        .order_by("next_action_date", "organisation__name")[:10]
    )
    return {
        "template": "prospects/partials/_home_pipeline.html",
        "stages": [
            {"stage": value, "label": label, "count": counts.get(value, 0)} for value, label in Stage.choices
        ],
        "actions": actions,
        "today": today,
        "horizon": HORIZON_DAYS,
    }
