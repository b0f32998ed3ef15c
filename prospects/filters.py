import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programme.filters import SearchInput
from programme.models import Cohort, Programme, Territory, Theme

from .forms import TeamUserChoiceField, team_users
from .models import Audience, Prospect, Source, Stage


class TeamUserFilter(django_filters.ModelChoiceFilter):
    field_class = TeamUserChoiceField


class ProspectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Recherche"), method="search", widget=SearchInput)
    programme = django_filters.ModelChoiceFilter(label=_("Programme"), queryset=Programme.objects.all())
    cohort = django_filters.ModelChoiceFilter(label=_("Promotion"), queryset=Cohort.objects.all())
    stage = django_filters.ChoiceFilter(label=_("Étape"), choices=Stage.choices)
    source = django_filters.ChoiceFilter(label=_("Source"), choices=Source.choices)
    audience = django_filters.ChoiceFilter(label=_("Public"), choices=Audience.choices)
    themes = django_filters.ModelChoiceFilter(label=_("Thématique"), queryset=Theme.objects.all())
    territory = django_filters.ModelChoiceFilter(label=_("Territoire"), queryset=Territory.objects.all())
    owner = TeamUserFilter(label=_("Suivi par"), queryset=team_users())
    overdue = django_filters.ChoiceFilter(
        label=_("Prochaine action"), choices=[("1", _("En retard"))], method="filter_overdue"
    )
    o = django_filters.OrderingFilter(
        label=_("Trier par"),
        fields=(
            ("organisation__name", "name"),
            ("organisation__town", "town"),
            ("stage", "stage"),
            ("next_action_date", "next_action"),
            ("updated_at", "updated"),
        ),
        field_labels={
            "organisation__name": _("Nom"),
            "organisation__town": _("Commune"),
            "stage": _("Étape"),
            "next_action_date": _("Prochaine action"),
            "updated_at": _("Dernière modification"),
        },
    )

    class Meta:
        model = Prospect
        fields = [
            "q",
            "programme",
            "cohort",
            "stage",
            "source",
            "audience",
            "themes",
            "territory",
            "owner",
            "overdue",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Evaluated per request so a colleague who just joined is offered.
        self.filters["owner"].queryset = team_users()

    def search(self, queryset, name, value):
        value = value.strip()
        digits = value.replace(" ", "")
        condition = Q(organisation__name__icontains=value) | Q(organisation__town__icontains=value)
        if digits.isdigit():
            condition |= Q(organisation__siren__startswith=digits[:9])
        return queryset.filter(condition)

    def filter_overdue(self, queryset, name, value):
        if value == "1":
            return queryset.filter(next_action_date__lt=timezone.localdate())
        return queryset
