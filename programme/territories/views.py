"""The territories: list, page, edit, areas picked from the official list, local partners, referents, the
démarche (stages and moves) and the local partners' read grants.

The team reads every territory; directors change a territory, its areas, its stages and its grants; the
team records the démarche's moves, partners and referents. A local partner given access reads the page.
Everything is reached through `programme.access` (outsiders 404) and written through the services."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from programme import access
from programme.access import AuthedRequest, View
from programme.audit import Edit, history
from programme.models import Territory
from programme.pages import create_edit_views, form_page, guarded, posted, submitted

from . import selectors, services
from .forms import AreaSearchForm, GrantForm, MoveForm, PartnerForm, ReferentForm, StageForm, TerritoryForm
from .models import Area, Stage, TerritoryGrant, TerritoryPartner
from .sections import sections_for

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _territory(request: AuthedRequest, pk: int) -> Territory:
    return selectors.territory_get(user=request.user, pk=pk)


def territory_list(request: AuthedRequest) -> HttpResponse:
    """The team's territories; for a partner, those they were given access to (often none)."""
    rows = selectors.territory_list(user=request.user)
    return render(
        request,
        "programme/territories/list.html",
        {"title": _("Territoires"), "rows": rows, "team": access.is_team(request.user)},
    )


def territory_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The territory page: its card (areas, partners, referents, démarche) and the sections the higher
    apps register (projects, indicators, action-research…), each loaded by URL."""
    territory = _territory(request, pk)
    team = access.is_team(request.user)
    context = {
        "title": territory.name,
        "territory": territory,
        "team": team,
        "sections": sections_for(request.user, territory.pk),
        **selectors.territory_detail(user=request.user, territory=territory),
    }
    if team:
        context["move_form"] = MoveForm(territory=territory) if territory.programme_id else None
        context["audit_entries"] = history(territory, territory.partners.all(), territory.moves.all())
    return render(request, "programme/territories/detail.html", context)


@access.director_required
@require_http_methods(["GET", "POST"])
def territory_create(request: AuthedRequest) -> HttpResponse:
    form = TerritoryForm(posted(request))
    return form_page(
        request,
        form,
        save=guarded(form, lambda: services.territory_save(actor=request.user, edit=Edit.from_form(form))),
        message=lambda t: _("C’est enregistré : « %(name)s ».") % {"name": t},
        template="programme/territories/form.html",
        context={"title": _("Nouveau territoire"), "cancel": "territories:list"},
    )


@access.director_required
@require_http_methods(["GET", "POST"])
def territory_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    territory = _territory(request, pk)
    form = TerritoryForm(posted(request), instance=territory)
    saved = submitted(
        request,
        form,
        guarded(form, lambda: services.territory_save(actor=request.user, edit=Edit.from_form(form))),
        message=_("C’est enregistré : « %(name)s ».") % {"name": territory},
    )
    if saved is not None:
        return redirect(territory)
    return render(
        request,
        "programme/territories/form.html",
        {"title": _("Modifier « %(name)s »") % {"name": territory}, "form": form, "territory": territory},
    )


@access.director_required
@require_http_methods(["GET", "POST"])
def territory_areas(request: AuthedRequest, pk: int) -> HttpResponse:
    """Pick the territory's areas from the loaded list (search by name or INSEE code), or remove one."""
    territory = _territory(request, pk)
    if request.method == "POST":
        area = get_object_or_404(access.scoped(request.user, Area), pk=request.POST.get("area") or 0)
        if request.POST.get("remove") == "1":
            services.territory_area_remove(actor=request.user, territory=territory, area=area)
            messages.success(request, _("Retiré du périmètre : %(area)s.") % {"area": area})
        else:
            services.territory_area_add(actor=request.user, territory=territory, area=area)
            messages.success(request, _("Ajouté au périmètre : %(area)s.") % {"area": area})
        return redirect("territories:areas", pk=territory.pk)
    search = AreaSearchForm(request.GET or None)
    results: list[Area] = []
    if search.is_valid():
        results = selectors.area_search(
            user=request.user,
            query=search.cleaned_data["q"],
            kind=search.cleaned_data["kind"],
            exclude=territory.areas.all(),
        )
    context = {
        "title": _("Périmètre de « %(name)s »") % {"name": territory},
        "territory": territory,
        "search": search,
        "results": results,
        "searched": bool(search.is_bound and search.data.get("q")),
        "loaded": Area.objects.exists(),
        "current": territory.areas.order_by("kind", "name"),
    }
    template = (
        "programme/territories/partials/_area_results.html"
        if request.htmx
        else "programme/territories/areas.html"
    )
    return render(request, template, context)


def _small_form_view(
    form_class: Callable[..., forms.BaseForm],
    service: Callable[..., Any],
    *,
    required: Callable[[View], View],
    title: "StrOrPromise",
    done: "StrOrPromise",
    form_kwargs: Callable[[Territory], dict[str, Any]] = lambda territory: {},
) -> View:
    """The page of one small form on a territory: `service(actor=, territory=, **the form's data)` saves
    it once, its refusal shown on the form, then back to the territory; behind the role check
    `required` (404 for the others)."""

    @required
    @require_http_methods(["GET", "POST"])
    def view(request: AuthedRequest, pk: int) -> HttpResponse:
        territory = _territory(request, pk)
        form = form_class(posted(request), **form_kwargs(territory))
        save = guarded(form, lambda: service(actor=request.user, territory=territory, **form.cleaned_data))
        if submitted(request, form, save, message=done) is not None:
            return redirect(territory)
        return render(
            request,
            "programme/territories/small_form.html",
            {"title": title, "form": form, "territory": territory},
        )

    return view


territory_move = _small_form_view(
    MoveForm,
    services.territory_move,
    required=access.team_required,
    title=gettext_lazy("Changer d’étape"),
    done=gettext_lazy("Le passage d’étape est enregistré."),
    form_kwargs=lambda territory: {"territory": territory},
)
partner_add = _small_form_view(
    PartnerForm,
    services.territory_partner_add,
    required=access.team_required,
    title=gettext_lazy("Ajouter un partenaire local"),
    done=gettext_lazy("Le partenaire est ajouté."),
)
referent_add = _small_form_view(
    ReferentForm,
    services.territory_referent_add,
    required=access.team_required,
    title=gettext_lazy("Ajouter un référent"),
    done=gettext_lazy("Le référent est ajouté."),
)
grant_add = _small_form_view(
    GrantForm,
    services.territory_grant,
    required=access.director_required,
    title=gettext_lazy("Donner accès à un partenaire local"),
    done=gettext_lazy("L’accès est accordé : la personne lit la page du territoire et ses ressources."),
    form_kwargs=lambda territory: {"users": services.grantable_users(territory)},
)


@access.team_required
@require_POST
def partner_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    partner = get_object_or_404(
        access.scoped(request.user, TerritoryPartner).select_related("territory"), pk=pk
    )
    services.territory_partner_remove(actor=request.user, partner=partner)
    messages.success(request, _("Le partenaire est retiré."))
    return redirect(partner.territory)


@access.team_required
@require_POST
def referent_remove(request: AuthedRequest, pk: int, person_pk: int) -> HttpResponse:
    territory = _territory(request, pk)
    person = get_object_or_404(territory.referents.all(), pk=person_pk)
    services.territory_referent_remove(actor=request.user, territory=territory, person=person)
    messages.success(request, _("Le référent est retiré."))
    return redirect(territory)


@access.director_required
@require_POST
def grant_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    grant = get_object_or_404(access.scoped(request.user, TerritoryGrant).select_related("territory"), pk=pk)
    services.territory_revoke(actor=request.user, grant=grant)
    messages.success(request, _("L’accès est retiré."))
    return redirect(grant.territory)


@access.team_required
def stage_list(request: AuthedRequest) -> HttpResponse:
    return render(
        request,
        "programme/territories/stages.html",
        {"title": _("Étapes de la démarche"), "programmes": selectors.stages_by_programme(user=request.user)},
    )


def _stage_page(request: AuthedRequest, stage: Stage | None) -> HttpResponse:
    form = StageForm(posted(request), instance=stage)
    saved = submitted(
        request,
        form,
        guarded(form, lambda: services.stage_save(actor=request.user, edit=Edit.from_form(form))),
        message=_("L’étape est enregistrée."),
    )
    if saved is not None:
        return redirect("territories:stage.list")
    title = _("Nouvelle étape") if stage is None else _("Modifier « %(name)s »") % {"name": stage}
    return render(request, "programme/territories/stage_form.html", {"title": title, "form": form})


stage_create, stage_edit = create_edit_views(
    _stage_page,
    required=access.director_required,
    get=lambda request, pk: get_object_or_404(access.scoped(request.user, Stage), pk=pk),
)
