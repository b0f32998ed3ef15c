"""The partner's own structure, its contacts, and the partner's personal data."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from programme import access
from programme import services as programme_services
from programme.access import AuthedRequest
from programme.models import Organisation, Person
from programme.pages import create_edit_views, posted, save_once
from projects.relations import selectors as relations_selectors

from .. import selectors
from ..forms import PortalContactForm, PortalOrganisationForm


def _own_organisation(request: AuthedRequest) -> Organisation:
    return get_object_or_404(access.scoped(request.user, Organisation), pk=request.user.organisation_id)


@access.partner_required
def organisation_detail(request: AuthedRequest) -> HttpResponse:
    organisation = _own_organisation(request)
    context = {
        "organisation": organisation,
        "people": access.scoped(request.user, Person).order_by("last_name", "first_name"),
        # The exchanges the team marked shared with the structure (never another's, never the prospect path).
        "exchanges": relations_selectors.shared_exchanges(user=request.user),
    }
    return render(request, "portal/organisation.html", context)


@access.partner_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: AuthedRequest) -> HttpResponse:
    organisation = _own_organisation(request)
    form = PortalOrganisationForm(posted(request), instance=organisation)
    if request.method == "POST":
        if form.is_valid():
            programme_services.organisation_details_update(actor=request.user, **form.cleaned_data)
            messages.success(request, _("Les informations de votre structure sont enregistrées."))
            return redirect("portal:organisation")
        return render(
            request, "portal/organisation_form.html", {"form": form, "organisation": organisation}, status=400
        )
    return render(request, "portal/organisation_form.html", {"form": form, "organisation": organisation})


def _contact_page(request: AuthedRequest, person: Person | None) -> HttpResponse:
    form = PortalContactForm(posted(request), instance=person)
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = save_once(
                    form,
                    lambda: programme_services.partner_contact_save(
                        actor=request.user, person=person, **form.cleaned_data
                    ),
                )
            except PermissionDenied:
                raise Http404
            if saved is not None:
                messages.success(request, _("Contact « %(name)s » enregistré.") % {"name": saved})
                return redirect("portal:organisation")
        status = 400
    else:
        status = 200
    context = {"form": form, "person": person, "organisation": _own_organisation(request)}
    return render(request, "portal/contact_form.html", context, status=status)


contact_create, contact_edit = create_edit_views(
    _contact_page,
    required=access.partner_required,
    get=lambda request, pk: get_object_or_404(access.scoped(request.user, Person), pk=pk),
)


@access.partner_required
def my_data(request: AuthedRequest) -> JsonResponse:
    """Everything Parcours holds about the signed-in partner, as a JSON download."""
    response = JsonResponse(
        selectors.personal_data(request.user), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Disposition"] = 'attachment; filename="mes-donnees-parcours.json"'
    response["Cache-Control"] = "private, no-store"
    return response
