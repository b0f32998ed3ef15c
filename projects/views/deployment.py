"""The deployment tab: essaimage sites, dissemination of learnings, advocacy actions."""

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from programme import access
from programme.access import AuthedRequest

from ..forms import AdvocacyActionForm, DeploymentSiteForm, DisseminationForm
from ..models import AdvocacyAction, DeploymentSite, Dissemination
from .base import RecordPage, project_for, record_views, render_tab

SITE = RecordPage(
    tab="projects:project.deployment",
    create_title=_("Nouveau site d’essaimage"),
    edit_title=_("Modifier le site d’essaimage"),
)
DISSEMINATION = RecordPage(
    tab="projects:project.deployment",
    create_title=_("Nouvelle diffusion"),
    edit_title=_("Modifier la diffusion"),
)
ADVOCACY = RecordPage(
    tab="projects:project.deployment",
    create_title=_("Nouvelle action de plaidoyer"),
    edit_title=_("Modifier l’action de plaidoyer"),
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


site_create, site_edit = record_views(SITE, DeploymentSiteForm, DeploymentSite)
dissemination_create, dissemination_edit = record_views(DISSEMINATION, DisseminationForm, Dissemination)
advocacy_create, advocacy_edit = record_views(ADVOCACY, AdvocacyActionForm, AdvocacyAction)
