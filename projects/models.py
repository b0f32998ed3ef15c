"""Project steering: projects and their collectives, the phase pipeline, workshops, governance, deployment,
milestones and deliverables, private documents and the reminder log.

State changes go through `projects.services`; these models only hold data and the invariants the
database can enforce (constraints)."""

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programme.access import NOTHING, ThroughProject
from programme.formatting import fr_date


class Phase(models.TextChoices):
    SELECTION = "selection", _("Sélection")
    EMERGENCE = "emergence", _("Émergence")
    EXPERIMENTATION = "experimentation", _("Expérimentation")
    DEPLOYMENT = "deployment", _("Déploiement")
    STOPPED = "stopped", _("Arrêté")
    COMPLETED = "completed", _("Terminé")


class Project(models.Model):
    """A project carried by a collective. Minimal here; the project-steering work extends it."""

    programme = models.ForeignKey(
        "programme.Programme",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="projects",
    )
    cohort = models.ForeignKey(
        "programme.Cohort",
        verbose_name=_("promotion"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
    )
    title = models.CharField(_("titre"), max_length=200)
    problem = models.TextField(_("problème adressé"), blank=True)
    themes = models.ManyToManyField(
        "programme.Theme", verbose_name=_("thématiques"), blank=True, related_name="projects"
    )
    territory = models.ForeignKey(
        "programme.Territory",
        verbose_name=_("territoire"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
    )
    staff_leads = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chargé·es de projet"),
        blank=True,
        related_name="steered_projects",
    )
    start_date = models.DateField(_("début de l’accompagnement"), null=True, blank=True)
    lead_organisation = models.ForeignKey(
        "programme.Organisation",
        verbose_name=_("structure porteuse"),
        on_delete=models.PROTECT,
        related_name="led_projects",
    )
    phase = models.CharField(
        _("phase"), max_length=20, choices=Phase.choices, default=Phase.SELECTION, db_index=True
    )
    selection_decision = models.OneToOneField(
        "prospects.SelectionDecision",
        verbose_name=_("décision de sélection"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="project",
    )
    # The exchanges with the collective's structures about this project (prospects.Exchange lives below
    # projects, so the tie is declared here).
    exchanges = models.ManyToManyField(
        "prospects.Exchange", verbose_name=_("échanges"), blank=True, related_name="projects"
    )
    # Bumped by every gate decision: a decision taken from a stale page is refused (optimistic check
    # on top of the row lock), so two people deciding at once cannot both win.
    phase_version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = ThroughProject(path="pk")

    class Meta:
        ordering = ["title"]
        verbose_name = _("projet")
        verbose_name_plural = _("projets")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:project.detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.phase in ACTIVE_PHASES


class MemberRole(models.TextChoices):
    LEAD = "lead", _("Porteur")
    PARTNER = "partner", _("Partenaire")
    FUNDER = "funder", _("Financeur")
    LOCAL_AUTHORITY = "local_authority", _("Collectivité")
    BENEFICIARY = "beneficiary", _("Bénéficiaire représenté")
    OTHER = "other", _("Autre")


class Membership(models.Model):
    """A member organisation (and optionally a person) of a project's collective."""

    project = models.ForeignKey(
        Project, verbose_name=_("projet"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        "programme.Organisation",
        verbose_name=_("structure"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    person = models.ForeignKey(
        "programme.Person",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="memberships",
    )
    role = models.CharField(_("rôle"), max_length=20, choices=MemberRole.choices)
    joined_on = models.DateField(_("entrée le"), null=True, blank=True)
    left_on = models.DateField(_("sortie le"), null=True, blank=True, db_index=True)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = ThroughProject()

    class Meta:
        ordering = ["project", "role", "organisation__name"]
        verbose_name = _("membre du collectif")
        verbose_name_plural = _("membres du collectif")
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True)
                | Q(joined_on__isnull=True)
                | Q(left_on__gte=models.F("joined_on")),
                name="membership_dates_ordered",
            ),
            # A structure (as such, or through one of its people) is in a collective once at a time: one
            # open membership per structure and per person (several people of one structure are
            # several members; one that left may come back, its past membership closed). Overlapping
            # dated periods are refused by `services.membership_save`, under the project's lock.
            models.UniqueConstraint(
                fields=["project", "organisation"],
                condition=Q(left_on__isnull=True, person__isnull=True),
                name="unique_open_membership",
                violation_error_message=_("Cette structure fait déjà partie du collectif."),
            ),
            models.UniqueConstraint(
                fields=["project", "organisation", "person"],
                condition=Q(left_on__isnull=True, person__isnull=False),
                name="unique_open_membership_person",
                violation_error_message=_("Ce contact fait déjà partie du collectif pour cette structure."),
            ),
        ]
        indexes = [models.Index(fields=["organisation", "left_on"])]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.project}"


#: Phases in which a project is being accompanied (a gate decision can be taken).
ACTIVE_PHASES = (Phase.SELECTION, Phase.EMERGENCE, Phase.EXPERIMENTATION, Phase.DEPLOYMENT)
#: The fixed path of the pipeline: each active phase's "poursuite" leads to the next one.
NEXT_PHASE: dict[str, str] = {
    Phase.SELECTION: Phase.EMERGENCE,
    Phase.EMERGENCE: Phase.EXPERIMENTATION,
    Phase.EXPERIMENTATION: Phase.DEPLOYMENT,
    Phase.DEPLOYMENT: Phase.COMPLETED,
}


class Engagement(models.TextChoices):
    UNAWARE = "unaware", _("Non informé")
    RESISTANT = "resistant", _("Réticent")
    NEUTRAL = "neutral", _("Neutre")
    SUPPORTIVE = "supportive", _("Favorable")
    LEADING = "leading", _("Moteur")


LEVELS = [(1, _("Faible")), (2, _("Moyen")), (3, _("Fort"))]


class Stakeholder(models.Model):
    """An actor of the project's ecosystem on the stakeholder map (influence × interest, engagement)."""

    project = models.ForeignKey(
        Project, verbose_name=_("projet"), on_delete=models.CASCADE, related_name="stakeholders"
    )
    name = models.CharField(_("acteur"), max_length=200)
    organisation = models.ForeignKey(
        "programme.Organisation",
        verbose_name=_("structure"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    influence = models.PositiveSmallIntegerField(_("influence"), choices=LEVELS, default=2)
    interest = models.PositiveSmallIntegerField(_("intérêt"), choices=LEVELS, default=2)
    engagement = models.CharField(
        _("engagement"), max_length=12, choices=Engagement.choices, default=Engagement.NEUTRAL
    )
    notes = models.TextField(_("notes"), blank=True)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = ThroughProject()

    class Meta:
        ordering = ["-influence", "-interest", "name"]
        verbose_name = _("partie prenante")
        verbose_name_plural = _("parties prenantes")
        constraints = [
            models.CheckConstraint(
                condition=Q(influence__gte=1, influence__lte=3, interest__gte=1, interest__lte=3),
                name="stakeholder_levels_in_range",
            )
        ]

    def __str__(self) -> str:
        return self.name


class PhasePeriod(models.Model):
    """A project's stay in one phase: planned dates (from the programme's durations) and actual dates."""

    project = models.ForeignKey(
        Project, verbose_name=_("projet"), on_delete=models.CASCADE, related_name="phase_periods"
    )
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    planned_start = models.DateField(_("début prévu"))
    # Open-ended phases (déploiement) have no planned end.
    planned_end = models.DateField(_("fin prévue"), null=True, blank=True)
    actual_start = models.DateField(_("début effectif"), null=True, blank=True)
    actual_end = models.DateField(_("fin effective"), null=True, blank=True)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = ThroughProject()

    class Meta:
        ordering = ["project", "planned_start"]
        verbose_name = _("période de phase")
        verbose_name_plural = _("périodes de phase")
        constraints = [
            models.UniqueConstraint(fields=["project", "phase"], name="one_period_per_phase"),
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True) | Q(planned_end__gte=models.F("planned_start")),
                name="phase_period_planned_ordered",
            ),
            models.CheckConstraint(
                condition=Q(actual_end__isnull=True)
                | Q(actual_start__isnull=True)
                | Q(actual_end__gte=models.F("actual_start")),
                name="phase_period_actual_ordered",
            ),
        ]
        # The reminder scan and the "late" filter look for open periods by planned end.
        indexes = [
            models.Index(
                fields=["planned_end"], condition=Q(actual_end__isnull=True), name="open_period_end_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project} — {self.get_phase_display()}"

    @property
    def is_open(self) -> bool:
        return self.actual_end is None

    def is_late(self, today: date | None = None) -> bool:
        """The phase passed its planned end and no gate decision closed it: "en retard de décision"."""
        today = today or timezone.localdate()
        return self.actual_end is None and self.planned_end is not None and self.planned_end < today


class Outcome(models.TextChoices):
    CONTINUE = "continue", _("Poursuite")
    STOP = "stop", _("Arrêt")
    EXTEND = "extend", _("Prolongation")


class GateDecision(models.Model):
    """A recorded move of the pipeline (or extension of the current phase). Written by project_move only."""

    project = models.ForeignKey(
        Project, verbose_name=_("projet"), on_delete=models.CASCADE, related_name="gate_decisions"
    )
    from_phase = models.CharField(_("phase de départ"), max_length=20, choices=Phase.choices)
    to_phase = models.CharField(_("phase d’arrivée"), max_length=20, choices=Phase.choices)
    outcome = models.CharField(_("décision"), max_length=10, choices=Outcome.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("décidé par"), on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField(_("date de la décision"))
    committee = models.CharField(_("instance de décision"), max_length=200)
    rationale = models.TextField(_("motivation"))
    conditions = models.TextField(_("conditions"), blank=True)
    # For an extension: the new planned end of the current phase.
    new_planned_end = models.DateField(_("nouvelle fin prévue"), null=True, blank=True)
    created_at = models.DateTimeField(_("enregistrée le"), auto_now_add=True)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = ThroughProject()

    class Meta:
        ordering = ["project", "-decided_on", "-id"]
        verbose_name = _("décision d’étape")
        verbose_name_plural = _("décisions d’étape")
        constraints = [
            models.CheckConstraint(condition=~Q(rationale=""), name="gate_rationale_required"),
            models.CheckConstraint(condition=~Q(committee=""), name="gate_committee_required"),
            models.CheckConstraint(
                condition=~Q(outcome="extend")
                | Q(new_planned_end__isnull=False, to_phase=models.F("from_phase")),
                name="gate_extension_has_new_end",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="stop") | Q(to_phase="stopped"), name="gate_stop_goes_to_stopped"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} — {self.get_outcome_display()} ({fr_date(self.decided_on)})"


# --- Émergence: workshops -------------------------------------------------------------------------


class DesignStep(models.TextChoices):
    NEEDS = "needs", _("Analyse des besoins")
    IDEATION = "ideation", _("Idéation")
    DESIGN = "design", _("Conception")
    PROTOTYPING = "prototyping", _("Prototypage")
    TEST = "test", _("Test")


class Workshop(models.Model):
    """An atelier of the collective (design thinking), with attendance, minutes and outputs."""

    project = models.ForeignKey(
        Project, verbose_name=_("projet"), on_delete=models.CASCADE, related_name="workshops"
    )
    title = models.CharField(_("intitulé"), max_length=200)
    step = models.CharField(_("étape"), max_length=12, choices=DesignStep.choices)
    starts_at = models.DateTimeField(_("date et heure"), db_index=True)
    duration_minutes = models.PositiveSmallIntegerField(_("durée (minutes)"), default=180)
    place = models.CharField(_("lieu"), max_length=200, blank=True)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("animation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="facilitated_workshops",
    )
    agenda = models.TextField(_("ordre du jour"), blank=True)
    minutes = models.TextField(_("compte-rendu"), blank=True)
    outputs = models.TextField(_("productions"), blank=True)
    shared_with_collective = models.BooleanField(_("partagé avec le collectif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = ThroughProject(shared_field="shared_with_collective")

    class Meta:
        ordering = ["project", "-starts_at"]
        verbose_name = _("atelier")
        verbose_name_plural = _("ateliers")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:workshop.detail", args=[self.pk])


class Attendance(models.Model):
    workshop = models.ForeignKey(
        Workshop, verbose_name=_("atelier"), on_delete=models.CASCADE, related_name="attendances"
    )
    person = models.ForeignKey(
        "programme.Person", verbose_name=_("participant·e"), on_delete=models.CASCADE, related_name="+"
    )
    invited = models.BooleanField(_("invité·e"), default=True)
    present = models.BooleanField(_("présent·e"), default=False)

    class Meta:
        ordering = ["workshop", "person__last_name"]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(fields=["workshop", "person"], name="one_attendance_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.workshop}"


class ItemKind(models.TextChoices):
    NEED = "need", _("Besoin")
    IDEA = "idea", _("Idée")
    PROTOTYPE = "prototype", _("Prototype")


class WorkshopItem(models.Model):
    """A need, idea or prototype produced by a workshop; an idea answers a need, a prototype an idea."""

    audit_name = "design_item"  # the prefix of its audit actions (read by the history pages)

    project = models.ForeignKey(
        Project, verbose_name=_("projet"), on_delete=models.CASCADE, related_name="design_items"
    )
    workshop = models.ForeignKey(
        Workshop,
        verbose_name=_("atelier d’origine"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="items",
    )
    kind = models.CharField(_("nature"), max_length=10, choices=ItemKind.choices)
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    answers = models.ForeignKey(
        "self",
        verbose_name=_("répond à"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="answered_by",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = ThroughProject()

    class Meta:
        ordering = ["project", "kind", "title"]
        verbose_name = _("besoin, idée ou prototype")
        verbose_name_plural = _("besoins, idées et prototypes")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} : {self.title}"


# --- Expérimentation: governance ------------------------------------------------------------------


class CommitteeKind(models.TextChoices):
    COPIL = "copil", _("COPIL")
    COTECH = "cotech", _("COTECH")
    OPERATIONAL = "operational", _("Réunion opérationnelle")


class Committee(models.Model):
    project = models.ForeignKey(
        Project, verbose_name=_("projet"), on_delete=models.CASCADE, related_name="committees"
    )
    kind = models.CharField(_("instance"), max_length=12, choices=CommitteeKind.choices)
    date = models.DateField(_("date"), db_index=True)
    place = models.CharField(_("lieu"), max_length=200, blank=True)
    attendees = models.ManyToManyField(
        "programme.Person", verbose_name=_("participant·es"), blank=True, related_name="+"
    )
    staff_attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("équipe présente"), blank=True, related_name="+"
    )
    agenda = models.TextField(_("ordre du jour"), blank=True)
    minutes = models.TextField(_("compte-rendu"), blank=True)
    shared_with_collective = models.BooleanField(_("partagé avec le collectif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = ThroughProject(shared_field="shared_with_collective")

    class Meta:
        ordering = ["project", "-date"]
        verbose_name = _("comité")
        verbose_name_plural = _("comités")

    def __str__(self) -> str:
        return _("%(kind)s du %(date)s") % {"kind": self.get_kind_display(), "date": fr_date(self.date)}

    def get_absolute_url(self) -> str:
        return reverse("projects:committee.detail", args=[self.pk])


class CommitteeDecision(models.Model):
    audit_name = "committee_decision"  # the prefix of its audit actions (read by the history pages)

    committee = models.ForeignKey(
        Committee, verbose_name=_("comité"), on_delete=models.CASCADE, related_name="decisions"
    )
    text = models.TextField(_("décision"))
    created_at = models.DateTimeField(auto_now_add=True)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = ThroughProject(path="committee__project", shared_field="committee__shared_with_collective")
    portal_rule = access_rule

    class Meta:
        ordering = ["committee", "id"]
        verbose_name = _("décision de comité")
        verbose_name_plural = _("décisions de comité")

    def __str__(self) -> str:
        return self.text[:80]


class ActionStatus(models.TextChoices):
    OPEN = "open", _("À faire")
    IN_PROGRESS = "in_progress", _("En cours")
    DONE = "done", _("Faite")
    CANCELLED = "cancelled", _("Abandonnée")


OPEN_ACTION_STATUSES = [ActionStatus.OPEN, ActionStatus.IN_PROGRESS]


def owned_by_partner(user) -> models.Q:
    """In the portal, a partner handles the actions they own as a contact of the collective."""
    return models.Q(owner_person_id=user.person_id) if user.person_id else NOTHING


class Action(models.Model):
    """Something to do, owned by a team member or by a member of the collective."""

    project = models.ForeignKey(
        Project, verbose_name=_("projet"), on_delete=models.CASCADE, related_name="actions"
    )
    committee = models.ForeignKey(
        Committee,
        verbose_name=_("comité"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
    )
    title = models.CharField(_("action"), max_length=255)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsable (équipe)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_actions",
    )
    owner_person = models.ForeignKey(
        "programme.Person",
        verbose_name=_("responsable (collectif)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_actions",
    )
    due_date = models.DateField(_("échéance"))
    status = models.CharField(
        _("état"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = ThroughProject()
    portal_rule = ThroughProject(partner_q=owned_by_partner)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_user__isnull=True) | Q(owner_person__isnull=True),
                name="action_single_owner",
            )
        ]
        indexes = [
            models.Index(
                fields=["due_date"],
                condition=Q(status__in=["open", "in_progress"]),
                name="open_action_due_idx",
            ),
            # A team member's open actions by due date: the inbox's « Actions à faire » for one person
            # (the member's few hundred among 12,500 open ones at full size).
            models.Index(
                fields=["owner_user", "due_date"],
                condition=Q(status__in=["open", "in_progress"]),
                name="open_action_owner_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owner(self):
        return self.owner_user or self.owner_person


# --- Déploiement ------------------------------------------------------------------------------------


class SiteStatus(models.TextChoices):
    EXPLORING = "exploring", _("En exploration")
    STARTING = "starting", _("En lancement")
    RUNNING = "running", _("En fonctionnement")
    ABANDONED = "abandoned", _("Abandonné")


class DeploymentSite(models.Model):
    """An essaimage site: the project replicated on another territory with a partner structure."""

    audit_name = "deployment_site"  # the prefix of its audit actions (read by the history pages)

    project = models.ForeignKey(
        Project, verbose_name=_("projet"), on_delete=models.CASCADE, related_name="deployment_sites"
    )
    territory = models.ForeignKey(
        "programme.Territory", verbose_name=_("territoire"), on_delete=models.PROTECT, related_name="+"
    )
    partner = models.ForeignKey(
        "programme.Organisation",
        verbose_name=_("structure partenaire"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("état"), max_length=12, choices=SiteStatus.choices, default=SiteStatus.EXPLORING
    )
    started_on = models.DateField(_("depuis le"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = ThroughProject()

    class Meta:
        ordering = ["project", "territory__name"]
        verbose_name = _("site d’essaimage")
        verbose_name_plural = _("sites d’essaimage")

    def __str__(self) -> str:
        return str(self.territory)


class Dissemination(models.Model):
    """Diffusion of the learnings: what was shared, to whom, when."""

    project = models.ForeignKey(
        Project, verbose_name=_("projet"), on_delete=models.CASCADE, related_name="disseminations"
    )
    date = models.DateField(_("date"))
    what = models.CharField(_("contenu diffusé"), max_length=255)
    audience = models.CharField(_("destinataires"), max_length=255)
    channel = models.CharField(_("canal"), max_length=120, blank=True)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = ThroughProject()

    class Meta:
        ordering = ["project", "-date"]
        verbose_name = _("diffusion")
        verbose_name_plural = _("diffusions")

    def __str__(self) -> str:
        return self.what


class AdvocacyAction(models.Model):
    """A plaidoyer action: whom the collective tried to convince, when, with what outcome."""

    audit_name = "advocacy"  # the prefix of its audit actions (read by the history pages)

    project = models.ForeignKey(
        Project, verbose_name=_("projet"), on_delete=models.CASCADE, related_name="advocacy_actions"
    )
    target = models.CharField(_("cible"), max_length=255)
    date = models.DateField(_("date"))
    description = models.TextField(_("démarche"), blank=True)
    outcome = models.TextField(_("résultat"), blank=True)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = ThroughProject()

    class Meta:
        ordering = ["project", "-date"]
        verbose_name = _("action de plaidoyer")
        verbose_name_plural = _("actions de plaidoyer")

    def __str__(self) -> str:
        return self.target


# --- Milestones, deliverables, documents ------------------------------------------------------------


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", _("Prévu")
    IN_PROGRESS = "in_progress", _("En cours")
    DONE = "done", _("Atteint")
    CANCELLED = "cancelled", _("Abandonné")


OPEN_MILESTONE_STATUSES = [MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS]


class Milestone(models.Model):
    project = models.ForeignKey(
        Project, verbose_name=_("projet"), on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("jalon"), max_length=200)
    due_date = models.DateField(_("échéance"))
    status = models.CharField(
        _("état"), max_length=12, choices=MilestoneStatus.choices, default=MilestoneStatus.PLANNED
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsable"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_milestones",
    )
    done_on = models.DateField(_("atteint le"), null=True, blank=True)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = ThroughProject()

    class Meta:
        ordering = ["project", "due_date", "id"]
        verbose_name = _("jalon")
        verbose_name_plural = _("jalons")
        indexes = [
            models.Index(
                fields=["due_date"],
                condition=Q(status__in=["planned", "in_progress"]),
                name="open_milestone_due_idx",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def is_late(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status in OPEN_MILESTONE_STATUSES and self.due_date < today


class DeliverableStatus(models.TextChoices):
    EXPECTED = "expected", _("Attendu")
    SUBMITTED = "submitted", _("Déposé")
    ACCEPTED = "accepted", _("Validé")
    RETURNED = "returned", _("À reprendre")


OPEN_DELIVERABLE_STATUSES = [DeliverableStatus.EXPECTED, DeliverableStatus.RETURNED]


def assigned_to_partner(user) -> models.Q:
    """In the portal, a partner handles the deliverables assigned to their organisation."""
    return models.Q(owner_organisation_id=user.organisation_id)


class Deliverable(models.Model):
    """Something the collective or the team must hand in, with versioned private files."""

    project = models.ForeignKey(
        Project, verbose_name=_("projet"), on_delete=models.CASCADE, related_name="deliverables"
    )
    milestone = models.ForeignKey(
        Milestone,
        verbose_name=_("jalon"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliverables",
    )
    title = models.CharField(_("livrable"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    due_date = models.DateField(_("échéance"))
    status = models.CharField(
        _("état"), max_length=10, choices=DeliverableStatus.choices, default=DeliverableStatus.EXPECTED
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsable (équipe)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_deliverables",
    )
    owner_organisation = models.ForeignKey(
        "programme.Organisation",
        verbose_name=_("structure responsable"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_deliverables",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = ThroughProject()
    portal_rule = ThroughProject(partner_q=assigned_to_partner)

    class Meta:
        ordering = ["project", "due_date", "id"]
        verbose_name = _("livrable")
        verbose_name_plural = _("livrables")
        indexes = [
            models.Index(
                fields=["due_date"],
                condition=Q(status__in=["expected", "returned"]),
                name="open_deliverable_due_idx",
            ),
            # The deliverables waiting for review (the inbox's first section; a few among 30,000).
            models.Index(
                fields=["project"], condition=Q(status="submitted"), name="submitted_deliverable_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_late(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status in OPEN_DELIVERABLE_STATUSES and self.due_date < today


def private_upload_to(instance, filename: str) -> str:
    """Random names under the project's folder: the original name is kept in the row, never on disk."""
    return f"projects/{instance.project_id}/{uuid.uuid4().hex}{instance.extension}"


class FileVersion(models.Model):
    """One uploaded version of a private file (deliverable or document). Versions are never overwritten."""

    project = models.ForeignKey(Project, verbose_name=_("projet"), on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("fichier"), upload_to=private_upload_to, max_length=255)
    original_name = models.CharField(_("nom du fichier"), max_length=255)
    extension = models.CharField(max_length=8)
    content_type = models.CharField(_("type"), max_length=120)
    size = models.PositiveBigIntegerField(_("taille (octets)"))
    sha256 = models.CharField(max_length=64)
    comment = models.CharField(_("commentaire"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("déposé par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("déposé le"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"{self.original_name} (v{self.number})"


class Document(models.Model):
    """A private project document. Staff-only unless shared with the collective."""

    project = models.ForeignKey(
        Project, verbose_name=_("projet"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    shared_with_collective = models.BooleanField(_("partagé avec le collectif"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créé par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = ThroughProject(shared_field="shared_with_collective")

    class Meta:
        ordering = ["project", "title"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title


class DocumentVersion(FileVersion):
    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="versions"
    )

    class Meta(FileVersion.Meta):
        verbose_name = _("version de document")
        verbose_name_plural = _("versions de document")
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="unique_document_version")]


class DeliverableVersion(FileVersion):
    deliverable = models.ForeignKey(
        Deliverable, verbose_name=_("livrable"), on_delete=models.CASCADE, related_name="versions"
    )
    # When the team was told of a partner's upload. Claimed with one conditional UPDATE before the
    # e-mail leaves, so a re-delivered or racing task sends nothing twice; released if the send fails.
    notified_at = models.DateTimeField(_("équipe prévenue le"), null=True, blank=True, editable=False)

    class Meta(FileVersion.Meta):
        verbose_name = _("version de livrable")
        verbose_name_plural = _("versions de livrable")
        constraints = [
            models.UniqueConstraint(fields=["deliverable", "number"], name="unique_deliverable_version")
        ]


# --- Reminders ----------------------------------------------------------------------------------------


class ReminderKind(models.TextChoices):
    MILESTONE = "milestone", _("Jalon")
    DELIVERABLE = "deliverable", _("Livrable")
    ACTION = "action", _("Action")
    PHASE_END = "phase_end", _("Décision d’étape")
    PROSPECT = "prospect", _("Prochaine action (prospect)")
    JUSTIFICATION = "justification", _("Justificatif")
    INSTALMENT = "instalment", _("Versement attendu")


class ReminderLog(models.Model):
    """One reminder of one deadline to one person at one offset. The unique constraint is the claim:
    a row is inserted before the digest is sent, so a second run (or a second worker) sends nothing twice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("destinataire"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("nature"), max_length=20, choices=ReminderKind.choices)
    object_id = models.PositiveBigIntegerField()
    due_date = models.DateField(_("échéance"))
    # Days before the due date; -1 means "overdue since yesterday".
    offset = models.SmallIntegerField(_("rappel"))
    run_id = models.UUIDField(db_index=True)
    # What the digest shows, captured when the reminder was claimed.
    title = models.CharField(max_length=255)
    project_title = models.CharField(max_length=200, blank=True)
    link = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "kind", "title"]
        verbose_name = _("rappel envoyé")
        verbose_name_plural = _("rappels envoyés")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "object_id", "due_date", "offset"], name="one_reminder_per_offset"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.title} ({self.due_date})"


# --- Money (a package of this app: projects/funding/) ------------------------------------------------
# Imported here so Django finds the models under the `projects` label.
# --- Conversations with the collective (a package of this app: projects/conversations/) -------------
from .conversations.models import Comment, CommentNotice  # noqa: E402, F401
from .funding.models import (  # noqa: E402, F401
    Budget,
    BudgetLine,
    Convention,
    FunderProgramme,
    FundingRequest,
    FundingSettings,
    Instalment,
    Justification,
    Payment,
    RequestDocument,
)

# --- The team inbox (a package of this app: projects/inbox/) ----------------------------------------------
from .inbox.models import Assignment, Seen  # noqa: E402, F401

# --- E-mail from the record (a package of this app: projects/mailing/) ---------------------------------
from .mailing.models import EmailTemplate, OutgoingEmail  # noqa: E402, F401

# --- Phase templates (a package of this app: projects/phasetemplates/) ------------------------------
from .phasetemplates.models import AppliedTemplate, PhaseTemplate, TemplateItem  # noqa: E402, F401
