"""Reads of the conversations, scoped through `programme.access` (partners never read internal notes)."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Model, QuerySet

from programme import access
from programme.models import User

from ..models import Project
from .models import Comment


def thread(*, user: User, project: Project, target: Model | None) -> QuerySet[Comment]:
    """The comments of one thread the user may read, oldest first (one query, with their authors)."""
    comments = access.scoped(user, Comment).filter(project=project)
    if target is None:
        comments = comments.filter(content_type__isnull=True)
    else:
        comments = comments.filter(
            content_type=ContentType.objects.get_for_model(type(target)), object_id=target.pk
        )
    return comments.select_related("author").order_by("created_at", "pk")


def counts(*, user: User, model: type[Model], ids: Any) -> dict[int, int]:
    """How many comments the user may read on each object of `model` among `ids` (one query)."""
    rows = (
        access.scoped(user, Comment)
        .filter(content_type=ContentType.objects.get_for_model(model), object_id__in=ids)
        .values("object_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["object_id"]: row["n"] for row in rows if row["object_id"] is not None}
