"""The public pages of a call for applications (no login): the call at its unguessable address, with the
application form; the application resumed through the secret link e-mailed to its applicant, saved again
or sent. Only the call's public fields are shown; an unpublished call, a wrong token or another call's
token is a 404. Rate limited per client address and guarded by a honeypot (`abuse`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from programme.access import AuthedRequest
from programme.forms import add_validation_error
from programme.pages import posted, save_once

from ...sirene import selectors as register
from .. import abuse, selectors, services
from ..forms import ApplicationForm, member_formset
from ..models import Application, ApplicationStatus, Call


def _too_many(request: AuthedRequest) -> HttpResponse:
    return render(request, "prospects/calls/public/too_many.html", {}, status=429)


def _page(
    request: AuthedRequest,
    call: Call,
    application: Application | None,
) -> HttpResponse:
    """The call and its form: save the draft (its link is e-mailed) or send it."""
    submitting = request.POST.get("action") == "submit"
    form = ApplicationForm(
        posted(request), request.FILES or None, call=call, application=application, submitting=submitting
    )
    members = member_formset(posted(request), application)
    closed = services.closed_refusal(call)
    if request.method == "POST":
        if abuse.rate_limited(request, "post"):
            return _too_many(request)
        if abuse.is_robot(request):
            # Said as if it had worked, so a robot learns nothing; nothing is saved.
            return render(request, "prospects/calls/public/received.html", {"call": call}, status=200)
        if closed:
            form.add_error(None, closed)
        elif form.is_valid() and members.is_valid():

            def save() -> Application | None:
                try:
                    saved = services.application_save(
                        call=call, application=application, data=form.data_for_service(members.members())
                    )
                    if submitting:
                        saved = services.application_submit(application=saved)
                except ValidationError as error:
                    add_validation_error(form, error)
                    return None
                return saved

            saved = save_once(form, save)
            if saved is not None:
                if submitting:
                    messages.success(
                        request,
                        _("Votre candidature est envoyée. Un e-mail de confirmation vous est adressé."),
                    )
                elif application is None or application.email.lower() != saved.email.lower():
                    messages.success(
                        request,
                        _(
                            "Candidature enregistrée. Un lien pour la reprendre a été envoyé à %(email)s : "
                            "vous pouvez continuer maintenant ou plus tard."
                        )
                        % {"email": saved.email},
                    )
                else:
                    messages.success(request, _("Candidature enregistrée."))
                return redirect(saved.get_resume_url())
    return render(
        request,
        "prospects/calls/public/call.html",
        {
            "call": call,
            "application": application,
            "form": form,
            "members": members,
            "closed": closed,
            "preview": not call.is_published,
            "now": timezone.now(),
        },
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def call_page(request: AuthedRequest, slug: str) -> HttpResponse:
    if abuse.rate_limited(request, "page"):
        return _too_many(request)
    call = selectors.public_call(request.user, slug)
    return _page(request, call, None)


@login_not_required
@require_http_methods(["GET", "POST"])
def application_resume(request: AuthedRequest, slug: str, token: str) -> HttpResponse:
    if abuse.rate_limited(request, "page"):
        return _too_many(request)
    call = selectors.public_call(request.user, slug)
    application = selectors.public_application(call, token)
    if application.status == ApplicationStatus.SUBMITTED:
        return render(
            request,
            "prospects/calls/public/submitted.html",
            {
                "call": call,
                "application": application,
                "answers": list(selectors.answers_of(application)),
            },
        )
    return _page(request, call, application)


@login_not_required
@require_GET
def register_lookup(request: AuthedRequest, slug: str) -> JsonResponse:
    """The structure's lookup in the local SIRENE register, for the application form (static/js/
    register_lookup.js): `q`, a name or the first digits of a SIREN (three characters at least), gives at
    most ten structures with the fields they fill — what the register publishes, nothing of Parcours
    (`register.public_lookup`). Only at the address of a published call; rate limited apart from the pages."""
    if abuse.rate_limited(request, "lookup"):
        return JsonResponse({"results": []}, status=429)
    selectors.public_call(request.user, slug)  # 404 for an unknown or unpublished call
    results = [
        {
            "label": unit.name,
            "detail": " · ".join(part for part in (unit.siren, unit.group_label, unit.town) if part),
            "organisation_name": unit.name,
            "siren": unit.siren,
            "organisation_kind": unit.kind,
            "postcode": unit.postcode,
            "town": unit.town,
        }
        for unit in register.public_lookup(request.GET.get("q", "")[:100])
    ]
    return JsonResponse({"results": results})
