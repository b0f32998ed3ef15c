"""One prospect: create, record page, edit, exchanges."""

from typing import Any

from django.forms import BaseForm
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from programme import access
from programme.access import AuthedRequest
from programme.audit import Edit
from programme.pages import form_page, posted, submitted

from .. import selectors, services
from ..forms import ExchangeForm, MoveForm, ProspectCreateForm, ProspectForm
from ..models import Prospect


@access.team_required
@require_http_methods(["GET", "POST"])
def prospect_create(request: AuthedRequest) -> HttpResponse:
    form = ProspectCreateForm(posted(request))

    def save() -> Prospect:
        data = form.cleaned_data
        return services.prospect_create(
            actor=request.user,
            programme=data["programme"],
            organisation=data.get("organisation")
            or services.NewOrganisation(
                name=data["new_name"],
                kind=data["new_kind"],
                town=data.get("new_town", ""),
                siren=data.get("new_siren", ""),
            ),
            source=data["source"],
            audience=data.get("audience") or None,
            owner=data.get("owner"),
            cohort=data.get("cohort"),
            next_action=data.get("next_action", ""),
            next_action_date=data.get("next_action_date"),
            notes=data.get("notes", ""),
            project_idea=data.get("project_idea", ""),
            themes=data.get("themes") or None,
            territory=data.get("territory"),
        )

    return form_page(
        request,
        form,
        save=save,
        message=lambda prospect: _("Prospect « %(name)s » ajouté.") % {"name": prospect.organisation.name},
        template="prospects/prospect_create.html",
    )


@access.team_required
def prospect_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    prospect = selectors.prospect_detail(request.user, pk)
    return render(request, "prospects/prospect_detail.html", _detail_context(prospect))


def _detail_context(
    prospect: Prospect, *, move_form: BaseForm | None = None, exchange_form: BaseForm | None = None
) -> dict[str, Any]:
    return {
        **selectors.prospect_page(prospect),
        "move_form": move_form or MoveForm(stage=prospect.stage),
        "exchange_form": exchange_form
        or ExchangeForm(
            organisation_id=prospect.organisation_id,
            programme_id=prospect.programme_id,
            initial={"date": timezone.localdate()},
        ),
    }


@access.team_required
@require_http_methods(["GET", "POST"])
def prospect_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    prospect = selectors.prospect_detail(request.user, pk)
    form = ProspectForm(posted(request), instance=prospect)
    return form_page(
        request,
        form,
        save=lambda: services.prospect_update(actor=request.user, edit=Edit.from_form(form)),
        message=lambda _prospect: _("Prospect mis à jour."),
        template="prospects/prospect_form.html",
        context={"prospect": prospect},
    )


@access.team_required
@require_POST
def exchange_create(request: AuthedRequest, pk: int) -> HttpResponse:
    prospect = selectors.prospect_detail(request.user, pk)
    form = ExchangeForm(
        request.POST, organisation_id=prospect.organisation_id, programme_id=prospect.programme_id
    )
    saved = submitted(
        request,
        form,
        lambda: services.exchange_create(actor=request.user, prospect=prospect, edit=Edit.from_form(form)),
        message=_("Échange enregistré."),
    )
    if saved is not None:
        return redirect(reverse("prospects:prospect.detail", args=[prospect.pk]) + "#timeline")
    return render(request, "prospects/prospect_detail.html", _detail_context(prospect, exchange_form=form))
