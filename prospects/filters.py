import django_filters
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from programme.access import TEAM_ROLES
from programme.filters import SearchInput, SharedFormFilterSet, StableOrderingFilter
from programme.forms import LoadedModelChoiceField
from programme.forms import _LoadedChoiceIterator as LoadedChoiceIterator
from programme.identity import folded
from programme.models import Cohort, Programme, Territory, Theme, User
from programme.selectors import filter_choices

from .forms import TeamUserChoiceField
from .models import Audience, Prospect, Source, Stage


class LoadedTeamUserChoiceField(LoadedModelChoiceField, TeamUserChoiceField):
    pass


class _LoadedNullIterator(django_filters.fields.ModelChoiceIterator, LoadedChoiceIterator):
    """The loaded objects, with django-filter's « Non renseigné » choice after the empty one."""


class LoadedFilterChoiceField(LoadedModelChoiceField, django_filters.fields.ModelChoiceField):
    """django-filter's model choice (its null choice filters on « not set ») over loaded objects."""

    iterator = _LoadedNullIterator

    def to_python(self, value):
        if self.null_label is not None and value == self.null_value:
            return value
        return super().to_python(value)


class LoadedChoiceFilter(django_filters.ModelChoiceFilter):
    """A menu whose objects the list page reads once (ProspectFilter.load_menus): validating the choice,
    naming the active filter and drawing the menu share them — the programme's menu was read three
    times. Not loaded (an export, a bulk action), it is a plain model choice."""

    field_class = LoadedFilterChoiceField


class TeamUserFilter(django_filters.ModelChoiceFilter):
    field_class = LoadedTeamUserChoiceField


def owners_menu() -> QuerySet[User]:
    """The active team members, and the former ones who still follow prospects (the « Suivi par » menu)."""
    return (
        User.objects.filter(role__in=TEAM_ROLES)
        .filter(Q(is_active=True) | Exists(Prospect.objects.filter(owner=OuterRef("pk"))))
        .order_by("first_name", "last_name")
    )


def _follows_prospects(users: str) -> str:
    """`owners_menu`'s condition for a closed account, in the list page's one menus statement."""
    prospects = connection.ops.quote_name(Prospect._meta.db_table)
    return f"EXISTS (SELECT 1 FROM {prospects} WHERE {prospects}.owner_id = {users}.id)"  # noqa: S608


class ProspectFilter(SharedFormFilterSet):
    q = django_filters.CharFilter(label=_("Recherche"), method="search", widget=SearchInput)
    programme = LoadedChoiceFilter(label=_("Programme"), queryset=Programme.objects.all())
    cohort = LoadedChoiceFilter(label=_("Promotion"), queryset=Cohort.objects.all())
    stage = django_filters.ChoiceFilter(label=_("Étape"), choices=Stage.choices)
    source = django_filters.ChoiceFilter(label=_("Source"), choices=Source.choices)
    audience = django_filters.ChoiceFilter(label=_("Public"), choices=Audience.choices)
    themes = LoadedChoiceFilter(label=_("Thématique"), queryset=Theme.objects.all())
    territory = LoadedChoiceFilter(label=_("Territoire"), queryset=Territory.objects.all())
    # A former member who still follows prospects is listed too (marked « compte fermé »): finding their
    # prospects is how they are handed over (« Pour la sélection » → « Assigner le suivi »).
    owner = TeamUserFilter(label=_("Suivi par"), queryset=owners_menu())
    overdue = django_filters.ChoiceFilter(
        label=_("Prochaine action"), choices=[("1", _("En retard"))], method="filter_overdue"
    )
    o = StableOrderingFilter(
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

    def load_menus(self) -> None:
        """For the list page, which draws the menus: read every menu's objects once, in one query
        (`programme.selectors.filter_choices`), for validating, naming the active filter and drawing it.
        An export or a bulk action skips this."""
        choices = filter_choices(
            team=True, shared=True, former=_follows_prospects
        )  # the menus only read them
        loaded = {
            "programme": choices.programmes,
            "cohort": choices.cohorts,
            "themes": choices.themes,
            "territory": choices.territories,
            "owner": choices.team,
        }
        for name, objects in loaded.items():
            self.form.fields[name].load(objects)
        self.menus_version = choices.version

    def search(self, queryset, name, value):
        return queryset.filter(prospect_search_q(value))

    def prepared_value(self, name: str, value: str) -> str:
        return folded(value.strip())

    def prepared_text(self, name: str, value: str) -> bool:
        """A search by name or town takes a stand-in text (the list's statements compiled once per shape);
        one that is also a SIREN's beginning does not (its digits are another parameter)."""
        return name == "q" and not _siren_digits(value.strip())

    def filter_overdue(self, queryset, name, value):
        if value == "1":
            return queryset.filter(next_action_date__lt=self.day())
        return queryset


def prospect_search_q(value: str) -> Q:
    """The prospects whose structure's name or town holds `value`, accents and case aside (« venissieux »
    finds « Vénissieux »), or whose SIREN starts with its digits: the list's search and the prospect menu's."""
    value = value.strip()
    condition = Q(organisation__search_text__contains=folded(value))
    if digits := _siren_digits(value):
        condition |= Q(organisation__siren__startswith=digits)
    return condition


def _siren_digits(value: str) -> str:
    """The beginning of a SIREN a search is, spaces aside (at most nine digits), or « »."""
    digits = value.replace(" ", "")
    return digits[:9] if digits.isdigit() else ""
