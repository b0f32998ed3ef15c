"""Writes of the calls for applications: the team's calls and questions; an applicant's draft, saved and
resumed through its e-mailed link, then submitted — which makes (or finds) the structure, its contact and its
prospect. Keyword-only, typed, atomic, audited; e-mails leave from tasks queued after commit."""

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from programme.audit import Edit, audit_log, save_audited
from programme.emails import send_template_mail
from programme.files import Sniffed
from programme.models import ConsentBasis, Person, User
from programme.privacy import erased_address

from .. import services as prospect_services
from ..models import Prospect, Source, Stage
from .models import Answer, Application, ApplicationChannel, ApplicationStatus, Call, Question, QuestionKind

logger = logging.getLogger(__name__)

#: At most this many members of the collective on one application.
MAX_MEMBERS = 8

# --- The team's calls -----------------------------------------------------------------------------------


@transaction.atomic
def call_save(*, actor: User, edit: Edit[Call]) -> Call:
    """Create or change a call (dates checked by the form and by the database)."""
    call = edit.obj
    if call.closes_at <= call.opens_at:
        raise ValidationError({"closes_at": _("La date limite doit suivre l’ouverture.")})
    return save_audited(actor=actor, edit=edit)


@dataclass(frozen=True)
class QuestionRow:
    """One row of the question editor: `id` None for a new question."""

    id: int | None
    label: str
    kind: str
    help_text: str = ""
    options: str = ""
    required: bool = False
    delete: bool = False


@transaction.atomic
def call_questions_save(*, actor: User, call: Call, rows: list[QuestionRow]) -> list[Question]:
    """The call's questions as the editor lists them, in that order. A question already answered by an
    application cannot be deleted (its answers would go with it): refused with the reason."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    existing = {q.pk: q for q in call.questions.all()}
    answered = set(Answer.objects.filter(question__call=call).values_list("question_id", flat=True))
    kept: list[Question] = []
    removed: list[str] = []
    for row in rows:
        question = existing.get(row.id) if row.id is not None else None
        if row.id is not None and question is None:
            raise ValidationError(_("Une des questions n’appartient pas à cet appel : rechargez la page."))
        if row.delete:
            if question is not None:
                if question.pk in answered:
                    raise ValidationError(
                        _("« %(label)s » a déjà des réponses : elle ne peut plus être supprimée.")
                        % {"label": question.label}
                    )
                removed.append(question.label)
                question.delete()
            continue
        if row.kind == QuestionKind.CHOICE and not [o for o in row.options.splitlines() if o.strip()]:
            raise ValidationError(
                _("« %(label)s » : indiquez les choix proposés, un par ligne.") % {"label": row.label}
            )
        question = question or Question(call=call)
        question.position = len(kept) + 1
        question.label = row.label.strip()
        question.kind = row.kind
        question.help_text = row.help_text.strip()
        question.options = row.options.strip() if row.kind == QuestionKind.CHOICE else ""
        question.required = row.required
        question.save()
        kept.append(question)
    audit_log(
        actor=actor,
        obj=call,
        action="call.questions_changed",
        changes={"questions": [sorted(str(q) for q in existing.values()), [q.label for q in kept]]},
    )
    return kept


# --- An applicant's application -------------------------------------------------------------------------


@dataclass
class ApplicationData:
    """What an applicant typed (checked by the public form)."""

    email: str
    consent: bool
    organisation_name: str = ""
    siren: str = ""
    organisation_kind: str = ""
    postcode: str = ""
    town: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    job_title: str = ""
    project_idea: str = ""
    members: list[dict[str, str]] = field(default_factory=list)
    #: question id → the answer as text ("" to clear)
    answers: dict[int, str] = field(default_factory=dict)
    #: question id → an upload already checked by `programme.files.check_upload`, with what it found
    files: dict[int, tuple["UploadedFile[bytes]", Sniffed]] = field(default_factory=dict)


def closed_refusal(call: Call, now: datetime | None = None) -> str | None:
    """Why an application to `call` cannot be saved or sent now, or None."""
    now = now or timezone.now()
    if not call.is_published or now < call.opens_at:
        return _("Cet appel à candidatures n’est pas encore ouvert.")
    if now >= call.closes_at:
        return _("La date limite de dépôt est passée : les candidatures ne sont plus acceptées.")
    return None


_FIELDS = (
    "organisation_name",
    "siren",
    "organisation_kind",
    "postcode",
    "town",
    "first_name",
    "last_name",
    "email",
    "phone",
    "job_title",
    "project_idea",
)


@transaction.atomic
def application_save(
    *, call: Call, application: Application | None, data: ApplicationData, by_team: bool = False
) -> Application:
    """Save a draft (a new one when `application` is None). Its resume link is e-mailed when the draft is
    new or its address changed. Refused once the call is closed or the application sent — unless the team
    records an application it received (`by_team`: no link is e-mailed, the dates are the team's call)."""
    refusal = None if by_team else closed_refusal(call)
    if refusal:
        raise ValidationError(refusal, code="closed")
    if application is None:
        application = Application(call=call)
        send_link = not by_team
    else:
        application = Application.objects.select_for_update().get(pk=application.pk, call=call)
        if application.status != ApplicationStatus.DRAFT:
            raise ValidationError(_("Cette candidature est déjà envoyée : elle ne peut plus changer."))
        send_link = application.email.lower() != data.email.lower()
    for name in _FIELDS:
        setattr(application, name, (getattr(data, name) or "").strip())
    application.members = data.members[:MAX_MEMBERS]
    if data.consent and application.consent_at is None:
        application.consent_at = timezone.now()
    if send_link:
        application.link_sent_at = None
    application.save()
    questions = {q.pk: q for q in call.questions.all()}
    current = {a.question_id: a for a in application.answers.all()}
    for question_id, value in data.answers.items():
        if question_id not in questions:
            continue
        answer = current.get(question_id) or Answer(application=application, question_id=question_id)
        answer.value = value.strip()
        answer.save()
        current[question_id] = answer
    for question_id, (upload, sniffed) in data.files.items():
        if question_id not in questions:
            continue
        answer = current.get(question_id) or Answer(application=application, question_id=question_id)
        old = answer.file.name if answer.file else ""
        answer.file_name = (upload.name or "")[:255]
        answer.file_extension = sniffed.extension
        answer.file_type = sniffed.content_type
        answer.file.save(answer.file_name, upload, save=False)
        answer.save()
        current[question_id] = answer
        if old:
            transaction.on_commit(partial(default_storage.delete, old))
    if send_link:
        from .tasks import send_application_link

        application_id = application.pk
        transaction.on_commit(lambda: send_application_link.delay(application_id))
    return application


def missing_answers(application: Application) -> list[str]:
    """What a draft still lacks to be sent (labels of the empty required fields and questions)."""
    missing: list[str] = []
    required = {
        "organisation_name": _("Nom de la structure"),
        "organisation_kind": _("Forme de la structure"),
        "first_name": _("Prénom"),
        "last_name": _("Nom"),
        "project_idea": _("Idée de projet"),
    }
    for name, label in required.items():
        if not getattr(application, name):
            missing.append(str(label))
    if application.consent_at is None:
        missing.append(_("Consentement"))
    answers = {a.question_id: a for a in application.answers.all()}
    for question in application.call.questions.all():
        answer = answers.get(question.pk)
        if question.required and (answer is None or not (answer.value or answer.file)):
            missing.append(question.label)
    return missing


@transaction.atomic
def application_submit(
    *, application: Application, actor: User | None = None, confirm: bool = True
) -> Application:
    """Send a saved draft: the structure (found by SIREN, then by name and town, else created), its contact
    (with the consent given), and its prospect (found, else created at the stage the call gives, source
    « appel à candidatures »). The confirmation e-mail leaves after commit (`confirm`). `actor`: a member of
    the team recording an application received by post or e-mail (`application_record`): the dates of the
    call do not apply — the team knows when it arrived — and the audit trail names them."""
    application = (
        Application.objects.select_for_update()
        .select_related("call", "call__programme")
        .get(pk=application.pk)
    )
    call = application.call
    if application.status != ApplicationStatus.DRAFT:
        raise ValidationError(_("Cette candidature est déjà envoyée."), code="sent")
    refusal = None if actor is not None else closed_refusal(call)
    if refusal:
        raise ValidationError(refusal, code="closed")
    missing = missing_answers(application)
    if missing:
        raise ValidationError(
            _("Pour envoyer la candidature, complétez : %(fields)s.") % {"fields": ", ".join(missing)},
            code="incomplete",
        )
    organisation = prospect_services.organisation_match(
        siren=application.siren, name=application.organisation_name, town=application.town
    ) or prospect_services.organisation_create(
        actor=actor,
        new=prospect_services.NewOrganisation(
            name=application.organisation_name,
            kind=application.organisation_kind,
            town=application.town,
            siren=application.siren,
        ),
    )
    if not organisation.postcode and application.postcode:
        organisation.postcode = application.postcode
        organisation.save(update_fields=["postcode", "updated_at"])
    person = Person.objects.filter(
        organisation=organisation, email__iexact=application.email, anonymised_at__isnull=True
    ).first()
    consent = (application.consent_at or timezone.now()).date()
    source = _("Appel à candidatures « %(title)s »") % {"title": call.title}
    if person is None:
        person = Person.objects.create(
            organisation=organisation,
            first_name=application.first_name,
            last_name=application.last_name,
            email=application.email,
            phone=application.phone,
            job_title=application.job_title,
            consent_date=consent,
            consent_basis=ConsentBasis.CONSENT,
            consent_source=source[:200],
        )
        audit_log(actor=actor, obj=person, action="person.created")
    else:
        person.consent_date = consent
        person.consent_basis = ConsentBasis.CONSENT
        person.consent_source = source[:200]
        person.save(update_fields=["consent_date", "consent_basis", "consent_source", "updated_at"])
    prospect = Prospect.objects.filter(programme=call.programme, organisation=organisation).first()
    if prospect is None:
        prospect = prospect_services.prospect_create(
            actor=actor,
            programme=call.programme,
            organisation=organisation,
            source=Source.CALL,
            cohort=call.cohort,
            project_idea=application.project_idea[:200],
        )
        if call.stage != Stage.IDENTIFIED:
            prospect_services.set_stage(prospect, call.stage, actor=actor)
    application.prospect = prospect
    application.contact = person
    application.status = ApplicationStatus.SUBMITTED
    application.submitted_at = timezone.now()
    application.save(update_fields=["prospect", "contact", "status", "submitted_at", "updated_at"])
    audit_log(
        actor=actor,
        obj=prospect,
        action="prospect.application_received",
        changes={"call": [None, call.title]},
    )
    if confirm:
        from .tasks import send_application_confirmation

        application_id = application.pk
        transaction.on_commit(lambda: send_application_confirmation.delay(application_id))
    return application


@transaction.atomic
def application_record(
    *, actor: User, call: Call, data: ApplicationData, channel: str, confirm: bool
) -> Application:
    """An application the team received by post or e-mail, typed in: sent at once, so it becomes a prospect
    as one sent online does (`application_submit`). The applicant's consent is the team's to check (the
    form asks); the acknowledgement e-mail leaves only when `confirm`."""
    if channel not in (ApplicationChannel.POST, ApplicationChannel.EMAIL):
        raise ValidationError({"channel": [_("Choisissez comment la candidature est arrivée.")]})
    application = application_save(call=call, application=None, data=data, by_team=True)
    Application.objects.filter(pk=application.pk).update(channel=channel)
    application = application_submit(application=application, actor=actor, confirm=confirm)
    audit_log(
        actor=actor, obj=application, action="application.recorded", changes={"channel": [None, channel]}
    )
    return application


#: Drafts of a call closed this many days ago are deleted (with their files): never sent, they are personal
#: data kept for nothing.
STALE_DRAFT_DAYS = 90


def applications_purge_stale_drafts(*, now: datetime | None = None) -> int:
    """Delete the drafts of the calls closed more than STALE_DRAFT_DAYS ago, and their files (after commit).
    Returns how many drafts were deleted. Run daily by the beat."""
    cutoff = (now or timezone.now()) - timedelta(days=STALE_DRAFT_DAYS)
    with transaction.atomic():
        stale = Application.objects.filter(status=ApplicationStatus.DRAFT, call__closes_at__lt=cutoff)
        files = list(
            Answer.objects.filter(application__in=stale).exclude(file="").values_list("file", flat=True)
        )
        count = stale.count()
        stale.delete()
        for name in files:
            transaction.on_commit(partial(default_storage.delete, name))
    return count


def applications_erase_for(person: Person, email: str) -> None:
    """Erase what the applications hold on a contact being anonymised (`programme.services.person_anonymise`
    calls it through programme/privacy.py, in its transaction, with the e-mail they had): the applications
    they sent keep the structure, the project and the answers, not the person (name, e-mail, phone,
    position); their drafts never sent are deleted, with their files (after commit)."""
    found = Q(contact=person)
    if email:
        found |= Q(email__iexact=email)
    drafts = Application.objects.filter(found, status=ApplicationStatus.DRAFT)
    files = list(
        Answer.objects.filter(application__in=drafts).exclude(file="").values_list("file", flat=True)
    )
    drafts.delete()
    for name in files:
        transaction.on_commit(partial(default_storage.delete, name))
    Application.objects.filter(found).update(
        first_name="", last_name="", phone="", job_title="", email=erased_address(person.pk)
    )


# --- E-mails (run by the tasks) --------------------------------------------------------------------------


def _claim(application_id: int, column: str) -> Application | None:
    """Claim one e-mail of an application with one conditional UPDATE: a redelivered task sends nothing twice."""
    claimed = Application.objects.filter(pk=application_id, **{f"{column}__isnull": True}).update(
        **{column: timezone.now()}
    )
    if not claimed:
        return None
    return Application.objects.select_related("call", "call__programme").get(pk=application_id)


def _send(application: Application, column: str, template: str, context: dict[str, Any]) -> int:
    try:
        return send_template_mail(
            template=template,
            to=[application.email],
            context={"application": application, "call": application.call, **context},
            language="fr",
        )
    except (smtplib.SMTPException, OSError):
        Application.objects.filter(pk=application.pk).update(**{column: None})  # the retry sends it
        raise


def application_link_send(*, application_id: int) -> int:
    """E-mail the applicant the link that resumes their draft. Returns 1 when sent."""
    application = _claim(application_id, "link_sent_at")
    if application is None or application.status != ApplicationStatus.DRAFT:
        return 0
    from django.conf import settings

    link = settings.SITE_URL + application.get_resume_url()
    return _send(application, "link_sent_at", "emails/call_resume_link", {"link": link})


def application_confirmation_send(*, application_id: int) -> int:
    """E-mail the applicant that their application was received. Returns 1 when sent."""
    application = _claim(application_id, "confirmation_sent_at")
    if application is None or application.status != ApplicationStatus.SUBMITTED:
        return 0
    from django.conf import settings

    link = settings.SITE_URL + application.get_resume_url()
    return _send(application, "confirmation_sent_at", "emails/call_confirmation", {"link": link})
