"""Filters of the report list."""

import django_filters
from django.utils.translation import gettext_lazy as _

from evaluation.models import Report, ReportKind, ReportStatus


class ReportFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Type"), choices=ReportKind.choices)
    status = django_filters.ChoiceFilter(label=_("État"), choices=ReportStatus.choices)

    class Meta:
        model = Report
        fields = ["kind", "status"]
