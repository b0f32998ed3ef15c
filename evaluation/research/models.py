"""The action-research (#22): the framework of conditions (« cadre d’action », versioned: a new version copies
the previous one, an observation keeps the version it was coded against), the journal's observations coding
conditions as présente / émergente / absente with a justification, their sources, the pilot projects of a
territory, and the methodological resources (livrets, fiches, vidéos, podcasts, liens).

The models keep the `evaluation` label: they are re-imported by evaluation/models/__init__.py."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programme.access import Granted, TeamOnly
from programme.formatting import fr_date


class FrameworkVersion(models.Model):
    """One version of the programme's framework. The highest number is the one observations are coded
    against; an older one stays, with the observations coded against it."""

    audit_name = "framework_version"

    programme = models.ForeignKey(
        "programme.Programme", verbose_name=_("programme"), on_delete=models.CASCADE, related_name="+"
    )
    number = models.PositiveIntegerField(_("version"))
    note = models.CharField(_("ce qui change"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("créée par"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)

    access_rule = TeamOnly()

    class Meta:
        ordering = ["programme", "-number"]
        verbose_name = _("version du cadre d’action")
        verbose_name_plural = _("versions du cadre d’action")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"],
                name="unique_framework_version",
                violation_error_message=_("Cette version du cadre existe déjà : rechargez la page."),
            )
        ]

    def __str__(self) -> str:
        return _("Cadre d’action v%(number)s") % {"number": self.number}


class Condition(models.Model):
    """A condition (or, with a parent, a sub-condition) of the framework. `key` is kept by the copy in the
    next version, so a condition is followed across versions (the matrix's latest coding)."""

    audit_name = "condition"

    version = models.ForeignKey(
        FrameworkVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="conditions"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("condition parente"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    key = models.UUIDField(default=uuid.uuid4, editable=False)
    name = models.CharField(_("nom"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    access_rule = TeamOnly()

    class Meta:
        ordering = ["version", "position", "pk"]
        verbose_name = _("condition")
        verbose_name_plural = _("conditions")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "name"],
                name="unique_condition_name",
                violation_error_message=_("Une condition de cette version porte déjà ce nom."),
            ),
            models.UniqueConstraint(fields=["version", "key"], name="unique_condition_key"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("evaluation:research.condition", args=[self.pk])


class CodingStatus(models.TextChoices):
    PRESENT = "present", _("Présente")
    EMERGING = "emerging", _("Émergente")
    ABSENT = "absent", _("Absente")


class Observation(models.Model):
    """An entry of the action-research journal: what was seen on a territory (and a project), coded
    against the framework's version of the day."""

    territory = models.ForeignKey(
        "programme.Territory",
        verbose_name=_("territoire"),
        on_delete=models.PROTECT,
        related_name="observations",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("projet"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="observations",
    )
    observed_on = models.DateField(_("date"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("auteur"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("observation"))
    version = models.ForeignKey(
        FrameworkVersion,
        verbose_name=_("version du cadre"),
        on_delete=models.PROTECT,
        related_name="observations",
    )
    created_at = models.DateTimeField(_("enregistrée le"), auto_now_add=True)

    access_rule = TeamOnly()

    class Meta:
        ordering = ["-observed_on", "-pk"]
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        indexes = [models.Index(fields=["territory", "observed_on"], name="observation_territory_idx")]

    def __str__(self) -> str:
        return f"{self.territory} — {fr_date(self.observed_on)}"

    def get_absolute_url(self) -> str:
        return reverse("evaluation:research.observation", args=[self.pk])


class Coding(models.Model):
    """How an observation codes one condition: présente / émergente / absente, and why."""

    observation = models.ForeignKey(
        Observation, verbose_name=_("observation"), on_delete=models.CASCADE, related_name="codings"
    )
    condition = models.ForeignKey(
        Condition, verbose_name=_("condition"), on_delete=models.PROTECT, related_name="codings"
    )
    status = models.CharField(_("constat"), max_length=10, choices=CodingStatus.choices)
    justification = models.TextField(_("justification"))

    access_rule = TeamOnly()

    class Meta:
        ordering = ["observation", "condition__position", "condition_id"]
        verbose_name = _("codage")
        verbose_name_plural = _("codages")
        constraints = [
            models.UniqueConstraint(fields=["observation", "condition"], name="unique_coding"),
            models.CheckConstraint(condition=~Q(justification=""), name="coding_justification_required"),
        ]

    def __str__(self) -> str:
        return f"{self.condition} : {self.get_status_display()}"


def research_upload_to(instance: models.Model, filename: str) -> str:
    """Random names: the original name is kept in the row, never on disk."""
    return f"research/{uuid.uuid4().hex}{getattr(instance, 'extension', '')}"


class Attached(models.Model):
    """A file or a link (sources of an observation, a resource's content)."""

    url = models.URLField(_("lien"), max_length=500, blank=True)
    file = models.FileField(_("fichier"), upload_to=research_upload_to, max_length=255, blank=True)
    original_name = models.CharField(_("nom du fichier"), max_length=255, blank=True)
    extension = models.CharField(max_length=8, blank=True)
    content_type = models.CharField(_("type"), max_length=120, blank=True)
    size = models.PositiveBigIntegerField(_("taille (octets)"), null=True, blank=True)

    class Meta:
        abstract = True


class ObservationSource(Attached):
    observation = models.ForeignKey(
        Observation, verbose_name=_("observation"), on_delete=models.CASCADE, related_name="sources"
    )
    label = models.CharField(_("source"), max_length=200)

    access_rule = TeamOnly()

    class Meta:
        ordering = ["observation", "pk"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.label


class PilotProject(models.Model):
    """A project named as the territory's pilot project (the others of the territory are listed too)."""

    territory = models.ForeignKey(
        "programme.Territory", verbose_name=_("territoire"), on_delete=models.CASCADE, related_name="+"
    )
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("projet"), on_delete=models.CASCADE, related_name="+"
    )

    access_rule = TeamOnly()

    class Meta:
        verbose_name = _("projet pilote")
        verbose_name_plural = _("projets pilotes")
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "project"],
                name="unique_pilot_project",
                violation_error_message=_("Ce projet est déjà un projet pilote de ce territoire."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.territory} — {self.project}"


class ResourceFormat(models.TextChoices):
    BOOKLET = "booklet", _("Livret")
    SHEET = "sheet", _("Fiche")
    VIDEO = "video", _("Vidéo")
    PODCAST = "podcast", _("Podcast")
    LINK = "link", _("Lien")


class ResourceAudience(models.TextChoices):
    PROJECT_HOLDERS = "holders", _("Porteurs de projet")
    LOCAL_AUTHORITIES = "authorities", _("Collectivités")
    PARTNERS = "partners", _("Partenaires et réseaux")
    PUBLIC = "public", _("Grand public")


class ResourceStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    REVIEW = "review", _("En relecture")
    PUBLISHED = "published", _("Publiée")


def _granted_resources(user: object) -> Q:
    """A local partner given access to a territory reads its published resources."""
    return Q(territory__grants__user=user, status=ResourceStatus.PUBLISHED)


class Resource(Attached):
    """A methodological deliverable of the action-research: a file (a video or audio by its content type,
    within a size cap) or a link."""

    audit_name = "resource"

    title = models.CharField(_("titre"), max_length=200)
    format = models.CharField(_("format"), max_length=10, choices=ResourceFormat.choices)
    audience = models.CharField(_("public"), max_length=12, choices=ResourceAudience.choices)
    description = models.TextField(_("présentation"), blank=True)
    territory = models.ForeignKey(
        "programme.Territory",
        verbose_name=_("territoire d’origine"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resources",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("projet d’origine"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    conditions = models.ManyToManyField(
        Condition, verbose_name=_("conditions abordées"), blank=True, related_name="resources"
    )
    status = models.CharField(
        _("publication"), max_length=10, choices=ResourceStatus.choices, default=ResourceStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("créée par"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    access_rule = Granted(partner_q=_granted_resources)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("ressource")
        verbose_name_plural = _("ressources")
        constraints = [
            models.CheckConstraint(condition=~Q(url="") | ~Q(file=""), name="resource_file_or_link"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("evaluation:research.resource", args=[self.pk])
