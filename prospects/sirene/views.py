"""The radar (the register, filtered, with « Ajouter aux prospects »), its saved searches, the imports'
record, the home panel, and the pieces the structure pages load by URL: the register's lookup for the
organisation form and « ce que dit le répertoire » on a structure's page. Team pages: anyone else 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from programme import access
from programme.access import AuthedRequest
from programme.models import Organisation, Programme, Territory
from programme.pages import render_filtered_list, save_once
from programme.territories.selectors import territory_get

from . import selectors, services
from .columns import GROUP_LABELS, HEADCOUNT_BANDS, category_group
from .filters import RadarFilter
from .forms import RadarAddForm, SavedSearchForm
from .models import RegisterImportStatus, SavedSearch

RADAR_PAGE_SIZE = 50


def _radar_url(query: str) -> str:
    return f"{reverse('prospects:radar')}?{query}" if query else reverse("prospects:radar")


@access.team_required
def radar(request: AuthedRequest) -> HttpResponse:
    state = selectors.register_state(request.user)
    searches = list(access.scoped(request.user, SavedSearch).select_related("territory"))
    filterset = RadarFilter(
        request.GET,
        queryset=selectors.radar_units(request.user, version=selectors.register_version(state)),
        searches=searches,
    )
    response = render_filtered_list(
        request,
        filterset=filterset,
        template="prospects/sirene/radar.html",
        partial="prospects/sirene/partials/_radar_table.html",
        page_size=RADAR_PAGE_SIZE,
        context={
            "title": _("Radar des structures"),
            "count_cap": selectors.COUNT_CAP,
            "add_form": RadarAddForm(),
            # The menus of the add and save forms, read once for both.
            "programmes": list(Programme.objects.filter(is_active=True).order_by("name")),
            "territories": list(Territory.objects.filter(is_active=True).order_by("name")),
            "state": state,
            "searches": searches,
        },
    )
    return response


@access.team_required
@require_POST
def radar_add(request: AuthedRequest) -> HttpResponse:
    form = RadarAddForm(request.POST)
    query = request.POST.get("query", "")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(_radar_url(query))

    def save() -> services.AddResult | None:
        try:
            return services.prospects_add_from_register(
                actor=request.user,
                programme=form.cleaned_data["programme"],
                sirens=form.cleaned_data["sirens"],
                territory=form.cleaned_data["territory"],
            )
        except ValidationError as refusal:
            form.add_error(None, refusal)
            return None

    result = save_once(form, save)
    if result is None:
        for error in form.non_field_errors():
            messages.error(request, str(error))
        return redirect(_radar_url(query))
    if result.created:
        count = len(result.created)
        messages.success(
            request,
            ngettext(
                "%(count)s structure ajoutée aux prospects (source « Veille »).",
                "%(count)s structures ajoutées aux prospects (source « Veille »).",
                count,
            )
            % {"count": count},
        )
    if result.already:
        messages.info(
            request,
            _("Déjà prospects de ce programme, laissés tels quels : %(names)s.")
            % {"names": ", ".join(result.already)},
        )
    return redirect(_radar_url(query))


@access.team_required
@require_POST
def saved_search_save(request: AuthedRequest) -> HttpResponse:
    form = SavedSearchForm(request.POST)
    query = request.POST.get("query", "")
    if form.is_valid():
        search = services.saved_search_save(
            actor=request.user, territory=form.cleaned_data["territory"], query=form.cleaned_data["query"]
        )
        messages.success(
            request,
            _(
                "Recherche enregistrée pour « %(territory)s » : l’accueil dira combien de structures chaque import apporte."
            )
            % {"territory": search.territory},
        )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect(_radar_url(query))


@access.team_required
@require_POST
def saved_search_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    search = access.get_for_user_or_404(access.scoped(request.user, SavedSearch), pk=pk)
    services.saved_search_delete(actor=request.user, search=search)
    messages.success(request, _("Recherche enregistrée supprimée."))
    return redirect("prospects:radar")


@access.team_required
def import_list(request: AuthedRequest) -> HttpResponse:
    rows = list(selectors.imports(request.user)[:50])
    running = any(row.status in (RegisterImportStatus.QUEUED, RegisterImportStatus.RUNNING) for row in rows)
    template = (
        "prospects/sirene/partials/_import_table.html"
        if request.htmx
        else "prospects/sirene/import_list.html"
    )
    return render(
        request, template, {"imports": rows, "running": running, "title": _("Imports du répertoire SIRENE")}
    )


@access.team_required
def panel(request: AuthedRequest) -> HttpResponse:
    """The home page's « Radar » panel (loaded by the home page with hx-get on load)."""
    return render(
        request,
        "prospects/sirene/partials/_home_panel.html",
        {"panel": selectors.new_structures_panel(request.user)},
    )


@access.team_required
def lookup(request: AuthedRequest) -> JsonResponse:
    """The register's structures matching `q` (name or SIREN), with the organisation fields they fill:
    the organisation form's autocomplete (static/js/register_lookup.js)."""
    units = selectors.autocomplete(request.user, request.GET.get("q", "")[:100])
    results = []
    for unit in units:
        values = services.organisation_values(unit)
        results.append(
            {
                **values,
                "label": unit.name,
                "detail": " · ".join(
                    part
                    for part in (
                        unit.siren,
                        str(GROUP_LABELS.get(category_group(unit.legal_category), "")),
                        f"NAF {unit.naf}" if unit.naf else "",
                        _("ESS") if unit.ess else "",
                        unit.commune_name,
                        "" if unit.active else _("radiée"),
                    )
                    if part
                ),
                "naf": unit.naf,
                "ess": unit.ess,
                "active": unit.active,
            }
        )
    return JsonResponse({"results": results})


@access.team_required
def organisation_register(request: AuthedRequest, pk: int) -> HttpResponse:
    """« Ce que dit le répertoire SIRENE » on a structure's page (loaded by URL): radiée, address changed."""
    organisation = access.get_for_user_or_404(access.scoped(request.user, Organisation), pk=pk)
    check = selectors.organisation_check(request.user, organisation)
    return render(
        request,
        "prospects/sirene/partials/_organisation_register.html",
        {
            "organisation": organisation,
            "check": check,
            "band_labels": HEADCOUNT_BANDS,
        },
    )


# --- The territory page's section (registered into programme.territories by prospects.apps) -----------------


@access.team_required
def territory_density(request: AuthedRequest, pk: int) -> HttpResponse:
    """« Structures de l'ESS (répertoire SIRENE) »: the ESS structures established in the territory."""
    territory = territory_get(user=request.user, pk=pk)
    context = {"territory": territory, **selectors.territory_density(request.user, territory)}
    return render(request, "prospects/sirene/partials/_territory_density.html", context)
