"""The inbox sources of projects and prospects (registered on import by `registry.sources()`).

Who an item goes to by default: the project's staff leads (gate decisions due; a submitted deliverable
without a team owner), the deliverable's or the action's team owner, the owner of an exchange's next
action (else its author), the prospect's follow-up person, the importer. A prospect's next action is its
latest exchange's: the prospects source leaves out a next action an open exchange already lists."""

from collections.abc import Callable
from datetime import date, timedelta
from functools import cache
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from programme.models import User
from programme.pages import reverse_pattern
from prospects.models import Exchange, ImportFile, ImportStatus, Prospect
from prospects.services import CLOSED_STAGES

from ..mailing.models import EmailStatus, OutgoingEmail
from ..models import (
    OPEN_ACTION_STATUSES,
    Action,
    Deliverable,
    DeliverableStatus,
    DeliverableVersion,
    Phase,
    PhasePeriod,
    Project,
)
from .registry import Line, register_source

#: Actions show up this many days before they fall due.
ACTION_NOTICE_DAYS = 7

# How a row's date reads: one lazy label each, translated once per page (not once per row).
SUBMITTED_ON = gettext_lazy("déposé le")
PLANNED_END_ON = gettext_lazy("fin prévue le")
DUE_ON = gettext_lazy("échéance le")
PLANNED_ON = gettext_lazy("prévue le")


@cache
def _pattern(name: str) -> str:
    return reverse_pattern(name)


def url_to(name: str, arg: object) -> str:
    """`reverse(name, args=[arg])` without resolving the pattern again for every row of a long list."""
    return _pattern(name).format(arg)


def url_to_page(name: str) -> "Callable[[], str]":
    """A page without arguments, reversed once."""
    return cache(lambda: reverse(name))


def name_of(user: User | None) -> str:
    return (user.get_full_name() or user.email) if user is not None else ""


def led_by(user_id: int, path: str = "project_id") -> Q:
    """The row's project is steered by the user (one of its staff leads), as an EXISTS: no duplicate rows."""
    leads = Project.staff_leads.through.objects.filter(project_id=OuterRef(path), user_id=user_id)
    return Q(Exists(leads))


def late_days(day: date | None, today: date) -> int:
    return max(0, (today - day).days) if day is not None else 0


# --- Deliverables submitted by the collective, to review -------------------------------------------------


def _deliverables(today: date) -> QuerySet[Deliverable]:
    last_upload = DeliverableVersion.objects.filter(deliverable=OuterRef("pk")).order_by("-uploaded_at")
    return (
        Deliverable.objects.filter(status=DeliverableStatus.SUBMITTED)
        .annotate(submitted_at=Subquery(last_upload.values("uploaded_at")[:1]))
        .order_by(F("submitted_at").asc(nulls_first=True), "pk")
    )


register_source(
    "deliverables",
    gettext_lazy("Livrables déposés à examiner"),
    _deliverables,
    lambda r: url_to("projects:project.deliverables", r["project"]),
    default_for=lambda uid: Q(owner_user_id=uid) | (Q(owner_user__isnull=True) & led_by(uid)),
    columns={
        "title": "title",
        "about": "project__title",
        "project": "project_id",
        "owner": "owner_user_id",
        "day": "submitted_at",
    },
    owner="owner",
    leads="project",
    line=lambda r, today: Line(r["title"], r["about"], r["day"], SUBMITTED_ON),
    order=10,
    help=gettext_lazy("Déposés par le collectif : validez-les ou renvoyez-les pour reprise."),
)


# --- Gate decisions due: the current phase is past its planned end ---------------------------------------


def _gates(today: date) -> QuerySet[PhasePeriod]:
    return PhasePeriod.objects.filter(
        actual_end__isnull=True, planned_end__lte=today, phase=F("project__phase")
    ).order_by("planned_end", "pk")


@cache
def _phase_end(phase: str, language: str | None) -> str:
    """The gate's title, once per phase and language (a page lists dozens of gates)."""
    return _("Fin de la phase « %(phase)s »") % {"phase": Phase(phase).label}


register_source(
    "gates",
    gettext_lazy("Décisions d’étape à préparer"),
    _gates,
    lambda r: url_to("projects:gate.dossier", r["project"]),
    default_for=lambda uid: led_by(uid),
    columns={"phase": "phase", "about": "project__title", "project": "project_id", "day": "planned_end"},
    leads="project",
    line=lambda r, today: Line(
        _phase_end(r["phase"], get_language()),
        r["about"],
        r["day"],
        PLANNED_END_ON,
        late_days(r["day"], today),
    ),
    order=20,
    help=gettext_lazy("La phase a atteint sa fin prévue : le dossier de décision attend."),
)


# --- Actions owned by a team member, late or due within a week --------------------------------------------


def _actions(today: date) -> QuerySet[Action]:
    return Action.objects.filter(
        status__in=OPEN_ACTION_STATUSES,
        owner_user__isnull=False,
        due_date__lte=today + timedelta(days=ACTION_NOTICE_DAYS),
    ).order_by("due_date", "pk")


register_source(
    "actions",
    gettext_lazy("Actions à faire"),
    _actions,
    lambda r: url_to("projects:action.edit", r["pk"]),
    default_for=lambda uid: Q(owner_user_id=uid),
    columns={"title": "title", "about": "project__title", "owner": "owner_user_id", "day": "due_date"},
    owner="owner",
    line=lambda r, today: Line(r["title"], r["about"], r["day"], DUE_ON, late_days(r["day"], today)),
    order=30,
    help=gettext_lazy("En retard ou à échéance dans les 7 prochains jours."),
)


# --- Next actions of exchanges, due today or late ---------------------------------------------------------


def _exchanges(today: date) -> QuerySet[Exchange]:
    return Exchange.objects.filter(next_action_done_on__isnull=True, next_action_date__lte=today).order_by(
        "next_action_date", "pk"
    )


def _exchange_url(r: dict[str, Any]) -> str:
    if r["prospect"]:
        return url_to("prospects:prospect.detail", r["prospect"])
    return url_to("programme:organisation.detail", r["organisation"])


def _next_action_line(r: dict[str, Any], today: date) -> Line:
    """A next action planned on a day (an exchange's, a prospect's)."""
    return Line(
        r["title"] or _("Prochaine action"), r["about"], r["day"], PLANNED_ON, late_days(r["day"], today)
    )


register_source(
    "exchanges",
    gettext_lazy("Prochaines actions des échanges"),
    _exchanges,
    _exchange_url,
    default_for=lambda uid: Q(owner_id=uid) | Q(owner__isnull=True, user_id=uid),
    columns={
        "title": "next_action",
        "about": "organisation__name",
        "prospect": "prospect_id",
        "organisation": "organisation_id",
        "owner": Coalesce("owner_id", "user_id"),
        "day": "next_action_date",
    },
    owner="owner",
    line=_next_action_line,
    order=40,
    help=gettext_lazy("Prévues aujourd’hui ou en retard."),
)


# --- Prospects whose next action is late (not already listed as an exchange's) ----------------------------


def _prospects(today: date) -> QuerySet[Prospect]:
    same_open_exchange = Exchange.objects.filter(
        prospect=OuterRef("pk"),
        next_action_done_on__isnull=True,
        next_action_date=OuterRef("next_action_date"),
        next_action=OuterRef("next_action"),
    )
    return (
        Prospect.objects.filter(next_action_date__lt=today)
        .exclude(stage__in=CLOSED_STAGES)
        .exclude(Exists(same_open_exchange))
        .order_by("next_action_date", "pk")
    )


register_source(
    "prospects",
    gettext_lazy("Prospects à relancer"),
    _prospects,
    lambda r: url_to("prospects:prospect.detail", r["pk"]),
    default_for=lambda uid: Q(owner_id=uid),
    columns={
        "title": "next_action",
        "about": "organisation__name",
        "owner": "owner_id",
        "day": "next_action_date",
    },
    owner="owner",
    line=_next_action_line,
    order=50,
    help=gettext_lazy("Leur prochaine action est en retard."),
)


# --- Imports waiting for their uploader's confirmation ----------------------------------------------------


def _imports(today: date) -> QuerySet[ImportFile]:
    return ImportFile.objects.filter(status=ImportStatus.PENDING).order_by("created_at", "pk")


register_source(
    "imports",
    gettext_lazy("Imports à confirmer"),
    _imports,
    lambda r: url_to("prospects:import.preview", r["token"]),
    default_for=lambda uid: Q(uploaded_by_id=uid),
    columns={"title": "file_name", "token": "token", "owner": "uploaded_by_id", "day": "created_at"},
    owner="owner",
    line=lambda r, today: Line(r["title"], _("Import de prospects"), r["day"], SUBMITTED_ON),
    order=60,
    # Only the uploader may preview and confirm an import: it cannot be handed to someone else.
    reassignable=False,
    help=gettext_lazy("Vérifiez l’aperçu puis confirmez (ou abandonnez) l’import."),
)


# --- E-mails the retries could not send -------------------------------------------------------------------

WRITTEN_ON = gettext_lazy("écrit le")


def _failed_emails(today: date) -> QuerySet[OutgoingEmail]:
    return OutgoingEmail.objects.filter(status=EmailStatus.FAILED).order_by("created_at", "pk")


register_source(
    "failed_emails",
    gettext_lazy("E-mails non partis"),
    _failed_emails,
    lambda r: url_to("projects:mailing.sent.detail", r["pk"]),
    default_for=lambda uid: Q(sender_id=uid),
    columns={"title": "subject", "about": "to", "owner": "sender_id", "day": "created_at"},
    owner="owner",
    line=lambda r, today: Line(r["title"], r["about"], r["day"], WRITTEN_ON),
    order=70,
    # Sent again (« Renvoyer »), it leaves the list; a message nobody will send again is marked as seen,
    # and comes back if a new attempt fails.
    seen_after="claimed_at",
    help=gettext_lazy(
        "Le serveur d’envoi les a refusés : voyez l’erreur, corrigez l’adresse puis renvoyez-les."
    ),
)
