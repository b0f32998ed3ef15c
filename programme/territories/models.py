"""Territories beyond their name: the official administrative areas (communes, EPCI, départements, régions
with their INSEE codes, loaded by `manage.py load_areas`), a territory's local partners, its démarche
(stages each programme defines, dated moves) and the per-person grants that let a local partner read it.

The models keep the `programme` label: they are re-imported at the bottom of programme/models.py."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programme.access import Granted, TeamOnly
from programme.formatting import fr_date
from programme.identity import DerivedColumns, folded


class AreaKind(models.TextChoices):
    REGION = "region", _("Région")
    DEPARTMENT = "departement", _("Département")
    EPCI = "epci", _("EPCI")
    COMMUNE = "commune", _("Commune")


class Area(DerivedColumns, models.Model):
    """One entry of the official administrative list (@etalab/decoupage-administratif): never typed, only
    loaded, so a territory is drawn from real communes and groupings."""

    kind = models.CharField(_("niveau"), max_length=12, choices=AreaKind.choices)
    # INSEE code (commune, département, région) or SIREN (EPCI), as the list publishes it.
    code = models.CharField(_("code"), max_length=9)
    name = models.CharField(_("nom"), max_length=200)
    department_code = models.CharField(_("département"), max_length=3, blank=True)
    region_code = models.CharField(_("région"), max_length=3, blank=True)
    epci_code = models.CharField(_("EPCI"), max_length=9, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    #: The name folded (`identity.folded`): what the area picker's search compares (« saint etienne »).
    search_text = models.TextField(editable=False, blank=True, default="")

    # Reference data: the team picks from it; partners read a territory's areas through the territory.
    access_rule = TeamOnly()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("découpage administratif")
        verbose_name_plural = _("découpages administratifs")
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="unique_area_kind_code")]
        indexes = [models.Index(fields=["name"], name="area_name_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def fill_derived(self) -> "Area":
        """The folded name the search reads: what save() stores, and what the loader's bulk upsert calls."""
        self.search_text = folded(self.name)
        return self


class PartnerRole(models.TextChoices):
    LOCAL_AUTHORITY = "local_authority", _("Collectivité")
    CRESS = "cress", _("CRESS")
    ASSOCIATION = "association", _("Association")
    BUSINESS = "business", _("Entreprise")
    INSTITUTION = "institution", _("Institution")
    OTHER = "other", _("Autre partenaire")


class TerritoryPartner(models.Model):
    """A structure that works on the territory with the programme, and in which role."""

    audit_name = "territory_partner"

    territory = models.ForeignKey(
        "programme.Territory", verbose_name=_("territoire"), on_delete=models.CASCADE, related_name="partners"
    )
    organisation = models.ForeignKey(
        "programme.Organisation",
        verbose_name=_("structure"),
        on_delete=models.PROTECT,
        related_name="territory_roles",
    )
    role = models.CharField(_("rôle"), max_length=16, choices=PartnerRole.choices)
    note = models.CharField(_("précision"), max_length=200, blank=True)

    access_rule = Granted(partner_q=lambda user: Q(territory__grants__user=user))

    class Meta:
        ordering = ["territory", "organisation__name"]
        verbose_name = _("partenaire local")
        verbose_name_plural = _("partenaires locaux")
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "organisation"],
                name="unique_territory_partner",
                violation_error_message=_("Cette structure est déjà partenaire de ce territoire."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.get_role_display()}"


class Stage(models.Model):
    """A stage of the territorial démarche, defined by the team for its programme (diagnostic partagé →
    stratégie → projets pilotes → consolidation…)."""

    programme = models.ForeignKey(
        "programme.Programme", verbose_name=_("programme"), on_delete=models.CASCADE, related_name="stages"
    )
    name = models.CharField(_("nom"), max_length=120)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    description = models.CharField(_("description"), max_length=300, blank=True)
    is_active = models.BooleanField(_("actif"), default=True)

    access_rule = Granted(partner_q=lambda user: Q(programme__territories__grants__user=user), distinct=True)

    class Meta:
        ordering = ["programme", "position", "pk"]
        verbose_name = _("étape de la démarche")
        verbose_name_plural = _("étapes de la démarche")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "name"],
                name="unique_stage_name",
                violation_error_message=_("Une étape de ce programme porte déjà ce nom."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class StageMove(models.Model):
    """A dated move of a territory's démarche to a stage: who, when, why. Written by territory_move only."""

    audit_name = "stage_move"

    territory = models.ForeignKey(
        "programme.Territory", verbose_name=_("territoire"), on_delete=models.CASCADE, related_name="moves"
    )
    from_stage = models.ForeignKey(
        Stage,
        verbose_name=_("étape de départ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_stage = models.ForeignKey(
        Stage, verbose_name=_("étape d’arrivée"), on_delete=models.PROTECT, related_name="moves"
    )
    moved_on = models.DateField(_("date"))
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("décidé par"), on_delete=models.PROTECT, related_name="+"
    )
    rationale = models.TextField(_("motivation"))
    created_at = models.DateTimeField(_("enregistré le"), auto_now_add=True)

    access_rule = Granted(partner_q=lambda user: Q(territory__grants__user=user))

    class Meta:
        ordering = ["territory", "-moved_on", "-id"]
        verbose_name = _("passage d’étape")
        verbose_name_plural = _("passages d’étape")
        constraints = [
            models.CheckConstraint(condition=~Q(rationale=""), name="stage_move_rationale_required")
        ]

    def __str__(self) -> str:
        return f"{self.territory} — {self.to_stage} ({fr_date(self.moved_on)})"


class TerritoryGrant(models.Model):
    """A local partner's person given read access to the territory's page and resources, explicitly."""

    audit_name = "territory_grant"

    territory = models.ForeignKey(
        "programme.Territory", verbose_name=_("territoire"), on_delete=models.CASCADE, related_name="grants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte partenaire"),
        on_delete=models.CASCADE,
        related_name="territory_grants",
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("accordé par"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("accordé le"), auto_now_add=True)

    access_rule = TeamOnly()

    class Meta:
        ordering = ["territory", "user__last_name"]
        verbose_name = _("accès partenaire au territoire")
        verbose_name_plural = _("accès partenaires aux territoires")
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "user"],
                name="unique_territory_grant",
                violation_error_message=_("Cette personne a déjà accès à ce territoire."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.territory}"
