"""The radar's filters, in words: ESS flag, legal form (groups of INSEE legal categories), NAF code,
headcount band, place (département, commune, a territory's saved search), creation date, new since the
last import."""

import re
import unicodedata
from typing import Any

import django_filters
from django import forms
from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Upper
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from programme.filters import SearchInput
from programme.forms import FilterForm, LoadedModelChoiceField
from programme.models import Territory

from .columns import CATEGORY_GROUPS, GROUP_LABELS, HEADCOUNT_BANDS, NAME_WORDS
from .models import RegisterImport, RegisterImportStatus, RegisterUnit, SavedSearch

#: A whole NAF rev. 2 code as the register writes it (« 88.99B »).
WHOLE_NAF = re.compile(r"\d{2}\.\d{2}[A-Z]")

DateInput = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
YES_NO = [("", _("Toutes")), ("true", _("Oui")), ("false", _("Non"))]


def unaccented_upper(text: str) -> str:
    """The register writes names in capitals without accents: « épicerie » searches « EPICERIE »."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


#: A word of a search: letters and digits (anything else separates words, as PostgreSQL's parser does).
_WORD = re.compile(r"[^\W_]+")


def name_matches[Units: QuerySet[Any]](queryset: Units, text: str) -> Units:
    """Register units whose name has every word of `text`, in any order and position, accents and case
    ignored, the last word also as the beginning of a word (« epicerie solid » finds « EPICERIE
    SOLIDAIRE DU CENTRE » and « LA SOLIDARITE EPICERIE »). PostgreSQL: the name's word index (full-text,
    `simple` configuration: no stemming, no stop words). SQLite: each word anywhere in the name (`LIKE`),
    which finds the same names and possibly more (parts of words)."""
    words = _WORD.findall(unaccented_upper(text).lower())
    if not words:
        return queryset
    if connection.vendor != "postgresql":
        for word in words:
            queryset = queryset.filter(name__icontains=word.upper())
        return queryset
    terms = " & ".join([*words[:-1], f"{words[-1]}:*"])
    # NAME_WORDS is ours (a constant); the words go as a parameter (letters and digits only).
    sql = f"{NAME_WORDS} @@ to_tsquery('simple'::regconfig, %s)"
    match = RawSQL(sql, [terms], output_field=BooleanField())  # noqa: S611
    return queryset.filter(match)


def latest_units_import() -> RegisterImport | None:
    return (
        RegisterImport.objects.filter(kind="units", status=RegisterImportStatus.DONE)
        .order_by("-finished_at", "-id")
        .first()
    )


class RadarFilterForm(FilterForm):
    period = ("created_after", "created_before")


class LoadedChoiceFilter(django_filters.ModelChoiceFilter):
    """A menu whose objects the page read beforehand (`RadarFilter(searches=…)`): no query of its own."""

    field_class = LoadedModelChoiceField


class RadarFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Nom ou SIREN"), method="search", widget=SearchInput)
    ess = django_filters.ChoiceFilter(
        label=_("Économie sociale et solidaire"),
        choices=YES_NO[1:],
        empty_label=_("Toutes"),
        method="filter_ess",
    )
    form = django_filters.ChoiceFilter(
        label=_("Forme juridique"),
        choices=[(key, label) for key, label in GROUP_LABELS.items()],
        method="filter_form",
    )
    naf = django_filters.CharFilter(label=_("Code NAF"), method="filter_naf")
    band = django_filters.MultipleChoiceFilter(
        label=_("Effectif"),
        field_name="headcount_band",
        choices=list(HEADCOUNT_BANDS.items()),
        distinct=False,  # one column of the row itself: no duplicate to remove (DISTINCT would sort every match)
        widget=forms.SelectMultiple(attrs={"size": 3}),
    )
    departement = django_filters.CharFilter(label=_("Département"), method="filter_departement")
    commune = django_filters.CharFilter(label=_("Commune"), method="filter_commune")
    territory = LoadedChoiceFilter(
        label=_("Territoire"),
        queryset=Territory.objects.filter(register_search__isnull=False),
        method="filter_territory",
    )
    created_after = django_filters.DateFilter(
        label=_("Créée à partir du"), field_name="created_on", lookup_expr="gte", widget=DateInput
    )
    created_before = django_filters.DateFilter(
        label=_("Créée jusqu’au"), field_name="created_on", lookup_expr="lte", widget=DateInput
    )
    new = django_filters.ChoiceFilter(
        label=_("Nouveautés"), choices=[("1", _("Depuis le dernier import"))], method="filter_new"
    )

    class Meta:
        model = RegisterUnit
        fields: list[str] = []
        form = RadarFilterForm

    def __init__(self, *args: Any, searches: list[SavedSearch] | None = None, **kwargs: Any) -> None:
        """`searches`: the saved searches the page read (their territories are the menu's choices)."""
        super().__init__(*args, **kwargs)
        self.searches = searches
        if searches is not None:
            field = self.form.fields["territory"]
            assert isinstance(field, LoadedModelChoiceField)
            field.load([search.territory for search in searches])

    def search(self, queryset: QuerySet[RegisterUnit], name: str, value: str) -> QuerySet[RegisterUnit]:
        value = value.strip()
        digits = value.replace(" ", "")
        if digits.isdigit() and len(digits) >= 3:
            return queryset.filter(siren__startswith=digits[:9])
        # Ordered by UPPER(name) (the same order: the register writes names in capitals), which no btree
        # index offers: PostgreSQL then takes the word index and sorts the matches, instead of walking
        # the name index through every structure until 50 of them match.
        return name_matches(queryset, value).order_by(Upper("name"), "siren")

    def filter_ess(self, queryset: QuerySet[RegisterUnit], name: str, value: str) -> QuerySet[RegisterUnit]:
        return queryset.filter(ess=value == "true")

    def filter_form(self, queryset: QuerySet[RegisterUnit], name: str, value: str) -> QuerySet[RegisterUnit]:
        if value == "other":
            every = [code for codes in CATEGORY_GROUPS.values() for code in codes]
            return queryset.exclude(legal_category__in=every)
        return queryset.filter(legal_category__in=CATEGORY_GROUPS.get(value, ()))

    def filter_naf(self, queryset: QuerySet[RegisterUnit], name: str, value: str) -> QuerySet[RegisterUnit]:
        code = value.strip().upper().replace(" ", "")
        if len(code) >= 3 and code[2] != "." and code[:2].isdigit():
            code = f"{code[:2]}.{code[2:]}"  # « 8899B » as the register writes it: « 88.99B »
        if WHOLE_NAF.fullmatch(code):  # a whole code: equality, which the (naf, name) index serves in order
            return queryset.filter(naf=code)
        return queryset.filter(naf__startswith=code)

    def filter_departement(
        self, queryset: QuerySet[RegisterUnit], name: str, value: str
    ) -> QuerySet[RegisterUnit]:
        codes = [code.strip().upper() for code in value.replace(";", ",").split(",") if code.strip()]
        return queryset.filter(departement__in=[c.zfill(2) for c in codes])

    def filter_commune(
        self, queryset: QuerySet[RegisterUnit], name: str, value: str
    ) -> QuerySet[RegisterUnit]:
        value = value.strip()
        if value[:2].isdigit() and len(value) == 5:
            return queryset.filter(Q(commune_code=value) | Q(postcode=value))
        return queryset.filter(commune__icontains=unaccented_upper(value))

    def filter_territory(
        self, queryset: QuerySet[RegisterUnit], name: str, value: Territory
    ) -> QuerySet[RegisterUnit]:
        """The place criteria of the territory's saved search."""
        if self.searches is not None:
            search = next((s for s in self.searches if s.territory_id == value.pk), None)
        else:
            search = SavedSearch.objects.filter(territory=value).first()
        if search is None:
            return queryset
        saved = QueryDict(search.query)
        place: dict[str, Any] = {k: saved.get(k) for k in ("departement", "commune") if saved.get(k)}
        if "departement" in place:
            queryset = self.filter_departement(queryset, "departement", place["departement"])
        if "commune" in place:
            queryset = self.filter_commune(queryset, "commune", place["commune"])
        return queryset

    def filter_new(self, queryset: QuerySet[RegisterUnit], name: str, value: str) -> QuerySet[RegisterUnit]:
        latest = latest_units_import()
        if value != "1" or latest is None:
            return queryset
        return queryset.filter(first_import=latest.pk)
