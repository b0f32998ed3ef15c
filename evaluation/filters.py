from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from programme.filters import SearchInput, SharedFormFilterSet
from programme.identity import folded
from programme.models import Theme
from projects.forms import project_menu
from projects.models import Phase, Project

from .models import Indicator, IndicatorType, Lesson, LessonKind, Measurement, MeasurementStatus, Scope


class IndicatorFilter(SharedFormFilterSet):
    q = django_filters.CharFilter(label=_("Recherche"), method="search", widget=SearchInput)
    type = django_filters.ChoiceFilter(label=_("Type"), choices=IndicatorType.choices)
    scope = django_filters.ChoiceFilter(label=_("Portée"), choices=Scope.choices)
    # Not django-filter's default widget: its empty choice is sent as "unknown" and shows "Actif : Inconnu".
    is_active = django_filters.BooleanFilter(
        label=_("Actif"),
        widget=forms.Select(choices=[("", _("Tous")), ("true", _("Oui")), ("false", _("Non"))]),
    )

    class Meta:
        model = Indicator
        fields = ["q", "type", "scope", "is_active"]

    def search(self, queryset: QuerySet[Indicator], name: str, value: str) -> QuerySet[Indicator]:
        return queryset.filter(
            Q(name__folded__contains=folded(value))
            | Q(code__folded__contains=folded(value))
            | Q(description__folded__contains=folded(value))
        )


class MeasurementQueueFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("État"),
        choices=[(MeasurementStatus.SUBMITTED, _("À valider")), (MeasurementStatus.RETURNED, _("Renvoyées"))],
        empty_label=_("À valider et renvoyées"),
    )
    project = django_filters.ModelChoiceFilter(
        label=_("Projet"),
        field_name="project_indicator__project",
        queryset=Project.objects.none(),
        widget=project_menu(),
    )

    class Meta:
        model = Measurement
        fields = ["status", "project"]

    def __init__(self, *args: Any, projects: QuerySet[Project], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The menu draws the chosen project only (its title, then its lead structure).
        self.filters["project"].queryset = projects.select_related("lead_organisation")


class LessonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Recherche"), method="search", widget=SearchInput)
    kind = django_filters.ChoiceFilter(label=_("Nature"), choices=LessonKind.choices)
    phase = django_filters.ChoiceFilter(label=_("Phase"), choices=Phase.choices)
    theme = django_filters.ModelChoiceFilter(
        label=_("Thématique"), field_name="themes", queryset=Theme.objects.all()
    )
    project = django_filters.ModelChoiceFilter(
        label=_("Projet"), field_name="projects", queryset=Project.objects.none(), widget=project_menu()
    )

    class Meta:
        model = Lesson
        fields = ["q", "kind", "phase", "theme", "project"]

    def __init__(self, *args: Any, projects: QuerySet[Project], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The menu draws the chosen project only (its title, then its lead structure).
        self.filters["project"].queryset = projects.select_related("lead_organisation")

    def search(self, queryset: QuerySet[Lesson], name: str, value: str) -> QuerySet[Lesson]:
        return queryset.filter(
            Q(title__folded__contains=folded(value)) | Q(body__folded__contains=folded(value))
        )
