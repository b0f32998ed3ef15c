import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .access import Granted, OwnOrganisation
from .identity import (
    DerivedColumns,
    normalise_name,
    normalise_town,
    search_key,
    validate_rna,
    validate_siren,
    validate_siret,
)


class Role(models.TextChoices):
    STAFF = "staff", _("Chargé·e de projet")
    DIRECTOR = "director", _("Direction")
    PARTNER = "partner", _("Partenaire")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> "User":
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", Role.DIRECTOR)
        return self._create_user(email, password, **extra)


class CommentNotifications(models.TextChoices):
    """When a person hears of a new comment in a thread they follow."""

    IMMEDIATE = "immediate", _("Un e-mail à chaque commentaire")
    DIGEST = "digest", _("Dans le récapitulatif du matin")


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("adresse e-mail"), unique=True)
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    role = models.CharField(_("rôle"), max_length=16, choices=Role.choices, default=Role.STAFF)
    organisation = models.ForeignKey(
        "programme.Organisation",
        verbose_name=_("structure"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="users",
        help_text=_("Pour un compte partenaire : la structure qu’il représente."),
    )
    person = models.OneToOneField(
        "programme.Person",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )
    # `is_staff` keeps Django's meaning: access to the admin site (superusers / configuration).
    is_staff = models.BooleanField(_("accès à l’administration"), default=False)
    is_active = models.BooleanField(_("actif"), default=True)
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)
    digest_enabled = models.BooleanField(_("recevoir le récapitulatif des échéances"), default=True)
    language = models.CharField(
        _("langue"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="fr",
        help_text=_("La langue des pages après connexion et des e-mails reçus."),
    )
    comment_notifications = models.CharField(
        _("nouveaux commentaires"),
        max_length=10,
        choices=CommentNotifications.choices,
        default=CommentNotifications.IMMEDIATE,
    )
    calendar_token = models.CharField(max_length=64, blank=True, db_index=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="partner") | Q(organisation__isnull=False),
                name="partner_has_organisation",
            )
        ]

    def __str__(self) -> str:
        return self.name_of(self.first_name, self.last_name, self.email)

    @staticmethod
    def name_of(first_name: str, last_name: str, email: str) -> str:
        """What `str(user)` says, from the three columns: a list read as values names people alike."""
        return f"{first_name} {last_name}".strip() or email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email

    @property
    def is_team(self) -> bool:
        """Staff and directors: the programme team, who see everything."""
        return self.is_active and self.role in (Role.STAFF, Role.DIRECTOR)

    @property
    def is_director(self) -> bool:
        return self.is_active and self.role == Role.DIRECTOR

    @property
    def is_partner(self) -> bool:
        return self.is_active and self.role == Role.PARTNER


class Theme(models.Model):
    name = models.CharField(_("nom"), max_length=100, unique=True)
    # Archived rather than deleted once in use (programme/setup): kept on what already names it.
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("thématique")
        verbose_name_plural = _("thématiques")

    def __str__(self) -> str:
        return self.name


class TerritoryKind(models.TextChoices):
    PILOT = "pilot", _("Territoire pilote")
    INTERVENTION = "intervention", _("Zone d’intervention")


def _granted_territories(user: Any) -> Q:
    """A partner reads the territories they were given, person by person (programme/territories)."""
    return Q(grants__user=user)


class Territory(models.Model):
    """A territory the programme works on: its administrative areas (INSEE codes), local partners and
    referents, and its démarche (stages the team defines, dated moves) — programme/territories."""

    name = models.CharField(_("nom"), max_length=100, unique=True)
    kind = models.CharField(
        _("type"), max_length=16, choices=TerritoryKind.choices, default=TerritoryKind.INTERVENTION
    )
    programme = models.ForeignKey(
        "programme.Programme",
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="territories",
        help_text=_("Le programme dont la démarche suit les étapes."),
    )
    description = models.TextField(_("présentation"), blank=True)
    areas = models.ManyToManyField(
        "programme.Area", verbose_name=_("périmètre"), blank=True, related_name="territories"
    )
    referents = models.ManyToManyField(
        "programme.Person", verbose_name=_("référents"), blank=True, related_name="referent_of"
    )
    # The démarche's current stage: written by territory_move only, with its StageMove.
    stage = models.ForeignKey(
        "programme.Stage",
        verbose_name=_("étape de la démarche"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Archived rather than deleted once in use (programme/setup): kept on what already names it.
    is_active = models.BooleanField(_("actif"), default=True)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = Granted(partner_q=_granted_territories)

    class Meta:
        ordering = ["name"]
        verbose_name = _("territoire")
        verbose_name_plural = _("territoires")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("territories:detail", args=[self.pk])


class Programme(models.Model):
    name = models.CharField(_("nom"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    start_date = models.DateField(_("début"), null=True, blank=True)
    emergence_months = models.PositiveSmallIntegerField(_("durée de l’Émergence (mois)"), default=10)
    experimentation_months = models.PositiveSmallIntegerField(
        _("durée de l’Expérimentation (mois)"), default=18
    )
    reminder_offsets = models.JSONField(
        _("rappels (jours avant l’échéance)"),
        default=list,
        blank=True,
        help_text=_("Par exemple 14, 7, 1 : un récapitulatif part ces jours-là avant l’échéance."),
    )
    default_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chargé·e de suivi par défaut"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Responsable des livrables de l’équipe créés depuis les modèles de phase."),
    )
    # What the SIRENE register import keeps for this programme (prospects/sirene): the groups of legal
    # categories (keys of identity.LEGAL_CATEGORY_GROUPS) and the départements (INSEE codes). Empty: the
    # server's SIRENE_LEGAL_CATEGORIES / SIRENE_DEPARTEMENTS.
    register_categories = models.JSONField(_("formes juridiques du répertoire"), default=list, blank=True)
    register_departements = models.JSONField(_("départements du répertoire"), default=list, blank=True)
    is_active = models.BooleanField(_("actif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_active", "name"]
        verbose_name = _("programme d’accompagnement")
        verbose_name_plural = _("programmes d’accompagnement")

    def __str__(self) -> str:
        return self.name

    def offsets(self) -> list[int]:
        return sorted(self.reminder_offsets or settings.PARCOURS_DEFAULT_REMINDER_OFFSETS, reverse=True)


class Cohort(models.Model):
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="cohorts"
    )
    name = models.CharField(_("nom"), max_length=200)
    year = models.PositiveSmallIntegerField(_("année"))
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"), null=True, blank=True)
    capacity = models.PositiveSmallIntegerField(_("nombre de places"), default=8)
    selection_committee_on = models.DateField(_("date du comité de sélection"), null=True, blank=True)
    # Archived rather than deleted once in use (programme/setup).
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["programme", "-year", "name"]
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="unique_cohort_name"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="cohort_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OrganisationKind(models.TextChoices):
    ASSOCIATION = "association", _("Association")
    SCOP = "scop", _("SCOP")
    SCIC = "scic", _("SCIC")
    COOPERATIVE = "cooperative", _("Coopérative")
    MUTUELLE = "mutuelle", _("Mutuelle")
    FONDATION = "fondation", _("Fondation")
    ESUS = "esus", _("Entreprise agréée ESUS")
    COMPANY = "company", _("Entreprise")
    COLLECTIVITE = "collectivite", _("Collectivité")
    PUBLIC_BODY = "public_body", _("Établissement public")
    INSTITUTION = "institution", _("Institution")


class Family(models.TextChoices):
    ESS = "ess", _("Acteur ESS")
    COMPANY = "company", _("Entreprise")
    PUBLIC = "public", _("Acteur public")


# Keyed by str: `Organisation.kind` is a plain CharField value.
KIND_FAMILY: dict[str, Family] = {
    OrganisationKind.ASSOCIATION: Family.ESS,
    OrganisationKind.SCOP: Family.ESS,
    OrganisationKind.SCIC: Family.ESS,
    OrganisationKind.COOPERATIVE: Family.ESS,
    OrganisationKind.MUTUELLE: Family.ESS,
    OrganisationKind.FONDATION: Family.ESS,
    OrganisationKind.ESUS: Family.ESS,
    OrganisationKind.COMPANY: Family.COMPANY,
    OrganisationKind.COLLECTIVITE: Family.PUBLIC,
    OrganisationKind.PUBLIC_BODY: Family.PUBLIC,
    OrganisationKind.INSTITUTION: Family.PUBLIC,
}


class FunderKind(models.TextChoices):
    """What kind of funder an organisation is (blank: not a funder)."""

    STATE = "state", _("État / service déconcentré")
    REGION = "region", _("Région")
    DEPARTEMENT = "departement", _("Département")
    METROPOLE = "metropole", _("Métropole / EPCI")
    COMMUNE = "commune", _("Commune")
    FOUNDATION = "foundation", _("Fondation")
    PATRON = "patron", _("Entreprise mécène")
    EUROPE = "europe", _("Fonds européen")
    OTHER = "other", _("Autre financeur")


class Organisation(DerivedColumns, models.Model):
    name = models.CharField(_("nom"), max_length=200)
    normalised_name = models.CharField(max_length=200, editable=False, db_index=True)
    kind = models.CharField(_("forme"), max_length=20, choices=OrganisationKind.choices)
    family = models.CharField(_("famille"), max_length=10, choices=Family.choices, editable=False)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, validators=[validate_siren], db_index=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])
    rna = models.CharField(_("RNA"), max_length=10, blank=True, validators=[validate_rna])
    esus = models.BooleanField(_("agrément ESUS"), default=False)
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    postcode = models.CharField(_("code postal"), max_length=10, blank=True)
    town = models.CharField(_("commune"), max_length=120, blank=True)
    normalised_town = models.CharField(max_length=120, editable=False, blank=True)
    #: The name and the town folded (`identity.search_key`): what the lists' search compares, accents and
    #: case aside.
    search_text = models.TextField(editable=False, blank=True, default="")
    territory = models.ForeignKey(
        Territory,
        verbose_name=_("territoire"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organisations",
    )
    themes = models.ManyToManyField(
        Theme, verbose_name=_("thématiques"), blank=True, related_name="organisations"
    )
    website = models.URLField(_("site web"), blank=True)
    description = models.TextField(_("présentation"), blank=True)
    #: Set when someone said « c'est bien une autre structure » about a same name in the same town: the
    #: only way past the unique normalised name + town (which holds under concurrent submissions).
    distinct_confirmed = models.BooleanField(
        _("autre structure du même nom confirmée"), default=False, editable=False
    )
    # Set when the organisation funds projects (its programmes and requests are in projects.funding).
    funder_kind = models.CharField(
        _("type de financeur"), max_length=12, choices=FunderKind.choices, blank=True, db_index=True
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = OwnOrganisation(path="pk")

    class Meta:
        ordering = ["name"]
        verbose_name = _("structure")
        verbose_name_plural = _("structures")
        constraints = [
            models.UniqueConstraint(
                fields=["siren"], condition=~Q(siren=""), name="unique_organisation_siren"
            ),
            models.UniqueConstraint(
                fields=["normalised_name", "normalised_town"],
                condition=Q(distinct_confirmed=False) & ~Q(normalised_name=""),
                name="unique_organisation_name_town",
            ),
        ]
        indexes = [
            models.Index(fields=["normalised_name", "normalised_town"]),
            # The lists sorted by name or town (the prospect list's 50 first of 10,000 without a sort of all).
            models.Index(fields=["name"], name="organisation_name_idx"),
            models.Index(fields=["town"], name="organisation_town_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programme:organisation.detail", args=[self.pk])

    def fill_derived(self) -> "Organisation":
        """The derived columns in step with their source, so that dedupe and filters read a column: what
        save() stores, and what a bulk_create (which skips save()) must call first."""
        self.normalised_name = normalise_name(self.name)
        self.normalised_town = normalise_town(self.town)
        self.search_text = search_key(self.name, self.town)
        self.family = KIND_FAMILY.get(self.kind, Family.ESS)
        if self.siret and not self.siren:
            self.siren = self.siret[:9]
        return self


class ConsentBasis(models.TextChoices):
    CONSENT = "consent", _("Consentement")
    LEGITIMATE = "legitimate_interest", _("Intérêt légitime")
    CONTRACT = "contract", _("Exécution d’une convention")


class Person(DerivedColumns, models.Model):
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    #: The name and the e-mail folded (`identity.search_key`): what the contacts' search compares, accents and
    #: case aside.
    search_text = models.TextField(editable=False, blank=True, default="")
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    job_title = models.CharField(_("fonction dans la structure"), max_length=150, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("structure"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )
    consent_date = models.DateField(_("date du consentement"), null=True, blank=True)
    consent_basis = models.CharField(
        _("base légale"), max_length=30, choices=ConsentBasis.choices, blank=True
    )
    consent_source = models.CharField(_("source du contact"), max_length=200, blank=True)
    anonymised_at = models.DateTimeField(_("anonymisé le"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = OwnOrganisation(path="organisation_id", partner_q=models.Q(anonymised_at__isnull=True))

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_absolute_url(self) -> str:
        return reverse("programme:person.detail", args=[self.pk])

    def fill_derived(self) -> "Person":
        """The folded name and e-mail the search reads: what save() stores, and what a bulk_create must call."""
        self.search_text = self.search_key_of(self.first_name, self.last_name, self.email)
        return self

    @staticmethod
    def search_key_of(first_name: str, last_name: str, email: str) -> str:
        """A contact's `search_text`, for the writes that skip the model (the set-based import)."""
        return search_key(f"{first_name} {last_name}", email)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> "InvitationQuerySet":
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())

    def by_token(self, token: str) -> "InvitationQuerySet":
        return self.filter(token_hash=_hash_token(token))


class Invitation(models.Model):
    email = models.EmailField(_("e-mail"))
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    role = models.CharField(_("rôle"), max_length=16, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("structure"), null=True, blank=True, on_delete=models.CASCADE
    )
    person = models.ForeignKey(
        Person, verbose_name=_("contact"), null=True, blank=True, on_delete=models.SET_NULL
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expire le"))
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoquée le"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    # Not a column: the clear token, set in memory by `invitation_create` only (the row keeps its hash).
    token: str

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="partner") | Q(organisation__isnull=False),
                name="partner_invitation_has_organisation",
            )
        ]

    def __str__(self) -> str:
        return self.email

    @staticmethod
    def new_token() -> tuple[str, str]:
        token = secrets.token_urlsafe(32)
        return token, _hash_token(token)

    @staticmethod
    def default_expiry() -> datetime:
        return timezone.now() + timedelta(days=settings.PARCOURS_INVITATION_DAYS)

    @property
    def is_pending(self) -> bool:
        return not self.accepted_at and not self.revoked_at and self.expires_at > timezone.now()


class AuditEntry(models.Model):
    """Who changed what, when, and which fields. Erased personal data is never kept here."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=64)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("objet"), max_length=255)
    changes = models.JSONField(_("modifications"), default=dict, blank=True)
    created_at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("entrée du journal")
        verbose_name_plural = _("journal des modifications")
        indexes = [models.Index(fields=["content_type", "object_id", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.action} {self.object_repr}"


class SubmissionToken(models.Model):
    """A create form's one-time token, claimed in the same transaction as the record it creates
    (`programme.pages.save_once`): the same submission sent twice creates one record."""

    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return self.token


class DataVersion(models.Model):
    """One row counting the committed writes to the tables that feed the programme's figures
    (`programme.dataversion`): what a cache of figures is keyed on, so that no write can leave it stale."""

    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.value)


# --- Territories: areas, partners, démarche, grants (a package of this app: programme/territories/) ------
from .territories.models import (  # noqa: E402, F401
    Area,
    AreaKind,
    PartnerRole,
    Stage,
    StageMove,
    TerritoryGrant,
    TerritoryPartner,
)
