"""Reads on prospects, always through the acting user's scope (programme/access.py)."""

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any, TypedDict

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.functional import Promise

from programme import access
from programme.audit import history
from programme.batch import ListRows, PreparedList
from programme.models import Cohort, Person, Programme, User

from . import importing
from .filters import ProspectFilter, prospect_search_q
from .models import (
    STAGE_RANK,
    Audience,
    Decision,
    Exchange,
    ImportFile,
    ImportStatus,
    Interview,
    InterviewStatus,
    Prospect,
    ScoringGrid,
    SelectionDecision,
    Source,
    Stage,
)
from .services import CLOSED_STAGES, allowed_moves, score_summary

FUNNEL_KEYS = ("identified", "contacted", "interviewed", "prequalified", "candidates", "retained")

#: How many cards each board column shows (the column header gives the full count).
BOARD_COLUMN_LIMIT = 30


def prospects_for(user: User) -> QuerySet[Prospect]:
    return access.scoped(user, Prospect)


def prospect_list(user: User) -> QuerySet[Prospect]:
    """The list and export rows: one query, whatever the number of prospects."""
    return prospects_for(user).select_related("organisation", "owner", "territory", "programme", "cohort")


#: What a row of the list page shows: each page's rows are read as these values (`render_filtered_list`'s
#: `row_values`) — one query, no model instance per row; the count reads the prospects alone, no join.
LIST_ROW_FIELDS = (
    *("pk", "stage", "source", "audience", "next_action", "next_action_date"),
    *("organisation__name", "organisation__siren", "organisation__town"),
    *("owner_id", "owner__first_name", "owner__last_name", "owner__email"),
)


#: The list's count and pages for the team, compiled once per process and shape of the filters (which
#: filters, the sort): building and compiling the filtered count and page queries cost the page more than
#: running them. Built on every prospect, which is what the team reads (`access.scoped`).
LIST_ROWS = PreparedList(
    lambda shape: ProspectFilter.stood_in(shape, Prospect.objects.all()), fields=LIST_ROW_FIELDS
)


def prospect_rows(user: User, filterset: ProspectFilter) -> ListRows | None:
    """The filtered list's count and pages as `LIST_ROWS` reads them for a team member, or None (another
    reader, or a filter that cannot stand in: a search by SIREN) — the filtered queryset is then read."""
    if not access.is_team(user):
        return None
    standing = filterset.standing_in()
    if standing is None:
        return None
    shape, values = standing
    return LIST_ROWS.rows(shape, values=values, today=filterset.day())


def prospect_detail(user: User, pk: int) -> Prospect:
    return access.get_for_user_or_404(
        prospects_for(user).select_related(
            "organisation", "organisation__territory", "owner", "territory", "programme", "cohort"
        ),
        pk=pk,
    )


def prospect_timeline(prospect: Prospect) -> QuerySet[Exchange]:
    return prospect.exchanges.select_related("user", "event", "contact", "owner").order_by("-date", "-id")


def prospect_contacts(prospect: Prospect) -> QuerySet[Person]:
    return Person.objects.filter(organisation_id=prospect.organisation_id, anonymised_at__isnull=True)


def prospect_interviews(prospect: Prospect) -> QuerySet[Interview]:
    return (
        prospect.interviews.select_related("grid").prefetch_related("interviewers").order_by("-scheduled_at")
    )


class BoardColumn(TypedDict):
    stage: str
    label: str | Promise  # a lazy translation
    count: int
    cards: list[Prospect]


def board_columns(queryset: QuerySet[Prospect]) -> list[BoardColumn]:
    """One column per stage: its count and its first BOARD_COLUMN_LIMIT cards (soonest next action first).
    Two queries whatever the number of prospects: one count grouped by stage, and the cards of every
    column at once (numbered per stage by a window function)."""
    counts = dict(queryset.order_by().values_list("stage").annotate(n=Count("pk")).values_list("stage", "n"))
    order = [F("next_action_date").asc(nulls_last=True), F("organisation__name").asc(), F("pk").asc()]
    cards: list[Prospect] = list(
        queryset.select_related("organisation", "owner")
        .annotate(rank=Window(RowNumber(), partition_by=[F("stage")], order_by=order))
        .filter(rank__lte=BOARD_COLUMN_LIMIT)
        .order_by(*order)
    )
    columns: list[BoardColumn] = []
    for value, label in Stage.choices:
        column = [card for card in cards if card.stage == value]
        columns.append({"stage": value, "label": label, "count": counts.get(value, 0), "cards": column})
    return columns


def funnel_figures(
    *,
    user: User,
    programme: Programme | int,
    cohort: Cohort | int | None = None,
    territory_id: int | None = None,
    theme_id: int | None = None,
    period: tuple[date, date] | None = None,
) -> dict[str, Any]:
    """Cumulative funnel, in one query: a prospect counts in every stage it reached. Keys: identified,
    contacted, interviewed, prequalified, candidates, retained, and by_source / by_audience (same keys
    per value). `programme` and `cohort` are objects or ids.
    Prospects without a target cohort count for every cohort of their programme until a decision ties
    them to one. `territory_id`, `theme_id` narrow to the prospects of that territory / theme; `period`
    (first day, last day) to the prospects identified in it."""
    queryset = prospects_for(user).filter(programme=programme)
    if territory_id:
        queryset = queryset.filter(territory_id=territory_id)
    if theme_id:
        queryset = queryset.filter(
            pk__in=Prospect.themes.through.objects.filter(theme_id=theme_id).values("prospect_id")
        )
    if period:
        queryset = queryset.filter(created_at__date__range=period)
    if cohort is not None:
        decided = SelectionDecision.objects.filter(prospect=OuterRef("pk"), cohort=cohort)
        queryset = queryset.filter(Q(cohort=cohort) | Q(cohort__isnull=True) | Exists(decided))
    interviewed = Exists(Interview.objects.filter(prospect=OuterRef("pk"), status=InterviewStatus.COMPLETED))
    retained_filter = SelectionDecision.objects.filter(prospect=OuterRef("pk"), decision=Decision.RETAINED)
    if cohort is not None:
        retained_filter = retained_filter.filter(cohort=cohort)
    aggregates = {
        "identified": Count("pk"),
        "contacted": Count("pk", filter=Q(furthest_rank__gte=STAGE_RANK[Stage.CONTACTED])),
        "interviewed": Count("pk", filter=Q(was_interviewed=True)),
        "prequalified": Count("pk", filter=Q(furthest_rank__gte=STAGE_RANK[Stage.PREQUALIFIED])),
        "candidates": Count("pk", filter=Q(furthest_rank__gte=STAGE_RANK[Stage.CANDIDATE])),
        "retained": Count("pk", filter=Q(was_retained=True)),
    }
    annotated = queryset.annotate(
        was_interviewed=interviewed, was_retained=Exists(retained_filter)
    ).order_by()
    # One query: the counts per (source, audience); the totals and each breakdown are their sums (a
    # prospect has one source and one audience, so it counts in exactly one group).
    empty = dict.fromkeys(FUNNEL_KEYS, 0)
    totals = dict(empty)
    by_source = {value: dict(empty) for value in Source.values}
    by_audience = {value: dict(empty) for value in Audience.values}
    # Each row holds its group keys and the aggregates (named at run time, hence read as mappings).
    rows: QuerySet[Prospect, Mapping[str, Any]] = annotated.values("source", "audience").annotate(
        **aggregates
    )
    for row in rows:
        for key in FUNNEL_KEYS:
            totals[key] += row[key]
            by_source.setdefault(row["source"], dict(empty))[key] += row[key]
            by_audience.setdefault(row["audience"], dict(empty))[key] += row[key]
    return {**totals, "by_source": by_source, "by_audience": by_audience}


def current_grid(programme: Programme) -> ScoringGrid | None:
    return ScoringGrid.objects.filter(programme=programme).order_by("-version").first()


def committee_candidates(user: User, cohort: Cohort, *, prospect_pk: int | None = None) -> list[Prospect]:
    """The candidates of a cohort's selection committee, best interview score first, each with its
    latest completed interview (`summary_interview`) and this cohort's decision (`cohort_decision`).
    `prospect_pk`: only that candidate (its decision page), none when it is not one of them."""
    decisions = SelectionDecision.objects.filter(cohort=cohort).select_related("decided_by")
    decided_ids = decisions.values("prospect_id")
    last_interview = Interview.objects.filter(
        prospect=OuterRef("pk"), status=InterviewStatus.COMPLETED
    ).order_by("-completed_at")
    queryset = (
        prospects_for(user)
        .filter(programme_id=cohort.programme_id)
        .filter(
            Q(pk__in=decided_ids) | (Q(stage=Stage.CANDIDATE) & (Q(cohort=cohort) | Q(cohort__isnull=True)))
        )
        .annotate(best_score=Subquery(last_interview.values("weighted_score")[:1]))
        .select_related("organisation", "owner")
        .prefetch_related(
            Prefetch(
                "interviews",
                queryset=Interview.objects.filter(status=InterviewStatus.COMPLETED)
                .prefetch_related("interviewers")
                .order_by("-completed_at"),
                to_attr="completed_interviews",
            ),
            Prefetch("selection_decisions", queryset=decisions, to_attr="cohort_decisions"),
        )
        .order_by("-best_score", "organisation__name")
    )
    if prospect_pk is not None:
        queryset = queryset.filter(pk=prospect_pk)
    candidates = list(queryset)
    for prospect in candidates:
        prospect.summary_interview = (
            prospect.completed_interviews[0] if prospect.completed_interviews else None
        )
        prospect.cohort_decision = prospect.cohort_decisions[0] if prospect.cohort_decisions else None
    # NULL scores sort first on PostgreSQL with "-": put unscored candidates last everywhere.
    candidates.sort(key=lambda p: (p.best_score is None, -(p.best_score or 0), p.organisation.name))
    return list(candidates)  # typed as plain prospects: the annotated attributes stay on them


# --- Pages --------------------------------------------------------------------------------------------


def prospect_page(prospect: Prospect) -> dict[str, Any]:
    """What the record page shows besides its forms (lazy querysets: the page's query count is pinned)."""
    return {
        "prospect": prospect,
        "moves": allowed_moves(prospect.stage),
        "stages": Stage.choices,
        "contacts": prospect_contacts(prospect),
        "timeline": prospect_timeline(prospect),
        "interviews": prospect_interviews(prospect),
        "events": prospect.events.all(),
        "themes": prospect.themes.all(),
        "stage_changes": prospect.stage_changes.select_related("changed_by")[:20],
        "decisions": prospect.selection_decisions.select_related("cohort", "decided_by"),
        "audit_entries": history(prospect, prospect.interviews.all()),
        "today": timezone.localdate(),
    }


def interview_detail(user: User, pk: int) -> Interview:
    return get_object_or_404(
        access.scoped(user, Interview).select_related("prospect", "prospect__organisation", "grid"),
        pk=pk,
    )


def interview_sheet(user: User, interview: Interview) -> dict[str, Any]:
    """The interview page's data: the score table (criterion × interviewer), the weighted totals and their
    summary, and the acting user's own scores (`my_scores`, criterion id → score) to prefill their form."""
    criteria = list(interview.grid.criteria.all())
    scores = list(interview.scores.select_related("interviewer", "criterion"))
    interviewers = list(interview.interviewers.all())
    summary = score_summary(interview, criteria=criteria, scores=scores)
    by_cell = {(s.criterion_id, s.interviewer_id): s for s in scores}
    table = [
        {"criterion": criterion, "cells": [by_cell.get((criterion.pk, person.pk)) for person in interviewers]}
        for criterion in criteria
    ]
    return {
        "interview": interview,
        "prospect": interview.prospect,
        "criteria": criteria,
        "interviewers": interviewers,
        "table": table,
        "totals": [summary.by_interviewer.get(p.pk) for p in interviewers],
        "summary": summary,
        "is_interviewer": any(p.pk == user.pk for p in interviewers),
        "open": interview.status == InterviewStatus.PLANNED,
        "contacts": interview.contacts.all(),
        "comments": [s for s in scores if s.comment],
        "my_scores": {s.criterion_id: s for s in scores if s.interviewer_id == user.pk},
        "audit_entries": history(interview, limit=20),
    }


def grid_programme(user: User, programme_id: str = "") -> Programme:
    """The programme whose grid is shown: the one asked for, else the first active one (404 if none)."""
    programmes = Programme.objects.all() if access.is_team(user) else Programme.objects.none()
    if programme_id.isdigit():
        return get_object_or_404(programmes, pk=programme_id)
    programme = programmes.filter(is_active=True).order_by("name").first() or programmes.first()
    if programme is None:
        raise Http404
    return programme


def grid_versions(user: User, programme: Programme) -> QuerySet[ScoringGrid]:
    return access.scoped(user, ScoringGrid).filter(programme=programme).select_related("created_by")


# --- Imports ------------------------------------------------------------------------------------------

#: How many rows of each kind (new, duplicate, invalid) the preview shows.
PREVIEW_ROWS = 300


def imports_recent(user: User) -> QuerySet[ImportFile]:
    """The latest confirmed imports (upload page)."""
    return (
        access.scoped(user, ImportFile)
        .filter(status=ImportStatus.IMPORTED)
        .select_related("uploaded_by", "programme")[:10]
    )


def import_pending(user: User, token: str) -> ImportFile:
    """A pending import: only its uploader sees it (others get 404)."""
    return get_object_or_404(
        access.scoped(user, ImportFile).select_related("programme"),
        token=token,
        uploaded_by=user,
        status=ImportStatus.PENDING,
    )


def import_mine(user: User, token: str) -> ImportFile:
    """An import of the acting user, whatever its status (others get 404)."""
    return get_object_or_404(
        access.scoped(user, ImportFile).select_related("programme"), token=token, uploaded_by=user
    )


def import_preview_rows(preview: importing.Preview) -> dict[str, list[importing.RowResult]]:
    """The first PREVIEW_ROWS rows of each kind, invalid first."""
    return {
        status: [row for row in preview.rows if row.status == status][:PREVIEW_ROWS]
        for status in (importing.INVALID, importing.DUPLICATE, importing.NEW)
    }


# --- Home panel ---------------------------------------------------------------------------------------

#: The pipeline panel lists the next actions due within this many days (and the overdue ones).
PANEL_HORIZON_DAYS = 14


def pipeline_panel(user: User) -> dict[str, Any]:
    """The pipeline at a glance and the user's own prospect next actions, overdue first. Two queries: the
    counts per stage, the next actions."""
    today = timezone.localdate()
    prospects = prospects_for(user)
    counts = dict(prospects.order_by().values_list("stage").annotate(n=Count("pk")).values_list("stage", "n"))
    actions = list(
        prospects.filter(owner=user, next_action_date__lte=today + timedelta(days=PANEL_HORIZON_DAYS))
        .exclude(stage__in=CLOSED_STAGES)  # a decided prospect's follow-up lives on its project now
        .select_related("organisation")
        .order_by("next_action_date", "organisation__name")[:10]
    )
    return {
        "stages": [
            {"stage": value, "label": label, "count": counts.get(value, 0)} for value, label in Stage.choices
        ],
        "actions": actions,
        "today": today,
        "horizon": PANEL_HORIZON_DAYS,
    }


def grid_page(user: User, programme: Programme) -> dict[str, Any]:
    """The grid page: the programme's current grid, its criteria, its versions and the programme choice."""
    grid = current_grid(programme)
    return {
        "programme": programme,
        "programmes": Programme.objects.all() if access.is_team(user) else Programme.objects.none(),
        "grid": grid,
        "criteria": grid.criteria.all() if grid else [],
        "versions": grid_versions(user, programme),
    }


def menu_prospects(
    user: User, *, programme_id: int | None = None, not_event_id: int | None = None
) -> QuerySet[Prospect]:
    """The prospects a menu may offer the user (of a programme; not yet linked to an event), by structure."""
    rows = access.scoped(user, Prospect).select_related("organisation")
    if programme_id is not None:
        rows = rows.filter(programme_id=programme_id)
    if not_event_id is not None:
        rows = rows.exclude(events=not_event_id)
    return rows.order_by("organisation__name", "pk")


def prospect_search(rows: QuerySet[Prospect], text: str) -> QuerySet[Prospect]:
    """The prospects whose structure the list's search finds for `text` (name, town or SIREN)."""
    return rows.filter(prospect_search_q(text))
