"""Writes of the partner portal. Keyword-only, typed, atomic, audited.

The portal reuses the project-steering services wherever they exist (deliverable versions, documents)
and the core services for the organisation and its contacts; what is portal-specific — checking that a
deliverable is assigned to the partner's organisation, that an action is theirs, notifying the team
after commit — lives here.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programme import access
from programme.audit import audit_log
from programme.models import Organisation, Person, User
from programme.selectors import account_data_export, audit_data_export, person_data_export
from programme.services import organisation_save, person_save

from . import services
from .models import Action, ActionStatus, Deliverable, DeliverableVersion

#: Longest comment a partner may leave when closing an action.
ACTION_COMMENT_MAX = 1000


@transaction.atomic
def portal_deliverable_upload(
    *, actor: User, deliverable: Deliverable, file, comment: str = ""
) -> DeliverableVersion:
    """A partner adds a version to a deliverable assigned to their organisation; the project's team is
    told by e-mail once the transaction has committed."""
    if not access.portal_deliverables_for(actor).filter(pk=deliverable.pk).exists():
        raise PermissionDenied
    version = services.deliverable_upload(actor=actor, deliverable=deliverable, file=file, comment=comment)
    from .portal_tasks import notify_deliverable_uploaded

    transaction.on_commit(lambda: notify_deliverable_uploaded.delay(version.pk))
    return version


@transaction.atomic
def portal_action_complete(*, actor: User, action: Action, comment: str = "") -> Action:
    """A partner marks one of their actions done, with an optional comment kept in the audit trail."""
    if not access.portal_actions_for(actor).filter(pk=action.pk).exists():
        raise PermissionDenied
    action = Action.objects.select_for_update().get(pk=action.pk)
    if action.status not in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS):
        raise ValidationError(
            _("Cette action est déjà « %(status)s » : elle ne peut plus être marquée comme faite.")
            % {"status": action.get_status_display()}
        )
    comment = (comment or "").strip()
    if len(comment) > ACTION_COMMENT_MAX:
        raise ValidationError({"comment": [_("Le commentaire est trop long (1000 caractères au plus).")]})
    before = action.status
    action.status = ActionStatus.DONE
    action.save(update_fields=["status"])
    changes = {"status": [before, ActionStatus.DONE]}
    if comment:
        changes["commentaire"] = [None, comment]
    audit_log(actor=actor, obj=action, action="action.done", changes=changes)
    return action


def _own_organisation(actor: User) -> Organisation:
    organisation = access.organisations_for(actor).filter(pk=actor.organisation_id).first()
    if organisation is None or not access.is_partner(actor):
        raise PermissionDenied
    return organisation


@transaction.atomic
def portal_organisation_update(*, actor: User, form) -> Organisation:
    """A partner edits their structure's public details (PartnerOrganisationForm). Written through the
    core service so the team sees the change, and who made it, in the structure's audit trail."""
    organisation = _own_organisation(actor)
    if form.instance.pk != organisation.pk:
        raise PermissionDenied
    return organisation_save(actor=actor, form=form)


@transaction.atomic
def portal_contact_save(*, actor: User, form) -> Person:
    """A partner adds or edits a contact of their own structure. The organisation is always theirs,
    whatever was posted; a contact created here is kept on the basis of the accompaniment agreement."""
    organisation = _own_organisation(actor)
    person = form.instance
    if person.pk is not None and person.organisation_id != organisation.pk:
        raise PermissionDenied
    person.organisation = organisation
    if person.pk is None:
        person.consent_basis = person.consent_basis or "contract"
        person.consent_date = person.consent_date or timezone.localdate()
        person.consent_source = person.consent_source or _(
            "Saisi par la structure dans le portail partenaire"
        )
    return person_save(actor=actor, form=form)


def personal_data(user: User) -> dict:
    """Everything Parcours holds about the signed-in partner, as plain data (right of access)."""
    person = user.person
    data: dict = {
        "compte": account_data_export(user=user),
        "contact": None,
        "actions": [],
        "fichiers déposés": [],
        "journal": [],
    }
    if person is not None:
        data["contact"] = person_data_export(person=person)
        data["actions"] = [
            {
                "action": a.title,
                "projet": a.project.title,
                "échéance": a.due_date.isoformat(),
                "état": a.get_status_display(),
            }
            for a in access.portal_actions_for(user).select_related("project").order_by("due_date")
        ]
    data["fichiers déposés"] = [
        {
            "livrable": v.deliverable.title,
            "projet": v.deliverable.project.title,
            "version": v.number,
            "fichier": v.original_name,
            "commentaire": v.comment,
            "déposé le": v.uploaded_at.isoformat(),
        }
        for v in DeliverableVersion.objects.filter(uploaded_by=user)
        .select_related("deliverable__project")
        .order_by("uploaded_at")
    ]
    data["journal"] = audit_data_export(user=user)
    return data
