import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programme.filters import SearchInput, SharedFormFilterSet
from programme.identity import folded
from programme.models import Cohort, Programme, Territory, Theme

from .models import Event, EventKind
from .selectors import to_come


class EventFilter(SharedFormFilterSet):
    q = django_filters.CharFilter(label=_("Recherche"), method="search", widget=SearchInput)
    kind = django_filters.ChoiceFilter(label=_("Type"), choices=EventKind.choices)
    when = django_filters.ChoiceFilter(
        label=_("Quand"), choices=[("upcoming", _("À venir")), ("past", _("Passés"))], method="filter_when"
    )
    programme = django_filters.ModelChoiceFilter(label=_("Programme"), queryset=Programme.objects.all())
    cohort = django_filters.ModelChoiceFilter(label=_("Promotion"), queryset=Cohort.objects.all())
    territory = django_filters.ModelChoiceFilter(label=_("Territoire"), queryset=Territory.objects.all())
    themes = django_filters.ModelChoiceFilter(label=_("Thématique"), queryset=Theme.objects.all())

    class Meta:
        model = Event
        fields = ["q", "kind", "when", "programme", "cohort", "territory", "themes"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__folded__contains=folded(value)) | Q(place__folded__contains=folded(value))
        )

    def filter_when(self, queryset, name, value):
        return queryset.filter(to_come()) if value == "upcoming" else queryset.exclude(to_come())
