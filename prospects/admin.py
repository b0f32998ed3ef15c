from django.contrib import admin

from .models import (
    Criterion,
    Event,
    Exchange,
    ImportFile,
    Interview,
    Prospect,
    Score,
    ScoringGrid,
    SelectionDecision,
    StageChange,
)


@admin.register(Prospect)
class ProspectAdmin(admin.ModelAdmin):
    list_display = ["organisation", "programme", "stage", "source", "owner", "next_action_date"]
    list_filter = ["programme", "stage", "source", "audience"]
    search_fields = ["organisation__name", "organisation__siren"]
    raw_id_fields = ["organisation"]


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


@admin.register(ScoringGrid)
class ScoringGridAdmin(admin.ModelAdmin):
    list_display = ["programme", "version", "name", "created_at"]
    inlines = [CriterionInline]

    def has_change_permission(self, request, obj=None):
        # A grid in use never changes (interviews keep their version): edit it from Parcours, which
        # saves a new version.
        return obj is None or not obj.interviews.exists()


@admin.register(Interview)
class InterviewAdmin(admin.ModelAdmin):
    list_display = ["prospect", "scheduled_at", "status", "weighted_score", "recommendation"]
    list_filter = ["status", "recommendation"]
    raw_id_fields = ["prospect"]


admin.site.register(Event)
admin.site.register(Exchange)
admin.site.register(Score)
admin.site.register(StageChange)
admin.site.register(SelectionDecision)
admin.site.register(ImportFile)
