"""The audit trail: every change that matters is logged with who, what and the changed fields."""

from typing import Any, TypeVar

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from .models import AuditEntry, User

M = TypeVar("M", bound=models.Model)

# Fields whose values are never copied into the trail (personal data that may later be erased).
REDACTED_FIELDS = {"email", "phone", "first_name", "last_name", "password", "address"}


def _display(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if (
        isinstance(value, (list, tuple, set))
        or hasattr(value, "__iter__")
        and not isinstance(value, (str, bytes, dict))
    ):
        return sorted(str(v) for v in value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def diff_form(form: forms.BaseForm) -> dict[str, list[Any]]:
    """Changed fields of a bound ModelForm as {field: [before, after]} (personal data redacted)."""
    changes: dict[str, list[Any]] = {}
    for name in form.changed_data:
        before = form.initial.get(name)
        after = form.cleaned_data.get(name)
        if name in REDACTED_FIELDS:
            changes[name] = ["…", "…"]
        else:
            field = form.fields[name]
            # The class-name test is the original rule, kept: a subclass named otherwise logs raw pks.
            if (
                isinstance(before, list)
                and isinstance(field, forms.ModelMultipleChoiceField)
                and field.__class__.__name__.startswith("ModelMultiple")
            ):
                assert field.queryset is not None  # a model field's choices always come from a queryset
                before = [str(o) for o in field.queryset.filter(pk__in=before)]
            changes[name] = [_display(before), _display(after)]
    return changes


def audit_log(
    *,
    actor: User | AnonymousUser | None,
    obj: models.Model,
    action: str,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj.__class__),
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        changes=changes or {},
    )


def save_form_audited(
    *,
    actor: User | AnonymousUser | None,
    form: "forms.ModelForm[M]",
    action: str,
    on_create: dict[str, Any] | None = None,
) -> M:
    """Save a validated ModelForm and log `<action>.created` or `<action>.updated` with the changed fields.

    `on_create` sets attributes a new row needs but the form does not carry (its project, its author…).
    The caller's service owns the transaction."""
    creating = form.instance.pk is None
    changes = diff_form(form)
    obj = form.save(commit=False)
    if creating:
        for name, value in (on_create or {}).items():
            setattr(obj, name, value)
    obj.save()
    form.save_m2m()
    audit_log(
        actor=actor, obj=obj, action=f"{action}.{'created' if creating else 'updated'}", changes=changes
    )
    return obj


def audit_forget(obj: models.Model, *, placeholder: str) -> None:
    """After personal data is erased: the trail keeps that changes happened, not whose data it was."""
    AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj.__class__), object_id=str(obj.pk)
    ).update(object_repr=placeholder)


def audit_entries_for(obj: models.Model) -> QuerySet[AuditEntry]:
    return (
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(obj.__class__), object_id=str(obj.pk)
        )
        .select_related("actor")
        .order_by("-created_at", "-id")
    )
