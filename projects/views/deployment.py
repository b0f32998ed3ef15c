"""The deployment tab: essaimage sites, dissemination of learnings, advocacy actions."""

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from programme import access
from programme.access import AuthedRequest

from ..forms import AdvocacyActionForm, DeploymentSiteForm, DisseminationForm
from ..models import AdvocacyAction, DeploymentSite, Dissemination
from .base import RecordPage, bound_data, child_for, project_for, record_form, render_tab

SITE = RecordPage(
    action="deployment_site",
    tab="projects:project.deployment",
    create_title=_("Nouveau site d'essaimage"),
    edit_title=_("Modifier le site d'essaimage"),
    created=_("Enregistré."),
    updated=_("Enregistré."),
)
DISSEMINATION = RecordPage(
    action="dissemination",
    tab="projects:project.deployment",
    create_title=_("Nouvelle diffusion"),
    edit_title=_("Modifier la diffusion"),
    created=_("Enregistré."),
    updated=_("Enregistré."),
)
ADVOCACY = RecordPage(
    action="advocacy",
    tab="projects:project.deployment",
    create_title=_("Nouvelle action de plaidoyer"),
    edit_title=_("Modifier l'action de plaidoyer"),
    created=_("Enregistré."),
    updated=_("Enregistré."),
)


@access.team_required
def project_deployment(request: AuthedRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)
    context = {
        "sites": project.deployment_sites.select_related("territory", "partner"),
        "disseminations": project.disseminations.all(),
        "advocacy": project.advocacy_actions.all(),
    }
    return render_tab(request, project, "deployment", "projects/project_deployment.html", context)


@access.team_required
@require_http_methods(["GET", "POST"])
def site_create(request: AuthedRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)
    return record_form(request, SITE, DeploymentSiteForm(bound_data(request)), project=project)


@access.team_required
@require_http_methods(["GET", "POST"])
def site_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    site = child_for(request, DeploymentSite, pk)
    form = DeploymentSiteForm(bound_data(request), instance=site)
    return record_form(request, SITE, form, project=site.project)


@access.team_required
@require_http_methods(["GET", "POST"])
def dissemination_create(request: AuthedRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)
    return record_form(request, DISSEMINATION, DisseminationForm(bound_data(request)), project=project)


@access.team_required
@require_http_methods(["GET", "POST"])
def dissemination_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    dissemination = child_for(request, Dissemination, pk)
    form = DisseminationForm(bound_data(request), instance=dissemination)
    return record_form(request, DISSEMINATION, form, project=dissemination.project)


@access.team_required
@require_http_methods(["GET", "POST"])
def advocacy_create(request: AuthedRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)
    return record_form(request, ADVOCACY, AdvocacyActionForm(bound_data(request)), project=project)


@access.team_required
@require_http_methods(["GET", "POST"])
def advocacy_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    advocacy = child_for(request, AdvocacyAction, pk)
    form = AdvocacyActionForm(bound_data(request), instance=advocacy)
    return record_form(request, ADVOCACY, form, project=advocacy.project)
