"""The filters of the templates list and of the sent messages list."""

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from programme.filters import SearchInput, SharedFormFilterSet
from programme.identity import folded

from .models import EmailStatus, EmailTemplate, OutgoingEmail, Purpose


class TemplateFilter(SharedFormFilterSet):
    q = django_filters.CharFilter(label=_("Recherche"), method="search", widget=SearchInput)
    purpose = django_filters.ChoiceFilter(label=_("Usage"), choices=Purpose.choices, null_label=None)
    archived = django_filters.BooleanFilter(
        label=_("Archivés"),
        widget=forms.Select(choices=[("", _("Non")), ("true", _("Oui"))]),
        method="filter_archived",
    )

    class Meta:
        model = EmailTemplate
        fields = ["q", "purpose", "archived"]

    def search(self, queryset: QuerySet[EmailTemplate], name: str, value: str) -> QuerySet[EmailTemplate]:
        return queryset.filter(
            Q(name__folded__contains=folded(value)) | Q(subject_fr__folded__contains=folded(value))
        )

    def filter_archived(
        self, queryset: QuerySet[EmailTemplate], name: str, value: bool | None
    ) -> QuerySet[EmailTemplate]:
        return queryset.filter(archived=bool(value))

    @property
    def qs(self) -> QuerySet[EmailTemplate]:
        queryset = super().qs
        if not (self.form.is_bound and self.form.data.get("archived")):
            queryset = queryset.filter(archived=False)
        return queryset


class SentFilter(SharedFormFilterSet):
    q = django_filters.CharFilter(label=_("Recherche"), method="search", widget=SearchInput)
    status = django_filters.ChoiceFilter(label=_("État"), choices=EmailStatus.choices, null_label=None)

    class Meta:
        model = OutgoingEmail
        fields = ["q", "status"]

    def search(self, queryset: QuerySet[OutgoingEmail], name: str, value: str) -> QuerySet[OutgoingEmail]:
        return queryset.filter(
            Q(subject__folded__contains=folded(value))
            | Q(organisation__search_text__contains=folded(value))
            | Q(to__folded__contains=folded(value))
        )
