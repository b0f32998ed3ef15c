"""The audit trail: every change that matters is logged with who, what and the changed fields."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache, reduce
from itertools import chain
from operator import or_
from typing import Any

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models, router
from django.db.models import CharField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import formatting
from .batch import PreparedModels, stand_in
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
                # An edit form's initial value is the related objects themselves (model_to_dict), a
                # posted-back form's their ids: compare ids either way.
                ids = [getattr(o, "pk", o) for o in before]
                before = [str(o) for o in field.queryset.filter(pk__in=ids)]
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


def audit_many[M: models.Model](
    *, actor: User, rows: Iterable[M], action: str, changes: Callable[[M], dict[str, Any]]
) -> None:
    """One audit entry per row, as `audit_log` writes them, in one INSERT (a bulk action's trail)."""
    rows = list(rows)
    if not rows:
        return
    content_type = ContentType.objects.get_for_model(rows[0].__class__)
    now = timezone.now()
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor=actor,
                action=action,
                content_type=content_type,
                object_id=str(row.pk),
                object_repr=str(row)[:255],
                changes=changes(row),
                created_at=now,
            )
            for row in rows
        ],
        batch_size=500,
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
    def from_form(cls, form: forms.ModelForm[M]) -> Edit[M]:
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


def delete_audited(
    *,
    actor: User | AnonymousUser | None,
    obj: models.Model,
    action: str,
    removed: dict[str, Any] | None = None,
    on: models.Model | None = None,
) -> None:
    """Log `action` for `obj` with what it was (`removed`: {field: value}, recorded as [value, None]), then
    delete it. `on`: the record whose history tells of the removal when it is not `obj`'s own (a child's
    removal in its parent's). The caller's service owns the transaction."""
    changes = {name: [value, None] for name, value in (removed or {}).items()}
    audit_log(actor=actor, obj=obj if on is None else on, action=action, changes=changes)
    obj.delete()


def audit_forget(obj: models.Model, *, placeholder: str) -> None:
    """After personal data is erased: the trail keeps that changes happened, not whose data it was."""
    AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj.__class__), object_id=str(obj.pk)
    ).update(object_repr=placeholder)


def _of_model(model: type[models.Model]) -> Q:
    """Entries about rows of `model`, matched on the content type's names: a join, never a lookup query
    (the history of a record and its children costs one query whatever the content-type cache holds)."""
    return Q(content_type__app_label=model._meta.app_label, content_type__model=model._meta.model_name)


def _trail_parts(obj: models.Model, children: tuple[QuerySet[Any], ...]) -> list[Q]:
    """The parts of a record's trail: its own entries, then each kind of child's (`audit_entries_for`)."""
    parts = [_of_model(obj.__class__) & Q(object_id=str(obj.pk))]
    for rows in children:
        ids = rows.order_by().annotate(audit_id=Cast("pk", CharField())).values("audit_id")
        parts.append(_of_model(rows.model) & Q(object_id__in=ids))
    return parts


def audit_entries_for(obj: models.Model, *children: QuerySet[Any]) -> QuerySet[AuditEntry]:
    """The trail of a record, newest first, with its children's where a reader expects them
    (`audit_entries_for(pi, pi.measurements.all(), pi.targets.all())`: an indicator's values)."""
    where = (
        reduce(or_, _trail_parts(obj, children))
        if children
        else Q(content_type=ContentType.objects.get_for_model(obj.__class__), object_id=str(obj.pk))
    )
    return (
        AuditEntry.objects.filter(where)
        .select_related("actor", "content_type")
        .order_by("-created_at", "-id")
    )


# ---------------------------------------------------------------------------------------------------------
# The display side: an entry as a person reads it — a translated action, the fields' names as the forms
# name them, the values as the pages show them (choice labels, dates, amounts, names), in the active language.

#: What happened, by the last part of the action code (`measurement.validated` → "validated").
VERB_LABELS: dict[str, Promise] = {
    "created": _("création"),
    "updated": _("modification"),
    "deleted": _("suppression"),
    "validated": _("validation"),
    "submitted": _("envoi pour validation"),
    "returned": _("renvoi pour correction"),
    "reassigned": _("réassignation (à traiter)"),
    "seen": _("vu (à traiter)"),
    "corrected": _("correction d’une valeur validée"),
    "locked": _("période verrouillée"),
    "unlocked": _("période déverrouillée"),
    "waived": _("dispense"),
    "opened": _("ouverture"),
    "attendance": _("présences enregistrées"),
    "decided": _("décision"),
    "imported": _("import"),
    "stage_changed": _("changement d’étape"),
    "interaction_added": _("échange ajouté"),
    "phase_opened": _("nouvelle phase ouverte"),
    "created_from_selection": _("création à l’issue de la sélection"),
    "anonymised": _("anonymisation"),
    "accepted": _("invitation acceptée"),
    "scored": _("notation"),
    "scheduled": _("entretien planifié"),
    "completed": _("entretien réalisé"),
    "cancelled": _("annulation"),
    "set": _("cible fixée"),
    "version_created": _("nouvelle version"),
    "version_added": _("nouvelle version"),
    "shared": _("partage modifié"),
    "share": _("partage modifié"),
    "moved": _("changement de statut"),
    "document_added": _("pièce ajoutée"),
    "prospect_linked": _("prospect rattaché"),
    "uploaded": _("dépôt"),
    "reviewed": _("relecture"),
    "token_rotated": _("lien d’agenda renouvelé"),
    "token_revoked": _("lien d’agenda révoqué"),
    "done": _("marquée faite"),
    "retry": _("nouvel essai"),
    "restart": _("relance automatique"),
    "fail": _("échec"),
    "request": _("demande"),
    "uploaded_file": _("fichier déposé"),
    "mapped": _("colonnes associées"),
    "confirmed": _("import confirmé"),
    "application_received": _("candidature reçue (appel à candidatures)"),
    "questions_changed": _("questions modifiées"),
    # Events (prospects.events)
    "registered": _("inscription"),
    "waiting_listed": _("inscription en liste d’attente"),
    "registration_status": _("statut d’une inscription modifié"),
    "promoted": _("place libérée donnée à la liste d’attente"),
    "invited": _("invitations"),
    "sequence_deleted": _("séquence retirée du programme"),
    "partner_removed": _("structure retirée de l’événement"),
    "survey_sent": _("questionnaire de satisfaction envoyé"),
    "survey_answered": _("réponse au questionnaire de satisfaction"),
    "attachment_added": _("pièce jointe ajoutée"),
    # Exchanges, e-mails and conversations (projects.relations, projects.mailing, projects.conversations)
    "exchange_added": _("échange ajouté"),
    "exchange_done": _("prochaine action d’un échange faite"),
    "email_sent": _("e-mail envoyé"),
    "retried": _("e-mail renvoyé"),
    "archived": _("archivage"),
    "posted": _("message publié"),
    # Judgement (evaluation.judgement)
    "evidence_added": _("preuve ajoutée"),
    "evidence_removed": _("preuve retirée"),
    "reading": _("lecture du collectif"),
    "unshare": _("partage retiré"),
}

#: Whole action codes whose meaning is more than their last part.
ACTION_LABELS: dict[str, Promise] = {
    "report.text": _("sections rédigées : nouvelle version"),
    "report.finalise": _("version finale demandée"),
    "project_indicator.outputs": _("productions testées (fil rouge)"),
    "lesson.sources": _("sources de l’enseignement (fil rouge)"),
    "project.gate.continue": _("décision d’étape : poursuite"),
    "project.gate.stop": _("décision d’étape : arrêt"),
    "project.gate.extend": _("décision d’étape : prolongation"),
    "import.uploaded": _("fichier déposé"),
    "indicator_target.deleted": _("cible supprimée"),
    "mfa_code_failed": _("code de vérification refusé"),
    "project.template_applied": _("jalons, livrables et comités créés depuis le modèle de phase"),
    "application.recorded": _("candidature enregistrée par l’équipe"),
    "dossier.prepare": _("dossier de décision demandé"),
    "dossier.attach": _("dossier joint à la décision"),
    "dossier.none": _("décision prise sans dossier"),
    "kit.generate": _("kit d’essaimage demandé"),
    "site.kit": _("kit d’essaimage du site"),
    "report.money_switch": _("rapport refait : budget et financements partagés ou non"),
    "register_import.requested": _("import du répertoire demandé"),
    "register_import.queued": _("import du répertoire en file d’attente"),
    "register_import.running": _("import du répertoire en cours"),
    "register_import.done": _("import du répertoire terminé"),
    "register_import.failed": _("import du répertoire en échec"),
}

#: Keys of the trail that are not model fields (written by the services, some in French already).
FIELD_LABELS: dict[str, Promise] = {
    "décision": _("décision"),
    "instance": _("instance"),
    "invités": _("invités"),
    "présents": _("présents"),
    "version": _("version"),
    "fichier": _("fichier"),
    "échange": _("échange"),
    "critères": _("critères"),
    "score": _("score"),
    "recommandation": _("recommandation"),
    "mapping": _("correspondance des colonnes"),
    "lignes": _("lignes"),
    "invalides ignorées": _("lignes invalides ignorées"),
    "doublons": _("doublons"),
    "cible": _("cible"),
    "reason": _("motif"),
    "dispense": _("dispense"),
    "moment": _("moment"),
    "error": _("erreur"),
    "membres": _("membres"),
    "créés": _("créés"),
    "mis à jour": _("mis à jour"),
    "entered_as": _("saisie par"),
    "commentaire": _("commentaire"),
    "dépassement de capacité": _("dépassement de capacité"),
    "scheduled": _("planification"),
    "confirm_duplicate": _("autre structure du même nom confirmée"),
    "call": _("appel"),
    "questions": _("questions"),
    "money": _("budget et financements"),
}

#: Keys that are not fields of the logged model but whose values are another model field's choices.
KEY_FIELDS: dict[str, tuple[type[models.Model], str]] = {"entered_as": (User, "role")}


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class ReadableEntry:
    created_at: datetime
    actor: str
    action: str
    subject: str  # what the entry is about when it is a child of the page's record ("" otherwise)
    changes: list[Change]


def action_label(action: str) -> str:
    """`project.gate.continue` → "Décision d’étape : poursuite"; `measurement.validated` → "Validation"."""
    verb = action.rpartition(".")[2]
    # A code nobody named yet reads as words rather than as a code.
    label = ACTION_LABELS.get(action) or VERB_LABELS.get(verb) or verb.replace("_", " ")
    return capfirst(str(label))


def _model_field(model: type[models.Model] | None, name: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return found if isinstance(found, models.Field) else None


def _choices(model: type[models.Model] | None, name: str) -> dict[Any, Any] | None:
    """Labels of a key's values: its field's choices, or the model's `audit_choices` (a model may declare
    `audit_choices = {"review_flags": ReviewFlag.choices}` for the codes it logs outside a choice field)."""
    if name in KEY_FIELDS:
        owner, field_name = KEY_FIELDS[name]
        return dict(owner._meta.get_field(field_name).flatchoices)  # type: ignore[union-attr]
    declared = getattr(model, "audit_choices", {}).get(name)
    if declared is not None:
        return dict(declared)
    found = _model_field(model, name)
    return dict(found.flatchoices) if found is not None and found.choices else None


def field_label(model: type[models.Model] | None, name: str) -> str:
    """A trail key as the forms name it: the model field's verbose name, else the table, else words."""
    found = _model_field(model, name)
    if found is not None:
        return capfirst(str(found.verbose_name))
    # A key nobody listed: its words, translated when the catalogue knows them ("motif" → "reason").
    return capfirst(str(FIELD_LABELS.get(name) or gettext(name.replace("_", " "))))


def _as_date(value: str) -> date | datetime | None:
    try:
        return datetime.fromisoformat(value) if "T" in value or len(value) > 10 else date.fromisoformat(value)
    except ValueError:
        return None


def display_value(
    model_field: models.Field[Any, Any] | None, value: Any, choices: dict[Any, Any] | None = None
) -> str:
    """A logged value as the pages show it: choices by their label, yes/no, dates in the text style,
    amounts and numbers the French way, related rows by their name, lists joined."""
    if value is None or value == "" or value == []:
        return formatting.DASH
    if isinstance(value, (list, tuple)):
        return ", ".join(display_value(model_field, v, choices) for v in value)
    if choices is None and model_field is not None and model_field.choices:
        choices = dict(model_field.flatchoices)
    if choices is not None and not isinstance(value, dict):
        if value in choices:
            return str(choices[value])
        if isinstance(value, str):
            return ", ".join(str(choices.get(code, code)) for code in value.split(", "))
    if isinstance(value, dict):
        return ", ".join(f"{k}\u202f: {display_value(None, v)}" for k, v in value.items())
    if isinstance(value, bool):
        return gettext("oui") if value else gettext("non")
    if model_field is not None:
        if isinstance(model_field, models.BooleanField):
            return gettext("oui") if value in (True, "True", "true", 1) else gettext("non")
        if isinstance(model_field, models.ForeignKey) and isinstance(value, int):
            related = model_field.related_model._default_manager.filter(pk=value).first()
            return str(related) if related is not None else formatting.DASH
        if isinstance(model_field, (models.DateField, models.DateTimeField)) and isinstance(value, str):
            when = _as_date(value)
            if isinstance(when, datetime):
                return formatting.fr_datetime(when)
            if when is not None:
                return formatting.fr_date(when)
        if isinstance(model_field, (models.DecimalField, models.FloatField, models.IntegerField)):
            try:
                number = Decimal(str(value))
            except InvalidOperation:
                return str(value)
            if "amount" in model_field.name or "montant" in str(model_field.verbose_name):
                return formatting.fr_amount(number)
            return formatting.fr_number(number)
    if isinstance(value, str) and len(value) == 10 and value[4:5] == "-" and (when := _as_date(value)):
        return formatting.fr_date(when)
    if isinstance(value, (int, float, Decimal)):
        return formatting.fr_number(value)
    return str(value)


#: How an indicator writes its values: (type, unit, singular unit), for `formatting.indicator_value`.
Unit = tuple[str, str, str]
#: A logged target: "2026-12-31 : 73.81" (its period's end, then the value).
TARGET = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*:\s*(-?[\d.]+)$")


def _units(entries: list[AuditEntry]) -> dict[tuple[Any, str], Unit]:
    """The indicator unit of each logged row whose model declares `audit_indicator_values = (path to its
    indicator, keys logged in that indicator's unit)` — one query per such model, whatever the entries."""
    wanted: dict[Any, set[str]] = {}
    for entry in entries:
        model = entry.content_type.model_class()
        if model is not None and hasattr(model, "audit_indicator_values"):
            wanted.setdefault(model, set()).add(entry.object_id)
    units: dict[tuple[Any, str], Unit] = {}
    for model, ids in wanted.items():
        path = model.audit_indicator_values[0]
        rows = model._default_manager.filter(pk__in=ids).values_list(
            "pk", f"{path}__type", f"{path}__unit", f"{path}__unit_singular"
        )
        units.update({(model, str(pk)): (kind, unit, one) for pk, kind, unit, one in rows})
    return units


def indicator_display(value: Any, unit: Unit) -> str | None:
    """A value logged in an indicator's unit as the indicator pages write it (« 73,8 % », « 12 emplois »,
    « 12 emplois au 31 déc. 2026 » for a target); None when it is not a figure (a redaction, say)."""
    kind, name, one = unit
    if isinstance(value, str) and (target := TARGET.match(value)):
        when = _as_date(target.group(1))
        shown = indicator_display(target.group(2), unit)
        if when is None or shown is None:
            return None
        return gettext("%(value)s au %(date)s") % {"value": shown, "date": formatting.fr_date(when)}
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return formatting.indicator_value(number, kind=kind, unit=name, unit_one=one)


def _value(model: Any, name: str, value: Any, unit: Unit | None, known: dict[Any, Any]) -> str:
    if unit is not None and name in model.audit_indicator_values[1] and value is not None:
        shown = indicator_display(value, unit)
        if shown is not None:
            return shown
    # A section's thirty entries name the same few fields: each field and its labels looked up once.
    key = (model, name)
    if key not in known:
        known[key] = (_model_field(model, name), _choices(model, name))
    field, choices = known[key]
    return display_value(field, value, choices)


def readable(entries: Iterable[AuditEntry], record: models.Model | None = None) -> list[ReadableEntry]:
    """The entries of a history section as a person reads them (`record`: the page's own record — entries
    about its children name what they are about)."""
    entries = list(entries)
    units = _units(entries)
    own = (record._meta.app_label, record._meta.model_name, str(record.pk)) if record is not None else None
    rows = []
    # What the entries share — their models, fields, actions, actors — worked out once per section.
    models_of: dict[int, Any] = {}
    kinds: dict[Any, str] = {}
    labels: dict[tuple[Any, str], str] = {}
    fields: dict[Any, Any] = {}
    actions: dict[str, str] = {}
    actors: dict[Any, str] = {}
    about_subject = gettext("%(model)s « %(name)s »")
    for entry in entries:
        content_type = entry.content_type
        model = models_of.get(content_type.pk)
        if model is None:
            model = models_of[content_type.pk] = content_type.model_class()
        subject = ""
        about = (content_type.app_label, content_type.model, entry.object_id)
        if own is not None and about != own and model is not None:
            if model not in kinds:
                kinds[model] = capfirst(str(model._meta.verbose_name))
            subject = about_subject % {"model": kinds[model], "name": entry.object_repr}
        unit = units.get((model, entry.object_id))
        shown = []
        for name, values in (entry.changes or {}).items():
            if not isinstance(values, (list, tuple)):
                continue
            label = labels.get((model, name))
            if label is None:
                label = labels[(model, name)] = field_label(model, name)
            shown.append(
                Change(
                    label=label,
                    before=_value(model, name, values[0] if values else None, unit, fields),
                    after=_value(model, name, values[1] if len(values) > 1 else None, unit, fields),
                )
            )
        # "Motif : — → —" says nothing; a redacted change ("…") still says that something changed.
        changes = [c for c in shown if c.before != c.after or c.before == "…"]
        if entry.action not in actions:
            actions[entry.action] = action_label(entry.action)
        if entry.actor_id not in actors:
            actors[entry.actor_id] = str(entry.actor) if entry.actor else gettext("système")
        rows.append(
            ReadableEntry(
                created_at=entry.created_at,
                actor=actors[entry.actor_id],
                action=actions[entry.action],
                subject=subject,
                changes=changes,
            )
        )
    return rows


def entries_html(entries: Iterable[ReadableEntry]) -> str:
    """A history section's items (includes/_audit.html, filter `audit_items`), written with string joins:
    the markup its template loop wrote, byte for byte — thirty entries through the template engine were a
    fifth of a project overview's time."""
    colon = gettext("%(label)s\u202f:")

    def changes(entry: ReadableEntry) -> str:
        if not entry.changes:
            return ""
        items = "".join(
            f"<li>{colon % {'label': conditional_escape(c.label)}} "
            f"{f'{conditional_escape(c.before)} → ' if c.before != formatting.DASH else ''}"
            f"{conditional_escape(c.after)}</li>"
            for c in entry.changes
        )
        return f"<ul>{items}</ul>"

    zone = timezone.get_current_timezone()
    when = formatting.datetime_writer()  # the language and time zone looked up once
    return "".join(
        f'\n    <li>\n      <time datetime="{timezone.localtime(e.created_at, zone).isoformat()}">'
        f"{conditional_escape(when(e.created_at))}</time>\n"
        f"      — {conditional_escape(e.actor)} — <strong>{conditional_escape(e.action)}</strong>"
        f"{f' — {conditional_escape(e.subject)}' if e.subject else ''}\n"
        f"      {changes(e)}\n    </li>\n    "
        for e in entries
    )


def latest_entries(obj: models.Model, *children: QuerySet[Any], limit: int) -> QuerySet[AuditEntry]:
    """The last `limit` entries of `audit_entries_for(obj, *children)`, newest first, read part by part:
    the record's own entries and each kind of child's, every part its own `limit` newest through the
    (type, object, date) index, then the newest `limit` of those. One condition made of every part (an OR
    of a subquery per kind of child) has the database read the whole trail of every kind to sort it — with
    600,000 entries a project's overview took 100 to 180 ms on PostgreSQL for its thirty lines."""
    if not children:
        return audit_entries_for(obj)[:limit]
    using = router.db_for_read(AuditEntry)
    selects, params = [], []
    for number, part in enumerate(_trail_parts(obj, children)):
        newest = AuditEntry.objects.filter(part).order_by("-created_at", "-id").values("pk")[:limit]
        sql, part_params = newest.query.get_compiler(using=using).as_sql()
        # Each part in a subquery of its own: SQLite takes no ORDER BY / LIMIT on a UNION's members.
        selects.append(f"SELECT * FROM ({sql}) AS part{number}")  # noqa: S608 — the ORM's own SQL
        params.extend(part_params)
    return (
        AuditEntry.objects.using(using)
        .filter(pk__in=RawSQL(" UNION ALL ".join(selects), params))  # noqa: S611 — values as parameters
        .select_related("actor", "content_type")
        .order_by("-created_at", "-id")[:limit]
    )


def history(obj: models.Model, *children: QuerySet[Any], limit: int = 30) -> list[ReadableEntry]:
    """A record's history section: its last `limit` entries and its children's, readable."""
    return readable(latest_entries(obj, *children, limit=limit), obj)


#: A child of a record for `record_history`: its model and the lookup from it to the record
#: (`(Instalment, "convention__project")`).
type Child = tuple[type[models.Model], str]


@cache
def _trail(model: type[models.Model], children: tuple[Child, ...], limit: int) -> PreparedModels[AuditEntry]:
    """The last `limit` entries of the trail of a `model` record and its `children`, newest first:
    `latest_entries`'s statement, built and compiled once per process with a stand-in for the record's pk
    (building it — a part per kind of child, then the entries with their actor and type — cost a project's
    overview more than reading them)."""

    def build(_shape: object) -> QuerySet[AuditEntry]:
        mark = stand_in(0)
        rows = [child._default_manager.filter(**{path: mark}) for child, path in children]
        return latest_entries(model(pk=mark), *rows, limit=limit)

    return PreparedModels(build)


def record_history(obj: models.Model, *children: Child, limit: int = 30) -> list[ReadableEntry]:
    """`history(obj, *children)` — the same entries — for children named as (model, lookup to `obj`): the
    statement is built once per process, each page only puts its record's pk in (as a number where a
    child's row is matched, as text where an entry's object_id is); on PostgreSQL it is prepared once per
    connection (planning its ten parts cost twice their run)."""
    mark = stand_in(0)
    entries = _trail(type(obj), children, limit).objects(
        values={mark: obj.pk, str(mark): str(obj.pk)},
        today=None,
        form=("history", type(obj), children, limit),
    )
    return readable(entries, obj)
