"""Writes of the money sub-domain. Keyword-only, typed, atomic, audited; refusals are `ValidationError`s
with the French reason (field-keyed where a form field is at fault), role refusals `PermissionDenied`.

The request's life is data: `REQUEST_MOVES` says which status may follow which, `move_refusal` why a move is
refused. A payment on a refused request, dates outside the convention period, more than what is still due
without a reason: refused, nothing saved. A schedule that does not add up to the granted amount is allowed
(conventions are signed before every date is known) and reported by `selectors.schedule_gap`."""

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, models, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from programme import access
from programme.audit import Edit, audit_log, delete_audited, save_audited
from programme.formatting import fr_amount, fr_date
from programme.models import User

from ..models import Project
from .models import (
    NATURES_BY_SIDE,
    ZERO,
    Budget,
    BudgetLine,
    Convention,
    FunderProgramme,
    FundingRequest,
    FundingSettings,
    Instalment,
    Justification,
    JustificationKind,
    JustificationStatus,
    Payment,
    RequestDocument,
    RequestStatus,
)

# --- Request status rules ---------------------------------------------------------------------------

#: Moves a person may make on a request. A decision (accordée, partiellement accordée, refusée) may be
#: corrected back to "déposée" (a recours, a typing error) as long as no convention follows it.
REQUEST_MOVES: dict[str, set[str]] = {
    RequestStatus.PREPARING: {RequestStatus.SUBMITTED},
    RequestStatus.SUBMITTED: {
        RequestStatus.PREPARING,
        RequestStatus.GRANTED,
        RequestStatus.PARTIAL,
        RequestStatus.REFUSED,
    },
    RequestStatus.GRANTED: {RequestStatus.SUBMITTED},
    RequestStatus.PARTIAL: {RequestStatus.SUBMITTED},
    RequestStatus.REFUSED: {RequestStatus.SUBMITTED},
}
#: Moves that need a reason typed by the person.
REASON_NEEDED = {RequestStatus.REFUSED, RequestStatus.PARTIAL}
#: Moves that are decisions (a date and, unless refused, an amount).
DECISIONS = {RequestStatus.GRANTED, RequestStatus.PARTIAL, RequestStatus.REFUSED}


def allowed_moves(status: str) -> list[str]:
    """The statuses a request may go to from `status`, in the order of the choices."""
    return [value for value in RequestStatus.values if value in REQUEST_MOVES.get(status, set())]


def move_refusal(
    *,
    request: FundingRequest,
    to_status: str,
    on: date | None,
    amount: Decimal | None,
    reason: str,
    has_convention: bool,
) -> ValidationError | None:
    """Why moving `request` to `to_status` is refused (field-keyed French messages), or None."""
    labels = dict(RequestStatus.choices)
    if to_status not in labels:
        return ValidationError({"status": [_("État inconnu.")]})
    if to_status == request.status:
        return ValidationError({"status": [_("La demande est déjà « %(s)s ».") % {"s": labels[to_status]}]})
    if to_status not in REQUEST_MOVES[request.status]:
        return ValidationError(
            {
                "status": [
                    _("Passage de « %(from)s » à « %(to)s » impossible.")
                    % {"from": labels[request.status], "to": labels[to_status]}
                ]
            }
        )
    if has_convention:
        return ValidationError(
            {"status": [_("Une convention est signée pour cette demande : sa décision ne change plus.")]}
        )
    errors: dict[str, list[str]] = {}
    if to_status == RequestStatus.SUBMITTED and on is None:
        errors["on"] = [_("Indiquez la date de dépôt.")]
    if to_status in DECISIONS and on is None:
        errors["on"] = [_("Indiquez la date de la décision.")]
    if on is not None and to_status in DECISIONS and request.submitted_on and on < request.submitted_on:
        errors["on"] = [
            _("La décision ne peut pas précéder le dépôt (%(d)s).") % {"d": fr_date(request.submitted_on)}
        ]
    if to_status in (RequestStatus.GRANTED, RequestStatus.PARTIAL):
        if amount is None or amount <= 0:
            errors["amount"] = [_("Indiquez le montant accordé.")]
        elif to_status == RequestStatus.GRANTED and amount != request.amount_requested:
            errors["amount"] = [
                _(
                    "Accordée veut dire le montant demandé (%(asked)s) ; pour un autre montant, choisissez "
                    "« partiellement accordée »."
                )
                % {"asked": fr_amount(request.amount_requested)}
            ]
        elif to_status == RequestStatus.PARTIAL and amount >= request.amount_requested:
            errors["amount"] = [
                _("Un accord partiel est inférieur au montant demandé (%(asked)s).")
                % {"asked": fr_amount(request.amount_requested)}
            ]
    if to_status in REASON_NEEDED and not reason.strip():
        errors["reason"] = [_("Indiquez le motif de la décision.")]
    return ValidationError(errors) if errors else None


def _team_only(actor: User) -> None:
    if not access.is_team(actor):
        raise PermissionDenied


def _save_unique[M: models.Model](actor: User, edit: Edit[M], *, field: str, clash: str) -> M:
    """Save an edit (audited); the unique key it runs into (a second click, another person a moment
    before) becomes the `clash` message on `field` instead of an error page."""
    try:
        with transaction.atomic():
            return save_audited(actor=actor, edit=edit)
    except IntegrityError as error:
        raise ValidationError({field: [clash]}) from error


def _check_amount(value: Decimal | None, field: str) -> None:
    if value is not None and value < 0:
        raise ValidationError({field: [_("Un montant ne peut pas être négatif.")]})


# --- Funders ----------------------------------------------------------------------------------------


@transaction.atomic
def funder_programme_save(*, actor: User, edit: Edit[FunderProgramme]) -> FunderProgramme:
    """Create or change a funder's programme or call for projects."""
    _team_only(actor)
    if not edit.obj.funder.funder_kind:
        raise ValidationError({"funder": [_("Cette structure n’est pas marquée comme financeur.")]})
    return save_audited(actor=actor, edit=edit)


# --- Sharing ----------------------------------------------------------------------------------------


@transaction.atomic
def funding_share(*, actor: User, project: Project, shared: bool) -> FundingSettings:
    """Share (or stop sharing) the project's budget and funding plan with its collective (audited)."""
    _team_only(actor)
    settings, _created = FundingSettings.objects.select_for_update().get_or_create(project=project)
    if settings.shared_with_collective != shared:
        before = settings.shared_with_collective
        settings.shared_with_collective = shared
        settings.save(update_fields=["shared_with_collective"])
        audit_log(
            actor=actor,
            obj=settings,
            action="funding_settings.shared" if shared else "funding_settings.unshared",
            changes={"shared_with_collective": [before, shared]},
        )
    return settings


# --- Budget -----------------------------------------------------------------------------------------


@transaction.atomic
def budget_get_or_create(*, actor: User, project: Project, phase: str, version: str) -> Budget:
    """The budget of one phase and version, created empty the first time (a double click finds it)."""
    _team_only(actor)
    budget, created = Budget.objects.get_or_create(project=project, phase=phase, version=version)
    if created:
        audit_log(actor=actor, obj=budget, action="budget.created", changes={"phase": [None, phase]})
    return budget


@transaction.atomic
def budget_line_save(*, actor: User, edit: Edit[BudgetLine], budget: Budget | None = None) -> BudgetLine:
    """Create (in `budget`) or change a budget line. The nature must belong to the line's side; a linked
    request must be the same project's."""
    _team_only(actor)
    line = edit.obj
    if budget is not None and line.pk is None:
        line.budget = budget
    _check_amount(line.amount, "amount")
    if line.nature not in NATURES_BY_SIDE.get(line.side, []):
        raise ValidationError({"nature": [_("Cette nature ne correspond pas à ce côté du budget.")]})
    if line.request_id is not None:
        if line.side != "resource":
            raise ValidationError(
                {"request": [_("Seul un produit se rattache à une demande de financement.")]}
            )
        assert line.request is not None
        if line.request.project_id != line.budget.project_id:
            raise ValidationError({"request": [_("Cette demande est celle d’un autre projet.")]})
    return _save_unique(
        actor, edit, field="label", clash=_("Une ligne de ce libellé existe déjà de ce côté du budget.")
    )


@transaction.atomic
def budget_line_delete(*, actor: User, line: BudgetLine) -> None:
    _team_only(actor)
    delete_audited(actor=actor, obj=line, action="budget_line.deleted", removed={"amount": str(line.amount)})


# --- Requests ---------------------------------------------------------------------------------------


@transaction.atomic
def funding_request_save(
    *, actor: User, edit: Edit[FundingRequest], project: Project | None = None
) -> FundingRequest:
    """Create (for `project`) or change a request's details. Its status moves only through
    `funding_request_move`."""
    _team_only(actor)
    request = edit.obj
    if project is not None and request.pk is None:
        request.project = project
    _check_amount(request.amount_requested, "amount_requested")
    if request.period_end < request.period_start:
        raise ValidationError({"period_end": [_("La fin de la période précède son début.")]})
    if not request.funder.funder_kind:
        raise ValidationError({"funder": [_("Cette structure n’est pas marquée comme financeur.")]})
    programme = request.funder_programme
    if programme is not None and programme.funder_id != request.funder_id:
        raise ValidationError({"funder_programme": [_("Ce programme est celui d’un autre financeur.")]})
    contact = request.contact
    if contact is not None and contact.organisation_id != request.funder_id:
        raise ValidationError({"contact": [_("Ce contact n’appartient pas au financeur.")]})
    return _save_unique(
        actor,
        edit,
        field="title",
        clash=_("Une demande de cet objet existe déjà auprès de ce financeur pour ce projet."),
    )


@transaction.atomic
def funding_request_move(
    *,
    actor: User,
    request: FundingRequest,
    to_status: str,
    on: date | None = None,
    amount: Decimal | None = None,
    reason: str = "",
) -> FundingRequest:
    """Move a request along its life (`REQUEST_MOVES`): submitted on `on`, decided on `on` for `amount`
    (with a reason for a refusal or a partial grant). Sent twice (a double click), the second is a no-op."""
    _team_only(actor)
    request = FundingRequest.objects.select_for_update().get(pk=request.pk)
    if request.status == to_status and to_status in DECISIONS and request.decided_on == on:
        return request  # the same decision sent again
    refusal = move_refusal(
        request=request,
        to_status=to_status,
        on=on,
        amount=amount,
        reason=reason,
        has_convention=Convention.objects.filter(request=request).exists(),
    )
    if refusal is not None:
        raise refusal
    before = request.status
    request.status = to_status
    request.status_reason = reason.strip()
    if to_status == RequestStatus.SUBMITTED:
        request.submitted_on = on
        request.decided_on = None
        request.amount_granted = None
    elif to_status == RequestStatus.PREPARING:
        request.submitted_on = None
    elif to_status in DECISIONS:
        request.decided_on = on
        request.amount_granted = ZERO if to_status == RequestStatus.REFUSED else amount
    request.save()
    audit_log(
        actor=actor,
        obj=request,
        action="funding_request.moved",
        changes={
            "status": [before, to_status],
            "amount_granted": [
                None,
                str(request.amount_granted) if request.amount_granted is not None else None,
            ],
            "motif": [None, request.status_reason],
        },
    )
    return request


@transaction.atomic
def request_document_add(
    *, actor: User, request: FundingRequest, file: "File[bytes]", comment: str = ""
) -> RequestDocument:
    """Add a private file to a request (its next number), checked by `programme.files`."""
    from ..services import _store_version

    _team_only(actor)
    request = FundingRequest.objects.select_for_update().get(pk=request.pk)
    document = _store_version(
        RequestDocument, parent=request, actor=actor, file=file, comment=comment, parent_field="request"
    )
    audit_log(
        actor=actor,
        obj=request,
        action="funding_request.document_added",
        changes={"fichier": [None, document.original_name]},
    )
    return document


# --- Conventions ------------------------------------------------------------------------------------


def _year_ends(start: date, end: date) -> list[date]:
    """31 December of every year the period touches, the period's own end for the last one."""
    ends = [date(year, 12, 31) for year in range(start.year, end.year)]
    return [*ends, end]


def _six_months_after(day: date) -> date:
    month = day.month + 6
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Deadline:
    kind: str
    covers_until: date
    due_on: date


def default_justifications(*, period_start: date, period_end: date) -> list[Deadline]:
    """What a convention usually asks for (décret 2001-495 / Cerfa 15059): a compte-rendu financier within
    six months of the end of each financial year it covers, and the final activity report within six
    months of the end of the period."""
    deadlines = [
        Deadline(JustificationKind.FINANCIAL, end, _six_months_after(end))
        for end in _year_ends(period_start, period_end)
    ]
    deadlines.append(Deadline(JustificationKind.ACTIVITY, period_end, _six_months_after(period_end)))
    return deadlines


@transaction.atomic
def convention_save(
    *,
    actor: User,
    edit: Edit[Convention],
    request: FundingRequest | None = None,
    with_default_deadlines: bool = True,
) -> Convention:
    """Create the convention of a granted request (with the usual justification deadlines) or change one.
    A refused or undecided request has no convention."""
    _team_only(actor)
    convention = edit.obj
    creating = convention.pk is None
    if creating:
        assert request is not None
        request = FundingRequest.objects.select_for_update().get(pk=request.pk)
        if request.status not in (RequestStatus.GRANTED, RequestStatus.PARTIAL):
            raise ValidationError(
                _("Seule une demande accordée (ou partiellement accordée) donne lieu à une convention.")
            )
        if Convention.objects.filter(request=request).exists():
            raise ValidationError(_("Cette demande a déjà sa convention."))
        convention.request = request
        convention.project_id = request.project_id
    _check_amount(convention.amount_granted, "amount_granted")
    if convention.period_end < convention.period_start:
        raise ValidationError({"period_end": [_("La fin de la période précède son début.")]})
    if not creating:
        outside = Instalment.objects.filter(convention=convention).exclude(
            due_on__range=(convention.period_start, _six_months_after(convention.period_end))
        )
        if outside.exists():
            raise ValidationError(
                {"period_end": [_("Des échéances de versement tomberaient hors de la nouvelle période.")]}
            )
    convention = _save_unique(
        actor, edit, field="reference", clash=_("Une convention de cette référence existe déjà.")
    )
    if creating and with_default_deadlines:
        Justification.objects.bulk_create(
            Justification(convention=convention, kind=d.kind, covers_until=d.covers_until, due_on=d.due_on)
            for d in default_justifications(
                period_start=convention.period_start, period_end=convention.period_end
            )
        )
    return convention


def _in_schedule_window(convention: Convention, day: date) -> bool:
    """An instalment falls within the convention period; the balance (paid on the final report) may
    come up to six months after its end."""
    return convention.period_start <= day <= _six_months_after(convention.period_end)


@transaction.atomic
def instalment_save(
    *, actor: User, edit: Edit[Instalment], convention: Convention | None = None
) -> Instalment:
    """Add an instalment to `convention`'s schedule or change one. Its date must fall within the convention
    period (the balance up to six months after it). The schedule may not add up to more than the granted
    amount; less is allowed and reported (`selectors.schedule_gap`)."""
    _team_only(actor)
    instalment = edit.obj
    if convention is not None and instalment.pk is None:
        instalment.convention = convention
    convention = Convention.objects.select_for_update().get(pk=instalment.convention_id)
    if instalment.amount is None or instalment.amount <= 0:
        raise ValidationError({"amount": [_("Un montant de versement est supérieur à zéro.")]})
    if not _in_schedule_window(convention, instalment.due_on):
        raise ValidationError(
            {
                "due_on": [
                    _("L’échéance doit tomber dans la période de la convention (du %(start)s au %(end)s).")
                    % {"start": fr_date(convention.period_start), "end": fr_date(convention.period_end)}
                ]
            }
        )
    others = (
        Instalment.objects.filter(convention=convention)
        .exclude(pk=instalment.pk)
        .aggregate(s=Sum("amount"))["s"]
        or ZERO
    )
    if others + instalment.amount > convention.amount_granted:
        raise ValidationError(
            {
                "amount": [
                    _("L’échéancier dépasserait le montant conventionné (%(granted)s) de %(over)s.")
                    % {
                        "granted": fr_amount(convention.amount_granted),
                        "over": fr_amount(others + instalment.amount - convention.amount_granted),
                    }
                ]
            }
        )
    return _save_unique(
        actor, edit, field="due_on", clash=_("Une échéance de cette nature existe déjà à cette date.")
    )


def _settled(convention: Convention) -> dict[int, Decimal]:
    """What each instalment of `convention` has received (payments settle the earliest first)."""
    from .selectors import allocate

    instalments = list(Instalment.objects.filter(convention=convention).order_by("due_on", "id"))
    received = Payment.objects.filter(convention=convention).aggregate(s=Sum("amount"))["s"] or ZERO
    return {
        i.pk: part
        for i, part in zip(instalments, allocate([i.amount for i in instalments], received), strict=True)
    }


@transaction.atomic
def instalment_delete(*, actor: User, instalment: Instalment) -> None:
    """Remove an instalment from the schedule. Refused once payments settle part of it: removing it would
    move the money received onto the next instalments without anyone saying so."""
    _team_only(actor)
    convention = Convention.objects.select_for_update().get(pk=instalment.convention_id)
    got = _settled(convention).get(instalment.pk, ZERO)
    if got > 0:
        raise ValidationError(
            _(
                "Cette échéance a déjà reçu %(got)s : corrigez ou supprimez d’abord le versement qui la règle, "
                "puis supprimez-la."
            )
            % {"got": fr_amount(got)}
        )
    removed = {"amount": str(instalment.amount), "due_on": str(instalment.due_on)}
    delete_audited(actor=actor, obj=instalment, action="instalment.deleted", removed=removed)


def _payment_refusal(
    *, convention: Convention, received_on: date, amount: Decimal, excess_reason: str, others: Decimal
) -> ValidationError | None:
    """Why a payment of `amount` on `received_on` is refused (`others`: what the convention's other
    payments add up to), or None. `_check_payment` raises it."""
    if convention.request.status == RequestStatus.REFUSED:
        return ValidationError(_("La demande a été refusée : aucun versement ne peut être enregistré."))
    if amount is None or amount <= 0:
        return ValidationError({"amount": [_("Un versement est un montant supérieur à zéro.")]})
    if received_on < convention.period_start:
        return ValidationError(
            {
                "received_on": [
                    _("Le versement précède la période de la convention (début le %(start)s).")
                    % {"start": fr_date(convention.period_start)}
                ]
            }
        )
    if received_on > timezone.localdate():
        return ValidationError({"received_on": [_("Un versement reçu ne peut pas être daté dans le futur.")]})
    still_due = convention.amount_granted - others
    if amount > still_due and not excess_reason.strip():
        return ValidationError(
            {
                "excess_reason": [
                    _(
                        "Ce versement dépasse de %(over)s ce qui reste dû sur la convention (%(due)s) : indiquez "
                        "le motif du dépassement pour l’enregistrer."
                    )
                    % {
                        "over": fr_amount(amount - max(still_due, ZERO)),
                        "due": fr_amount(max(still_due, ZERO)),
                    }
                ]
            }
        )
    return None


def _check_payment(payment: Payment, *, convention: Convention, others: Decimal) -> None:
    refusal = _payment_refusal(
        convention=convention,
        received_on=payment.received_on,
        amount=payment.amount,
        excess_reason=payment.excess_reason,
        others=others,
    )
    if refusal is not None:
        raise refusal


def _others_received(convention: Convention, payment: Payment | None = None) -> Decimal:
    others = Payment.objects.filter(convention=convention)
    if payment is not None:
        others = others.exclude(pk=payment.pk)
    return others.aggregate(s=Sum("amount"))["s"] or ZERO


@transaction.atomic
def payment_record(
    *,
    actor: User,
    convention: Convention,
    received_on: date,
    amount: Decimal,
    reference: str = "",
    excess_reason: str = "",
) -> Payment:
    """Record money received on a convention. Refused: a refused request, a date before the convention
    period or in the future, a non-positive amount, and more than what the convention still owes unless
    `excess_reason` says why. The same payment sent twice (a double click) is returned, not duplicated."""
    _team_only(actor)
    convention = Convention.objects.select_for_update().select_related("request").get(pk=convention.pk)
    reference = reference.strip()
    existing = Payment.objects.filter(
        convention=convention, received_on=received_on, amount=amount, reference=reference
    ).first()
    if existing is not None:
        return existing
    others = _others_received(convention)
    payment = Payment(
        convention=convention,
        received_on=received_on,
        amount=amount,
        reference=reference,
        excess_reason=excess_reason.strip(),
        recorded_by=actor,
    )
    _check_payment(payment, convention=convention, others=others)
    if amount <= convention.amount_granted - others:
        payment.excess_reason = ""
    payment.save()
    audit_log(
        actor=actor,
        obj=payment,
        action="payment.created",
        changes={"amount": [None, str(amount)], "received_on": [None, received_on.isoformat()]},
    )
    return payment


def payment_add(*, actor: User, edit: Edit[Payment], convention: Convention) -> Payment:
    """`payment_record` for the payment a form describes."""
    payment = edit.obj
    return payment_record(
        actor=actor,
        convention=convention,
        received_on=payment.received_on,
        amount=payment.amount,
        reference=payment.reference,
        excess_reason=payment.excess_reason,
    )


@transaction.atomic
def payment_save(*, actor: User, edit: Edit[Payment]) -> Payment:
    """Correct a recorded payment (a typing error in its amount, date or bank reference, the reason of an
    excess) under the rules of `payment_record`; the changed fields go to the audit trail."""
    _team_only(actor)
    payment = edit.obj
    assert payment.pk is not None, "a payment is recorded by payment_record"
    convention = (
        Convention.objects.select_for_update().select_related("request").get(pk=payment.convention_id)
    )
    payment.reference = payment.reference.strip()
    others = _others_received(convention, payment)
    _check_payment(payment, convention=convention, others=others)
    if payment.amount <= convention.amount_granted - others:
        payment.excess_reason = ""
    clash = Payment.objects.filter(
        convention=convention,
        received_on=payment.received_on,
        amount=payment.amount,
        reference=payment.reference,
    ).exclude(pk=payment.pk)
    if clash.exists():
        raise ValidationError(
            {"reference": [_("Ce versement est déjà enregistré (même date, montant et référence).")]}
        )
    return save_audited(actor=actor, edit=edit)


@transaction.atomic
def payment_delete(*, actor: User, payment: Payment) -> None:
    """Remove a payment recorded by mistake (audited). The instalments it settled are open again; what it
    was (date, amount, reference) stays in the audit trail."""
    _team_only(actor)
    Convention.objects.select_for_update().get(pk=payment.convention_id)
    removed = {
        "amount": str(payment.amount),
        "received_on": str(payment.received_on),
        "reference": payment.reference,
    }
    delete_audited(actor=actor, obj=payment, action="payment.deleted", removed=removed)


@transaction.atomic
def justification_save(
    *, actor: User, edit: Edit[Justification], convention: Convention | None = None
) -> Justification:
    """Add a justification deadline to `convention` or change one (its state, the date it was sent)."""
    _team_only(actor)
    justification = edit.obj
    if convention is not None and justification.pk is None:
        justification.convention = convention
    if justification.status != JustificationStatus.DUE and justification.sent_on is None:
        raise ValidationError({"sent_on": [_("Indiquez la date de transmission.")]})
    if justification.status == JustificationStatus.DUE:
        justification.sent_on = None
    return _save_unique(
        actor, edit, field="due_on", clash=_("Ce justificatif est déjà attendu à cette date.")
    )


@transaction.atomic
def justification_delete(*, actor: User, justification: Justification) -> None:
    """Remove a justification the convention does not ask for (added by mistake). Refused once it has been
    sent to the funder: it is part of the convention's record (its state can still be changed)."""
    _team_only(actor)
    if justification.status != JustificationStatus.DUE:
        raise ValidationError(
            _(
                "Ce justificatif a été transmis au financeur (état « %(status)s ») : il reste au dossier de la "
                "convention. Modifiez-le plutôt que de le supprimer."
            )
            % {"status": justification.get_status_display()}
        )
    removed = {"kind": justification.kind, "due_on": str(justification.due_on)}
    delete_audited(actor=actor, obj=justification, action="justification.deleted", removed=removed)
