"""Writes of e-mail from the record: the team's templates, one message, a bulk send, and the delivery the
task does. Keyword-only, typed, atomic; audited. A message is an `OutgoingEmail` plus the `Exchange` it is
logged as, written in one transaction; the task is queued after commit and claims the row with one
conditional UPDATE, so a redelivered task never sends twice."""

import logging
import mimetypes
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, NamedTuple

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from programme import access
from programme.audit import Edit, audit_log, save_audited
from programme.files import check_upload
from programme.formatting import failure
from programme.models import AuditEntry, Organisation, Person, User
from programme.privacy import erase_names, erased_address
from prospects.models import Exchange, ExchangeKind, Prospect

from ..models import Project
from . import placeholders, selectors
from .models import EmailStatus, EmailTemplate, Language, OutgoingEmail

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

logger = logging.getLogger(__name__)

#: What a template's attachment may be (read from the content): PDF, OpenDocument text, Word.
ATTACHMENT_TYPES = frozenset(
    {
        "application/pdf",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
)
#: Messages handed to one task of a bulk send.
BATCH_SIZE = 50
#: A queued message older than this is handed to the queue again by the sweeper (the broker lost it).
STUCK_AFTER_MINUTES = 10


def _team_only(actor: User) -> None:
    if not access.is_team(actor):
        raise PermissionDenied


# --- Templates --------------------------------------------------------------------------------------------


def _check_template_texts(template: EmailTemplate) -> None:
    errors: dict[str, list[str]] = {}
    for name in ("subject_fr", "body_fr", "subject_en", "body_en"):
        unknown = placeholders.unknown(getattr(template, name))
        if unknown:
            errors[name] = [placeholders.unknown_message(unknown)]
    if bool(template.subject_en.strip()) != bool(template.body_en.strip()):
        field_name = "body_en" if template.subject_en.strip() else "subject_en"
        errors.setdefault(field_name, []).append(
            _("La version anglaise demande un objet et un texte (ou aucun des deux).")
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def email_template_save(
    *,
    actor: User,
    edit: Edit[EmailTemplate],
    attachment: "File[bytes] | None" = None,
    remove_attachment: bool = False,
) -> EmailTemplate:
    """Create or change a template. Unknown placeholders are refused (nothing saved); an attachment must be
    a PDF, an OpenDocument text or a Word file, judged from its content. A replaced attachment stays on disk:
    the messages already sent with it still point at it."""
    _team_only(actor)
    template = edit.obj
    _check_template_texts(template)
    changes = dict(edit.changes)
    if attachment is not None:
        try:
            sniffed, _digest = check_upload(attachment, accept=ATTACHMENT_TYPES)
        except ValidationError as error:
            if error.code == "bad_type":
                raise ValidationError(
                    {
                        "attachment": [
                            _("La pièce jointe doit être un PDF, un texte OpenDocument (ODT) ou Word (DOCX).")
                        ]
                    }
                ) from error
            raise ValidationError({"attachment": error.messages}) from error
        assert attachment.name is not None
        template.attachment_extension = sniffed.extension
        template.attachment_type = sniffed.content_type
        template.attachment_name = attachment.name.rsplit("/", 1)[-1][:255]
        template.attachment.save(f"attachment{sniffed.extension}", attachment, save=False)
        changes["pièce jointe"] = [None, template.attachment_name]
    elif remove_attachment and template.attachment:
        changes["pièce jointe"] = [template.attachment_name, None]
        template.attachment = ""
        template.attachment_name = template.attachment_extension = template.attachment_type = ""
    template.updated_by = actor
    return save_audited(actor=actor, edit=Edit(obj=template, changes=changes, m2m=edit.m2m))


@transaction.atomic
def email_template_archive(*, actor: User, template: EmailTemplate, archived: bool) -> EmailTemplate:
    """Archive a template (it leaves the choice lists; sent messages keep it) or bring it back."""
    _team_only(actor)
    template = EmailTemplate.objects.select_for_update().get(pk=template.pk)
    if template.archived != archived:
        template.archived = archived
        template.updated_by = actor
        template.save(update_fields=["archived", "updated_by", "updated_at"])
        audit_log(
            actor=actor,
            obj=template,
            action="email_template.archived" if archived else "email_template.restored",
        )
    return template


# --- One message ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """A message as edited before sending (placeholders may still be in it)."""

    subject: str
    body: str
    language: str = Language.FR
    template: EmailTemplate | None = None
    attach: bool = False


def _check_draft(draft: Draft) -> None:
    errors: dict[str, list[str]] = {}
    if not draft.subject.strip():
        errors["subject"] = [_("Écrivez l’objet du message.")]
    if not draft.body.strip():
        errors["body"] = [_("Écrivez le texte du message.")]
    for name in ("subject", "body"):
        unknown = placeholders.unknown(getattr(draft, name))
        if unknown:
            errors.setdefault(name, []).append(placeholders.unknown_message(unknown))
    if draft.language not in Language.values:
        errors["language"] = [_("Choisissez le français ou l’anglais.")]
    if draft.template is not None and draft.template.archived:
        errors["template"] = [_("Ce modèle est archivé : choisissez-en un autre.")]
    if errors:
        raise ValidationError(errors)


def _attachment_of(draft: Draft) -> tuple[str, str, str]:
    template = draft.template
    if draft.attach and template is not None and template.attachment:
        return template.attachment.name or "", template.attachment_name, template.attachment_type
    return "", "", ""


def _message_rows(
    draft: Draft,
    *,
    actor: User,
    person: Person,
    organisation: Organisation,
    prospect: Prospect | None,
    subject: str,
    body: str,
    on: date,
    project: Project | None = None,
    batch: uuid.UUID | None = None,
) -> tuple[Exchange, OutgoingEmail]:
    """One message's two rows, not saved: the e-mail exchange it is logged as on the structure, and the
    e-mail to send (the draft's template, language and attachment) tied to it. The caller saves the
    exchange first, then the e-mail (one message, or every message of a bulk send at once)."""
    subject = subject[:255]
    exchange = Exchange(
        organisation=organisation,
        contact=person,
        prospect=prospect,
        kind=ExchangeKind.EMAIL,
        date=on,
        user=actor,
        subject=subject,
        summary=body,
    )
    attachment, attachment_name, attachment_type = _attachment_of(draft)
    email = OutgoingEmail(
        to=person.email,
        contact=person,
        organisation=organisation,
        prospect=prospect,
        project=project,
        template=draft.template,
        language=draft.language,
        subject=subject,
        body=body,
        attachment=attachment,
        attachment_name=attachment_name,
        attachment_type=attachment_type,
        exchange=exchange,
        sender=actor,
        batch=batch,
    )
    return exchange, email


def _queue(ids: Sequence[int]) -> None:
    """Hand the messages to the queue once the transaction commits (in batches)."""
    from . import tasks

    def enqueue() -> None:
        from programme.celery import enqueue as safe_enqueue

        for start in range(0, len(ids), BATCH_SIZE):
            safe_enqueue(tasks.send_emails, list(ids[start : start + BATCH_SIZE]))

    transaction.on_commit(enqueue)


@transaction.atomic
def email_send(
    *,
    actor: User,
    person: Person,
    draft: Draft,
    prospect: Prospect | None = None,
    project: Project | None = None,
) -> OutgoingEmail:
    """Send one message to a contact from a prospect, a contact or a project: the message is written as it
    will leave (placeholders filled in), logged as an e-mail exchange on the contact's structure (on the
    prospect, linked to the project), and sent by a task after commit. Refused with the reason, nothing
    saved: no address, no structure, an empty subject or text, an unknown placeholder, one with no value."""
    _team_only(actor)
    person = access.get_for_user_or_404(
        access.scoped(actor, Person).select_related("organisation"), pk=person.pk
    )
    if person.anonymised_at is not None:
        raise ValidationError({"contact": [_("Ce contact a été anonymisé : il ne peut plus être écrit.")]})
    if not person.email:
        raise ValidationError(
            {"contact": [_("Ce contact n’a pas d’adresse e-mail : ajoutez-la sur sa fiche avant d’écrire.")]}
        )
    organisation: Organisation | None = prospect.organisation if prospect is not None else person.organisation
    if organisation is None:
        raise ValidationError(
            {
                "contact": [
                    _("Ce contact n’est rattaché à aucune structure : l’échange ne pourrait pas être noté.")
                ]
            }
        )
    if prospect is not None and person.organisation_id != prospect.organisation_id:
        raise ValidationError({"contact": [_("Ce contact n’appartient pas à la structure de ce prospect.")]})
    if project is not None and not selectors.project_people(actor, project).filter(pk=person.pk).exists():
        raise ValidationError({"contact": [_("Ce contact ne fait pas partie du collectif de ce projet.")]})
    _check_draft(draft)
    values = selectors.placeholder_values(
        person=person,
        organisation=organisation,
        sender=actor,
        language=draft.language,
        prospect=prospect,
        project=project,
        programme=None if (prospect or project) else selectors.default_programme(),
    )
    missing = placeholders.missing(values, draft.subject, draft.body)
    if missing:
        raise ValidationError({"body": [selectors.missing_message(missing)]})
    subject = " ".join(placeholders.fill(draft.subject, values).split())
    body = placeholders.fill(draft.body, values)
    exchange, email = _message_rows(
        draft,
        actor=actor,
        person=person,
        organisation=organisation,
        prospect=prospect,
        project=project,
        subject=subject,
        body=body,
        on=timezone.localdate(),
    )
    exchange.save()
    if project is not None:
        project.exchanges.add(exchange)
    email.save()
    audit_log(
        actor=actor,
        obj=prospect if prospect is not None else organisation,
        action="prospect.email_sent" if prospect is not None else "organisation.email_sent",
        changes={"e-mail": [None, subject]},
    )
    _queue([email.pk])
    return email


# --- Bulk send --------------------------------------------------------------------------------------------


class LargeBulkUnconfirmed(ValidationError):
    """Over LARGE_BULK recipients, the explicit checkbox was not ticked."""


class BulkSource(NamedTuple):
    """What a bulk send writes, by what its rows are (who receives it: `selectors.plan_for`)."""

    action: str  # audited on each row
    nobody: "StrOrPromise"  # the refusal when nobody would receive it


BULK_SOURCES: dict[type[Prospect] | type[Project], BulkSource] = {
    Prospect: BulkSource(
        "prospect.email_sent",
        gettext_lazy("Aucun des prospects de cette liste n’a de destinataire : rien n’a été envoyé."),
    ),
    Project: BulkSource(
        "project.email_sent",
        gettext_lazy("Aucun contact des collectifs de ces projets ne peut être écrit : rien n’a été envoyé."),
    ),
}


@transaction.atomic
def email_bulk_send(
    *,
    actor: User,
    rows: QuerySet[Prospect] | QuerySet[Project],
    draft: Draft,
    confirm_large: bool = False,
    previewed: str | None = None,
) -> list[OutgoingEmail]:
    """Send one message to the filtered prospects, or to the collectives of the filtered projects: each
    recipient of the plan gets the message with their own values, logged as an e-mail exchange on their
    structure (on the prospect; tied to the project) and audited on the row. Over LARGE_BULK recipients the
    explicit confirmation is required; with no recipient nothing happens. `previewed`: the recipients the
    sender saw (`BulkPlan.fingerprint`); when the list has changed since, nothing is sent and the refusal
    says so."""
    _team_only(actor)
    _check_draft(draft)
    model = rows.model
    action, nobody = BULK_SOURCES[model]
    rows = rows.filter(pk__in=access.scoped(actor, model).values("pk"))
    plan = selectors.plan_for(rows, sender=actor, language=draft.language, texts=(draft.subject, draft.body))
    if not plan.recipients:
        raise ValidationError(str(nobody))
    if previewed is not None and previewed != plan.fingerprint:
        raise ValidationError(
            ngettext(
                "La liste a changé depuis la prévisualisation : elle compte maintenant %(count)s destinataire. "
                "Vérifiez-la ci-dessous, puis confirmez à nouveau. Rien n’a été envoyé.",
                "La liste a changé depuis la prévisualisation : elle compte maintenant %(count)s destinataires. "
                "Vérifiez-la ci-dessous, puis confirmez à nouveau. Rien n’a été envoyé.",
                len(plan.recipients),
            )
            % {"count": len(plan.recipients)}
        )
    if plan.large and not confirm_large:
        raise LargeBulkUnconfirmed(
            {
                "confirm_large": [
                    _(
                        "Cet envoi part à %(count)s destinataires : cochez la case de confirmation pour "
                        "l’envoyer."
                    )
                    % {"count": len(plan.recipients)}
                ]
            }
        )
    batch = uuid.uuid4()
    today = timezone.localdate()
    messages: list[tuple[str, str]] = [
        (
            " ".join(placeholders.fill(draft.subject, r.values).split())[:255],
            placeholders.fill(draft.body, r.values),
        )
        for r in plan.recipients
    ]
    written = [
        _message_rows(
            draft,
            actor=actor,
            person=r.person,
            organisation=r.organisation,
            prospect=r.row if isinstance(r.row, Prospect) else None,
            project=r.row if isinstance(r.row, Project) else None,
            subject=subject,
            body=body,
            on=today,
            batch=batch,
        )
        for r, (subject, body) in zip(plan.recipients, messages, strict=True)
    ]
    Exchange.objects.bulk_create([exchange for exchange, _email in written])
    emails = OutgoingEmail.objects.bulk_create([email for _exchange, email in written])
    if any(email.pk is None for email in emails):  # a backend that does not return ids
        emails = list(OutgoingEmail.objects.filter(batch=batch).order_by("pk"))
    Project.exchanges.through.objects.bulk_create(
        [
            Project.exchanges.through(project_id=r.row.pk, exchange_id=exchange.pk)
            for r, (exchange, _email) in zip(plan.recipients, written, strict=True)
            if isinstance(r.row, Project)
        ]
    )
    content_type = ContentType.objects.get_for_model(model)
    now = timezone.now()
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor=actor,
                action=action,
                content_type=content_type,
                object_id=str(r.row.pk),
                object_repr=str(r.row)[:255],
                changes={"e-mail": [None, subject]},
                created_at=now,
            )
            for r, (subject, _body) in zip(plan.recipients, messages, strict=True)
        ]
    )
    _queue([email.pk for email in emails])
    return emails


# --- A contact's personal data (programme/privacy.py) ------------------------------------------------------


def emails_erase_for(person: Person, email: str) -> None:
    """The messages sent to a contact being anonymised keep their text, not the person: the address they
    went to becomes an invalid one, and their name and address leave the subject and the body
    (`programme.privacy.erase_names`; the exchange each is logged as is the prospects' holder's).
    Called by `programme.services.person_anonymise` through programme/privacy.py, in its transaction."""
    found = Q(contact=person)
    if email:
        found |= Q(to__iexact=email)
    emails = list(OutgoingEmail.objects.filter(found).only("pk", "to", "subject", "body"))
    for message in emails:
        message.to = erased_address(person.pk)
        message.subject = erase_names(message.subject, person=person, email=email)
        message.body = erase_names(message.body, person=person, email=email)
    OutgoingEmail.objects.bulk_update(emails, ["to", "subject", "body"], batch_size=500)


# --- Delivery (the task) ----------------------------------------------------------------------------------


def _message(email: OutgoingEmail) -> EmailMessage:
    reply_to = [email.sender.email] if email.sender is not None and email.sender.email else []
    message = EmailMessage(
        subject=email.subject,
        body=email.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        reply_to=reply_to,
    )
    if email.attachment:
        with email.attachment.open("rb") as handle:
            content = handle.read()
        content_type = email.attachment_type or mimetypes.guess_type(email.attachment_name)[0]
        message.attach(email.attachment_name or "piece-jointe", content, content_type)
    return message


def outgoing_email_deliver(*, email_id: int) -> int:
    """Send one queued message; returns 1 when sent by this call, 0 when it was not this call's to send.

    Once per message: the row is claimed (queued → sending) with one conditional UPDATE before anything is
    sent, so a redelivered task, a second run or a second worker racing this one sends nothing. Not atomic
    on purpose (no transaction held open during SMTP): a failed send puts the row back in the queue with
    the error, for the retry."""
    now = timezone.now()
    claimed = OutgoingEmail.objects.filter(pk=email_id, status=EmailStatus.QUEUED).update(
        status=EmailStatus.SENDING, claimed_at=now
    )
    if not claimed:
        return 0
    email = OutgoingEmail.objects.select_related("sender").get(pk=email_id)
    try:
        _message(email).send()
    except Exception as error:
        OutgoingEmail.objects.filter(pk=email_id, status=EmailStatus.SENDING, claimed_at=now).update(
            status=EmailStatus.QUEUED,
            error=failure(error)[:1000],
            attempts=email.attempts + 1,
        )
        raise
    OutgoingEmail.objects.filter(pk=email_id, claimed_at=now).update(
        status=EmailStatus.SENT, sent_at=timezone.now(), error="", attempts=email.attempts + 1
    )
    return 1


def outgoing_email_fail(*, email_id: int, error: str) -> None:
    """Give up on a message the retries could not send: it shows as failed, with the error."""
    OutgoingEmail.objects.filter(pk=email_id, status__in=[EmailStatus.QUEUED, EmailStatus.SENDING]).update(
        status=EmailStatus.FAILED, error=error[:1000]
    )


@transaction.atomic
def outgoing_email_retry(*, actor: User, email: OutgoingEmail) -> OutgoingEmail:
    """Send again a message the retries gave up on (its server refused it, say): back in the queue, its
    attempts counted afresh, sent by the task after commit — to its contact's address as it is now, so that
    an address corrected on the contact is the one used. Refused with the reason: a message that is not in
    failure (sent, or still on its way), a message to a contact anonymised since."""
    _team_only(actor)
    # The message's row only: PostgreSQL locks no row on the nullable side of the contact's outer join.
    email = OutgoingEmail.objects.select_for_update(of=("self",)).select_related("contact").get(pk=email.pk)
    if email.status != EmailStatus.FAILED:
        raise ValidationError(
            _("Seul un e-mail en échec peut être renvoyé : celui-ci est « %(status)s ».")
            % {"status": email.get_status_display()}
        )
    if email.anonymised:
        raise ValidationError(_("Ce contact a été anonymisé : l’e-mail ne peut plus lui être envoyé."))
    changes: dict[str, list[str]] = {"status": [EmailStatus.FAILED, EmailStatus.QUEUED]}
    address = email.contact.email.strip() if email.contact is not None else ""
    if address and address.lower() != email.to.lower():
        changes["to"] = [
            "…",
            "…",
        ]  # personal data: the trail says it changed, not what it was (REDACTED_FIELDS)
        email.to = address
    email.status = EmailStatus.QUEUED
    email.attempts = 0
    email.save(update_fields=["status", "attempts", "to"])
    audit_log(actor=actor, obj=email, action="outgoing_email.retried", changes=changes)
    _queue([email.pk])
    return email


def outgoing_emails_requeue_stuck() -> int:
    """The sweeper: messages left queued (the broker did not answer when they were ordered) are handed to
    the queue again; the claim makes a duplicate harmless. Returns how many were handed over."""
    limit = timezone.now() - timedelta(minutes=STUCK_AFTER_MINUTES)
    ids = list(
        OutgoingEmail.objects.filter(status=EmailStatus.QUEUED, created_at__lt=limit)
        .order_by("pk")
        .values_list("pk", flat=True)[:5000]
    )
    if ids:
        _queue(ids)
    return len(ids)
