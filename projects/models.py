from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


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
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("projet")
        verbose_name_plural = _("projets")

    def __str__(self) -> str:
        return self.title


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
            )
        ]
        indexes = [models.Index(fields=["organisation", "left_on"])]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.project}"
