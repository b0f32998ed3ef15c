"""Conversations with the collective: a comment thread on the project itself and on its deliverables,
measurements and actions, shared between the team and the collective's partners. An internal note is a
comment of the team that partners never read (the access rule filters it out).

The models keep the `projects` label (re-imported at the bottom of projects/models.py)."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programme.access import ThroughProject

if TYPE_CHECKING:
    from programme.models import User

#: Longest comment, in characters.
BODY_MAX = 5000


def shared_comments(user: "User") -> models.Q:
    """A partner reads the comments shared with the collective, never the team's internal notes."""
    return models.Q(internal=False)


class Comment(models.Model):
    """One message of a thread. The thread is the project's own (no target) or one object's of the
    project: `content_type` + `object_id` (a deliverable, a measurement, an action)."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("projet"), on_delete=models.CASCADE, related_name="comments"
    )
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("sur"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    body = models.TextField(_("message"), max_length=BODY_MAX)
    internal = models.BooleanField(_("note interne"), default=False)
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("mentions"), blank=True, related_name="mentioned_in"
    )
    created_at = models.DateTimeField(_("écrit le"), default=timezone.now)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = ThroughProject(partner_q=shared_comments)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("commentaire")
        verbose_name_plural = _("commentaires")
        indexes = [
            models.Index(
                fields=["project", "content_type", "object_id", "created_at"], name="comment_thread_idx"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(content_type__isnull=True, object_id__isnull=True)
                | models.Q(content_type__isnull=False, object_id__isnull=False),
                name="comment_target_whole",
            )
        ]

    def __str__(self) -> str:
        return self.body[:80]


class NoticeMode(models.TextChoices):
    IMMEDIATE = "immediate", _("Immédiatement")
    DIGEST = "digest", _("Dans le récapitulatif du matin")


class CommentNotice(models.Model):
    """One person to tell of one comment. The row is the claim: `sent_at` is set by one conditional UPDATE
    before the e-mail leaves (alone, or in the morning digest), so nobody is told twice."""

    comment = models.ForeignKey(
        Comment, verbose_name=_("commentaire"), on_delete=models.CASCADE, related_name="notices"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("destinataire"), on_delete=models.CASCADE, related_name="+"
    )
    mode = models.CharField(_("envoi"), max_length=10, choices=NoticeMode.choices)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("avis de commentaire")
        verbose_name_plural = _("avis de commentaire")
        constraints = [models.UniqueConstraint(fields=["comment", "user"], name="one_notice_per_comment")]
        indexes = [
            models.Index(
                fields=["user"],
                condition=models.Q(sent_at__isnull=True, mode="digest"),
                name="pending_digest_notice_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.comment}"
