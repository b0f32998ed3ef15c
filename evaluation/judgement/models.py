"""Findings, recommendations, frozen gate dossiers and essaimage kits.

Every model keeps the `evaluation` label (re-imported at the bottom of evaluation/models/__init__.py).
Findings and recommendations are the team's until the team shares them with the collective
(`shared_with_collective`); a dossier is read by partners only once shared. A dossier is rendered once
and never again: its PDF, SHA-256 and snapshot are what the committee saw.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from programme.access import ThroughProject
from projects.models import Phase


class Level(models.TextChoices):
    MET = "met", _("Atteint")
    PARTLY = "partly", _("Partiellement atteint")
    NOT_MET = "not_met", _("Non atteint")


class Verdict(models.TextChoices):
    CONTINUE = "continue", _("Continuer")
    EVOLVE = "evolve", _("Faire évoluer")
    STOP = "stop", _("Arrêter")
    SPREAD = "spread", _("Essaimer")


class EvidenceKind(models.TextChoices):
    MEASUREMENT = "measurement", _("Mesure")
    DELIVERABLE = "deliverable", _("Livrable")
    WORKSHOP_ITEM = "workshop_item", _("Production d’atelier")
    OBSERVATION = "observation", _("Observation")


class RenderStatus(models.TextChoices):
    QUEUED = "queued", _("En attente")
    RUNNING = "running", _("En cours")
    DONE = "done", _("Terminé")
    FAILED = "failed", _("Échec")


class Finding(models.Model):
    """The team's answer to one evaluative question of a project's protocol."""

    audit_name = "finding"

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("projet"), on_delete=models.CASCADE, related_name="findings"
    )
    question = models.OneToOneField(
        "evaluation.EvaluationQuestion",
        verbose_name=_("question évaluative"),
        on_delete=models.CASCADE,
        related_name="finding",
    )
    answer = models.TextField(_("réponse de l’équipe"))
    shared_with_collective = models.BooleanField(_("partagé avec le collectif"), default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rédigé par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    access_rule = ThroughProject(shared_field="shared_with_collective")

    class Meta:
        ordering = ["question__order", "question__pk"]
        verbose_name = _("constat")
        verbose_name_plural = _("constats")
        constraints = [models.CheckConstraint(condition=~Q(answer=""), name="finding_has_answer")]

    def __str__(self) -> str:
        return self.question.text

    def get_absolute_url(self) -> str:
        return reverse("evaluation:judgement.findings", args=[self.project_id])


class CriterionLevel(models.Model):
    """The level a finding says a criterion reached, with its justification."""

    finding = models.ForeignKey(
        Finding, verbose_name=_("constat"), on_delete=models.CASCADE, related_name="levels"
    )
    criterion = models.OneToOneField(
        "evaluation.EvaluationCriterion",
        verbose_name=_("critère"),
        on_delete=models.CASCADE,
        related_name="level",
    )
    level = models.CharField(_("niveau atteint"), max_length=10, choices=Level.choices)
    justification = models.TextField(_("justification"))

    access_rule = ThroughProject(path="finding__project", shared_field="finding__shared_with_collective")

    class Meta:
        ordering = ["criterion__order", "criterion__pk"]
        verbose_name = _("niveau d’un critère")
        verbose_name_plural = _("niveaux des critères")
        constraints = [
            models.CheckConstraint(condition=~Q(justification=""), name="criterion_level_justified")
        ]

    def __str__(self) -> str:
        return self.get_level_display()


class Evidence(models.Model):
    """A piece of evidence a finding rests on: one record of the same project, or a free observation."""

    finding = models.ForeignKey(
        Finding, verbose_name=_("constat"), on_delete=models.CASCADE, related_name="evidence"
    )
    kind = models.CharField(_("nature"), max_length=15, choices=EvidenceKind.choices)
    measurement = models.ForeignKey(
        "evaluation.Measurement",
        verbose_name=_("mesure"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    deliverable = models.ForeignKey(
        "projects.Deliverable",
        verbose_name=_("livrable"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    workshop_item = models.ForeignKey(
        "projects.WorkshopItem",
        verbose_name=_("production d’atelier"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    observation = models.TextField(_("observation"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    access_rule = ThroughProject(path="finding__project", shared_field="finding__shared_with_collective")

    class Meta:
        ordering = ["pk"]
        verbose_name = _("élément de preuve")
        verbose_name_plural = _("éléments de preuve")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="measurement",
                        measurement__isnull=False,
                        deliverable__isnull=True,
                        workshop_item__isnull=True,
                    )
                    | Q(
                        kind="deliverable",
                        deliverable__isnull=False,
                        measurement__isnull=True,
                        workshop_item__isnull=True,
                    )
                    | Q(
                        kind="workshop_item",
                        workshop_item__isnull=False,
                        measurement__isnull=True,
                        deliverable__isnull=True,
                    )
                    | (
                        Q(
                            kind="observation",
                            measurement__isnull=True,
                            deliverable__isnull=True,
                            workshop_item__isnull=True,
                        )
                        & ~Q(observation="")
                    )
                ),
                name="evidence_one_source",
            )
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class CollectiveReading(models.Model):
    """The collective's own reading of a shared finding, written from the portal."""

    finding = models.ForeignKey(
        Finding, verbose_name=_("constat"), on_delete=models.CASCADE, related_name="readings"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "programme.Organisation",
        verbose_name=_("structure"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(_("lecture du collectif"))
    created_at = models.DateTimeField(_("écrit le"), auto_now_add=True)

    access_rule = ThroughProject(path="finding__project", shared_field="finding__shared_with_collective")

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("lecture du collectif")
        verbose_name_plural = _("lectures du collectif")

    def __str__(self) -> str:
        return self.text[:60]


class Recommendation(models.Model):
    """What the team recommends at the end of a phase: continue, evolve, stop or spread, and why."""

    audit_name = "recommendation"

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("projet"), on_delete=models.CASCADE, related_name="recommendations"
    )
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    verdict = models.CharField(_("recommandation"), max_length=10, choices=Verdict.choices)
    argument = models.TextField(_("argumentaire"))
    shared_with_collective = models.BooleanField(_("partagée avec le collectif"), default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rédigée par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    access_rule = ThroughProject(shared_field="shared_with_collective")

    class Meta:
        ordering = ["project", "-updated_at"]
        verbose_name = _("recommandation")
        verbose_name_plural = _("recommandations")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "phase"],
                name="one_recommendation_per_phase",
                violation_error_message=_("Ce projet a déjà une recommandation pour cette phase."),
            ),
            models.CheckConstraint(condition=~Q(argument=""), name="recommendation_has_argument"),
        ]

    def __str__(self) -> str:
        return f"{self.get_phase_display()} — {self.get_verdict_display()}"

    def get_absolute_url(self) -> str:
        return reverse("evaluation:judgement.findings", args=[self.project_id])


class Rendered(models.Model):
    """A document rendered once in the background and never again (dossier, kit)."""

    status = models.CharField(
        _("état"), max_length=10, choices=RenderStatus.choices, default=RenderStatus.QUEUED, db_index=True
    )
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, blank=True)
    snapshot = models.JSONField(_("chiffres figés"), default=dict, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    size = models.PositiveIntegerField(_("taille (octets)"), null=True, blank=True)
    duration = models.FloatField(_("durée (s)"), null=True, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    shared_with_collective = models.BooleanField(_("partagé avec le collectif"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandé par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    class Meta:
        abstract = True


class GateDossier(Rendered):
    """« Préparer le dossier »: the project's gate dossier as a PDF, with its SHA-256 and the figures it
    showed (`snapshot`). Rendered once; a decision that used it keeps it (PROTECT)."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("projet"), on_delete=models.CASCADE, related_name="gate_dossiers"
    )
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    as_of = models.DateField(_("données au"))
    file = models.FileField(_("fichier"), upload_to="dossiers/%Y/%m/", blank=True)

    access_rule = ThroughProject(shared_field="shared_with_collective")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("dossier de décision")
        verbose_name_plural = _("dossiers de décision")
        constraints = [
            models.UniqueConstraint(
                fields=["project"], condition=Q(status__in=["queued", "running"]), name="one_pending_dossier"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project_id} — {self.as_of}"


class DecisionDossier(models.Model):
    """What the committee saw for one gate decision: the dossier used (immutable), or why there was none."""

    decision = models.OneToOneField(
        "projects.GateDecision",
        verbose_name=_("décision"),
        on_delete=models.CASCADE,
        related_name="committee_saw",
    )
    dossier = models.ForeignKey(
        GateDossier,
        verbose_name=_("dossier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    reason = models.TextField(_("motif d’une décision sans dossier"), blank=True)
    stale = models.BooleanField(_("données modifiées depuis la préparation"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    access_rule = ThroughProject(path="decision__project", shared_field="dossier__shared_with_collective")

    class Meta:
        verbose_name = _("dossier vu par le comité")
        verbose_name_plural = _("dossiers vus par le comité")
        constraints = [
            models.CheckConstraint(
                condition=Q(dossier__isnull=False) | ~Q(reason=""), name="decision_dossier_or_reason"
            )
        ]

    def __str__(self) -> str:
        return str(self.decision_id)


class EssaimageKit(Rendered):
    """« Générer le kit »: a versioned PDF + ZIP for the teams that take the project elsewhere."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("projet"), on_delete=models.CASCADE, related_name="essaimage_kits"
    )
    version = models.PositiveSmallIntegerField(_("version"))
    file = models.FileField(_("PDF"), upload_to="kits/%Y/%m/", blank=True)
    archive = models.FileField(_("archive ZIP"), upload_to="kits/%Y/%m/", blank=True)

    access_rule = ThroughProject(shared_field="shared_with_collective")

    class Meta:
        ordering = ["-version"]
        verbose_name = _("kit d’essaimage")
        verbose_name_plural = _("kits d’essaimage")
        constraints = [models.UniqueConstraint(fields=["project", "version"], name="unique_kit_version")]

    def __str__(self) -> str:
        return f"v{self.version}"


class SiteKit(models.Model):
    """The kit version a deployment site started from (kept here: projects may not name evaluation)."""

    site = models.OneToOneField(
        "projects.DeploymentSite", verbose_name=_("site"), on_delete=models.CASCADE, related_name="kit_used"
    )
    kit = models.ForeignKey(
        EssaimageKit, verbose_name=_("kit"), on_delete=models.PROTECT, related_name="sites"
    )

    access_rule = ThroughProject(path="site__project")

    class Meta:
        verbose_name = _("kit d’un site")
        verbose_name_plural = _("kits des sites")

    def __str__(self) -> str:
        return f"{self.site_id} — v{self.kit_id}"
