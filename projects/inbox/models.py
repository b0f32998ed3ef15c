"""The team inbox's own rows: who an item was handed to (`Assignment`) and the items marked as seen
(`Seen`). An item is any row a source of the inbox lists (a deliverable, an exchange, a measurement…),
named by its content type and id; the rows it names stay in their own apps and keep their own state."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class Assignment(models.Model):
    """An item of the inbox handed to a team member by hand. Without one, the item goes to its default
    assignee (the source says who: the project's staff leads, the prospect's follow-up person…)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigné·e à"),
        on_delete=models.CASCADE,
        related_name="inbox_assignments",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigné par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("assigné le"), auto_now=True)

    class Meta:
        verbose_name = _("assignation")
        verbose_name_plural = _("assignations")
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="one_assignment_per_item")
        ]
        indexes = [models.Index(fields=["assignee", "content_type"])]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} → {self.assignee_id}"


class Seen(models.Model):
    """An item with no state of its own to close it (a filled maturity self-assessment), marked as seen:
    it leaves the inbox until the row changes again (`seen_at` before the row's `updated_at`)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vu par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    seen_at = models.DateTimeField(_("vu le"))

    class Meta:
        verbose_name = _("élément vu")
        verbose_name_plural = _("éléments vus")
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="one_seen_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id}"
