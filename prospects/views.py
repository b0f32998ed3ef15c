"""Prospect pages (programme team only: partners get 404 everywhere here)."""

import hashlib
import secrets

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import retarget

from programme import access
from programme.audit import audit_entries_for
from programme.exports import export_response
from programme.models import Programme
from programme.pages import render_filtered_list

from . import exports, imports, selectors, services
from .filters import EventFilter, ProspectFilter
from .forms import (
    CriterionFormSet,
    EventForm,
    EventLinkForm,
    EventNewProspectForm,
    ImportConfirmForm,
    ImportMappingForm,
    ImportUploadForm,
    InteractionForm,
    InterviewCompleteForm,
    InterviewForm,
    MoveForm,
    ProspectCreateForm,
    ProspectForm,
    ScoreForm,
)
from .models import Event, ImportFile, ImportStatus, Interview, InterviewStatus, Stage

SORT_KEYS = ("name", "town", "stage", "next_action", "updated")


def _sort_links(request: HttpRequest) -> dict[str, dict]:
    """For each sortable column: the query string that sorts by it (toggling the direction)."""
    current = request.GET.get("o", "")
    links = {}
    for key in SORT_KEYS:
        query = request.GET.copy()
        query.pop("page", None)
        query["o"] = f"-{key}" if current == key else key
        links[key] = {
            "query": query.urlencode(),
            "active": current.lstrip("-") == key,
            "descending": current == f"-{key}",
        }
    return links


def _with_moves(prospects) -> list:
    """Each card's allowed moves and URLs. The URLs are reversed once per page, not once per card: the
    board shows up to 180 cards."""
    detail = reverse("prospects:prospect.detail", args=[0]).replace("/0/", "/{}/")
    move = reverse("prospects:prospect.move", args=[0]).replace("/0/", "/{}/")
    for prospect in prospects:
        prospect.moves = services.allowed_moves(prospect.stage)
        prospect.detail_url = detail.format(prospect.pk)
        prospect.move_url = move.format(prospect.pk)
    return prospects


# --- List, board, export --------------------------------------------------------------------------------


@access.team_required
def prospect_list(request: HttpRequest) -> HttpResponse:
    filterset = ProspectFilter(request.GET, queryset=selectors.prospect_list(request.user))
    return render_filtered_list(
        request,
        filterset=filterset,
        template="prospects/prospect_list.html",
        partial="prospects/partials/_prospect_table.html",
        context={"sort_links": _sort_links(request), "today": timezone.localdate()},
    )


def _board_context(request: HttpRequest, query) -> dict:
    filterset = ProspectFilter(query, queryset=selectors.prospects_for(request.user))
    columns = selectors.board_columns(filterset.qs)
    for column in columns:
        _with_moves(column["cards"])
    return {
        "filter": filterset,
        "columns": columns,
        "stages": Stage.choices,
        "board_query": query.urlencode(),
        "today": timezone.localdate(),
        "column_limit": selectors.BOARD_COLUMN_LIMIT,
        "board_url": reverse("prospects:prospect.board"),
    }


@access.team_required
def prospect_board(request: HttpRequest) -> HttpResponse:
    context = _board_context(request, request.GET)
    if request.htmx and not request.htmx.boosted:
        return render(request, "prospects/partials/_board.html", context)
    return render(request, "prospects/prospect_board.html", context)


@access.team_required
def prospect_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    filterset = ProspectFilter(request.GET, queryset=selectors.prospect_list(request.user))
    prospects = (
        filterset.qs.order_by("organisation__name", "pk") if not request.GET.get("o") else filterset.qs
    )
    return export_response(
        fmt=fmt,
        filename=exports.file_name(),
        title=_("Prospects"),
        headers=exports.headers(),
        rows=exports.rows(prospects.iterator(chunk_size=2000)),
    )


# --- One prospect ------------------------------------------------------------------------------------------


@access.team_required
@require_http_methods(["GET", "POST"])
def prospect_create(request: HttpRequest) -> HttpResponse:
    form = ProspectCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        prospect = services.prospect_create_from_form(actor=request.user, form=form)
        messages.success(request, _("Prospect « %(name)s » ajouté.") % {"name": prospect.organisation.name})
        return redirect(prospect)
    return render(request, "prospects/prospect_create.html", {"form": form})


@access.team_required
def prospect_detail(request: HttpRequest, pk: int) -> HttpResponse:
    prospect = selectors.prospect_detail(request.user, pk)
    return render(request, "prospects/prospect_detail.html", _detail_context(request, prospect))


def _detail_context(request: HttpRequest, prospect, *, move_form=None, interaction_form=None) -> dict:
    return {
        "prospect": prospect,
        "moves": services.allowed_moves(prospect.stage),
        "stages": Stage.choices,
        "move_form": move_form or MoveForm(),
        "interaction_form": interaction_form
        or InteractionForm(programme_id=prospect.programme_id, initial={"date": timezone.localdate()}),
        "contacts": selectors.prospect_contacts(prospect),
        "timeline": selectors.prospect_timeline(prospect),
        "interviews": selectors.prospect_interviews(prospect),
        "events": prospect.events.all(),
        "themes": prospect.themes.all(),
        "stage_changes": prospect.stage_changes.select_related("changed_by")[:20],
        "decisions": prospect.selection_decisions.select_related("cohort", "decided_by"),
        "audit_entries": audit_entries_for(prospect)[:30],
        "today": timezone.localdate(),
    }


@access.team_required
@require_http_methods(["GET", "POST"])
def prospect_edit(request: HttpRequest, pk: int) -> HttpResponse:
    prospect = selectors.prospect_detail(request.user, pk)
    form = ProspectForm(request.POST if request.method == "POST" else None, instance=prospect)
    if request.method == "POST" and form.is_valid():
        services.prospect_update(actor=request.user, form=form)
        messages.success(request, _("Prospect mis à jour."))
        return redirect(prospect)
    return render(request, "prospects/prospect_form.html", {"form": form, "prospect": prospect})


@access.team_required
@require_POST
def prospect_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a card (board) or a prospect (detail page). Refused moves come back with the reason."""
    prospect = selectors.prospect_detail(request.user, pk)
    form = MoveForm(request.POST)
    error = None
    if form.is_valid():
        try:
            prospect = services.prospect_move(
                actor=request.user,
                prospect=prospect,
                to_stage=form.cleaned_data["to_stage"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
    else:
        error = _("Choisissez l'étape de destination.")
    if request.htmx:
        if error is None:
            context = _board_context(request, QueryDict(request.POST.get("board_query", "")))
            context["moved"] = prospect
            return render(request, "prospects/partials/_board.html", context)
        _with_moves([prospect])
        response = render(
            request,
            "prospects/partials/_card.html",
            {
                "card": prospect,
                "stages": Stage.choices,
                "error": error,
                "today": timezone.localdate(),
                "board_query": request.POST.get("board_query", ""),
                "board_url": reverse("prospects:prospect.board"),
            },
        )
        return retarget(response, f"#card-{prospect.pk}")
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request,
            _("« %(name)s » est maintenant à l'étape « %(stage)s ».")
            % {"name": prospect.organisation.name, "stage": prospect.get_stage_display()},
        )
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect(prospect)


@access.team_required
@require_POST
def interaction_create(request: HttpRequest, pk: int) -> HttpResponse:
    prospect = selectors.prospect_detail(request.user, pk)
    form = InteractionForm(request.POST, programme_id=prospect.programme_id)
    if form.is_valid():
        services.interaction_create(actor=request.user, prospect=prospect, form=form)
        messages.success(request, _("Échange enregistré."))
        return redirect(reverse("prospects:prospect.detail", args=[prospect.pk]) + "#timeline")
    return render(
        request, "prospects/prospect_detail.html", _detail_context(request, prospect, interaction_form=form)
    )


# --- Interviews ---------------------------------------------------------------------------------------------


def _interview_for(request: HttpRequest, pk: int) -> Interview:
    return get_object_or_404(
        access.prospects_app_qs(request.user, "Interview").select_related(
            "prospect", "prospect__organisation", "grid"
        ),
        pk=pk,
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def interview_create(request: HttpRequest, pk: int) -> HttpResponse:
    prospect = selectors.prospect_detail(request.user, pk)
    form = InterviewForm(
        request.POST if request.method == "POST" else None,
        prospect=prospect,
        initial={"interviewers": [request.user.pk]},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            interview = services.interview_schedule(
                actor=request.user,
                prospect=prospect,
                scheduled_at=data["scheduled_at"],
                interviewers=list(data["interviewers"]),
                place=data["place"],
                remote=data["remote"],
                contacts=list(data["contacts"]),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Entretien planifié."))
            return redirect(interview)
    return render(request, "prospects/interview_form.html", {"form": form, "prospect": prospect})


def _interview_context(request: HttpRequest, interview: Interview, **forms) -> dict:
    criteria = list(interview.grid.criteria.all())
    scores = list(interview.scores.select_related("interviewer", "criterion"))
    interviewers = list(interview.interviewers.all())
    summary = services.score_summary(interview, criteria=criteria, scores=scores)
    table = []
    for criterion in criteria:
        cells = []
        for person in interviewers:
            cell = next(
                (s for s in scores if s.criterion_id == criterion.pk and s.interviewer_id == person.pk), None
            )
            cells.append(cell)
        table.append({"criterion": criterion, "cells": cells})
    is_interviewer = any(p.pk == request.user.pk for p in interviewers)
    mine = {s.criterion_id: s for s in scores if s.interviewer_id == request.user.pk}
    context = {
        "interview": interview,
        "prospect": interview.prospect,
        "criteria": criteria,
        "interviewers": interviewers,
        "table": table,
        "totals": [summary.by_interviewer.get(p.pk) for p in interviewers],
        "summary": summary,
        "is_interviewer": is_interviewer,
        "open": interview.status == InterviewStatus.PLANNED,
        "contacts": interview.contacts.all(),
        "comments": [s for s in scores if s.comment],
        "score_form": forms.get("score_form")
        or ScoreForm(criteria=criteria, initial_scores=mine, prefix="score"),
        "complete_form": forms.get("complete_form") or InterviewCompleteForm(prefix="end"),
        "audit_entries": audit_entries_for(interview)[:20],
    }
    return context


@access.team_required
def interview_detail(request: HttpRequest, pk: int) -> HttpResponse:
    interview = _interview_for(request, pk)
    return render(request, "prospects/interview_detail.html", _interview_context(request, interview))


@access.team_required
@require_POST
def interview_score(request: HttpRequest, pk: int) -> HttpResponse:
    interview = _interview_for(request, pk)
    criteria = list(interview.grid.criteria.all())
    form = ScoreForm(request.POST, criteria=criteria, prefix="score")
    if form.is_valid():
        try:
            services.interview_score(actor=request.user, interview=interview, values=form.values())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Vos notes sont enregistrées."))
            return redirect(interview)
    return render(
        request, "prospects/interview_detail.html", _interview_context(request, interview, score_form=form)
    )


@access.team_required
@require_POST
def interview_complete(request: HttpRequest, pk: int) -> HttpResponse:
    interview = _interview_for(request, pk)
    form = InterviewCompleteForm(request.POST, prefix="end")
    if form.is_valid():
        try:
            services.interview_complete(
                actor=request.user,
                interview=interview,
                recommendation=form.cleaned_data["recommendation"],
                rationale=form.cleaned_data["rationale"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Entretien terminé : le prospect est pré-qualifié."))
            return redirect(interview)
    return render(
        request, "prospects/interview_detail.html", _interview_context(request, interview, complete_form=form)
    )


@access.team_required
@require_POST
def interview_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    interview = _interview_for(request, pk)
    try:
        services.interview_cancel(actor=request.user, interview=interview)
        messages.success(request, _("Entretien annulé."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(interview)


# --- Scoring grid ---------------------------------------------------------------------------------------------


def _programme_for(request: HttpRequest) -> Programme:
    programmes = Programme.objects.all()
    if request.GET.get("programme", "").isdigit():
        return get_object_or_404(programmes, pk=request.GET["programme"])
    programme = programmes.filter(is_active=True).order_by("name").first() or programmes.first()
    if programme is None:
        raise Http404
    return programme


@access.team_required
def grid_detail(request: HttpRequest) -> HttpResponse:
    programme = _programme_for(request)
    grid = selectors.current_grid(programme)
    versions = access.prospects_app_qs(request.user, "ScoringGrid").filter(programme=programme)
    return render(
        request,
        "prospects/grid_detail.html",
        {
            "programme": programme,
            "programmes": Programme.objects.all(),
            "grid": grid,
            "criteria": grid.criteria.all() if grid else [],
            "versions": versions.select_related("created_by"),
        },
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def grid_edit(request: HttpRequest) -> HttpResponse:
    programme = _programme_for(request)
    grid = selectors.current_grid(programme)
    if grid is None:
        grid = services.grid_ensure_default(programme=programme, actor=request.user)
    initial = [
        {
            "label": c.label,
            "weight": c.weight,
            "level_0": c.level_0,
            "level_1": c.level_1,
            "level_2": c.level_2,
            "level_3": c.level_3,
        }
        for c in grid.criteria.all()
    ]
    formset = CriterionFormSet(
        request.POST if request.method == "POST" else None, initial=initial, prefix="criteria"
    )
    if request.method == "POST" and formset.is_valid():
        new = services.grid_new_version(actor=request.user, programme=programme, criteria=formset.criteria())
        messages.success(
            request,
            _(
                "Version %(version)s de la grille enregistrée. Les entretiens déjà planifiés gardent leur version."
            )
            % {"version": new.version},
        )
        return redirect(reverse("prospects:grid.detail") + f"?programme={programme.pk}")
    return render(
        request, "prospects/grid_form.html", {"formset": formset, "programme": programme, "grid": grid}
    )


# --- Events ----------------------------------------------------------------------------------------------------


def _event_for(request: HttpRequest, pk: int) -> Event:
    return get_object_or_404(
        access.prospects_app_qs(request.user, "Event").select_related("programme"), pk=pk
    )


@access.team_required
def event_list(request: HttpRequest) -> HttpResponse:
    from django.db.models import Count

    queryset = (
        access.prospects_app_qs(request.user, "Event")
        .select_related("programme")
        .annotate(prospect_count=Count("prospects", distinct=True))
        .order_by("-date", "name")
    )
    return render_filtered_list(
        request,
        filterset=EventFilter(request.GET, queryset=queryset),
        template="prospects/event_list.html",
        partial="prospects/partials/_event_table.html",
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def event_create(request: HttpRequest) -> HttpResponse:
    form = EventForm(request.POST if request.method == "POST" else None, initial={"staff": [request.user.pk]})
    if request.method == "POST" and form.is_valid():
        event = services.event_save(actor=request.user, form=form)
        messages.success(request, _("Événement « %(name)s » créé.") % {"name": event.name})
        return redirect(event)
    return render(request, "prospects/event_form.html", {"form": form, "creating": True})


@access.team_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_for(request, pk)
    form = EventForm(request.POST if request.method == "POST" else None, instance=event)
    if request.method == "POST" and form.is_valid():
        services.event_save(actor=request.user, form=form)
        messages.success(request, _("Événement mis à jour."))
        return redirect(event)
    return render(request, "prospects/event_form.html", {"form": form, "creating": False, "event": event})


def _event_context(event: Event, *, link_form=None, new_form=None) -> dict:
    return {
        "event": event,
        "staff": event.staff.all(),
        "met": event.prospects.select_related("organisation", "owner").order_by("organisation__name"),
        "link_form": link_form or EventLinkForm(event=event, prefix="link"),
        "new_form": new_form or EventNewProspectForm(prefix="new"),
        "stages": Stage.choices,
        "audit_entries": audit_entries_for(event)[:20],
    }


@access.team_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_for(request, pk)
    return render(request, "prospects/event_detail.html", _event_context(event))


@access.team_required
@require_POST
def event_prospects(request: HttpRequest, pk: int) -> HttpResponse:
    """Link an existing prospect to the event (`link-…` fields) or create a new one (`new-…` fields)."""
    event = _event_for(request, pk)
    if "link-prospect" in request.POST:
        form = EventLinkForm(request.POST, event=event, prefix="link")
        if form.is_valid():
            services.event_link_prospect(
                actor=request.user, event=event, prospect=form.cleaned_data["prospect"]
            )
            messages.success(request, _("Prospect ajouté aux rencontres de l'événement."))
            return redirect(event)
        return render(request, "prospects/event_detail.html", _event_context(event, link_form=form))
    form = EventNewProspectForm(request.POST, prefix="new")
    if form.is_valid():
        data = form.cleaned_data
        prospect = services.event_create_prospect(
            actor=request.user,
            event=event,
            name=data["name"],
            kind=data["kind"],
            town=data["town"],
            siren=data["siren"],
            owner=request.user,
        )
        messages.success(
            request, _("« %(name)s » est rattaché à l'événement.") % {"name": prospect.organisation.name}
        )
        return redirect(event)
    return render(request, "prospects/event_detail.html", _event_context(event, new_form=form))


# --- Import ------------------------------------------------------------------------------------------------------

IMPORT_DIR = "imports/prospects"


def _import_for(request: HttpRequest, token: str) -> ImportFile:
    """A pending import: only its uploader sees it (others get 404)."""
    return get_object_or_404(
        access.prospects_app_qs(request.user, "ImportFile").select_related("programme"),
        token=token,
        uploaded_by=request.user,
        status=ImportStatus.PENDING,
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            headers, _body = imports.read_table(content)
        except imports.ImportFileError as error:
            form.add_error("file", str(error))
        else:
            token = secrets.token_urlsafe(24)
            path = default_storage.save(f"{IMPORT_DIR}/{token}", ContentFile(content))
            ImportFile.objects.create(
                token=token,
                programme=form.cleaned_data["programme"],
                uploaded_by=request.user,
                file_name=upload.name[:255],
                path=path,
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                mapping=imports.auto_mapping(headers),
            )
            return redirect("prospects:import.preview", token=token)
    recent = ImportFile.objects.filter(status=ImportStatus.IMPORTED).select_related(
        "uploaded_by", "programme"
    )[:10]
    return render(request, "prospects/import_upload.html", {"form": form, "recent": recent})


PREVIEW_ROWS = 300


@access.team_required
@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, token: str) -> HttpResponse:
    import_file = _import_for(request, token)
    try:
        preview = imports.load_preview(import_file)
    except (OSError, imports.ImportFileError) as error:
        messages.error(
            request, _("Le fichier n'est plus lisible (%(error)s) : rechargez-le.") % {"error": error}
        )
        return redirect("prospects:import.upload")
    initial = {f"col_{i}": import_file.mapping.get(str(i), "") for i in range(len(preview.headers))}
    mapping_form = ImportMappingForm(
        request.POST if request.method == "POST" else None,
        headers=preview.headers,
        initial=initial,
        prefix="map",
    )
    if request.method == "POST" and mapping_form.is_valid():
        import_file.mapping = mapping_form.mapping()
        import_file.save(update_fields=["mapping"])
        return redirect("prospects:import.preview", token=token)
    return render(
        request, "prospects/import_preview.html", _preview_context(import_file, preview, mapping_form)
    )


def _preview_context(import_file, preview, mapping_form, confirm_form=None) -> dict:
    shown = {
        status: [row for row in preview.rows if row.status == status][:PREVIEW_ROWS]
        for status in (imports.INVALID, imports.DUPLICATE, imports.NEW)
    }
    return {
        "import_file": import_file,
        "preview": preview,
        "counts": preview.counts,
        "shown": shown,
        "preview_limit": PREVIEW_ROWS,
        "mapping_form": mapping_form,
        "confirm_form": confirm_form or ImportConfirmForm(),
    }


@access.team_required
@require_POST
def import_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Check the file once more, then queue the import (all or nothing, in the background) and show its
    progress. Refusals (missing columns, invalid rows not explicitly skipped) come back on the preview."""
    import_file = _import_for(request, token)
    confirm_form = ImportConfirmForm(request.POST)
    confirm_form.is_valid()
    try:
        preview = imports.load_preview(import_file)
    except (OSError, imports.ImportFileError) as error:
        messages.error(
            request, _("Le fichier n'est plus lisible (%(error)s) : rechargez-le.") % {"error": error}
        )
        return redirect("prospects:import.upload")
    if preview.missing:
        confirm_form.add_error(None, _("Associez d'abord une colonne à chaque champ obligatoire."))
    elif preview.counts[imports.INVALID] and not confirm_form.cleaned_data.get("skip_invalid"):
        confirm_form.add_error(
            "skip_invalid",
            _(
                "%(count)s ligne(s) invalide(s) : corrigez le fichier et rechargez-le, ou cochez cette case "
                "pour importer les autres lignes."
            )
            % {"count": preview.counts[imports.INVALID]},
        )
    if confirm_form.errors:
        initial = {f"col_{i}": import_file.mapping.get(str(i), "") for i in range(len(preview.headers))}
        mapping_form = ImportMappingForm(headers=preview.headers, initial=initial, prefix="map")
        return render(
            request,
            "prospects/import_preview.html",
            _preview_context(import_file, preview, mapping_form, confirm_form),
        )
    with transaction.atomic():
        queued = ImportFile.objects.filter(pk=import_file.pk, status=ImportStatus.PENDING).update(
            status=ImportStatus.QUEUED,
            skip_invalid=bool(confirm_form.cleaned_data.get("skip_invalid")),
            row_count=len(preview.rows),
        )
        if queued:
            from .tasks import run_import

            pk = import_file.pk
            transaction.on_commit(lambda: run_import.delay(pk))
    return redirect("prospects:import.status", token=token)


@access.team_required
def import_status(request: HttpRequest, token: str) -> HttpResponse:
    """Where a confirmed import stands (the page polls itself with HTMX until it is finished)."""
    import_file = get_object_or_404(
        access.prospects_app_qs(request.user, "ImportFile").select_related("programme"),
        token=token,
        uploaded_by=request.user,
    )
    if import_file.status == ImportStatus.PENDING:
        return redirect("prospects:import.preview", token=token)
    context = {"import_file": import_file}
    if request.htmx:
        return render(request, "prospects/partials/_import_status.html", context)
    return render(request, "prospects/import_status.html", context)


@access.team_required
@require_POST
def import_cancel(request: HttpRequest, token: str) -> HttpResponse:
    import_file = _import_for(request, token)
    import_file.status = ImportStatus.CANCELLED
    import_file.save(update_fields=["status"])
    default_storage.delete(import_file.path)
    messages.info(request, _("Import abandonné : rien n'a été enregistré."))
    return redirect("prospects:import.upload")
