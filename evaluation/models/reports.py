from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programme.access import ThroughProject

if TYPE_CHECKING:
    from programme.models import User


class ReportKind(models.TextChoices):
    ACTIVITY = "activity", _("Rapport d’activité du programme")
    FUNDER = "funder", _("Rapport financeur d’un projet")
    RESEARCH_MATRIX = "research_matrix", _("Matrice de la recherche-action")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("En attente")
    RUNNING = "running", _("En cours")
    DONE = "done", _("Terminé")
    FAILED = "failed", _("Échec")


def shared_funder_report(user: "User") -> models.Q:
    """A partner reads only the funder reports of their projects that the team shared with them."""
    return models.Q(kind="funder", shared_with_partners=True)


class Report(models.Model):
    """A PDF report ordered by someone and rendered in the background by a Celery worker."""

    kind = models.CharField(_("type"), max_length=20, choices=ReportKind.choices)
    programme = models.ForeignKey(
        "programme.Programme", verbose_name=_("programme"), on_delete=models.CASCADE, related_name="reports"
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("projet"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reports",
    )
    parameters = models.JSONField(_("paramètres"), default=dict, blank=True)
    # Same kind + parameters = same key: a second identical request while one is queued or running
    # returns the existing report instead of rendering twice (see the partial unique constraint).
    dedupe_key = models.CharField(max_length=64, db_index=True)
    title = models.CharField(_("titre"), max_length=255)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    status = models.CharField(
        _("état"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(_("avancement (%)"), default=0)
    file = models.FileField(_("fichier"), upload_to="reports/%Y/%m/", blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    size = models.PositiveIntegerField(_("taille (octets)"), null=True, blank=True)
    duration = models.FloatField(_("durée (s)"), null=True, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    shared_with_partners = models.BooleanField(_("partagé avec le collectif"), default=False)
    scheduled = models.BooleanField(_("programmé"), default=False)
    created_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = ThroughProject(partner_q=shared_funder_report)
    #: Set by report_request / report_retry on the row they return (not stored): whether this call queued it.
    created: bool

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("rapport")
        verbose_name_plural = _("rapports")
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(status__in=["queued", "running"]),
                name="one_pending_report_per_request",
            ),
            models.CheckConstraint(
                condition=~Q(kind="funder") | Q(project__isnull=False), name="funder_report_has_project"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_progress_percent"),
        ]

    def __str__(self) -> str:
        return self.title
