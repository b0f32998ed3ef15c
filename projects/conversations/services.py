"""Writes of the conversations: posting a comment (with its mentions and who must hear of it) and the
immediate e-mails. The morning digest sends the others (`projects.reminders.digest_send`).

Mentions: `@prenom.nom` (a team member's first and last name, lower case, without accents, spaces and
apostrophes as hyphens: `@anne-sophie.le-gall`) or `@` followed by their e-mail address
(`@claire.martin@programme.fr`). Only active team members can be mentioned."""

import re
import smtplib
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from programme import access
from programme.audit import audit_log
from programme.emails import send_template_mail
from programme.models import CommentNotifications, Role, User

from ..models import Membership, Project
from . import registry
from .models import BODY_MAX, Comment, CommentNotice, NoticeMode

#: `@handle` not glued to a word before it (an e-mail address in the text is not a mention).
MENTION = re.compile(r"(?<![\w.@])@([\w.+'’-]+(?:@[\w-]+(?:\.[\w-]+)+)?)")
TEAM_ROLES = (Role.STAFF, Role.DIRECTOR)


def handle_of(user: User) -> str:
    """The `@prenom.nom` handle of a team member."""
    return ".".join(part for part in (slugify(user.first_name), slugify(user.last_name)) if part)


def mentioned_handles(body: str) -> list[str]:
    handles = []
    for match in MENTION.finditer(body):
        handle = match.group(1).rstrip(".,;:!?)’'-").lower()
        if handle and handle not in handles:
            handles.append(handle)
    return handles


def resolve_mentions(body: str) -> list[User]:
    """The team members `body` mentions; a ValidationError naming each handle that is not one."""
    handles = mentioned_handles(body)
    if not handles:
        return []
    team = list(User.objects.filter(role__in=TEAM_ROLES, is_active=True))
    by_email = {u.email.lower(): u for u in team}
    by_handle: dict[str, list[User]] = {}
    for user in team:
        by_handle.setdefault(handle_of(user), []).append(user)
    found: list[User] = []
    errors: list[str] = []
    for handle in handles:
        if "@" in handle:
            by_address = by_email.get(handle)
            matches = [by_address] if by_address else []
        else:
            matches = by_handle.get(handle, [])
        if len(matches) == 1:
            if matches[0] not in found:
                found.append(matches[0])
        elif matches:
            errors.append(
                _(
                    "@%(handle)s désigne plusieurs personnes de l’équipe : mentionnez-la par son adresse e-mail."
                )
                % {"handle": handle}
            )
        else:
            errors.append(
                _(
                    "@%(handle)s ne correspond à aucun membre de l’équipe : seule l’équipe du programme "
                    "peut être mentionnée (@prenom.nom ou @adresse e-mail)."
                )
                % {"handle": handle}
            )
    if errors:
        raise ValidationError({"body": errors})
    return found


def _team_recipients(project: Project, target: Model | None) -> set[int]:
    """Who hears of a partner's comment: the project's staff leads and the target's team owner; the
    directors when nobody steers the project."""
    ids = set(project.staff_leads.filter(is_active=True).values_list("pk", flat=True))
    if target is not None:
        owner_id = registry.target_for_model(type(target)).team_owner_id(target)
        if owner_id and User.objects.filter(pk=owner_id, is_active=True, role__in=TEAM_ROLES).exists():
            ids.add(owner_id)
    if not ids:
        ids = set(User.objects.filter(role=Role.DIRECTOR, is_active=True).values_list("pk", flat=True))
    return ids


def _partner_recipients(project: Project, target: Model | None) -> set[int]:
    """Who hears of the team's comment: the active partners of the collective's current structures who
    read the target's thread in their portal."""
    organisations = Membership.objects.filter(project=project).filter(access.active_membership_q())
    partners = User.objects.filter(
        role=Role.PARTNER,
        is_active=True,
        organisation_id__in=organisations.values("organisation_id"),
    )
    entry = registry.target_for_model(type(target) if target is not None else Project)
    obj = target if target is not None else project
    return {user.pk for user in partners if registry.visible(user, entry).filter(pk=obj.pk).exists()}


def _mode(user: User) -> str:
    """A person who chose the digest and still receives it gets the comment there; anyone else at once."""
    if user.comment_notifications == CommentNotifications.DIGEST and user.digest_enabled:
        return NoticeMode.DIGEST
    return NoticeMode.IMMEDIATE


@transaction.atomic
def comment_post(
    *, actor: User, project: Project, target: Model | None = None, body: str, internal: bool = False
) -> Comment:
    """Post a comment on the project's own thread (`target` None) or on one of its objects'.

    Refused with the reason (ValidationError, nothing saved or sent): an empty or too long message, a
    mention of someone who is not an active team member. Refused as PermissionDenied: a partner's internal
    note, a thread the actor may not read. Tells the other side (never the partners of an internal note)
    and the team members mentioned, once each, after commit."""
    team = access.is_team(actor)
    if not team and not access.is_partner(actor):
        raise PermissionDenied
    if internal and not team:
        raise PermissionDenied
    if not access.scoped(actor, Project).filter(pk=project.pk).exists():
        raise PermissionDenied
    if target is not None:
        entry = registry.target_for_model(type(target))
        if entry.project_of(target).pk != project.pk:
            raise PermissionDenied
        if not registry.visible(actor, entry).filter(pk=target.pk).exists():
            raise PermissionDenied
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": [_("Écrivez un message avant de l’envoyer.")]})
    if len(body) > BODY_MAX:
        raise ValidationError(
            {"body": [_("Le message est trop long (%(max)s caractères au plus).") % {"max": BODY_MAX}]}
        )
    mentioned = resolve_mentions(body)
    comment = Comment.objects.create(
        project=project,
        content_type=ContentType.objects.get_for_model(type(target)) if target is not None else None,
        object_id=target.pk if target is not None else None,
        author=actor,
        body=body,
        internal=internal,
    )
    if mentioned:
        comment.mentions.set(mentioned)
    audit_log(
        actor=actor,
        obj=comment,
        action="comment.posted",
        changes={"internal": [None, internal], "mentions": [None, len(mentioned)]},
    )
    if team:
        recipients = set() if internal else _partner_recipients(project, target)
    else:
        recipients = _team_recipients(project, target)
    recipients |= {u.pk for u in mentioned}
    recipients.discard(actor.pk)
    users = User.objects.filter(pk__in=recipients, is_active=True).exclude(email="")
    notices = CommentNotice.objects.bulk_create(
        [CommentNotice(comment=comment, user=user, mode=_mode(user)) for user in users]
    )
    immediate = [n.pk for n in notices if n.mode == NoticeMode.IMMEDIATE]
    if immediate:
        from .tasks import notify_comment

        transaction.on_commit(lambda: notify_comment.delay(immediate))
    return comment


def notice_context(notice: CommentNotice) -> dict[str, Any]:
    """What an e-mail (alone or in the digest) says of one comment: who, where, what, and the link."""
    comment = notice.comment
    target = comment_target(comment)
    obj = target if target is not None else comment.project
    entry = registry.TARGETS[registry.key_of(target)]
    return {
        "comment": comment,
        "author": comment.author,
        "project": comment.project,
        "target": target,
        "target_label": entry.label,
        "target_title": entry.title(target) if target is not None else comment.project.title,
        "mentioned": notice.user_id in {u.pk for u in comment.mentions.all()},
        "url": settings.SITE_URL + registry.page_url(notice.user, obj),
    }


def comment_target(comment: Comment) -> Model | None:
    if comment.content_type is None:
        return None
    model = comment.content_type.model_class()
    assert model is not None
    return model._default_manager.filter(pk=comment.object_id).first()


def comment_notify(*, notice_ids: list[int]) -> int:
    """E-mail each immediate notice once; returns how many were sent.

    Each notice is claimed with one conditional UPDATE before its e-mail leaves, so a re-delivered task or
    a second worker sends nothing twice; a failed send releases the claim for the retry. The e-mail is
    written in the recipient's language (`User.language`). An internal note is never mailed to a partner,
    whatever a notice row says."""
    sent = 0
    for notice_id in notice_ids:
        now = timezone.now()
        claimed = CommentNotice.objects.filter(
            pk=notice_id, sent_at__isnull=True, mode=NoticeMode.IMMEDIATE
        ).update(sent_at=now)
        if not claimed:
            continue
        notice = CommentNotice.objects.select_related(
            "user", "comment__author", "comment__project", "comment__content_type"
        ).get(pk=notice_id)
        user = notice.user
        if not user.is_active or not user.email or (notice.comment.internal and not access.is_team(user)):
            continue
        try:
            sent += send_template_mail(
                template="emails/comment_new",
                to=[user.email],
                context={"user": user, **notice_context(notice)},
            )
        except (smtplib.SMTPException, OSError):
            CommentNotice.objects.filter(pk=notice_id, sent_at=now).update(sent_at=None)
            raise
    return sent


def pending_digest_notices(*, user: User) -> list[CommentNotice]:
    """Claim `user`'s comments waiting for the morning digest (one conditional UPDATE) and return them;
    the caller releases them (`digest_notices_release`) if the e-mail fails."""
    ids = list(
        CommentNotice.objects.filter(user=user, mode=NoticeMode.DIGEST, sent_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    if not ids:
        return []
    now = timezone.now()
    CommentNotice.objects.filter(pk__in=ids, sent_at__isnull=True).update(sent_at=now)
    notices = list(
        CommentNotice.objects.filter(pk__in=ids, sent_at=now)
        .select_related("user", "comment__author", "comment__project", "comment__content_type")
        .order_by("comment__created_at")
    )
    return [n for n in notices if not n.comment.internal or access.is_team(user)]


def digest_notices_unsent_send() -> int:
    """Comments waiting for the morning digest of someone who has since turned the digest off: no digest
    will carry them, so they go out as they would now, one e-mail each (after commit). The deadline scan
    calls this before it queues the digests. Returns how many notices were handed over."""
    waiting = CommentNotice.objects.filter(
        mode=NoticeMode.DIGEST, sent_at__isnull=True, user__digest_enabled=False
    )
    ids = list(waiting.values_list("pk", flat=True))
    if not ids:
        return 0
    CommentNotice.objects.filter(pk__in=ids, mode=NoticeMode.DIGEST, sent_at__isnull=True).update(
        mode=NoticeMode.IMMEDIATE
    )
    from .tasks import notify_comment

    transaction.on_commit(lambda: notify_comment.delay(ids))
    return len(ids)


def digest_notices_release(notices: list[CommentNotice]) -> None:
    CommentNotice.objects.filter(pk__in=[n.pk for n in notices]).update(sent_at=None)
