from django.contrib import admin

from .models import (
    Action,
    Committee,
    Deliverable,
    Document,
    GateDecision,
    Membership,
    Milestone,
    PhasePeriod,
    Project,
    ReminderLog,
    Workshop,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation", "person"]


class PhasePeriodInline(admin.TabularInline):
    model = PhasePeriod
    extra = 0
    # Phases move through the gate decision service only.
    readonly_fields = ["phase", "planned_start", "planned_end", "actual_start", "actual_end"]
    can_delete = False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "phase", "cohort", "lead_organisation"]
    list_filter = ["phase", "cohort", "programme"]
    search_fields = ["title", "lead_organisation__name"]
    readonly_fields = ["phase", "phase_version"]
    inlines = [MembershipInline, PhasePeriodInline]


@admin.register(GateDecision)
class GateDecisionAdmin(admin.ModelAdmin):
    list_display = ["project", "outcome", "from_phase", "to_phase", "decided_on", "decided_by"]
    list_filter = ["outcome"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "title", "due_date", "offset", "created_at", "sent_at"]
    list_filter = ["kind", "offset"]

    def has_add_permission(self, request):
        return False


for model in (Workshop, Committee, Action, Milestone, Deliverable, Document):
    admin.site.register(model)

from .conversations import admin as conversations_admin  # noqa: E402, F401  (registers the threads)
from .funding import admin as funding_admin  # noqa: E402, F401  (registers the money models)
