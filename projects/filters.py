from typing import TYPE_CHECKING

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from programme.filters import SearchInput, SharedFormFilterSet
from programme.identity import folded
from programme.models import Cohort, Role, Territory, Theme, User
from prospects.forms import TeamUserChoiceField

from .models import Phase, Project

if TYPE_CHECKING:
    from .selectors import ProjectWithStatus


class LeadFilter(django_filters.ModelChoiceFilter):
    field_class = TeamUserChoiceField  # a closed account marked « (compte fermé) »


def leads_menu() -> QuerySet[User]:
    """The team members who may lead projects, and the former ones who still lead some."""
    return (
        User.objects.filter(role__in=[Role.STAFF, Role.DIRECTOR])
        .filter(Q(is_active=True) | Q(steered_projects__isnull=False))
        .distinct()
        .order_by("first_name", "last_name")
    )


def project_search_q(text: str) -> Q:
    """The projects whose title or lead structure (name, town) holds `text`, accents, case and hyphens aside:
    the list's search (which also reads the problem addressed) and the project menus'."""
    return Q(title__folded__contains=folded(text)) | Q(lead_organisation__search_text__contains=folded(text))


class ProjectFilter(SharedFormFilterSet):
    q = django_filters.CharFilter(label=_("Recherche"), method="search", widget=SearchInput)
    phase = django_filters.ChoiceFilter(label=_("Phase"), choices=Phase.choices)
    cohort = django_filters.ModelChoiceFilter(label=_("Promotion"), queryset=Cohort.objects.all())
    themes = django_filters.ModelChoiceFilter(label=_("Thématique"), queryset=Theme.objects.all())
    territory = django_filters.ModelChoiceFilter(label=_("Territoire"), queryset=Territory.objects.all())
    # A former member still leading projects is listed too (marked): finding their projects is how they are
    # handed over (« Pour la sélection » → « Retirer un·e chargé·e »).
    lead = LeadFilter(
        label=_("Chargé·e"),
        field_name="staff_leads",
        queryset=leads_menu(),
    )
    late = django_filters.BooleanFilter(
        label=_("En retard de décision"),
        method="filter_late",
        widget=forms.Select(choices=[("", "—"), ("true", _("Oui")), ("false", _("Non"))]),
    )

    class Meta:
        model = Project
        fields = ["q", "phase", "cohort", "themes", "territory", "lead", "late"]

    def search(self, queryset: QuerySet[Project], name: str, value: str) -> QuerySet[Project]:
        return queryset.filter(project_search_q(value) | Q(problem__folded__contains=folded(value)))

    def filter_late(
        self, queryset: "QuerySet[ProjectWithStatus]", name: str, value: bool | None
    ) -> "QuerySet[ProjectWithStatus]":
        if value is None:
            return queryset
        return queryset.filter(decision_late=value)
