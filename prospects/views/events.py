"""Events where prospects are met."""

from typing import Any

from django.contrib import messages
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from programme import access
from programme.access import AuthedRequest
from programme.audit import Edit
from programme.pages import form_page, posted, render_filtered_list, save_once

from .. import selectors, services
from ..filters import EventFilter
from ..forms import EventForm, EventLinkForm, EventNewProspectForm
from ..models import Event

# --- Events ----------------------------------------------------------------------------------------------------


@access.team_required
def event_list(request: AuthedRequest) -> HttpResponse:
    return render_filtered_list(
        request,
        filterset=EventFilter(request.GET, queryset=selectors.event_list(request.user)),
        template="prospects/event_list.html",
        partial="prospects/partials/_event_table.html",
        context={"title": _("Événements")},
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def event_form(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    """Create an event (no pk) or edit one."""
    event = selectors.event_detail(request.user, pk) if pk is not None else None
    if event is None:
        form = EventForm(posted(request), initial={"staff": [request.user.pk]})
    else:
        form = EventForm(posted(request), instance=event)
    return form_page(
        request,
        form,
        save=lambda: services.event_save(actor=request.user, edit=Edit.from_form(form)),
        message=lambda saved: (
            _("Événement « %(name)s » créé.") % {"name": saved.name}
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
def event_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    event = selectors.event_detail(request.user, pk)
    return render(request, "prospects/event_detail.html", _event_context(event))


@access.team_required
@require_POST
def event_prospects(request: AuthedRequest, pk: int) -> HttpResponse:
    """Link an existing prospect to the event (`link-…` fields) or create a new one (`new-…` fields)."""
    event = selectors.event_detail(request.user, pk)
    if "link-prospect" in request.POST:
        link_form = EventLinkForm(request.POST, event=event, prefix="link")
        linked = link_form.is_valid() and save_once(
            link_form,
            lambda: (
                services.event_link_prospect(
                    actor=request.user, event=event, prospect=link_form.cleaned_data["prospect"]
                )
                or True
            ),
        )
        if linked:
            messages.success(request, _("Prospect ajouté aux rencontres de l’événement."))
            return redirect(event)
        return render(request, "prospects/event_detail.html", _event_context(event, link_form=link_form))
    new_form = EventNewProspectForm(request.POST, prefix="new")
    if new_form.is_valid():
        prospect = save_once(
            new_form,
            lambda: services.event_create_prospect(
                actor=request.user, event=event, owner=request.user, **new_form.cleaned_data
            ),
        )
        if prospect is not None:
            messages.success(
                request, _("« %(name)s » est rattaché à l’événement.") % {"name": prospect.organisation.name}
            )
            return redirect(event)
    return render(request, "prospects/event_detail.html", _event_context(event, new_form=new_form))
