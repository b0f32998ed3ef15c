"""Events and trainings (#20): journées régionales, rencontres de promotion, formations, webinaires, salons
where the team represents the programme, événements de mobilisation — with their agenda, invitations and
registrations, attendance, write-up and satisfaction.

The prospecting `Event` of before #20 (where staff met prospects, `Exchange.event`) *is* this model, grown:
it keeps the `prospects` label and table, so its rows, the prospects met and the exchanges that point at them
stay as they were; the migrations only add columns and tables. That is the merge the issue asks for.
"""

import datetime
import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from programme.access import OwnOrganisation, TeamOnly


class EventKind(models.TextChoices):
    REGIONAL_DAY = "regional_day", _("Journée régionale")
    COHORT = "cohort", _("Rencontre de promotion")
    TRAINING = "training", _("Formation")
    WEBINAR = "webinar", _("Webinaire")
    FAIR = "fair", _("Salon")
    NETWORK = "network", _("Rencontre de réseau")
    MOBILISATION = "mobilisation", _("Événement de mobilisation")
    OTHER = "other", _("Autre")


class TrainingModule(models.Model):
    """A module of the training catalogue; its sessions are events of kind « formation »."""

    programme = models.ForeignKey(
        "programme.Programme",
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="training_modules",
    )
    title = models.CharField(_("intitulé"), max_length=200)
    objectives = models.TextField(_("objectifs"), blank=True)
    duration_hours = models.DecimalField(
        _("durée (heures)"), max_digits=5, decimal_places=1, default=Decimal("7.0")
    )
    audience = models.CharField(_("public"), max_length=200, blank=True)
    is_active = models.BooleanField(_("au catalogue"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    access_rule = TeamOnly()

    class Meta:
        ordering = ["title"]
        verbose_name = _("module de formation")
        verbose_name_plural = _("modules de formation")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "title"],
                name="unique_training_module_title",
                violation_error_message=_("Un module de ce programme porte déjà cet intitulé."),
            ),
            models.CheckConstraint(
                condition=Q(duration_hours__gt=0), name="training_module_duration_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("prospects:event.module.detail", args=[self.pk])


class Event(models.Model):
    """An event of the programme. Its `date` is the first day (the column of the prospecting events of
    before #20), `end_date` the last one when it lasts several days."""

    programme = models.ForeignKey(
        "programme.Programme", verbose_name=_("programme"), on_delete=models.CASCADE, related_name="events"
    )
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=EventKind.choices, default=EventKind.NETWORK)
    date = models.DateField(_("date de début"))
    start_time = models.TimeField(_("heure de début"), null=True, blank=True)
    end_date = models.DateField(
        _("date de fin"), null=True, blank=True, help_text=_("Laissez vide pour un événement d’un jour.")
    )
    end_time = models.TimeField(_("heure de fin"), null=True, blank=True)
    place = models.CharField(_("lieu"), max_length=200, blank=True)
    online_url = models.URLField(_("lien de la visio"), blank=True)
    territory = models.ForeignKey(
        "programme.Territory",
        verbose_name=_("territoire"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    themes = models.ManyToManyField(
        "programme.Theme", verbose_name=_("thématiques"), blank=True, related_name="events"
    )
    cohort = models.ForeignKey(
        "programme.Cohort",
        verbose_name=_("promotion"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        help_text=_("Pour une rencontre de promotion : la promotion réunie."),
    )
    module = models.ForeignKey(
        TrainingModule,
        verbose_name=_("module de formation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    description = models.TextField(
        _("présentation"), blank=True, help_text=_("Affichée sur la page d’inscription publique.")
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("équipe mobilisée"), blank=True, related_name="+"
    )
    prospects = models.ManyToManyField(
        "prospects.Prospect", verbose_name=_("prospects rencontrés"), blank=True, related_name="events"
    )
    capacity = models.PositiveIntegerField(
        _("nombre de places"),
        null=True,
        blank=True,
        help_text=_("Au-delà, les inscrits vont en liste d’attente. Vide : sans limite."),
    )
    is_public = models.BooleanField(
        _("inscription publique ouverte"),
        default=False,
        help_text=_(
            "Une page d’inscription sans compte, avec le nom, les dates, le lieu et la présentation."
        ),
    )
    # The public page's address; set when the event is first made public, kept afterwards.
    public_key = models.CharField(max_length=32, blank=True, default="", editable=False)
    notes = models.TextField(_("notes internes"), blank=True)
    write_up = models.TextField(_("compte-rendu"), blank=True)
    synthesis = models.TextField(_("synthèse"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Who may read these rows: the team every event; a partner the events a contact of their structure is
    # invited to (programme/access.py applies the rule).
    access_rule = OwnOrganisation(path="registrations__person__organisation", distinct=True)

    class Meta:
        ordering = ["-date", "name"]
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("date")),
                name="event_end_not_before_start",
                violation_error_message=_("La fin de l’événement ne peut pas précéder son début."),
            ),
            models.UniqueConstraint(
                fields=["public_key"], condition=~Q(public_key=""), name="unique_event_public_key"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("prospects:event.detail", args=[self.pk])

    @property
    def last_day(self) -> datetime.date:
        return self.end_date or self.date

    @property
    def is_training(self) -> bool:
        return self.kind == EventKind.TRAINING

    def ensure_public_key(self) -> None:
        if not self.public_key:
            self.public_key = secrets.token_urlsafe(16)[:22]


class PartnerRole(models.TextChoices):
    CO_ORGANISER = "co_organiser", _("Co-organisateur")
    HOST = "host", _("Accueil")
    FUNDER = "funder", _("Financeur")
    SPEAKER = "speaker", _("Intervenant")
    PARTNER = "partner", _("Partenaire")


class EventPartner(models.Model):
    """An organisation that co-organises the event, hosts it, funds it…"""

    event = models.ForeignKey(
        Event, verbose_name=_("événement"), on_delete=models.CASCADE, related_name="partners"
    )
    organisation = models.ForeignKey(
        "programme.Organisation", verbose_name=_("structure"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(
        _("rôle"), max_length=20, choices=PartnerRole.choices, default=PartnerRole.CO_ORGANISER
    )

    access_rule = TeamOnly()

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("co-organisateur")
        verbose_name_plural = _("co-organisateurs")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "organisation"],
                name="unique_event_partner",
                violation_error_message=_("Cette structure est déjà associée à l’événement."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class SequenceKind(models.TextChoices):
    PLENARY = "plenary", _("Plénière")
    ROUND_TABLE = "round_table", _("Table ronde")
    WORKSHOP = "workshop", _("Atelier")
    VISIT = "visit", _("Visite")
    BREAK = "break", _("Pause")
    OTHER = "other", _("Autre")


class Sequence(models.Model):
    """A sequence of the agenda: its day, times, room and speakers. Attendance of a training is recorded
    per sequence (its hours)."""

    event = models.ForeignKey(
        Event, verbose_name=_("événement"), on_delete=models.CASCADE, related_name="sequences"
    )
    kind = models.CharField(
        _("type"), max_length=20, choices=SequenceKind.choices, default=SequenceKind.PLENARY
    )
    title = models.CharField(_("intitulé"), max_length=200)
    day = models.DateField(_("jour"))
    start_time = models.TimeField(_("début"))
    end_time = models.TimeField(_("fin"))
    room = models.CharField(_("salle"), max_length=100, blank=True)
    speakers = models.CharField(_("intervenants"), max_length=255, blank=True)

    access_rule = TeamOnly()

    class Meta:
        ordering = ["day", "start_time", "id"]
        verbose_name = _("séquence")
        verbose_name_plural = _("séquences")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")),
                name="sequence_end_after_start",
                violation_error_message=_("La séquence doit finir après son début."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def hours(self) -> Decimal:
        start = datetime.datetime.combine(self.day, self.start_time)
        end = datetime.datetime.combine(self.day, self.end_time)
        return Decimal((end - start).total_seconds()) / Decimal(3600)


class RegistrationStatus(models.TextChoices):
    INVITED = "invited", _("Invité")
    REGISTERED = "registered", _("Inscrit")
    WAITING = "waiting", _("Liste d’attente")
    PRESENT = "present", _("Présent")
    EXCUSED = "excused", _("Excusé")
    ABSENT = "absent", _("Absent")
    CANCELLED = "cancelled", _("Désinscrit")


#: The statuses that take a seat (the capacity counts them).
SEATED = (RegistrationStatus.REGISTERED, RegistrationStatus.PRESENT)


class RegistrationSource(models.TextChoices):
    TEAM = "team", _("Équipe")
    PUBLIC = "public", _("Page publique")
    PORTAL = "portal", _("Portail partenaire")


class Registration(models.Model):
    """One person's invitation / registration to an event, one row per person and event."""

    event = models.ForeignKey(
        Event, verbose_name=_("événement"), on_delete=models.CASCADE, related_name="registrations"
    )
    person = models.ForeignKey(
        "programme.Person", verbose_name=_("contact"), on_delete=models.CASCADE, related_name="registrations"
    )
    status = models.CharField(
        _("statut"), max_length=12, choices=RegistrationStatus.choices, default=RegistrationStatus.INVITED
    )
    source = models.CharField(
        _("origine"), max_length=10, choices=RegistrationSource.choices, default=RegistrationSource.TEAM
    )
    structure_name = models.CharField(_("structure déclarée"), max_length=200, blank=True)
    invited_at = models.DateTimeField(_("invité le"), null=True, blank=True)
    registered_at = models.DateTimeField(_("inscrit le"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("arrivé le"), null=True, blank=True)
    # The satisfaction questionnaire's link: its token's hash (the clear token goes out in the e-mail only).
    survey_token_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    survey_sent_at = models.DateTimeField(_("questionnaire envoyé le"), null=True, blank=True)
    # The status the person was last e-mailed about (registered, waiting): the mail task claims it with one
    # conditional UPDATE, so a state is never announced twice; a new registration empties it.
    mailed_status = models.CharField(max_length=12, blank=True, default="", editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    # The team all; a partner the registrations of their own structure's people (the portal).
    access_rule = OwnOrganisation(path="person__organisation")

    class Meta:
        ordering = ["person__last_name", "person__first_name"]
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "person"],
                name="unique_registration_per_person",
                violation_error_message=_("Cette personne est déjà inscrite ou invitée."),
            ),
            models.UniqueConstraint(
                fields=["survey_token_hash"],
                condition=~Q(survey_token_hash=""),
                name="unique_registration_survey_token",
            ),
        ]
        indexes = [models.Index(fields=["event", "status"])]

    def __str__(self) -> str:
        return f"{self.person} — {self.event}"


class SequenceAttendance(models.Model):
    """A participant present at one sequence (trainings: the hours attended)."""

    registration = models.ForeignKey(
        Registration, verbose_name=_("inscription"), on_delete=models.CASCADE, related_name="attendances"
    )
    sequence = models.ForeignKey(
        Sequence, verbose_name=_("séquence"), on_delete=models.CASCADE, related_name="attendances"
    )

    class Meta:
        verbose_name = _("présence à une séquence")
        verbose_name_plural = _("présences aux séquences")
        constraints = [
            models.UniqueConstraint(fields=["registration", "sequence"], name="unique_sequence_attendance")
        ]

    def __str__(self) -> str:
        return f"{self.registration_id} @ {self.sequence_id}"


#: The questionnaire's questions, each answered on a 1–5 scale (5: very satisfied).
SURVEY_QUESTIONS = (
    ("overall", _("Dans l’ensemble, êtes-vous satisfait·e de cet événement ?")),
    ("content", _("Le contenu répondait-il à vos attentes ?")),
    ("organisation", _("L’organisation (accueil, horaires, lieu) vous a-t-elle convenu ?")),
    ("usefulness", _("Ce que vous avez appris vous sera-t-il utile ?")),
)


class SurveyAnswer(models.Model):
    """A participant's answer to the satisfaction questionnaire: one per registration; answering again
    updates it (said on the page)."""

    registration = models.OneToOneField(
        Registration, verbose_name=_("inscription"), on_delete=models.CASCADE, related_name="survey_answer"
    )
    overall = models.PositiveSmallIntegerField(_("satisfaction d’ensemble"))
    content = models.PositiveSmallIntegerField(_("contenu"))
    organisation = models.PositiveSmallIntegerField(_("organisation"))
    usefulness = models.PositiveSmallIntegerField(_("utilité"))
    comment = models.TextField(_("commentaire"), blank=True)
    answered_at = models.DateTimeField(_("répondu le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    access_rule = TeamOnly()

    class Meta:
        verbose_name = _("réponse au questionnaire")
        verbose_name_plural = _("réponses au questionnaire")
        constraints = [
            models.CheckConstraint(
                condition=Q(overall__gte=1, overall__lte=5)
                & Q(content__gte=1, content__lte=5)
                & Q(organisation__gte=1, organisation__lte=5)
                & Q(usefulness__gte=1, usefulness__lte=5),
                name="survey_scores_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration_id}: {self.overall}/5"


def attachment_upload_to(instance: "EventAttachment", filename: str) -> str:
    """Random names under the event's folder, as for every private file."""
    return f"events/{instance.event_id}/{secrets.token_hex(16)}{instance.extension}"


class EventAttachment(models.Model):
    """A private file of the write-up (slides, photos, synthèse), served through programme.files."""

    event = models.ForeignKey(
        Event, verbose_name=_("événement"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("fichier"), upload_to=attachment_upload_to, max_length=255)
    original_name = models.CharField(_("nom du fichier"), max_length=255)
    extension = models.CharField(max_length=8)
    content_type = models.CharField(_("type"), max_length=120)
    size = models.PositiveBigIntegerField(_("taille (octets)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("déposé par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now_add=True)

    access_rule = TeamOnly()

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")

    def __str__(self) -> str:
        return self.original_name
