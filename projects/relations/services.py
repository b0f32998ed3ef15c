"""Writes of the exchanges tied to structures and projects. The exchange itself is written by
`prospects.services.exchange_create` (one place for the author, the owner and the prospect's next action);
these services check what ties it to a project or a prospect record, then link it."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from programme import access
from programme.audit import Edit, audit_log, save_audited
from programme.models import Organisation, User
from prospects import services as prospect_services
from prospects.models import Exchange, Prospect

from ..models import Project
from .timeline import organisation_projects_q


def _in_collective(project: Project, organisation: Organisation) -> bool:
    return Project.objects.filter(organisation_projects_q(organisation.pk), pk=project.pk).exists()


def _check_contact(exchange: Exchange, organisation: Organisation) -> None:
    contact = exchange.contact if exchange.contact_id is not None else None
    if contact is not None and contact.organisation_id != organisation.pk:
        raise ValidationError({"contact": [_("Ce contact n’appartient pas à cette structure.")]})


@transaction.atomic
def structure_exchange_create(
    *,
    actor: User,
    edit: Edit[Exchange],
    organisation: Organisation,
    project: Project | None = None,
    prospect: Prospect | None = None,
) -> Exchange:
    """Log an exchange on a structure's page, optionally tied to one of its projects and to its prospect
    record (whose next action then follows this exchange's, as on the record page)."""
    if not access.is_team(actor):
        raise PermissionDenied
    if prospect is not None and prospect.organisation_id != organisation.pk:
        raise ValidationError({"prospect": [_("Cette fiche prospect n’est pas celle de cette structure.")]})
    if project is not None and not _in_collective(project, organisation):
        raise ValidationError({"project": [_("Cette structure ne fait pas partie de ce projet.")]})
    _check_contact(edit.obj, organisation)
    if prospect is not None:
        exchange = prospect_services.exchange_create(actor=actor, edit=edit, prospect=prospect)
    else:
        exchange = prospect_services.exchange_create(actor=actor, edit=edit, organisation=organisation)
    if project is not None:
        _link(actor=actor, project=project, exchange=exchange)
    return exchange


@transaction.atomic
def project_exchange_create(
    *, actor: User, edit: Edit[Exchange], project: Project, organisation: Organisation
) -> Exchange:
    """Log an exchange from a project with one of its collective's structures, and tie it to the project."""
    if not access.is_team(actor):
        raise PermissionDenied
    if not _in_collective(project, organisation):
        raise ValidationError({"organisation": [_("Cette structure ne fait pas partie de ce projet.")]})
    _check_contact(edit.obj, organisation)
    exchange = prospect_services.exchange_create(actor=actor, edit=edit, organisation=organisation)
    _link(actor=actor, project=project, exchange=exchange)
    return exchange


def _link(*, actor: User, project: Project, exchange: Exchange) -> None:
    project.exchanges.add(exchange)
    audit_log(
        actor=actor,
        obj=project,
        action="project.exchange_added",
        changes={"échange": [None, exchange.get_kind_display()]},
    )


@transaction.atomic
def exchange_update(*, actor: User, edit: Edit[Exchange]) -> Exchange:
    """Correct an exchange (the team): its structure, prospect record and projects stay as they are."""
    if not access.is_team(actor):
        raise PermissionDenied
    exchange = edit.obj
    _check_contact(exchange, exchange.organisation)
    if exchange.next_action_done_on is not None and not (exchange.next_action or exchange.next_action_date):
        exchange.next_action_done_on = None
    return save_audited(actor=actor, edit=edit)
