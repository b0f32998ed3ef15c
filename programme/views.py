import os
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from . import access, pages, selectors, services
from .access import AuthedRequest
from .adapters import set_language_cookie
from .audit import Edit, history
from .filters import OrganisationFilter, PersonFilter
from .formatting import organisation_label, person_label
from .forms import (
    AcceptInvitationForm,
    InvitationForm,
    OrganisationForm,
    PersonForm,
    PreferencesForm,
)
from .models import Invitation, Organisation, Person, Programme, User
from .pages import create_edit_views, form_page, posted, render_filtered_list, save_once, submitted
from .selectors import person_data_export

# --- Home, health --------------------------------------------------------------------------------


def home(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if access.is_partner(user):
        return redirect("portal:home")
    if not access.is_team(user):
        raise Http404
    # A fresh install: the first director is led to the settings' first steps (programme/setup).
    if access.is_director(user) and not Programme.objects.exists():
        return redirect("setup:index")
    # The deadlines and pipeline panels are the projects' and prospects' own views, loaded by URL.
    context = {
        "organisation_count": Organisation.objects.count(),
        "person_count": Person.objects.filter(anonymised_at__isnull=True).count(),
    }
    return render(request, "programme/home.html", context)


@login_not_required
def health(request: HttpRequest) -> JsonResponse:
    """Database, broker, worker and beat, as JSON. 503 when the database or the configured broker is down (the web
    process cannot work); a silent worker or beat makes the status « degraded » with a 200, or a 503 with
    `?strict=1` (for an outside monitor that should raise the alarm for them too)."""
    from .observability import beat_status, worker_status

    status = {"database": "ok", "broker": "not configured"}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # noqa: BLE001 — any failure means "down"
        status["database"] = f"error: {error.__class__.__name__}"
        healthy = False
    if settings.REDIS_URL:
        import redis

        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2).ping()
            status["broker"] = "ok"
        except Exception as error:  # noqa: BLE001
            status["broker"] = f"error: {error.__class__.__name__}"
            healthy = False
    elif settings.CELERY_BROKER_URL.startswith("filesystem://"):
        # The embedded broker is a folder the web process and the worker share: it must be writable.
        folder = str(settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("data_folder_in", ""))
        if folder and os.path.isdir(folder) and os.access(folder, os.W_OK):
            status["broker"] = "ok"
        else:
            status["broker"] = "error: folder not writable"
            healthy = False
    background = status["broker"] == "ok"
    status["worker"] = worker_status(timeout=1.0) if background else "not checked"
    status["beat"] = beat_status() if background else "not checked"
    degraded = status["worker"].startswith("error") or status["beat"].startswith("error")
    status["status"] = "error" if not healthy else ("degraded" if degraded else "ok")
    failing = not healthy or (degraded and request.GET.get("strict") == "1")
    return JsonResponse(status, status=503 if failing else 200)


# --- Organisations --------------------------------------------------------------------------------


@access.team_required
def organisation_list(request: AuthedRequest) -> HttpResponse:
    queryset = access.scoped(request.user, Organisation).select_related("territory").order_by("name")
    filterset = OrganisationFilter(request.GET, queryset=queryset)
    return render_filtered_list(
        request,
        filterset=filterset,
        template="programme/organisation_list.html",
        partial="programme/partials/_organisation_table.html",
        context={"title": _("Structures")},
    )


@access.team_required
def organisation_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(
        access.scoped(request.user, Organisation).select_related("territory"), pk=pk
    )
    context = {
        "organisation": organisation,
        "people": organisation.people.filter(anonymised_at__isnull=True),
        "audit_entries": history(organisation, limit=50),
    }
    return render(request, "programme/organisation_detail.html", context)


def _organisation_page(request: AuthedRequest, organisation: Organisation | None) -> HttpResponse:
    form = OrganisationForm(posted(request), instance=organisation)
    return form_page(
        request,
        form,
        save=lambda: services.organisation_save(actor=request.user, edit=Edit.from_form(form)),
        message=lambda saved: (
            _("Structure « %(name)s » créée.") % {"name": saved.name}
            if organisation is None
            else _("Structure mise à jour.")
        ),
        template="programme/organisation_form.html",
        context={"creating": organisation is None, "organisation": organisation},
    )


organisation_create, organisation_edit = create_edit_views(
    _organisation_page,
    required=access.team_required,
    get=lambda request, pk: get_object_or_404(access.scoped(request.user, Organisation), pk=pk),
)


# --- The search menus' options (programme.forms.SearchSelect, programme.pages.menu_options) ------------


ORGANISATION_WORDS = pages.MenuWords(
    prompt=gettext_lazy("— Cherchez la structure ci-dessus —"),
    none=gettext_lazy("— Aucune structure ne correspond —"),
    found=lambda n: ngettext("— %(n)s structure trouvée —", "— %(n)s structures trouvées —", n) % {"n": n},
    more=lambda n: _("— Les %(n)s premières : précisez la recherche —") % {"n": n},
)
PERSON_WORDS = pages.MenuWords(
    prompt=gettext_lazy("— Cherchez le contact ci-dessus —"),
    none=gettext_lazy("— Aucun contact ne correspond —"),
    found=lambda n: ngettext("— %(n)s contact trouvé —", "— %(n)s contacts trouvés —", n) % {"n": n},
    more=lambda n: _("— Les %(n)s premiers : précisez la recherche —") % {"n": n},
)


@access.team_required
def organisation_options(request: AuthedRequest) -> HttpResponse:
    """A structure menu's options for what was typed (name, town or SIREN)."""
    rows = selectors.menu_organisations(request.user)
    return pages.menu_options(
        request, rows, selectors.organisation_search, organisation_label, ORGANISATION_WORDS
    )


@access.team_required
def person_options(request: AuthedRequest) -> HttpResponse:
    """A contact menu's options for what was typed (name or e-mail)."""
    rows = selectors.menu_people(request.user)
    return pages.menu_options(request, rows, selectors.person_search, person_label, PERSON_WORDS)


# --- Contacts ---------------------------------------------------------------------------------------


@access.team_required
def person_list(request: AuthedRequest) -> HttpResponse:
    queryset = (
        access.scoped(request.user, Person).filter(anonymised_at__isnull=True).select_related("organisation")
    )
    filterset = PersonFilter(request.GET, queryset=queryset)
    return render_filtered_list(
        request,
        filterset=filterset,
        template="programme/person_list.html",
        partial="programme/partials/_person_table.html",
        context={"title": _("Contacts")},
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def person_create(request: AuthedRequest) -> HttpResponse:
    initial = {}
    if request.GET.get("organisation", "").isdigit():
        initial["organisation"] = request.GET["organisation"]
    return _person_page(request, None, initial=initial)


@access.team_required
def person_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(access.scoped(request.user, Person).select_related("organisation"), pk=pk)
    context = {
        "person": person,
        "audit_entries": history(person, limit=50),
        "has_account": hasattr(person, "user") and person.user.is_active,
    }
    return render(request, "programme/person_detail.html", context)


@access.team_required
@require_http_methods(["GET", "POST"])
def person_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(access.scoped(request.user, Person).filter(anonymised_at__isnull=True), pk=pk)
    return _person_page(request, person)


def _person_page(
    request: AuthedRequest, person: Person | None, *, initial: dict | None = None
) -> HttpResponse:
    form = PersonForm(posted(request), instance=person, initial=initial)
    return form_page(
        request,
        form,
        save=lambda: services.person_save(actor=request.user, edit=Edit.from_form(form)),
        message=lambda saved: (
            _("Contact « %(name)s » créé.") % {"name": saved} if person is None else _("Contact mis à jour.")
        ),
        template="programme/person_form.html",
        context={"creating": person is None, "person": person},
    )


@access.team_required
@require_http_methods(["POST"])
def person_anonymise(request: AuthedRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(access.scoped(request.user, Person).filter(anonymised_at__isnull=True), pk=pk)
    services.person_anonymise(actor=request.user, person=person)
    messages.success(request, _("Les données personnelles du contact ont été effacées."))
    return redirect("programme:person.list")


@access.team_required
def person_export(request: AuthedRequest, pk: int) -> JsonResponse:
    """Everything Parcours holds about a contact, as JSON (right of access)."""
    person = get_object_or_404(access.scoped(request.user, Person).select_related("organisation"), pk=pk)
    response = JsonResponse(
        person_data_export(person=person), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Disposition"] = f'attachment; filename="contact-{person.pk}.json"'
    return response


# --- Invitations and account ------------------------------------------------------------------------


@access.team_required
@require_http_methods(["GET", "POST"])
def invitation_list(request: AuthedRequest) -> HttpResponse:
    initial: dict[str, Any] = {"role": "partner"}
    person = None
    if request.GET.get("person", "").isdigit():
        person = access.scoped(request.user, Person).filter(pk=request.GET["person"]).first()
    if person is not None:
        initial.update(
            person=person.pk,
            email=person.email,
            first_name=person.first_name,
            last_name=person.last_name,
            organisation=person.organisation_id,
        )
    form = InvitationForm(posted(request), initial=initial)
    invitation = submitted(
        request,
        form,
        lambda: services.invitation_create(actor=request.user, **form.cleaned_data),
        message=lambda invitation: _("Invitation envoyée à %(email)s.") % {"email": invitation.email},
    )
    if invitation is not None:
        return redirect("programme:invitation.list")
    invitations = Invitation.objects.select_related("organisation", "invited_by")[:100]
    context = {"title": _("Invitations"), "form": form, "invitations": invitations}
    return render(request, "programme/invitation_list.html", context)


@login_not_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = Invitation.objects.by_token(token).first()
    if invitation is None or not invitation.is_pending:
        return render(request, "programme/invitation_invalid.html", status=410 if invitation else 404)
    form = AcceptInvitationForm(posted(request), invitation=invitation)
    if request.method == "POST" and form.is_valid():
        user = save_once(form, lambda: _accept(invitation, form.cleaned_data["password1"]))
        if user is None and not form.errors:
            # Accepted a moment ago (the same form sent twice): the invitation is no longer pending.
            return render(request, "programme/invitation_invalid.html", status=410)
        if user is not None:
            login(request, user, backend="programme.adapters.ModelBackend")
            messages.success(request, _("Bienvenue dans Parcours ! Votre mot de passe est enregistré."))
            return redirect("home")
    return render(request, "programme/invitation_accept.html", {"form": form, "invitation": invitation})


def _accept(invitation: Invitation, password: str) -> User | None:
    """The account, or None when the invitation was accepted in between (the same form sent twice)."""
    try:
        return services.invitation_accept(invitation=invitation, password=password)
    except ValidationError:
        return None


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The French 400 page (`handler400`): says when the body was too big (DATA_UPLOAD_MAX_MEMORY_SIZE)
    and that nothing was saved. Rendered without the request's context: the request may be unusable."""
    context = {
        "too_big": isinstance(exception, RequestDataTooBig),
        "limit_mb": round(settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024),
    }
    return HttpResponseBadRequest(loader.render_to_string("400.html", context))


@require_http_methods(["GET", "POST"])
def preferences(request: AuthedRequest) -> HttpResponse:
    user = request.user
    form = PreferencesForm(
        posted(request),
        initial={
            "digest_enabled": user.digest_enabled,
            "comment_notifications": user.comment_notifications,
            "language": user.language,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.user_preferences_update(
            user=user,
            digest_enabled=data["digest_enabled"],
            comment_notifications=data.get("comment_notifications") or None,
            language=data.get("language") or None,
        )
        with translation.override(user.language):
            messages.success(request, _("Préférences enregistrées."))
        response = redirect("programme:preferences")
        set_language_cookie(response, user.language)
        return response
    return render(request, "programme/preferences.html", {"title": _("Préférences"), "form": form})
