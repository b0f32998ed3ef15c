"""Demo threads (idempotent; runs after the portal's demo, whose deliverables it comments on).

For each demo partner's live project: the reason the team sent the budget back (the first message of the
deliverable's thread), a question of the partner on the project's thread with the team's answer, and an
internal note that only the team sees. Written with the ORM: a demo notifies nobody."""

from datetime import datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.utils import timezone

from programme.demo import DemoContext
from programme.models import User

from ..models import Deliverable, Membership, Project
from .models import Comment


def _at(ctx: DemoContext, days_ago: int, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(ctx.today - timedelta(days=days_ago), time(hour, 0)))


def _say(
    project: Project, target: Model | None, author: User, body: str, when: datetime, internal: bool = False
) -> None:
    content_type = ContentType.objects.get_for_model(type(target)) if target is not None else None
    Comment.objects.get_or_create(
        project=project,
        content_type=content_type,
        object_id=target.pk if target is not None else None,
        body=body,
        defaults={"author": author, "internal": internal, "created_at": when},
    )


def build(ctx: DemoContext) -> None:
    staff = ctx.users.get("staff")
    if staff is None:
        return
    for key in ("partner_a", "partner_b"):
        partner = ctx.users.get(key)
        if partner is None or not partner.organisation_id:
            continue
        memberships = Membership.objects.filter(organisation_id=partner.organisation_id, left_on__isnull=True)
        project = (
            Project.objects.filter(pk__in=memberships.values("project_id"), deliverables__status="returned")
            .order_by("title")
            .first()
        )
        if project is None:
            continue
        returned = project.deliverables.filter(
            status="returned", owner_organisation_id=partner.organisation_id
        )
        deliverable: Deliverable | None = returned.order_by("pk").first()
        if deliverable is not None:
            _say(
                project,
                deliverable,
                staff,
                "Merci pour ce budget. La ligne « personnel » manque : pouvez-vous ajouter le temps de "
                "coordination prévu et déposer une version corrigée ?",
                _at(ctx, 4, 10),
            )
            _say(
                project,
                deliverable,
                partner,
                "Bien noté, nous ajoutons le temps de coordination (0,2 ETP) et déposons la version corrigée cette semaine.",
                _at(ctx, 3, 16),
            )
        _say(
            project,
            None,
            partner,
            "Bonjour, pouvons-nous décaler le prochain atelier d’une semaine ? Deux structures sont en congés.",
            _at(ctx, 2, 9),
        )
        _say(
            project,
            None,
            staff,
            "Oui, c’est possible : je vous propose le jeudi suivant, même horaire. Je mets à jour l’invitation.",
            _at(ctx, 2, 11),
        )
        _say(
            project,
            None,
            staff,
            "Le collectif tient mal ses délais ces temps-ci : à aborder au prochain COPIL.",
            _at(ctx, 1, 14),
            internal=True,
        )
