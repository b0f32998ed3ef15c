from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from programme.access import OwnOrganisation, TeamOnly
from programme.formatting import fr_date

if TYPE_CHECKING:
    from programme.models import Cohort


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


#: Position of each stage along the pipeline; the funnel counts a prospect in every stage up to the
#: furthest it reached (`Prospect.furthest_rank`). Off-pipeline outcomes keep the rank already reached.
STAGE_RANK: dict[str, int] = {
    Stage.IDENTIFIED: 0,
    Stage.CONTACTED: 1,
    Stage.INTERESTED: 2,
    Stage.INTERVIEW_PLANNED: 3,
    Stage.PREQUALIFIED: 4,
    Stage.CANDIDATE: 5,
    Stage.RETAINED: 6,
}


class Source(models.TextChoices):
    WATCH = "watch", _("Veille")
    EVENT = "event", _("Événement")
    NETWORK = "network", _("Réseau")
    RECOMMENDATION = "recommendation", _("Recommandation")
    SPONTANEOUS = "spontaneous", _("Candidature spontanée")
    IMPORT = "import", _("Import")
    CALL = "call", _("Appel à candidatures")


class Audience(models.TextChoices):
    """The same three families as programme.Family: who the programme reaches."""

    ESS = "ess", _("Acteur ESS")
    COMPANY = "company", _("Entreprise")
    PUBLIC = "public", _("Acteur public")


class Prospect(models.Model):
    """An organisation under consideration for a programme (one organisation can come back in a later
    programme: one prospect per programme and organisation)."""

    programme = models.ForeignKey(
        "programme.Programme", verbose_name=_("programme"), on_delete=models.CASCADE, related_name="prospects"
    )
    organisation = models.ForeignKey(
        "programme.Organisation",
        verbose_name=_("structure"),
        on_delete=models.PROTECT,
        related_name="prospects",
    )
    cohort = models.ForeignKey(
        "programme.Cohort",
        verbose_name=_("promotion visée"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="prospects",
    )
    stage = models.CharField(
        _("étape"), max_length=20, choices=Stage.choices, default=Stage.IDENTIFIED, db_index=True
    )
    furthest_rank = models.PositiveSmallIntegerField(_("étape la plus avancée atteinte"), default=0)
    discard_reason = models.CharField(_("motif de l’écart"), max_length=255, blank=True)
    stage_changed_at = models.DateTimeField(_("étape changée le"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.WATCH)
    audience = models.CharField(_("public"), max_length=10, choices=Audience.choices, default=Audience.ESS)
    themes = models.ManyToManyField(
        "programme.Theme", verbose_name=_("thématiques"), blank=True, related_name="prospects"
    )
    territory = models.ForeignKey(
        "programme.Territory",
        verbose_name=_("territoire"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="prospects",
    )
    project_idea = models.CharField(_("idée de projet"), max_length=200, blank=True)
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
    notes = models.TextField(_("notes internes"), blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = TeamOnly()

    # Not columns: set on the prospects selectors.committee_candidates returns (declared for type checking).
    summary_interview: "Interview | None"
    cohort_decision: "SelectionDecision | None"

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("prospect")
        verbose_name_plural = _("prospects")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "organisation"], name="unique_prospect_per_programme"
            ),
            models.CheckConstraint(
                condition=~Q(stage="discarded") | ~Q(discard_reason=""), name="prospect_discard_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["programme", "stage"])]

    def __str__(self) -> str:
        return str(self.organisation)

    def get_absolute_url(self) -> str:
        return reverse("prospects:prospect.detail", args=[self.pk])


class StageChange(models.Model):
    """Who moved a prospect from which stage to which, and when (the stage history)."""

    prospect = models.ForeignKey(
        Prospect, verbose_name=_("prospect"), on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.CharField(_("de"), max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("vers"), max_length=20, choices=Stage.choices)
    reason = models.CharField(_("motif"), max_length=255, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("le"), auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("changement d’étape")
        verbose_name_plural = _("changements d’étape")

    def __str__(self) -> str:
        return f"{self.prospect_id}: {self.from_stage} → {self.to_stage}"


class ExchangeKind(models.TextChoices):
    CALL = "call", _("Appel")
    EMAIL = "email", _("E-mail")
    MEETING = "meeting", _("Rendez-vous")
    VISIT = "visit", _("Visite")
    EVENT = "event", _("Événement")
    MESSAGE = "message", _("Message")


class Exchange(models.Model):
    """A touchpoint with a structure (« échange »): call, e-mail, meeting, visit, event or message, with what
    came of it and the next action. Logged on an organisation; optionally tied to one of its contacts, to its
    prospect record (whose next action follows the exchange's) and to projects (`Project.exchanges`, declared
    in projects: this app never names a higher one). Before #15 these were prospect « interactions »; the
    migrations kept every row and gave each its prospect's organisation."""

    organisation = models.ForeignKey(
        "programme.Organisation",
        verbose_name=_("structure"),
        on_delete=models.CASCADE,
        related_name="exchanges",
    )
    contact = models.ForeignKey(
        "programme.Person",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="exchanges",
    )
    prospect = models.ForeignKey(
        Prospect,
        verbose_name=_("prospect"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="exchanges",
    )
    kind = models.CharField(_("type"), max_length=10, choices=ExchangeKind.choices)
    date = models.DateField(_("date"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    event = models.ForeignKey(
        "prospects.Event",
        verbose_name=_("événement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="exchanges",
    )
    subject = models.CharField(_("objet"), max_length=255, blank=True)
    summary = models.TextField(_("résumé"))
    outcome = models.CharField(_("résultat"), max_length=255, blank=True)
    next_action = models.CharField(_("prochaine action"), max_length=255, blank=True)
    next_action_date = models.DateField(_("date de la prochaine action"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsable de la prochaine action"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_exchanges",
    )
    next_action_done_on = models.DateField(_("prochaine action faite le"), null=True, blank=True)
    shared = models.BooleanField(
        _("visible par la structure"),
        default=False,
        help_text=_("Les comptes partenaires de la structure voient cet échange dans leur portail."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Who may read these rows: the team all; a partner the exchanges of their own structure marked shared.
    access_rule = OwnOrganisation(path="organisation", partner_q=Q(shared=True))

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("échange")
        verbose_name_plural = _("échanges")
        indexes = [
            models.Index(fields=["prospect", "-date"]),
            models.Index(fields=["organisation", "-date"]),
            models.Index(
                fields=["owner", "next_action_date"],
                condition=Q(next_action_done_on__isnull=True) & Q(next_action_date__isnull=False),
                name="exchange_open_next_action",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {fr_date(self.date)}"

    @property
    def next_action_open(self) -> bool:
        return bool(self.next_action or self.next_action_date) and self.next_action_done_on is None


class ScoringGrid(models.Model):
    """A programme's interview grid, versioned: a change makes a new version, interviews keep theirs."""

    programme = models.ForeignKey(
        "programme.Programme",
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="scoring_grids",
    )
    version = models.PositiveSmallIntegerField(_("version"))
    name = models.CharField(_("nom"), max_length=200, default=_("Grille de pré-qualification"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = TeamOnly()

    class Meta:
        ordering = ["programme", "-version"]
        verbose_name = _("grille d’évaluation")
        verbose_name_plural = _("grilles d’évaluation")
        constraints = [
            models.UniqueConstraint(fields=["programme", "version"], name="unique_grid_version"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


class Criterion(models.Model):
    grid = models.ForeignKey(
        ScoringGrid, verbose_name=_("grille"), on_delete=models.CASCADE, related_name="criteria"
    )
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    label = models.CharField(_("critère"), max_length=200)
    weight = models.PositiveSmallIntegerField(_("poids"), default=1)
    level_0 = models.CharField(_("0 — descripteur"), max_length=255)
    level_1 = models.CharField(_("1 — descripteur"), max_length=255)
    level_2 = models.CharField(_("2 — descripteur"), max_length=255)
    level_3 = models.CharField(_("3 — descripteur"), max_length=255)

    class Meta:
        ordering = ["grid", "position", "id"]
        verbose_name = _("critère")
        verbose_name_plural = _("critères")
        constraints = [models.CheckConstraint(condition=Q(weight__gte=1), name="criterion_weight_positive")]

    def __str__(self) -> str:
        return self.label

    def levels(self) -> list[tuple[int, str]]:
        return [(0, self.level_0), (1, self.level_1), (2, self.level_2), (3, self.level_3)]


class InterviewStatus(models.TextChoices):
    PLANNED = "planned", _("Planifié")
    COMPLETED = "completed", _("Terminé")
    CANCELLED = "cancelled", _("Annulé")


class Recommendation(models.TextChoices):
    PROPOSE = "propose", _("Proposer à la sélection")
    REVIEW = "review", _("À revoir")
    REJECT = "reject", _("Ne pas retenir")


class Interview(models.Model):
    """A pre-qualification interview, scored on the grid version it was planned with."""

    prospect = models.ForeignKey(
        Prospect, verbose_name=_("prospect"), on_delete=models.CASCADE, related_name="interviews"
    )
    grid = models.ForeignKey(
        ScoringGrid, verbose_name=_("grille"), on_delete=models.PROTECT, related_name="interviews"
    )
    scheduled_at = models.DateTimeField(_("date et heure"))
    place = models.CharField(_("lieu"), max_length=200, blank=True)
    remote = models.BooleanField(_("en visio"), default=False)
    interviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("intervieweurs"), related_name="interviews"
    )
    contacts = models.ManyToManyField(
        "programme.Person", verbose_name=_("contacts rencontrés"), blank=True, related_name="interviews"
    )
    status = models.CharField(
        _("statut"), max_length=10, choices=InterviewStatus.choices, default=InterviewStatus.PLANNED
    )
    # Denormalised by the scoring service so lists and the committee page rank without aggregating.
    weighted_score = models.DecimalField(
        _("score pondéré (sur 3)"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    score_spread = models.DecimalField(
        _("écart entre intervieweurs"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    recommendation = models.CharField(
        _("recommandation"), max_length=10, choices=Recommendation.choices, blank=True
    )
    rationale = models.TextField(_("justification"), blank=True)
    completed_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = TeamOnly()

    class Meta:
        ordering = ["-scheduled_at"]
        verbose_name = _("entretien de pré-qualification")
        verbose_name_plural = _("entretiens de pré-qualification")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="completed") | (~Q(recommendation="") & ~Q(rationale="")),
                name="interview_completed_has_recommendation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.prospect} — {fr_date(self.scheduled_at)}"

    def get_absolute_url(self) -> str:
        return reverse("prospects:interview.detail", args=[self.pk])


class Score(models.Model):
    interview = models.ForeignKey(
        Interview, verbose_name=_("entretien"), on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("critère"), on_delete=models.PROTECT, related_name="scores"
    )
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("intervieweur"), on_delete=models.PROTECT, related_name="+"
    )
    value = models.PositiveSmallIntegerField(_("note (0 à 3)"))
    comment = models.TextField(_("commentaire"), blank=True)

    class Meta:
        ordering = ["criterion__position", "interviewer_id"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "criterion", "interviewer"], name="one_score_per_criterion_interviewer"
            ),
            models.CheckConstraint(condition=Q(value__lte=3), name="score_between_0_and_3"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.value}"


class Decision(models.TextChoices):
    RETAINED = "retained", _("Retenu")
    WAITING_LIST = "waiting_list", _("Liste d’attente")
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

    @classmethod
    def retained_in(cls, cohort: "Cohort") -> int:
        """The places a cohort's committee has filled: its « Retenu » decisions, which its capacity bounds."""
        return cls.objects.filter(cohort=cohort, decision=Decision.RETAINED).count()


class SelectionNotice(models.Model):
    """One row per e-mail sent about a selection decision: the notification task claims it first, so a
    retried task never e-mails the same contact twice."""

    decision = models.ForeignKey(SelectionDecision, on_delete=models.CASCADE, related_name="notices")
    email = models.EmailField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("notification de sélection")
        verbose_name_plural = _("notifications de sélection")
        constraints = [
            models.UniqueConstraint(fields=["decision", "email"], name="one_selection_notice_per_email")
        ]

    def __str__(self) -> str:
        return f"{self.decision_id} → {self.email}"


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("En attente de confirmation")
    QUEUED = "queued", _("En file d’attente")
    RUNNING = "running", _("Import en cours")
    IMPORTED = "imported", _("Importé")
    FAILED = "failed", _("Échec : rien n’a été importé")
    CANCELLED = "cancelled", _("Abandonné")


class ImportFile(models.Model):
    """An uploaded watch spreadsheet, kept in private storage between the preview and the confirmation,
    and the record of what its import created. Only its uploader can preview and confirm it."""

    token = models.CharField(max_length=43, unique=True, editable=False)
    programme = models.ForeignKey(
        "programme.Programme", verbose_name=_("programme"), on_delete=models.CASCADE, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("déposé par"), on_delete=models.CASCADE, related_name="+"
    )
    file_name = models.CharField(_("nom du fichier"), max_length=255)
    path = models.CharField(max_length=255, editable=False)
    size = models.PositiveIntegerField(_("taille (octets)"))
    sha256 = models.CharField(max_length=64, editable=False)
    mapping = models.JSONField(_("correspondance des colonnes"), default=dict, blank=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    skip_invalid = models.BooleanField(_("lignes invalides ignorées"), default=False)
    row_count = models.PositiveIntegerField(_("lignes"), default=0)
    created_count = models.PositiveIntegerField(_("prospects créés"), default=0)
    duplicate_count = models.PositiveIntegerField(_("doublons"), default=0)
    invalid_count = models.PositiveIntegerField(_("lignes invalides"), default=0)
    #: How far a running import is, in percent (written by `services.import_run` as its rows are checked).
    progress = models.PositiveSmallIntegerField(_("avancement (%)"), default=0)
    error = models.TextField(_("erreur"), blank=True)
    created_at = models.DateTimeField(_("déposé le"), auto_now_add=True)
    imported_at = models.DateTimeField(_("importé le"), null=True, blank=True)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = TeamOnly()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("fichier importé")
        verbose_name_plural = _("fichiers importés")

    def __str__(self) -> str:
        return self.file_name

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.IMPORTED, ImportStatus.FAILED, ImportStatus.CANCELLED)


# --- Calls for applications (a package of this app: prospects/calls/) ----------------------------------
from .calls.models import Answer, Application, Call, Question  # noqa: E402, F401

# --- Events and trainings (a package of this app: prospects/events/) ----------------------------------------
from .events.models import (  # noqa: E402, F401
    Event,
    EventAttachment,
    EventKind,
    EventPartner,
    Registration,
    Sequence,
    SequenceAttendance,
    SurveyAnswer,
    TrainingModule,
)

# --- The SIRENE register and its radar (a package of this app: prospects/sirene/) ----------------------
from .sirene.models import (  # noqa: E402, F401
    RegisterEstablishment,
    RegisterImport,
    RegisterUnit,
    SavedSearch,
)
