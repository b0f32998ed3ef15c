from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from programme.access import TeamOnly, ThroughProject
from projects.dates import add_months
from projects.models import CommitteeKind, Phase

#: The phases a template can be written for (the ones a gate opens).
TEMPLATE_PHASES = [Phase.EMERGENCE, Phase.EXPERIMENTATION, Phase.DEPLOYMENT]
#: A committee cadence repeats until the phase's planned end; in a phase without one (Déploiement),
#: over this many months.
OPEN_PHASE_HORIZON_MONTHS = 12


class ItemKind(models.TextChoices):
    MILESTONE = "milestone", _("Jalon")
    DELIVERABLE = "deliverable", _("Livrable")
    COMMITTEE = "committee", _("Comité")
    MATURITY = "maturity", _("Moment de maturité coopérative")


class OffsetUnit(models.TextChoices):
    DAYS = "days", _("jours")
    MONTHS = "months", _("mois")


class Provider(models.TextChoices):
    COLLECTIVE = "collective", _("Le collectif")
    TEAM = "team", _("L’équipe")


class PhaseTemplate(models.Model):
    """One version of a programme's template for a phase; never edited once saved."""

    audit_name = "phase_template"

    programme = models.ForeignKey(
        "programme.Programme",
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="phase_templates",
    )
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    version = models.PositiveSmallIntegerField(_("version"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = TeamOnly()

    class Meta:
        ordering = ["programme", "phase", "-version"]
        verbose_name = _("modèle de phase")
        verbose_name_plural = _("modèles de phase")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "phase", "version"], name="unique_phase_template_version"
            )
        ]

    def __str__(self) -> str:
        return _("%(phase)s v%(version)s") % {"phase": self.get_phase_display(), "version": self.version}

    def get_absolute_url(self) -> str:
        return reverse("projects:phasetemplate.detail", args=[self.pk])


class TemplateItem(models.Model):
    template = models.ForeignKey(
        PhaseTemplate, verbose_name=_("modèle"), on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    kind = models.CharField(_("type"), max_length=12, choices=ItemKind.choices)
    title = models.CharField(_("intitulé"), max_length=200)
    offset = models.PositiveSmallIntegerField(_("décalage"))
    offset_unit = models.CharField(
        _("unité"), max_length=6, choices=OffsetUnit.choices, default=OffsetUnit.MONTHS
    )
    provider = models.CharField(_("fourni par"), max_length=10, choices=Provider.choices, blank=True)
    committee_kind = models.CharField(_("instance"), max_length=12, choices=CommitteeKind.choices, blank=True)
    every_months = models.PositiveSmallIntegerField(_("tous les (mois)"), null=True, blank=True)

    access_rule = TeamOnly()

    class Meta:
        ordering = ["template", "position", "id"]
        verbose_name = _("élément de modèle")
        verbose_name_plural = _("éléments de modèle")
        constraints = [
            models.CheckConstraint(
                condition=Q(every_months__isnull=True) | Q(every_months__gte=1),
                name="template_cadence_positive",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def date_from(self, start: date) -> date:
        """The item's (first) date for a phase starting on `start`."""
        if self.offset_unit == OffsetUnit.DAYS:
            return start + timedelta(days=self.offset)
        return add_months(start, self.offset)

    def dates(self, start: date, end: date | None) -> list[date]:
        """Every date of the item: one, or for a committee with a cadence each occurrence until the end."""
        first = self.date_from(start)
        if self.kind != ItemKind.COMMITTEE or not self.every_months:
            return [first]
        until = end or add_months(start, OPEN_PHASE_HORIZON_MONTHS)
        found, step = [], 0
        while (when := add_months(first, step * self.every_months)) <= until:
            found.append(when)
            step += 1
        return found or [first]


class AppliedTemplate(models.Model):
    """Which template version a project got on entering a phase, and when."""

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("projet"),
        on_delete=models.CASCADE,
        related_name="applied_templates",
    )
    template = models.ForeignKey(
        PhaseTemplate, verbose_name=_("modèle"), on_delete=models.PROTECT, related_name="applications"
    )
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    phase_start = models.DateField(_("début de la phase"))
    created_at = models.DateTimeField(auto_now_add=True)

    access_rule = ThroughProject()

    class Meta:
        ordering = ["project", "phase_start"]
        verbose_name = _("modèle appliqué")
        verbose_name_plural = _("modèles appliqués")
        constraints = [
            models.UniqueConstraint(fields=["project", "phase"], name="one_template_per_project_phase")
        ]

    def __str__(self) -> str:
        return f"{self.project} — {self.template}"
