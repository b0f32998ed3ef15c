import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Family, Organisation, OrganisationKind, Person, Territory, Theme

# A search box: list pages refresh their table as the user types (see the hx-trigger in the template).
SearchInput = forms.TextInput(attrs={"type": "search", "autocomplete": "off"})


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Recherche"), method="search", widget=SearchInput)
    family = django_filters.ChoiceFilter(label=_("Famille"), choices=Family.choices)
    kind = django_filters.ChoiceFilter(label=_("Forme"), choices=OrganisationKind.choices)
    territory = django_filters.ModelChoiceFilter(label=_("Territoire"), queryset=Territory.objects.all())
    themes = django_filters.ModelChoiceFilter(label=_("Thématique"), queryset=Theme.objects.all())
    esus = django_filters.BooleanFilter(
        label=_("Agrément ESUS"),
        widget=forms.Select(choices=[("", _("Tous")), ("true", _("Oui")), ("false", _("Non"))]),
    )

    class Meta:
        model = Organisation
        fields = ["q", "family", "kind", "territory", "themes", "esus"]

    def search(self, queryset: QuerySet[Organisation], name: str, value: str) -> QuerySet[Organisation]:
        digits = value.replace(" ", "")
        condition = Q(name__icontains=value) | Q(town__icontains=value)
        if digits.isdigit():
            condition |= Q(siren__startswith=digits[:9]) | Q(siret__startswith=digits)
        return queryset.filter(condition)


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Recherche"), method="search", widget=SearchInput)
    organisation = django_filters.ModelChoiceFilter(label=_("Structure"), queryset=Organisation.objects.all())

    class Meta:
        model = Person
        fields = ["q", "organisation"]

    def search(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        return queryset.filter(
            Q(first_name__icontains=value) | Q(last_name__icontains=value) | Q(email__icontains=value)
        )
