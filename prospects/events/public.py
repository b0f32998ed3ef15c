"""The pages seen without an account: an open event's registration page and the satisfaction
questionnaire behind its personal link. They show only what the team marked public (name, kind, dates,
times, place or online link, presentation, the agenda's titles and times) — never the list of registrants,
the notes, the team or the prospects."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from programme.adapters import client_ip
from programme.pages import posted, save_once

from . import selectors, services
from .forms import PublicRegistrationForm, SurveyForm
from .models import Sequence

#: Registrations a client address may send in `RATE_WINDOW` seconds (every event together), beyond which
#: the page refuses, said; the setting `PARCOURS_EVENT_REGISTRATION_LIMIT` (environment variable, default 10) changes it. Counted in the cache
#: (Redis when configured: shared by every web process; it fails open while Redis is down).
RATE_LIMIT = 10
RATE_WINDOW = 10 * 60


def over_rate_limit(request: HttpRequest) -> bool:
    """Count one registration attempt of this client address; True once it is beyond the limit."""
    key = f"events:register:{client_ip(request)}"
    cache.add(key, 0, RATE_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr: a fresh window
        cache.set(key, 1, RATE_WINDOW)
        count = 1
    return count > settings.PARCOURS_EVENT_REGISTRATION_LIMIT


@login_not_required
@require_http_methods(["GET", "POST"])
def public_register(request: HttpRequest, public_key: str) -> HttpResponse:
    event = selectors.public_event(public_key)
    form = PublicRegistrationForm(posted(request))
    context = {
        "event": event,
        "form": form,
        "sequences": Sequence.objects.filter(event=event).only(
            "title", "day", "start_time", "end_time", "kind"
        ),
    }
    if request.method == "POST":
        if over_rate_limit(request):
            context["refused"] = _(
                "Trop d’inscriptions ont été envoyées depuis votre connexion. Réessayez dans quelques minutes."
            )
            return render(request, "prospects/events/public_register.html", context, status=429)
        if form.is_valid():
            if form.cleaned_data.get("website"):  # the honeypot: said as done, nothing saved
                context["done"] = _("Merci, votre inscription est enregistrée.")
                return render(request, "prospects/events/public_register.html", context)
            data = services.PublicRegistration(
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                email=form.cleaned_data["email"],
                structure=form.cleaned_data.get("structure", ""),
                consent=form.cleaned_data["consent"],
            )
            result = save_once(
                form, lambda: services.public_register(event=event, data=data), refusals_on_form=True
            )
            if result is not None:
                context["done"] = _public_message(result)
                return render(request, "prospects/events/public_register.html", context)
    return render(request, "prospects/events/public_register.html", context)


def _public_message(result: services.RegisterResult) -> str:
    if not result.registered:
        if result.waiting:
            return _(
                "Vous êtes déjà sur la liste d’attente de cet événement : nous vous écrirons si une place se libère."
            )
        return _("Vous êtes déjà inscrit·e à cet événement : à bientôt !")
    if result.waiting:
        return _(
            "L’événement est complet : vous êtes sur la liste d’attente. Nous vous écrirons si une place se "
            "libère ; un e-mail vous le confirme."
        )
    return _("Merci, votre inscription est enregistrée. Un e-mail de confirmation vous a été envoyé.")


@login_not_required
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    """The questionnaire behind a participant's link. Answering again updates the answer, and the page
    says so before and after."""
    registration = selectors.registration_by_survey_token(token)
    previous = (
        getattr(registration, "survey_answer", None) if hasattr(registration, "survey_answer") else None
    )
    initial = (
        {
            "overall": previous.overall,
            "content": previous.content,
            "organisation": previous.organisation,
            "usefulness": previous.usefulness,
            "comment": previous.comment,
        }
        if previous
        else None
    )
    form = SurveyForm(posted(request), initial=initial)
    context = {"event": registration.event, "form": form, "previous": previous}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        answer, updated = services.survey_answer(
            registration=registration,
            scores=services.SurveyScores(
                overall=data["overall"],
                content=data["content"],
                organisation=data["organisation"],
                usefulness=data["usefulness"],
                comment=data.get("comment", ""),
            ),
        )
        context["done"] = (
            _("Vos réponses ont été mises à jour : seule la dernière version compte. Merci !")
            if updated
            else _("Merci, vos réponses sont enregistrées.")
        )
    return render(request, "prospects/events/survey.html", context)
