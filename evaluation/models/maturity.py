"""Cooperative maturity: the collective's self-assessment, scored 1–4 per dimension at phase start and end."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from programme.access import ThroughProject
from projects.models import Phase


class Dimension(models.TextChoices):
    SHARED_VISION = "shared_vision", _("Vision partagée")
    GOVERNANCE = "governance", _("Gouvernance")
    TRUST = "trust", _("Confiance et communication")
    SHARED_RESOURCES = "shared_resources", _("Ressources mises en commun")
    CAPACITY = "capacity", _("Capacité à agir ensemble")


#: What each score means, per dimension (levels 1 to 4), shown next to the question.
DESCRIPTORS: dict[str, tuple] = {
    Dimension.SHARED_VISION: (
        _("Chaque structure poursuit ses propres objectifs."),
        _("Les objectifs communs sont esquissés mais peu partagés."),
        _("Une vision commune est écrite et connue des membres."),
        _("La vision commune guide les décisions de chaque membre."),
    ),
    Dimension.GOVERNANCE: (
        _("Pas d'instance commune : les décisions se prennent au fil de l'eau."),
        _("Des réunions existent, les rôles restent flous."),
        _("Instances et rôles définis, décisions tracées."),
        _("Gouvernance partagée, formalisée et respectée par tous."),
    ),
    Dimension.TRUST: (
        _("Peu d'échanges en dehors des ateliers."),
        _("Échanges réguliers mais surtout descendants."),
        _("Information circulante, désaccords exprimés et traités."),
        _("Confiance forte : les difficultés se disent et se règlent ensemble."),
    ),
    Dimension.SHARED_RESOURCES: (
        _("Aucune ressource mise en commun."),
        _("Mises à disposition ponctuelles (salle, matériel)."),
        _("Ressources humaines ou financières engagées par plusieurs membres."),
        _("Moyens communs pérennes (poste partagé, budget commun)."),
    ),
    Dimension.CAPACITY: (
        _("Le collectif dépend de l'équipe d'accompagnement."),
        _("Le collectif mène des actions simples avec appui."),
        _("Le collectif pilote ses actions et en rend compte."),
        _("Le collectif agit en autonomie et mobilise de nouveaux acteurs."),
    ),
}


class Moment(models.TextChoices):
    START = "start", _("Début de phase")
    END = "end", _("Fin de phase")


class MaturityAssessment(models.Model):
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("projet"),
        on_delete=models.CASCADE,
        related_name="maturity_assessments",
    )
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    moment = models.CharField(_("moment"), max_length=5, choices=Moment.choices)
    assessed_on = models.DateField(_("date"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saisie par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    participants = models.CharField(_("participants"), max_length=255, blank=True)
    comment = models.TextField(_("commentaire"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = ThroughProject()
    portal_rule = access_rule

    class Meta:
        ordering = ["project", "assessed_on"]
        verbose_name = _("maturité coopérative")
        verbose_name_plural = _("maturités coopératives")
        constraints = [
            models.UniqueConstraint(fields=["project", "phase", "moment"], name="one_assessment_per_moment"),
        ]
        indexes = [models.Index(fields=["phase", "moment"])]

    def __str__(self) -> str:
        return f"{self.project} — {self.phase} ({self.get_moment_display()})"

    def get_absolute_url(self) -> str:
        return reverse("evaluation:maturity.edit", args=[self.pk])


class MaturityScore(models.Model):
    assessment = models.ForeignKey(
        MaturityAssessment, verbose_name=_("évaluation"), on_delete=models.CASCADE, related_name="scores"
    )
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices)
    score = models.PositiveSmallIntegerField(_("score"))

    class Meta:
        ordering = ["assessment", "dimension"]
        verbose_name = _("score de maturité")
        verbose_name_plural = _("scores de maturité")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "dimension"], name="one_score_per_dimension"),
            models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=4), name="maturity_score_1_to_4"),
        ]

    def __str__(self) -> str:
        return f"{self.get_dimension_display()} : {self.score}"
