"""Public calls for applications (« appels à candidatures », #21): the team opens a call for a programme and
a cohort, with its questions; a structure applies at the call's public address (no login), may save a draft
and come back through a link e-mailed to it, and submits before the deadline. A submitted application
becomes a prospect (source « appel à candidatures ») with the answers on its record.

The models keep the `prospects` label: they are re-imported at the bottom of prospects/models.py."""

import secrets
import uuid
from datetime import datetime

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programme.access import TeamOnly
from programme.models import OrganisationKind

from ..models import Stage

#: The stages a call may give the prospects it creates: before the interview, set by hand anyway.
CALL_STAGES = (Stage.IDENTIFIED, Stage.CONTACTED, Stage.INTERESTED)


def new_slug() -> str:
    """The unguessable part of a call's public address."""
    return secrets.token_urlsafe(12)


def new_token() -> str:
    """The secret of one application's resume link (256 bits)."""
    return secrets.token_urlsafe(32)


class Call(models.Model):
    """A call for applications of a programme (and a cohort), open from `opens_at` to `closes_at`."""

    programme = models.ForeignKey(
        "programme.Programme", verbose_name=_("programme"), on_delete=models.CASCADE, related_name="calls"
    )
    cohort = models.ForeignKey(
        "programme.Cohort",
        verbose_name=_("promotion"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
    )
    title = models.CharField(_("titre"), max_length=200)
    slug = models.CharField(max_length=32, unique=True, default=new_slug, editable=False)
    opens_at = models.DateTimeField(_("ouverture"))
    closes_at = models.DateTimeField(_("date limite de dépôt"))
    text = models.TextField(_("présentation de l’appel"))
    eligibility = models.TextField(_("critères d’éligibilité"), blank=True)
    stage = models.CharField(
        _("étape donnée aux candidatures"),
        max_length=20,
        choices=[(s.value, s.label) for s in CALL_STAGES],
        default=Stage.IDENTIFIED,
        help_text=_("L’étape du pipeline où arrivent les prospects créés par cet appel."),
    )
    is_published = models.BooleanField(
        _("publié"), default=False, help_text=_("Un appel non publié n’est visible que par l’équipe.")
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    access_rule = TeamOnly()
    audit_name = "call"

    class Meta:
        ordering = ["-opens_at", "title"]
        verbose_name = _("appel à candidatures")
        verbose_name_plural = _("appels à candidatures")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="call_closes_after_opening",
                violation_error_message=_("La date limite doit suivre l’ouverture."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("prospects:call.detail", args=[self.pk])

    def get_public_url(self) -> str:
        return reverse("apply:call", args=[self.slug])

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.is_published and self.opens_at <= now < self.closes_at


class QuestionKind(models.TextChoices):
    SHORT = "short", _("Texte court")
    LONG = "long", _("Texte long")
    CHOICE = "choice", _("Choix dans une liste")
    NUMBER = "number", _("Nombre")
    FILE = "file", _("Fichier")


class Question(models.Model):
    """One question of a call, in its order; a choice question lists its options one per line."""

    call = models.ForeignKey(
        Call, verbose_name=_("appel"), on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    label = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("aide"), max_length=300, blank=True)
    kind = models.CharField(_("type de réponse"), max_length=10, choices=QuestionKind.choices)
    options = models.TextField(_("choix proposés (un par ligne)"), blank=True)
    required = models.BooleanField(_("obligatoire"), default=False)

    access_rule = TeamOnly()

    class Meta:
        ordering = ["call", "position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.label

    @property
    def option_list(self) -> list[str]:
        return [line.strip() for line in self.options.splitlines() if line.strip()]


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Envoyée")


class ApplicationChannel(models.TextChoices):
    ONLINE = "online", _("En ligne")
    POST = "post", _("Par courrier")
    EMAIL = "email", _("Par e-mail")


class Application(models.Model):
    """One structure's application to a call: a draft until it is submitted, reached by its applicant
    only through the secret `token` of the link e-mailed to them."""

    call = models.ForeignKey(
        Call, verbose_name=_("appel"), on_delete=models.CASCADE, related_name="applications"
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    status = models.CharField(
        _("statut"),
        max_length=10,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
        db_index=True,
    )
    # The structure
    organisation_name = models.CharField(_("nom de la structure"), max_length=200, blank=True)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True)
    organisation_kind = models.CharField(_("forme"), max_length=20, blank=True)
    postcode = models.CharField(_("code postal"), max_length=10, blank=True)
    town = models.CharField(_("commune"), max_length=120, blank=True)
    # The contact person
    first_name = models.CharField(_("prénom"), max_length=100, blank=True)
    last_name = models.CharField(_("nom"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    job_title = models.CharField(_("fonction dans la structure"), max_length=150, blank=True)
    consent_at = models.DateTimeField(_("consentement donné le"), null=True, blank=True)
    # The project
    project_idea = models.TextField(_("idée de projet"), blank=True)
    #: The collective's members: [{"name", "organisation", "role"}], at most MAX_MEMBERS.
    members = models.JSONField(_("membres du collectif"), default=list, blank=True)
    prospect = models.ForeignKey(
        "prospects.Prospect",
        verbose_name=_("prospect"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applications",
    )
    #: The contact the application made (or found) when it was sent: anonymising them erases it here too.
    contact = models.ForeignKey(
        "programme.Person",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applications",
    )
    #: How it reached the team: online (the public page), or by post or e-mail, recorded by the team.
    channel = models.CharField(
        _("reçue"), max_length=10, choices=ApplicationChannel.choices, default=ApplicationChannel.ONLINE
    )
    submitted_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    link_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("commencée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    access_rule = TeamOnly()
    audit_name = "application"

    class Meta:
        ordering = ["-submitted_at", "-updated_at"]
        verbose_name = _("candidature")
        verbose_name_plural = _("candidatures")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="application_submitted_has_date",
            )
        ]
        indexes = [models.Index(fields=["call", "status"])]

    def __str__(self) -> str:
        return self.organisation_name or self.email

    def get_absolute_url(self) -> str:
        return reverse("prospects:call.application", args=[self.pk])

    def get_resume_url(self) -> str:
        return reverse("apply:resume", args=[self.call.slug, self.token])

    @property
    def organisation_kind_label(self) -> str:
        return str(dict(OrganisationKind.choices).get(self.organisation_kind, self.organisation_kind))


def answer_upload_to(instance: models.Model, filename: str) -> str:
    """Random names in the private files: the original name is kept in the row, never on disk."""
    return f"calls/{uuid.uuid4().hex}{getattr(instance, 'file_extension', '')}"


class Answer(models.Model):
    application = models.ForeignKey(
        Application, verbose_name=_("candidature"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="answers"
    )
    value = models.TextField(_("réponse"), blank=True)
    file = models.FileField(_("fichier"), upload_to=answer_upload_to, max_length=255, blank=True)
    file_name = models.CharField(_("nom du fichier"), max_length=255, blank=True)
    file_extension = models.CharField(max_length=8, blank=True)
    file_type = models.CharField(max_length=120, blank=True)

    access_rule = TeamOnly()

    class Meta:
        ordering = ["question__position", "question_id"]
        verbose_name = _("réponse")
        verbose_name_plural = _("réponses")
        constraints = [
            models.UniqueConstraint(fields=["application", "question"], name="one_answer_per_question")
        ]

    def __str__(self) -> str:
        return self.file_name or self.value
