from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programme.access import TeamOnly, ThroughProject

if TYPE_CHECKING:
    from programme.models import User


class ReportKind(models.TextChoices):
    ACTIVITY = "activity", _("Rapport d’activité du programme")
    FUNDER = "funder", _("Rapport financeur d’un projet")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("En attente")
    RUNNING = "running", _("En cours")
    DONE = "done", _("Terminé")
    FAILED = "failed", _("Échec")


class ReportStage(models.TextChoices):
    """A report is generated in one go, or prepared as a draft with written sections the team edits
    before its final rendering; a final report's PDF is immutable (its SHA-256 is stored)."""

    GENERATED = "generated", _("Généré")
    DRAFT = "draft", _("Brouillon")
    FINAL = "final", _("Version finale")


#: The written sections of a draft, in the order the report shows them: (field, title). The
#: introduction opens the report; the three others close it, after the generated sections.
WRITTEN_SECTIONS = [
    ("introduction", _("Introduction")),
    ("highlights", _("Faits marquants")),
    ("difficulties", _("Difficultés")),
    ("outlook", _("Perspectives")),
]


def shared_funder_report(user: "User") -> models.Q:
    """A partner reads only the funder reports of their projects that the team shared with them, never
    a draft (the team's work in progress)."""
    return models.Q(kind="funder", shared_with_partners=True) & ~models.Q(stage=ReportStage.DRAFT)


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
    #: The same report as an editable Word document, written from the same HTML as the PDF.
    docx = models.FileField(_("document Word"), upload_to="reports/%Y/%m/", blank=True)
    stage = models.CharField(
        _("étape"), max_length=10, choices=ReportStage.choices, default=ReportStage.GENERATED
    )
    #: The final PDF's SHA-256, stored when it is rendered: from then on nothing renders it again.
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, blank=True)
    finalised_at = models.DateTimeField(_("version finale demandée le"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("version finale demandée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
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

    @property
    def sealed(self) -> bool:
        """A final report whose PDF is rendered: immutable, never rendered again."""
        return self.stage == ReportStage.FINAL and bool(self.sha256)


class ReportText(models.Model):
    """One version of a draft report's written sections: each save of the text is a new row, so the
    history says who wrote what and when; the report renders its latest version."""

    report = models.ForeignKey(
        Report, verbose_name=_("rapport"), on_delete=models.CASCADE, related_name="texts"
    )
    version = models.PositiveIntegerField(_("version"))
    introduction = models.TextField(_("introduction"), blank=True)
    highlights = models.TextField(_("faits marquants"), blank=True)
    difficulties = models.TextField(_("difficultés"), blank=True)
    outlook = models.TextField(_("perspectives"), blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rédigé par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    written_at = models.DateTimeField(_("rédigé le"), auto_now_add=True)

    # The team's drafting: partners read the text only in a report shared with them.
    access_rule = TeamOnly()

    class Meta:
        ordering = ["report", "-version"]
        verbose_name = _("texte rédigé d’un rapport")
        verbose_name_plural = _("textes rédigés des rapports")
        constraints = [
            models.UniqueConstraint(fields=["report", "version"], name="one_report_text_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.report} — v{self.version}"

    def sections(self) -> list[tuple[str, str, str]]:
        """(field, title, text) of each written section, in the report's order."""
        return [(name, str(title), getattr(self, name)) for name, title in WRITTEN_SECTIONS]
