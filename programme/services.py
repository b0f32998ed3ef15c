"""Writes on the core records. Keyword-only, typed, atomic; every change is audited."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import access, tasks
from .audit import REDACTED_FIELDS, Edit, audit_forget, audit_log, save_audited
from .emails import send_template_mail
from .models import Invitation, Organisation, Person, Role, SubmissionToken, User
from .privacy import HOLDERS, erase_names_in_trail, erased_address

#: How long a submission token is remembered: far longer than any double click or retried request.
SUBMISSION_TOKEN_DAYS = 2


@transaction.atomic
def submission_claim(*, token: str) -> None:
    """Claim a create form's one-time token, in the caller's transaction: a second claim of the same
    token raises IntegrityError (on PostgreSQL it waits for the first transaction, then fails if it
    committed). Tokens older than a couple of days are forgotten on the way."""
    SubmissionToken.objects.filter(
        created_at__lt=timezone.now() - timedelta(days=SUBMISSION_TOKEN_DAYS)
    ).delete()
    SubmissionToken.objects.create(token=token)


@transaction.atomic
def organisation_save(*, actor: User, edit: Edit[Organisation]) -> Organisation:
    """Create or update an organisation."""
    return save_audited(actor=actor, edit=edit)


@transaction.atomic
def person_save(*, actor: User, edit: Edit[Person]) -> Person:
    return save_audited(actor=actor, edit=edit)


@transaction.atomic
def person_anonymise(*, actor: User, person: Person) -> Person:
    """Erase a contact's personal data. The audit trail keeps that it happened, not what was erased."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    for holder in HOLDERS.values():  # what the higher apps hold on them (programme/privacy.py)
        holder.erase(person, person.email)
    erase_names_in_trail(person=person, email=person.email)  # other records' history naming them
    if person.email:
        Invitation.objects.filter(email__iexact=person.email).update(
            email=erased_address(person.pk), first_name="", last_name=""
        )
    person.first_name = "Contact"
    person.last_name = "anonymisé"
    person.email = ""
    person.phone = ""
    person.job_title = ""
    person.consent_source = ""
    person.anonymised_at = timezone.now()
    person.save()
    user = getattr(person, "user", None)
    if user is not None:
        user.is_active = False
        user.email = erased_address(user.pk)
        user.first_name = user.last_name = ""
        user.password = make_password(None)
        user.save()
    audit_forget(person, placeholder=str(person))
    audit_log(actor=actor, obj=person, action="person.anonymised")
    return person


@transaction.atomic
def invitation_create(
    *,
    actor: User,
    email: str,
    role: str,
    organisation: Organisation | None = None,
    person: Person | None = None,
    first_name: str = "",
    last_name: str = "",
) -> Invitation:
    """Invite a colleague or a partner contact. The e-mail leaves after commit."""
    email = email.strip().lower()
    # A new invitation to the same address replaces the pending ones.
    Invitation.objects.pending().filter(email__iexact=email).update(revoked_at=timezone.now())
    token, token_hash = Invitation.new_token()
    invitation = Invitation.objects.create(
        email=email,
        role=role,
        organisation=organisation if role == Role.PARTNER else None,
        person=person,
        first_name=first_name,
        last_name=last_name,
        token_hash=token_hash,
        invited_by=actor,
        expires_at=Invitation.default_expiry(),
    )
    audit_log(actor=actor, obj=invitation, action="invitation.created", changes={"role": [None, role]})
    link = settings.SITE_URL + reverse("invitation.accept", args=[token])
    # The token exists only here (the row keeps its hash): the task gets the link with the id.
    transaction.on_commit(lambda: tasks.send_invitation.delay(invitation.pk, link))
    invitation.token = token  # only in memory, for tests and the confirmation page
    return invitation


def invitation_send(*, invitation_id: int, link: str) -> int:
    """E-mail an invitation (from the task, after commit). Nothing is sent for an invitation that was
    replaced, revoked or accepted meanwhile. Returns the number of messages sent."""
    invitation = Invitation.objects.select_related("invited_by").filter(pk=invitation_id).first()
    if invitation is None or not invitation.is_pending:
        return 0
    return send_template_mail(
        template="emails/invitation",
        to=[invitation.email],
        context={"invitation": invitation, "link": link, "inviter": invitation.invited_by},
    )


@transaction.atomic
def invitation_accept(*, invitation: Invitation, password: str) -> User:
    """Turn a pending invitation into an active account with the chosen password."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending:
        raise ValidationError(_("Cette invitation a déjà été acceptée, ou n’est plus valable."))
    user = User.objects.filter(email__iexact=invitation.email).first()
    if user is None:
        user = User(email=invitation.email)
    user.first_name = invitation.first_name or user.first_name
    user.last_name = invitation.last_name or user.last_name
    user.role = invitation.role
    user.organisation = invitation.organisation
    user.person = invitation.person or user.person
    user.is_active = True
    user.set_password(password)
    user.save()
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit_log(actor=user, obj=invitation, action="invitation.accepted")
    return user


@transaction.atomic
def user_preferences_update(
    *,
    user: User,
    digest_enabled: bool,
    comment_notifications: str | None = None,
    language: str | None = None,
) -> User:
    """A person's own settings: the morning digest, how they hear of new comments, their language."""
    user.digest_enabled = digest_enabled
    fields = ["digest_enabled"]
    if comment_notifications is not None:
        user.comment_notifications = comment_notifications
        fields.append("comment_notifications")
    if language is not None:
        user.language = language
        fields.append("language")
    user.save(update_fields=fields)
    return user


# --- A partner's own structure and its contacts (the portal) ----------------------------------------


def _partner_organisation(actor: User) -> Organisation:
    """The actor's own structure, locked; only a partner has one to edit."""
    organisation_id = actor.organisation_id
    if (
        organisation_id is None
        or not access.is_partner(actor)
        or not access.scoped(actor, Organisation).filter(pk=organisation_id).exists()
    ):
        raise PermissionDenied
    return Organisation.objects.select_for_update().get(pk=organisation_id)


def _assign(obj: models.Model, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Set `values` on `obj` and return the changed ones as {field: [before, after]}, personal data
    redacted, as the audit trail records a form's changes."""
    changes: dict[str, list[Any]] = {}
    for name, value in values.items():
        before = getattr(obj, name)
        if before != value:
            changes[name] = ["…", "…"] if name in REDACTED_FIELDS else [before, value]
            setattr(obj, name, value)
    return changes


@transaction.atomic
def organisation_details_update(
    *, actor: User, address: str, postcode: str, town: str, website: str, description: str
) -> Organisation:
    """A partner edits their own structure's public details. Name, identifiers and kind are the team's:
    they are not parameters. Audited as `organisation.updated`, so the team sees the change and who
    made it in the structure's trail."""
    organisation = _partner_organisation(actor)
    changes = _assign(
        organisation,
        {
            "address": address,
            "postcode": postcode,
            "town": town,
            "website": website,
            "description": description,
        },
    )
    organisation.save()
    audit_log(actor=actor, obj=organisation, action="organisation.updated", changes=changes)
    return organisation


@transaction.atomic
def partner_contact_save(
    *,
    actor: User,
    person: Person | None,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    job_title: str,
) -> Person:
    """A partner adds (`person=None`) or edits a contact of their own structure. The structure is always
    theirs; a contact created here is kept on the basis of the accompaniment agreement."""
    organisation = _partner_organisation(actor)
    if person is None:
        person = Person(
            organisation=organisation,
            consent_basis="contract",
            consent_date=timezone.localdate(),
            consent_source=_("Saisi par la structure dans le portail partenaire"),
        )
    else:
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.organisation_id != organisation.pk:
            raise PermissionDenied
    creating = person.pk is None
    changes = _assign(
        person,
        {
            "first_name": first_name,
            "last_name": last_name,
            "email": email,
            "phone": phone,
            "job_title": job_title,
        },
    )
    person.save()
    audit_log(
        actor=actor, obj=person, action=f"person.{'created' if creating else 'updated'}", changes=changes
    )
    return person
