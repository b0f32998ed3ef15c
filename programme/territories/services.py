"""Writes of the territories: the territory itself and its areas (directors), its démarche stages (directors),
its moves, local partners and referents (the team), and the per-person read grants (directors). Audited."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from programme import access
from programme.audit import Edit, audit_log, delete_audited, save_audited
from programme.formatting import fr_date
from programme.models import Organisation, Person, Territory, User

from .models import Area, PartnerRole, Stage, StageMove, TerritoryGrant, TerritoryPartner


def _team(actor: User) -> None:
    if not access.is_team(actor):
        raise PermissionDenied


def _director(actor: User) -> None:
    if not access.is_director(actor):
        raise PermissionDenied


def _locked(territory: Territory) -> Territory:
    return Territory.objects.select_for_update().get(pk=territory.pk)


@transaction.atomic
def territory_save(*, actor: User, edit: Edit[Territory]) -> Territory:
    _director(actor)
    territory = edit.obj
    if Territory.objects.filter(name__iexact=territory.name).exclude(pk=territory.pk).exists():
        raise ValidationError({"name": [_("Un territoire porte déjà ce nom.")]})
    if territory.pk is not None and "programme" in edit.changes and territory.stage_id is not None:
        raise ValidationError(
            {"programme": [_("La démarche de ce territoire a commencé : son programme ne change plus.")]}
        )
    return save_audited(actor=actor, edit=edit)


@transaction.atomic
def territory_area_add(*, actor: User, territory: Territory, area: Area) -> None:
    _director(actor)
    locked = _locked(territory)
    if locked.areas.filter(pk=area.pk).exists():
        return
    locked.areas.add(area)
    audit_log(actor=actor, obj=locked, action="territory.updated", changes={"areas": [None, str(area)]})


@transaction.atomic
def territory_area_remove(*, actor: User, territory: Territory, area: Area) -> None:
    _director(actor)
    locked = _locked(territory)
    if not locked.areas.filter(pk=area.pk).exists():
        return
    locked.areas.remove(area)
    audit_log(actor=actor, obj=locked, action="territory.updated", changes={"areas": [str(area), None]})


@transaction.atomic
def territory_partner_add(
    *, actor: User, territory: Territory, organisation: Organisation, role: str, note: str = ""
) -> TerritoryPartner:
    _team(actor)
    if role not in PartnerRole.values:
        raise ValidationError({"role": [_("Choisissez un rôle dans la liste.")]})
    locked = _locked(territory)
    if locked.partners.filter(organisation=organisation).exists():
        raise ValidationError({"organisation": [_("Cette structure est déjà partenaire de ce territoire.")]})
    partner = TerritoryPartner.objects.create(
        territory=locked, organisation=organisation, role=role, note=note
    )
    audit_log(actor=actor, obj=partner, action="territory_partner.created", changes={"role": [None, role]})
    return partner


@transaction.atomic
def territory_partner_remove(*, actor: User, partner: TerritoryPartner) -> None:
    """Remove a local partner; the grants of its people to this territory go with it."""
    _team(actor)
    locked = TerritoryPartner.objects.select_for_update().get(pk=partner.pk)
    grants = TerritoryGrant.objects.filter(
        territory_id=locked.territory_id, user__organisation_id=locked.organisation_id
    )
    for grant in grants:
        audit_log(actor=actor, obj=grant, action="territory_grant.deleted")
    grants.delete()
    delete_audited(actor=actor, obj=locked, action="territory_partner.deleted")


@transaction.atomic
def territory_referent_add(*, actor: User, territory: Territory, person: Person) -> None:
    _team(actor)
    locked = _locked(territory)
    if not locked.referents.filter(pk=person.pk).exists():
        locked.referents.add(person)
        audit_log(
            actor=actor, obj=locked, action="territory.updated", changes={"referents": [None, str(person)]}
        )


@transaction.atomic
def territory_referent_remove(*, actor: User, territory: Territory, person: Person) -> None:
    _team(actor)
    locked = _locked(territory)
    if locked.referents.filter(pk=person.pk).exists():
        locked.referents.remove(person)
        audit_log(
            actor=actor, obj=locked, action="territory.updated", changes={"referents": [str(person), None]}
        )


@transaction.atomic
def stage_save(*, actor: User, edit: Edit[Stage]) -> Stage:
    _director(actor)
    stage = edit.obj
    if (
        Stage.objects.filter(programme_id=stage.programme_id, name__iexact=stage.name)
        .exclude(pk=stage.pk)
        .exists()
    ):
        raise ValidationError({"name": [_("Une étape de ce programme porte déjà ce nom.")]})
    return save_audited(actor=actor, edit=edit)


def move_refusal(territory: Territory, stage: Stage, moved_on: date) -> str | None:
    """Why a territory cannot move to `stage` on `moved_on`, or None: the form and the service ask it."""
    if territory.programme_id is None:
        return _("Rattachez d’abord ce territoire à un programme : ses étapes en viennent.")
    if stage.programme_id != territory.programme_id:
        return _("Cette étape n’est pas une étape du programme de ce territoire.")
    if not stage.is_active:
        return _("Cette étape est archivée.")
    if territory.stage_id == stage.pk:
        return _("Le territoire est déjà à cette étape.")
    last = territory.moves.order_by("-moved_on").values_list("moved_on", flat=True).first()
    if last is not None and moved_on < last:
        return _("Le dernier passage d’étape date du %(date)s : un passage ne peut pas le précéder.") % {
            "date": fr_date(last)
        }
    return None


@transaction.atomic
def territory_move(
    *, actor: User, territory: Territory, stage: Stage, moved_on: date, rationale: str
) -> StageMove:
    """Move the territory's démarche to `stage` (forward or back: the team decides), recorded with who,
    when and why, under the territory's row lock."""
    _team(actor)
    locked = _locked(territory)
    if not rationale.strip():
        raise ValidationError({"rationale": [_("Dites pourquoi la démarche change d’étape.")]})
    if (reason := move_refusal(locked, stage, moved_on)) is not None:
        raise ValidationError({"stage": [reason]})
    move = StageMove.objects.create(
        territory=locked,
        from_stage_id=locked.stage_id,
        to_stage=stage,
        moved_on=moved_on,
        moved_by=actor,
        rationale=rationale.strip(),
    )
    changes = {"stage": [str(locked.stage) if locked.stage else None, str(stage)]}
    locked.stage = stage
    locked.save(update_fields=["stage"])
    audit_log(actor=actor, obj=locked, action="territory.stage_changed", changes=changes)
    return move


def grantable_users(territory: Territory) -> list[User]:
    """Partner accounts of the territory's local partners not yet given access (the grant form's choices)."""
    return list(
        User.objects.filter(
            is_active=True,
            role="partner",
            organisation__territory_roles__territory=territory,
        )
        .exclude(territory_grants__territory=territory)
        .distinct()
        .order_by("last_name", "first_name", "email")
    )


@transaction.atomic
def territory_grant(*, actor: User, territory: Territory, user: User) -> TerritoryGrant:
    """Give a local partner's person read access to the territory's page and resources."""
    _director(actor)
    locked = _locked(territory)
    organisation_id = user.organisation_id if access.is_partner(user) else None
    if organisation_id is None or not locked.partners.filter(organisation_id=organisation_id).exists():
        raise ValidationError(
            {
                "user": [
                    _("Seules les personnes d’un partenaire local de ce territoire peuvent y avoir accès.")
                ]
            }
        )
    if locked.grants.filter(user=user).exists():
        raise ValidationError({"user": [_("Cette personne a déjà accès à ce territoire.")]})
    grant = TerritoryGrant.objects.create(territory=locked, user=user, granted_by=actor)
    audit_log(actor=actor, obj=grant, action="territory_grant.created")
    return grant


@transaction.atomic
def territory_revoke(*, actor: User, grant: TerritoryGrant) -> None:
    _director(actor)
    locked = TerritoryGrant.objects.select_for_update().get(pk=grant.pk)
    delete_audited(actor=actor, obj=locked, action="territory_grant.deleted")
