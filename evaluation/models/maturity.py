"""Cooperative maturity: the collective's self-assessment, scored 1–4 per dimension at phase start and end.

Which moments are due follows the project's phase periods (`maturity_moments`): a gate decision is a
projects' service and projects never imports evaluation, so instead of being told of the move, evaluation
reads the periods it leaves behind. Entering a phase makes its start-of-phase assessment due; closing it
makes its end-of-phase assessment due, and that one stays due — after the move — until it is filled or
the team waives it with a reason.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from programme.access import ThroughProject
from programme.formatting import fr_date
from programme.models import Role
from projects.models import Phase, PhasePeriod


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
        _("Pas d’instance commune : les décisions se prennent au fil de l’eau."),
        _("Des réunions existent, les rôles restent flous."),
        _("Instances et rôles définis, décisions tracées."),
        _("Gouvernance partagée, formalisée et respectée par tous."),
    ),
    Dimension.TRUST: (
        _("Peu d’échanges en dehors des ateliers."),
        _("Échanges réguliers mais surtout descendants."),
        _("Information circulante, désaccords exprimés et traités."),
        _("Confiance forte : les difficultés se disent et se règlent ensemble."),
    ),
    Dimension.SHARED_RESOURCES: (
        _("Aucune ressource mise en commun."),
        _("Mises à disposition ponctuelles (salle, matériel)."),
        _("Ressources humaines ou financières engagées par plusieurs membres."),
        _("Moyens communs pérennes (poste partagé, budget commun)."),
    ),
    Dimension.CAPACITY: (
        _("Le collectif dépend de l’équipe d’accompagnement."),
        _("Le collectif mène des actions simples avec appui."),
        _("Le collectif pilote ses actions et en rend compte."),
        _("Le collectif agit en autonomie et mobilise de nouveaux acteurs."),
    ),
}


class Moment(models.TextChoices):
    START = "start", _("Début de phase")
    END = "end", _("Fin de phase")


#: The phases whose collective assesses its cooperative maturity (Sélection is too early, the closed
#: states have no phase to assess).
ASSESSED_PHASES = (Phase.EMERGENCE, Phase.EXPERIMENTATION, Phase.DEPLOYMENT)


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
    # A moment the team decided not to assess (the collective dissolved, the workshop could not be held…):
    # no scores, who and why. Written by maturity_moment_waive only.
    waived_at = models.DateTimeField(_("dispensée le"), null=True, blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dispensée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    waiver_reason = models.TextField(_("motif de la dispense"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = ThroughProject()
    portal_rule = access_rule

    # Not a column: whether it holds scores, where a read annotates it (the portal's page, `maturity_moments`).
    scored: bool

    class Meta:
        ordering = ["project", "assessed_on"]
        verbose_name = _("maturité coopérative")
        verbose_name_plural = _("maturités coopératives")
        constraints = [
            models.UniqueConstraint(fields=["project", "phase", "moment"], name="one_assessment_per_moment"),
            models.CheckConstraint(
                condition=Q(waived_at__isnull=True, waiver_reason="")
                | (Q(waived_at__isnull=False) & ~Q(waiver_reason="")),
                name="maturity_waiver_has_reason",
            ),
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
        return f"{self.get_dimension_display()} : {self.score}"


class MomentState(models.TextChoices):
    # The end of the phase under way, before its gate decision: the team may open it early, fill or waive it.
    UPCOMING = "upcoming", _("À venir")
    TO_FILL = "to_fill", _("À remplir")
    FILLED = "filled", _("Renseignée")
    WAIVED = "waived", _("Dispensée")
    # A start-of-phase assessment nobody filled before the phase ended: too late to be a starting point.
    MISSED = "missed", _("Non renseignée")


@dataclass(frozen=True)
class MaturityMoment:
    """One self-assessment a project owes (or owed, or will owe at the end of the phase under way): its
    phase and moment, since when it is due (for an upcoming one: the phase's planned end), its state, its
    row if any, and whether the collective may fill (or revise) it in the portal."""

    phase: str
    moment: str
    due_since: date
    state: str
    assessment: MaturityAssessment | None
    open_to_partners: bool

    @property
    def phase_label(self) -> str | Promise:
        return Phase(self.phase).label

    @property
    def moment_label(self) -> str | Promise:
        return Moment(self.moment).label

    @property
    def pending(self) -> bool:
        """Still owed: to fill, neither filled nor waived."""
        return self.state == MomentState.TO_FILL

    @property
    def settled(self) -> bool:
        """Filled or waived: nothing more to do."""
        return self.state in (MomentState.FILLED, MomentState.WAIVED)


def _scored(assessment: MaturityAssessment) -> bool:
    """Whether the assessment holds scores: `scored` when read with it (an annotation), else its
    prefetched scores."""
    scored = getattr(assessment, "scored", None)
    return bool(list(assessment.scores.all())) if scored is None else scored  # `.all()`: the prefetched list


def maturity_moments(
    *, phase: str, periods: Iterable[PhasePeriod], assessments: Iterable[MaturityAssessment]
) -> list[MaturityMoment]:
    """The project's maturity moments, derived from its phase periods (`phase` is the project's current
    phase): the start of every assessed phase it entered, the end of every one it left, any moment the
    team opened early (an end-of-phase assessment before the gate), and the end of the phase under way
    as "upcoming". Oldest first.

    Pass the assessments with their `scores` prefetched (or annotated `scored`) and `assessed_by` read
    with them: no query is made here."""
    rows = {(a.phase, a.moment): a for a in assessments}
    started = sorted(
        (p for p in periods if p.phase in ASSESSED_PHASES and p.actual_start is not None),
        key=lambda p: p.actual_start or date.min,
    )
    closed = [p for p in started if p.actual_end is not None]
    last_closed = max(closed, key=lambda p: p.actual_end or date.min) if closed else None
    by_phase = {p.phase: p for p in started}
    due: dict[tuple[str, str], date] = {}
    for period in started:
        assert period.actual_start is not None  # filtered above
        due[(period.phase, Moment.START)] = period.actual_start
        if period.actual_end is not None:
            due[(period.phase, Moment.END)] = period.actual_end
        elif (period.phase, Moment.END) not in rows:
            # Deployment has no planned end: its end is listed from the phase's start.
            due[(period.phase, Moment.END)] = period.planned_end or period.actual_start
    for key, assessment in rows.items():
        due.setdefault(key, assessment.assessed_on)  # opened by the team, or recorded without a period
    moments = []
    # Oldest first; on a gate's day, the closing phase's end before the next phase's start.
    for (moment_phase, moment), since in sorted(
        due.items(), key=lambda item: (item[1], Phase.values.index(item[0][0]), item[0][1] == Moment.END)
    ):
        row = rows.get((moment_phase, moment))
        phase_period = by_phase.get(moment_phase)
        phase_open = phase_period.actual_end is None if phase_period else moment_phase == phase
        filled = row is not None and _scored(row)
        if row is not None and row.waived_at is not None:
            state = MomentState.WAIVED
        elif filled:
            state = MomentState.FILLED
        elif moment == Moment.START and not phase_open:
            state = MomentState.MISSED
        elif moment == Moment.END and phase_open and row is None:
            state = MomentState.UPCOMING
        else:
            state = MomentState.TO_FILL
        # A partner may revise what the collective filled while the moment is current: a start while its
        # phase runs, an end while its phase runs or until the next phase closes. Once the team fills it
        # itself, it is final.
        current = phase_open or (
            moment == Moment.END and phase_period is not None and phase_period is last_closed
        )
        by_partner = row is not None and row.assessed_by is not None and row.assessed_by.role == Role.PARTNER
        moments.append(
            MaturityMoment(
                phase=moment_phase,
                moment=moment,
                due_since=since,
                state=state,
                assessment=row,
                open_to_partners=state == MomentState.TO_FILL
                or (state == MomentState.FILLED and by_partner and current),
            )
        )
    return moments


def assessed_on_refusal(*, period: PhasePeriod | None, moment: str, assessed_on: date) -> str | None:
    """Why this date cannot be the date of the phase's start or end assessment, or None. A moment sits
    inside its phase: not before the phase started, and a start-of-phase one not after it ended (an
    end-of-phase one may be filled after the gate decision: it stays open until filled or waived)."""
    if period is None or period.actual_start is None:
        return None
    if assessed_on < period.actual_start:
        return str(
            _("La phase n’a commencé que le %(date)s : l’auto-évaluation ne peut pas la précéder.")
            % {"date": fr_date(period.actual_start)}
        )
    if moment == Moment.START and period.actual_end is not None and assessed_on > period.actual_end:
        return str(
            _(
                "La phase s’est terminée le %(date)s : une auto-évaluation de début de phase ne peut pas la suivre."
            )
            % {"date": fr_date(period.actual_end)}
        )
    return None
