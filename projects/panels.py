"""Home-page panel (settings.PARCOURS_HOME_PANELS): the signed-in user's upcoming deadlines."""

from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone

from . import selectors

HORIZON_DAYS = 30


def deadlines_panel(request: HttpRequest) -> dict:
    today = timezone.localdate()
    items = selectors.deadlines_for(
        request.user, start=today - timedelta(days=60), end=today + timedelta(days=HORIZON_DAYS), today=today
    )
    return {
        "template": "projects/partials/_home_deadlines.html",
        "overdue": [d for d in items if d.late][:10],
        "upcoming": [d for d in items if not d.late][:15],
        "horizon": HORIZON_DAYS,
        "digest_enabled": request.user.digest_enabled,
    }
