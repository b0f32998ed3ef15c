"""The pipeline: the prospect list, the board and its moves, the export, the home panel."""

from collections.abc import Callable
from datetime import date
from html import escape
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_htmx.http import retarget

from programme import access
from programme.access import AuthedRequest
from programme.bulk_actions import BulkAction, BulkList, bulk_page
from programme.exports import export_response
from programme.formatting import date_writer, member_label
from programme.identity import format_identifier, row_id
from programme.models import Person, User
from programme.pages import MenuWords, menu_options, query_string, render_filtered_list, reverse_pattern

from .. import exports, selectors, services
from ..events import services as event_services
from ..filters import ProspectFilter
from ..forms import BulkForm, MoveForm, prospect_label
from ..models import Audience, Prospect, Source, Stage

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

#: The list's columns after the selection box: the sort each one's heading applies (None: not sortable),
#: and its label. « updated » sorts too, from the menu only.
COLUMNS: tuple[tuple[str | None, "StrOrPromise"], ...] = (
    ("name", _lazy("Structure")),
    ("stage", _lazy("Étape")),
    (None, _lazy("Source")),
    ("town", _lazy("Commune")),
    (None, _lazy("Suivi par")),
    ("next_action", _lazy("Prochaine action")),
)


def _column_heads(request: HttpRequest) -> str:
    """The table's headings: each sortable one a link that sorts by it (toggling the direction), the sorted
    one marked with an arrow and `aria-sort` (on its column header, where assistive technology reads it)."""
    current = request.GET.get("o", "")
    heads = [
        f'<th scope="col" class="check"><span class="visually-hidden">{escape(_("Sélection"))}</span>'
        '<input type="checkbox" class="js-only" data-select-page '
        f'aria-label="{escape(_("Sélectionner les prospects de cette page"))}"></th>'
    ]
    for key, label in COLUMNS:
        if key is None:
            heads.append(f'<th scope="col">{escape(str(label))}</th>')
            continue
        query = escape(
            query_string(request.GET, drop=("page",), replace={"o": f"-{key}" if current == key else key})
        )
        sorted_here, descending = current.lstrip("-") == key, current == f"-{key}"
        state = f' aria-sort="{"descending" if descending else "ascending"}"' if sorted_here else ""
        arrow = (" ↓" if descending else " ↑") if sorted_here else ""
        heads.append(
            f'<th scope="col"{state}><a href="?{query}" hx-get="?{query}" hx-target="#results" '
            f'hx-push-url="true">{escape(str(label))}{arrow}</a></th>'
        )
    return "\n    " + "\n    ".join(heads) + "\n"


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


def _prospect_rows(today: date) -> Callable[[list[dict[str, Any]]], str]:
    """The list's rows (values of `selectors.LIST_ROW_FIELDS`), written with string joins — the markup the
    template's loop wrote, byte for byte (fifty rows through the template engine were most of the page's
    time). Labels, badges and the link are prepared once for the page."""
    detail = reverse_pattern("prospects:prospect.detail")
    labels = {
        name: {value: escape(str(label)) for value, label in choices.choices}
        for name, choices in (("stage", Stage), ("source", Source), ("audience", Audience))
    }
    select = _("Sélectionner %(name)s")
    late = ' <span class="badge badge--danger">{}</span>'.format(escape(_("en retard")))
    write_date = date_writer()

    def next_action(p: dict[str, Any]) -> str:
        if not (p["next_action"] or p["next_action_date"]):
            return "—"
        text = escape(p["next_action"] or "—")
        if p["next_action_date"]:
            day = p["next_action_date"]
            text += f'<br><time datetime="{day.isoformat()}">{escape(write_date(day))}</time>'
            text += late if day < today else ""
        return text

    def row(p: dict[str, Any]) -> str:
        name = escape(p["organisation__name"])
        siren = (
            f'<br><span class="muted pr-small">{escape(format_identifier(p["organisation__siren"]))}</span>'
            if p["organisation__siren"]
            else ""
        )
        owner = (
            escape(User.name_of(p["owner__first_name"], p["owner__last_name"], p["owner__email"]))
            if p["owner_id"] is not None
            else "—"
        )
        stage = labels["stage"].get(p["stage"]) or escape(p["stage"])
        return (
            "\n    <tr>\n"
            f'      <td class="check"><input type="checkbox" name="ids" value="{p["pk"]}" form="bulk-form" '
            f'aria-label="{select % {"name": name}}"></td>\n'
            f'      <td><a href="{detail.format(p["pk"])}">{name}</a>{siren}</td>\n'
            f'      <td><span class="badge badge--stage-{escape(p["stage"])}">{stage}</span></td>\n'
            f"      <td>{labels['source'].get(p['source']) or escape(p['source'])}<br>"
            f'<span class="muted pr-small">{labels["audience"].get(p["audience"]) or escape(p["audience"])}</span></td>\n'
            f"      <td>{escape(p['organisation__town'] or '—')}</td>\n"
            f"      <td>{owner}</td>\n"
            f"      <td>{next_action(p)}</td>\n"
            "    </tr>\n  "
        )

    return lambda prospects: "".join(row(p) for p in prospects)


@access.team_required
def prospect_list(request: AuthedRequest) -> HttpResponse:
    filterset = ProspectFilter(request.GET, queryset=selectors.prospects_for(request.user))
    filterset.load_menus()
    today = timezone.localdate()
    return render_filtered_list(
        request,
        filterset=filterset,
        template="prospects/prospect_list.html",
        partial="prospects/partials/_prospect_table.html",
        context={
            "title": _("Prospects"),
            "column_heads": mark_safe(_column_heads(request)),  # noqa: S308 — every value escaped there
            "today": today,
            "bulk_actions": PROSPECT_BULK.menu(),
        },
        rows=_prospect_rows(today),
        row_values=selectors.LIST_ROW_FIELDS,
        source=selectors.prospect_rows(request.user, filterset),
    )


# --- Bulk actions -------------------------------------------------------------------------------------


def _assign_refusals(_actor: User, rows: list[Prospect], data: dict[str, Any]) -> dict[int, str]:
    return {p.pk: r for p in rows if (r := services.assign_refusal(prospect=p, owner=data["owner"]))}


def _move_refusals(_actor: User, rows: list[Prospect], data: dict[str, Any]) -> dict[int, str]:
    return {
        p.pk: r
        for p in rows
        if (r := services.move_refusal(from_stage=p.stage, to_stage=data["to_stage"], reason=data["reason"]))
    }


def _theme_refusals(_actor: User, rows: list[Prospect], data: dict[str, Any]) -> dict[int, str]:
    having = set(
        Prospect.themes.through.objects.filter(
            prospect_id__in=[p.pk for p in rows], theme=data["theme"]
        ).values_list("prospect_id", flat=True)
    )
    return {
        p.pk: r for p in rows if (r := services.theme_refusal(has_theme=p.pk in having, theme=data["theme"]))
    }


def _invite_refusals(_actor: User, rows: list[Prospect], data: dict[str, Any]) -> dict[int, str]:
    contacts = set(
        Person.objects.filter(
            organisation_id__in=[p.organisation_id for p in rows], anonymised_at__isnull=True
        ).values_list("organisation_id", flat=True)
    )
    return {
        p.pk: r
        for p in rows
        if (r := event_services.invite_refusal(contacts=int(p.organisation_id in contacts)))
    }


BULK_ACTIONS: list[BulkAction[Prospect]] = [
    BulkAction(
        "assign",
        _lazy("Assigner le suivi"),
        lambda d: _("Ces prospects seront suivis par %(name)s.") % {"name": member_label(d["owner"])},
        _assign_refusals,
        lambda actor, ids, d, ok: services.prospects_bulk_assign(
            actor=actor, prospect_ids=ids, owner=d["owner"], confirmed=ok
        ),
    ),
    BulkAction(
        "move",
        _lazy("Changer d’étape"),
        lambda d: (
            _("Ces prospects passeront à l’étape « %(stage)s ».") % {"stage": Stage(d["to_stage"]).label}
        ),
        _move_refusals,
        lambda actor, ids, d, ok: services.prospects_bulk_move(
            actor=actor, prospect_ids=ids, to_stage=d["to_stage"], reason=d["reason"], confirmed=ok
        ),
    ),
    BulkAction(
        "theme",
        _lazy("Ajouter une thématique"),
        lambda d: _("La thématique « %(theme)s » sera ajoutée à ces prospects.") % {"theme": d["theme"].name},
        _theme_refusals,
        lambda actor, ids, d, ok: services.prospects_bulk_add_theme(
            actor=actor, prospect_ids=ids, theme=d["theme"], confirmed=ok
        ),
    ),
    BulkAction(
        "invite",
        _lazy("Inviter à un événement"),
        lambda d: (
            _("Les contacts de ces structures seront invités à « %(event)s ».") % {"event": d["event"].name}
            + " "
            + str(event_services.INVITATION_MAILED)
        ),
        _invite_refusals,
        lambda actor, ids, d, ok: event_services.prospects_bulk_invite(
            actor=actor, prospect_ids=ids, event=d["event"], confirmed=ok
        ),
    ),
]


PROSPECT_BULK = BulkList(
    actions=BULK_ACTIONS,
    form=BulkForm,
    readable=lambda request: selectors.prospect_list(request.user),
    filterset=ProspectFilter,
    order=("organisation__name", "pk"),
    nouns=services.PROSPECT_NOUNS,
    list_url="prospects:prospect.list",
    url="prospects:prospect.bulk",
    describe=lambda p: (p.organisation.name, p.get_stage_display()),
)


@access.team_required
def prospect_bulk(request: AuthedRequest) -> HttpResponse:
    """« Pour la sélection » on the prospect list: `programme.bulk_actions.bulk_page`."""
    return bulk_page(request, PROSPECT_BULK)


def _board_context(request: AuthedRequest, query: QueryDict, *, menus: bool = False) -> dict[str, Any]:
    """The board's columns; `menus`: the whole page, which draws the filters (their menus read at once)."""
    filterset = ProspectFilter(query, queryset=selectors.prospects_for(request.user))
    if menus:
        filterset.load_menus()
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
    partial = request.htmx and not request.htmx.boosted
    context = _board_context(request, request.GET, menus=not partial)
    if partial:
        return render(request, "prospects/partials/_board.html", context)
    return render(request, "prospects/prospect_board.html", {"title": _("Tableau des prospects"), **context})


@access.team_required
def prospect_export(request: AuthedRequest, fmt: str) -> HttpResponse:
    filterset = ProspectFilter(request.GET, queryset=selectors.prospect_list(request.user))
    prospects = (
        filterset.qs.order_by("organisation__name", "pk") if not request.GET.get("o") else filterset.qs
    )
    return export_response(
        fmt=fmt,
        filename=exports.file_name(),
        title=_("Prospects"),
        headers=exports.headers(),
        rows=exports.rows(prospects),
    )


#: What the prospect menu's first option says (programme.pages.menu_options).
PROSPECT_WORDS = MenuWords(
    prompt=_lazy("— Cherchez le prospect ci-dessus —"),
    none=_lazy("— Aucun prospect ne correspond —"),
    found=lambda n: ngettext("— %(n)s prospect trouvé —", "— %(n)s prospects trouvés —", n) % {"n": n},
    more=lambda n: _("— Les %(n)s premiers : précisez la recherche —") % {"n": n},
)


@access.team_required
def prospect_options(request: AuthedRequest) -> HttpResponse:
    """A prospect menu's options for what was typed (its structure's name, town or SIREN), in one programme
    when the menu names it, and not those already linked to an event it names (an event's link form)."""
    programme, event = (row_id(request.GET.get(name, "")) for name in ("programme", "not_event"))
    rows = selectors.menu_prospects(request.user, programme_id=programme, not_event_id=event)
    return menu_options(request, rows, selectors.prospect_search, prospect_label, PROSPECT_WORDS)


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
