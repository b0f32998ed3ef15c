"""Prospect pages (programme team only: partners get 404 everywhere here)."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import retarget

from programme import access
from programme.pages import render_filtered_list

from . import exports, importing, selectors, services
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
from .models import Event, ImportFile, ImportStatus, Interview, Prospect, Stage

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
    if fmt == "csv":
        response = HttpResponse(
            exports.to_csv(prospects.iterator(chunk_size=2000)), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            exports.to_xlsx(prospects.iterator(chunk_size=2000)),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{exports.file_name(fmt)}"'
    return response


@access.team_required
def pipeline_panel(request: HttpRequest) -> HttpResponse:
    """The home page's pipeline panel (loaded by the home page with hx-get on load)."""
    return render(
        request,
        "prospects/partials/_home_pipeline.html",
        {"panel": selectors.pipeline_panel(request.user)},
    )


# --- One prospect ------------------------------------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    form: Form,
    *,
    save: Callable[[], Model],
    message: Callable[[Model], str],
    template: str,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """The create/edit pages: a valid POST saves through the service, says so and goes to the object;
    otherwise the page (again, with the errors next to the fields)."""
    if request.method == "POST" and form.is_valid():
        obj = save()
        messages.success(request, message(obj))
        return redirect(obj)
    return render(request, template, {"form": form, **(context or {})})


def _posted(request: HttpRequest) -> QueryDict | None:
    """The submitted data on POST (even empty: the form is bound and shows its errors), else None."""
    return request.POST if request.method == "POST" else None


@access.team_required
@require_http_methods(["GET", "POST"])
def prospect_create(request: HttpRequest) -> HttpResponse:
    form = ProspectCreateForm(_posted(request))

    def save() -> Prospect:
        data = form.cleaned_data
        return services.prospect_create(
            actor=request.user,
            programme=data["programme"],
            organisation=data.get("organisation")
            or services.NewOrganisation(
                name=data["new_name"],
                kind=data["new_kind"],
                town=data.get("new_town", ""),
                siren=data.get("new_siren", ""),
            ),
            source=data["source"],
            audience=data.get("audience") or None,
            owner=data.get("owner"),
            cohort=data.get("cohort"),
            next_action=data.get("next_action", ""),
            next_action_date=data.get("next_action_date"),
            notes=data.get("notes", ""),
            project_idea=data.get("project_idea", ""),
            themes=data.get("themes") or None,
            territory=data.get("territory"),
        )

    return _form_page(
        request,
        form,
        save=save,
        message=lambda prospect: _("Prospect « %(name)s » ajouté.") % {"name": prospect.organisation.name},
        template="prospects/prospect_create.html",
    )


@access.team_required
def prospect_detail(request: HttpRequest, pk: int) -> HttpResponse:
    prospect = selectors.prospect_detail(request.user, pk)
    return render(request, "prospects/prospect_detail.html", _detail_context(prospect))


def _detail_context(
    prospect: Prospect, *, move_form: Form | None = None, interaction_form: Form | None = None
) -> dict[str, Any]:
    return {
        **selectors.prospect_page(prospect),
        "move_form": move_form or MoveForm(),
        "interaction_form": interaction_form
        or InteractionForm(programme_id=prospect.programme_id, initial={"date": timezone.localdate()}),
    }


@access.team_required
@require_http_methods(["GET", "POST"])
def prospect_edit(request: HttpRequest, pk: int) -> HttpResponse:
    prospect = selectors.prospect_detail(request.user, pk)
    form = ProspectForm(_posted(request), instance=prospect)
    return _form_page(
        request,
        form,
        save=lambda: services.prospect_update(actor=request.user, form=form),
        message=lambda _prospect: _("Prospect mis à jour."),
        template="prospects/prospect_form.html",
        context={"prospect": prospect},
    )


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
    return render(request, "prospects/prospect_detail.html", _detail_context(prospect, interaction_form=form))


# --- Interviews ---------------------------------------------------------------------------------------------


@access.team_required
@require_http_methods(["GET", "POST"])
def interview_create(request: HttpRequest, pk: int) -> HttpResponse:
    prospect = selectors.prospect_detail(request.user, pk)
    form = InterviewForm(
        _posted(request),
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


def _interview_context(request: HttpRequest, interview: Interview, **forms: Form) -> dict[str, Any]:
    sheet = selectors.interview_sheet(request.user, interview)
    return {
        **sheet,
        "score_form": forms.get("score_form")
        or ScoreForm(criteria=sheet["criteria"], initial_scores=sheet["my_scores"], prefix="score"),
        "complete_form": forms.get("complete_form") or InterviewCompleteForm(prefix="end"),
    }


def _interview_action(
    request: HttpRequest,
    interview: Interview,
    form: Form,
    *,
    form_name: str,
    act: Callable[[], object],
    success: str,
) -> HttpResponse:
    """Score or conclude: a valid form goes to the service; its refusal comes back on the form."""
    if form.is_valid():
        try:
            act()
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, success)
            return redirect(interview)
    return render(
        request,
        "prospects/interview_detail.html",
        _interview_context(request, interview, **{form_name: form}),
    )


@access.team_required
def interview_detail(request: HttpRequest, pk: int) -> HttpResponse:
    interview = selectors.interview_detail(request.user, pk)
    return render(request, "prospects/interview_detail.html", _interview_context(request, interview))


@access.team_required
@require_POST
def interview_score(request: HttpRequest, pk: int) -> HttpResponse:
    interview = selectors.interview_detail(request.user, pk)
    form = ScoreForm(request.POST, criteria=list(interview.grid.criteria.all()), prefix="score")
    return _interview_action(
        request,
        interview,
        form,
        form_name="score_form",
        act=lambda: services.interview_score(actor=request.user, interview=interview, values=form.values()),
        success=_("Vos notes sont enregistrées."),
    )


@access.team_required
@require_POST
def interview_complete(request: HttpRequest, pk: int) -> HttpResponse:
    interview = selectors.interview_detail(request.user, pk)
    form = InterviewCompleteForm(request.POST, prefix="end")
    return _interview_action(
        request,
        interview,
        form,
        form_name="complete_form",
        act=lambda: services.interview_complete(
            actor=request.user,
            interview=interview,
            recommendation=form.cleaned_data["recommendation"],
            rationale=form.cleaned_data["rationale"],
        ),
        success=_("Entretien terminé : le prospect est pré-qualifié."),
    )


@access.team_required
@require_POST
def interview_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    interview = selectors.interview_detail(request.user, pk)
    try:
        services.interview_cancel(actor=request.user, interview=interview)
        messages.success(request, _("Entretien annulé."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(interview)


# --- Scoring grid ---------------------------------------------------------------------------------------------


@access.team_required
def grid_detail(request: HttpRequest) -> HttpResponse:
    programme = selectors.grid_programme(request.user, request.GET.get("programme", ""))
    return render(request, "prospects/grid_detail.html", selectors.grid_page(request.user, programme))


@access.team_required
@require_http_methods(["GET", "POST"])
def grid_edit(request: HttpRequest) -> HttpResponse:
    programme = selectors.grid_programme(request.user, request.GET.get("programme", ""))
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
    formset = CriterionFormSet(_posted(request), initial=initial, prefix="criteria")
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


@access.team_required
def event_list(request: HttpRequest) -> HttpResponse:
    return render_filtered_list(
        request,
        filterset=EventFilter(request.GET, queryset=selectors.event_list(request.user)),
        template="prospects/event_list.html",
        partial="prospects/partials/_event_table.html",
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def event_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create an event (no pk) or edit one."""
    event = selectors.event_detail(request.user, pk) if pk is not None else None
    if event is None:
        form = EventForm(_posted(request), initial={"staff": [request.user.pk]})
    else:
        form = EventForm(_posted(request), instance=event)
    return _form_page(
        request,
        form,
        save=lambda: services.event_save(actor=request.user, form=form),
        message=lambda saved: (
            _("Événement « %(name)s » créé.") % {"name": saved.name}
            if event is None
            else _("Événement mis à jour.")
        ),
        template="prospects/event_form.html",
        context={"creating": event is None, "event": event},
    )


def _event_context(
    event: Event, *, link_form: Form | None = None, new_form: Form | None = None
) -> dict[str, Any]:
    return {
        **selectors.event_page(event),
        "link_form": link_form or EventLinkForm(event=event, prefix="link"),
        "new_form": new_form or EventNewProspectForm(prefix="new"),
    }


@access.team_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_detail(request.user, pk)
    return render(request, "prospects/event_detail.html", _event_context(event))


@access.team_required
@require_POST
def event_prospects(request: HttpRequest, pk: int) -> HttpResponse:
    """Link an existing prospect to the event (`link-…` fields) or create a new one (`new-…` fields)."""
    event = selectors.event_detail(request.user, pk)
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


@access.team_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(
        _posted(request),
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            import_file = services.import_file_create(
                actor=request.user, programme=form.cleaned_data["programme"], upload=form.cleaned_data["file"]
            )
        except importing.ImportFileError as error:
            form.add_error("file", str(error))
        else:
            return redirect("prospects:import.preview", token=import_file.token)
    return render(
        request,
        "prospects/import_upload.html",
        {"form": form, "recent": selectors.imports_recent(request.user)},
    )


def _unreadable(request: HttpRequest, error: Exception) -> HttpResponse:
    messages.error(request, _("Le fichier n'est plus lisible (%(error)s) : rechargez-le.") % {"error": error})
    return redirect("prospects:import.upload")


def _mapping_form(import_file: ImportFile, preview: importing.Preview, data=None) -> ImportMappingForm:
    initial = {f"col_{i}": import_file.mapping.get(str(i), "") for i in range(len(preview.headers))}
    return ImportMappingForm(data, headers=preview.headers, initial=initial, prefix="map")


@access.team_required
@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, token: str) -> HttpResponse:
    import_file = selectors.import_pending(request.user, token)
    try:
        preview = importing.load_preview(import_file)
    except (OSError, importing.ImportFileError) as error:
        return _unreadable(request, error)
    mapping_form = _mapping_form(import_file, preview, _posted(request))
    if request.method == "POST" and mapping_form.is_valid():
        services.import_file_map(actor=request.user, import_file=import_file, mapping=mapping_form.mapping())
        return redirect("prospects:import.preview", token=token)
    return render(
        request,
        "prospects/import_preview.html",
        _preview_context(import_file, preview, mapping_form),
    )


def _preview_context(
    import_file: ImportFile,
    preview: importing.Preview,
    mapping_form: ImportMappingForm,
    confirm_form: ImportConfirmForm | None = None,
) -> dict[str, Any]:
    return {
        "import_file": import_file,
        "preview": preview,
        "counts": preview.counts,
        "shown": selectors.import_preview_rows(preview),
        "preview_limit": selectors.PREVIEW_ROWS,
        "mapping_form": mapping_form,
        "confirm_form": confirm_form or ImportConfirmForm(),
    }


@access.team_required
@require_POST
def import_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Check the file once more, then queue the import (all or nothing, in the background) and show its
    progress. Refusals (missing columns, invalid rows not explicitly skipped) come back on the preview."""
    import_file = selectors.import_pending(request.user, token)
    confirm_form = ImportConfirmForm(request.POST)
    confirm_form.is_valid()
    try:
        preview = importing.load_preview(import_file)
    except (OSError, importing.ImportFileError) as error:
        return _unreadable(request, error)
    try:
        services.import_confirm(
            actor=request.user,
            import_file=import_file,
            skip_invalid=bool(confirm_form.cleaned_data.get("skip_invalid")),
            preview=preview,
        )
    except ValidationError as refusal:
        confirm_form.add_error(None, refusal)
        return render(
            request,
            "prospects/import_preview.html",
            _preview_context(import_file, preview, _mapping_form(import_file, preview), confirm_form),
        )
    return redirect("prospects:import.status", token=token)


@access.team_required
def import_status(request: HttpRequest, token: str) -> HttpResponse:
    """Where a confirmed import stands (the page polls itself with HTMX until it is finished)."""
    import_file = selectors.import_mine(request.user, token)
    if import_file.status == ImportStatus.PENDING:
        return redirect("prospects:import.preview", token=token)
    context = {"import_file": import_file}
    if request.htmx:
        return render(request, "prospects/partials/_import_status.html", context)
    return render(request, "prospects/import_status.html", context)


@access.team_required
@require_POST
def import_cancel(request: HttpRequest, token: str) -> HttpResponse:
    services.import_cancel(actor=request.user, import_file=selectors.import_pending(request.user, token))
    messages.info(request, _("Import abandonné : rien n'a été enregistré."))
    return redirect("prospects:import.upload")
