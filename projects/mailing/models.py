"""E-mail from the record (#15): the team's message templates (French and English, an optional attachment)
and every message sent from a prospect, a contact or a project — one `OutgoingEmail` per message, claimed by
the task that sends it (one conditional UPDATE), so a redelivered task sends nothing twice.

The models keep the `projects` label: they are re-imported at the bottom of projects/models.py."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from programme.access import TeamOnly
from programme.privacy import is_erased_address


class Purpose(models.TextChoices):
    PRESENTATION = "presentation", _("Présentation du programme")
    INTERVIEW = "interview", _("Invitation à un entretien")
    REMINDER = "reminder", _("Relance")
    OTHER = "other", _("Autre")


class Language(models.TextChoices):
    FR = "fr", _("Français")
    EN = "en", _("Anglais")


def attachment_upload_to(instance: models.Model, filename: str) -> str:
    """Random names in the private files: the original name is kept in the row, never on disk."""
    extension = getattr(instance, "attachment_extension", "")
    return f"mailing/{uuid.uuid4().hex}{extension}"


class EmailTemplate(models.Model):
    """A message the team sends again and again (the programme's presentation, an interview invitation, a
    reminder), in French and in English, with placeholders such as `{{ structure }}` filled in for each
    recipient (`mailing.placeholders`: a fixed list, never template code)."""

    name = models.CharField(_("nom du modèle"), max_length=150)
    purpose = models.CharField(_("usage"), max_length=20, choices=Purpose.choices, default=Purpose.OTHER)
    subject_fr = models.CharField(_("objet (français)"), max_length=200)
    body_fr = models.TextField(_("texte (français)"))
    subject_en = models.CharField(_("objet (anglais)"), max_length=200, blank=True)
    body_en = models.TextField(_("texte (anglais)"), blank=True)
    attachment = models.FileField(
        _("pièce jointe"), upload_to=attachment_upload_to, max_length=255, blank=True
    )
    attachment_name = models.CharField(_("nom de la pièce jointe"), max_length=255, blank=True)
    attachment_extension = models.CharField(max_length=8, blank=True)
    attachment_type = models.CharField(max_length=120, blank=True)
    archived = models.BooleanField(_("archivé"), default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("modifié par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    created_at = models.DateTimeField(auto_now_add=True)

    access_rule = TeamOnly()
    audit_name = "email_template"

    class Meta:
        ordering = ["archived", "name"]
        verbose_name = _("modèle d’e-mail")
        verbose_name_plural = _("modèles d’e-mail")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:mailing.template.detail", args=[self.pk])

    def subject_in(self, language: str) -> str:
        return (self.subject_en if language == Language.EN else "") or self.subject_fr

    def body_in(self, language: str) -> str:
        return (self.body_en if language == Language.EN else "") or self.body_fr

    @property
    def has_english(self) -> bool:
        return bool(self.subject_en.strip() and self.body_en.strip())


class EmailStatus(models.TextChoices):
    QUEUED = "queued", _("En attente d’envoi")
    SENDING = "sending", _("En cours d’envoi")
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("Échec")


class OutgoingEmail(models.Model):
    """One message as it was sent (or is about to be): to whom, about what, the text after the placeholders
    were filled in, the attachment, and the exchange it is logged as on the recipient's structure."""

    to = models.EmailField(_("destinataire"))
    contact = models.ForeignKey(
        "programme.Person",
        verbose_name=_("contact"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="outgoing_emails",
    )
    organisation = models.ForeignKey(
        "programme.Organisation",
        verbose_name=_("structure"),
        on_delete=models.CASCADE,
        related_name="outgoing_emails",
    )
    prospect = models.ForeignKey(
        "prospects.Prospect",
        verbose_name=_("prospect"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outgoing_emails",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("projet"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outgoing_emails",
    )
    template = models.ForeignKey(
        EmailTemplate,
        verbose_name=_("modèle"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="emails",
    )
    language = models.CharField(_("langue"), max_length=2, choices=Language.choices, default=Language.FR)
    subject = models.CharField(_("objet"), max_length=255)
    body = models.TextField(_("texte envoyé"))
    attachment = models.FileField(_("pièce jointe"), max_length=255, blank=True)
    attachment_name = models.CharField(_("nom de la pièce jointe"), max_length=255, blank=True)
    attachment_type = models.CharField(max_length=120, blank=True)
    status = models.CharField(
        _("état"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    exchange = models.OneToOneField(
        "prospects.Exchange",
        verbose_name=_("échange"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outgoing_email",
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("envoyé par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    batch = models.UUIDField(_("envoi groupé"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    access_rule = TeamOnly()
    audit_name = "outgoing_email"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("e-mail envoyé")
        verbose_name_plural = _("e-mails envoyés")
        indexes = [
            models.Index(
                fields=["status", "created_at"],
                condition=Q(status__in=["queued", "sending"]),
                name="outgoing_email_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"

    @property
    def anonymised(self) -> bool:
        """Sent to a contact anonymised since: the address it went to is gone."""
        return is_erased_address(self.to)
