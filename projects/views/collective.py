"""The collective tab: members (memberships) and the stakeholders' influence × interest map."""

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programme import access
from programme.access import AuthedRequest

from .. import services
from ..forms import MembershipForm, StakeholderForm
from ..models import Membership, Stakeholder
from .base import RecordPage, project_for, record_views, render_tab

MEMBERSHIP = RecordPage(
    tab="projects:project.collective",
    create_title=_("Ajouter un membre au collectif"),
    edit_title=_("Modifier le membre"),
    created=_("Membre ajouté au collectif."),
    updated=_("Membre mis à jour."),
)
STAKEHOLDER = RecordPage(
    tab="projects:project.collective",
    create_title=_("Ajouter une partie prenante"),
    edit_title=_("Modifier la partie prenante"),
    created=_("Partie prenante ajoutée."),
    updated=_("Partie prenante mise à jour."),
)


@access.team_required
def project_collective(request: AuthedRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)
    memberships = list(
        project.memberships.select_related("organisation", "person").order_by("role", "organisation__name")
    )
    today = timezone.localdate()
    stakeholders = list(project.stakeholders.select_related("organisation"))
    # The influence × interest map: 3 × 3 cells, strongest influence on top.
    grid = [
        [[s for s in stakeholders if s.influence == infl and s.interest == inter] for inter in (1, 2, 3)]
        for infl in (3, 2, 1)
    ]
    context = {
        "current": [m for m in memberships if m.left_on is None or m.left_on > today],
        "former": [m for m in memberships if m.left_on is not None and m.left_on <= today],
        "stakeholders": stakeholders,
        "grid": grid,
        "levels": ["Fort", "Moyen", "Faible"],
    }
    return render_tab(request, project, "collective", "projects/project_collective.html", context)


membership_create, membership_edit = record_views(
    MEMBERSHIP,
    MembershipForm,
    Membership,
    initial=lambda: {"joined_on": timezone.localdate()},
    save=services.membership_save,
)
stakeholder_create, stakeholder_edit = record_views(STAKEHOLDER, StakeholderForm, Stakeholder)
