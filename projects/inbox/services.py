"""Writes of the team inbox: handing an item to a team member, marking an item as seen. Both audited on the
item itself, so its history says who took it over."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from programme import access
from programme.audit import audit_log
from programme.models import User

from .models import Assignment, Seen


def _name(user: Any) -> str | None:
    return (user.get_full_name() or user.email) if user is not None else None


@transaction.atomic
def assignment_set(*, actor: User, item: Model, assignee: User | None) -> Assignment:
    """Hand `item` (a row an inbox source lists) to `assignee`, an active member of the team. Assigning it
    again replaces the previous assignment (one per item, locked while it changes)."""
    if not access.is_team(actor):
        raise PermissionDenied
    if assignee is None or not access.is_team(assignee):
        raise ValidationError(
            {
                "assignee": [
                    _(
                        "Choisissez un membre actif de l’équipe : ce compte ne peut pas recevoir d’élément à traiter."
                    )
                ]
            }
        )
    content_type = ContentType.objects.get_for_model(item.__class__)
    assignment = (
        Assignment.objects.select_for_update()
        .select_related("assignee")
        .filter(content_type=content_type, object_id=item.pk)
        .first()
    )
    before = assignment.assignee if assignment is not None else None
    if assignment is None:
        assignment = Assignment(content_type=content_type, object_id=item.pk)
    elif assignment.assignee_id == assignee.pk:
        return assignment
    assignment.assignee = assignee
    assignment.assigned_by = actor
    assignment.save()
    audit_log(
        actor=actor,
        obj=item,
        action=f"{item._meta.model_name}.reassigned",
        changes={"assigné·e (à traiter)": [_name(before), _name(assignee)]},
    )
    return assignment


@transaction.atomic
def seen_mark(*, actor: User, item: Model) -> Seen:
    """Mark an item as seen: it leaves the inbox until it changes again."""
    if not access.is_team(actor):
        raise PermissionDenied
    content_type = ContentType.objects.get_for_model(item.__class__)
    seen, _created = Seen.objects.select_for_update().update_or_create(
        content_type=content_type, object_id=item.pk, defaults={"seen_by": actor, "seen_at": timezone.now()}
    )
    audit_log(
        actor=actor,
        obj=item,
        action=f"{item._meta.model_name}.seen",
        changes={"vu (à traiter)": [None, _name(actor)]},
    )
    return seen
