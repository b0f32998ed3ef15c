"""« Événements » in the portal: the events a partner's structure is invited to (prospects.events, scoped
by `Event.access_rule`), and registering oneself from there (the same service as the team's page: over
capacity, the waiting list; twice, recognised)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from programme import access
from programme.access import AuthedRequest
from prospects.events import selectors as event_selectors
from prospects.events import services as event_services
from prospects.events.models import Event, RegistrationSource
from prospects.events.views import register_message


@access.partner_required
def event_list(request: AuthedRequest) -> HttpResponse:
    return render(request, "portal/events.html", {"rows": event_selectors.partner_events(request.user)})


@access.partner_required
@require_POST
def event_register(request: AuthedRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(access.scoped(request.user, Event), pk=pk)
    person = request.user.person
    if person is None:
        messages.error(
            request, _("Votre compte n’est relié à aucun contact : demandez à l’équipe de vous inscrire.")
        )
        return redirect("portal:events")
    result = event_services.registration_register(
        actor=request.user, event=event, person=person, source=RegistrationSource.PORTAL
    )
    messages.success(request, register_message(result))
    return redirect("portal:events")
