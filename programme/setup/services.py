"""Writes of the programme settings (programmes, promotions, themes, territories): directors only, audited.

Something already in use is never deleted: the refusal says what uses it, and it can be archived instead
(`is_active=False`), which keeps it on every record that names it."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from programme import access
from programme.audit import Edit, audit_log, delete_audited, save_audited
from programme.formatting import fr_date
from programme.models import Cohort, Programme, Territory, Theme, User

Setting = Programme | Cohort | Theme | Territory


def _director(actor: User) -> None:
    if not access.is_director(actor):
        raise PermissionDenied


@transaction.atomic
def programme_save(*, actor: User, edit: Edit[Programme]) -> Programme:
    _director(actor)
    programme = edit.obj
    if Programme.objects.filter(name__iexact=programme.name).exclude(pk=programme.pk).exists():
        raise ValidationError({"name": [_("Un programme porte déjà ce nom.")]})
    return save_audited(actor=actor, edit=edit)


def cohort_overlap(cohort: Cohort) -> Cohort | None:
    """Another promotion of the same programme recruited the same year.

    A promotion's dates span its whole accompaniment (three years and more), so the promotions of a
    programme follow one another while their accompaniments run side by side: what may not overlap is
    the intake — one promotion per programme and year."""
    return (
        Cohort.objects.filter(programme_id=cohort.programme_id, year=cohort.year)
        .exclude(pk=cohort.pk)
        .order_by("start_date")
        .first()
    )


@transaction.atomic
def cohort_save(*, actor: User, edit: Edit[Cohort]) -> Cohort:
    """Save a promotion; refused when it overlaps another of its programme (checked under the programme's
    lock, so two promotions typed at once cannot both pass)."""
    _director(actor)
    cohort = edit.obj
    Programme.objects.select_for_update().filter(pk=cohort.programme_id).first()
    errors: dict[str, list[str]] = {}
    if cohort.end_date is not None and cohort.end_date < cohort.start_date:
        errors["end_date"] = [_("La fin de la promotion précède son début.")]
    if cohort.selection_committee_on is not None and cohort.selection_committee_on > cohort.start_date:
        errors["selection_committee_on"] = [
            _("Le comité de sélection se tient avant le début de la promotion (%(date)s).")
            % {"date": fr_date(cohort.start_date)}
        ]
    if (other := cohort_overlap(cohort)) is not None:
        errors["year"] = [
            _(
                "Ce programme a déjà une promotion %(year)s (« %(name)s », depuis le %(start)s) : "
                "deux promotions d’un même programme ne peuvent pas se chevaucher."
            )
            % {"year": other.year, "name": other.name, "start": fr_date(other.start_date)}
        ]
    if (
        Cohort.objects.filter(programme_id=cohort.programme_id, name__iexact=cohort.name)
        .exclude(pk=cohort.pk)
        .exists()
    ):
        errors["name"] = [_("Une promotion de ce programme porte déjà ce nom.")]
    if errors:
        raise ValidationError(errors)
    return save_audited(actor=actor, edit=edit)


def _named_save[M: Theme | Territory](*, actor: User, edit: Edit[M], taken: str) -> M:
    _director(actor)
    obj = edit.obj
    if type(obj).objects.filter(name__iexact=obj.name).exclude(pk=obj.pk).exists():
        raise ValidationError({"name": [taken]})
    return save_audited(actor=actor, edit=edit)


@transaction.atomic
def theme_save(*, actor: User, edit: Edit[Theme]) -> Theme:
    return _named_save(actor=actor, edit=edit, taken=_("Une thématique porte déjà ce nom."))


@transaction.atomic
def territory_save(*, actor: User, edit: Edit[Territory]) -> Territory:
    return _named_save(actor=actor, edit=edit, taken=_("Un territoire porte déjà ce nom."))


def setting_uses(obj: models.Model) -> list[tuple[str, int]]:
    """What refers to `obj`: (the referring records' name, how many), from the model's reverse relations,
    so that a higher app's records count without this module naming them."""
    uses: list[tuple[str, int]] = []
    for relation in obj._meta.related_objects:
        related = relation.related_model
        assert isinstance(related, type)  # a concrete model class once the registry is ready
        field_name = relation.field.name
        count = related._base_manager.filter(**{field_name: obj}).count()
        if count:
            uses.append((str(related._meta.verbose_name_plural), count))
    return uses


@transaction.atomic
def setting_archive(*, actor: User, obj: Setting, active: bool) -> Setting:
    """Archive (or bring back) a setting: it stays on what names it."""
    _director(actor)
    locked = type(obj)._base_manager.select_for_update().get(pk=obj.pk)
    if locked.is_active != active:
        changes: dict[str, Any] = {"is_active": [locked.is_active, active]}
        locked.is_active = active
        locked.save(update_fields=["is_active"])
        audit_log(actor=actor, obj=locked, action=f"{locked._meta.model_name}.updated", changes=changes)
    return locked


@transaction.atomic
def setting_delete(*, actor: User, obj: Setting) -> None:
    """Delete a setting nothing uses; else refused with what uses it."""
    _director(actor)
    locked = type(obj)._base_manager.select_for_update().get(pk=obj.pk)
    uses = setting_uses(locked)
    if uses:
        raise ValidationError(
            _("« %(name)s » est utilisé (%(uses)s) : il ne peut pas être supprimé. Archivez-le plutôt.")
            % {"name": str(locked), "uses": ", ".join(f"{label} : {count}" for label, count in uses)}
        )
    delete_audited(actor=actor, obj=locked, action=f"{locked._meta.model_name}.deleted")
