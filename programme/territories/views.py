"""The territories: list, page, edit, areas picked from the official list, local partners, referents, the
démarche (stages and moves) and the local partners' read grants.

The team reads every territory; directors change a territory, its areas, its stages and its grants; the
team records the démarche's moves, partners and referents. A local partner given access reads the page.
Everything is reached through `programme.access` (outsiders 404) and written through the services."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from programme import access
from programme.access import AuthedRequest
from programme.audit import Edit, history
from programme.models import Territory
from programme.pages import create_edit_views, form_page, guarded, posted, submitted

from . import selectors, services
from .forms import AreaSearchForm, GrantForm, MoveForm, PartnerForm, ReferentForm, StageForm, TerritoryForm
from .models import Area, Stage, TerritoryGrant, TerritoryPartner
from .sections import sections_for


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


def _small_form(
    request: AuthedRequest,
    territory: Territory,
    form: forms.BaseForm,
    save: Callable[[], Any],
    *,
    title: str,
    done: str,
) -> HttpResponse:
    if submitted(request, form, guarded(form, save), message=done) is not None:
        return redirect(territory)
    return render(
        request,
        "programme/territories/small_form.html",
        {"title": title, "form": form, "territory": territory},
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def territory_move(request: AuthedRequest, pk: int) -> HttpResponse:
    territory = _territory(request, pk)
    form = MoveForm(posted(request), territory=territory)

    def save() -> Any:
        data = form.cleaned_data
        return services.territory_move(
            actor=request.user,
            territory=territory,
            stage=data["stage"],
            moved_on=data["moved_on"],
            rationale=data["rationale"],
        )

    return _small_form(
        request,
        territory,
        form,
        save,
        title=_("Changer d’étape"),
        done=_("Le passage d’étape est enregistré."),
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def partner_add(request: AuthedRequest, pk: int) -> HttpResponse:
    territory = _territory(request, pk)
    form = PartnerForm(posted(request))

    def save() -> Any:
        data = form.cleaned_data
        return services.territory_partner_add(
            actor=request.user,
            territory=territory,
            organisation=data["organisation"],
            role=data["role"],
            note=data["note"],
        )

    return _small_form(
        request,
        territory,
        form,
        save,
        title=_("Ajouter un partenaire local"),
        done=_("Le partenaire est ajouté."),
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
@require_http_methods(["GET", "POST"])
def referent_add(request: AuthedRequest, pk: int) -> HttpResponse:
    territory = _territory(request, pk)
    form = ReferentForm(posted(request))

    def save() -> Any:
        return services.territory_referent_add(
            actor=request.user, territory=territory, person=form.cleaned_data["person"]
        )

    return _small_form(
        request, territory, form, save, title=_("Ajouter un référent"), done=_("Le référent est ajouté.")
    )


@access.team_required
@require_POST
def referent_remove(request: AuthedRequest, pk: int, person_pk: int) -> HttpResponse:
    territory = _territory(request, pk)
    person = get_object_or_404(territory.referents.all(), pk=person_pk)
    services.territory_referent_remove(actor=request.user, territory=territory, person=person)
    messages.success(request, _("Le référent est retiré."))
    return redirect(territory)


@access.director_required
@require_http_methods(["GET", "POST"])
def grant_add(request: AuthedRequest, pk: int) -> HttpResponse:
    territory = _territory(request, pk)
    form = GrantForm(posted(request), users=services.grantable_users(territory))

    def save() -> Any:
        return services.territory_grant(
            actor=request.user, territory=territory, user=form.cleaned_data["user"]
        )

    return _small_form(
        request,
        territory,
        form,
        save,
        title=_("Donner accès à un partenaire local"),
        done=_("L’accès est accordé : la personne lit la page du territoire et ses ressources."),
    )


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
