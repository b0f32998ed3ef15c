"""Filters of the report list."""

import django_filters
from django.utils.translation import gettext_lazy as _

from evaluation.models import Report, ReportKind, ReportStatus
from programme.filters import SharedFormFilterSet
from programme.forms import FilterForm

from .forms import DateInput


class ReportFilterForm(FilterForm):
    period = ("ordered_after", "ordered_before")


class ReportFilter(SharedFormFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Type"), choices=ReportKind.choices)
    status = django_filters.ChoiceFilter(label=_("État"), choices=ReportStatus.choices)
    ordered_after = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("Commandé à partir du"), widget=DateInput
    )
    ordered_before = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("Commandé jusqu’au"), widget=DateInput
    )

    class Meta:
        model = Report
        fields = ["kind", "status", "ordered_after", "ordered_before"]
        form = ReportFilterForm
