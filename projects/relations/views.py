"""Exchanges with structures (log one from a structure's page or from a project, correct it, mark its next
action done) and the structure page's pieces loaded by URL: its projects and its merged timeline."""

import unicodedata
from html import escape
from typing import Any

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from programme import access
from programme.access import AuthedRequest
from programme.audit import Edit
from programme.formatting import date_writer, fr_date
from programme.models import Organisation
from programme.pages import acted, posted, submitted
from prospects import services as prospect_services
from prospects.models import Exchange

from ..views.base import project_for, project_url
from . import selectors, services
from .forms import ExchangeEditForm, ProjectExchangeForm, StructureExchangeForm


def _organisation(request: AuthedRequest, pk: int) -> Organisation:
    return selectors.organisation_for(request.user, pk)


def _exchange(request: AuthedRequest, pk: int) -> Exchange:
    return access.get_for_user_or_404(
        access.scoped(request.user, Exchange).select_related("organisation", "prospect"), pk=pk
    )


# --- The structure page's pieces (loaded with hx-get by programme's organisation page) --------------------


@access.team_required
def structure_projects(request: AuthedRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request, pk)
    context = selectors.structure_projects(user=request.user, organisation=organisation)
    return render(request, "projects/relations/_structure_projects.html", context)


def _shortened(text: str) -> str:
    """`text` cut to 240 characters as Truncator(text).chars(240) cuts it — which walks every character in
    Python: a text that short is only normalised."""
    return unicodedata.normalize("NFC", text) if len(text) <= 240 else Truncator(text).chars(240)


def _entries_html(entries: list[dict[str, Any]]) -> str:
    """The timeline's rows in plain Python (25 a page; through the template language they cost more than
    the page's SQL): the markup `_structure_timeline.html` wrote row by row, every value escaped. The time
    zone and the language are looked up once for the page (`date_writer`), not per row."""
    zone, write_date = timezone.get_current_timezone(), date_writer()
    out = []
    for e in entries:
        at = e["at"].astimezone(zone) if timezone.is_aware(e["at"]) else e["at"]
        label = escape(e["label"])
        project = f' · <span class="muted">{escape(e["project"])}</span>' if e.get("project") else ""
        text = f'<p class="muted">{escape(_shortened(e["text"]))}</p>' if e["text"] else ""
        out.append(
            f'<li class="rel-timeline__item rel-timeline__item--{escape(e["kind"])}">'
            f'<p><time datetime="{at.isoformat()}">{escape(write_date(at))}</time> · <span class="muted">{label}</span>'
            f'{project}</p><p><a href="{escape(e["url"])}">{escape(e["title"]) if e["title"] else label}</a></p>'
            f"{text}</li>"
        )
    return mark_safe("".join(out))  # noqa: S308 (every value above is escaped)


@access.team_required
def structure_timeline(request: AuthedRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request, pk)
    context = selectors.structure_timeline(
        user=request.user,
        organisation=organisation,
        kinds=request.GET.getlist("kind"),
        page=request.GET.get("page"),
    )
    context["entries_html"] = _entries_html(context["entries"])
    context["open_actions"] = selectors.open_next_actions(user=request.user, organisation=organisation)
    context["today"] = timezone.localdate()
    context["here"] = project_url("projects:structure.timeline", organisation.pk)  # patterns reversed once
    context["exchange_create"] = project_url("projects:structure.exchange.create", organisation.pk)
    query = request.GET.copy()
    query.pop("page", None)
    context["querystring"] = query.urlencode()
    return render(request, "projects/relations/_structure_timeline.html", context)


# --- Logging and correcting exchanges ------------------------------------------------------------------


@access.team_required
@require_http_methods(["GET", "POST"])
def structure_exchange_create(request: AuthedRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request, pk)
    form = StructureExchangeForm(
        posted(request),
        organisation=organisation,
        user=request.user,
        initial={"date": timezone.localdate(), "project": request.GET.get("project")},
    )
    saved = submitted(
        request,
        form,
        lambda: services.structure_exchange_create(
            actor=request.user,
            edit=Edit.from_form(form),
            organisation=organisation,
            project=form.cleaned_data.get("project"),
            prospect=form.cleaned_data.get("prospect"),
        ),
        message=_("Échange enregistré."),
        refusals_on_form=True,
    )
    if saved is not None:
        return redirect(organisation.get_absolute_url() + "#timeline")
    context = {
        "form": form,
        "title": _("Noter un échange avec « %(name)s »") % {"name": organisation.name},
        "cancel": organisation.get_absolute_url(),
    }
    return render(request, "projects/relations/exchange_form.html", context)


@access.team_required
@require_http_methods(["GET", "POST"])
def exchange_create(request: AuthedRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)
    form = ProjectExchangeForm(posted(request), project=project, initial={"date": timezone.localdate()})
    saved = submitted(
        request,
        form,
        lambda: services.project_exchange_create(
            actor=request.user,
            edit=Edit.from_form(form),
            project=project,
            organisation=form.cleaned_data["organisation"],
        ),
        message=_("Échange enregistré."),
        refusals_on_form=True,
    )
    if saved is not None:
        return redirect(reverse("projects:project.timeline", args=[project.pk]) + "#exchanges")
    context = {
        "form": form,
        "title": _("Noter un échange — %(project)s") % {"project": project.title},
        "cancel": reverse("projects:project.timeline", args=[project.pk]) + "#exchanges",
    }
    return render(request, "projects/relations/exchange_form.html", context)


@access.team_required
@require_http_methods(["GET", "POST"])
def exchange_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    exchange = _exchange(request, pk)
    form = ExchangeEditForm(posted(request), instance=exchange)
    back = _back(request, exchange)
    saved = submitted(
        request,
        form,
        lambda: services.exchange_update(actor=request.user, edit=Edit.from_form(form)),
        message=_("Échange mis à jour."),
        refusals_on_form=True,
    )
    if saved is not None:
        return redirect(back)
    context = {
        "form": form,
        "exchange": exchange,
        "title": _("Modifier l’échange du %(date)s") % {"date": fr_date(exchange.date)},
        "cancel": back,
        "next": back,
    }
    return render(request, "projects/relations/exchange_form.html", context)


@access.team_required
@require_POST
def exchange_done(request: AuthedRequest, pk: int) -> HttpResponse:
    exchange = _exchange(request, pk)
    acted(
        request,
        lambda: prospect_services.exchange_next_action_done(actor=request.user, exchange=exchange),
        message=_("Prochaine action marquée comme faite."),
    )
    return redirect(_back(request, exchange))


def _back(request: AuthedRequest, exchange: Exchange) -> str:
    """Where to go after: the page the request came from (`next`, same site only), else the structure."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return exchange.organisation.get_absolute_url() + "#timeline"
