from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    IDENTIFIED = "identified", _("Identifié")
    CONTACTED = "contacted", _("Contacté")
    INTERESTED = "interested", _("Intéressé")
    INTERVIEW_PLANNED = "interview_planned", _("Entretien planifié")
    PREQUALIFIED = "prequalified", _("Pré-qualifié")
    CANDIDATE = "candidate", _("Candidat")
    RETAINED = "retained", _("Retenu")
    NOT_RETAINED = "not_retained", _("Non retenu")
    DISCARDED = "discarded", _("Écarté")


class Prospect(models.Model):
    """An organisation under consideration for a programme (minimal; the prospects work extends it)."""

    programme = models.ForeignKey(
        "programme.Programme", verbose_name=_("programme"), on_delete=models.CASCADE, related_name="prospects"
    )
    organisation = models.ForeignKey(
        "programme.Organisation",
        verbose_name=_("structure"),
        on_delete=models.PROTECT,
        related_name="prospects",
    )
    stage = models.CharField(
        _("étape"), max_length=20, choices=Stage.choices, default=Stage.IDENTIFIED, db_index=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("suivi par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_prospects",
    )
    next_action = models.CharField(_("prochaine action"), max_length=255, blank=True)
    next_action_date = models.DateField(
        _("date de la prochaine action"), null=True, blank=True, db_index=True
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("prospect")
        verbose_name_plural = _("prospects")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "organisation"], name="unique_prospect_per_programme"
            )
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class Decision(models.TextChoices):
    RETAINED = "retained", _("Retenu")
    WAITING_LIST = "waiting_list", _("Liste d'attente")
    NOT_RETAINED = "not_retained", _("Non retenu")


class SelectionDecision(models.Model):
    """A selection committee's decision on a candidate for a cohort."""

    cohort = models.ForeignKey(
        "programme.Cohort",
        verbose_name=_("promotion"),
        on_delete=models.CASCADE,
        related_name="selection_decisions",
    )
    prospect = models.ForeignKey(
        Prospect, verbose_name=_("candidat"), on_delete=models.CASCADE, related_name="selection_decisions"
    )
    decision = models.CharField(_("décision"), max_length=20, choices=Decision.choices)
    rationale = models.TextField(_("motivation"))
    capacity_override = models.BooleanField(_("dépassement de capacité assumé"), default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("décidé par"), on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("décidé le"), auto_now_add=True)

    class Meta:
        ordering = ["-decided_at"]
        verbose_name = _("décision de sélection")
        verbose_name_plural = _("décisions de sélection")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "prospect"], name="one_selection_decision_per_cohort"),
            models.CheckConstraint(condition=~Q(rationale=""), name="selection_rationale_required"),
        ]

    def __str__(self) -> str:
        return f"{self.prospect} — {self.get_decision_display()}"
