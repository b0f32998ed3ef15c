"""Writes of the evaluation app: keyword-only, typed, atomic, audited.

Measurement workflow::

    draft ──submit──▶ submitted ──validate──▶ validated ──lock──▶ locked (read-only for everyone)
      ▲                   │                       ▲                 │
      └──── returned ◀────┘ return (comment)      └──── unlock (staff, reason) ┘

Staff entering a value validate it at once; a partner's value arrives as "submitted". A value that looks
wrong (far beyond the indicator's validated values or target, negative after positive values, or for a
period not yet over: `measurement_review_flags`) is refused until the person confirms it, then kept with
its flags and *not* validated: another team member validates it after a second look. A validated value
is changed only by `measurement_correct`, with a reason. Only validated values count in the figures: the
yearly roll-up (`MeasurementRollup`) is refreshed here, in the same transaction, every time a validated
value appears, changes or disappears.
"""

import uuid
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from programme import access
from programme.audit import Edit, audit_log, delete_audited, save_audited
from programme.files import Upload, check_upload
from programme.models import User
from projects.conversations.services import comment_post
from projects.models import PhasePeriod, Project

from .figures import percentage, to_decimal
from .models import (
    ASSESSED_PHASES,
    Dimension,
    EvaluationCriterion,
    EvaluationQuestion,
    Indicator,
    IndicatorTarget,
    IndicatorType,
    Lesson,
    MaturityAssessment,
    MaturityMoment,
    MaturityScore,
    Measurement,
    MeasurementRollup,
    MeasurementStatus,
    Moment,
    MomentState,
    ProjectIndicator,
    Reporter,
    assessed_on_refusal,
)
from .models.indicators import OUTLIER_FACTOR, ReviewFlag, review_reasons
from .selectors import maturity_moments_for

#: What a project's protocol is made of (the items `protocol_item_save` and `protocol_item_delete` handle).
ProtocolItem = EvaluationQuestion | EvaluationCriterion | ProjectIndicator


class WorkflowError(ValidationError):
    """A refused transition; the message says why (translated)."""


class ConfirmationNeeded(ValidationError):
    """A value that looks wrong: nothing was saved. `flags` (as `Measurement.review_flags` stores them)
    say why; the same call with `confirmed=True` saves the value with its flags."""

    def __init__(self, flags: list[dict[str, str]], indicator: Indicator) -> None:
        self.flags = flags
        super().__init__(review_reasons(flags, indicator), code="confirm")


def _require_team(actor: User) -> None:
    if not access.is_team(actor):
        raise PermissionDenied(_("Réservé à l’équipe du programme."))


def _require_project_access(actor: User, project: Project) -> None:
    if not access.scoped(actor, Project).filter(pk=project.pk).exists():
        raise PermissionDenied(_("Ce projet ne vous est pas accessible."))


def _require_reporter(actor: User, project_indicator: ProjectIndicator) -> None:
    """A partner reports only the collective's indicators — and, when one member organisation is named
    as the reporter, only if it is theirs."""
    if project_indicator.reporter != Reporter.PARTNER:
        raise PermissionDenied(_("Cet indicateur est renseigné par l’équipe du programme."))
    named = project_indicator.reporter_organisation_id
    if named is not None and named != actor.organisation_id:
        raise PermissionDenied(_("Cet indicateur est renseigné par une autre structure du collectif."))


# --- Library and protocol ----------------------------------------------------------------------------


@transaction.atomic
def indicator_save(*, actor: User, edit: Edit[Indicator]) -> Indicator:
    _require_team(actor)
    return save_audited(actor=actor, edit=edit)


@transaction.atomic
def protocol_item_save[Item: ProtocolItem](*, actor: User, edit: Edit[Item]) -> Item:
    """Save an evaluative question, a criterion or a project indicator."""
    _require_team(actor)
    return save_audited(actor=actor, edit=edit)


@transaction.atomic
def protocol_item_delete(*, actor: User, obj: ProtocolItem) -> None:
    _require_team(actor)
    if isinstance(obj, ProjectIndicator) and obj.measurements.exists():
        raise WorkflowError(
            _("Cet indicateur a déjà des mesures : il ne peut plus être retiré du protocole.")
        )
    delete_audited(actor=actor, obj=obj, action=f"{obj._meta.model_name}.deleted")


def target_refusal(indicator: Indicator, value: Decimal | None) -> str | None:
    """Why a target (or a baseline) cannot be `value` for this indicator's kind, or None: a count, an
    amount or a percentage is never negative, a percentage at most 100, a scale's within its bounds,
    a yes/no is 0 or 1, and a text indicator has no figure to aim at."""
    if value is None:
        return None
    kind = indicator.type
    if kind == IndicatorType.TEXT:
        return _("Un indicateur texte n’a pas de valeur chiffrée de référence ni de cible.")
    if kind in (IndicatorType.COUNT, IndicatorType.AMOUNT, IndicatorType.PERCENTAGE) and value < 0:
        return _("%(kind)s : une valeur positive ou nulle est attendue.") % {
            "kind": indicator.get_type_display()
        }
    if kind == IndicatorType.PERCENTAGE and value > 100:
        return _("Un pourcentage ne dépasse pas 100.")
    if kind == IndicatorType.BOOLEAN and value not in (0, 1):
        return _("Répondez par oui (1) ou non (0).")
    low, high = indicator.scale_min, indicator.scale_max
    if kind == IndicatorType.SCALE and low is not None and high is not None and not low <= value <= high:
        return _("La note doit être comprise entre %(min)s et %(max)s.") % {"min": low, "max": high}
    return None


@transaction.atomic
def indicator_target_set(
    *, actor: User, project_indicator: ProjectIndicator, period_end: date, value: Decimal
) -> IndicatorTarget:
    """Set (or replace) the intermediate target due at the end of a period."""
    _require_team(actor)
    refusal = target_refusal(project_indicator.indicator, value)
    if refusal:
        raise ValidationError({"value": refusal})
    target, created = IndicatorTarget.objects.update_or_create(
        project_indicator=project_indicator, period_end=period_end, defaults={"value": value}
    )
    audit_log(
        actor=actor,
        obj=project_indicator,
        action="indicator_target.set",
        changes={"cible": [None if created else "…", f"{period_end.isoformat()} : {value}"]},
    )
    return target


@transaction.atomic
def indicator_target_delete(*, actor: User, target: IndicatorTarget) -> None:
    _require_team(actor)
    delete_audited(
        actor=actor,
        obj=target,
        on=target.project_indicator,
        action="indicator_target.deleted",
        removed={"cible": f"{target.period_end.isoformat()} : {target.value}"},
    )


# --- Measurements ------------------------------------------------------------------------------------


def _clean_value(
    indicator: Indicator,
    *,
    value: Decimal | None,
    numerator: Decimal | None,
    denominator: Decimal | None,
    text_value: str,
) -> dict[str, Decimal | str | None]:
    """Check a value against the indicator's type; return the columns to store."""
    errors: dict[str, str] = {}
    kind = indicator.type
    value, numerator, denominator = to_decimal(value), to_decimal(numerator), to_decimal(denominator)
    stored: dict[str, Decimal | str | None] = {
        "value": None,
        "numerator": None,
        "denominator": None,
        "text_value": "",
    }
    if kind == IndicatorType.PERCENTAGE:
        if numerator is None:
            errors["numerator"] = _("Indiquez le numérateur.")
        if denominator is None:
            errors["denominator"] = _("Indiquez le dénominateur.")
        elif denominator < 0:
            errors["denominator"] = _("Le dénominateur ne peut pas être négatif.")
        if numerator is not None and numerator < 0:
            errors["numerator"] = _("Le numérateur ne peut pas être négatif.")
        if not errors:
            assert numerator is not None and denominator is not None  # no error: both were given
            if numerator > denominator:
                errors["numerator"] = _("Le numérateur ne peut pas dépasser le dénominateur.")
        if not errors:
            stored.update(
                numerator=numerator, denominator=denominator, value=percentage(numerator, denominator)
            )
    elif kind == IndicatorType.TEXT:
        if not (text_value or "").strip():
            errors["text_value"] = _("Saisissez la valeur.")
        stored["text_value"] = (text_value or "").strip()
    else:
        if value is None:
            errors["value"] = _("Saisissez la valeur.")
        elif kind == IndicatorType.COUNT and value < 0:
            errors["value"] = _("Un nombre positif ou nul est attendu.")
        elif kind == IndicatorType.BOOLEAN and value not in (0, 1):
            errors["value"] = _("Répondez par oui (1) ou non (0).")
        elif kind == IndicatorType.SCALE:
            low, high = indicator.scale_min, indicator.scale_max
            # A scale has both bounds (the check constraint indicator_scale_bounds).
            assert low is not None and high is not None
            if not (low <= value <= high):
                errors["value"] = _("La note doit être comprise entre %(min)s et %(max)s.") % {
                    "min": low,
                    "max": high,
                }
        stored["value"] = value
    if errors:
        raise ValidationError(errors)
    return stored


def _store_evidence(measurement: Measurement, evidence: "UploadedFile[bytes]") -> None:
    # The cast: programme.files.Upload declares `size` as a settable attribute, UploadedFile's is a
    # read-only property; the protocol should say `@property` (reported, programme/files.py).
    sniffed, _digest = check_upload(cast(Upload, evidence))
    # The stored name never reuses the uploaded one: no path tricks, no personal data in file names.
    measurement.evidence.save(f"{uuid.uuid4().hex}{sniffed.extension}", evidence, save=False)


def measurement_review_flags(
    *,
    project_indicator: ProjectIndicator,
    period_end: date,
    stored: dict[str, Decimal | str | None],
    exclude_pk: int | None,
    today: date,
) -> list[dict[str, str]]:
    """What makes a value (the columns `_clean_value` returns) worth a confirmation and a second look.

    - the period is not over yet (`unfinished`): the value of a quarter typed in its second month is
      partial;
    - counts and amounts: more than OUTLIER_FACTOR times the largest validated value of this project
      indicator (`history`, in absolute value: a negative slip counts too), more than OUTLIER_FACTOR times
      its largest target, final or intermediate (`target`), or — for a first value with neither history
      nor target — more than OUTLIER_FACTOR times the baseline (`baseline`); negative when every validated
      value so far is positive or nil (`negative`). Zeros teach nothing: a history of zeros or a zero
      target is no yardstick;
    - percentages: the same history test on the denominator (the count the rate is taken over, which the
      roll-up sums); the rate itself is bounded by the numerator ≤ denominator rule.
    Scales, yes/no and texts are bounded or free: only the period test applies.
    """
    flags: list[dict[str, str]] = []
    if period_end >= today:
        flags.append({"code": ReviewFlag.UNFINISHED, "value": "", "reference": period_end.isoformat()})
    kind = project_indicator.indicator.type
    column = "denominator" if kind == IndicatorType.PERCENTAGE else "value"
    new = stored.get(column)
    if kind not in (IndicatorType.COUNT, IndicatorType.AMOUNT, IndicatorType.PERCENTAGE) or not isinstance(
        new, Decimal
    ):
        return flags
    validated = Measurement.objects.filter(
        project_indicator=project_indicator, status=MeasurementStatus.VALIDATED
    )
    if exclude_pk is not None:
        validated = validated.exclude(pk=exclude_pk)
    history: list[Decimal] = [v for v in validated.values_list(column, flat=True) if v is not None]
    largest = max((abs(v) for v in history), default=Decimal(0))
    size = abs(new)

    def flag(code: ReviewFlag, reference: Decimal) -> None:
        flags.append({"code": code, "value": str(new), "reference": str(reference)})

    if largest and size > OUTLIER_FACTOR * largest:
        flag(ReviewFlag.HISTORY, largest)
    if kind == IndicatorType.PERCENTAGE:
        return flags
    targets: list[Decimal | None] = [
        project_indicator.target_value,
        *(t.value for t in project_indicator.targets.all()),
    ]
    target = max((abs(t) for t in targets if t is not None), default=Decimal(0))
    if target and size > OUTLIER_FACTOR * target:
        flag(ReviewFlag.TARGET, target)
    baseline = abs(project_indicator.baseline_value or Decimal(0))
    if not largest and not target and baseline and size > OUTLIER_FACTOR * baseline:
        flag(ReviewFlag.BASELINE, baseline)
    if new < 0 and largest and all(v >= 0 for v in history):
        flag(ReviewFlag.NEGATIVE, largest)
    return flags


#: The columns of a value as the audit trail compares them.
VALUE_FIELDS = ("value", "numerator", "denominator", "text_value", "source", "status")


def _write_value(
    measurement: Measurement,
    *,
    actor: User,
    stored: dict[str, Decimal | str | None],
    source: str,
    evidence: "UploadedFile[bytes] | None",
    flags: list[dict[str, str]],
) -> dict[str, list[object]]:
    """Set a value's columns (not its status), save it, and return what changed for the audit trail:
    the changed columns, the flags, the evidence and who entered it, as which role (a value typed by the
    team reads so in the history)."""
    before = {f: getattr(measurement, f) for f in VALUE_FIELDS}
    flags_before = [f["code"] for f in measurement.review_flags]
    for field, new in stored.items():
        setattr(measurement, field, new)
    measurement.source = source
    measurement.review_flags = flags
    measurement.entered_by = actor
    if measurement.status != MeasurementStatus.RETURNED:
        measurement.return_comment = ""
    replaced = measurement.evidence.name if evidence is not None and measurement.evidence else None
    if evidence is not None:
        _store_evidence(measurement, evidence)
    measurement.save()
    if replaced:
        # The previous evidence file goes once the new one is committed (never before: a rollback keeps it).
        storage = measurement.evidence.storage
        transaction.on_commit(lambda: storage.delete(replaced))
    changes: dict[str, list[object]] = {
        f: [_plain(before[f]), _plain(getattr(measurement, f))]
        for f in VALUE_FIELDS
        if before[f] != getattr(measurement, f)
    }
    if flags_before != [f["code"] for f in flags]:
        changes["review_flags"] = [", ".join(flags_before), ", ".join(f["code"] for f in flags)]
    if evidence is not None:
        changes["evidence"] = [None, "…"]
    changes["entered_as"] = [None, actor.role]
    return changes


def _unchanged(measurement: Measurement, stored: dict[str, Decimal | str | None], source: str) -> bool:
    """The same value sent again (a double click, a reloaded page)."""
    return measurement.source == source and all(getattr(measurement, f) == v for f, v in stored.items())


#: How far ahead a running period may end: the longest measured period (a phase of 18 months) and then
#: some. Beyond, the period is refused, for the team and partners alike.
RUNNING_PERIOD_HORIZON = timedelta(days=731)


@transaction.atomic
def measurement_record(
    *,
    actor: User,
    project_indicator: ProjectIndicator,
    period_start: date,
    period_end: date,
    value: Decimal | None = None,
    numerator: Decimal | None = None,
    denominator: Decimal | None = None,
    text_value: str = "",
    source: str = "",
    evidence: "UploadedFile[bytes] | None" = None,
    submit: bool = True,
    confirmed: bool = False,
) -> Measurement:
    """Enter (or change, while it is not validated) the value of a period.

    Staff: the value is validated at once (or kept as a draft with submit=False) — unless it is flagged
    (`measurement_review_flags`): then it waits, "submitted", for another team member to validate it. A
    partner of the project: the value is "submitted" for the team to validate (or a draft), only on
    indicators the collective reports. A flagged value is refused with `ConfirmationNeeded` unless
    `confirmed`. A validated value is never overwritten here (see `measurement_correct`); the same value
    sent twice is saved once.
    """
    project = project_indicator.project
    _require_project_access(actor, project)
    is_team = access.is_team(actor)
    if not is_team:
        _require_reporter(actor, project_indicator)
    if period_end < period_start:
        raise ValidationError({"period_end": _("La fin de la période précède son début.")})
    today = timezone.localdate()
    if period_start > today:
        raise ValidationError(
            {
                "period_start": _(
                    "Cette période n’a pas encore commencé : saisissez sa valeur une fois terminée."
                )
            }
        )
    if period_end > today + RUNNING_PERIOD_HORIZON:
        # A running period (it ends later) is asked for confirmation below; one that ends years from
        # now is not a period being measured but a typing error (2030 for 2026).
        raise ValidationError(
            {
                "period_end": _(
                    "Cette période se termine dans plus de deux ans : une mesure porte sur une période "
                    "terminée ou en cours."
                )
            }
        )
    stored = _clean_value(
        project_indicator.indicator,
        value=value,
        numerator=numerator,
        denominator=denominator,
        text_value=text_value,
    )
    measurement = (
        Measurement.objects.select_for_update()
        .filter(project_indicator=project_indicator, period_start=period_start, period_end=period_end)
        .first()
    )
    creating = measurement is None
    if measurement is None:
        measurement = Measurement(
            project_indicator=project_indicator, period_start=period_start, period_end=period_end
        )
    else:
        if measurement.locked:
            raise WorkflowError(_("Cette période est verrouillée : la valeur ne peut plus être modifiée."))
        if measurement.status == MeasurementStatus.VALIDATED:
            if is_team and evidence is None and _unchanged(measurement, stored, source):
                return measurement
            raise WorkflowError(
                _("Cette valeur est déjà validée : l’équipe la corrige en indiquant le motif.")
                if is_team
                else _("Cette valeur a déjà été validée par l’équipe du programme.")
            )
    flags = measurement_review_flags(
        project_indicator=project_indicator,
        period_end=period_end,
        stored=stored,
        exclude_pk=measurement.pk,
        today=today,
    )
    if flags and not confirmed:
        raise ConfirmationNeeded(flags, project_indicator.indicator)
    if not submit:
        status = MeasurementStatus.DRAFT
    elif is_team and not flags:
        status = MeasurementStatus.VALIDATED
    else:
        status = MeasurementStatus.SUBMITTED
    if (
        not creating
        and status == measurement.status
        and evidence is None
        and _unchanged(measurement, stored, source)
        and measurement.review_flags == flags
    ):
        return measurement  # sent twice (a double click on a confirmed or submitted value)
    now = timezone.now()
    measurement.status = status
    if status == MeasurementStatus.VALIDATED:
        measurement.validated_by, measurement.validated_at = actor, now
        measurement.submitted_at = measurement.submitted_at or now
    elif status == MeasurementStatus.SUBMITTED:
        measurement.submitted_at = now
    changes = _write_value(
        measurement, actor=actor, stored=stored, source=source, evidence=evidence, flags=flags
    )
    if creating:
        changes["status"] = [None, measurement.status]
    audit_log(
        actor=actor,
        obj=measurement,
        action="measurement.created" if creating else "measurement.updated",
        changes=changes,
    )
    if measurement.status == MeasurementStatus.VALIDATED:
        rollup_refresh(project_indicator=project_indicator, years=[period_end.year])
    return measurement


@transaction.atomic
def measurement_correct(
    *,
    actor: User,
    measurement: Measurement,
    reason: str,
    value: Decimal | None = None,
    numerator: Decimal | None = None,
    denominator: Decimal | None = None,
    text_value: str = "",
    source: str = "",
    evidence: "UploadedFile[bytes] | None" = None,
    confirmed: bool = False,
) -> Measurement:
    """The team corrects a validated value, always saying why (kept in the audit trail with the old and
    new values). The corrected value stays validated — unless it is flagged and confirmed, in which case
    it goes back to "submitted" for another team member to validate — and the roll-up follows in the same
    transaction. A locked value must be unlocked first; the same correction sent twice is saved once."""
    _require_team(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif de la correction.")})
    measurement = _locked_row(measurement)
    pi = measurement.project_indicator
    if measurement.locked:
        raise WorkflowError(_("Cette période est verrouillée : déverrouillez-la d’abord."))
    if measurement.status != MeasurementStatus.VALIDATED:
        raise WorkflowError(_("Seule une valeur validée se corrige avec un motif."))
    stored = _clean_value(
        pi.indicator, value=value, numerator=numerator, denominator=denominator, text_value=text_value
    )
    if evidence is None and _unchanged(measurement, stored, source):
        return measurement
    flags = measurement_review_flags(
        project_indicator=pi,
        period_end=measurement.period_end,
        stored=stored,
        exclude_pk=measurement.pk,
        today=timezone.localdate(),
    )
    if flags and not confirmed:
        raise ConfirmationNeeded(flags, pi.indicator)
    now = timezone.now()
    if flags:
        measurement.status = MeasurementStatus.SUBMITTED
        measurement.validated_by = measurement.validated_at = None
        measurement.submitted_at = now
    else:
        measurement.validated_by, measurement.validated_at = actor, now
    changes = _write_value(
        measurement, actor=actor, stored=stored, source=source, evidence=evidence, flags=flags
    )
    changes["reason"] = [None, reason]
    audit_log(actor=actor, obj=measurement, action="measurement.corrected", changes=changes)
    rollup_refresh(project_indicator=pi, years=[measurement.period_end.year])
    return measurement


def _plain(value: object) -> object:
    return str(value) if isinstance(value, Decimal) else value


def _locked_row(measurement: Measurement) -> Measurement:
    return Measurement.objects.select_for_update().select_related("project_indicator").get(pk=measurement.pk)


@transaction.atomic
def measurement_submit(*, actor: User, measurement: Measurement) -> Measurement:
    """A draft or returned value is sent for validation (by the partner who reports it, or the team)."""
    _require_project_access(actor, measurement.project_indicator.project)
    measurement = _locked_row(measurement)
    if measurement.status not in (MeasurementStatus.DRAFT, MeasurementStatus.RETURNED):
        raise WorkflowError(_("Seule une valeur en brouillon ou renvoyée peut être soumise."))
    if not access.is_team(actor):
        _require_reporter(actor, measurement.project_indicator)
    before = measurement.status
    measurement.status = MeasurementStatus.SUBMITTED
    measurement.submitted_at = timezone.now()
    measurement.save(update_fields=["status", "submitted_at", "updated_at"])
    audit_log(
        actor=actor,
        obj=measurement,
        action="measurement.submitted",
        changes={"status": [before, "submitted"]},
    )
    return measurement


@transaction.atomic
def measurement_validate(*, actor: User, measurement: Measurement) -> Measurement:
    _require_team(actor)
    measurement = _locked_row(measurement)
    if measurement.status not in (MeasurementStatus.SUBMITTED, MeasurementStatus.DRAFT):
        raise WorkflowError(_("Seule une valeur soumise ou en brouillon peut être validée."))
    flagged = [f["code"] for f in measurement.review_flags]
    if flagged and measurement.entered_by_id == actor.pk:
        raise WorkflowError(
            _("Valeur signalée : un autre membre de l’équipe que la personne qui l’a saisie doit la valider.")
        )
    before = measurement.status
    measurement.status = MeasurementStatus.VALIDATED
    measurement.validated_by, measurement.validated_at = actor, timezone.now()
    measurement.return_comment = ""
    measurement.save(update_fields=["status", "validated_by", "validated_at", "return_comment", "updated_at"])
    changes: dict[str, list[object]] = {"status": [before, "validated"]}
    if flagged:
        changes["review_flags"] = [None, ", ".join(flagged)]  # what the validator saw and accepted
    audit_log(actor=actor, obj=measurement, action="measurement.validated", changes=changes)
    rollup_refresh(project_indicator=measurement.project_indicator, years=[measurement.period_end.year])
    return measurement


@transaction.atomic
def measurement_return(*, actor: User, measurement: Measurement, comment: str) -> Measurement:
    """Send a value back to whoever reported it, saying what to correct. A comment is mandatory."""
    _require_team(actor)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Expliquez ce qui doit être corrigé.")})
    measurement = _locked_row(measurement)
    if measurement.locked:
        raise WorkflowError(_("Cette période est verrouillée : déverrouillez-la d’abord."))
    if measurement.status not in (MeasurementStatus.SUBMITTED, MeasurementStatus.VALIDATED):
        raise WorkflowError(_("Seule une valeur soumise ou validée peut être renvoyée."))
    was_validated = measurement.status == MeasurementStatus.VALIDATED
    before = measurement.status
    measurement.status = MeasurementStatus.RETURNED
    measurement.return_comment = comment
    measurement.validated_by = measurement.validated_at = None
    measurement.save(update_fields=["status", "return_comment", "validated_by", "validated_at", "updated_at"])
    audit_log(
        actor=actor,
        obj=measurement,
        action="measurement.returned",
        changes={"status": [before, "returned"], "return_comment": [None, comment]},
    )
    # The reason opens (or continues) the measurement's thread with the collective, who are told.
    comment_post(actor=actor, project=measurement.project_indicator.project, target=measurement, body=comment)
    if was_validated:
        rollup_refresh(project_indicator=measurement.project_indicator, years=[measurement.period_end.year])
    return measurement


@transaction.atomic
def measurement_lock_period(*, actor: User, project: Project, period_start: date, period_end: date) -> int:
    """Lock every measurement of the project whose period lies within [period_start, period_end].

    Refused while a value of that span is still waiting (draft, submitted or returned): only a fully
    validated period can be locked. Returns how many values were locked.
    """
    _require_team(actor)
    if period_end < period_start:
        raise ValidationError({"period_end": _("La fin de la période précède son début.")})
    rows = list(
        Measurement.objects.select_for_update()
        .filter(
            project_indicator__project=project,
            period_start__gte=period_start,
            period_end__lte=period_end,
            locked=False,
        )
        .order_by("pk")
    )
    pending = [m for m in rows if m.status != MeasurementStatus.VALIDATED]
    if pending:
        raise WorkflowError(
            ngettext(
                "%(n)s valeur de cette période n’est pas validée : validez-la ou renvoyez-la d’abord.",
                "%(n)s valeurs de cette période ne sont pas validées : validez-les ou renvoyez-les d’abord.",
                len(pending),
            )
            % {"n": len(pending)}
        )
    if not rows:
        raise WorkflowError(_("Aucune valeur validée à verrouiller sur cette période."))
    now = timezone.now()
    Measurement.objects.filter(pk__in=[m.pk for m in rows]).update(locked=True, locked_at=now, updated_at=now)
    for m in rows:
        audit_log(actor=actor, obj=m, action="measurement.locked", changes={"locked": [False, True]})
    return len(rows)


@transaction.atomic
def measurement_unlock(*, actor: User, measurement: Measurement, reason: str) -> Measurement:
    """Only the team may reopen a locked value, and always says why (kept in the audit trail)."""
    _require_team(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez pourquoi la valeur est déverrouillée.")})
    measurement = _locked_row(measurement)
    if not measurement.locked:
        raise WorkflowError(_("Cette valeur n’est pas verrouillée."))
    measurement.locked = False
    measurement.locked_at = None
    measurement.save(update_fields=["locked", "locked_at", "updated_at"])
    audit_log(
        actor=actor,
        obj=measurement,
        action="measurement.unlocked",
        changes={"locked": [True, False], "reason": [None, reason]},
    )
    return measurement


def rollup_refresh(*, project_indicator: ProjectIndicator, years: Iterable[int]) -> None:
    """Recompute the yearly roll-up rows of a project indicator from its validated measurements.

    Called inside the services' transactions. Each year is one indexed aggregate over at most a few
    dozen rows (project_indicator, status, period_end)."""
    for year in set(years):
        validated = Measurement.objects.filter(
            project_indicator=project_indicator, status=MeasurementStatus.VALIDATED, period_end__year=year
        )
        totals = validated.aggregate(
            count=Count("pk"),
            value_sum=Sum("value"),
            value_count=Count("value"),
            numerator_sum=Sum("numerator"),
            denominator_sum=Sum("denominator"),
        )
        if not totals["count"]:
            MeasurementRollup.objects.filter(project_indicator=project_indicator, year=year).delete()
            continue
        latest = validated.order_by("-period_end", "-period_start").values(
            "period_end", "value", "numerator", "denominator"
        )[0]
        MeasurementRollup.objects.update_or_create(
            project_indicator=project_indicator,
            year=year,
            defaults={
                "project_id": project_indicator.project_id,
                "indicator_id": project_indicator.indicator_id,
                "count": totals["count"],
                "value_sum": totals["value_sum"] or 0,
                "value_count": totals["value_count"],
                "numerator_sum": totals["numerator_sum"] or 0,
                "denominator_sum": totals["denominator_sum"] or 0,
                "latest_period_end": latest["period_end"],
                "latest_value": latest["value"],
                "latest_numerator": latest["numerator"],
                "latest_denominator": latest["denominator"],
            },
        )
    rows = MeasurementRollup.objects.filter(project_indicator=project_indicator)
    current = rows.aggregate(year=Max("year"))["year"]
    rows.exclude(year=current).filter(is_current=True).update(is_current=False)
    if current is not None:
        rows.filter(year=current, is_current=False).update(is_current=True)


# --- Cooperative maturity ------------------------------------------------------------------------------


def _maturity_moment(actor: User, project: Project, phase: str, moment: str) -> MaturityMoment | None:
    return next(
        (
            m
            for m in maturity_moments_for(user=actor, project=project)
            if (m.phase, m.moment) == (phase, moment)
        ),
        None,
    )


@transaction.atomic
def maturity_assessment_save(
    *,
    actor: User,
    project: Project,
    phase: str,
    moment: str,
    assessed_on: date,
    scores: dict[str, int],
    participants: str = "",
    comment: str = "",
) -> MaturityAssessment:
    """Record the collective's self-assessment for a phase start or end (one per moment; saving again
    replaces the scores). The team may record any moment (filling a waived one lifts the waiver); a
    partner only a moment open to the collective (`maturity_moments`). The date sits inside the phase
    (`assessed_on_refusal`)."""
    _require_project_access(actor, project)
    missing = [d for d in Dimension.values if d not in scores]
    invalid = [d for d, s in scores.items() if d not in Dimension.values or not 1 <= int(s) <= 4]
    if missing or invalid:
        raise ValidationError(_("Chaque dimension doit recevoir une note de 1 à 4."))
    if phase not in ASSESSED_PHASES or moment not in Moment.values:
        raise ValidationError(_("Choisissez une phase d’accompagnement et un moment (début ou fin)."))
    # The project row orders this save with a concurrent waiver of the same moment.
    project = Project.objects.select_for_update().get(pk=project.pk)
    if not access.is_team(actor):
        due = _maturity_moment(actor, project, phase, moment)
        if due is None or not due.open_to_partners:
            raise ValidationError(
                _("Cette auto-évaluation est close : l’équipe l’a finalisée."), code="closed"
            )
    period = PhasePeriod.objects.filter(project=project, phase=phase).first()
    if refusal := assessed_on_refusal(period=period, moment=moment, assessed_on=assessed_on):
        raise ValidationError({"assessed_on": [refusal]})
    assessment = (
        MaturityAssessment.objects.select_for_update()
        .filter(project=project, phase=phase, moment=moment)
        .first()
    )
    creating = assessment is None
    if assessment is None:
        assessment = MaturityAssessment(project=project, phase=phase, moment=moment)
    before = {s.dimension: s.score for s in assessment.scores.all()} if not creating else {}
    changes: dict[str, list[object]] = {}
    if assessment.waived_at is not None:
        changes["dispense"] = [assessment.waiver_reason, None]
        assessment.waived_at, assessment.waived_by, assessment.waiver_reason = None, None, ""
    assessment.assessed_on = assessed_on
    assessment.assessed_by = actor
    assessment.participants = participants
    assessment.comment = comment
    assessment.save()
    for dimension, score in scores.items():
        MaturityScore.objects.update_or_create(
            assessment=assessment, dimension=dimension, defaults={"score": int(score)}
        )
    changes.update({d: [before.get(d), int(s)] for d, s in scores.items() if before.get(d) != int(s)})
    audit_log(
        actor=actor,
        obj=assessment,
        action="maturity.created" if creating else "maturity.updated",
        changes=changes,
    )
    return assessment


@transaction.atomic
def maturity_moment_waive(
    *, actor: User, project: Project, phase: str, moment: str, reason: str
) -> MaturityAssessment:
    """The team decides a maturity moment still owed will not be assessed, and says why (audited). The
    moment then stops being owed: the portal no longer offers it, the gate dossier no longer warns."""
    _require_team(actor)
    _require_project_access(actor, project)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Indiquez pourquoi cette auto-évaluation n’aura pas lieu.")]})
    project = Project.objects.select_for_update().get(pk=project.pk)
    due = _maturity_moment(actor, project, phase, moment)
    if due is None or due.state not in (MomentState.TO_FILL, MomentState.UPCOMING):
        raise ValidationError(
            _("Seule une auto-évaluation attendue et non remplie peut faire l’objet d’une dispense.")
        )
    assessment, _created = MaturityAssessment.objects.select_for_update().get_or_create(
        project=project, phase=phase, moment=moment, defaults={"assessed_on": timezone.localdate()}
    )
    assessment.waived_at = timezone.now()
    assessment.waived_by = actor
    assessment.waiver_reason = reason
    assessment.save(update_fields=["waived_at", "waived_by", "waiver_reason", "updated_at"])
    audit_log(actor=actor, obj=assessment, action="maturity.waived", changes={"dispense": [None, reason]})
    return assessment


# --- Lessons learned -----------------------------------------------------------------------------------


@transaction.atomic
def lesson_save(*, actor: User, edit: Edit[Lesson]) -> Lesson:
    _require_team(actor)
    return save_audited(actor=actor, edit=edit, on_create={"author": actor})


@transaction.atomic
def lesson_delete(*, actor: User, lesson: Lesson) -> None:
    _require_team(actor)
    delete_audited(actor=actor, obj=lesson, action="lesson.deleted")


@transaction.atomic
def rollup_rebuild(*, project_indicator_ids: list[int]) -> int:
    """Recompute the roll-up rows of these project indicators from scratch (every year). Returns the
    number of project indicators processed."""
    count = 0
    for pi in ProjectIndicator.objects.filter(pk__in=project_indicator_ids).select_for_update():
        years = set(
            Measurement.objects.filter(project_indicator=pi)
            .values_list("period_end__year", flat=True)
            .distinct()
        ) | set(MeasurementRollup.objects.filter(project_indicator=pi).values_list("year", flat=True))
        rollup_refresh(project_indicator=pi, years=years)
        count += 1
    return count


@transaction.atomic
def maturity_assessment_open(
    *, actor: User, project: Project, moment: Moment
) -> tuple[MaturityAssessment, bool]:
    """The team opens the collective's self-assessment for the project's current phase (start or end):
    an assessment without scores, which the partners then fill in the portal. Opening it twice changes
    nothing; the flag says whether this call created it."""
    _require_team(actor)
    _require_project_access(actor, project)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if moment not in Moment.values or project.phase not in ASSESSED_PHASES:
        raise ValidationError(_("Choisissez le moment (début ou fin de phase) d’un projet en cours."))
    assessment, created = MaturityAssessment.objects.select_for_update().get_or_create(
        project=project,
        phase=project.phase,
        moment=moment,
        defaults={"assessed_on": timezone.localdate(), "assessed_by": actor},
    )
    if created:
        audit_log(actor=actor, obj=assessment, action="maturity.opened", changes={"moment": [None, moment]})
    return assessment, created
