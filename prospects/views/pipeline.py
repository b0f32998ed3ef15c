"""The pipeline: the prospect list, the board and its moves, the export, the home panel."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import retarget

from programme import access
from programme.access import AuthedRequest
from programme.exports import export_response
from programme.pages import render_filtered_list

from .. import exports, selectors, services
from ..filters import ProspectFilter
from ..forms import MoveForm
from ..models import Stage

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
def prospect_list(request: AuthedRequest) -> HttpResponse:
    filterset = ProspectFilter(request.GET, queryset=selectors.prospect_list(request.user))
    return render_filtered_list(
        request,
        filterset=filterset,
        template="prospects/prospect_list.html",
        partial="prospects/partials/_prospect_table.html",
        context={"title": _("Prospects"), "sort_links": _sort_links(request), "today": timezone.localdate()},
    )


def _board_context(request: AuthedRequest, query: QueryDict) -> dict[str, Any]:
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
def prospect_board(request: AuthedRequest) -> HttpResponse:
    context = _board_context(request, request.GET)
    if request.htmx and not request.htmx.boosted:
        return render(request, "prospects/partials/_board.html", context)
    return render(request, "prospects/prospect_board.html", {"title": _("Tableau des prospects"), **context})


@access.team_required
def prospect_export(request: AuthedRequest, fmt: str) -> HttpResponse:
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


@access.team_required
def pipeline_panel(request: AuthedRequest) -> HttpResponse:
    """The home page's pipeline panel (loaded by the home page with hx-get on load)."""
    return render(
        request,
        "prospects/partials/_home_pipeline.html",
        {"panel": selectors.pipeline_panel(request.user)},
    )


@access.team_required
@require_POST
def prospect_move(request: AuthedRequest, pk: int) -> HttpResponse:
    """Move a card (board) or a prospect (detail page). Refused moves come back with the reason."""
    prospect = selectors.prospect_detail(request.user, pk)
    form = MoveForm(request.POST)
    error = None
    if form.is_valid():
        try:
            prospect = services.prospect_move(actor=request.user, prospect=prospect, **form.cleaned_data)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
    else:
        error = _("Choisissez l’étape de destination.")
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
            _("« %(name)s » est maintenant à l’étape « %(stage)s ».")
            % {"name": prospect.organisation.name, "stage": prospect.get_stage_display()},
        )
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect(prospect)
