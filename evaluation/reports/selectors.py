"""Reads for PDF reports, always scoped by the acting user through programme.access."""

from django.db.models import QuerySet

from evaluation.models import Report
from programme import access
from programme.models import User


def report_list(*, user: User) -> QuerySet[Report]:
    return (
        access.scoped(user, Report)
        .select_related("programme", "project", "requested_by")
        .order_by("-created_at", "-pk")
    )


def report_get(*, user: User, pk: int) -> Report:
    """The report if the user may read it; 404 otherwise (never 403, never the object)."""
    return access.get_for_user_or_404(report_list(user=user), pk=pk)
