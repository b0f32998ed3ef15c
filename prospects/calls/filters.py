"""The filters of the calls list and of a call's applications."""

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from programme.filters import SearchInput, SharedFormFilterSet
from programme.forms import FilterForm
from programme.identity import folded
from programme.models import Programme

from .models import Application, ApplicationStatus, Call


class CallFilter(SharedFormFilterSet):
    q = django_filters.CharFilter(label=_("Recherche"), method="search", widget=SearchInput)
    programme = django_filters.ModelChoiceFilter(label=_("Programme"), queryset=Programme.objects.all())
    is_published = django_filters.BooleanFilter(
        label=_("Publié"),
        widget=forms.Select(choices=[("", _("Tous")), ("true", _("Oui")), ("false", _("Non"))]),
    )

    class Meta:
        model = Call
        fields = ["q", "programme", "is_published"]
        form = FilterForm

    def search(self, queryset: QuerySet[Call], name: str, value: str) -> QuerySet[Call]:
        return queryset.filter(title__folded__contains=folded(value))


class ApplicationFilter(SharedFormFilterSet):
    q = django_filters.CharFilter(label=_("Recherche"), method="search", widget=SearchInput)
    status = django_filters.ChoiceFilter(
        label=_("Statut"), choices=ApplicationStatus.choices, empty_label=_("Tous")
    )

    class Meta:
        model = Application
        fields = ["q", "status"]
        form = FilterForm

    def search(self, queryset: QuerySet[Application], name: str, value: str) -> QuerySet[Application]:
        digits = value.replace(" ", "")
        condition = (
            Q(organisation_name__folded__contains=folded(value))
            | Q(last_name__folded__contains=folded(value))
            | Q(email__folded__contains=folded(value))
            | Q(town__folded__contains=folded(value))
        )
        if digits.isdigit():
            condition |= Q(siren__startswith=digits[:9])
        return queryset.filter(condition)
