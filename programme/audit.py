"""The audit trail: every change that matters is logged with who, what and the changed fields."""

from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from .models import AuditEntry, User

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


@dataclass(frozen=True)
class Edit[M: models.Model]:
    """A validated change to one row, as the services take it: `obj` carries its new values and is not saved
    yet, `changes` is what the audit trail records ({field: [before, after]}), `m2m` the many-to-many values
    to set once `obj` is saved."""

    obj: M
    changes: dict[str, list[Any]] = field(default_factory=dict)
    m2m: dict[str, list[Any]] = field(default_factory=dict)

    @classmethod
    def from_form(cls, form: "forms.ModelForm[M]") -> "Edit[M]":
        """The edit a validated ModelForm describes (built in the view; the form itself stops there)."""
        changes = diff_form(form)
        obj = form.save(commit=False)
        # The fields ModelForm.save_m2m() would set, in its order.
        opts, meta = obj._meta, form._meta
        m2m = {
            f.name: list(form.cleaned_data[f.name])
            for f in chain(opts.many_to_many, opts.private_fields)
            if hasattr(f, "save_form_data")
            and not (meta.fields and f.name not in meta.fields)
            and not (meta.exclude and f.name in meta.exclude)
            and f.name in form.cleaned_data
        }
        return cls(obj=obj, changes=changes, m2m=m2m)

    def save(self) -> M:
        """Save the row, then its many-to-many values (what ModelForm.save() does); no audit entry."""
        self.obj.save()
        for name, values in self.m2m.items():
            model_field = self.obj._meta.get_field(name)
            assert isinstance(model_field, models.Field)  # from_form took it from the model's fields
            model_field.save_form_data(self.obj, values)
        return self.obj


def audit_name(model: type[models.Model]) -> str:
    """The prefix of a model's audit actions: its `audit_name` if it declares one, else its model name."""
    return str(getattr(model, "audit_name", model._meta.model_name))


def save_audited[M: models.Model](
    *,
    actor: User | AnonymousUser | None,
    edit: Edit[M],
    on_create: dict[str, Any] | None = None,
) -> M:
    """Save an edit and log `<name>.created` or `<name>.updated` with its changes (`<name>` from the model).

    `on_create` sets attributes a new row needs but the edit does not carry (its project, its author…).
    The caller's service owns the transaction."""
    obj = edit.obj
    creating = obj.pk is None
    if creating:
        for name, value in (on_create or {}).items():
            setattr(obj, name, value)
    edit.save()
    action = f"{audit_name(type(obj))}.{'created' if creating else 'updated'}"
    audit_log(actor=actor, obj=obj, action=action, changes=edit.changes)
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
