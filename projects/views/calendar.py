"""Deadlines and calendar: the deadlines list, the private iCalendar feed and its settings."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from programme import access
from programme.access import AuthedRequest
from programme.models import User

from .. import calendar_feed as ics
from .. import selectors, services


@access.team_required
def deadline_list(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    # Everything late, however old (the same source as the home panel), and the next 90 days.
    items = selectors.deadlines_for(request.user, start=None, end=today + timedelta(days=90), today=today)
    return render(
        request,
        "projects/deadline_list.html",
        {
            "overdue": selectors.late_first(items),
            "upcoming": [d for d in items if not d.late],
            "today": today,
        },
    )


@access.team_required
def deadlines_panel(request: AuthedRequest) -> HttpResponse:
    """The home page's deadlines panel (a partial, loaded by the home page with hx-get)."""
    panel = selectors.deadlines_panel(request.user, today=timezone.localdate())
    return render(request, "projects/partials/_home_deadlines.html", {"panel": panel})


def calendar_settings(request: AuthedRequest) -> HttpResponse:
    user = request.user
    feed_url = None
    if user.calendar_token:
        feed_url = request.build_absolute_uri(reverse("projects:calendar.feed", args=[user.calendar_token]))
    return render(request, "projects/calendar.html", {"feed_url": feed_url})


@require_POST
def calendar_token(request: AuthedRequest) -> HttpResponse:
    if request.POST.get("action") == "revoke":
        services.calendar_token_revoke(user=request.user)
        messages.success(
            request, _("Le lien de votre agenda est révoqué : l’ancienne adresse ne fonctionne plus.")
        )
    else:
        services.calendar_token_rotate(user=request.user)
        messages.success(request, _("Nouveau lien d’agenda créé. L’ancienne adresse ne fonctionne plus."))
    return redirect("projects:calendar")


@login_not_required
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The user's private iCalendar feed, reachable without a session by its secret token."""
    if len(token) < 20:
        raise Http404
    user = User.objects.filter(calendar_token=token, is_active=True).first()
    if user is None:
        raise Http404
    body = ics.render(user, base_url=request.build_absolute_uri("/").rstrip("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="parcours.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response
