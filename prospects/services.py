"""Writes on prospects: keyword-only, typed, atomic, audited. Stage changes lock the row and check the
allowed moves; a refused move raises a ValidationError whose message says why, in French."""

import hashlib
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from programme import access, bulk
from programme.audit import Edit, audit_log, audit_many, save_audited
from programme.bulk_actions import BulkNouns, BulkResult, locked_rows
from programme.identity import normalise_name, normalise_town, search_key
from programme.models import (
    KIND_FAMILY,
    AuditEntry,
    Cohort,
    Organisation,
    Person,
    Programme,
    Territory,
    Theme,
    User,
)
from programme.privacy import erase_names

from . import importing
from .models import (
    STAGE_RANK,
    Criterion,
    Decision,
    Event,
    Exchange,
    ExchangeKind,
    ImportFile,
    ImportStatus,
    Interview,
    InterviewStatus,
    Prospect,
    Score,
    ScoringGrid,
    SelectionDecision,
    Source,
    Stage,
    StageChange,
)

# --- Stage rules ----------------------------------------------------------------------------------

#: Moves a person may make by hand (list, board, detail page). Pré-qualifié comes from a completed
#: interview, Retenu / Non retenu from the selection committee: those moves are refused here.
MANUAL_MOVES: dict[str, set[str]] = {
    Stage.IDENTIFIED: {Stage.CONTACTED, Stage.INTERESTED, Stage.INTERVIEW_PLANNED, Stage.DISCARDED},
    Stage.CONTACTED: {Stage.IDENTIFIED, Stage.INTERESTED, Stage.INTERVIEW_PLANNED, Stage.DISCARDED},
    Stage.INTERESTED: {Stage.CONTACTED, Stage.INTERVIEW_PLANNED, Stage.DISCARDED},
    Stage.INTERVIEW_PLANNED: {Stage.INTERESTED, Stage.DISCARDED},
    Stage.PREQUALIFIED: {Stage.CANDIDATE, Stage.DISCARDED},
    Stage.CANDIDATE: {Stage.PREQUALIFIED, Stage.DISCARDED},
    Stage.RETAINED: set(),
    Stage.NOT_RETAINED: set(),
    Stage.DISCARDED: {Stage.IDENTIFIED},
}

#: Stages before the interview: scheduling an interview moves them to "entretien planifié", completing
#: one moves them to "pré-qualifié".
BEFORE_INTERVIEW = {Stage.IDENTIFIED, Stage.CONTACTED, Stage.INTERESTED, Stage.INTERVIEW_PLANNED}
CLOSED_STAGES = {Stage.RETAINED, Stage.NOT_RETAINED, Stage.DISCARDED}


def move_refusal(*, from_stage: str, to_stage: str, reason: str = "") -> str | None:
    """Why a manual move is refused (a French sentence), or None when it is allowed."""
    labels = dict(Stage.choices)
    if to_stage not in labels:
        return _("Étape inconnue.")
    if from_stage == to_stage:
        return _("Le prospect est déjà à l’étape « %(stage)s ».") % {"stage": labels[to_stage]}
    if from_stage in (Stage.RETAINED, Stage.NOT_RETAINED):
        return _("La décision du comité de sélection est définitive : le prospect ne change plus d’étape.")
    if to_stage in (Stage.RETAINED, Stage.NOT_RETAINED):
        return _("Seul le comité de sélection retient ou non un candidat (page Sélection).")
    if to_stage == Stage.PREQUALIFIED and from_stage != Stage.CANDIDATE:
        return _(
            "Un prospect devient pré-qualifié quand son entretien de pré-qualification est terminé "
            "(notes et recommandation saisies)."
        )
    if to_stage == Stage.CANDIDATE and from_stage != Stage.PREQUALIFIED:
        return _("Seul un prospect pré-qualifié peut devenir candidat.")
    if to_stage not in MANUAL_MOVES[from_stage]:
        return _("Passage de « %(from)s » à « %(to)s » impossible.") % {
            "from": labels[from_stage],
            "to": labels[to_stage],
        }
    if to_stage == Stage.DISCARDED and not reason.strip():
        return _("Indiquez pourquoi le prospect est écarté.")
    return None


def allowed_moves(stage: str) -> list[str]:
    """Manual target stages from `stage`, in pipeline order (for the board's "déplacer vers" menu)."""
    return [value for value in Stage.values if value in MANUAL_MOVES[stage]]


def _set_stage(prospect: Prospect, to_stage: str, *, actor: User | None, reason: str = "") -> None:
    """Apply a stage change already checked by the caller, with its history row and audit entry."""
    from_stage = prospect.stage
    prospect.stage = to_stage
    prospect.furthest_rank = max(prospect.furthest_rank, STAGE_RANK.get(to_stage, 0))
    prospect.discard_reason = reason.strip() if to_stage == Stage.DISCARDED else ""
    prospect.stage_changed_at = timezone.now()
    prospect.save(
        update_fields=["stage", "furthest_rank", "discard_reason", "stage_changed_at", "updated_at"]
    )
    StageChange.objects.create(
        prospect=prospect,
        from_stage=from_stage,
        to_stage=to_stage,
        reason=reason.strip(),
        changed_by=actor if actor is not None and actor.is_authenticated else None,
    )
    labels = dict(Stage.choices)
    audit_log(
        actor=actor,
        obj=prospect,
        action="prospect.stage_changed",
        changes={"stage": [str(labels.get(from_stage, from_stage)), str(labels[to_stage])]},
    )


#: A stage change already checked by its caller (a call for applications gives its prospects its stage).
set_stage = _set_stage


@transaction.atomic
def prospect_move(*, actor: User, prospect: Prospect, to_stage: str, reason: str = "") -> Prospect:
    """Move a prospect by hand (board, detail page). Refused moves raise ValidationError(why)."""
    prospect = Prospect.objects.select_for_update().select_related("organisation").get(pk=prospect.pk)
    refusal = move_refusal(from_stage=prospect.stage, to_stage=to_stage, reason=reason)
    if refusal:
        raise ValidationError(refusal, code="refused_move")
    _set_stage(prospect, to_stage, actor=actor, reason=reason)
    return prospect


# --- Prospects, interactions, events ----------------------------------------------------------------


def organisation_match(*, siren: str = "", name: str = "", town: str = "") -> Organisation | None:
    """The existing structure an entry designates: same SIREN first, then same normalised name + town."""
    if siren:
        found = Organisation.objects.filter(siren=siren).first()
        if found:
            return found
    if name:
        return Organisation.objects.filter(
            normalised_name=normalise_name(name), normalised_town=normalise_town(town or "")
        ).first()
    return None


@dataclass(frozen=True)
class NewOrganisation:
    """A structure typed in along with its prospect (not known yet)."""

    name: str
    kind: str
    town: str = ""
    siren: str = ""


@transaction.atomic
def organisation_create(*, actor: User | None, new: NewOrganisation) -> Organisation:
    organisation = Organisation.objects.create(
        name=new.name.strip(), kind=new.kind, town=new.town.strip(), siren=new.siren
    )
    audit_log(actor=actor, obj=organisation, action="organisation.created")
    return organisation


@transaction.atomic
def prospect_create(
    *,
    actor: User | None,
    programme: Programme,
    organisation: Organisation | NewOrganisation,
    source: str = Source.WATCH,
    audience: str | None = None,
    owner: User | None = None,
    cohort: Cohort | None = None,
    next_action: str = "",
    next_action_date: date | None = None,
    notes: str = "",
    project_idea: str = "",
    themes: Iterable[Theme] | None = None,
    territory: Territory | None = None,
) -> Prospect:
    """A structure becomes a prospect of the programme (a new structure is created first)."""
    if isinstance(organisation, NewOrganisation):
        organisation = organisation_create(actor=actor, new=organisation)
    elif Prospect.objects.filter(programme=programme, organisation=organisation).exists():
        raise ValidationError(
            _("« %(name)s » est déjà un prospect de ce programme.") % {"name": organisation.name},
            code="duplicate",
        )
    prospect = Prospect.objects.create(
        programme=programme,
        organisation=organisation,
        source=source,
        audience=audience or organisation.family,
        owner=owner,
        cohort=cohort,
        next_action=next_action,
        next_action_date=next_action_date,
        notes=notes,
        project_idea=project_idea,
        territory=territory if territory is not None else organisation.territory,
        stage_changed_at=timezone.now(),
    )
    prospect.themes.set(themes if themes is not None else organisation.themes.all())
    StageChange.objects.create(prospect=prospect, to_stage=Stage.IDENTIFIED, changed_by=actor)
    audit_log(actor=actor, obj=prospect, action="prospect.created", changes={"source": [None, source]})
    return prospect


@transaction.atomic
def prospect_update(*, actor: User, edit: Edit[Prospect]) -> Prospect:
    return save_audited(actor=actor, edit=edit)


@transaction.atomic
def exchange_create(
    *,
    actor: User,
    edit: Edit[Exchange],
    prospect: Prospect | None = None,
    organisation: Organisation | None = None,
) -> Exchange:
    """Record an exchange with a structure: on its prospect record (`prospect`, whose next action becomes
    the exchange's) or on the structure itself (`organisation`). The next action is owned by whoever the
    form names, else the prospect's follow-up person, else the author."""
    if not access.is_team(actor):
        raise PermissionDenied
    exchange = edit.obj
    if prospect is not None:
        prospect = Prospect.objects.select_for_update().get(pk=prospect.pk)
        exchange.prospect = prospect
        exchange.organisation_id = prospect.organisation_id
    elif organisation is not None:
        exchange.organisation = organisation
    if not exchange.organisation_id:
        raise ValidationError(_("Choisissez la structure de cet échange."))
    if (
        exchange.contact_id
        and exchange.contact
        and exchange.contact.organisation_id != exchange.organisation_id
    ):
        raise ValidationError({"contact": [_("Ce contact n’appartient pas à cette structure.")]})
    exchange.user = actor
    if (exchange.next_action or exchange.next_action_date) and exchange.owner_id is None:
        exchange.owner_id = (prospect.owner_id if prospect is not None else None) or actor.pk
    exchange.save()
    if prospect is not None and (exchange.next_action or exchange.next_action_date):
        prospect.next_action = exchange.next_action
        prospect.next_action_date = exchange.next_action_date
        prospect.save(update_fields=["next_action", "next_action_date", "updated_at"])
    audit_log(
        actor=actor,
        obj=prospect if prospect is not None else exchange.organisation,
        action="prospect.exchange_added" if prospect is not None else "organisation.exchange_added",
        changes={"échange": [None, exchange.get_kind_display()]},
    )
    return exchange


@transaction.atomic
def exchanges_erase_for(person: Person, email: str) -> None:
    """The exchanges with a contact being anonymised keep what was said, not who said it: their name and
    address leave the subject, summary, outcome and next action (`programme.privacy.erase_names`; called
    by `programme.services.person_anonymise` through programme/privacy.py, in its transaction)."""
    fields = ["subject", "summary", "outcome", "next_action"]
    exchanges = list(Exchange.objects.filter(contact=person).only("pk", *fields))
    for exchange in exchanges:
        for name in fields:
            setattr(exchange, name, erase_names(getattr(exchange, name), person=person, email=email))
    Exchange.objects.bulk_update(exchanges, fields, batch_size=500)


@transaction.atomic
def exchange_next_action_done(*, actor: User, exchange: Exchange, on: date | None = None) -> Exchange:
    """Mark an exchange's next action done (it leaves the owner's inbox). A prospect whose next action is
    this one has it cleared too."""
    if not access.is_team(actor):
        raise PermissionDenied
    exchange = Exchange.objects.select_for_update().get(pk=exchange.pk)
    if not (exchange.next_action or exchange.next_action_date):
        raise ValidationError(_("Cet échange n’a pas de prochaine action."))
    if exchange.next_action_done_on is not None:
        return exchange
    exchange.next_action_done_on = on or timezone.localdate()
    exchange.save(update_fields=["next_action_done_on"])
    if exchange.prospect_id:
        Prospect.objects.filter(
            pk=exchange.prospect_id,
            next_action=exchange.next_action,
            next_action_date=exchange.next_action_date,
        ).update(next_action="", next_action_date=None, updated_at=timezone.now())
    audit_log(
        actor=actor,
        obj=exchange.organisation,
        action="organisation.exchange_done",
        changes={"prochaine action": [exchange.next_action, None]},
    )
    return exchange


@transaction.atomic
def event_link_prospect(*, actor: User, event: Event, prospect: Prospect) -> bool:
    """Record that a prospect was met at an event (and the matching timeline entry). False if already."""
    if event.prospects.filter(pk=prospect.pk).exists():
        return False
    event.prospects.add(prospect)
    Exchange.objects.create(
        organisation_id=prospect.organisation_id,
        prospect=prospect,
        kind=ExchangeKind.EVENT,
        date=event.date,
        user=actor,
        event=event,
        summary=_("Rencontré lors de « %(event)s ».") % {"event": event.name},
    )
    audit_log(
        actor=actor, obj=event, action="event.prospect_linked", changes={"prospect": [None, str(prospect)]}
    )
    return True


@transaction.atomic
def event_create_prospect(
    *,
    actor: User,
    event: Event,
    name: str,
    kind: str,
    town: str = "",
    siren: str = "",
    owner: User | None = None,
) -> Prospect:
    """A structure met at the event becomes a prospect (its existing record when it is already known)."""
    organisation = organisation_match(siren=siren, name=name, town=town) or organisation_create(
        actor=actor, new=NewOrganisation(name=name, kind=kind, town=town, siren=siren)
    )
    prospect = Prospect.objects.filter(programme=event.programme, organisation=organisation).first()
    if prospect is None:
        prospect = prospect_create(
            actor=actor,
            programme=event.programme,
            organisation=organisation,
            source=Source.EVENT,
            owner=owner,
        )
    event_link_prospect(actor=actor, event=event, prospect=prospect)
    return prospect


# --- Scoring grids --------------------------------------------------------------------------------

#: The default grid (label, weight, descriptors for 0, 1, 2, 3).
DEFAULT_CRITERIA: list[tuple[str, int, tuple[str, str, str, str]]] = [
    (
        "Potentiel de coopération",
        3,
        (
            "Aucun partenaire envisagé",
            "Partenaires cités mais pas encore approchés",
            "Partenaires approchés, intérêt exprimé",
            "Collectif déjà constitué et engagé",
        ),
    ),
    (
        "Maturité et stabilité de l’activité",
        2,
        (
            "Activité naissante ou fragile",
            "Activité lancée, modèle encore instable",
            "Activité stable depuis plus d’un an",
            "Activité solide, équipe et financements pérennes",
        ),
    ),
    (
        "Capacité à s’engager dans un cycle d’innovation",
        2,
        (
            "Pas de disponibilité pour expérimenter",
            "Intérêt sans moyens dédiés",
            "Moyens identifiés pour tester",
            "Démarche d’expérimentation déjà pratiquée",
        ),
    ),
    (
        "Ancrage territorial",
        2,
        (
            "Pas de présence locale",
            "Présence récente sur le territoire",
            "Acteur connu localement",
            "Acteur reconnu, en lien avec les collectivités",
        ),
    ),
    (
        "Contribution à l’intérêt général",
        2,
        (
            "Impact social non identifié",
            "Impact social supposé",
            "Impact social décrit et ciblé",
            "Impact social mesuré et documenté",
        ),
    ),
    (
        "Disponibilité de l’équipe",
        1,
        (
            "Personne ne peut porter le projet",
            "Disponibilité ponctuelle",
            "Une personne identifiée à temps partiel",
            "Une personne dédiée au projet",
        ),
    ),
]


@transaction.atomic
def grid_ensure_default(*, programme: Programme, actor: User | None = None) -> ScoringGrid:
    """The programme's current grid; the default six-criteria grid (version 1) when it has none."""
    Programme.objects.select_for_update().filter(pk=programme.pk).first()
    current = ScoringGrid.objects.filter(programme=programme).order_by("-version").first()
    if current is not None:
        return current
    return grid_new_version(
        actor=actor,
        programme=programme,
        criteria=[
            {
                "label": label,
                "weight": weight,
                "level_0": levels[0],
                "level_1": levels[1],
                "level_2": levels[2],
                "level_3": levels[3],
            }
            for label, weight, levels in DEFAULT_CRITERIA
        ],
    )


@transaction.atomic
def grid_new_version(
    *, actor: User | None, programme: Programme, criteria: list[dict[str, Any]]
) -> ScoringGrid:
    """Save a changed grid as a new version. Interviews keep the version they were planned with, so
    scores already given never change."""
    if not criteria:
        raise ValidationError(_("Une grille doit compter au moins un critère."), code="empty_grid")
    Programme.objects.select_for_update().filter(pk=programme.pk).first()
    last = ScoringGrid.objects.filter(programme=programme).aggregate(v=Max("version"))["v"] or 0
    grid = ScoringGrid.objects.create(programme=programme, version=last + 1, created_by=actor)
    Criterion.objects.bulk_create(
        Criterion(
            grid=grid,
            position=index,
            label=item["label"],
            weight=item["weight"],
            level_0=item["level_0"],
            level_1=item["level_1"],
            level_2=item["level_2"],
            level_3=item["level_3"],
        )
        for index, item in enumerate(criteria)
    )
    audit_log(
        actor=actor,
        obj=grid,
        action="grid.version_created",
        changes={"critères": [None, [item["label"] for item in criteria]]},
    )
    return grid


# --- Interviews and scores --------------------------------------------------------------------------

TWO_PLACES = Decimal("0.01")


def weighted_average(pairs: list[tuple[int, int]]) -> Decimal | None:
    """Σ(weight × value) / Σ weight on the 0–3 scale, rounded to two decimals (None without scores)."""
    total_weight = sum(weight for weight, _value in pairs)
    if not total_weight:
        return None
    total = sum(weight * value for weight, value in pairs)
    return (Decimal(total) / Decimal(total_weight)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@dataclass
class ScoreSummary:
    # interviewer id → weighted score (complete scorings only; None when every weight is 0)
    by_interviewer: dict[int, Decimal | None]
    mean: Decimal | None
    spread: Decimal | None
    complete: set[int]  # interviewers who scored every criterion


def score_summary(
    interview: Interview,
    *,
    criteria: Iterable[Criterion] | None = None,
    scores: Iterable[Score] | None = None,
) -> ScoreSummary:
    """Per-interviewer weighted scores, their mean and the spread (max − min) between interviewers."""
    criteria = list(criteria if criteria is not None else interview.grid.criteria.all())
    scores = list(scores if scores is not None else interview.scores.all())
    weights = {c.pk: c.weight for c in criteria}
    per: dict[int, list[tuple[int, int]]] = {}
    for score in scores:
        per.setdefault(score.interviewer_id, []).append((weights[score.criterion_id], score.value))
    complete = {uid for uid, pairs in per.items() if len(pairs) == len(criteria)}
    by_interviewer = {uid: weighted_average(per[uid]) for uid in complete}
    values = [v for v in by_interviewer.values() if v is not None]
    mean = (
        (sum(values, Decimal(0)) / len(values)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
        if values
        else None
    )
    spread = (max(values) - min(values)) if values else None
    return ScoreSummary(by_interviewer=by_interviewer, mean=mean, spread=spread, complete=complete)


@transaction.atomic
def interview_schedule(
    *,
    actor: User,
    prospect: Prospect,
    scheduled_at: datetime,
    interviewers: list[User],
    place: str = "",
    remote: bool = False,
    contacts: list[Person] | None = None,
) -> Interview:
    """Plan a pre-qualification interview on the programme's current grid."""
    prospect = Prospect.objects.select_for_update().select_related("programme").get(pk=prospect.pk)
    if prospect.stage in CLOSED_STAGES:
        raise ValidationError(
            _("Ce prospect n’est plus en cours de pré-qualification (%(stage)s).")
            % {"stage": prospect.get_stage_display()},
            code="closed",
        )
    if not interviewers:
        raise ValidationError(_("Désignez au moins un intervieweur."), code="no_interviewer")
    grid = grid_ensure_default(programme=prospect.programme, actor=actor)
    interview = Interview.objects.create(
        prospect=prospect,
        grid=grid,
        scheduled_at=scheduled_at,
        place=place,
        remote=remote,
        created_by=actor,
    )
    interview.interviewers.set(interviewers)
    interview.contacts.set(contacts or [])
    audit_log(actor=actor, obj=interview, action="interview.scheduled")
    if prospect.stage in BEFORE_INTERVIEW and prospect.stage != Stage.INTERVIEW_PLANNED:
        _set_stage(prospect, Stage.INTERVIEW_PLANNED, actor=actor)
    return interview


@transaction.atomic
def interview_score(*, actor: User, interview: Interview, values: dict[int, tuple[int, str]]) -> Interview:
    """Record the acting interviewer's score (0–3) and comment for every criterion of the grid."""
    interview = Interview.objects.select_for_update().get(pk=interview.pk)
    if interview.status != InterviewStatus.PLANNED:
        raise ValidationError(
            _("Cet entretien est %(status)s : ses notes ne peuvent plus changer.")
            % {"status": interview.get_status_display().lower()},
            code="locked",
        )
    if not interview.interviewers.filter(pk=actor.pk).exists():
        raise ValidationError(
            _("Seuls les intervieweurs de cet entretien peuvent le noter."), code="not_interviewer"
        )
    criteria = list(interview.grid.criteria.all())
    missing = [c.label for c in criteria if c.pk not in values]
    if missing:
        raise ValidationError(
            _("Notez chaque critère : %(missing)s.") % {"missing": ", ".join(missing)}, code="incomplete"
        )
    for criterion in criteria:
        value, comment = values[criterion.pk]
        if value not in (0, 1, 2, 3):
            raise ValidationError(_("Une note va de 0 à 3."), code="out_of_range")
        Score.objects.update_or_create(
            interview=interview,
            criterion=criterion,
            interviewer=actor,
            defaults={"value": value, "comment": comment},
        )
    summary = score_summary(interview, criteria=criteria)
    interview.weighted_score = summary.mean
    interview.score_spread = summary.spread
    interview.save(update_fields=["weighted_score", "score_spread"])
    audit_log(
        actor=actor,
        obj=interview,
        action="interview.scored",
        changes={"score": [None, str(summary.by_interviewer.get(actor.pk))]},
    )
    return interview


@transaction.atomic
def interview_complete(
    *, actor: User, interview: Interview, recommendation: str, rationale: str
) -> Interview:
    """Close an interview with its recommendation; the prospect becomes pré-qualifié."""
    interview = Interview.objects.select_for_update().get(pk=interview.pk)
    if interview.status != InterviewStatus.PLANNED:
        raise ValidationError(_("Cet entretien est déjà clos."), code="locked")
    if not rationale.strip():
        raise ValidationError(_("Justifiez la recommandation."), code="rationale")
    summary = score_summary(interview)
    waiting = [str(u) for u in interview.interviewers.all() if u.pk not in summary.complete]
    if waiting:
        raise ValidationError(
            _("Chaque intervieweur doit noter tous les critères avant la conclusion (manque : %(names)s).")
            % {"names": ", ".join(waiting)},
            code="incomplete",
        )
    interview.status = InterviewStatus.COMPLETED
    interview.recommendation = recommendation
    interview.rationale = rationale.strip()
    interview.completed_at = timezone.now()
    interview.weighted_score = summary.mean
    interview.score_spread = summary.spread
    interview.save()
    audit_log(
        actor=actor,
        obj=interview,
        action="interview.completed",
        changes={"recommandation": [None, interview.get_recommendation_display()]},
    )
    prospect = Prospect.objects.select_for_update().get(pk=interview.prospect_id)
    if prospect.stage in BEFORE_INTERVIEW:
        _set_stage(prospect, Stage.PREQUALIFIED, actor=actor)
    return interview


@transaction.atomic
def interview_cancel(*, actor: User, interview: Interview) -> Interview:
    interview = Interview.objects.select_for_update().get(pk=interview.pk)
    if interview.status != InterviewStatus.PLANNED:
        raise ValidationError(_("Cet entretien est déjà clos."), code="locked")
    interview.status = InterviewStatus.CANCELLED
    interview.save(update_fields=["status"])
    audit_log(actor=actor, obj=interview, action="interview.cancelled")
    return interview


# --- Selection ----------------------------------------------------------------------------------------


@transaction.atomic
def selection_decide(
    *,
    actor: User,
    cohort: Cohort,
    prospect: Prospect,
    decision: str,
    rationale: str,
    capacity_override: bool = False,
) -> SelectionDecision:
    """Record the committee's decision on a candidate. Directors only; the rationale is mandatory; the
    cohort's capacity cannot be exceeded without an explicit, recorded override. The cohort row is locked
    so two decisions taken at once cannot both take the last place."""
    if not actor.is_director:
        raise ValidationError(
            _("Seule la direction enregistre les décisions de sélection."), code="forbidden"
        )
    if decision not in Decision.values:
        raise ValidationError(_("Décision inconnue."), code="decision")
    if not rationale.strip():
        raise ValidationError(_("Motivez la décision : la motivation est obligatoire."), code="rationale")
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    prospect = Prospect.objects.select_for_update().select_related("organisation").get(pk=prospect.pk)
    if prospect.programme_id != cohort.programme_id:
        raise ValidationError(_("Ce candidat relève d’un autre programme."), code="programme")
    existing = SelectionDecision.objects.filter(cohort=cohort, prospect=prospect).first()
    if existing is not None and existing.decision != Decision.WAITING_LIST:
        raise ValidationError(
            _("Une décision « %(decision)s » est déjà enregistrée pour ce candidat.")
            % {"decision": existing.get_decision_display()},
            code="decided",
        )
    if existing is None and prospect.stage != Stage.CANDIDATE:
        raise ValidationError(
            _("Seul un candidat passe en comité de sélection (étape actuelle : %(stage)s).")
            % {"stage": prospect.get_stage_display()},
            code="not_candidate",
        )
    if decision == Decision.RETAINED:
        taken = SelectionDecision.retained_in(cohort)
        if taken >= cohort.capacity and not capacity_override:
            raise ValidationError(
                _(
                    "La promotion est complète (%(taken)s retenus pour %(capacity)s places). Pour retenir "
                    "ce candidat quand même, cochez « Dépasser la capacité » et motivez-le."
                )
                % {"taken": taken, "capacity": cohort.capacity},
                code="capacity",
            )
        capacity_override = capacity_override and taken >= cohort.capacity
    else:
        capacity_override = False
    before = existing.get_decision_display() if existing else None
    if existing is None:
        record = SelectionDecision.objects.create(
            cohort=cohort,
            prospect=prospect,
            decision=decision,
            rationale=rationale.strip(),
            capacity_override=capacity_override,
            decided_by=actor,
        )
    else:
        record = existing
        record.decision = decision
        record.rationale = rationale.strip()
        record.capacity_override = capacity_override
        record.decided_by = actor
        record.decided_at = timezone.now()
        record.save()
    if prospect.cohort_id != cohort.pk:
        prospect.cohort = cohort
        prospect.save(update_fields=["cohort", "updated_at"])
    if decision == Decision.RETAINED:
        _set_stage(prospect, Stage.RETAINED, actor=actor)
    elif decision == Decision.NOT_RETAINED:
        _set_stage(prospect, Stage.NOT_RETAINED, actor=actor)
    changes: dict[str, list[Any]] = {"décision": [before, record.get_decision_display()]}
    if capacity_override:
        changes["dépassement de capacité"] = [None, True]
    audit_log(actor=actor, obj=record, action="selection.decided", changes=changes)
    return record


# --- Imports of watch spreadsheets -----------------------------------------------------------------

IMPORT_DIR = "imports/prospects"

#: A previewed but never confirmed import is dropped after this long (its file is private data).
#: A confirmed import not finished after this long is handed to the queue again by the sweeper.
IMPORT_REQUEUE_AFTER = timedelta(minutes=10)
ABANDONED_AFTER = timedelta(days=2)
#: The share of a running import's progress bar given to reading and checking its rows (the rest: writing).
CHECKED_PERCENT = 90

logger = logging.getLogger(__name__)


@transaction.atomic
def import_file_create(*, actor: User, programme: Programme, upload: "UploadedFile[bytes]") -> ImportFile:
    """Store an uploaded spreadsheet privately and record it, its columns mapped from the headers.
    Raises ImportFileError (why, in French) when the file as a whole cannot be read: nothing is kept."""
    content = upload.read()
    headers, _body = importing.read_table(content)
    token = secrets.token_urlsafe(24)
    path = default_storage.save(f"{IMPORT_DIR}/{token}", ContentFile(content))
    import_file = ImportFile.objects.create(
        token=token,
        programme=programme,
        uploaded_by=actor,
        file_name=(upload.name or "")[:255],
        path=path,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        mapping=importing.auto_mapping(headers),
    )
    audit_log(actor=actor, obj=import_file, action="import.uploaded")
    return import_file


@transaction.atomic
def import_file_map(*, actor: User, import_file: ImportFile, mapping: dict[str, str]) -> ImportFile:
    """Change which target field each column of a pending import feeds."""
    before = import_file.mapping
    import_file.mapping = mapping
    import_file.save(update_fields=["mapping"])
    audit_log(actor=actor, obj=import_file, action="import.mapped", changes={"mapping": [before, mapping]})
    return import_file


@transaction.atomic
def import_confirm(
    *, actor: User, import_file: ImportFile, skip_invalid: bool, preview: importing.Preview
) -> bool:
    """Queue a pending import (run after commit, in the background). `preview` is the file as classified
    just now; missing columns, or invalid rows not explicitly skipped, raise ValidationError (a dict:
    `__all__` or `skip_invalid`). False when the import was no longer pending (confirmed twice)."""
    if preview.missing:
        raise ValidationError(_("Associez d’abord une colonne à chaque champ obligatoire."), code="missing")
    invalid = preview.counts[importing.INVALID]
    if invalid and not skip_invalid:
        raise ValidationError(
            {
                "skip_invalid": ValidationError(
                    ngettext(
                        "%(count)s ligne invalide : corrigez le fichier et rechargez-le, ou cochez "
                        "cette case pour importer les autres lignes.",
                        "%(count)s lignes invalides : corrigez le fichier et rechargez-le, ou cochez "
                        "cette case pour importer les autres lignes.",
                        invalid,
                    )
                    % {"count": invalid},
                    code="invalid_rows",
                )
            }
        )
    queued = ImportFile.objects.filter(pk=import_file.pk, status=ImportStatus.PENDING).update(
        status=ImportStatus.QUEUED, skip_invalid=skip_invalid, row_count=len(preview.rows)
    )
    if not queued:
        return False
    audit_log(
        actor=actor,
        obj=import_file,
        action="import.confirmed",
        changes={"lignes": [None, len(preview.rows)], "invalides ignorées": [None, skip_invalid]},
    )
    pk = import_file.pk
    transaction.on_commit(lambda: _enqueue_import(pk))
    return True


def _enqueue_import(import_file_id: int) -> bool:
    """Hand a confirmed import to a worker. A broker that does not answer leaves it queued (the sweeper,
    `imports_requeue_stuck`, hands it over once the queue is back) instead of breaking the request."""
    from programme.celery import enqueue

    from .tasks import run_import

    return enqueue(run_import, import_file_id)


def imports_requeue_stuck() -> int:
    """The sweeper (beat, every few minutes): hand confirmed imports the queue never took (broker down,
    message lost) or left running by a killed worker to the queue again. Running one twice is harmless:
    `import_run` claims the row and imports in one transaction. Returns how many were handed over."""
    now = timezone.now()
    stuck = ImportFile.objects.filter(
        status__in=(ImportStatus.QUEUED, ImportStatus.RUNNING),
        created_at__lt=now - IMPORT_REQUEUE_AFTER,
        created_at__gte=now - ABANDONED_AFTER,
    )
    return sum(_enqueue_import(pk) for pk in stuck.values_list("pk", flat=True))


@transaction.atomic
def import_cancel(*, actor: User, import_file: ImportFile) -> ImportFile:
    """Abandon a pending import; its stored file is deleted once the cancellation is committed."""
    import_file.status = ImportStatus.CANCELLED
    import_file.save(update_fields=["status"])
    audit_log(actor=actor, obj=import_file, action="import.cancelled")
    path = import_file.path
    transaction.on_commit(lambda: default_storage.delete(path))
    return import_file


def import_files_purge_abandoned() -> int:
    """Delete the stored files of imports left at the preview stage and mark them abandoned; mark failed
    the confirmed imports whose task never ran to the end. Not atomic on purpose: each row is claimed by
    its own conditional update (committed at once), so a confirmation racing with the purge wins."""
    stale = ImportFile.objects.filter(
        status=ImportStatus.PENDING, created_at__lt=timezone.now() - ABANDONED_AFTER
    )
    count = 0
    for import_file in stale.iterator():
        default_storage.delete(import_file.path)
        # Conditional update: a confirmation racing with the purge wins, the purge skips the row.
        count += ImportFile.objects.filter(pk=import_file.pk, status=ImportStatus.PENDING).update(
            status=ImportStatus.CANCELLED
        )
    # A confirmed import whose task never ran to the end (lost message, killed worker) rolled back: say so.
    ImportFile.objects.filter(
        status__in=(ImportStatus.QUEUED, ImportStatus.RUNNING),
        created_at__lt=timezone.now() - ABANDONED_AFTER,
    ).update(
        status=ImportStatus.FAILED, error=_("Rien n’a été importé : l’import a été interrompu. Relancez-le.")
    )
    return count


#: The staging table of an import: one line per new prospect, with its structure and contact.
_IMPORT_STAGING = {
    "org_id": "bigint",
    "new_org": "boolean",
    "prospect_id": "bigint",
    "name": "text",
    "normalised_name": "text",
    "kind": "text",
    "family": "text",
    "siren": "text",
    "siret": "text",
    "town": "text",
    "normalised_town": "text",
    "search_text": "text",
    "postcode": "text",
    "address": "text",
    "website": "text",
    "territory_id": "bigint",
    "source": "text",
    "audience": "text",
    "owner_id": "bigint",
    "next_action": "text",
    "next_action_date": "date",
    "notes": "text",
    "has_person": "boolean",
    "first_name": "text",
    "last_name": "text",
    "email": "text",
    "phone": "text",
    "job_title": "text",
    "person_search_text": "text",
}


def _same(names: tuple[str, ...]) -> dict[str, str]:
    """Fields filled from the staging column of the same name."""
    return {name: name for name in names}


@transaction.atomic
def import_rows_create(*, actor: User, programme: Programme, preview: importing.Preview) -> list[int]:
    """Create the new rows of a preview: structures, prospects, their stage history and themes, contacts
    and one audit entry per prospect, all or nothing. Set-based (`programme.bulk`): the rows go into a
    staging table in one go (COPY on PostgreSQL, one executemany on SQLite), then one INSERT … SELECT per
    table — the same number of statements for 10 rows or 20,000. Returns the new prospects' ids."""
    Programme.objects.select_for_update().filter(pk=programme.pk).first()
    rows = [row for row in preview.rows if row.status == importing.NEW]
    if not rows:
        return []
    now = timezone.now()
    new_org_ids = iter(bulk.reserve_ids(Organisation, sum(1 for row in rows if row.organisation_id is None)))
    prospect_ids = bulk.reserve_ids(Prospect, len(rows))
    staged, org_themes, prospect_themes = [], [], []
    for row, prospect_id in zip(rows, prospect_ids, strict=True):
        d = row.data
        new_org = row.organisation_id is None
        org_id = next(new_org_ids) if new_org else row.organisation_id
        has_person = bool(d["contact_email"] or d["contact_last_name"])
        first_name, last_name = d["contact_first_name"][:100] or "—", d["contact_last_name"][:100]
        staged.append(
            (
                org_id,
                new_org,
                prospect_id,
                row.name,
                row.key[0],  # normalise_name(name): what Organisation.save() would store
                d["kind"],
                KIND_FAMILY.get(d["kind"], "ess"),
                d["siren"],
                d["siret"],
                row.town,
                row.key[1],
                search_key(row.name, row.town),
                d["postcode"][:10],
                d["address"][:255],
                d["website"],
                d["territory_id"],
                d["source"],
                d["audience"],
                d["owner_id"],
                d["next_action"][:255],
                d["next_action_date"],
                d["notes"],
                has_person,
                first_name,
                last_name,
                d["contact_email"],
                d["contact_phone"][:30],
                d["contact_job_title"][:150],
                Person.search_key_of(first_name, last_name, d["contact_email"]),
            )
        )
        for theme_id in d["theme_ids"]:
            prospect_themes.append((prospect_id, theme_id))
            if new_org:
                org_themes.append((org_id, theme_id))
    with bulk.Staging("import_rows", _IMPORT_STAGING) as staging:
        staging.fill(staged)
        organisation_columns = (
            "name",
            "normalised_name",
            "kind",
            "family",
            "siren",
            "siret",
            "town",
            "normalised_town",
            "search_text",
            "postcode",
            "address",
            "website",
            "territory_id",
        )
        staging.insert(Organisation, {"id": "org_id", **_same(organisation_columns)}, where="new_org")
        prospect_columns = (
            "source",
            "audience",
            "territory_id",
            "owner_id",
            "next_action",
            "next_action_date",
        )
        staging.insert(
            Prospect,
            {"id": "prospect_id", "organisation_id": "org_id", "notes": "notes", **_same(prospect_columns)},
            constants={"programme_id": programme.pk, "stage": Stage.IDENTIFIED, "stage_changed_at": now},
        )
        staging.insert(
            StageChange,
            {"prospect_id": "prospect_id"},
            constants={"to_stage": Stage.IDENTIFIED, "changed_by_id": actor.pk},
        )
        staging.insert(
            Person,
            {
                "organisation_id": "org_id",
                **_same(("first_name", "last_name", "email", "phone", "job_title")),
                "search_text": "person_search_text",
            },
            constants={
                "consent_basis": "legitimate_interest",
                "consent_date": now.date(),
                "consent_source": _("Import d’une liste de veille"),
            },
            where="has_person",
        )
        changes = (
            "jsonb_build_object('source', jsonb_build_array(NULL, source))"
            if connection.vendor == "postgresql"
            else "json_object('source', json_array(NULL, source))"
        )
        staging.insert(
            AuditEntry,
            {"object_id": "CAST(prospect_id AS text)", "object_repr": "name", "changes": changes},
            constants={
                "actor_id": actor.pk,
                "action": "prospect.imported",
                "content_type_id": ContentType.objects.get_for_model(Prospect).pk,
                "created_at": now,
            },
        )
    for through, links in (
        (Prospect.themes.through, prospect_themes),
        (Organisation.themes.through, org_themes),
    ):
        if links:
            owner, theme = (f.attname for f in through._meta.concrete_fields if not f.primary_key)
            with bulk.Staging("import_links", {"owner_id": "bigint", "theme_id": "bigint"}) as staging:
                staging.fill(links)
                staging.insert(through, {owner: "owner_id", theme: "theme_id"})
    return prospect_ids


def import_run(*, import_file_id: int) -> None:
    """Run a confirmed import (the Celery task's body). The rows are read and checked first, outside the
    import's transaction, with their progress committed every `importing.PROGRESS_EVERY` rows for the status
    page; then one transaction matches them against the base (under the programme's lock, so the
    duplicates are those of the base as it is) and writes them: on any failure nothing is created and the
    file says why. The stored file is deleted once that transaction commits."""
    started = ImportFile.objects.filter(
        pk=import_file_id, status__in=(ImportStatus.QUEUED, ImportStatus.RUNNING)
    ).update(status=ImportStatus.RUNNING, progress=0)
    if not started:
        return  # already done (a redelivered task) or abandoned
    try:
        import_file = ImportFile.objects.select_related("programme").get(pk=import_file_id)
        total = max(import_file.row_count, 1)

        def progress(done: int) -> None:
            ImportFile.objects.filter(pk=import_file_id, status=ImportStatus.RUNNING).update(
                progress=min(CHECKED_PERCENT, CHECKED_PERCENT * done // total)
            )

        preview = importing.load_checked(import_file, progress=progress)
        progress(total)
        with transaction.atomic():
            import_file = (
                ImportFile.objects.select_for_update()
                .select_related("programme", "uploaded_by")
                .get(pk=import_file_id)
            )
            if import_file.status != ImportStatus.RUNNING:
                return
            Programme.objects.select_for_update().filter(pk=import_file.programme_id).first()
            importing.match_rows(programme=import_file.programme, preview=preview)
            if preview.missing:
                raise importing.ImportFileError(
                    _("Colonnes obligatoires manquantes : %(f)s.") % {"f": ", ".join(preview.missing)}
                )
            if preview.counts[importing.INVALID] and not import_file.skip_invalid:
                raise importing.ImportFileError(
                    ngettext(
                        "%(count)s ligne invalide : corrigez le fichier et rechargez-le.",
                        "%(count)s lignes invalides : corrigez le fichier et rechargez-le.",
                        preview.counts[importing.INVALID],
                    )
                    % {"count": preview.counts[importing.INVALID]}
                )
            created = import_rows_create(
                actor=import_file.uploaded_by, programme=import_file.programme, preview=preview
            )
            import_file.status = ImportStatus.IMPORTED
            import_file.created_count = len(created)
            import_file.duplicate_count = preview.counts[importing.DUPLICATE]
            import_file.invalid_count = preview.counts[importing.INVALID]
            import_file.imported_at = timezone.now()
            import_file.progress = 100
            import_file.save()
            audit_log(
                actor=import_file.uploaded_by,
                obj=import_file.programme,
                action="prospects.imported",
                changes={
                    "fichier": [None, import_file.file_name],
                    "créés": [None, len(created)],
                    "doublons": [None, preview.counts[importing.DUPLICATE]],
                    "invalides ignorées": [None, preview.counts[importing.INVALID]],
                },
            )
            path = import_file.path
            transaction.on_commit(lambda: default_storage.delete(path))
    except Exception as error:  # noqa: BLE001 — the user gets the reason, nothing is imported
        if isinstance(error, importing.ImportFileError | OSError):
            message = str(error)
        else:
            logger.exception("prospect import %s failed", import_file_id)
            message = _("Erreur inattendue pendant l’import.")
        ImportFile.objects.filter(pk=import_file_id).update(
            status=ImportStatus.FAILED, error=_("Rien n’a été importé. %(reason)s") % {"reason": message}
        )


# --- Bulk actions on the prospect list ----------------------------------------------------------------

PROSPECT_NOUNS = BulkNouns(
    count=lambda n: ngettext("%(n)s prospect", "%(n)s prospects", n) % {"n": n},
    selected=lambda n: ngettext("%(n)s prospect sélectionné", "%(n)s prospects sélectionnés", n) % {"n": n},
    will_change=lambda n: (
        ngettext("%(n)s prospect sera modifié", "%(n)s prospects seront modifiés", n) % {"n": n}
    ),
    changed=lambda n: ngettext("%(n)s prospect modifié.", "%(n)s prospects modifiés.", n) % {"n": n},
    confirm=lambda n: (
        ngettext("Je confirme l’action sur %(n)s prospect", "Je confirme l’action sur %(n)s prospects", n)
        % {"n": n}
    ),
    none_selected=_lazy("Aucun prospect sélectionné : cochez des lignes dans la liste."),
    tick=_lazy("Cochez au moins un prospect dans la liste."),
    invalid=_lazy("La sélection de prospects est invalide."),
)


def _bulk_rows(*, actor: User, prospect_ids: Iterable[int], confirmed: bool) -> list[Prospect]:
    """The prospects a bulk action changes, locked, in a stable order; refused whole when too many and
    not confirmed."""
    return locked_rows(
        Prospect.objects.select_related("organisation", "owner").order_by("organisation__name", "pk"),
        actor=actor,
        ids=prospect_ids,
        confirmed=confirmed,
        nouns=PROSPECT_NOUNS,
    )


def _user_name(user: User | None) -> str | None:
    return (user.get_full_name() or user.email) if user is not None else None


def assign_refusal(*, prospect: Prospect, owner: User) -> str | None:
    """Why a prospect is left out of « assigner le suivi »: it already has this follow-up person."""
    if prospect.owner_id == owner.pk:
        return _("Déjà suivi par %(name)s.") % {"name": _user_name(owner)}
    return None


@transaction.atomic
def prospects_bulk_assign(
    *, actor: User, prospect_ids: Iterable[int], owner: User, confirmed: bool = False
) -> BulkResult[Prospect]:
    """Give the prospects a follow-up person (« suivi par »), a team member; one audit entry each."""
    if not access.is_team(owner):
        raise ValidationError({"owner": [_("Choisissez un membre actif de l’équipe.")]})
    result: BulkResult[Prospect] = BulkResult([], [])
    for prospect in _bulk_rows(actor=actor, prospect_ids=prospect_ids, confirmed=confirmed):
        if refusal := assign_refusal(prospect=prospect, owner=owner):
            result.refused.append((prospect, refusal))
        else:
            result.applied.append(prospect)
    before = {p.pk: _user_name(p.owner) for p in result.applied}
    Prospect.objects.filter(pk__in=[p.pk for p in result.applied]).update(
        owner=owner, updated_at=timezone.now()
    )
    for p in result.applied:
        p.owner = owner
    audit_many(
        actor=actor,
        rows=result.applied,
        action="prospect.updated",
        changes=lambda p: {"owner": [before[p.pk], _user_name(owner)]},
    )
    return result


@transaction.atomic
def prospects_bulk_move(
    *, actor: User, prospect_ids: Iterable[int], to_stage: str, reason: str = "", confirmed: bool = False
) -> BulkResult[Prospect]:
    """Move the prospects to `to_stage` where the rules allow it (`move_refusal`); the others are listed
    with the reason. Each move writes its stage history row and its audit entry."""
    result: BulkResult[Prospect] = BulkResult([], [])
    for prospect in _bulk_rows(actor=actor, prospect_ids=prospect_ids, confirmed=confirmed):
        if refusal := move_refusal(from_stage=prospect.stage, to_stage=to_stage, reason=reason):
            result.refused.append((prospect, refusal))
        else:
            _set_stage(prospect, to_stage, actor=actor, reason=reason)
            result.applied.append(prospect)
    return result


def theme_refusal(*, has_theme: bool, theme: Theme) -> str | None:
    """Why a prospect is left out of « ajouter une thématique »: it already has it."""
    return _("A déjà la thématique « %(theme)s ».") % {"theme": theme.name} if has_theme else None


@transaction.atomic
def prospects_bulk_add_theme(
    *, actor: User, prospect_ids: Iterable[int], theme: Theme, confirmed: bool = False
) -> BulkResult[Prospect]:
    """Add a theme to the prospects (those that have it already are listed, unchanged)."""
    rows = _bulk_rows(actor=actor, prospect_ids=prospect_ids, confirmed=confirmed)
    through = Prospect.themes.through
    having = set(
        through.objects.filter(prospect_id__in=[p.pk for p in rows], theme=theme).values_list(
            "prospect_id", flat=True
        )
    )
    result: BulkResult[Prospect] = BulkResult([], [])
    for prospect in rows:
        if refusal := theme_refusal(has_theme=prospect.pk in having, theme=theme):
            result.refused.append((prospect, refusal))
        else:
            result.applied.append(prospect)
    through.objects.bulk_create(
        [through(prospect_id=p.pk, theme_id=theme.pk) for p in result.applied], batch_size=500
    )
    Prospect.objects.filter(pk__in=[p.pk for p in result.applied]).update(updated_at=timezone.now())
    audit_many(
        actor=actor,
        rows=result.applied,
        action="prospect.updated",
        changes=lambda p: {"themes": [None, theme.name]},
    )
    return result
