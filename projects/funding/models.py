"""Money: what a project costs and who pays for it — budgets (prévisionnel / réalisé), funding requests,
conventions with their instalment schedule, justification deadlines and the payments received.

The models live in the projects app (label `projects`, imported by `projects/models.py`): funding hangs off
projects and the evaluation app reads it (figures, funder reports), so it sits below evaluation. Amounts are
exact decimals in euros. State changes go through `projects.funding.services`; figures come from
`projects.funding.selectors` (one definition each)."""

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programme.access import TeamOnly, ThroughProject
from programme.formatting import fr_date
from projects.models import FileVersion, Phase

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

#: Path from a project to its "share the money with the collective" switch.
SHARED = "funding_settings__shared_with_collective"


def _amount(verbose_name: "StrOrPromise | None" = None, **kwargs: Any) -> "models.DecimalField[Any, Any]":
    """An amount in euros: exact, to the cent, never negative (checked by the forms and the constraints)."""
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, **kwargs)


class PeriodRecord(models.Model):
    """A record over a period (a request, a convention), with its creation and change times."""

    period_start = models.DateField(_("début de la période"))
    period_end = models.DateField(_("fin de la période"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ConventionPart(models.Model):
    """A record of a convention's follow-up (instalment, payment, justification): read through its project,
    by partners only when the project's money is shared with the collective."""

    access_rule = ThroughProject(path="convention__project", shared_field=f"convention__project__{SHARED}")

    class Meta:
        abstract = True


class FunderProgramme(models.Model):
    """A funder's programme or call for projects (appel à projets, dispositif, fonds)."""

    funder = models.ForeignKey(
        "programme.Organisation",
        verbose_name=_("financeur"),
        on_delete=models.PROTECT,
        related_name="funder_programmes",
    )
    name = models.CharField(_("programme / appel"), max_length=200)
    opens_on = models.DateField(_("ouverture"), null=True, blank=True)
    closes_on = models.DateField(_("date limite de dépôt"), null=True, blank=True)
    url = models.URLField(_("lien"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    access_rule = TeamOnly()

    class Meta:
        ordering = ["funder__name", "name"]
        verbose_name = _("programme de financement")
        verbose_name_plural = _("programmes de financement")
        constraints = [
            models.UniqueConstraint(fields=["funder", "name"], name="unique_funder_programme_name"),
            models.CheckConstraint(
                condition=Q(closes_on__isnull=True)
                | Q(opens_on__isnull=True)
                | Q(closes_on__gte=models.F("opens_on")),
                name="funder_programme_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.funder} — {self.name}"


class FundingSettings(models.Model):
    """Per project: whether staff share the budget and the funding plan with the collective (read-only in
    the portal). Absent means not shared."""

    project = models.OneToOneField(
        "projects.Project",
        verbose_name=_("projet"),
        on_delete=models.CASCADE,
        related_name="funding_settings",
    )
    shared_with_collective = models.BooleanField(_("budget partagé avec le collectif"), default=False)

    access_rule = ThroughProject()
    audit_name = "funding_settings"

    class Meta:
        verbose_name = _("partage du budget")
        verbose_name_plural = _("partages du budget")

    def __str__(self) -> str:
        return str(self.project)


# --- Budget -------------------------------------------------------------------------------------------


class BudgetVersion(models.TextChoices):
    PLANNED = "planned", _("Prévisionnel")
    ACTUAL = "actual", _("Réalisé")


class LineSide(models.TextChoices):
    EXPENSE = "expense", _("Charges")
    RESOURCE = "resource", _("Produits")
    IN_KIND = "in_kind", _("Contributions en nature")


class LineNature(models.TextChoices):
    # Charges
    PERSONNEL = "personnel", _("Personnel")
    SERVICES = "services", _("Prestations")
    OVERHEADS = "overheads", _("Frais de structure")
    TRAVEL = "travel", _("Déplacements")
    INVESTMENT = "investment", _("Investissement")
    OTHER_EXPENSE = "other_expense", _("Autres charges")
    # Produits
    GRANT = "grant", _("Subvention / financement")
    OWN_FUNDS = "own_funds", _("Fonds propres")
    REVENUE = "revenue", _("Recettes")
    OTHER_RESOURCE = "other_resource", _("Autres produits")
    # Contributions en nature (valorisées, à part)
    VOLUNTEERING = "volunteering", _("Bénévolat")
    PROVISION = "provision", _("Mise à disposition (biens, locaux, personnel)")


#: Which natures belong to which side of the budget.
NATURES_BY_SIDE: dict[str, list[str]] = {
    LineSide.EXPENSE: [
        LineNature.PERSONNEL,
        LineNature.SERVICES,
        LineNature.OVERHEADS,
        LineNature.TRAVEL,
        LineNature.INVESTMENT,
        LineNature.OTHER_EXPENSE,
    ],
    LineSide.RESOURCE: [
        LineNature.GRANT,
        LineNature.OWN_FUNDS,
        LineNature.REVENUE,
        LineNature.OTHER_RESOURCE,
    ],
    LineSide.IN_KIND: [LineNature.VOLUNTEERING, LineNature.PROVISION],
}


class Budget(models.Model):
    """One version (prévisionnel or réalisé) of a project's budget for one phase."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("projet"), on_delete=models.CASCADE, related_name="budgets"
    )
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    version = models.CharField(_("version"), max_length=10, choices=BudgetVersion.choices)
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    access_rule = ThroughProject(shared_field=f"project__{SHARED}")

    class Meta:
        ordering = ["project", "phase", "version"]
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "phase", "version"], name="one_budget_per_phase_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project} — {self.get_phase_display()} ({self.get_version_display()})"


class BudgetLine(models.Model):
    """One line of a budget: a charge, a product (a funding line linked to its request) or a valued
    in-kind contribution (shown apart, never counted in the balance)."""

    budget = models.ForeignKey(
        Budget, verbose_name=_("budget"), on_delete=models.CASCADE, related_name="lines"
    )
    side = models.CharField(_("côté"), max_length=10, choices=LineSide.choices)
    nature = models.CharField(_("nature"), max_length=20, choices=LineNature.choices)
    label = models.CharField(_("libellé"), max_length=200)
    amount = _amount(_("montant (€)"))
    # A product line's request (and through it the convention); null for own funds, revenue, charges.
    request = models.ForeignKey(
        "projects.FundingRequest",
        verbose_name=_("demande de financement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="budget_lines",
    )

    access_rule = ThroughProject(path="budget__project", shared_field=f"budget__project__{SHARED}")

    class Meta:
        ordering = ["budget", "side", "nature", "id"]
        verbose_name = _("ligne de budget")
        verbose_name_plural = _("lignes de budget")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_line_amount_positive"),
            models.UniqueConstraint(fields=["budget", "side", "label"], name="unique_budget_line_label"),
        ]

    def __str__(self) -> str:
        return self.label


# --- Funding requests -------------------------------------------------------------------------------


class RequestStatus(models.TextChoices):
    PREPARING = "preparing", _("En préparation")
    SUBMITTED = "submitted", _("Déposée")
    GRANTED = "granted", _("Accordée")
    PARTIAL = "partial", _("Partiellement accordée")
    REFUSED = "refused", _("Refusée")


#: Statuses whose money is secured (a decision granted it).
SECURED_STATUSES = (RequestStatus.GRANTED, RequestStatus.PARTIAL)
#: Statuses whose money is asked for and not decided yet.
PENDING_STATUSES = (RequestStatus.PREPARING, RequestStatus.SUBMITTED)


class FundingRequest(PeriodRecord):
    """A demande de subvention or an answer to a call for projects, from preparation to the decision."""

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("projet"),
        on_delete=models.CASCADE,
        related_name="funding_requests",
    )
    funder = models.ForeignKey(
        "programme.Organisation",
        verbose_name=_("financeur"),
        on_delete=models.PROTECT,
        related_name="funding_requests",
    )
    funder_programme = models.ForeignKey(
        FunderProgramme,
        verbose_name=_("programme / appel"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
    )
    # The phase the money is for; blank: the whole project.
    phase = models.CharField(_("phase financée"), max_length=20, choices=Phase.choices, blank=True)
    title = models.CharField(_("objet de la demande"), max_length=200)
    amount_requested = _amount(_("montant demandé (€)"))
    submitted_on = models.DateField(_("déposée le"), null=True, blank=True)
    status = models.CharField(
        _("état"),
        max_length=10,
        choices=RequestStatus.choices,
        default=RequestStatus.PREPARING,
        db_index=True,
    )
    decided_on = models.DateField(_("date de la décision"), null=True, blank=True)
    amount_granted = _amount(_("montant accordé (€)"), null=True, blank=True)
    # Why the last status change was made (a refusal's motive, a partial grant's conditions…).
    status_reason = models.TextField(_("motif"), blank=True)
    contact = models.ForeignKey(
        "programme.Person",
        verbose_name=_("contact chez le financeur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    access_rule = ThroughProject(shared_field=f"project__{SHARED}")
    audit_name = "funding_request"

    class Meta:
        ordering = ["project", "period_start", "id"]
        verbose_name = _("demande de financement")
        verbose_name_plural = _("demandes de financement")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "funder", "title"], name="unique_funding_request_title"
            ),
            models.CheckConstraint(condition=Q(amount_requested__gte=0), name="request_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_granted__isnull=True) | Q(amount_granted__gte=0),
                name="granted_amount_positive",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="request_period_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.funder} — {self.title}"

    @property
    def is_secured(self) -> bool:
        return self.status in SECURED_STATUSES


def funding_upload_to(instance: "RequestDocument", filename: str) -> str:
    """Random names under the project's folder, as for every private file."""
    import uuid

    return f"projects/{instance.project_id}/funding/{uuid.uuid4().hex}{instance.extension}"


class RequestDocument(FileVersion):
    """A private file of a request (dossier déposé, notification, convention signée…), served through
    `programme.files`. Team only."""

    request = models.ForeignKey(
        FundingRequest, verbose_name=_("demande"), on_delete=models.CASCADE, related_name="documents"
    )
    file = models.FileField(_("fichier"), upload_to=funding_upload_to, max_length=255)

    access_rule = TeamOnly()

    class Meta(FileVersion.Meta):
        verbose_name = _("document de demande")
        verbose_name_plural = _("documents de demande")
        constraints = [
            models.UniqueConstraint(fields=["request", "number"], name="unique_request_document_number")
        ]


# --- Conventions ------------------------------------------------------------------------------------


class Convention(PeriodRecord):
    """The signed agreement that follows a granted request: period, amount, conditions, schedule."""

    # Denormalised from the request (set by the service) so per-project and programme sums join once.
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("projet"), on_delete=models.CASCADE, related_name="conventions"
    )
    request = models.OneToOneField(
        FundingRequest, verbose_name=_("demande"), on_delete=models.PROTECT, related_name="convention"
    )
    reference = models.CharField(_("référence"), max_length=100)
    signed_on = models.DateField(_("signée le"))
    amount_granted = _amount(_("montant conventionné (€)"))
    conditions = models.TextField(_("conditions"), blank=True)
    access_rule = ThroughProject(shared_field=f"project__{SHARED}")

    class Meta:
        ordering = ["project", "signed_on", "id"]
        verbose_name = _("convention")
        verbose_name_plural = _("conventions")
        constraints = [
            models.UniqueConstraint(fields=["project", "reference"], name="unique_convention_reference"),
            models.CheckConstraint(condition=Q(amount_granted__gte=0), name="convention_amount_positive"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="convention_period_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class InstalmentKind(models.TextChoices):
    ADVANCE = "advance", _("Avance à la signature")
    INTERIM = "interim", _("Acompte")
    BALANCE = "balance", _("Solde sur compte-rendu")


class Instalment(ConventionPart):
    """One expected payment of a convention's schedule. What was received comes from `Payment`."""

    convention = models.ForeignKey(
        Convention, verbose_name=_("convention"), on_delete=models.CASCADE, related_name="instalments"
    )
    kind = models.CharField(_("nature"), max_length=10, choices=InstalmentKind.choices)
    due_on = models.DateField(_("échéance"), db_index=True)
    amount = _amount(_("montant (€)"))
    condition = models.CharField(_("condition de versement"), max_length=200, blank=True)

    class Meta:
        ordering = ["convention", "due_on", "id"]
        verbose_name = _("échéance de versement")
        verbose_name_plural = _("échéances de versement")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="instalment_amount_positive"),
            models.UniqueConstraint(fields=["convention", "kind", "due_on"], name="unique_instalment"),
        ]
        indexes = [
            # What `selectors.unpaid_instalments` reads per instalment: the convention's earlier instalments
            # in date order and their amounts, from the index alone.
            models.Index(fields=["convention", "due_on", "id", "amount"], name="instalment_running_total"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {fr_date(self.due_on)}"


class Payment(ConventionPart):
    """Money received on a convention. Payments settle the instalments in the order of their due dates
    (`selectors.allocate`); more than what the convention still owes needs `excess_reason`."""

    convention = models.ForeignKey(
        Convention, verbose_name=_("convention"), on_delete=models.CASCADE, related_name="payments"
    )
    received_on = models.DateField(_("reçu le"), db_index=True)
    amount = _amount(_("montant (€)"))
    reference = models.CharField(_("référence du virement"), max_length=100, blank=True)
    excess_reason = models.TextField(_("motif du dépassement"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saisi par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["convention", "received_on", "id"]
        verbose_name = _("versement reçu")
        verbose_name_plural = _("versements reçus")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            # The same payment entered twice (a double click, a reloaded page) is one row.
            models.UniqueConstraint(
                fields=["convention", "received_on", "amount", "reference"], name="unique_payment"
            ),
        ]
        indexes = [
            # What a convention received (summed per instalment by `selectors.unpaid_instalments`).
            models.Index(fields=["convention", "amount"], name="payment_convention_total"),
        ]

    def __str__(self) -> str:
        return f"{self.convention} — {fr_date(self.received_on)}"


class JustificationKind(models.TextChoices):
    FINANCIAL = "financial", _("Compte-rendu financier (Cerfa 15059)")
    ACTIVITY = "activity", _("Rapport d’activité final")
    OTHER = "other", _("Autre justificatif")


class JustificationStatus(models.TextChoices):
    DUE = "due", _("À produire")
    SENT = "sent", _("Transmis")
    ACCEPTED = "accepted", _("Accepté")


class Justification(ConventionPart):
    """What a convention asks the project to hand in, by when (the compte-rendu financier within six months
    of the year end, the final activity report…), and where it stands."""

    convention = models.ForeignKey(
        Convention, verbose_name=_("convention"), on_delete=models.CASCADE, related_name="justifications"
    )
    kind = models.CharField(_("nature"), max_length=10, choices=JustificationKind.choices)
    # The financial year (or period) it covers ends on this date.
    covers_until = models.DateField(_("période couverte jusqu’au"), null=True, blank=True)
    due_on = models.DateField(_("à remettre le"), db_index=True)
    status = models.CharField(
        _("état"), max_length=10, choices=JustificationStatus.choices, default=JustificationStatus.DUE
    )
    sent_on = models.DateField(_("transmis le"), null=True, blank=True)

    class Meta:
        ordering = ["convention", "due_on", "id"]
        verbose_name = _("justificatif attendu")
        verbose_name_plural = _("justificatifs attendus")
        constraints = [
            models.UniqueConstraint(fields=["convention", "kind", "due_on"], name="unique_justification"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {fr_date(self.due_on)}"

    def is_late(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status == JustificationStatus.DUE and self.due_on < today


ZERO = Decimal("0.00")
