"""Indicator library, evaluation protocol per project, measurements and their yearly roll-up."""

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from evaluation.figures import nature_of
from programme.access import ThroughProject
from programme.formatting import fr_date, fr_number, indicator_value

if TYPE_CHECKING:
    from programme.models import User


class IndicatorType(models.TextChoices):
    COUNT = "count", _("Nombre")
    PERCENTAGE = "percentage", _("Pourcentage (numérateur / dénominateur)")
    AMOUNT = "amount", _("Montant en euros")
    SCALE = "scale", _("Échelle")
    BOOLEAN = "boolean", _("Oui / non")
    TEXT = "text", _("Texte")


class Aggregation(models.TextChoices):
    """How the values of several periods combine, i.e. the indicator's nature (evaluation.figures)."""

    SUM = "sum", _("Flux : additionné sur les périodes")
    LATEST = "latest", _("Stock : dernière valeur mesurée")
    AVERAGE = "average", _("Taux : moyenne des périodes")


class TargetKind(models.TextChoices):
    """What a project indicator's target is compared with (see evaluation.figures.indicator_figure)."""

    CUMULATIVE = "cumulative", _("Cumulée sur le projet")
    PER_PERIOD = "per_period", _("Par période")


class Direction(models.TextChoices):
    INCREASE = "increase", _("À la hausse")
    DECREASE = "decrease", _("À la baisse")
    MAINTAIN = "maintain", _("À maintenir")


class Periodicity(models.TextChoices):
    MONTHLY = "monthly", _("Mensuelle")
    QUARTERLY = "quarterly", _("Trimestrielle")
    PER_PHASE = "per_phase", _("Par phase")
    YEARLY = "yearly", _("Annuelle")


class Scope(models.TextChoices):
    PROGRAMME = "programme", _("Programme")
    PROJECT = "project", _("Projet")


class Indicator(models.Model):
    """A definition in the library, shared by the projects that measure it."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    description = models.TextField(_("définition"), blank=True)
    unit = models.CharField(_("unité"), max_length=50, blank=True)
    unit_singular = models.CharField(
        _("unité au singulier"),
        max_length=50,
        blank=True,
        help_text=_("Pour écrire « 1 emploi » plutôt que « 1 emplois » ; vide si l’unité est invariable."),
    )
    type = models.CharField(_("type"), max_length=12, choices=IndicatorType.choices, default="count")
    aggregation = models.CharField(
        _("nature"), max_length=10, choices=Aggregation.choices, default=Aggregation.SUM
    )
    direction = models.CharField(
        _("sens souhaité"), max_length=10, choices=Direction.choices, default=Direction.INCREASE
    )
    periodicity = models.CharField(
        _("périodicité"), max_length=10, choices=Periodicity.choices, default=Periodicity.QUARTERLY
    )
    scope = models.CharField(_("portée"), max_length=10, choices=Scope.choices, default=Scope.PROJECT)
    verification = models.CharField(_("moyen de vérification"), max_length=255, blank=True)
    scale_min = models.PositiveSmallIntegerField(_("minimum de l’échelle"), null=True, blank=True)
    scale_max = models.PositiveSmallIntegerField(_("maximum de l’échelle"), null=True, blank=True)
    is_active = models.BooleanField(_("actif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = ThroughProject(path="project_indicators__project", distinct=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("indicateur")
        verbose_name_plural = _("indicateurs")
        constraints = [
            models.CheckConstraint(
                condition=~Q(type="scale")
                | (Q(scale_min__isnull=False) & Q(scale_max__gt=models.F("scale_min"))),
                name="indicator_scale_bounds",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("evaluation:indicator.edit", args=[self.pk])

    @property
    def is_numeric(self) -> bool:
        return self.type != IndicatorType.TEXT

    @property
    def nature(self) -> str:
        """flow, stock or rate (evaluation.figures.nature_of)."""
        return nature_of(aggregation=self.aggregation, kind=self.type)


class EvaluationQuestion(models.Model):
    """An evaluative question of a project's protocol ("Le collectif a-t-il élargi son public ?")."""

    audit_name = "evaluation_question"  # the prefix of its audit actions (read by the history pages)

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("projet"),
        on_delete=models.CASCADE,
        related_name="evaluation_questions",
    )
    text = models.CharField(_("question évaluative"), max_length=300)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = ThroughProject()

    class Meta:
        ordering = ["project", "order", "pk"]
        verbose_name = _("question évaluative")
        verbose_name_plural = _("questions évaluatives")

    def __str__(self) -> str:
        return self.text


class EvaluationCriterion(models.Model):
    audit_name = "evaluation_criterion"  # the prefix of its audit actions (read by the history pages)

    question = models.ForeignKey(
        EvaluationQuestion, verbose_name=_("question"), on_delete=models.CASCADE, related_name="criteria"
    )
    text = models.CharField(_("critère"), max_length=300)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = ThroughProject(path="question__project")

    # Not a column: the indicators attached to it, set by `evaluation.selectors.protocol_for`.
    linked: list["ProjectIndicator"]

    class Meta:
        ordering = ["question", "order", "pk"]
        verbose_name = _("critère d’évaluation")
        verbose_name_plural = _("critères d’évaluation")

    def __str__(self) -> str:
        return self.text


class Reporter(models.TextChoices):
    STAFF = "staff", _("L’équipe du programme")
    PARTNER = "partner", _("Le collectif (saisie partenaire)")


def reported_by_partner(user: "User", prefix: str = "") -> models.Q:
    """Indicators a partner reports: the collective's (reporter "partner"), for any member or for the
    partner's own organisation."""
    return models.Q(**{f"{prefix}reporter": "partner"}) & (
        models.Q(**{f"{prefix}reporter_organisation__isnull": True})
        | models.Q(**{f"{prefix}reporter_organisation_id": user.organisation_id})
    )


def reported_by_partner_via_indicator(user: "User") -> models.Q:
    """Measurements (and their evidence) of the indicators the partner reports."""
    return reported_by_partner(user, prefix="project_indicator__")


class IndicatorSummary(TypedDict):
    """What `evaluation.selectors.indicator_summary` tells of one project indicator."""

    value: Decimal | None
    compared: Decimal | None
    compared_label: str
    target_now: Decimal | None
    progress: Decimal | None
    progress_note: str
    progress_final: Decimal | None
    progress_final_note: str
    change: Decimal | None
    change_note: str
    pending: int
    last: date | None


class ProjectIndicator(models.Model):
    """An indicator in a project's protocol, with its baseline and target."""

    audit_name = "project_indicator"  # the prefix of its audit actions (read by the history pages)
    audit_indicator_values = ("indicator", ("baseline_value", "target_value", "cible"))  # in its unit

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("projet"), on_delete=models.CASCADE, related_name="indicators"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicateur"), on_delete=models.PROTECT, related_name="project_indicators"
    )
    criterion = models.ForeignKey(
        EvaluationCriterion,
        verbose_name=_("critère"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="project_indicators",
    )
    baseline_value = models.DecimalField(
        _("valeur de référence"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    baseline_date = models.DateField(_("date de la référence"), null=True, blank=True)
    target_value = models.DecimalField(_("cible"), max_digits=14, decimal_places=2, null=True, blank=True)
    target_date = models.DateField(_("échéance de la cible"), null=True, blank=True)
    target_kind = models.CharField(
        _("nature de la cible"),
        max_length=10,
        choices=TargetKind.choices,
        default=TargetKind.CUMULATIVE,
        help_text=_(
            "Cumulée : comparée au total depuis le début du projet (flux) ou à la valeur depuis le début "
            "(taux). Par période : comparée à la valeur de la dernière période mesurée. Un stock se "
            "compare toujours à sa dernière valeur."
        ),
    )
    reporter = models.CharField(
        _("renseigné par"), max_length=10, choices=Reporter.choices, default=Reporter.STAFF
    )
    reporter_organisation = models.ForeignKey(
        "programme.Organisation",
        verbose_name=_("structure qui renseigne"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    #: The fil rouge: the workshop outputs (needs, ideas, prototypes) this indicator tests — of the same
    #: project (evaluation.filrouge.services checks it).
    outputs = models.ManyToManyField(
        "projects.WorkshopItem", verbose_name=_("productions testées"), blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = ThroughProject()
    portal_rule = ThroughProject(partner_q=reported_by_partner)

    # Not a column: set on the rows `evaluation.selectors.project_indicators_with_summary` returns.
    summary: IndicatorSummary

    class Meta:
        ordering = ["project", "indicator__name"]
        verbose_name = _("indicateur du projet")
        verbose_name_plural = _("indicateurs du projet")
        constraints = [
            models.UniqueConstraint(fields=["project", "indicator"], name="unique_project_indicator"),
            models.CheckConstraint(
                condition=Q(target_date__isnull=True)
                | Q(baseline_date__isnull=True)
                | Q(target_date__gte=models.F("baseline_date")),
                name="project_indicator_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} — {self.project}"

    def get_absolute_url(self) -> str:
        return reverse("evaluation:project_indicator.detail", args=[self.pk])


class IndicatorTarget(models.Model):
    """An intermediate target: the value expected by the end of a period (e.g. end of each year)."""

    project_indicator = models.ForeignKey(
        ProjectIndicator,
        verbose_name=_("indicateur du projet"),
        on_delete=models.CASCADE,
        related_name="targets",
    )
    period_end = models.DateField(_("fin de la période"))
    value = models.DecimalField(_("cible"), max_digits=14, decimal_places=2)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = ThroughProject(path="project_indicator__project")

    class Meta:
        ordering = ["project_indicator", "period_end"]
        verbose_name = _("cible intermédiaire")
        verbose_name_plural = _("cibles intermédiaires")
        constraints = [
            models.UniqueConstraint(fields=["project_indicator", "period_end"], name="unique_target_period")
        ]

    def __str__(self) -> str:
        return f"{self.project_indicator} — {self.period_end}"


class MeasurementStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("À valider")
    VALIDATED = "validated", _("Validée")
    RETURNED = "returned", _("Renvoyée")


#: A value more than this many times the largest validated value (or the target) asks for a confirmation.
OUTLIER_FACTOR = 5


class ReviewFlag(models.TextChoices):
    """Why an entered value asked for a confirmation and waits for a second look (see
    `evaluation.services.measurement_review_flags`)."""

    HISTORY = "history", _("bien au-delà des valeurs validées")
    TARGET = "target", _("bien au-delà de la cible")
    BASELINE = "baseline", _("bien au-delà de la référence")
    NEGATIVE = "negative", _("négative")
    UNFINISHED = "unfinished", _("période non terminée")


#: The sentence shown to the person who types the value and to the validator, per flag.
REVIEW_REASONS = {
    ReviewFlag.HISTORY: _(
        "%(value)s vaut plus de %(factor)s fois la plus grande valeur déjà validée de cet indicateur (%(reference)s)."
    ),
    ReviewFlag.TARGET: _("%(value)s vaut plus de %(factor)s fois la cible de l’indicateur (%(reference)s)."),
    ReviewFlag.BASELINE: _(
        "%(value)s vaut plus de %(factor)s fois la valeur de référence (%(reference)s), sans autre valeur "
        "ni cible pour comparer."
    ),
    ReviewFlag.NEGATIVE: _("%(value)s est négatif alors que les valeurs validées sont positives."),
    ReviewFlag.UNFINISHED: _(
        "La période n’est pas terminée (elle finit le %(reference)s) : la valeur risque d’être partielle."
    ),
}


class Measurement(models.Model):
    """The value of a project indicator for one period. Only validated values count in figures."""

    audit_choices = {"review_flags": ReviewFlag.choices}  # the history pages' labels of the logged codes
    audit_indicator_values = ("project_indicator__indicator", ("value",))  # logged in its indicator's unit

    project_indicator = models.ForeignKey(
        ProjectIndicator,
        verbose_name=_("indicateur du projet"),
        on_delete=models.CASCADE,
        related_name="measurements",
    )
    period_start = models.DateField(_("début de la période"))
    period_end = models.DateField(_("fin de la période"))
    value = models.DecimalField(_("valeur"), max_digits=14, decimal_places=2, null=True, blank=True)
    numerator = models.DecimalField(_("numérateur"), max_digits=14, decimal_places=2, null=True, blank=True)
    denominator = models.DecimalField(
        _("dénominateur"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    text_value = models.TextField(_("valeur (texte)"), blank=True)
    source = models.CharField(_("source"), max_length=255, blank=True)
    evidence = models.FileField(_("justificatif"), upload_to="evaluation/evidence/%Y/%m/", blank=True)
    status = models.CharField(
        _("état"), max_length=10, choices=MeasurementStatus.choices, default=MeasurementStatus.DRAFT
    )
    return_comment = models.TextField(_("motif du renvoi"), blank=True)
    locked = models.BooleanField(_("verrouillée"), default=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saisie par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("soumise le"), null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("validée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    validated_at = models.DateTimeField(_("validée le"), null=True, blank=True)
    locked_at = models.DateTimeField(_("verrouillée le"), null=True, blank=True)
    # What the person who typed the value confirmed despite the warnings: [{"code", "value", "reference"}]
    # (codes of ReviewFlag, figures as plain decimal strings). Empty for an ordinary value.
    review_flags = models.JSONField(_("signalements"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = ThroughProject(path="project_indicator__project")
    portal_rule = ThroughProject(
        path="project_indicator__project", partner_q=reported_by_partner_via_indicator
    )

    class Meta:
        ordering = ["project_indicator", "-period_end"]
        verbose_name = _("mesure")
        verbose_name_plural = _("mesures")
        constraints = [
            models.UniqueConstraint(
                fields=["project_indicator", "period_start", "period_end"], name="unique_measurement_period"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="measurement_period_ordered"
            ),
            models.CheckConstraint(
                condition=~Q(locked=True) | Q(status="validated"), name="locked_is_validated"
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gte=0), name="denominator_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(return_comment=""), name="returned_has_comment"
            ),
        ]
        indexes = [
            models.Index(fields=["project_indicator", "status", "period_end"]),
            models.Index(fields=["status", "-submitted_at"], name="measurement_queue_idx"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.project_indicator.indicator} — {fr_date(self.period_start)} – {fr_date(self.period_end)}"
        )

    def get_absolute_url(self) -> str:
        return reverse("evaluation:project_indicator.detail", args=[self.project_indicator_id])

    @property
    def is_editable(self) -> bool:
        return not self.locked

    @property
    def review_reasons(self) -> list[str]:
        """The flags as sentences, for the validation queue and the indicator page."""
        return review_reasons(self.review_flags, self.project_indicator.indicator)


def review_reasons(flags: list[dict[str, str]], indicator: Indicator) -> list[str]:
    """Review flags (as `Measurement.review_flags` stores them) written out in French. A percentage's
    flags are about its denominator (the count the rate is taken over)."""

    def figure(text: str) -> str:
        if indicator.type == IndicatorType.PERCENTAGE:
            return fr_number(Decimal(text))
        return indicator_value(Decimal(text), kind=indicator.type, unit=indicator.unit)

    reasons = []
    for flag in flags:
        code = flag.get("code", "")
        if code not in REVIEW_REASONS:
            continue
        if code == ReviewFlag.UNFINISHED:
            value, reference = "", fr_date(date.fromisoformat(flag["reference"]))
        else:
            value, reference = figure(flag["value"]), figure(flag["reference"])
            if indicator.type == IndicatorType.PERCENTAGE:
                value = str(_("Le dénominateur %(n)s")) % {"n": value}
        reasons.append(
            str(REVIEW_REASONS[ReviewFlag(code)])
            % {"value": value, "reference": reference, "factor": OUTLIER_FACTOR}
        )
    return reasons


class MeasurementRollup(models.Model):
    """Validated measurements of one project indicator summed per year, kept in step by the services.

    The dashboard reads this table (a few thousand rows) instead of aggregating millions of measurements.
    `is_current` marks the most recent year of each project indicator so "latest value" figures over all
    years are a plain SUM.
    """

    project_indicator = models.ForeignKey(ProjectIndicator, on_delete=models.CASCADE, related_name="rollups")
    # Denormalised so the dashboard groups by indicator and filters by project without joins on measurements.
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    count = models.PositiveIntegerField(default=0)
    value_sum = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    value_count = models.PositiveIntegerField(default=0)
    numerator_sum = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    denominator_sum = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    latest_period_end = models.DateField(null=True)
    latest_value = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    latest_numerator = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    latest_denominator = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    is_current = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("cumul annuel des mesures")
        verbose_name_plural = _("cumuls annuels des mesures")
        constraints = [
            models.UniqueConstraint(fields=["project_indicator", "year"], name="unique_rollup_year"),
        ]
        indexes = [
            models.Index(fields=["indicator", "year"]),
            models.Index(fields=["indicator", "is_current"]),
        ]

    def __str__(self) -> str:
        return f"{self.project_indicator_id} / {self.year}"
