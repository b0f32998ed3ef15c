"""The programme settings pages (« Paramètres du programme »): the team reads them, directors change them."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db import models
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from programme import access
from programme.access import AuthedRequest
from programme.audit import Edit
from programme.forms import ModelForm
from programme.models import Cohort, Invitation, Programme, Role, Territory, Theme, User
from programme.pages import acted, posted, submitted

from . import services
from .forms import CohortForm, ProgrammeForm, TerritoryForm, ThemeForm


@dataclass(frozen=True)
class Kind:
    """One kind of setting: its model, form, service and how its list reads."""

    key: str  # the URL segment
    model: type[models.Model]
    form: type[ModelForm]
    save: Callable[..., Any]
    title: Promise
    new: Promise
    help: Promise
    related: tuple[str, ...] = ()


KINDS = {
    kind.key: kind
    for kind in (
        Kind(
            "programmes",
            Programme,
            ProgrammeForm,
            services.programme_save,
            gettext_lazy("Programmes"),
            gettext_lazy("Nouveau programme"),
            gettext_lazy(
                "Durées des phases, rappels avant échéance et chargé·e de suivi par défaut de chaque programme."
            ),
            ("default_lead",),
        ),
        Kind(
            "promotions",
            Cohort,
            CohortForm,
            services.cohort_save,
            gettext_lazy("Promotions"),
            gettext_lazy("Nouvelle promotion"),
            gettext_lazy(
                "Une promotion par programme et par année, avec ses dates, ses places et son comité de sélection."
            ),
            ("programme",),
        ),
        Kind(
            "thematiques",
            Theme,
            ThemeForm,
            services.theme_save,
            gettext_lazy("Thématiques"),
            gettext_lazy("Nouvelle thématique"),
            gettext_lazy("Les thématiques proposées pour les structures et les projets."),
        ),
        Kind(
            "territoires",
            Territory,
            TerritoryForm,
            services.territory_save,
            gettext_lazy("Territoires"),
            gettext_lazy("Nouveau territoire"),
            gettext_lazy("Les territoires proposés pour les structures, les projets et l’essaimage."),
        ),
    )
}


def _kind(key: str) -> Kind:
    if key not in KINDS:
        raise Http404
    return KINDS[key]


@access.team_required
def index(request: AuthedRequest) -> HttpResponse:
    counts = {key: kind.model._default_manager.count() for key, kind in KINDS.items()}
    sections = [{"kind": kind, "count": counts[key]} for key, kind in KINDS.items()]
    return render(
        request,
        "programme/setup/index.html",
        {"title": _("Paramètres du programme"), "sections": sections, "first_run": _first_run(counts)},
    )


def _first_run(counts: dict[str, int]) -> list[dict[str, Any]] | None:
    """The first steps of a fresh install, while one is left: the programme, its first promotion, its grid
    (from the starter grid), the team invited. None once the programme, a promotion and a colleague exist."""
    team = User.objects.filter(is_active=True, role__in=[Role.STAFF, Role.DIRECTOR]).count()
    invited = team > 1 or Invitation.objects.exclude(role=Role.PARTNER).exists()
    if counts["programmes"] and counts["promotions"] and invited:
        return None
    return [
        {
            "done": bool(counts["programmes"]),
            "label": _("Créer le programme"),
            "url": reverse("setup:create", args=["programmes"]),
        },
        {
            "done": bool(counts["promotions"]),
            "label": _("Créer sa première promotion"),
            "url": reverse("setup:create", args=["promotions"]),
        },
        {
            "done": None,
            "label": _("Vérifier la grille d’évaluation (une grille de départ de six critères est proposée)"),
            "url": reverse("prospects:grid.detail"),
        },
        {"done": invited, "label": _("Inviter l’équipe"), "url": reverse("programme:invitation.list")},
    ]


@access.team_required
def setting_list(request: AuthedRequest, kind: str) -> HttpResponse:
    spec = _kind(kind)
    rows = spec.model._default_manager.all()
    if spec.related:
        rows = rows.select_related(*spec.related)
    if spec.model is Cohort:
        rows = rows.order_by("-is_active", "programme__name", "-start_date")
    else:
        rows = rows.order_by("-is_active", "name")
    return render(
        request,
        "programme/setup/list.html",
        {"title": spec.title, "kind": spec, "rows": rows, "kinds": KINDS.values()},
    )


@access.director_required
@require_http_methods(["GET", "POST"])
def setting_create(request: AuthedRequest, kind: str) -> HttpResponse:
    return _form_page(request, _kind(kind), None)


@access.director_required
@require_http_methods(["GET", "POST"])
def setting_edit(request: AuthedRequest, kind: str, pk: int) -> HttpResponse:
    spec = _kind(kind)
    return _form_page(request, spec, get_object_or_404(spec.model._default_manager, pk=pk))


def _form_page(request: AuthedRequest, spec: Kind, obj: models.Model | None) -> HttpResponse:
    form = spec.form(posted(request), instance=obj)
    saved = submitted(
        request,
        form,
        lambda: spec.save(actor=request.user, edit=Edit.from_form(form)),
        message=lambda saved: _("C’est enregistré : « %(name)s ».") % {"name": saved},
        refusals_on_form=True,
    )
    if saved is not None:
        return redirect("setup:list", kind=spec.key)
    title = spec.new if obj is None else _("Modifier « %(name)s »") % {"name": obj}
    return render(
        request,
        "programme/setup/form.html",
        {"title": title, "form": form, "kind": spec, "obj": obj},
    )


@access.director_required
@require_POST
def setting_archive(request: AuthedRequest, kind: str, pk: int) -> HttpResponse:
    spec = _kind(kind)
    obj = get_object_or_404(spec.model._default_manager, pk=pk)
    active = request.POST.get("active") == "1"
    services.setting_archive(actor=request.user, obj=obj, active=active)  # type: ignore[arg-type]
    text = _("Réactivation effectuée : « %(name)s ».") if active else _("Archivage effectué : « %(name)s ».")
    messages.success(request, text % {"name": obj})
    return redirect("setup:list", kind=spec.key)


@access.director_required
@require_POST
def setting_delete(request: AuthedRequest, kind: str, pk: int) -> HttpResponse:
    spec = _kind(kind)
    obj = get_object_or_404(spec.model._default_manager, pk=pk)
    acted(
        request,
        lambda: services.setting_delete(actor=request.user, obj=obj),  # type: ignore[arg-type]
        message=_("Suppression effectuée : « %(name)s ».") % {"name": obj},
    )
    return redirect("setup:list", kind=spec.key)
