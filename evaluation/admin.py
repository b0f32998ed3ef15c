"""Admin for configuration: the indicator library and lessons. Measurements are read-only here —
they change through the services only, which keep the roll-up and the audit trail in step."""

from django.contrib import admin
from django.http import HttpRequest

from .models import (
    Indicator,
    IndicatorTarget,
    Lesson,
    MaturityAssessment,
    MaturityScore,
    Measurement,
    ProjectIndicator,
)


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "type", "aggregation", "periodicity", "scope", "is_active"]
    list_filter = ["type", "aggregation", "scope", "is_active"]
    search_fields = ["code", "name"]


class IndicatorTargetInline(admin.TabularInline):
    model = IndicatorTarget
    extra = 0


@admin.register(ProjectIndicator)
class ProjectIndicatorAdmin(admin.ModelAdmin):
    list_display = ["project", "indicator", "baseline_value", "target_value", "reporter"]
    list_select_related = ["project", "indicator"]
    search_fields = ["project__title", "indicator__name"]
    inlines = [IndicatorTargetInline]


@admin.register(Measurement)
class MeasurementAdmin(admin.ModelAdmin):
    list_display = ["project_indicator", "period_start", "period_end", "value", "status", "locked"]
    list_filter = ["status", "locked"]
    list_select_related = ["project_indicator__project", "project_indicator__indicator"]
    search_fields = ["project_indicator__project__title", "project_indicator__indicator__name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Measurement | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Measurement | None = None) -> bool:
        return False


class MaturityScoreInline(admin.TabularInline):
    model = MaturityScore
    extra = 0


@admin.register(MaturityAssessment)
class MaturityAssessmentAdmin(admin.ModelAdmin):
    list_display = ["project", "phase", "moment", "assessed_on"]
    list_filter = ["phase", "moment"]
    inlines = [MaturityScoreInline]


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "phase", "created_at"]
    list_filter = ["kind", "phase"]
    search_fields = ["title", "body"]
